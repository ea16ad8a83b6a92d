# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validation rule check_gateway: bad keys and mapping entries are refused before any host
changes, naming host, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import validate

REPO_ROOT = Path(__file__).resolve().parents[5]

LAYER = """\
---
- name: Gateway
  hosts: gateway
  roles:
    - foundrycloud.platform.inference_gateway
"""

GROUPS = {"all": ["gw-1", "gpu-1"], "ungrouped": [], "gateway": ["gw-1"], "gpu_nodes": ["gpu-1"]}
MAPPING = {"general": {"model": "qwen2.5:7b", "input_cost_per_token": 0.000001}}


@pytest.fixture
def platform(make_platform):
    root = make_platform(layer=LAYER, docker=None)
    (root / "roles" / "inference_gateway").symlink_to(REPO_ROOT / "roles" / "inference_gateway", target_is_directory=True)
    return root


def run(root, keys, mapping=None):
    hostvars = {"gw-1": {"platform_model_mapping": MAPPING if mapping is None else mapping,
                         "inference_gateway_api_keys": keys},
                "gpu-1": {}}
    return validate(hostvars=hostvars, groups=GROUPS, site_playbook=str(root / "playbooks" / "site.yml"))


def test_good_keys_pass(platform):
    result = run(platform, [{"name": "alice", "rpm": 10, "models": ["general"]}, {"name": "old", "state": "absent"}])
    # (no host runs the ollama role here: check_model_mapping's own report is the only one)
    assert [e for e in result["errors"] if "no host that runs the ollama role" not in e] == []
    assert result["checked"]["inference_gateway"] == ["gw-1"]


def test_bad_keys_and_costs_are_named(platform):
    errors = run(platform, [{"name": "alice", "rpm": -1}, {"name": "bob", "models": ["gpt-4"]}],
                 {"general": {"model": "qwen2.5:7b", "input_cost_per_token": "free"}})["errors"]
    assert "host gw-1: inference_gateway_api_keys[0] (alice): rpm must be a whole number > 0, got -1" in errors
    assert "host gw-1: inference_gateway_api_keys[1] (bob): model 'gpt-4' is not an external name of platform_model_mapping" in errors
    assert any(e.startswith("host gw-1: platform_model_mapping: general: input_cost_per_token must be a number") for e in errors)


def test_public_names_and_workspace_key_limits_are_checked_before_any_host_changes(platform):
    hostvars = {"gw-1": {"platform_model_mapping": MAPPING, "inference_gateway_api_keys": [],
                         "inference_gateway_public_names": {"gateway": "llm.localai.internal", "n8n": "flows.acme.example"},
                         "inference_gateway_workspace_key": {"rpm": 10, "burst": 3}},
                "gpu-1": {}}
    errors = validate(hostvars=hostvars, groups=GROUPS, site_playbook=str(platform / "playbooks" / "site.yml"))["errors"]
    assert ("host gw-1: inference_gateway_public_names.gateway: llm.localai.internal is in the internal zone "
            "localai.internal, whose names have the internal CA's certificate") in errors
    # No central host runs n8n here: the front has no route for it.
    assert ("host gw-1: inference_gateway_public_names.n8n: n8n is not served by the front here (known: gateway)") in errors
    assert ("host gw-1: inference_gateway_acme_terms_agreed must be true to order certificates for "
            "inference_gateway_public_names (the ACME CA's terms of service)") in errors
    assert ("host gw-1: inference_gateway_workspace_key: unknown fields burst (known: team, models, rpm, tpm, "
            "max_budget, budget_period_days)") in errors
