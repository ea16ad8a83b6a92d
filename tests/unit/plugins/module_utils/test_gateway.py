# -*- coding: utf-8 -*-
"""Gateway model groups: one deployment per GPU node that plans the internal model, models no
node plans are not offered, fallbacks only to offered models, errors name the variable."""

from __future__ import annotations

import hashlib
import re

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


def test_costs_of_a_mapping_entry_price_every_deployment_of_its_group():
    mapping = {"general": {"model": "qwen2.5:7b", "input_cost_per_token": 0.000001, "output_cost_per_token": 2e-6}}
    deployments = gw.model_groups(mapping, NODES)["model_list"]
    assert [d["litellm_params"]["input_cost_per_token"] for d in deployments] == [0.000001, 0.000001]
    assert all(d["litellm_params"]["output_cost_per_token"] == 2e-6 for d in deployments)


@pytest.mark.parametrize("entry, message", [
    ({"model": "qwen2.5:7b", "input_cost_per_token": -1}, "input_cost_per_token must be a number >= 0"),
    ({"model": "qwen2.5:7b", "output_cost_per_token": "cheap"}, "output_cost_per_token must be a number >= 0"),
    ({"model": "qwen2.5:7b", "price": 1}, "unknown keys price"),
])
def test_bad_costs_name_the_external_model_and_the_field(entry, message):
    with pytest.raises(gw.GatewayError, match="platform_model_mapping: general: " + message):
        gw.model_groups({"general": entry}, NODES)


KEYS = [
    {"name": "alice", "team": "research", "rpm": 60, "tpm": 50000},
    {"name": "n8n-flows", "kind": "tool", "models": ["poweron-text-general"], "max_budget": 25, "budget_period_days": 30},
    {"name": "mallory", "state": "absent"},
    {"name": "ci", "kind": "tool", "value": "operator-chosen-key-of-enough-length"},
]


def test_key_file_entries_hold_hashes_and_limits_of_present_keys_only():
    values = {"alice": "secret-alice-" + "x" * 30, "n8n-flows": "secret-n8n-" + "y" * 30, "mallory": "m" * 40}
    assert gw.check_api_keys(KEYS, MAPPING) == []
    entries = gw.key_file_entries(KEYS, values)
    assert [e["name"] for e in entries] == ["alice", "ci", "n8n-flows"]   # mallory is revoked
    alice = entries[0]
    assert alice["sha256"] == hashlib.sha256(values["alice"].encode()).hexdigest()
    assert (alice["rpm"], alice["tpm"], alice["team"], alice["kind"], alice["budget_period_days"]) == (60, 50000, "research", "user", 30)
    # The operator's own value wins over a kept secret, and no entry holds a key in clear.
    assert entries[1]["sha256"] == hashlib.sha256(b"operator-chosen-key-of-enough-length").hexdigest()
    assert not any(v in str(entries) for v in values.values())
    assert entries[2]["models"] == ["poweron-text-general"] and entries[2]["max_budget"] == 25


@pytest.mark.parametrize("keys, message", [
    ("alice", "inference_gateway_api_keys must be a list"),
    ([{"name": "Alice"}], r"inference_gateway_api_keys\[0\]: name must be lower-case"),
    ([{"name": "a"}, {"name": "a"}], r"\[1\] \(a\): the name is used twice"),
    ([{"name": "a", "rpm": 0}], r"\(a\): rpm must be a whole number > 0"),
    ([{"name": "a", "tpm": "many"}], r"\(a\): tpm must be a whole number > 0"),
    ([{"name": "a", "max_budget": -5}], r"\(a\): max_budget must be a number >= 0"),
    ([{"name": "a", "kind": "robot"}], r"\(a\): kind must be one of user, team, tool"),
    ([{"name": "a", "models": ["gpt-4"]}], r"\(a\): model 'gpt-4' is not an external name of platform_model_mapping"),
    ([{"name": "a", "value": "short"}], r"\(a\): value .* at least 24 characters"),
    ([{"name": "a", "rate": 5}], r"\(a\): unknown fields rate"),
])
def test_bad_keys_are_named_with_entry_and_field(keys, message):
    errors = gw.check_api_keys(keys, MAPPING)
    assert any(re.search(message, error) for error in errors), errors


def test_a_present_key_without_any_value_is_an_error():
    with pytest.raises(gw.GatewayError, match=r"\(alice\): no key value"):
        gw.key_file_entries([{"name": "alice"}], {})


def test_default_limits_apply_to_keys_that_do_not_set_their_own():
    entries = gw.key_file_entries([{"name": "a", "rpm": 5}, {"name": "b"}], {"a": "k" * 30, "b": "l" * 30},
                                  {"rpm": 60, "tpm": 1000, "budget_period_days": 7})
    assert [(e["rpm"], e["tpm"], e["budget_period_days"]) for e in entries] == [(5, 1000, 7), (60, 1000, 7)]


def test_every_workspace_user_gets_a_key_of_kind_user_with_the_workspace_limits():
    keys = [{"name": "ops", "kind": "team", "rpm": 1000}, {"name": "alice", "team": "research", "rpm": 4},
            {"name": "carol", "state": "absent"}]
    result = gw.with_workspace_keys(keys, ["bob", "alice", "carol", "dave"], {"rpm": 10, "models": ["general"]})
    by_name = dict((key["name"], key) for key in result)
    # The inventory's entries win: alice keeps her limits, carol's key stays revoked.
    assert by_name["alice"] == {"name": "alice", "team": "research", "rpm": 4}
    assert by_name["carol"] == {"name": "carol", "state": "absent"}
    assert by_name["bob"] == {"name": "bob", "kind": "user", "rpm": 10, "models": ["general"]}
    assert by_name["dave"]["kind"] == "user" and len(result) == 5
    assert keys[-1]["name"] == "carol"   # the input list is left as it was
    assert gw.check_api_keys(result, {"general": "qwen2.5:7b"}) == []


def test_workspace_key_limits_and_users_are_checked_with_the_variable_named():
    with pytest.raises(gw.GatewayError) as error:
        gw.with_workspace_keys([], ["Alice", "bob"], {"rpm": 5, "burst": 2})
    assert str(error.value).splitlines() == [
        "inference_gateway_workspace_key: unknown fields burst (known: team, models, rpm, tpm, max_budget, budget_period_days)",
        "inference_gateway_workspace_users: 'Alice' cannot name a gateway key (lower-case letters, digits, '.', '_' or '-')",
    ]
    with pytest.raises(gw.GatewayError, match="inference_gateway_workspace_users must be a list"):
        gw.with_workspace_keys([], "alice")
    # A wrong limit value is the keys' own check, naming the generated entry.
    keys = gw.with_workspace_keys([], ["bob"], {"rpm": 0})
    assert gw.check_api_keys(keys, {}) == ["inference_gateway_api_keys[0] (bob): rpm must be a whole number > 0, got 0"]


def test_public_names_are_checked_before_anything_is_ordered():
    services = ["gateway", "n8n", "qdrant"]
    assert gw.public_name_problems({}, services, "localai.internal", False) == []
    assert gw.public_name_problems({"gateway": "llm.acme.example", "n8n": "flows.acme.example"}, services,
                                   "localai.internal", True) == []
    assert gw.public_name_problems({"gitlab": "flows.acme.example", "n8n": "n8n.localai.internal",
                                    "qdrant": "Qdrant", "gateway": "flows.acme.example"}, services, "localai.internal", False) == [
        "inference_gateway_public_names.gitlab: gitlab is not served by the front here (known: gateway, n8n, qdrant)",
        "inference_gateway_public_names.gitlab: flows.acme.example is also the public name of gateway",
        "inference_gateway_public_names.n8n: n8n.localai.internal is in the internal zone localai.internal, whose names "
        "have the internal CA's certificate",
        "inference_gateway_public_names.qdrant: 'Qdrant' is not a DNS name (lower-case, with a dot)",
        "inference_gateway_acme_terms_agreed must be true to order certificates for inference_gateway_public_names "
        "(the ACME CA's terms of service)",
    ]
    assert gw.public_name_problems(["llm.acme.example"], services, "localai.internal", True) == [
        "inference_gateway_public_names must map a service of the front to its public name, got ['llm.acme.example']"]
