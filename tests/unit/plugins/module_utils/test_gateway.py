# -*- coding: utf-8 -*-
"""Gateway model groups: one deployment per GPU node that plans the internal model, models no
node plans are not offered, fallbacks only to offered models, errors name the variable."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils import gateway as gw
from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import host_address

NODES = [
    {"name": "gpu-2", "url": "http://10.0.2.12:11434", "models": ["qwen2.5:7b", "nomic-embed-text"]},
    {"name": "gpu-1", "url": "http://10.0.2.11:11434", "models": ["qwen2.5:7b", "deepseek-r1:70b"]},
]
MAPPING = {
    "poweron-text-general": "qwen2.5:7b",
    "poweron-reasoning": "deepseek-r1:70b",
    "poweron-embed": {"model": "nomic-embed-text:latest", "mode": "embedding"},
    "poweron-vision": "qwen2.5vl:7b",
}


def test_one_deployment_per_node_that_plans_the_model():
    result = gw.model_groups(MAPPING, NODES)
    general = [e for e in result["model_list"] if e["model_name"] == "poweron-text-general"]
    assert [e["litellm_params"]["api_base"] for e in general] == ["http://10.0.2.11:11434", "http://10.0.2.12:11434"]
    assert general[0]["litellm_params"]["model"] == "ollama_chat/qwen2.5:7b"
    assert general[0]["model_info"] == {"id": "poweron-text-general@gpu-1", "mode": "chat"}
    assert result["offered"] == {"poweron-text-general": ["gpu-1", "gpu-2"], "poweron-reasoning": ["gpu-1"],
                                 "poweron-embed": ["gpu-2"]}


def test_the_internal_name_is_matched_by_ollamas_normalised_key():
    embed = [e for e in gw.model_groups(MAPPING, NODES)["model_list"] if e["model_name"] == "poweron-embed"]
    # Mapped as nomic-embed-text:latest, planned as nomic-embed-text: the node's name is used.
    assert embed == [{"model_name": "poweron-embed",
                      "litellm_params": {"model": "ollama/nomic-embed-text", "api_base": "http://10.0.2.12:11434"},
                      "model_info": {"id": "poweron-embed@gpu-2", "mode": "embedding"}}]


def test_a_model_no_node_plans_is_not_offered():
    result = gw.model_groups(MAPPING, NODES)
    assert "poweron-vision" not in {e["model_name"] for e in result["model_list"]}
    assert result["not_offered"] == {"poweron-vision": "no GPU node plans qwen2.5vl:7b in ollama_models"}


def test_fallbacks_keep_only_offered_targets():
    result = gw.model_groups(MAPPING, NODES, {"poweron-reasoning": ["poweron-vision", "poweron-text-general"],
                                              "poweron-vision": ["poweron-text-general"]})
    assert result["fallbacks"] == [{"poweron-reasoning": ["poweron-text-general"]}]


@pytest.mark.parametrize("mapping, fallbacks, message", [
    ({"x": "Not A Model!"}, None, r"platform_model_mapping: x -> 'Not A Model!' is not a valid Ollama model name"),
    ({"x": {"model": "qwen2.5:7b", "mode": "rerank"}}, None, "x: mode must be one of chat, embedding"),
    ("qwen2.5:7b", None, "must be a dict"),
    (MAPPING, {"nope": ["poweron-embed"]}, "platform_model_fallbacks: 'nope' is not an external name"),
    (MAPPING, {"poweron-reasoning": "poweron-text-general"}, "must be a list of external names"),
    (MAPPING, {"poweron-reasoning": ["gpt-4"]}, r"poweron-reasoning -> 'gpt-4' is not an external name"),
    (MAPPING, {"poweron-reasoning": ["poweron-reasoning"]}, "falls back to itself"),
])
def test_bad_input_names_the_variable_and_the_entry(mapping, fallbacks, message):
    with pytest.raises(gw.GatewayError, match=message):
        gw.model_groups(mapping, NODES, fallbacks)


def test_gpu_nodes_from_inventory_variables():
    hosts = {"gpu-1": {"ansible_host": "10.0.2.11", "ollama_models": [{"name": "qwen2.5:7b", "num_ctx": 8192}]},
             "gpu-2": {"platform_address": "fd00::2", "ollama_port": 11500, "ollama_models": [{"name": "llama3.1:8b"}]}}
    nodes = gw.gpu_nodes(hosts, ["gpu-1", "gpu-2"], host_address)
    assert nodes == [{"name": "gpu-1", "url": "http://10.0.2.11:11434", "models": ["qwen2.5:7b"]},
                     {"name": "gpu-2", "url": "http://[fd00::2]:11500", "models": ["llama3.1:8b"]}]
    with pytest.raises(gw.GatewayError, match="host gpu-3: no internal address"):
        gw.gpu_nodes({"gpu-3": {"ansible_host": "gpu-3.example"}}, ["gpu-3"], host_address)


def test_the_filter_reads_the_gpu_nodes_of_the_inventory():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.foundrycloud.platform.plugins.filter.gateway_model_groups import gateway_model_groups
    hostvars = {"gpu-1": {"ansible_host": "10.0.2.11", "ollama_models": [{"name": "qwen2.5:7b"}]},
                "core-1": {"ansible_host": "10.0.1.10", "ollama_models": [{"name": "deepseek-r1:70b"}]}}
    groups = {"gpu_nodes": ["gpu-1"], "central": ["core-1"]}
    result = gateway_model_groups(hostvars, groups, MAPPING, {"poweron-reasoning": ["poweron-text-general"]})
    assert result["offered"] == {"poweron-text-general": ["gpu-1"]}   # core-1 is no GPU node
    assert result["fallbacks"] == []                                    # poweron-reasoning is not offered
    with pytest.raises(AnsibleFilterError, match="gateway_model_groups: platform_model_mapping"):
        gateway_model_groups(hostvars, groups, {"x": "Bad Name!"})
