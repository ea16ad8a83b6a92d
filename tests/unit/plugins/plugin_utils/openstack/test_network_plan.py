# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network layer's data (openstack/network_plan.py): checks naming variable and entry,
defaults, derived security group rules."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import network_plan, rules_with_ids
from openstack_plan_cases import GROUPS, HOSTS, PLACEMENT, data, plan


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
    result = network_plan(data(), placement=PLACEMENT, hosts=hosts, groups=GROUPS)
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
    problems = network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)["problems"]
    assert any(message in p for p in problems), problems


def test_absent_network_takes_its_subnets_and_shares_and_is_detached():
    values = data()
    values["networks"][0]["state"] = "absent"
    result = network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)
    assert result["problems"] == []
    assert [s["state"] for s in result["subnets"]] == ["absent", "present"]
    assert result["routers"][0]["subnets"] == ["ws-net-v4"]
    assert result["routers"][0]["detach"] == ["svc-net-v4"]
    assert result["rbac"][0]["state"] == "absent"


def test_an_explicit_empty_dns_list_and_ipv6_default():
    values = data(dns_nameservers=["10.20.10.11", "fd00::53"])
    values["networks"][1]["subnets"] = [{"cidr": "10.20.5.0/24", "dns_nameservers": []}, {"cidr": "fd00:5::/64"}]
    subnets = dict((s["name"], s) for s in network_plan(values, placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)["subnets"])
    assert subnets["ws-net-v4"]["dns_nameservers"] == []
    assert subnets["ws-net-v6"]["dns_nameservers"] == ["fd00::53"]
    assert subnets["ws-net-v6"]["ip_version"] == 6


def test_rules_with_ids():
    rules = [{"direction": "ingress", "remote_group": "workspace"}, {"direction": "egress"}]
    expected = [{"direction": "ingress", "remote_group": "id-1"}, {"direction": "egress"}]
    assert rules_with_ids(rules, {"workspace": "id-1"}) == expected
    with pytest.raises(ValueError, match="workspace has no ID yet"):
        rules_with_ids(rules, {})


def test_placement_of_follows_the_host_firewall():
    """The security group admits what the hosts' firewall admits: the services behind the TLS
    front only from the front's hosts, the front itself (443 and its redirect port 80) from the
    rule's source."""
    groups = [{"name": "follow", "project": "svc", "rules": [{"placement_of": "central", "remote_network": "ws-net"}]}]
    result = plan(security_groups=groups)
    assert result["problems"] == []
    expected = {("tcp", 443, "10.20.5.0/24"), ("tcp", 80, "10.20.5.0/24")}
    for entry in PLACEMENT["firewall"]["core-1"]:
        for port in entry["ports"]:
            expected |= {("tcp", port, "%s/32" % source) for source in entry["sources"]}
    assert set(ingress(group(result, "follow")["rules"])) == expected
    # The fronted services are not open to the workspaces' network.
    assert not [r for r in group(result, "follow")["rules"]
                if r.get("port_range_min") in (8080, 3000, 6333) and r.get("remote_ip_prefix") == "10.20.5.0/24"]
    guacamole = next(r for r in group(result, "follow")["rules"] if r.get("port_range_min") == 8080)
    assert guacamole["description"] == "guacamole tcp/8080 from the placement's sources"


def test_placement_of_a_gpu_node_admits_only_the_gateway_hosts():
    groups = [{"name": "follow", "project": "svc", "rules": [{"placement_of": "gpu_nodes"}]}]
    result = plan(security_groups=groups)
    assert result["problems"] == []
    assert ingress(group(result, "follow")["rules"]) == [("tcp", 11434, "10.20.10.11/32")]


def test_placement_of_takes_platform_allowed_sources():
    from ansible_collections.foundrycloud.platform.plugins.module_utils import placement as pl
    from openstack_plan_cases import CATALOG
    hosts = dict(HOSTS, **{"gpu-1": {"ansible_host": "10.20.20.11", "platform_allowed_sources": {"ollama": ["10.20.0.0/24"]}}})
    placement = pl.compute(CATALOG, hosts, GROUPS, "localai.internal")
    groups = [{"name": "follow", "project": "svc", "rules": [{"placement_of": "gpu-1"}]}]
    result = network_plan(data(security_groups=groups), placement=placement, hosts=hosts, groups=GROUPS)
    assert result["problems"] == []
    assert ingress(group(result, "follow")["rules"]) == [("tcp", 11434, "10.20.0.0/24"), ("tcp", 11434, "10.20.10.11/32")]


@pytest.mark.parametrize("rule, message", [
    ({"placement_of": "central"}, "placement_of: gateway not restricted by the placement; give the source"),
    ({"placement_of": "workspace_vms"}, "placement_of workspace_vms: the placement puts no central service"),
    ({"placement_of": "nope"}, "placement_of: 'nope' is neither a group nor a host"),
    ({"placement_of": "central", "port": 22, "remote_ip_prefix": "10.0.0.0/8"}, "placement_of brings its own ports; give no port"),
    ({"placement_of": "central", "protocol": "udp"}, "placement_of admits the services' TCP ports"),
    ({"placement_of": "central", "direction": "egress"}, "placement_of describes what the hosts accept"),
])
def test_bad_placement_of_rules_are_named(rule, message):
    groups = [{"name": "bad", "project": "svc", "rules": [rule]}]
    problems = plan(security_groups=groups)["problems"]
    assert any(p.startswith("openstack_network_security_groups[bad]: rules[0]: ") and message in p for p in problems), problems
