# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack filters as playbooks call them: hostvars, groups, errors as AnsibleFilterError."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter import openstack_network_plan as nf
from ansible_collections.foundrycloud.platform.plugins.filter import openstack_workspace_plan as wf


def test_the_network_plan_reads_addresses_from_hostvars():
    hostvars = {"deploy": {"ansible_host": "10.0.0.5"}, "other": {"platform_address": "10.0.0.6"}}
    groups = {"all": ["deploy", "other"], "deployers": ["deploy"]}
    data = {"projects": [{"name": "p"}],
            "security_groups": [{"name": "g", "project": "p", "rules": [{"port": 22, "remote_hosts": ["deployers", "other"]}]}]}
    result = nf.openstack_network_plan(data, {}, hostvars, groups)
    assert result["problems"] == []
    assert [r.get("remote_ip_prefix") for r in result["security_groups"][0]["rules"]] == [None, None, "10.0.0.5/32", "10.0.0.6/32"]


def test_the_network_plan_wants_a_dict():
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        nf.openstack_network_plan([], {}, {}, {})


def test_connection_errors_are_filter_errors():
    assert nf.openstack_connection("acme", "p1") == {"cloud": "acme", "auth": {"project_id": "p1"}}
    with pytest.raises(AnsibleFilterError, match="openstack_cloud is empty"):
        nf.openstack_connection("")


def test_rules_with_ids_error():
    with pytest.raises(AnsibleFilterError, match="has no ID yet"):
        nf.openstack_rules_with_ids([{"remote_group": "x"}], {})


def test_every_filter_is_registered():
    assert sorted(nf.FilterModule().filters()) == [
        "openstack_check_mode_pending", "openstack_connection", "openstack_endpoint_ports",
        "openstack_floating_ip_changes", "openstack_found_id", "openstack_found_ids", "openstack_found_merge", "openstack_found_state",
        "openstack_id_map", "openstack_network_changes", "openstack_network_plan", "openstack_network_ref_id",
        "openstack_router_interfaces", "openstack_rules_with_ids"]
    assert sorted(wf.FilterModule().filters()) == ["openstack_describe", "openstack_images_found",
                                                   "openstack_images_to_upload", "openstack_keypair_changes",
                                                   "openstack_workspace_lookup", "openstack_workspace_plan"]


def test_workspace_filters():
    result = wf.openstack_workspace_plan([{"user": "alice"}], {"project": "p", "flavor": "f", "image": "i", "network": "n"})
    assert result["problems"] == [] and result["servers"][0]["name"] == "ws-alice"
    assert wf.openstack_describe({"user": "alice"}, "user {user}") == "user alice"
    with pytest.raises(AnsibleFilterError, match="openstack_describe"):
        wf.openstack_describe({}, "user {user}")
    assert wf.openstack_images_found([{"images": [{"name": "b"}, {"name": "a"}]}]) == ["a", "b"]
    with pytest.raises(AnsibleFilterError, match="defaults must be a dict"):
        wf.openstack_workspace_plan([], None)
