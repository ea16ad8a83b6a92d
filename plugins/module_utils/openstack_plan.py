# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack layer's data: checked, defaulted and expanded before any API call.

Two entry points, one per role:

* ``network_plan()`` (role ``openstack_network``): projects with quotas and members, networks
  with subnets (DNS servers default to the platform's), routers with the subnets they route,
  RBAC shares, security groups whose rules may be *derived* from the placement (a catalog
  service's port, the services a group of hosts provides, the hosts that provide a service, the
  subnets of a network, inventory hosts' addresses), and floating IPs for named endpoints.
* ``workspace_plan()`` (role ``workspace_vms``): one server per user with its port, fixed IP
  (and the subnet it lies in), flavor, image, keypair, security groups, metadata.

Both collect every problem, each naming the variable and the entry (``openstack_network_networks
[acme-ws]: subnets[0].cidr ...``), so a run stops once with all of them before it contacts the
cloud. Objects are never dropped because they disappeared from the data: every object carries
``state`` (``present`` or ``absent``) and only ``absent`` removes anything.
"""

from __future__ import annotations

import ipaddress
import re

STATES = ("present", "absent")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
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
RULE_PORT_KEYS = ("port", "ports", "port_range", "service", "services_of")
RULE_REMOTE_KEYS = ("remote_ip_prefix", "remote_group", "remote_network", "remote_hosts", "remote_service")
RULE_KEYS = ("description", "direction", "protocol", "ethertype") + RULE_PORT_KEYS + RULE_REMOTE_KEYS
DESCRIPTION_MAX = 255


class Problems(list):
    """Problems as text lines, each starting with the variable and the entry."""

    def add(self, where, message):
        self.append("%s: %s" % (where, message))


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _entry_label(variable, index, entry, key="name"):
    name = entry.get(key) if isinstance(entry, dict) else None
    return "%s[%s]" % (variable, name if name not in (None, "") else index)


def _state(entry, where, problems):
    state = entry.get("state", "present")
    if state not in STATES:
        problems.add(where, "state must be present or absent, got %r" % (state,))
        return "present"
    return state


def _name(entry, where, problems, key="name"):
    name = entry.get(key)
    if not isinstance(name, str) or not NAME.match(name):
        problems.add(where, "%s %r is missing or not a valid name (letters, digits, '.', '_', '-', at most 64)" % (key, name))
        return None
    return name


def _unknown_keys(entry, known, where, problems):
    unknown = sorted(set(entry) - set(known))
    if unknown:
        problems.add(where, "unknown key(s) %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(known))))


def _network(value):
    """ip_network of a CIDR without host bits, else None."""
    try:
        return ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        return None


def _address(value):
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None


def host_prefix(address):
    """A host's address as the /32 or /128 prefix a security group rule needs."""
    address = ipaddress.ip_address(str(address))
    return "%s/%d" % (address, address.max_prefixlen)


def connection(cloud, project_id=None):
    """Module parameters (for module_defaults of group/openstack.cloud.openstack) that reach the
    cloud: a clouds.yaml cloud name, or a dict with the keys of a clouds.yaml entry (auth,
    auth_type, region_name, interface, verify/validate_certs, cacert/ca_cert). The auth dict goes
    to the modules' ``auth`` option, which they never log. ``project_id`` scopes the token to that
    project (servers and ports are created in the project the token is scoped to)."""
    if isinstance(cloud, str):
        if not cloud:
            raise ValueError("openstack_cloud is empty: name a cloud of clouds.yaml or give its settings as a dict")
        params = {"cloud": cloud}
        if project_id:
            params["auth"] = {"project_id": project_id}
        return params
    if not isinstance(cloud, dict):
        raise ValueError("openstack_cloud must be a clouds.yaml cloud name or a dict of its settings")
    known = {"auth", "auth_type", "region_name", "interface", "verify", "validate_certs", "cacert", "ca_cert",
             "api_timeout", "cert", "client_cert", "key", "client_key"}
    unknown = sorted(set(cloud) - known)
    if unknown:
        raise ValueError("openstack_cloud: unknown key(s) %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(known))))
    if not isinstance(cloud.get("auth"), dict) or not cloud["auth"].get("auth_url"):
        raise ValueError("openstack_cloud: a dict needs auth with at least auth_url")
    params = {}
    renames = {"verify": "validate_certs", "cacert": "ca_cert", "cert": "client_cert", "key": "client_key"}
    for key, value in cloud.items():
        params[renames.get(key, key)] = value
    params["auth"] = dict(cloud["auth"])
    if project_id:
        for key in ("project_name", "project_id", "tenant_name", "tenant_id", "project_domain_name",
                    "project_domain_id"):
            params["auth"].pop(key, None)
        params["auth"]["project_id"] = project_id
    return params


# ---------------------------------------------------------------------------------------------
# Network layer
# ---------------------------------------------------------------------------------------------

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


def _list_of_dicts(value, variable, problems):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        problems.add(variable, "must be a list, got %r" % (type(value).__name__,))
        return []
    result = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            problems.add("%s[%d]" % (variable, index), "must be a dict, got %r" % (entry,))
            continue
        result.append((index, entry))
    return result


def _duplicate(seen, key, where, what, problems):
    if key in seen:
        problems.add(where, "%s is declared twice (also %s)" % (what, seen[key]))
        return True
    seen[key] = where
    return False


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
    ports = _ports_of_rule(rule, where, placement, groups, problems)
    remotes = _remotes_of_rule(rule, where, sg_names, project, networks, subnets, placement, hosts, groups, problems)
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


def id_map(resources, by_project=True, names=None):
    """{"<project_id>/<name>": id} (or {name: id}) of a list of OpenStack resources (dicts with
    id, name and project_id). names, when given, keeps only those names."""
    result = {}
    for resource in resources or []:
        if not isinstance(resource, dict) or not resource.get("id"):
            continue
        name = resource.get("name")
        if names is not None and name not in names:
            continue
        key = "%s/%s" % (resource.get("project_id") or resource.get("tenant_id") or "", name) if by_project else name
        result[key] = resource["id"]
    return result


# ---------------------------------------------------------------------------------------------
# Workspace VMs
# ---------------------------------------------------------------------------------------------

USER_KEYS = ("user", "state", "project", "flavor", "image", "network", "fixed_ip", "security_groups", "keypair",
             "metadata", "volume_size", "availability_zone", "ssh_authorized_keys", "name")
IMAGE_KEYS = ("name", "url", "file", "checksum", "disk_format", "container_format", "min_disk", "min_ram",
              "visibility", "properties", "state")
KEYPAIR_KEYS = ("name", "public_key", "public_key_file", "state")


def workspace_plan(users, defaults, networks=None, images=None, keypairs=None, security_groups=None):
    """Check and expand the workspace VMs' data.

    users: workspace_vms_users. defaults: {project, flavor, image, network, security_groups,
    keypair, volume_size, availability_zone, name_format, metadata, customer}. networks: the
    network layer's networks (openstack_network_networks) to find the subnet of a fixed IP.
    images, keypairs: workspace_vms_images, workspace_vms_keypairs. security_groups: the network
    layer's groups (openstack_network_security_groups); when given, a user's groups must be
    among them, in the user's project.
    """
    problems = Problems()
    variable = "workspace_vms_users"
    network_subnets = {}
    for _index, network in _list_of_dicts(networks, "openstack_network_networks", Problems()):
        entries = []
        per_version = {}
        for subnet in _as_list(network.get("subnets")):
            if isinstance(subnet, dict) and _network(subnet.get("cidr")) is not None:
                per_version.setdefault(_network(subnet["cidr"]).version, []).append(subnet)
        for version, items in per_version.items():
            for subnet in items:
                name = subnet.get("name") or ("%s-v%d" % (network.get("name"), version) if len(items) == 1 else None)
                entries.append((name, _network(subnet["cidr"])))
        network_subnets[network.get("name")] = entries
    name_format = defaults.get("name_format") or "ws-{user}"
    servers = []
    seen = {}
    seen_names = {}
    seen_ips = {}
    for index, entry in _list_of_dicts(users, variable, problems):
        where = _entry_label(variable, index, entry, key="user")
        _unknown_keys(entry, USER_KEYS, where, problems)
        user = entry.get("user")
        if not isinstance(user, str) or not USER_NAME.match(user):
            problems.add(where, "user %r is not a valid login name (lower-case letters, digits, _ and -, at most 32)" % (user,))
            continue
        if _duplicate(seen, user, where, "user %s" % user, problems):
            continue
        state = _state(entry, where, problems)

        def pick(key):
            value = entry.get(key)
            return defaults.get(key) if value in (None, "") else value

        try:
            name = entry.get("name") or name_format.format(user=user, customer=defaults.get("customer") or "")
        except (KeyError, IndexError, ValueError) as exc:
            problems.add("workspace_vms_name_format", "%r cannot be formatted: %s (use {user} and {customer})"
                         % (name_format, exc))
            name = "ws-%s" % user
        if not NAME.match(name):
            problems.add(where, "server name %r is not a valid name" % (name,))
        if _duplicate(seen_names, name, where, "server name %s" % name, problems):
            continue
        server = {
            "user": user,
            "name": name,
            "port_name": "%s-port" % name,
            "state": state,
            "project": pick("project"),
            "flavor": pick("flavor"),
            "image": pick("image"),
            "network": pick("network"),
            "keypair": pick("keypair") or None,
            "availability_zone": pick("availability_zone") or None,
            "volume_size": pick("volume_size") or 0,
            "security_groups": list(_as_list(pick("security_groups"))),
            "fixed_ip": None,
            "subnet": None,
            "ssh_authorized_keys": [str(key) for key in _as_list(entry.get("ssh_authorized_keys"))],
        }
        declared = [(g.get("name"), g.get("project")) for _i, g in
                    _list_of_dicts(security_groups, "openstack_network_security_groups", Problems())]
        for group in server["security_groups"] if declared and state == "present" else []:
            if (group, server["project"]) not in declared:
                problems.add(where, "security group %r is not in openstack_network_security_groups for project %s"
                             % (group, server["project"]))
        if network_subnets and state == "present" and server["network"] and server["network"] not in network_subnets:
            problems.add(where, "network %r is not in openstack_network_networks" % (server["network"],))
        required = ("project", "flavor", "image", "network") if state == "present" else ("project",)
        for key in required:
            if not server[key]:
                problems.add(where, "%s is not set (set it here or workspace_vms_%s for every user)" % (key, key))
        if isinstance(server["volume_size"], bool) or not isinstance(server["volume_size"], int) or server["volume_size"] < 0:
            problems.add(where, "volume_size must be a number of GiB (0: boot from the image without a volume)")
            server["volume_size"] = 0
        metadata = dict(defaults.get("metadata") or {})
        metadata.update(entry.get("metadata") or {})
        metadata.update({"customer": str(defaults.get("customer") or ""), "user": user})
        bad = [k for k, v in metadata.items() if not isinstance(v, (str, int, float)) or isinstance(v, bool)]
        if bad:
            problems.add(where, "metadata values must be text, got %s" % ", ".join(sorted(bad)))
        server["metadata"] = dict((str(k), str(v)) for k, v in sorted(metadata.items()))
        if entry.get("fixed_ip") is not None:
            address = _address(entry["fixed_ip"])
            if address is None:
                problems.add(where, "fixed_ip %r is not an IP address" % (entry["fixed_ip"],))
            elif server["network"] not in network_subnets:
                problems.add(where, "fixed_ip needs the network's subnets: network %r is not in openstack_network_networks"
                             % (server["network"],))
            else:
                matches = [(n, c) for n, c in network_subnets[server["network"]] if address in c]
                if not matches:
                    problems.add(where, "fixed_ip %s is in no subnet of network %s (%s)"
                                 % (address, server["network"],
                                    ", ".join(str(c) for _n, c in network_subnets[server["network"]]) or "no subnets"))
                elif address in (matches[0][1].network_address, matches[0][1].broadcast_address) and matches[0][1].version == 4:
                    problems.add(where, "fixed_ip %s is the network or broadcast address of %s" % (address, matches[0][1]))
                elif matches[0][0] is None:
                    problems.add(where, "fixed_ip %s: its subnet has no name in openstack_network_networks" % address)
                else:
                    server["fixed_ip"] = str(address)
                    server["subnet"] = matches[0][0]
                    _duplicate(seen_ips, server["fixed_ip"], where, "fixed_ip %s" % address, problems)
        servers.append(server)
    return {
        "servers": servers,
        "images": _images(images, problems),
        "keypairs": _keypairs(keypairs, problems),
        "problems": list(problems),
    }


def _images(value, problems):
    variable = "workspace_vms_images"
    result = []
    seen = {}
    for index, entry in _list_of_dicts(value, variable, problems):
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, IMAGE_KEYS, where, problems)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.add(where, "name is missing")
            continue
        if _duplicate(seen, name, where, "image %s" % name, problems):
            continue
        state = _state(entry, where, problems)
        sources = [key for key in ("url", "file") if entry.get(key)]
        if len(sources) > 1:
            problems.add(where, "give url or file, not both")
        checksum = entry.get("checksum")
        if checksum is not None and not re.match(r"^(sha256|sha512|sha1|md5):[0-9a-fA-F]+$", str(checksum)):
            problems.add(where, "checksum must look like sha256:<hex>, got %r" % (checksum,))
        result.append({
            "name": name,
            "state": state,
            "url": entry.get("url"),
            "file": entry.get("file"),
            "checksum": checksum,
            "disk_format": entry.get("disk_format", "qcow2"),
            "container_format": entry.get("container_format", "bare"),
            "min_disk": entry.get("min_disk"),
            "min_ram": entry.get("min_ram"),
            "visibility": entry.get("visibility"),
            "properties": entry.get("properties") or {},
            "upload": bool(sources),
        })
    return result


def _keypairs(value, problems):
    variable = "workspace_vms_keypairs"
    result = []
    seen = {}
    for index, entry in _list_of_dicts(value, variable, problems):
        where = _entry_label(variable, index, entry)
        _unknown_keys(entry, KEYPAIR_KEYS, where, problems)
        name = _name(entry, where, problems)
        if name is None or _duplicate(seen, name, where, "keypair %s" % name, problems):
            continue
        state = _state(entry, where, problems)
        sources = [key for key in ("public_key", "public_key_file") if entry.get(key)]
        if state == "present" and len(sources) != 1:
            problems.add(where, "give exactly one of public_key and public_key_file")
            continue
        result.append({"name": name, "state": state, "public_key": entry.get("public_key"),
                       "public_key_file": entry.get("public_key_file")})
    return result


# ---------------------------------------------------------------------------------------------
# What the cloud holds now (read once per run), and what check mode cannot ask the modules
# ---------------------------------------------------------------------------------------------

def found_state(projects=None, networks=None, subnets=None, routers=None, router_ports=None, security_groups=None):
    """The cloud's current objects, by the keys the role uses: projects by name, the others by
    "<project_id>/<name>"."""
    found = {
        "projects": id_map(projects, by_project=False),
        "networks": {},
        "subnets": id_map(subnets),
        "subnet_names": dict((s["id"], s.get("name")) for s in subnets or [] if isinstance(s, dict) and s.get("id")),
        "routers": {},
        "security_groups": id_map(security_groups),
    }
    by_name = {}
    for network in networks or []:
        if not isinstance(network, dict) or not network.get("id"):
            continue
        key = "%s/%s" % (network.get("project_id") or "", network.get("name"))
        found["networks"][key] = {
            "id": network["id"],
            "shared": network.get("is_shared", network.get("shared")),
            "external": network.get("is_router_external", network.get("router:external")),
            "mtu": network.get("mtu"),
            "port_security_enabled": network.get("is_port_security_enabled", network.get("port_security_enabled")),
        }
        by_name.setdefault(network.get("name"), []).append(network["id"])
    found["network_ids_by_name"] = dict((name, ids[0]) for name, ids in by_name.items() if len(ids) == 1)
    interfaces = {}
    for port in router_ports or []:
        if not isinstance(port, dict) or not port.get("device_id"):
            continue
        for fixed in port.get("fixed_ips") or []:
            interfaces.setdefault(port["device_id"], []).append(fixed.get("subnet_id"))
    for router in routers or []:
        if not isinstance(router, dict) or not router.get("id"):
            continue
        key = "%s/%s" % (router.get("project_id") or "", router.get("name"))
        gateway = router.get("external_gateway_info") or {}
        found["routers"][key] = {
            "id": router["id"],
            "network_id": gateway.get("network_id"),
            "subnet_ids": sorted(set(s for s in interfaces.get(router["id"], []) if s)),
        }
    return found


def router_interfaces(router, found):
    """What the router module's exclusive ``interfaces`` gets: the subnets the data routes through
    this router, plus the IDs of interfaces it has that the data does not mention (they are kept:
    nothing goes because it vanished from the inventory). Subnets of absent networks or subnets
    are left out, so they are detached. A subnet is given by ID when the cloud has it (the module
    looks names up in the router's project only), else by name."""
    project_id = found["projects"].get(router["project"], "")
    current = (found["routers"].get("%s/%s" % (project_id, router["name"])) or {}).get("subnet_ids") or []

    def subnet_id(name):
        owner = found["projects"].get(router["subnet_projects"].get(name, router["project"]), "")
        return found["subnets"].get("%s/%s" % (owner, name))

    named = set(filter(None, (subnet_id(name) for name in router["subnets"] + router["detach"])))
    wanted = [subnet_id(name) or name for name in router["subnets"]]
    return wanted + [sid for sid in current if sid not in named]


def check_mode_pending(plan, found):
    """Changes check mode cannot have a module report: objects of modules without check mode
    (network, router) and objects whose parent would be created first. One line each."""
    pending = []
    projects = found["projects"]

    def project_id(name):
        return projects.get(name)

    for project in plan["projects"]:
        if project["state"] == "present" and project["name"] not in projects:
            if project["quotas"]:
                pending.append("would set the quotas of new project %s" % project["name"])
            for member in project["members"]:
                if member["state"] == "present":
                    pending.append("would give %s the role %s in new project %s" % (member["user"], member["role"], project["name"]))
    networks_now = {}
    for network in plan["networks"]:
        pid = project_id(network["project"])
        current = found["networks"].get("%s/%s" % (pid, network["name"])) if pid else None
        networks_now[network["name"]] = current
        if network["state"] == "absent":
            if current:
                pending.append("would delete network %s" % network["name"])
            continue
        if current is None:
            pending.append("would create network %s in project %s" % (network["name"], network["project"]))
            continue
        for key in ("shared", "external", "mtu", "port_security_enabled"):
            if network.get(key) is not None and network[key] != current.get(key):
                pending.append("would change %s of network %s from %r to %r" % (key, network["name"], current.get(key), network[key]))
    for subnet in plan["subnets"]:
        if subnet["state"] == "present" and networks_now.get(subnet["network"]) is None:
            pending.append("would create subnet %s (%s) in new network %s" % (subnet["name"], subnet["cidr"], subnet["network"]))
    for router in plan["routers"]:
        pid = project_id(router["project"])
        current = found["routers"].get("%s/%s" % (pid, router["name"])) if pid else None
        if router["state"] == "absent":
            if current:
                pending.append("would delete router %s" % router["name"])
            continue
        if current is None:
            pending.append("would create router %s routing %s" % (router["name"], ", ".join(router["subnets"]) or "no subnet"))
            continue
        gateway = router["external_network"]
        if gateway:
            gateway_id = found["network_ids_by_name"].get(gateway, gateway)
            if current["network_id"] != gateway_id:
                pending.append("would set the gateway of router %s to %s" % (router["name"], gateway))
        wanted = set()
        owners = router.get("subnet_projects") or {}
        for name in router["subnets"]:
            subnet_id = found["subnets"].get("%s/%s" % (project_id(owners.get(name, router["project"])), name))
            if subnet_id is None:
                pending.append("would attach new subnet %s to router %s" % (name, router["name"]))
            else:
                wanted.add(subnet_id)
        for subnet_id in wanted - set(current["subnet_ids"]):
            pending.append("would attach subnet %s to router %s" % (found["subnet_names"].get(subnet_id, subnet_id), router["name"]))
        for name in router["detach"]:
            subnet_id = found["subnets"].get("%s/%s" % (project_id(owners.get(name, router["project"])), name))
            if subnet_id in current["subnet_ids"]:
                pending.append("would detach subnet %s from router %s" % (name, router["name"]))
    for share in plan["rbac"]:
        if share["state"] == "present" and (networks_now.get(share["network"]) is None
                                            or (share["target_project"] != "*" and share["target_project"] not in projects)):
            pending.append("would share new network %s with project %s" % (share["network"], share["target_project"]))
    groups = dict((g["name"], g) for g in plan["security_groups"])
    for group in plan["security_groups"]:
        if group["state"] != "present":
            continue
        pid = project_id(group["project"])
        if pid is None:
            pending.append("would create security group %s with %d rule(s) in new project %s"
                           % (group["name"], len(group["rules"]), group["project"]))
            continue
        exists = "%s/%s" % (pid, group["name"]) in found["security_groups"]
        missing = [name for name in group["remote_groups"]
                   if "%s/%s" % (project_id(groups[name]["project"]), name) not in found["security_groups"]]
        if exists and missing:
            pending.append("would set the rules of security group %s (they refer to new group(s) %s)"
                           % (group["name"], ", ".join(missing)))
    for address in plan["floating_ips"]:
        if address["state"] == "present" and address["project"] not in projects:
            pending.append("would create floating IP %s in new project %s" % (address["name"], address["project"]))
    return pending


def found_merge(found, kind, resources):
    """found with resources just created or updated (module results) added to kind."""
    merged = dict(found)
    if kind == "projects":
        merged["projects"] = dict(found["projects"], **id_map(resources, by_project=False))
    elif kind == "networks":
        merged["networks"] = dict(found["networks"], **found_state([], networks=resources)["networks"])
    elif kind in ("subnets", "security_groups"):
        merged[kind] = dict(found[kind], **id_map(resources))
    else:
        raise ValueError("found_merge: unknown kind %r" % (kind,))
    return merged


def found_id(found, kind, project, name):
    """The ID of a project (by name), or of a network, subnet or security group of a project; None
    when the cloud does not have it (yet)."""
    project_id = found["projects"].get(project)
    if kind == "projects":
        return project_id
    if project_id is None:
        return None
    value = found[kind].get("%s/%s" % (project_id, name))
    return value["id"] if isinstance(value, dict) else value


def found_ids(found, kind, project, names):
    """{name: ID} of those names the cloud has in the project."""
    result = {}
    for name in names or []:
        value = found_id(found, kind, project, name)
        if value is not None:
            result[name] = value
    return result


def network_ref_id(found, reference):
    """The ID of a network named (uniquely) or identified by reference, e.g. the external network;
    None when the cloud has no such network or several of that name."""
    if not reference:
        return None
    if reference in found["network_ids_by_name"]:
        return found["network_ids_by_name"][reference]
    for network in found["networks"].values():
        if network["id"] == reference:
            return reference
    return None


def endpoint_ports(ports, fixed_address=None):
    """The ports (port_info results) a floating IP may go to: all of them, or those that hold
    fixed_address."""
    result = []
    for port in ports or []:
        addresses = [f.get("ip_address") for f in port.get("fixed_ips") or []]
        if fixed_address in (None, "") or str(fixed_address) in addresses:
            result.append(port)
    return result


def images_found(read_results):
    """Names of the images Glance has, from image_info results looped over the images."""
    names = set()
    for result in read_results or []:
        for image in (result or {}).get("images") or []:
            if image.get("name"):
                names.add(image["name"])
    return names


def images_to_upload(images, read_results):
    """The images to upload: present, with a url or file, and not in Glance yet."""
    found = images_found(read_results)
    return [image for image in images if image["state"] == "present" and image["upload"] and image["name"] not in found]
