# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VRAM plan rule (inventory_validation/vram.py) with the repository's real roles and
site.yml: a GPU node whose models carry their numbers is planned offline."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import build_context
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.vram import check_vram_plans

QWEN = {"architecture": "qwen2", "size_bytes": 4683073952, "block_count": 28, "head_count": 28, "head_count_kv": 4,
        "embedding_length": 3584, "context_length": 32768}
DEEPSEEK = {"architecture": "llama", "size_bytes": 42520000000, "block_count": 80, "head_count": 64, "head_count_kv": 8,
            "embedding_length": 8192, "context_length": 131072, "vocab_size": 128256}


def context(repo_root, **gpu_vars):
    node = dict(ansible_host="10.20.20.11", ollama_gpus=[{"memory": "24GiB"}], ollama_context_length=8192,
                ollama_flash_attention=True, ollama_kv_cache_type="q8_0")
    node.update(gpu_vars)
    groups = {"all": ["gpu-1"], "gpu_nodes": ["gpu-1"], "docker_hosts": ["gpu-1"], "ungrouped": []}
    ctx, errors = build_context({"gpu-1": node}, groups, str(repo_root / "playbooks" / "site.yml"))
    assert errors == []
    assert "gpu-1" in ctx.role_hosts["ollama"]
    return ctx


def test_models_with_site_numbers_that_fit_pass(repo_root):
    ctx = context(repo_root, ollama_models=[{"name": "qwen2.5:7b"}], platform_model_metadata={"qwen2.5:7b": QWEN})
    assert check_vram_plans(ctx) == []


def test_overcommitted_node_is_refused_with_the_reason(repo_root):
    ctx = context(repo_root, ollama_models=[{"name": "qwen2.5:7b"}, {"name": "deepseek-r1:70b"}],
                  platform_model_metadata={"qwen2.5:7b": QWEN, "deepseek-r1:70b": DEEPSEEK})
    [problem] = check_vram_plans(ctx)
    assert problem.startswith("host gpu-1: ollama_models: the planned models do not fit into the GPU memory (")
    assert "deepseek-r1:70b" in problem and "./foundry plan" in problem


def test_an_entrys_own_numbers_win_over_the_sites(repo_root):
    small = dict(DEEPSEEK, size_bytes=1000000, block_count=2, embedding_length=64, head_count=4, head_count_kv=2)
    ctx = context(repo_root, ollama_models=[{"name": "deepseek-r1:70b", "metadata": small}],
                  platform_model_metadata={"deepseek-r1:70b": DEEPSEEK})
    assert check_vram_plans(ctx) == []


@pytest.mark.parametrize("gpu_vars", [
    {"ollama_models": [{"name": "qwen2.5:7b"}, {"name": "deepseek-r1:70b"}],
     "platform_model_metadata": {"qwen2.5:7b": QWEN}},                       # one model without numbers
    {"ollama_models": [{"name": "deepseek-r1:70b"}], "platform_model_metadata": {"deepseek-r1:70b": DEEPSEEK},
     "ollama_vram_check": False},                                           # the node opts out
    {"ollama_models": [{"name": "deepseek-r1:70b"}], "platform_model_metadata": {"deepseek-r1:70b": DEEPSEEK},
     "ollama_gpus": []},                                                    # no GPU plan to check against
])
def test_nodes_that_cannot_be_planned_offline_are_left_to_plan_and_the_role(repo_root, gpu_vars):
    assert check_vram_plans(context(repo_root, **gpu_vars)) == []


def test_names_compare_as_ollama_resolves_them(repo_root):
    ctx = context(repo_root, ollama_models=[{"name": "deepseek-r1:70b"}, {"name": "qwen2.5:7b"}],
                  platform_model_metadata={"registry.ollama.ai/library/deepseek-r1:70b": DEEPSEEK, "qwen2.5:7b": QWEN})
    assert len(check_vram_plans(ctx)) == 1  # both found: planned, and too big together
