# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The group rule (inventory_validation/groups.py): unknown groups, GROUP_CATALOG,
platform_extra_groups and groups named in layer playbooks."""

from __future__ import annotations

import copy

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.groups import GROUP_CATALOG
from inventory_cases import GROUPS, run, with_vars

# --------------------------------------------------------------------------------------
# Check 3: unknown groups
# --------------------------------------------------------------------------------------


def test_unknown_group_is_reported(platform):
    groups = copy.deepcopy(GROUPS)
    groups["storage"] = ["lab-1", "app-2"]
    result = run(platform, groups=groups)
    assert len(result["errors"]) == 1
    error = result["errors"][0]
    assert error.startswith("group storage: unknown group (hosts: app-2, lab-1); known: ")
    assert error.endswith("; add it to platform_extra_groups if it is site-specific")
    known = error.split("; known: ")[1].split(";")[0].split(", ")
    assert set(GROUP_CATALOG) <= set(known)
    assert "app_servers" in known  # named in a layer playbook


def test_empty_unknown_group_is_reported(platform):
    groups = dict(GROUPS, storage=[])
    assert run(platform, groups=groups)["errors"][0].startswith("group storage: unknown group (hosts: none)")


def test_catalog_playbook_and_extra_groups_are_accepted(platform):
    groups = dict(GROUPS, storage=["lab-1"], backup=["app-1"], gpu_nodes=[], ceph_osds=["lab-1"])
    hostvars = with_vars("lab-1", platform_extra_groups=["storage"])
    hostvars["app-1"]["platform_extra_groups"] = ["backup"]  # union over all hosts
    result = run(platform, hostvars, groups)
    assert result["errors"] == []


def test_platform_extra_groups_must_be_a_list(platform):
    groups = dict(GROUPS, storage=["lab-1"])
    result = run(platform, with_vars("lab-1", platform_extra_groups="storage"), groups)
    assert "host lab-1: platform_extra_groups: must be a list of group names, got 'storage'" in result["errors"]
    assert any(error.startswith("group storage: unknown group") for error in result["errors"])


def test_group_catalog_is_complete():
    for group in ("central", "gpu_nodes", "workspace_vms", "docker_hosts", "dns_servers", "gateway",
                  "monitoring", "ceph_mons", "ceph_mgrs", "ceph_osds", "ceph_mdss", "ceph_rgws",
                  "ceph_clients", "openstack_controllers", "lab"):
        assert GROUP_CATALOG[group].strip()


def test_host_named_like_a_catalog_group(platform):
    groups = copy.deepcopy(GROUPS)
    groups["all"].append("gateway")
    groups["gateway"] = ["gateway"]
    assert run(platform, groups=groups)["errors"] == []
