# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cross-host rule: every external model name maps to a model some Ollama node plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import validate

REPO_ROOT = Path(__file__).resolve().parents[5]

LAYER = """\
---
- name: Inference
  hosts: gpu_nodes
  roles:
    - foundrycloud.platform.ollama
"""

GROUPS = {
    "all": ["gpu-1", "gpu-2", "central-1"],
    "ungrouped": [],
    "gpu_nodes": ["gpu-1", "gpu-2"],
    "central": ["central-1"],
}

MAPPING = {"poweron-text-general": "qwen2.5:7b", "poweron-embed": "nomic-embed-text"}


@pytest.fixture
def platform(make_platform):
    root = make_platform(layer=LAYER, docker=None)
    (root / "roles" / "ollama").symlink_to(REPO_ROOT / "roles" / "ollama", target_is_directory=True)
    return root


def run(root, gpu1_models, gpu2_models=(), central_models=(), mapping=None):
    mapping = MAPPING if mapping is None else mapping
    hostvars = {
        "gpu-1": {"platform_model_mapping": mapping, "ollama_models": [{"name": n} for n in gpu1_models]},
        "gpu-2": {"platform_model_mapping": mapping, "ollama_models": [{"name": n} for n in gpu2_models]},
        # central-1 does not run the ollama role: what it lists serves nobody
        "central-1": {"platform_model_mapping": mapping, "ollama_models": [{"name": n} for n in central_models]},
    }
    return validate(hostvars=hostvars, groups=GROUPS, site_playbook=str(root / "playbooks" / "site.yml"))


def test_mapping_to_models_planned_across_nodes_passes(platform):
    # written differently from the mapping (tag, case): compared as Ollama resolves names
    result = run(platform, ["Qwen2.5:7b"], ["nomic-embed-text:latest"])
    assert result["errors"] == []
    assert result["checked"]["ollama"] == ["gpu-1", "gpu-2"]


def test_mapping_to_an_unplanned_model_is_reported_once(platform):
    result = run(platform, ["qwen2.5:7b"])
    assert result["errors"] == [
        "host central-1: platform_model_mapping: poweron-embed -> nomic-embed-text, but no host "
        "that runs the ollama role plans nomic-embed-text in ollama_models"
    ]


def test_a_model_listed_on_a_host_without_the_ollama_role_does_not_count(platform):
    result = run(platform, ["qwen2.5:7b"], central_models=["nomic-embed-text"])
    assert any("poweron-embed -> nomic-embed-text" in error for error in result["errors"])


def test_invalid_model_name_is_reported(platform):
    result = run(platform, ["qwen2.5:7b"], mapping={"broken": "qwen 2.5:7b"})
    assert result["errors"] == [
        "host central-1: platform_model_mapping: broken -> 'qwen 2.5:7b' is not a valid Ollama model name"
    ]


def test_mapping_must_be_a_dict(platform):
    result = run(platform, ["qwen2.5:7b"], mapping=["qwen2.5:7b"])
    assert "host gpu-1: platform_model_mapping: must be a dict of external name -> Ollama model, got ['qwen2.5:7b']" \
        in result["errors"]


def test_example_inventory_mapping_is_fully_planned():
    """The shipped example maps every external name to a model one of its GPU nodes plans."""
    import yaml

    example = REPO_ROOT / "inventories" / "example"
    mapping = yaml.safe_load((example / "group_vars" / "all" / "models.yml").read_text())["platform_model_mapping"]
    planned = set()
    for host_file in (example / "host_vars").glob("gpu-*.yml"):
        planned |= {m["name"] for m in yaml.safe_load(host_file.read_text())["ollama_models"]}
    assert set(mapping.values()) <= planned


def test_a_mapping_value_may_name_the_model_and_its_mode(tmp_path):
    # {model, mode} is the gateway's form for embedding models; the rule checks its model.
    from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING, Context
    from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.model_mapping import check_model_mapping
    hosts = {"gpu-1": {"ollama_models": [{"name": "nomic-embed-text"}],
                       "platform_model_mapping": {"embed": {"model": "nomic-embed-text:latest", "mode": "embedding"},
                                                  "vision": {"model": "qwen2.5vl:7b", "mode": "chat"}}}}

    class Vars:
        def get(self, host, name, default=MISSING):
            return hosts.get(host, {}).get(name, default)

    ctx = Context(hosts=["gpu-1"], groups={"gpu_nodes": ["gpu-1"]}, vars=Vars(), roles={},
                  role_hosts={"ollama": ["gpu-1"]}, provided={}, playbook_groups=set(), warnings=[])
    assert check_model_mapping(ctx) == [
        "host gpu-1: platform_model_mapping: vision -> qwen2.5vl:7b, but no host that runs the ollama role plans "
        "qwen2.5vl:7b in ollama_models"]
