# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/vram_plan.py: a node's plan from inventory entries, and the site's model numbers."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.ollama_models_with_metadata import ollama_models_with_metadata
from ansible_collections.foundrycloud.platform.plugins.module_utils.vram_plan import (
    BudgetError,
    inline_metadata,
    node_budget,
    with_site_metadata,
)

QWEN = {"architecture": "qwen2", "size_bytes": 4683073952, "block_count": 28, "head_count": 28, "head_count_kv": 4,
        "embedding_length": 3584, "context_length": 32768}


def test_site_numbers_complete_entries_by_resolved_name():
    models = [{"name": "qwen2.5:7b", "metadata": {"size_bytes": 1}}, {"name": "nomic-embed-text"}, {"name": "other:1b"}]
    site = {"qwen2.5:7b": QWEN, "nomic-embed-text:latest": {"size_bytes": 2}, "Not A Name!": {}}
    result = with_site_metadata(models, site)
    assert result[0]["metadata"] == dict(QWEN, size_bytes=1)  # the entry's own keys win
    assert result[1]["metadata"] == {"size_bytes": 2}
    assert "metadata" not in result[2]
    assert "metadata" not in models[1]  # the input is not changed


def test_node_budget_from_inline_numbers():
    result = node_budget([{"name": "qwen2.5:7b", "num_ctx": 4096, "num_parallel": 1, "kv_cache_type": "f16",
                           "metadata": QWEN}], ["24GiB"], inline_metadata)
    assert result["fits"] and result["sources"] == {"qwen2.5:7b": "inline"}


def test_incomplete_inline_numbers_name_what_is_missing():
    with pytest.raises(BudgetError, match="model qwen2.5:7b: no complete metadata .missing block_count"):
        numbers = {"size_bytes": 1, "head_count": 1, "embedding_length": 1, "context_length": 1}
        inline_metadata({"name": "qwen2.5:7b", "metadata": numbers})


def test_filter_refuses_wrong_input():
    with pytest.raises(AnsibleFilterError, match="must map model names"):
        ollama_models_with_metadata([], ["qwen"])
    with pytest.raises(AnsibleFilterError, match="list of model entries"):
        ollama_models_with_metadata(["qwen2.5:7b"], {})
    assert ollama_models_with_metadata([{"name": "qwen2.5:7b"}], {"qwen2.5:7b": QWEN})[0]["metadata"] == QWEN
