# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Look first, then change: a cloud that holds exactly the plan needs no module call, and each
single difference (an edited inventory, a change by hand) brings back exactly the module call
for that object. The cloud below is written the way Neutron, Nova and Keystone report objects
after the openstack.cloud modules created them."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack import changes as oc
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.found_state import found_state
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import network_plan, rules_with_ids
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.workspace_plan import workspace_plan as plan_workspace_vms

DATA = {
    "projects": [
        {"name": "svc", "description": "services", "quotas": {"instances": 10, "cores": 40, "networks": 4},
         "members": [{"user": "admin", "role": "member"}, {"user": "old", "role": "member", "state": "absent"}]},
        {"name": "ws"},
    ],
    "networks": [
        {"name": "svc-net", "project": "svc", "router": "rt", "mtu": 1450,
         "subnets": [{"cidr": "10.20.10.0/24", "allocation_pools": [{"start": "10.20.10.100", "end": "10.20.10.200"}]}]},
        {"name": "ws-net", "project": "ws", "router": "rt",
         "subnets": [{"cidr": "10.20.5.0/24", "dns_nameservers": ["10.20.10.53", "10.20.10.54"]}]},
    ],
    "routers": [{"name": "rt", "project": "svc"}],
    "security_groups": [
        {"name": "central", "project": "svc", "description": "central services",
         "rules": [{"port": 22, "remote_ip_prefix": "10.20.0.0/24"},
                   {"protocol": ["udp", "tcp"], "port": 53, "remote_network": "ws-net"}]},
        {"name": "workspace", "project": "ws", "egress": False,
         "rules": [{"protocol": "icmp", "remote_group": "workspace"}, {"port": 3389, "remote_network": "svc-net"}]},
    ],
    "floating_ips": [{"name": "desk", "project": "ws", "server": "ws-alice"}],
    "external_network": "public",
    "dns_nameservers": ["10.20.10.53"],
    "domain": "default",
}
IDS = {"svc": "p-svc", "ws": "p-ws"}


def neutron_rule(rule, group, number):
    return {"id": "%s-r%d" % (group["id"], number), "direction": rule["direction"], "ethertype": rule.get("ether_type", "IPv4"),
            "protocol": rule.get("protocol"), "port_range_min": rule.get("port_range_min"),
            "port_range_max": rule.get("port_range_max"), "remote_ip_prefix": rule.get("remote_ip_prefix"),
            "remote_group_id": rule.get("remote_group"), "description": rule.get("description"),
            "project_id": group["project_id"], "security_group_id": group["id"]}


def cloud_holding(plan):
    """What the cloud reports once the modules applied the plan."""
    projects = [{"id": IDS[p["name"]], "name": p["name"], "domain_id": "default", "is_enabled": True,
                 "description": p["description"] or ""} for p in plan["projects"]]
    projects.append({"id": "p-admin", "name": "admin", "domain_id": "default", "is_enabled": True, "description": ""})
    networks = [{"id": "n-public", "name": "public", "project_id": "p-admin", "is_router_external": True, "is_shared": False,
                 "mtu": 1500, "is_port_security_enabled": True}]
    for n in plan["networks"]:
        networks.append({"id": "n-" + n["name"], "name": n["name"], "project_id": IDS[n["project"]], "is_shared": False,
                         "is_router_external": False, "mtu": n["mtu"] or 1500, "is_port_security_enabled": True,
                         "provider_network_type": "vxlan", "dns_domain": None})
    subnets = []
    for s in plan["subnets"]:
        subnets.append({"id": "s-" + s["name"], "name": s["name"], "project_id": IDS[s["project"]],
                        "network_id": "n-" + s["network"], "cidr": s["cidr"], "ip_version": s["ip_version"],
                        "is_dhcp_enabled": True, "gateway_ip": s["cidr"].rsplit(".", 1)[0] + ".1", "description": "",
                        "ipv6_ra_mode": None, "ipv6_address_mode": None,
                        "dns_nameservers": list(reversed(s["dns_nameservers"])),   # the module compares them sorted
                        "allocation_pools": s["allocation_pools"] or [{"start": s["cidr"].rsplit(".", 1)[0] + ".2",
                                                                       "end": s["cidr"].rsplit(".", 1)[0] + ".254"}],
                        "host_routes": []})
    routers = [{"id": "r-rt", "name": "rt", "project_id": "p-svc",
                "external_gateway_info": {"network_id": "n-public", "enable_snat": True, "external_fixed_ips": []}}]
    router_ports = [{"id": "rp-" + s["name"], "device_id": "r-rt", "fixed_ips": [{"subnet_id": "s-" + s["name"]}]}
                    for s in plan["subnets"]]
    groups = []
    group_ids = dict((g["name"], "g-" + g["name"]) for g in plan["security_groups"])
    for g in plan["security_groups"]:
        group = {"id": group_ids[g["name"]], "name": g["name"], "project_id": IDS[g["project"]],
                 "description": g["description"], "stateful": True}
        rules = rules_with_ids(g["rules"], group_ids)
        group["security_group_rules"] = [neutron_rule(r, group, i) for i, r in enumerate(rules)]
        groups.append(group)
    servers = [{"id": "v-alice", "name": "ws-alice", "project_id": "p-ws", "status": "ACTIVE"}]
    ports = [{"id": "port-alice", "name": "ws-alice-port", "project_id": "p-ws", "device_id": "v-alice",
              "network_id": "n-ws-net", "fixed_ips": [{"subnet_id": "s-ws-net-v4", "ip_address": "10.20.5.11"}]}]
    ips = [{"id": "fip-1", "project_id": "p-ws", "floating_network_id": "n-public", "description": "endpoint desk",
            "floating_ip_address": "203.0.113.7", "port_id": "port-alice", "fixed_ip_address": "10.20.5.11"}]
    return {
        "domains": [{"id": "default", "name": "Default"}],
        "projects": projects, "networks": networks, "subnets": subnets, "routers": routers, "router_ports": router_ports,
        "security_groups": groups, "servers": servers, "ports": ports, "floating_ips": ips,
        "role_assignments": [{"project_id": "p-svc", "user_id": "u-admin", "user": "admin", "user_domain_id": "default",
                              "user_domain": "Default", "role_id": "r-member", "role": "member"}],
        "quotas": {"p-svc": {"compute": {"instances": 10, "cores": 40, "ram": 51200, "networks": -1},
                             "network": {"networks": 4, "subnets": 100}}},
    }


def plan():
    result = network_plan(copy.deepcopy(DATA))
    assert result["problems"] == []
    return result


def changes(the_plan, state):
    found = found_state(state["projects"], state["networks"], state["subnets"], state["routers"],
                        state["router_ports"], state["security_groups"])
    result = oc.network_changes(the_plan, state, found)
    result.update(oc.floating_ip_changes(the_plan, state, found))
    return result


def names(result):
    """The kinds with module calls, and the names of their objects."""
    return dict((kind, sorted(i.get("name") or "%s:%s" % (i.get("project"), i.get("user")) for i in items))
                for kind, items in result.items() if kind != "floating_addresses" and items)


def test_a_cloud_that_holds_the_plan_needs_no_module_call():
    the_plan = plan()
    result = changes(the_plan, cloud_holding(the_plan))
    assert names(result) == {}
    assert result["floating_addresses"] == {"desk": "203.0.113.7"}


def test_an_empty_cloud_needs_every_module_call():
    the_plan = plan()
    state = {"domains": [], "projects": [], "networks": [], "subnets": [], "routers": [], "router_ports": [],
             "security_groups": [], "servers": [], "ports": [], "floating_ips": [], "role_assignments": [], "quotas": {}}
    assert names(changes(the_plan, state)) == {
        "projects": ["svc", "ws"], "members": ["svc:admin"], "quotas": ["svc"],
        "networks": ["svc-net", "ws-net"], "subnets": ["svc-net-v4", "ws-net-v4"], "routers": ["rt"],
        "security_groups": ["central", "workspace"], "security_group_rules": ["central", "workspace"],
        "floating_ips": ["desk"]}


def edit(path, value):
    def apply(state):
        target = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


@pytest.mark.parametrize("change, expected", [
    (edit(("projects", 0, "description"), "by hand"), {"projects": ["svc"]}),
    (edit(("projects", 1, "is_enabled"), False), {"projects": ["ws"]}),
    (edit(("role_assignments",), []), {"members": ["svc:admin"]}),
    (lambda s: s["role_assignments"].append(dict(s["role_assignments"][0], user="old", user_id="u-old")),
     {"members": ["svc:old"]}),
    (edit(("quotas", "p-svc", "compute", "cores"), 20), {"quotas": ["svc"]}),
    (edit(("quotas", "p-svc", "network", "networks"), 10), {"quotas": ["svc"]}),
    (edit(("networks", 1, "mtu"), 1500), {"networks": ["svc-net"]}),
    (edit(("subnets", 0, "allocation_pools"), [{"start": "10.20.10.100", "end": "10.20.10.150"}]), {"subnets": ["svc-net-v4"]}),
    (edit(("subnets", 1, "dns_nameservers"), ["10.20.10.53"]), {"subnets": ["ws-net-v4"]}),
    (edit(("subnets", 1, "is_dhcp_enabled"), False), {"subnets": ["ws-net-v4"]}),
    (edit(("routers", 0, "external_gateway_info"), None), {"routers": ["rt"]}),
    (lambda s: s["router_ports"].pop(), {"routers": ["rt"]}),
    (edit(("security_groups", 0, "description"), "by hand"), {"security_groups": ["central"]}),
    (lambda s: s["security_groups"][1]["security_group_rules"].pop(), {"security_group_rules": ["workspace"]}),
    (lambda s: s["security_groups"][0]["security_group_rules"].append(
        dict(s["security_groups"][0]["security_group_rules"][0], id="extra", port_range_min=9999, port_range_max=9999)),
     {"security_group_rules": ["central"]}),
    (edit(("security_groups", 0, "security_group_rules", 2, "remote_ip_prefix"), "0.0.0.0/0"),
     {"security_group_rules": ["central"]}),
    (edit(("floating_ips", 0, "port_id"), None), {"floating_ips": ["desk"]}),
    (edit(("floating_ips",), []), {"floating_ips": ["desk"]}),
    (edit(("servers",), []), {"floating_ips": ["desk"]}),
])
def test_each_difference_brings_back_exactly_its_module_call(change, expected):
    the_plan = plan()
    state = cloud_holding(the_plan)
    change(state)
    assert names(changes(the_plan, state)) == expected


@pytest.mark.parametrize("edit_data, expected", [
    (lambda d: d["projects"][0]["quotas"].update(ram=8192), {"quotas": ["svc"]}),
    (lambda d: d["projects"][0]["quotas"].update(backups=3), {"quotas": ["svc"]}),   # no volume service read: the module decides
    (lambda d: d["projects"][1].update(members=[{"user": "bob", "role": "reader"}]), {"members": ["ws:bob"]}),
    (lambda d: d["networks"][0].update(mtu=9000), {"networks": ["svc-net"]}),
    (lambda d: d["networks"][1]["subnets"][0].update(gateway_ip="10.20.5.254"), {"subnets": ["ws-net-v4"]}),
    (lambda d: d["networks"][1]["subnets"][0].update(no_gateway=True), {"subnets": ["ws-net-v4"]}),
    (lambda d: d["routers"][0].update(enable_snat=False), {"routers": ["rt"]}),
    (lambda d: d["security_groups"][0]["rules"].append({"port": 443, "remote_ip_prefix": "0.0.0.0/0"}),
     {"security_group_rules": ["central"]}),
    (lambda d: d["security_groups"][1].update(description="edited"), {"security_groups": ["workspace"]}),
    (lambda d: d["floating_ips"][0].update(fixed_address="10.20.5.12"), {"floating_ips": ["desk"]}),
])
def test_an_edited_inventory_brings_back_the_module_call(edit_data, expected):
    state = cloud_holding(plan())
    data = copy.deepcopy(DATA)
    edit_data(data)
    edited = network_plan(data)
    assert edited["problems"] == []
    assert names(changes(edited, state)) == expected


def test_absent_objects_are_not_compared_here():
    data = copy.deepcopy(DATA)
    data["networks"][1]["state"] = "absent"
    data["routers"][0]["state"] = "absent"
    data["networks"][0]["router"] = None
    data["networks"][1]["router"] = None
    data["security_groups"][0]["rules"].pop()
    edited = network_plan(data)
    assert edited["problems"] == []
    result = names(changes(edited, cloud_holding(plan())))
    assert "networks" not in result and "routers" not in result and "subnets" not in result
    assert result == {"security_group_rules": ["central"]}


def test_an_egress_any_rule_matches_whatever_address_neutron_shows_as_the_module_does():
    the_plan = plan()
    state = cloud_holding(the_plan)
    assert state["security_groups"][0]["security_group_rules"][0]["description"] == "egress any IPv4"
    state["security_groups"][0]["security_group_rules"][0]["remote_ip_prefix"] = "0.0.0.0/0"
    assert names(changes(the_plan, state)) == {}


def test_rule_matching_follows_the_security_group_module():
    group = {"id": "g1", "project_id": "p1"}
    any_tcp = oc.rule_prototype({"direction": "ingress", "protocol": "tcp", "port_range_min": 1,
                                 "port_range_max": 65535, "ether_type": "IPv4"}, group)
    neutron = {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": None,
               "port_range_max": None, "project_id": "p1", "security_group_id": "g1"}
    assert oc.rule_matches(any_tcp, neutron)
    assert not oc.rule_matches(any_tcp, dict(neutron, port_range_min=22, port_range_max=22))
    assert not oc.rule_matches(any_tcp, dict(neutron, ethertype="IPv6"))
    icmp_any = oc.rule_prototype({"direction": "ingress", "protocol": "icmp", "port_range_min": -1}, group)
    assert "port_range_min" not in icmp_any
    any_protocol = oc.rule_prototype({"direction": "egress", "protocol": "any", "port_range_min": 5}, group)
    assert "protocol" not in any_protocol and "port_range_min" not in any_protocol


def test_two_rules_that_match_one_neutron_rule_keep_the_module_call():
    group = {"id": "g1", "project_id": "p1", "security_group_rules": [
        {"id": "a", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "project_id": "p1", "security_group_id": "g1", "description": None},
        {"id": "b", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "project_id": "p1", "security_group_id": "g1", "description": None}]}
    assert oc.rules_differ([{"direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}], group)


# --- workspace VMs ------------------------------------------------------------------------

USERS = [{"user": "alice", "network": "ws-net", "fixed_ip": "10.20.5.11"},
         {"user": "bob", "network": "ws-net"},
         {"user": "carol", "state": "absent"}]
DEFAULTS = {"project": "ws", "flavor": "m1.small", "image": "debian", "network": "ws-net", "security_groups": ["workspace"],
            "keypair": None, "volume_size": 0, "availability_zone": None, "name_format": "ws-{user}",
            "metadata": {"env": "test"}, "customer": "acme"}
NETWORK_DATA = [{"name": "ws-net", "project": "ws", "subnets": [{"cidr": "10.20.5.0/24"}]}]


def workspace_plan():
    result = plan_workspace_vms(copy.deepcopy(USERS), dict(DEFAULTS), networks=NETWORK_DATA)
    assert result["problems"] == []
    return result


def vm_cloud():
    def port(user, ip, network="n-ws"):
        return {"id": "port-" + user, "name": "ws-%s-port" % user, "project_id": "p-ws", "network_id": network,
                "description": "workspace VM of " + user, "security_group_ids": ["g-ws"],
                "fixed_ips": [{"subnet_id": "s-ws", "ip_address": ip}]}

    def server(user):
        return {"id": "v-" + user, "name": "ws-" + user, "project_id": "p-ws", "status": "ACTIVE", "tags": [],
                "metadata": {"env": "test", "customer": "acme", "user": user}, "flavor": {"original_name": "m1.small"},
                "security_groups": [{"name": "workspace"}], "attached_volumes": [{"id": "vol-" + user}]}
    return {
        "networks": [{"id": "n-ws", "name": "ws-net"}, {"id": "n-other", "name": "other-net"}],
        "subnets": [{"id": "s-ws", "name": "ws-net-v4", "network_id": "n-ws"}],
        "security_groups": [{"id": "g-ws", "name": "workspace", "project_id": "p-ws"},
                            {"id": "g-x", "name": "workspace", "project_id": "p-other"}],
        "ports": [port("alice", "10.20.5.11"), port("bob", "10.20.5.120"), port("carol", "10.20.9.5", network="n-other")],
        "servers": [server("alice"), server("bob"), server("carol")],
    }


def lookup(state):
    return oc.workspace_lookup(workspace_plan(), state, {"ws": "p-ws"})


def test_vms_in_place_need_no_port_or_server_call():
    result = lookup(vm_cloud())
    for name in ("ws-alice", "ws-bob"):
        assert (result[name]["port_changes"], result[name]["server_changes"]) == (False, False), name
        assert result[name]["network_id"] == "n-ws" and result[name]["group_ids"] == {"workspace": "g-ws"}
    assert result["ws-alice"]["subnet_id"] == "s-ws" and result["ws-alice"]["subnet_count"] == 1
    # carol is absent; her port is on another network than the default: a removal still finds it
    assert result["ws-carol"]["project_port_count"] == 1 and result["ws-carol"]["server_count"] == 1


@pytest.mark.parametrize("change, port, server", [
    (lambda s: s["ports"][0].update(security_group_ids=[]), True, False),
    (lambda s: s["ports"][0].update(fixed_ips=[{"subnet_id": "s-ws", "ip_address": "10.20.5.99"}]), True, False),
    (lambda s: s["ports"][0].update(description="by hand"), True, False),
    (lambda s: s["ports"].pop(0), True, False),
    (lambda s: s["servers"][0]["metadata"].update(env="prod"), False, True),
    (lambda s: s["servers"][0]["metadata"].update(extra="x"), False, True),
    (lambda s: s["servers"][0].update(security_groups=[]), False, True),
    (lambda s: s["servers"][0].update(status="ERROR"), False, True),
    (lambda s: s["servers"][0].update(tags=["x"]), False, True),
    (lambda s: s["servers"].append(dict(s["servers"][0], id="v-alice-2")), False, True),   # two of that name
    (lambda s: s["servers"].pop(0), False, True),
])
def test_a_difference_of_alice_brings_back_her_call_only(change, port, server):
    state = vm_cloud()
    change(state)
    result = lookup(state)
    assert (result["ws-alice"]["port_changes"], result["ws-alice"]["server_changes"]) == (port, server)
    assert (result["ws-bob"]["port_changes"], result["ws-bob"]["server_changes"]) == (False, False)


def test_an_edited_user_brings_back_the_calls():
    users = copy.deepcopy(USERS)
    users[0]["metadata"] = {"team": "research"}
    users[1]["security_groups"] = ["workspace", "extra"]
    edited = plan_workspace_vms(users, dict(DEFAULTS), networks=NETWORK_DATA)
    result = oc.workspace_lookup(edited, vm_cloud(), {"ws": "p-ws"})
    assert result["ws-alice"]["server_changes"] and not result["ws-alice"]["port_changes"]
    assert result["ws-bob"]["port_changes"] and result["ws-bob"]["server_changes"]
    assert result["ws-bob"]["group_ids"] == {"workspace": "g-ws"}   # extra is missing: the role's check names it


def test_a_network_name_given_twice_is_not_guessed():
    state = vm_cloud()
    state["networks"].append({"id": "n-ws-2", "name": "ws-net"})
    result = lookup(state)
    assert result["ws-alice"]["network_count"] == 2 and result["ws-alice"]["network_id"] is None
    assert result["ws-alice"]["port_changes"]


def test_keypairs_in_place_need_no_call():
    keypairs = [{"name": "deploy", "state": "present", "public_key": "ssh-ed25519 AAA deploy", "public_key_file": None},
                {"name": "gone", "state": "absent", "public_key": None, "public_key_file": None},
                {"name": "file", "state": "present", "public_key": None, "public_key_file": "/k.pub"}]
    state = {"keypairs": [{"name": "deploy", "public_key": "ssh-ed25519 AAA deploy\n"}, {"name": "file", "public_key": "x"}]}
    assert [k["name"] for k in oc.keypair_changes(keypairs, state)] == ["file"]
    state["keypairs"].append({"name": "gone", "public_key": "y"})
    state["keypairs"][0]["public_key"] = "ssh-ed25519 BBB other"
    assert [k["name"] for k in oc.keypair_changes(keypairs, state)] == ["deploy", "gone", "file"]
