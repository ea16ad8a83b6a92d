# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack layer's data: checks naming variable and entry, defaults, derived security group
rules, what a router keeps, what check mode reports, the connection parameters, the users' VMs."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils import openstack_plan as op
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement as pl
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve

CATALOG = dict((entry["name"], entry) for entry in resolve(registry="docker.io"))
HOSTS = {
    "core-1": {"platform_address": "10.20.10.11", "central_services_enabled": ["qdrant", "langfuse", "guacamole"]},
    "gpu-1": {"ansible_host": "10.20.20.11"},
    "deploy": {"ansible_host": "10.20.0.5"},
}
GROUPS = {"all": ["core-1", "gpu-1", "deploy"], "central": ["core-1"], "gpu_nodes": ["gpu-1"],
          "gateway": ["core-1"], "dns_servers": ["core-1"], "workspace_vms": [], "deployers": ["deploy"]}
PLACEMENT = pl.compute(CATALOG, HOSTS, GROUPS, "localai.internal")


def data(**overrides):
    result = {
        "projects": [
            {"name": "svc", "quotas": {"instances": 10, "cores": 40}, "members": [{"user": "admin", "role": "admin"}]},
            {"name": "ws"},
        ],
        "networks": [
            {"name": "svc-net", "project": "svc", "router": "rt", "share_with": ["ws"],
             "subnets": [{"cidr": "10.20.10.0/24", "allocation_pools": [{"start": "10.20.10.100", "end": "10.20.10.200"}]}]},
            {"name": "ws-net", "project": "ws", "router": "rt", "subnets": [{"cidr": "10.20.5.0/24"}]},
        ],
        "routers": [{"name": "rt", "project": "svc"}],
        "security_groups": [
            {"name": "central", "project": "svc", "rules": [
                {"services_of": "central", "remote_network": ["ws-net", "svc-net"]},
                {"protocol": ["udp", "tcp"], "port": 53, "remote_network": "ws-net"},
                {"port": 22, "remote_hosts": "deployers"},
            ]},
            {"name": "gpu", "project": "svc", "rules": [{"service": "ollama", "remote_service": "gateway"}]},
            {"name": "workspace", "project": "ws", "rules": [
                {"ports": [3389, 5900, 22], "remote_service": "guacamole"},
                {"protocol": "icmp", "remote_group": "workspace"},
            ]},
        ],
        "floating_ips": [{"name": "guacamole", "project": "svc", "server": "core-1"}],
        "external_network": "public",
        "dns_nameservers": PLACEMENT["dns_servers"],
        "domain": "default",
    }
    result.update(overrides)
    return result


def plan(**overrides):
    return op.network_plan(data(**overrides), placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)


def group(result, name):
    return next(g for g in result["security_groups"] if g["name"] == name)


def ingress(rules):
    return sorted((r.get("protocol"), r.get("port_range_min"), r.get("remote_ip_prefix") or r.get("remote_group"))
                  for r in rules if r["direction"] == "ingress")


def test_the_example_data_is_valid_and_expanded():
    result = plan()
    assert result["problems"] == []
    assert [p["name"] for p in result["projects"]] == ["svc", "ws"]
    assert result["projects"][0]["quotas"] == {"instances": 10, "cores": 40}
    assert result["projects"][0]["domain"] == "default"
    subnets = dict((s["name"], s) for s in result["subnets"])
    assert sorted(subnets) == ["svc-net-v4", "ws-net-v4"]
    # The platform DNS (the host of group dns_servers) is every subnet's DNS server by default.
    assert subnets["ws-net-v4"]["dns_nameservers"] == ["10.20.10.11"]
    assert subnets["svc-net-v4"]["allocation_pools"] == [{"start": "10.20.10.100", "end": "10.20.10.200"}]
    router = result["routers"][0]
    assert router["subnets"] == ["svc-net-v4", "ws-net-v4"]
    assert router["subnet_projects"] == {"svc-net-v4": "svc", "ws-net-v4": "ws"}
    assert router["external_network"] == "public"
    assert result["rbac"] == [{"network": "svc-net", "project": "svc", "target_project": "ws", "state": "present"}]


def test_central_group_rules_come_from_the_placement():
    rules = group(plan(), "central")["rules"]
    # Default-deny plus any egress, like Neutron's own default rules but described.
    assert [r for r in rules if r["direction"] == "egress"] == [
        {"direction": "egress", "ether_type": "IPv4", "description": "egress any IPv4"},
        {"direction": "egress", "ether_type": "IPv6", "description": "egress any IPv6"},
    ]
    ports = dict((name, PLACEMENT["services"][name]["port"]) for name in ("qdrant", "langfuse", "guacamole", "gateway"))
    expected = set()
    for port in ports.values():
        expected.add(("tcp", port, "10.20.5.0/24"))
        expected.add(("tcp", port, "10.20.10.0/24"))
    expected |= {("udp", 53, "10.20.5.0/24"), ("tcp", 53, "10.20.5.0/24"), ("tcp", 22, "10.20.0.5/32")}
    assert set(ingress(rules)) == expected
    qdrant = next(r for r in rules if r.get("port_range_min") == 6333 and r["remote_ip_prefix"] == "10.20.5.0/24")
    assert qdrant == {"direction": "ingress", "ether_type": "IPv4", "protocol": "tcp", "port_range_min": 6333,
                      "port_range_max": 6333, "remote_ip_prefix": "10.20.5.0/24",
                      "description": "qdrant tcp/6333 from network ws-net"}


def test_ollama_only_from_the_gateway_hosts():
    assert ingress(group(plan(), "gpu")["rules"]) == [("tcp", 11434, "10.20.10.11/32")]


def test_desktops_from_guacamole_and_a_remote_group():
    rules = group(plan(), "workspace")["rules"]
    assert ingress(rules) == [("icmp", None, "workspace"), ("tcp", 22, "10.20.10.11/32"), ("tcp", 3389, "10.20.10.11/32"),
                              ("tcp", 5900, "10.20.10.11/32")]
    assert group(plan(), "workspace")["remote_groups"] == ["workspace"]
    icmp = next(r for r in rules if r.get("remote_group"))
    assert "port_range_min" not in icmp and icmp["ether_type"] == "IPv4"


def test_the_same_neutron_rule_is_listed_once():
    groups = copy.deepcopy(data()["security_groups"])
    groups[1]["rules"].append({"port": 11434, "remote_ip_prefix": "10.20.10.11/32", "description": "again"})
    rules = group(plan(security_groups=groups), "gpu")["rules"]
    assert ingress(rules) == [("tcp", 11434, "10.20.10.11/32")]


def test_egress_false_leaves_only_listed_egress_rules():
    groups = [{"name": "closed", "project": "ws", "egress": False,
               "rules": [{"direction": "egress", "port": 443, "remote_ip_prefix": "0.0.0.0/0"}]}]
    result = plan(security_groups=groups)
    assert result["problems"] == []
    assert group(result, "closed")["rules"] == [
        {"direction": "egress", "ether_type": "IPv4", "protocol": "tcp", "port_range_min": 443, "port_range_max": 443,
         "remote_ip_prefix": "0.0.0.0/0", "description": "tcp/443 to 0.0.0.0/0"}]


def test_ipv6_prefix_sets_the_ethertype():
    groups = [{"name": "v6", "project": "ws", "rules": [{"port": 22, "remote_ip_prefix": ["2001:db8::/64"]}]}]
    rule = group(plan(security_groups=groups), "v6")["rules"][-1]
    assert rule["ether_type"] == "IPv6" and rule["remote_ip_prefix"] == "2001:db8::/64"


@pytest.mark.parametrize("rule, message", [
    ({"port": 22}, "give exactly one of remote_ip_prefix"),
    ({"port": 22, "remote_ip_prefix": "10.0.0.0/8", "remote_network": "ws-net"}, "give exactly one of remote_ip_prefix"),
    ({"port": 22, "service": "qdrant", "remote_ip_prefix": "10.0.0.0/8"}, "give only one of port"),
    ({"port": 70000, "remote_ip_prefix": "10.0.0.0/8"}, "70000 is not a port"),
    ({"port_range": "90-80", "remote_ip_prefix": "10.0.0.0/8"}, "'90-80' is not a port"),
    ({"port": 22, "protocol": "icmp", "remote_ip_prefix": "10.0.0.0/8"}, "ports need protocol tcp"),
    ({"protocol": "bogus", "remote_ip_prefix": "10.0.0.0/8"}, "protocol 'bogus' is not known"),
    ({"port": 22, "remote_ip_prefix": "10.0.0.5/24"}, "'10.0.0.5/24' is not a CIDR without host bits"),
    ({"port": 22, "remote_network": "nope"}, "remote_network 'nope' is not in openstack_network_networks"),
    ({"port": 22, "remote_hosts": "nope"}, "remote_hosts: 'nope' is neither a group nor a host"),
    ({"port": 22, "remote_service": "searxng"}, "remote_service searxng: no host"),
    ({"service": "nope", "remote_ip_prefix": "10.0.0.0/8"}, "service 'nope' is not in the service catalog"),
    ({"services_of": "workspace_vms", "remote_ip_prefix": "10.0.0.0/8"}, "services_of workspace_vms: the placement puts no"),
    ({"port": 22, "remote_group": "central"}, "remote_group central belongs to project svc"),
    ({"port": 22, "remote_ip_prefix": "10.0.0.0/8", "direction": "sideways"}, "direction must be ingress or egress"),
    ({"port": 22, "remote_ip_prefix": "10.0.0.0/8", "ethertype": "IPv6"}, "ethertype IPv6 does not match 10.0.0.0/8"),
    ({"port": 22, "remote_ip_prefix": "10.0.0.0/8", "source": "x"}, "unknown key(s) source"),
])
def test_bad_rules_are_named(rule, message):
    groups = [{"name": "bad", "project": "ws", "rules": [rule]}, {"name": "central", "project": "svc"}]
    problems = plan(security_groups=groups)["problems"]
    assert any(p.startswith("openstack_network_security_groups[bad]: rules[0]: ") and message in p for p in problems), problems


def test_a_host_without_address_is_named():
    hosts = dict(HOSTS, deploy={"ansible_host": "deploy.example.org"})
    result = op.network_plan(data(), placement=PLACEMENT, hosts=hosts, groups=GROUPS)
    assert result["problems"] == ["openstack_network_security_groups[central]: rules[2]: remote_hosts deployers: host "
                                  "deploy has no internal address (set platform_address, or ansible_host to an IP address)"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["networks"][0].update(project="nope"),
     "openstack_network_networks[svc-net]: project 'nope' is not in openstack_network_projects (known: svc, ws)"),
    (lambda d: d["networks"][1]["subnets"][0].update(cidr="10.20.10.128/25"),
     "openstack_network_networks[ws-net]: subnet ws-net-v4 (10.20.10.128/25) overlaps subnet svc-net-v4"),
    (lambda d: d["networks"][1]["subnets"][0].update(cidr="10.20.5.1/24"),
     "openstack_network_networks[ws-net]: subnets[0]: cidr '10.20.5.1/24' is not a network address"),
    (lambda d: d["networks"][1]["subnets"][0].update(gateway_ip="10.99.0.1"),
     "gateway_ip '10.99.0.1' is not an address in 10.20.5.0/24"),
    (lambda d: d["networks"][1]["subnets"][0].update(allocation_pools=[{"start": "10.20.5.9", "end": "10.20.5.2"}]),
     "allocation_pools[0] must be {start, end} inside 10.20.5.0/24"),
    (lambda d: d["networks"][1]["subnets"].append({"cidr": "10.20.6.0/24"}),
     "give each subnet a name when a network has several IPv4 subnets"),
    (lambda d: d["networks"].append({"name": "ws-net", "project": "ws"}),
     "openstack_network_networks[ws-net]: network ws-net is declared twice"),
    (lambda d: d["networks"][1].update(router="nope"),
     "openstack_network_networks[ws-net]: router 'nope' is not in openstack_network_routers (known: rt)"),
    (lambda d: d["networks"][1].update(share_with=["elsewhere"]),
     "share_with: project 'elsewhere' is not in openstack_network_projects"),
    (lambda d: d["networks"][1].update(mtu="big"), "mtu must be an integer"),
    (lambda d: d["projects"][0].update(quotas={"instance": 3}), "openstack_network_projects[svc]: quotas: unknown quota 'instance'"),
    (lambda d: d["projects"][0].update(quotas={"cores": -5}), "quotas.cores must be an integer >= -1"),
    (lambda d: d["projects"][0].update(members=[{"user": "admin"}]), "members[0] must be a dict with user and role"),
    (lambda d: d["projects"].append({"name": "bad name"}), "name 'bad name' is missing or not a valid name"),
    (lambda d: d["projects"][1].update(state="gone"), "openstack_network_projects[ws]: state must be present or absent"),
    (lambda d: d["routers"][0].update(enable_snat=False, external_network=""), "enable_snat needs an external network"),
    (lambda d: d["floating_ips"][0].update(port="p1"), "give exactly one of port"),
    (lambda d: d.update(external_network=""), "openstack_network_floating_ips[guacamole]: network is not set"),
    (lambda d: d["security_groups"].append({"name": "default", "project": "ws"}), "the name default belongs to the project"),
    (lambda d: d.update(dns_nameservers=["ns1"]), "openstack_network_dns_nameservers: 'ns1' is not an IP address"),
    (lambda d: d.update(networks="nope"), "openstack_network_networks: must be a list"),
])
def test_problems_name_the_variable_and_the_entry(change, message):
    values = data()
    change(values)
    problems = op.network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)["problems"]
    assert any(message in p for p in problems), problems


def test_absent_network_takes_its_subnets_and_shares_and_is_detached():
    values = data()
    values["networks"][0]["state"] = "absent"
    result = op.network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)
    assert result["problems"] == []
    assert [s["state"] for s in result["subnets"]] == ["absent", "present"]
    assert result["routers"][0]["subnets"] == ["ws-net-v4"]
    assert result["routers"][0]["detach"] == ["svc-net-v4"]
    assert result["rbac"][0]["state"] == "absent"


def test_an_explicit_empty_dns_list_and_ipv6_default():
    values = data(dns_nameservers=["10.20.10.11", "fd00::53"])
    values["networks"][1]["subnets"] = [{"cidr": "10.20.5.0/24", "dns_nameservers": []}, {"cidr": "fd00:5::/64"}]
    subnets = dict((s["name"], s) for s in op.network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)["subnets"])
    assert subnets["ws-net-v4"]["dns_nameservers"] == []
    assert subnets["ws-net-v6"]["dns_nameservers"] == ["fd00::53"]
    assert subnets["ws-net-v6"]["ip_version"] == 6


def test_rules_with_ids():
    rules = [{"direction": "ingress", "remote_group": "workspace"}, {"direction": "egress"}]
    expected = [{"direction": "ingress", "remote_group": "id-1"}, {"direction": "egress"}]
    assert op.rules_with_ids(rules, {"workspace": "id-1"}) == expected
    with pytest.raises(ValueError, match="workspace has no ID yet"):
        op.rules_with_ids(rules, {})


# What the cloud holds: IDs by name, router interfaces, check mode.

def cloud():
    return op.found_state(
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
    assert op.found_id(found, "security_groups", "svc", "central") == "g-1"
    assert op.found_id(found, "networks", "svc", "svc-net") == "n-svc"
    assert op.found_id(found, "networks", "new", "svc-net") is None
    assert op.found_ids(found, "security_groups", "svc", ["central", "gpu"]) == {"central": "g-1"}
    assert op.network_ref_id(found, "public") == "n-pub"
    assert op.network_ref_id(found, "n-x1") == "n-x1"
    assert op.network_ref_id(found, "dup") is None


def test_found_merge_adds_what_a_module_returned():
    found = op.found_merge(cloud(), "networks", [{"id": "n-ws", "name": "ws-net", "project_id": "p-ws"}])
    assert op.found_id(found, "networks", "ws", "ws-net") == "n-ws"
    found = op.found_merge(found, "projects", [{"id": "p-new", "name": "new"}])
    assert found["projects"]["new"] == "p-new"
    with pytest.raises(ValueError):
        op.found_merge(found, "ports", [])


def test_router_keeps_interfaces_the_data_does_not_mention():
    router = plan()["routers"][0]
    # svc-net-v4 and ws-net-v4 by ID (the module looks names up in the router's project only),
    # the hand-made interface kept.
    assert op.router_interfaces(router, cloud()) == ["s-svc", "s-ws", "s-hand"]
    values = data()
    values["networks"][1]["state"] = "absent"
    router = op.network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)["routers"][0]
    assert op.router_interfaces(router, cloud()) == ["s-svc", "s-hand"]


def test_router_names_a_subnet_the_cloud_does_not_have_yet():
    found = cloud()
    found["subnets"] = {}
    assert op.router_interfaces(plan()["routers"][0], found) == ["svc-net-v4", "ws-net-v4", "s-hand", "s-svc"]


def test_check_mode_reports_what_the_modules_cannot():
    pending = op.check_mode_pending(plan(), cloud())
    assert "would attach subnet ws-net-v4 to router rt" in pending
    assert "would create network ws-net in project ws" in pending
    assert "would create subnet ws-net-v4 (10.20.5.0/24) in new network ws-net" in pending
    assert not any("svc-net" in line and "create" in line for line in pending)


def test_check_mode_on_an_empty_cloud():
    pending = op.check_mode_pending(plan(), op.found_state([]))
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
    pending = op.check_mode_pending(op.network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS), found)
    assert "would change mtu of network svc-net from 1450 to 1400" in pending
    assert "would delete router old" in pending


def test_check_mode_names_rules_that_refer_to_new_groups():
    found = cloud()
    groups = [{"name": "central", "project": "svc", "rules": [{"port": 22, "remote_group": "jump"}]},
              {"name": "jump", "project": "svc", "rules": []}]
    pending = op.check_mode_pending(plan(security_groups=groups), found)
    assert "would set the rules of security group central (they refer to new group(s) jump)" in pending


# Connection parameters.

def test_connection_by_cloud_name():
    assert op.connection("acme") == {"cloud": "acme"}
    assert op.connection("acme", project_id="p1") == {"cloud": "acme", "auth": {"project_id": "p1"}}


def test_connection_by_dict_keeps_credentials_under_auth():
    cloud_config = {"auth": {"auth_url": "http://127.0.0.1:5000/v3", "username": "admin", "password": "secret",
                             "project_name": "admin", "project_domain_name": "Default", "user_domain_name": "Default"},
                    "region_name": "RegionOne", "verify": False}
    params = op.connection(cloud_config)
    assert params == {"auth": cloud_config["auth"], "region_name": "RegionOne", "validate_certs": False}
    scoped = op.connection(cloud_config, project_id="p1")
    assert scoped["auth"] == {"auth_url": "http://127.0.0.1:5000/v3", "username": "admin", "password": "secret",
                              "user_domain_name": "Default", "project_id": "p1"}
    assert cloud_config["auth"]["project_name"] == "admin"   # the input is not changed


@pytest.mark.parametrize("cloud_config, message", [
    ("", "openstack_cloud is empty"),
    (5, "must be a clouds.yaml cloud name or a dict"),
    ({"auth": {}}, "needs auth with at least auth_url"),
    ({"auth": {"auth_url": "x"}, "regoin_name": "r"}, "unknown key(s) regoin_name"),
])
def test_connection_errors(cloud_config, message):
    with pytest.raises(ValueError) as error:
        op.connection(cloud_config)
    assert message in str(error.value)


# Workspace VMs.

NETWORKS = data()["networks"]
GROUPS_DATA = data()["security_groups"]
DEFAULTS = {"project": "ws", "flavor": "m1.small", "image": "debian-13", "network": "ws-net",
            "security_groups": ["workspace"], "keypair": "deploy", "volume_size": 0, "availability_zone": "",
            "name_format": "ws-{user}", "metadata": {"site": "berlin"}, "customer": "acme"}


def servers(users, **kwargs):
    kwargs.setdefault("networks", NETWORKS)
    kwargs.setdefault("security_groups", GROUPS_DATA)
    return op.workspace_plan(users, DEFAULTS, **kwargs)


def test_one_server_per_user_with_defaults():
    result = servers([{"user": "alice", "fixed_ip": "10.20.5.11"}, {"user": "bob", "flavor": "m1.large", "state": "absent"}])
    assert result["problems"] == []
    alice, bob = result["servers"]
    assert alice == {
        "user": "alice", "name": "ws-alice", "port_name": "ws-alice-port", "state": "present", "project": "ws",
        "flavor": "m1.small", "image": "debian-13", "network": "ws-net", "keypair": "deploy", "availability_zone": None,
        "volume_size": 0, "security_groups": ["workspace"], "fixed_ip": "10.20.5.11", "subnet": "ws-net-v4",
        "ssh_authorized_keys": [], "metadata": {"customer": "acme", "site": "berlin", "user": "alice"},
    }
    assert bob["state"] == "absent" and bob["flavor"] == "m1.large" and bob["fixed_ip"] is None


def test_metadata_customer_and_user_cannot_be_overridden():
    result = servers([{"user": "alice", "metadata": {"user": "mallory", "team": "ml"}}])
    assert result["servers"][0]["metadata"] == {"customer": "acme", "site": "berlin", "team": "ml", "user": "alice"}


@pytest.mark.parametrize("users, message", [
    ([{"user": "Alice"}], "workspace_vms_users[Alice]: user 'Alice' is not a valid login name"),
    ([{"user": "alice"}, {"user": "alice"}], "workspace_vms_users[alice]: user alice is declared twice"),
    ([{"user": "alice", "fixed_ip": "10.20.9.1"}], "fixed_ip 10.20.9.1 is in no subnet of network ws-net (10.20.5.0/24)"),
    ([{"user": "alice", "fixed_ip": "10.20.5.0"}], "is the network or broadcast address"),
    ([{"user": "alice", "fixed_ip": "10.20.5.11"}, {"user": "bob", "fixed_ip": "10.20.5.11"}],
     "workspace_vms_users[bob]: fixed_ip 10.20.5.11 is declared twice"),
    ([{"user": "alice", "fixed_ip": "nope"}], "fixed_ip 'nope' is not an IP address"),
    ([{"user": "alice", "network": "other"}], "network 'other' is not in openstack_network_networks"),
    ([{"user": "alice", "security_groups": ["central"]}], "security group 'central' is not in openstack_network_security_groups for project ws"),
    ([{"user": "alice", "flavor_name": "x"}], "unknown key(s) flavor_name"),
    ([{"user": "alice", "volume_size": -1}], "volume_size must be a number of GiB"),
    ([{"user": "alice", "metadata": {"tags": ["a"]}}], "metadata values must be text, got tags"),
    ([{"user": "alice", "name": "ws-bob"}, {"user": "bob"}], "workspace_vms_users[bob]: server name ws-bob is declared twice"),
])
def test_user_problems_are_named(users, message):
    problems = servers(users)["problems"]
    assert any(message in p for p in problems), problems


def test_required_values_without_defaults():
    result = op.workspace_plan([{"user": "alice"}], {"name_format": "ws-{user}"})
    assert result["problems"] == [
        "workspace_vms_users[alice]: %s is not set (set it here or workspace_vms_%s for every user)" % (key, key)
        for key in ("project", "flavor", "image", "network")]


def test_a_removed_user_needs_only_a_project():
    result = op.workspace_plan([{"user": "bob", "state": "absent", "project": "ws"}], {})
    assert result["problems"] == []


def test_name_format_with_customer_and_a_bad_format():
    assert servers([{"user": "alice"}], )["servers"][0]["name"] == "ws-alice"
    defaults = dict(DEFAULTS, name_format="{customer}-{user}")
    assert op.workspace_plan([{"user": "alice"}], defaults)["servers"][0]["name"] == "acme-alice"
    defaults = dict(DEFAULTS, name_format="{who}")
    assert "workspace_vms_name_format: '{who}' cannot be formatted" in op.workspace_plan([{"user": "alice"}], defaults)["problems"][0]


def test_images_and_keypairs():
    result = servers([], images=[{"name": "debian-13", "url": "https://x/d.qcow2", "checksum": "sha256:ab12"},
                                 {"name": "cirros"}],
                     keypairs=[{"name": "deploy", "public_key": "ssh-ed25519 AAAA x"}, {"name": "old", "state": "absent"}])
    assert result["problems"] == []
    assert [i["upload"] for i in result["images"]] == [True, False]
    assert result["keypairs"][1] == {"name": "old", "state": "absent", "public_key": None, "public_key_file": None}
    read = [{"images": [{"name": "cirros", "id": "i-1"}]}, {"images": []}]
    assert op.images_to_upload(result["images"], read) == [result["images"][0]]
    assert op.images_to_upload(result["images"], [{"images": [{"name": "debian-13"}]}]) == []


@pytest.mark.parametrize("images, keypairs, message", [
    ([{"name": "a", "url": "u", "file": "f"}], [], "workspace_vms_images[a]: give url or file, not both"),
    ([{"name": "a", "checksum": "abc"}], [], "checksum must look like sha256:<hex>"),
    ([], [{"name": "k"}], "workspace_vms_keypairs[k]: give exactly one of public_key and public_key_file"),
])
def test_image_and_keypair_problems(images, keypairs, message):
    assert any(message in p for p in servers([], images=images, keypairs=keypairs)["problems"])


def test_endpoint_ports():
    ports = [{"id": "a", "fixed_ips": [{"ip_address": "10.0.0.5"}]}, {"id": "b", "fixed_ips": [{"ip_address": "10.0.1.5"}]}]
    assert op.endpoint_ports(ports) == ports
    assert op.endpoint_ports(ports, "10.0.1.5") == [ports[1]]
