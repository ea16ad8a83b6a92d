# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cloud holds (openstack/found_state.py): IDs by name, router interfaces, what check
mode reports, the ports a floating IP may go to."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.found_state import (
    check_mode_pending,
    endpoint_ports,
    found_id,
    found_ids,
    found_merge,
    found_state,
    network_ref_id,
    router_interfaces,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import network_plan
from openstack_plan_cases import GROUPS, HOSTS, PLACEMENT, data, plan


def cloud():
    return found_state(
        projects=[{"id": "p-svc", "name": "svc"}, {"id": "p-ws", "name": "ws"}, {"id": "p-x", "name": "other"}],
        networks=[{"id": "n-svc", "name": "svc-net", "project_id": "p-svc", "is_shared": False, "mtu": 1450},
                  {"id": "n-pub", "name": "public", "project_id": "p-admin", "is_router_external": True},
                  {"id": "n-x1", "name": "dup", "project_id": "p-x"}, {"id": "n-x2", "name": "dup", "project_id": "p-ws"}],
        subnets=[{"id": "s-svc", "name": "svc-net-v4", "project_id": "p-svc"},
                 {"id": "s-ws", "name": "ws-net-v4", "project_id": "p-ws"},
                 {"id": "s-hand", "name": "by-hand", "project_id": "p-svc"}],
        routers=[{"id": "r-1", "name": "rt", "project_id": "p-svc", "external_gateway_info": {"network_id": "n-pub"}}],
        router_ports=[{"device_id": "r-1", "fixed_ips": [{"subnet_id": "s-svc"}]},
                      {"device_id": "r-1", "fixed_ips": [{"subnet_id": "s-hand"}]}],
        security_groups=[{"id": "g-1", "name": "central", "project_id": "p-svc"}],
    )


def test_found_state_indexes_by_project_and_name():
    found = cloud()
    assert found["projects"]["svc"] == "p-svc"
    assert found["networks"]["p-svc/svc-net"]["id"] == "n-svc"
    assert found["network_ids_by_name"] == {"svc-net": "n-svc", "public": "n-pub"}   # dup is ambiguous
    assert found["routers"]["p-svc/rt"] == {"id": "r-1", "network_id": "n-pub", "subnet_ids": ["s-hand", "s-svc"]}
    assert found_id(found, "security_groups", "svc", "central") == "g-1"
    assert found_id(found, "networks", "svc", "svc-net") == "n-svc"
    assert found_id(found, "networks", "new", "svc-net") is None
    assert found_ids(found, "security_groups", "svc", ["central", "gpu"]) == {"central": "g-1"}
    assert network_ref_id(found, "public") == "n-pub"
    assert network_ref_id(found, "n-x1") == "n-x1"
    assert network_ref_id(found, "dup") is None


def test_found_merge_adds_what_a_module_returned():
    found = found_merge(cloud(), "networks", [{"id": "n-ws", "name": "ws-net", "project_id": "p-ws"}])
    assert found_id(found, "networks", "ws", "ws-net") == "n-ws"
    found = found_merge(found, "projects", [{"id": "p-new", "name": "new"}])
    assert found["projects"]["new"] == "p-new"
    with pytest.raises(ValueError):
        found_merge(found, "ports", [])


def test_router_keeps_interfaces_the_data_does_not_mention():
    router = plan()["routers"][0]
    # svc-net-v4 and ws-net-v4 by ID (the module looks names up in the router's project only),
    # the hand-made interface kept.
    assert router_interfaces(router, cloud()) == ["s-svc", "s-ws", "s-hand"]
    values = data()
    values["networks"][1]["state"] = "absent"
    router = network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)["routers"][0]
    assert router_interfaces(router, cloud()) == ["s-svc", "s-hand"]


def test_router_names_a_subnet_the_cloud_does_not_have_yet():
    found = cloud()
    found["subnets"] = {}
    assert router_interfaces(plan()["routers"][0], found) == ["svc-net-v4", "ws-net-v4", "s-hand", "s-svc"]


def test_check_mode_reports_what_the_modules_cannot():
    pending = check_mode_pending(plan(), cloud())
    assert "would attach subnet ws-net-v4 to router rt" in pending
    assert "would create network ws-net in project ws" in pending
    assert "would create subnet ws-net-v4 (10.20.5.0/24) in new network ws-net" in pending
    assert not any("svc-net" in line and "create" in line for line in pending)


def test_check_mode_on_an_empty_cloud():
    pending = check_mode_pending(plan(), found_state([]))
    assert "would set the quotas of new project svc" in pending
    assert "would give admin the role admin in new project svc" in pending
    assert "would create router rt routing svc-net-v4, ws-net-v4" in pending
    assert "would share new network svc-net with project ws" in pending
    assert "would create floating IP guacamole in new project svc" in pending
    assert "would create security group gpu with 3 rule(s) in new project svc" in pending


def test_check_mode_reports_attribute_changes_and_deletions():
    values = data()
    values["networks"][0]["mtu"] = 1400
    values["routers"].append({"name": "old", "project": "svc", "state": "absent"})
    found = cloud()
    found["routers"]["p-svc/old"] = {"id": "r-2", "network_id": None, "subnet_ids": []}
    pending = check_mode_pending(network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS), found)
    assert "would change mtu of network svc-net from 1450 to 1400" in pending
    assert "would delete router old" in pending


def test_check_mode_names_rules_that_refer_to_new_groups():
    found = cloud()
    groups = [{"name": "central", "project": "svc", "rules": [{"port": 22, "remote_group": "jump"}]},
              {"name": "jump", "project": "svc", "rules": []}]
    pending = check_mode_pending(plan(security_groups=groups), found)
    assert "would set the rules of security group central (they refer to new group(s) jump)" in pending


def test_endpoint_ports():
    ports = [{"id": "a", "fixed_ips": [{"ip_address": "10.0.0.5"}]}, {"id": "b", "fixed_ips": [{"ip_address": "10.0.1.5"}]}]
    assert endpoint_ports(ports) == ports
    assert endpoint_ports(ports, "10.0.1.5") == [ports[1]]
