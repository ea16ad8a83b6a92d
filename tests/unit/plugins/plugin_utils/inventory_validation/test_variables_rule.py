# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The variable name rules (inventory_validation/variables.py): every name an inventory file sets
is known (with a did-you-mean), and the platform variables match meta/platform_argument_specs.yml."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    load_platform_options,
    validate_option,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.variables import (
    check_platform_variables,
    check_unknown_variables,
    suggestions,
)
from rule_context import REPO_ROOT, FactVars, group_var, host_var, make_context, real_platform_options

ROLES = {"ollama": [], "inference_gateway": []}  # known to the rule whether or not they run anywhere


def unknown(*definitions, hostvars=None):
    return check_unknown_variables(make_context(hostvars or {"gpu-1": {}}, role_hosts=ROLES, files=list(definitions),
                                                roles={"site_role": {"site_role_only_default": 1}}))


# --------------------------------------------------------------------------------------
# Unknown variable names
# --------------------------------------------------------------------------------------


def test_typo_is_refused_with_the_nearest_name_and_its_place():
    assert unknown(group_var("gpu_nodes", "ollama_prot", 1, "group_vars/gpu_nodes.yml", 3)) == [
        "group gpu_nodes: ollama_prot: unknown variable; did you mean ollama_port? (group_vars/gpu_nodes.yml:3)"]


def test_host_scope_and_two_suggestions():
    assert unknown(host_var("gpu-1", "ollama_model", [], line=7)) == [
        "host gpu-1: ollama_model: unknown variable; did you mean ollama_models or ollama_models_dir? "
        "(host_vars/gpu-1.yml:7)"]


def test_near_miss_without_the_role_prefix():
    assert unknown(group_var("all", "gateway_api_keys", [])) == [
        "group all: gateway_api_keys: unknown variable; did you mean inference_gateway_api_keys? (group_vars/all.yml:1)"]


def test_name_like_nothing_known():
    assert unknown(group_var("all", "colour_scheme", "dark")) == [
        "group all: colour_scheme: unknown variable; no role or platform variable of that name (group_vars/all.yml:1)"]


def test_known_and_customer_owned_names_pass():
    assert unknown(
        group_var("all", "ollama_port", 11434),  # a role option
        group_var("all", "site_role_only_default", 2),  # a name only in a role's defaults
        group_var("all", "platform_dns_zone", "corp.internal"),  # a platform variable
        group_var("all", "ansible_user", "deploy"),
        group_var("all", "ansible_anything_new", 1),
        group_var("all", "vault_openstack_password", "x"),
        group_var("all", "site_backup_hour", 3),
        host_var("gpu-1", "environment", {}),  # a playbook keyword Ansible reserves
    ) == []


def test_platform_extra_variables_of_any_host_are_accepted():
    hostvars = {"gpu-1": {"platform_extra_variables": ["backup_target"]}, "gpu-2": {"platform_extra_variables": "x"}}
    assert unknown(group_var("all", "backup_target", "/srv"), hostvars=hostvars) == []
    assert unknown(group_var("all", "x", 1), hostvars=hostvars) != []  # a string is not a list of names


def test_suggestions():
    known = {"inference_gateway_api_keys", "ollama_port", "ollama_ports_extra", "dns_server_forwarders"}
    assert suggestions("gateway_api_keys", known) == ["inference_gateway_api_keys"]
    assert suggestions("ollama_prot", known) == ["ollama_port"]
    assert suggestions("forwarders", known) == ["dns_server_forwarders"]
    assert suggestions("unrelated", known) == []
    assert len(suggestions("ollama_port_", known, limit=1)) == 1


# --------------------------------------------------------------------------------------
# Platform variables against meta/platform_argument_specs.yml
# --------------------------------------------------------------------------------------


def platform(**values):
    return check_platform_variables(make_context({"central-1": values}))


@pytest.mark.parametrize(("value", "problem"), [
    (["10.0.0.1/8"], "10.0.0.1/8 has host bits set; the network is 10.0.0.0/8"),
    (["10.0.0.0/8", "dmz"], "'dmz' is not a network in CIDR notation (e.g. 10.20.0.0/16)"),
    ("10.0.0.0/8", "must be a list of CIDRs, got '10.0.0.0/8'"),
])
def test_internal_networks(value, problem):
    assert platform(platform_internal_networks=value) == ["host central-1: platform_internal_networks: " + problem]


def test_value_against_the_spec():
    errors = platform(platform_secrets_allow_plaintext="maybe")
    assert len(errors) == 1
    assert errors[0].startswith("host central-1: platform_secrets_allow_plaintext: argument "
                                "'platform_secrets_allow_plaintext' is of type str and we were unable to convert to bool")


def test_good_unset_and_unevaluable_values_pass():
    assert platform(platform_internal_networks=["10.0.0.0/16", "fd00::/64"], platform_dns_zone="corp.internal",
                    platform_extra_groups=["backup"]) == []
    assert platform() == []
    hostvars = {"central-1": FactVars({}, {"platform_internal_networks"})}
    assert check_platform_variables(make_context(hostvars)) == []


def test_no_platform_spec_checks_nothing():
    ctx = make_context({"central-1": {"platform_internal_networks": ["10.0.0.1/8"]}}, platform_options={})
    assert check_platform_variables(ctx) == []


def test_load_platform_options_merges_every_spec(tmp_path):
    errors: list = []
    options = load_platform_options(str(REPO_ROOT), errors)
    assert errors == []
    assert options["platform_internal_networks"]["type"] == "list"
    assert "lab_name" in options  # the second spec of the file
    assert load_platform_options(str(tmp_path), errors) == {} and errors == []  # no meta/ file: nothing to check

    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "platform_argument_specs.yml").write_text("argument_specs: [\n")
    assert load_platform_options(str(tmp_path), errors) == {}
    assert len(errors) == 1
    assert errors[0].startswith("platform spec %s: invalid YAML: " % (tmp_path / "meta" / "platform_argument_specs.yml"))


@pytest.mark.parametrize("name", sorted(real_platform_options()))
def test_every_platform_default_passes_its_own_spec(name):
    spec = real_platform_options()[name]
    assert spec.get("description"), name
    if "default" in spec:
        assert validate_option(name, spec, spec["default"]) == []
