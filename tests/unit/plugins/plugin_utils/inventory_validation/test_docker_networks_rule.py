# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Docker network rule (inventory_validation/docker_networks.py): address pools and bridge
against the customer's networks and the hosts' addresses, also with the real roles/docker_engine."""

from __future__ import annotations

import copy

import yaml

from inventory_cases import GROUPS, HOSTVARS, run, with_vars

# --------------------------------------------------------------------------------------
# Check 4: Docker address pools
# --------------------------------------------------------------------------------------


def test_default_pool_overlapping_internal_network_is_reported(platform):
    result = run(platform, with_vars("central-1", platform_internal_networks=["10.203.4.0/24"]))
    assert result["errors"] == [
        "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) "
        "overlaps platform_internal_networks 10.203.4.0/24"
    ]


def test_host_pool_overlapping_internal_network_is_reported(platform):
    hostvars = with_vars("central-1", docker_engine_default_address_pools=[{"base": "10.0.128.0/17", "size": 24}])
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host central-1: docker_engine_default_address_pools: 10.0.128.0/17 "
        "overlaps platform_internal_networks 10.0.0.0/16"
    ]


def test_pool_containing_any_hosts_address_is_reported(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["app-1"]["ansible_host"] = "10.203.7.9"  # another host
    hostvars["central-1"]["docker_engine_bip"] = "192.168.77.1/24"
    hostvars["lab-1"]["ansible_host"] = "192.168.77.20"
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host central-1: docker_engine_bip: 192.168.77.1/24 (network 192.168.77.0/24) "
        "contains ansible_host 192.168.77.20 of host lab-1",
        "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) "
        "contains ansible_host 10.203.7.9 of host app-1",
    ]


def test_host_named_by_ip_counts_as_address(platform):
    groups = copy.deepcopy(GROUPS)
    groups["all"].append("10.203.1.1")
    groups["lab"].append("10.203.1.1")
    result = run(platform, groups=groups)
    assert result["errors"] == [
        "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) "
        "contains ansible_host 10.203.1.1 of host 10.203.1.1"
    ]


def test_bip_overlapping_internal_network_is_reported(platform):
    result = run(platform, with_vars("central-1", docker_engine_bip="10.0.5.1/24"))
    assert result["errors"] == [
        "host central-1: docker_engine_bip: 10.0.5.1/24 (network 10.0.5.0/24) "
        "overlaps platform_internal_networks 10.0.0.0/16"
    ]


def test_invalid_cidrs_are_reported(platform):
    hostvars = with_vars(
        "central-1",
        platform_internal_networks=["10.0.0.0/33", "192.0.2.0/24"],
        docker_engine_default_address_pools=[{"base": "10.300.0.0/16", "size": 24},
                                             {"base": "172.30.0.0/16", "size": 12}],
        docker_engine_bip="not-an-address",
    )
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host central-1: docker_engine_bip: 'not-an-address' is not a valid address/prefix (e.g. 10.202.0.1/24)",
        "host central-1: docker_engine_default_address_pools: base '10.300.0.0/16' is not a valid CIDR",
        "host central-1: docker_engine_default_address_pools: size 12 does not fit base 172.30.0.0/16 "
        "(must be between 16 and 32)",
        "host central-1: platform_internal_networks: '10.0.0.0/33' is not a valid CIDR",
    ]


def test_internal_networks_must_be_a_list(platform):
    result = run(platform, with_vars("central-1", platform_internal_networks="10.0.0.0/8"))
    assert result["errors"] == [
        "host central-1: platform_internal_networks: must be a list of CIDRs, got '10.0.0.0/8'"
    ]


def test_non_clashing_pools_pass(platform):
    hostvars = with_vars(
        "central-1",
        platform_internal_networks=["10.0.0.0/16", "fd00::/64"],
        docker_engine_default_address_pools=[{"base": "172.31.0.0/16", "size": 24}],
        docker_engine_bip="172.30.0.1/24",
        ansible_host="central.example",  # host names are not addresses
    )
    assert run(platform, hostvars)["errors"] == []


# --------------------------------------------------------------------------------------
# Drift: the real roles/docker_engine
# --------------------------------------------------------------------------------------


def test_real_docker_engine_spec(make_platform, repo_root):
    root = make_platform(docker="real")
    good = copy.deepcopy(HOSTVARS)
    good["central-1"].update(
        docker_engine_source="distro",
        docker_engine_log_max_file="3",
        docker_engine_registry_mirrors=["https://mirror.example"],
        docker_engine_default_address_pools=[{"base": "172.31.0.0/16", "size": 24}],
        docker_engine_bip="172.30.0.1/24",
        docker_engine_daemon_options={"debug": True},
    )
    result = run(root, good)
    assert result["errors"] == []
    assert result["checked"]["docker_engine"] == ["central-1"]

    bad = copy.deepcopy(HOSTVARS)
    bad["central-1"].update(
        platform_internal_networks=["10.203.0.0/24"],  # clashes with the role's default pool
        docker_engine_source="snap",
        docker_engine_compose="maybe",
        docker_engine_insecure_registry=["r:5000"],
        docker_engine_default_address_pools_extra=[],
    )
    errors = run(root, bad)["errors"]
    assert "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) " \
           "overlaps platform_internal_networks 10.203.0.0/24" in errors
    assert "host central-1: docker_engine_source: value of docker_engine_source must be one of: upstream, " \
           "distro, got: snap" in errors
    assert any(error.startswith("host central-1: docker_engine_compose: ") for error in errors)
    assert "host central-1: docker_engine_insecure_registry: unknown variable for role docker_engine (typo?)" \
        in errors
    assert "host central-1: docker_engine_default_address_pools_extra: unknown variable for role " \
           "docker_engine (typo?)" in errors
    assert len(errors) == 5, errors


def test_real_docker_engine_default_pool_is_literal(repo_root):
    """The address-pool rule falls back to this literal default (spec/defaults agreement for
    every role: tests/unit/roles/test_role_contracts.py)."""
    defaults = yaml.safe_load((repo_root / "roles" / "docker_engine" / "defaults" / "main.yml").read_text())
    assert defaults["docker_engine_default_address_pools"][0]["base"]
