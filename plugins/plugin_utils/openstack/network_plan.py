# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network layer's data (role ``openstack_network``), checked, defaulted and expanded by
:func:`network_plan` before any API call.

Projects with quotas and members, networks with subnets (DNS servers default to the
platform's), routers with the subnets they route, RBAC shares, security groups whose rules may
be *derived* from the placement (a catalog service's port, the services a group of hosts
provides, the hosts that provide a service, the subnets of a network, inventory hosts'
addresses), and floating IPs for named endpoints.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.common import (
    Problems,
    _address,
    _as_list,
    _duplicate,
    _entry_label,
    _list_of_dicts,
    _name,
    _network,
    _state,
    _unknown_keys,
    host_prefix,
)

DIRECTIONS = ("ingress", "egress")
PROTOCOL_NAMES = (
    "any", "ah", "dccp", "egp", "esp", "gre", "icmp", "icmpv6", "igmp", "ipip", "ipv6-encap",
    "ipv6-frag", "ipv6-icmp", "ipv6-nonxt", "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp",
    "sctp", "tcp", "udp", "udplite", "vrrp",
)
PORT_PROTOCOLS = ("tcp", "udp", "sctp", "dccp", "udplite")
# Quota names openstack.cloud.quota (2.5.0) accepts.
QUOTA_NAMES = (
    "backup_gigabytes", "backups", "cores", "fixed_ips", "floating_ips", "gigabytes", "groups",
    "health_monitors", "injected_file_content_bytes", "injected_file_path_bytes", "injected_files",
    "instances", "key_pairs", "l7_policies", "listeners", "load_balancers", "metadata_items",
    "members", "networks", "per_volume_gigabytes", "pools", "ports", "ram", "rbac_policies",
    "routers", "security_group_rules", "security_groups", "server_group_members", "server_groups",
    "snapshots", "subnet_pools", "subnets", "volumes",
)
RULE_PORT_KEYS = ("port", "ports", "port_range", "service", "services_of", "placement_of")
RULE_REMOTE_KEYS = ("remote_ip_prefix", "remote_group", "remote_network", "remote_hosts", "remote_service")
RULE_KEYS = ("description", "direction", "protocol", "ethertype") + RULE_PORT_KEYS + RULE_REMOTE_KEYS
DESCRIPTION_MAX = 255

PROJECT_KEYS = ("name", "description", "domain", "enabled", "quotas", "members", "state")
NETWORK_KEYS = ("name", "project", "subnets", "router", "share_with", "shared", "external",
                "mtu", "port_security_enabled", "provider_network_type", "provider_physical_network",
                "provider_segmentation_id", "dns_domain", "state")
SUBNET_KEYS = ("name", "cidr", "gateway_ip", "no_gateway", "dns_nameservers", "allocation_pools", "host_routes",
               "enable_dhcp", "ipv6_ra_mode", "ipv6_address_mode", "description", "state")
ROUTER_KEYS = ("name", "project", "external_network", "enable_snat", "external_fixed_ips", "state")
SECURITY_GROUP_KEYS = ("name", "project", "description", "stateful", "egress", "rules", "state")
FLOATING_IP_KEYS = ("name", "project", "port", "server", "fixed_address", "address", "network", "state")


def network_plan(data, placement=None, hosts=None, groups=None):
    """Check and expand the network layer's data.

    data: projects, networks, routers, security_groups, floating_ips (lists), external_network
    (name or ID, may be empty), dns_nameservers (the platform DNS servers' addresses), domain
    (default domain of projects). placement: the platform_placement result (services, hosts).
    hosts: host -> {platform_address, ansible_host}. groups: inventory groups.
    """
    problems = Problems()
    placement = placement or {}
    hosts = hosts or {}
    groups = groups or {}
    dns_nameservers = []
    for value in _as_list(data.get("dns_nameservers")):
        if value in (None, ""):
            continue
        if _address(value) is None:
            problems.add("openstack_network_dns_nameservers", "%r is not an IP address" % (value,))
        else:
            dns_nameservers.append(str(_address(value)))

    projects = _projects(data.get("projects"), data.get("domain") or "default", problems)
    project_names = dict((p["name"], p) for p in projects)
    networks, subnets = _networks(data.get("networks"), project_names, dns_nameservers, problems)
    routers = _routers(data.get("routers"), project_names, data.get("external_network"), networks, subnets, problems)
    rbac = _rbac(data.get("networks"), networks, project_names, problems)
    security_groups = _security_groups(data.get("security_groups"), project_names, networks, subnets,
                                       placement, hosts, groups, problems)
    floating_ips = _floating_ips(data.get("floating_ips"), project_names, data.get("external_network"), problems)
    return {
        "projects": projects,
        "networks": networks,
        "subnets": subnets,
        "routers": routers,
        "rbac": rbac,
        "security_groups": security_groups,
        "floating_ips": floating_ips,
        "problems": list(problems),
    }


def _projects(value, domain, problems):
    variable = "openstack_network_projects"
    result = []
    seen = {}
    for index, entry in _list_of_dicts(value, variable, problems):
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, PROJECT_KEYS, where, problems)
        name = _name(entry, where, problems)
        state = _state(entry, where, problems)
        if name is None or _duplicate(seen, name, where, "project %s" % name, problems):
            continue
        quotas = entry.get("quotas") or {}
        if not isinstance(quotas, dict):
            problems.add(where, "quotas must be a dict of quota name to number")
            quotas = {}
        for key, number in sorted(quotas.items()):
            if key not in QUOTA_NAMES:
                problems.add(where, "quotas: unknown quota %r (known: %s)" % (key, ", ".join(QUOTA_NAMES)))
            elif isinstance(number, bool) or not isinstance(number, int) or number < -1:
                problems.add(where, "quotas.%s must be an integer >= -1 (-1: unlimited), got %r" % (key, number))
        members = []
        for m_index, member in enumerate(_as_list(entry.get("members"))):
            m_where = "%s: members[%d]" % (where, m_index)
            if not isinstance(member, dict) or not member.get("user") or not member.get("role"):
                problems.add(where, "members[%d] must be a dict with user and role, got %r" % (m_index, member))
                continue
            _unknown_keys(member, ("user", "role", "user_domain", "state"), m_where, problems)
            members.append({"user": str(member["user"]), "role": str(member["role"]),
                            "user_domain": member.get("user_domain"),
                            "state": _state(member, m_where, problems) if state == "present" else "absent"})
        result.append({
            "name": name,
            "description": entry.get("description"),
            "domain": entry.get("domain") or domain,
            "enabled": entry.get("enabled", True),
            "quotas": dict((k, v) for k, v in quotas.items() if k in QUOTA_NAMES),
            "members": members,
            "state": state,
        })
    return result


def _project_ref(entry, where, projects, problems, key="project"):
    name = entry.get(key)
    if name not in projects:
        problems.add(where, "%s %r is not in openstack_network_projects (known: %s)"
                     % (key, name, ", ".join(sorted(projects)) or "none"))
        return None
    return name


def _networks(value, projects, dns_nameservers, problems):
    variable = "openstack_network_networks"
    networks = []
    subnets = []
    seen = {}
    seen_subnets = {}
    for index, entry in _list_of_dicts(value, variable, problems):
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, NETWORK_KEYS, where, problems)
        name = _name(entry, where, problems)
        state = _state(entry, where, problems)
        project = _project_ref(entry, where, projects, problems)
        if name is None or _duplicate(seen, name, where, "network %s" % name, problems):
            continue
        if state == "present" and project and projects[project]["state"] == "absent":
            problems.add(where, "project %s is absent, the network cannot be present" % project)
        for key in ("shared", "external", "port_security_enabled"):
            if key in entry and not isinstance(entry[key], bool):
                problems.add(where, "%s must be true or false, got %r" % (key, entry[key]))
        for key in ("mtu", "provider_segmentation_id"):
            if entry.get(key) is not None and (isinstance(entry[key], bool) or not isinstance(entry[key], int)):
                problems.add(where, "%s must be an integer, got %r" % (key, entry[key]))
        network = {
            "name": name,
            "project": project,
            "state": state,
            "router": entry.get("router"),
            "subnets": [],
        }
        for key in ("shared", "external", "mtu", "port_security_enabled", "provider_network_type",
                    "provider_physical_network", "provider_segmentation_id", "dns_domain"):
            network[key] = entry.get(key)
        per_version = {}
        for s_index, subnet in enumerate(_as_list(entry.get("subnets"))):
            s_where = "%s: subnets[%d]" % (where, s_index)
            if not isinstance(subnet, dict):
                problems.add(s_where, "must be a dict with at least cidr, got %r" % (subnet,))
                continue
            _unknown_keys(subnet, SUBNET_KEYS, s_where, problems)
            planned = _subnet(subnet, name, project, state, dns_nameservers, s_where, problems)
            if planned is None:
                continue
            per_version.setdefault(planned["ip_version"], []).append((s_where, subnet, planned))
        for version, items in sorted(per_version.items()):
            for number, (s_where, subnet, planned) in enumerate(items):
                if not subnet.get("name"):
                    if len(items) > 1:
                        problems.add(s_where, "give each subnet a name when a network has several IPv%d subnets" % version)
                        continue
                    planned["name"] = "%s-v%d" % (name, version)
                elif _name(subnet, s_where, problems) is None:
                    continue
                if _duplicate(seen_subnets, planned["name"], s_where, "subnet %s" % planned["name"], problems):
                    continue
                network["subnets"].append(planned["name"])
                subnets.append(planned)
        networks.append(network)
    # Overlapping subnets: the same router cannot route both, and a shared services network
    # must not overlap a workspace network that reaches it. Any overlap is refused.
    present = [s for s in subnets if s["state"] == "present"]
    for i, first in enumerate(present):
        for second in present[i + 1:]:
            a, b = ipaddress.ip_network(first["cidr"]), ipaddress.ip_network(second["cidr"])
            if a.version == b.version and a.overlaps(b):
                problems.add("openstack_network_networks[%s]" % second["network"],
                             "subnet %s (%s) overlaps subnet %s (%s) of network %s"
                             % (second["name"], second["cidr"], first["name"], first["cidr"], first["network"]))
    return networks, subnets


def _subnet(subnet, network, project, network_state, dns_nameservers, where, problems):
    cidr = _network(subnet.get("cidr"))
    if cidr is None:
        problems.add(where, "cidr %r is not a network address with prefix length (e.g. 10.20.5.0/24; no host bits)"
                     % (subnet.get("cidr"),))
        return None
    state = _state(subnet, where, problems)
    if network_state == "absent":
        state = "absent"
    planned = {
        "name": subnet.get("name"),
        "network": network,
        "project": project,
        "state": state,
        "cidr": str(cidr),
        "ip_version": cidr.version,
        "description": subnet.get("description"),
        "enable_dhcp": subnet.get("enable_dhcp", True),
        "no_gateway": bool(subnet.get("no_gateway", False)),
        "gateway_ip": None,
        "allocation_pools": [],
        "host_routes": [],
        "ipv6_ra_mode": subnet.get("ipv6_ra_mode"),
        "ipv6_address_mode": subnet.get("ipv6_address_mode"),
    }
    if subnet.get("gateway_ip") is not None:
        gateway = _address(subnet["gateway_ip"])
        if gateway is None or gateway not in cidr:
            problems.add(where, "gateway_ip %r is not an address in %s" % (subnet["gateway_ip"], cidr))
        elif planned["no_gateway"]:
            problems.add(where, "gateway_ip and no_gateway: true exclude each other")
        else:
            planned["gateway_ip"] = str(gateway)
    for p_index, pool in enumerate(_as_list(subnet.get("allocation_pools"))):
        start = _address((pool or {}).get("start")) if isinstance(pool, dict) else None
        end = _address((pool or {}).get("end")) if isinstance(pool, dict) else None
        if start is None or end is None or start not in cidr or end not in cidr or end < start:
            problems.add(where, "allocation_pools[%d] must be {start, end} inside %s with start <= end, got %r"
                         % (p_index, cidr, pool))
            continue
        planned["allocation_pools"].append({"start": str(start), "end": str(end)})
    for r_index, route in enumerate(_as_list(subnet.get("host_routes"))):
        if not isinstance(route, dict) or _network(route.get("destination")) is None \
                or _address(route.get("nexthop")) is None:
            problems.add(where, "host_routes[%d] must be {destination: CIDR, nexthop: address}, got %r" % (r_index, route))
            continue
        planned["host_routes"].append({"destination": str(_network(route["destination"])),
                                       "nexthop": str(_address(route["nexthop"]))})
    if "dns_nameservers" in subnet and subnet["dns_nameservers"] is not None:
        servers = []
        for value in _as_list(subnet["dns_nameservers"]):
            if _address(value) is None:
                problems.add(where, "dns_nameservers: %r is not an IP address" % (value,))
            else:
                servers.append(str(_address(value)))
    else:
        # The platform's internal DNS servers of the subnet's IP version.
        servers = [s for s in dns_nameservers if _address(s).version == cidr.version]
    planned["dns_nameservers"] = servers
    return planned


def _routers(value, projects, external_network, networks, subnets, problems):
    variable = "openstack_network_routers"
    routers = []
    seen = {}
    by_name = {}
    for index, entry in _list_of_dicts(value, variable, problems):
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, ROUTER_KEYS, where, problems)
        name = _name(entry, where, problems)
        state = _state(entry, where, problems)
        project = _project_ref(entry, where, projects, problems)
        if name is None or _duplicate(seen, name, where, "router %s" % name, problems):
            continue
        gateway = entry.get("external_network", external_network)
        if entry.get("enable_snat") is not None and not gateway:
            problems.add(where, "enable_snat needs an external network (external_network or openstack_network_external_network)")
        router = {
            "name": name,
            "project": project,
            "state": state,
            "external_network": gateway or None,
            "enable_snat": entry.get("enable_snat"),
            "external_fixed_ips": [],
            "subnets": [],
            "detach": [],
            # The project of each subnet: a router (an admin's) may route subnets of other projects.
            "subnet_projects": {},
        }
        for f_index, fixed in enumerate(_as_list(entry.get("external_fixed_ips"))):
            if not isinstance(fixed, dict) or not fixed.get("subnet"):
                problems.add(where, "external_fixed_ips[%d] must be {subnet, ip_address (optional)}" % f_index)
                continue
            item = {"subnet_id": str(fixed["subnet"])}
            if fixed.get("ip_address") is not None:
                if _address(fixed["ip_address"]) is None:
                    problems.add(where, "external_fixed_ips[%d].ip_address %r is not an address" % (f_index, fixed["ip_address"]))
                    continue
                item["ip_address"] = str(_address(fixed["ip_address"]))
            router["external_fixed_ips"].append(item)
        routers.append(router)
        by_name[name] = router
    subnet_state = dict((s["name"], s["state"]) for s in subnets)
    for network in networks:
        if not network["router"]:
            continue
        where = "openstack_network_networks[%s]" % network["name"]
        router = by_name.get(network["router"])
        if router is None:
            problems.add(where, "router %r is not in openstack_network_routers (known: %s)"
                         % (network["router"], ", ".join(sorted(by_name)) or "none"))
            continue
        for subnet in network["subnets"]:
            router["subnet_projects"][subnet] = network["project"]
            if subnet_state[subnet] == "present" and router["state"] == "present":
                router["subnets"].append(subnet)
            else:
                router["detach"].append(subnet)
        if router["state"] == "absent" and network["state"] == "present":
            problems.add(where, "router %s is absent; remove router from the network (or make the router present)"
                         % router["name"])
    return routers


def _rbac(value, networks, projects, problems):
    planned = []
    by_name = dict((n["name"], n) for n in networks)
    for index, entry in _list_of_dicts(value, "openstack_network_networks", problems):
        network = by_name.get(entry.get("name"))
        if network is None:
            continue
        where = "openstack_network_networks[%s]" % network["name"]
        seen = set()
        for s_index, share in enumerate(_as_list(entry.get("share_with"))):
            if isinstance(share, str):
                share = {"project": share}
            if not isinstance(share, dict) or not share.get("project"):
                problems.add(where, "share_with[%d] must be a project name or {project, state}, got %r" % (s_index, share))
                continue
            _unknown_keys(share, ("project", "state"), "%s: share_with[%d]" % (where, s_index), problems)
            target = share["project"]
            state = _state(share, "%s: share_with[%d]" % (where, s_index), problems)
            if target != "*" and target not in projects:
                problems.add(where, "share_with: project %r is not in openstack_network_projects (or '*' for every project)"
                             % (target,))
                continue
            if target == network["project"]:
                problems.add(where, "share_with: %s owns the network already" % target)
                continue
            if target in seen:
                problems.add(where, "share_with: %s is named twice" % target)
                continue
            seen.add(target)
            if network["state"] == "absent":
                state = "absent"
            planned.append({"network": network["name"], "project": network["project"], "target_project": target,
                            "state": state})
    return planned


def _security_groups(value, projects, networks, subnets, placement, hosts, groups, problems):
    variable = "openstack_network_security_groups"
    result = []
    seen = {}
    raw = _list_of_dicts(value, variable, problems)
    names = dict((entry.get("name"), entry.get("project")) for _i, entry in raw)
    for index, entry in raw:
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, SECURITY_GROUP_KEYS, where, problems)
        name = _name(entry, where, problems)
        state = _state(entry, where, problems)
        project = _project_ref(entry, where, projects, problems)
        if name is None or _duplicate(seen, name, where, "security group %s" % name, problems):
            continue
        if name == "default":
            problems.add(where, "the name default belongs to the project's own group; choose another name")
            continue
        egress = entry.get("egress", True)
        if not isinstance(egress, bool):
            problems.add(where, "egress must be true (any outgoing traffic) or false (only the listed egress rules)")
            egress = True
        rules = []
        if egress:
            for ethertype in ("IPv4", "IPv6"):
                rules.append({"direction": "egress", "ether_type": ethertype,
                              "description": "egress any %s" % ethertype})
        keys = set()
        for r_index, rule in enumerate(_as_list(entry.get("rules"))):
            r_where = "%s: rules[%d]" % (where, r_index)
            for expanded in expand_rule(rule, r_where, names, project, networks, subnets, placement, hosts, groups,
                                        problems):
                key = rule_key(expanded)
                if key in keys:
                    continue   # Neutron refuses the same rule twice
                keys.add(key)
                rules.append(expanded)
        result.append({
            "name": name,
            "project": project,
            "description": entry.get("description") or "",
            "stateful": entry.get("stateful"),
            "state": state,
            "rules": rules,
            "remote_groups": sorted(set(r["remote_group"] for r in rules if r.get("remote_group"))),
        })
    return result


def rule_key(rule):
    """What makes two Neutron rules the same rule (the description does not)."""
    return (rule.get("direction"), rule.get("ether_type"), rule.get("protocol"), rule.get("port_range_min"),
            rule.get("port_range_max"), rule.get("remote_ip_prefix"), rule.get("remote_group"))


def _ports_of_rule(rule, where, placement, groups, problems):
    """[(min, max, label)] of the rule; [(None, None, '')] for every port."""
    given = [key for key in RULE_PORT_KEYS if rule.get(key) not in (None, [], "")]
    if len(given) > 1:
        problems.add(where, "give only one of %s (got %s)" % (", ".join(RULE_PORT_KEYS), ", ".join(given)))
        return []
    if not given:
        return [(None, None, "")]
    key = given[0]
    services = placement.get("services") or {}
    ranges = []
    if key in ("port", "ports", "port_range"):
        values = [rule[key]] if key in ("port", "port_range") else _as_list(rule[key])
        for value in values:
            parsed = _port_range(value)
            if parsed is None:
                problems.add(where, "%s: %r is not a port (1-65535) or range 'low-high'" % (key, value))
                continue
            ranges.append((parsed[0], parsed[1], ""))
        return ranges
    if key == "service":
        names = _as_list(rule[key])
    else:
        names = []
        for target in _as_list(rule[key]):
            members = _hosts_of(target, groups)
            if members is None:
                problems.add(where, "services_of: %r is neither a group nor a host of the inventory" % (target,))
                continue
            for host in members:
                names.extend((placement.get("hosts") or {}).get(host, {}).get("central") or [])
        if not names:
            problems.add(where, "services_of %s: the placement puts no central service on these hosts"
                         % ", ".join(map(str, _as_list(rule[key]))))
    for name in sorted(set(names)):
        service = services.get(name)
        if service is None:
            problems.add(where, "service %r is not in the service catalog (known: %s)" % (name, ", ".join(sorted(services))))
            continue
        port = service.get("port")
        ranges.append((int(port), int(port), name))
    return ranges


def _port_range(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, value) if 1 <= value <= 65535 else None
    if isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
    elif isinstance(value, str) and re.match(r"^\d+(-\d+)?$", value.strip()):
        parts = value.strip().split("-")
        low, high = parts[0], parts[-1]
    else:
        return None
    try:
        low, high = int(low), int(high)
    except (TypeError, ValueError):
        return None
    if not (1 <= low <= high <= 65535):
        return None
    return (low, high)


def _hosts_of(target, groups):
    """The hosts of a group, or [host] for a host name; None when it is neither."""
    target = str(target)
    if target in groups:
        return list(groups[target] or [])
    if target in (groups.get("all") or []):
        return [target]
    return None


def _host_addresses(host, placement, hosts):
    """The host's internal address(es): the placement's, else platform_address / an IP ansible_host."""
    entry = (placement.get("hosts") or {}).get(host) or {}
    if entry.get("address"):
        return [entry["address"]]
    host_vars = hosts.get(host) or {}
    for key in ("platform_address", "ansible_host"):
        value = host_vars.get(key)
        if value and _address(value) is not None:
            return [str(_address(value))]
    return []


def _remotes_of_rule(rule, where, sg_names, project, networks, subnets, placement, hosts, groups, problems):
    """[(kind, value, label)] with kind remote_ip_prefix or remote_group."""
    given = [key for key in RULE_REMOTE_KEYS if rule.get(key) not in (None, [], "")]
    if len(given) != 1:
        problems.add(where, "give exactly one of %s (a rule without a source would match anything; use "
                     "remote_ip_prefix: 0.0.0.0/0 for any IPv4 source)" % ", ".join(RULE_REMOTE_KEYS))
        return []
    key = given[0]
    values = _as_list(rule[key])
    remotes = []
    if key == "remote_ip_prefix":
        for value in values:
            network = _network(value)
            if network is None:
                problems.add(where, "remote_ip_prefix %r is not a CIDR without host bits (a host is 10.0.0.5/32)" % (value,))
                continue
            remotes.append(("remote_ip_prefix", str(network), str(network)))
    elif key == "remote_group":
        if len(values) != 1:
            problems.add(where, "remote_group names one security group")
            return []
        name = values[0]
        if name not in sg_names:
            problems.add(where, "remote_group %r is not in openstack_network_security_groups" % (name,))
            return []
        if sg_names[name] != project:
            problems.add(where, "remote_group %s belongs to project %s, this group to %s: use remote_network or "
                         "remote_hosts across projects" % (name, sg_names[name], project))
            return []
        remotes.append(("remote_group", name, "group %s" % name))
    elif key == "remote_network":
        by_name = dict((n["name"], n) for n in networks)
        cidrs = dict((s["name"], s["cidr"]) for s in subnets)
        for name in values:
            network = by_name.get(name)
            if network is None:
                problems.add(where, "remote_network %r is not in openstack_network_networks" % (name,))
                continue
            if not network["subnets"]:
                problems.add(where, "remote_network %s has no subnets" % name)
            for subnet in network["subnets"]:
                remotes.append(("remote_ip_prefix", cidrs[subnet], "network %s" % name))
    elif key in ("remote_hosts", "remote_service"):
        for target in values:
            if key == "remote_hosts":
                members = _hosts_of(target, groups)
                if members is None:
                    problems.add(where, "remote_hosts: %r is neither a group nor a host of the inventory" % (target,))
                    continue
                label = "hosts %s" % target
            else:
                service = (placement.get("services") or {}).get(target)
                if service is None:
                    problems.add(where, "remote_service %r is not in the service catalog" % (target,))
                    continue
                members = service.get("providers") or []
                label = "%s hosts" % target
            if not members:
                problems.add(where, "%s %s: no host (the rule would allow nobody; remove it or add the hosts)" % (key, target))
                continue
            for host in members:
                addresses = _host_addresses(host, placement, hosts)
                if not addresses:
                    problems.add(where, "%s %s: host %s has no internal address (set platform_address, or ansible_host "
                                 "to an IP address)" % (key, target, host))
                for address in addresses:
                    remotes.append(("remote_ip_prefix", host_prefix(address), label))
    return remotes


def expand_rule(rule, where, sg_names, project, networks, subnets, placement, hosts, groups, problems):
    """One rule of the data as the Neutron rules it stands for (openstack.cloud.security_group's
    security_group_rules entries; remote_group still a name)."""
    if not isinstance(rule, dict):
        problems.add(where, "must be a dict, got %r" % (rule,))
        return []
    _unknown_keys(rule, RULE_KEYS, where, problems)
    direction = rule.get("direction", "ingress")
    if direction not in DIRECTIONS:
        problems.add(where, "direction must be ingress or egress, got %r" % (direction,))
        return []
    if rule.get("placement_of") not in (None, [], ""):
        return _placement_rules(rule, where, direction, sg_names, project, networks, subnets, placement, hosts, groups,
                                problems)
    ports = _ports_of_rule(rule, where, placement, groups, problems)
    remotes = _remotes_of_rule(rule, where, sg_names, project, networks, subnets, placement, hosts, groups, problems)
    return _neutron_rules(rule, where, direction, ports, remotes, problems)


def _neutron_rules(rule, where, direction, ports, remotes, problems):
    """The cross product of the rule's ports and sources, per protocol."""
    has_ports = ports and ports[0][0] is not None
    protocols = _as_list(rule.get("protocol")) or (["tcp"] if has_ports else ["any"])
    checked = []
    for protocol in protocols:
        protocol = str(protocol).lower()
        if protocol not in PROTOCOL_NAMES and not (protocol.isdigit() and 0 <= int(protocol) <= 255):
            problems.add(where, "protocol %r is not known to Neutron (e.g. tcp, udp, icmp, any or 0-255)" % (protocol,))
            continue
        if has_ports and protocol not in PORT_PROTOCOLS:
            problems.add(where, "ports need protocol tcp, udp, sctp, dccp or udplite, got %s" % protocol)
            continue
        checked.append(protocol)
    ethertype = rule.get("ethertype")
    if ethertype not in (None, "IPv4", "IPv6"):
        problems.add(where, "ethertype must be IPv4 or IPv6, got %r" % (ethertype,))
        return []
    expanded = []
    for protocol in checked:
        for low, high, service in ports:
            for kind, remote, label in remotes:
                item = {"direction": direction}
                if kind == "remote_ip_prefix":
                    version = ipaddress.ip_network(remote).version
                    if ethertype and ethertype != "IPv%d" % version:
                        problems.add(where, "ethertype %s does not match %s" % (ethertype, remote))
                        continue
                    item["ether_type"] = "IPv%d" % version
                    item["remote_ip_prefix"] = remote
                else:
                    item["ether_type"] = ethertype or "IPv4"
                    item["remote_group"] = remote
                if protocol != "any":
                    item["protocol"] = protocol
                if low is not None:
                    item["port_range_min"] = low
                    item["port_range_max"] = high
                item["description"] = _rule_description(rule, protocol, low, high, service, direction, label)
                expanded.append(item)
    return expanded


def _placement_rules(rule, where, direction, sg_names, project, networks, subnets, placement, hosts, groups, problems):
    """placement_of: the ports of every central service the placement puts on the targets' hosts,
    each admitted the way the hosts' firewall admits it (platform_placement.firewall): a port the
    firewall restricts (behind the TLS front, or catalog ``firewall``) from exactly the firewall's
    sources; any other port from the rule's own source."""
    if direction != "ingress":
        problems.add(where, "placement_of describes what the hosts accept: it is an ingress rule")
        return []
    other = [key for key in RULE_PORT_KEYS if key != "placement_of" and rule.get(key) not in (None, [], "")]
    if other:
        problems.add(where, "placement_of brings its own ports; give no %s" % ", ".join(other))
        return []
    if rule.get("protocol") not in (None, "tcp", ["tcp"]):
        problems.add(where, "placement_of admits the services' TCP ports; give no protocol")
        return []
    restricted = []
    open_ports = []
    found = False
    unknown = False
    for target in _as_list(rule["placement_of"]):
        members = _hosts_of(target, groups)
        if members is None:
            problems.add(where, "placement_of: %r is neither a group nor a host of the inventory" % (target,))
            unknown = True
            continue
        for host in members:
            central = (placement.get("hosts") or {}).get(host, {}).get("central") or []
            found = found or bool(central)
            guarded = dict((entry["service"], entry) for entry in (placement.get("firewall") or {}).get(host) or [])
            for name in central:
                if name in guarded:
                    restricted.append(guarded[name])
                    continue
                service = (placement.get("services") or {}).get(name) or {}
                for port in service.get("published_ports") or [service.get("port")]:
                    open_ports.append((int(port), int(port), name))
    if unknown:
        return []
    if not found:
        problems.add(where, "placement_of %s: the placement puts no central service on these hosts"
                     % ", ".join(map(str, _as_list(rule["placement_of"]))))
        return []
    given = [key for key in RULE_REMOTE_KEYS if rule.get(key) not in (None, [], "")]
    expanded = []
    if open_ports:
        if not given:
            problems.add(where, "placement_of: %s not restricted by the placement; give the source that reaches them "
                         "(e.g. remote_network)" % ", ".join(sorted(set(port[2] for port in open_ports))))
        else:
            remotes = _remotes_of_rule(rule, where, sg_names, project, networks, subnets, placement, hosts, groups,
                                       problems)
            expanded.extend(_neutron_rules(rule, where, direction, sorted(set(open_ports)), remotes, problems))
    for entry in restricted:
        ports = [(int(port), int(port), entry["service"]) for port in entry["ports"]]
        remotes = [("remote_ip_prefix", str(ipaddress.ip_network(source, strict=False)), "the placement's sources")
                   for source in entry["sources"]]
        if not remotes:
            continue   # the firewall admits nobody from outside; neither does the group
        expanded.extend(_neutron_rules(rule, where, direction, ports, remotes, problems))
    return expanded


def _rule_description(rule, protocol, low, high, service, direction, label):
    if rule.get("description"):
        text = str(rule["description"])
    else:
        if low is None:
            what = protocol
        elif low == high:
            what = "%s/%d" % (protocol, low)
        else:
            what = "%s/%d-%d" % (protocol, low, high)
        if service:
            what = "%s %s" % (service, what)
        text = "%s %s %s" % (what, "from" if direction == "ingress" else "to", label)
    return text[:DESCRIPTION_MAX]


def _floating_ips(value, projects, external_network, problems):
    variable = "openstack_network_floating_ips"
    result = []
    seen = {}
    for index, entry in _list_of_dicts(value, variable, problems):
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, FLOATING_IP_KEYS, where, problems)
        name = _name(entry, where, problems)
        state = _state(entry, where, problems)
        project = _project_ref(entry, where, projects, problems)
        if name is None or _duplicate(seen, name, where, "floating IP %s" % name, problems):
            continue
        targets = [key for key in ("port", "server") if entry.get(key)]
        if state == "present" and len(targets) != 1:
            problems.add(where, "give exactly one of port (a port name or ID) and server (a server name) to attach it to")
            continue
        network = entry.get("network") or external_network
        if not network:
            problems.add(where, "network is not set and openstack_network_external_network is empty")
            continue
        for key in ("fixed_address", "address"):
            if entry.get(key) is not None and _address(entry[key]) is None:
                problems.add(where, "%s %r is not an IP address" % (key, entry[key]))
        result.append({
            "name": name,
            "project": project,
            "state": state,
            "port": entry.get("port"),
            "server": entry.get("server"),
            "fixed_address": entry.get("fixed_address"),
            "address": entry.get("address"),
            "network": network,
            # The floating IP is found again by this description (Neutron has no names for them).
            "description": "endpoint %s" % name,
        })
    return result


def rules_with_ids(rules, group_ids):
    """The rules with remote_group names replaced by the groups' IDs (names are ambiguous across
    projects: every project has a group called default)."""
    result = []
    for rule in rules:
        rule = dict(rule)
        if rule.get("remote_group"):
            if rule["remote_group"] not in group_ids:
                raise ValueError("security group %s has no ID yet" % rule["remote_group"])
            rule["remote_group"] = group_ids[rule["remote_group"]]
        result.append(rule)
    return result
