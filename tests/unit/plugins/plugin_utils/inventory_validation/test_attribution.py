# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Problems said where they can be fixed (engine.attribute, engine._effective_definition): per-host
problems folded to one line per place that sets the value, with file and line."""

from __future__ import annotations

from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    _effective_definition,
    attribute,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.role_variables import (
    check_argument_specs,
)
from inventory_cases import HOSTVARS, run
from rule_context import group_var, host_var, make_context

GROUPS = {"gpu_nodes": ["gpu-1", "gpu-2"], "central": ["central-1"]}
GPU_NODES = group_var("gpu_nodes", "ollama_port", 0, "group_vars/gpu_nodes.yml", 3)
PROBLEM = "ollama_port: 0 is not a port (1-65535)"


def fold(errors, *definitions):
    return attribute(make_context({}, groups=GROUPS, files=list(definitions)), errors)


def test_the_same_problem_on_every_host_of_the_group_is_one_line():
    assert fold(["host gpu-1: " + PROBLEM, "host gpu-2: " + PROBLEM], GPU_NODES) == [
        "group gpu_nodes: %s (group_vars/gpu_nodes.yml:3)" % PROBLEM]


def test_only_some_hosts_of_the_group_are_named_with_the_group():
    assert fold(["host gpu-2: " + PROBLEM], GPU_NODES) == [
        "host gpu-2: %s (group_vars/gpu_nodes.yml:3, group gpu_nodes)" % PROBLEM]


def test_a_problem_of_one_list_item_is_folded_with_its_index():
    mounts = group_var("gpu_nodes", "ceph_client_mounts", [{"path": "x"}], "group_vars/gpu_nodes.yml", 19)
    problem = "ceph_client_mounts[0]: needs an absolute path (got 'x')"
    assert fold(["host gpu-1: " + problem, "host gpu-2: " + problem], mounts) == [
        "group gpu_nodes: %s (group_vars/gpu_nodes.yml:19)" % problem]


def test_group_all_is_one_line_even_for_some_hosts():
    definition = group_var("all", "platform_dns_zone", "a..b", "group_vars/all/platform.yml", 8)
    assert fold(["host gpu-1: platform_dns_zone: bad"], definition) == [
        "group all: platform_dns_zone: bad (group_vars/all/platform.yml:8)"]


def test_host_vars_beat_the_inventory_line_and_group_vars():
    definitions = [GPU_NODES, host_var("gpu-1", "ollama_port", 0, "hosts.yml", 12),
                   host_var("gpu-1", "ollama_port", 0, line=2), group_var("all", "ollama_port", 0)]
    assert fold(["host gpu-1: " + PROBLEM, "host gpu-2: " + PROBLEM], *definitions) == [
        "host gpu-1: %s (host_vars/gpu-1.yml:2)" % PROBLEM,
        "host gpu-2: %s (group_vars/gpu_nodes.yml:3, group gpu_nodes)" % PROBLEM,
    ]


def test_effective_definition_follows_ansibles_order():
    small = group_var("gpu_small", "ollama_port", 1)
    ctx = make_context({}, groups=dict(GROUPS, gpu_small=["gpu-1"]), files=[group_var("all", "ollama_port", 2), GPU_NODES, small])
    assert _effective_definition(ctx, "gpu-1", "ollama_port") == small  # the smaller group
    assert _effective_definition(ctx, "gpu-2", "ollama_port") == GPU_NODES
    assert _effective_definition(ctx, "central-1", "ollama_port").name == "all"
    assert _effective_definition(ctx, "central-1", "ollama_models") is None


def test_problems_no_file_explains_stay_as_they_are():
    errors = ["host gpu-1: ollama_models: from a role default", "host gpu-1: port 3389 is used by a and b",
              "file hosts.yml:3: not valid YAML: x", "group storage: unknown group (hosts: none)"]
    assert fold(errors, GPU_NODES) == errors
    assert fold(["host gpu-1: " + PROBLEM]) == ["host gpu-1: " + PROBLEM]  # no files read at all


def test_a_message_that_names_its_place_is_not_given_a_second():
    error = "host gpu-1: ollama_port: 0 is wrong (group_vars/gpu_nodes.yml:3)"
    assert fold([error], GPU_NODES) == [error]


def test_a_value_problem_without_host_is_said_where_the_value_is_set():
    definition = group_var("all", "openstack_network_networks", [], "group_vars/all/openstack.yml", 12)
    error = "openstack_network_networks[tenant]: subnets[0]: cidr is wrong"
    assert fold([error], definition) == [
        "group all: openstack_network_networks[tenant]: subnets[0]: cidr is wrong (group_vars/all/openstack.yml:12)"]
    # set in two places: which one is meant is not known
    assert fold([error], definition, host_var("central-1", "openstack_network_networks", [])) == [error]


# --------------------------------------------------------------------------------------
# Through validate: the inventory's files, also vault-encrypted ones
# --------------------------------------------------------------------------------------


def test_validate_folds_with_the_files_it_reads(platform, tmp_path):
    vault = VaultLib([("default", VaultSecret(b"pw"))])
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "host_vars" / "app-2").mkdir(parents=True)
    (inventory / "hosts.yml").write_text("all:\n  children:\n    app_servers:\n      hosts:\n        app-1:\n        app-2:\n")
    (inventory / "group_vars" / "app_servers.yml").write_text("---\nwebapp_mode: slow\n")
    (inventory / "host_vars" / "app-2" / "vault.yml").write_bytes(vault.encrypt("---\n\nwebapp_mode: slow\n"))
    hostvars = {host: dict(HOSTVARS[host], webapp_mode="slow") for host in ("app-1", "app-2")}
    groups = {"all": ["app-1", "app-2"], "app_servers": ["app-1", "app-2"]}
    problem = "webapp_mode: value of webapp_mode must be one of: fast, safe, got: slow"

    def errors(**kwargs):
        return run(platform, hostvars, groups, rules=[check_argument_specs], inventory_sources=[str(inventory)],
                   **kwargs)["errors"]

    assert errors() == ["group app_servers: %s (group_vars/app_servers.yml:2)" % problem]
    assert errors(decrypt=lambda raw: vault.decrypt(raw).decode()) == [
        "host app-1: %s (group_vars/app_servers.yml:2, group app_servers)" % problem,
        "host app-2: %s (host_vars/app-2/vault.yml:3)" % problem,
    ]
