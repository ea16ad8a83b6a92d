# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Look first, then change: which planned OpenStack objects differ from what the cloud holds.

Input: a plan (network_plan.network_plan / workspace_plan.workspace_plan) and the state one
openstack_state_info call read. Output: the objects for which the roles must call an
openstack.cloud module. Each comparison follows what that module itself compares (its
_build_update / _will_change), and errs one way only: an object is left out only when every
value the role passes to its module is known and equal; anything missing, ambiguous or not
comparable here keeps the module call, which then decides as before. So an edited inventory is
always applied, and a run that changes nothing makes no module call for objects in place."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.found_state import (
    endpoint_ports, found_id, network_ref_id, router_interfaces)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import rules_with_ids

# Quotas openstack.cloud.quota ignores per service (they left the APIs).
QUOTA_EXCLUSIONS = {
    "compute": {"fixed_ips", "floating_ips", "name", "networks", "security_group_rules", "security_groups"},
    "load_balancer": {"name"},
    "network": {"name", "l7_policies", "load_balancers", "loadbalancer", "health_monitors", "pools", "listeners"},
    "volume": {"name"},
}
# Server states in which openstack.cloud.server updates a server (others: it fails or waits).
SERVER_SETTLED = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")


def _key(project_id, name):
    return "%s/%s" % (project_id or "", name)


def _index(resources):
    """{"<project_id>/<name>": [resources]} of a state list."""
    index = {}
    for resource in resources or []:
        if isinstance(resource, dict) and resource.get("id"):
            index.setdefault(_key(resource.get("project_id") or resource.get("tenant_id"), resource.get("name")),
                             []).append(resource)
    return index


def _one(index, key):
    matches = index.get(key) or []
    return matches[0] if len(matches) == 1 else None


def _domain_id(state, domain):
    """The ID of a domain given by name or ID; the value itself when the domains were not read."""
    for entry in state.get("domains") or []:
        if domain in (entry.get("id"), entry.get("name")):
            return entry.get("id")
    return domain


def _sorted_dicts(values):
    return sorted((dict(v) for v in values or []), key=lambda d: sorted((k, str(v)) for k, v in d.items()))


# ---------------------------------------------------------------------------------------------
# Network layer
# ---------------------------------------------------------------------------------------------

def _project_differs(project, current, state):
    if current is None:
        return True
    if current.get("domain_id") != _domain_id(state, project["domain"]):
        return True
    if project["description"] is not None and current.get("description") != project["description"]:
        return True
    return current.get("is_enabled") != project["enabled"]


def _quota_differs(quotas, current):
    """current: {service: {quota: value}} of the project, as openstack.cloud.quota reads them."""
    if not current:
        return True
    for name, value in quotas.items():
        services = [s for s, values in current.items() if name in values and name not in QUOTA_EXCLUSIONS.get(s, ())]
        if not services:
            return True    # not comparable here: the module decides
        if any(current[s][name] != value for s in services):
            return True
    return False


def _member_in_place(member, project_id, assignments):
    """Whether the user has the role in the project (by name or ID; user_domain by name or ID)."""
    for assignment in assignments:
        if assignment.get("project_id") != project_id:
            continue
        if member["user"] not in (assignment.get("user"), assignment.get("user_id")):
            continue
        if member["role"] not in (assignment.get("role"), assignment.get("role_id")):
            continue
        if member.get("user_domain") not in (None, assignment.get("user_domain"), assignment.get("user_domain_id")):
            continue
        return True
    return False


NETWORK_ATTRIBUTES = (("shared", "is_shared"), ("external", "is_router_external"), ("mtu", "mtu"),
                      ("port_security_enabled", "is_port_security_enabled"),
                      ("provider_network_type", "provider_network_type"),
                      ("provider_physical_network", "provider_physical_network"),
                      ("provider_segmentation_id", "provider_segmentation_id"), ("dns_domain", "dns_domain"))


def _network_differs(network, current):
    if current is None:
        return True
    return any(network[key] is not None and current.get(attribute) != network[key]
               for key, attribute in NETWORK_ATTRIBUTES)


def _subnet_differs(subnet, current, network_id):
    if current is None or network_id is None or current.get("network_id") != network_id:
        return True
    wanted = {"cidr": subnet["cidr"], "ip_version": subnet["ip_version"], "is_dhcp_enabled": subnet["enable_dhcp"]}
    for key in ("description", "ipv6_ra_mode", "ipv6_address_mode"):
        if subnet[key] is not None:
            wanted[key] = subnet[key]
    if subnet["no_gateway"]:
        wanted["gateway_ip"] = None
    elif subnet["gateway_ip"] is not None:
        wanted["gateway_ip"] = subnet["gateway_ip"]
    if any(current.get(key) != value for key, value in wanted.items()):
        return True
    if sorted(subnet["dns_nameservers"]) != sorted(current.get("dns_nameservers") or []):
        return True
    for key in ("allocation_pools", "host_routes"):
        if subnet[key] and _sorted_dicts(subnet[key]) != _sorted_dicts(current.get(key)):
            return True
    return False


def _router_differs(router, current, found):
    if current is None:
        return True
    gateway = current.get("external_gateway_info") or {}
    if router["external_network"]:
        if gateway.get("network_id") != network_ref_id(found, router["external_network"]):
            return True
    elif gateway:
        return True
    if router["enable_snat"] is not None and gateway.get("enable_snat") != router["enable_snat"]:
        return True
    if router["external_fixed_ips"]:
        return True    # given by subnet name or ID: the module compares them
    project_id = found["projects"].get(router["project"], "")
    current_subnets = (found["routers"].get(_key(project_id, router["name"])) or {}).get("subnet_ids") or []
    wanted = router_interfaces(router, found)
    subnet_ids = set(found["subnets"].values())
    if any(entry not in subnet_ids for entry in wanted):
        return True    # a subnet the cloud does not have yet
    return sorted(set(wanted)) != sorted(set(current_subnets))


def rule_prototype(rule, group):
    """A planned rule (remote_group an ID) as openstack.cloud.security_group matches it against
    the group's rules (its _generate_security_group_rules)."""
    prototype = dict((k, rule[k]) for k in ("description", "direction", "remote_ip_prefix") if rule.get(k) is not None)
    prototype["project_id"] = group.get("project_id")
    prototype["security_group_id"] = group["id"]
    if rule.get("remote_group") is not None:
        prototype["remote_group_id"] = rule["remote_group"]
    if rule.get("ether_type") is not None:
        prototype["ether_type"] = rule["ether_type"]
    protocol = rule.get("protocol")
    if protocol is not None and protocol not in ("any", "0"):
        prototype["protocol"] = protocol
    for key in ("port_range_max", "port_range_min"):
        value = rule.get(key)
        if value is None or protocol in ("any", "0"):
            continue
        if protocol in ("icmp", "ipv6-icmp", "tcp", "udp") and int(value) == -1:
            continue
        prototype[key] = int(value)
    return prototype


def rule_matches(prototype, rule):
    """openstack.cloud.security_group's is_security_group_rule_match."""
    skip = {"ether_type"}
    if "ether_type" in prototype and rule.get("ethertype") != prototype["ether_type"]:
        return False
    if prototype.get("protocol") in ("tcp", "udp"):
        if prototype.get("port_range_max") in (-1, 65535):
            if rule.get("port_range_max") is not None:
                return False
            skip.add("port_range_max")
        if prototype.get("port_range_min") in (-1, 1):
            if rule.get("port_range_min") is not None:
                return False
            skip.add("port_range_min")
    return all(rule.get(k) == v for k, v in prototype.items() if k not in skip)


def rules_differ(rules, group):
    """Whether the exclusive rule list would create or delete a rule of the group (a found
    security group with its security_group_rules)."""
    current = list(group.get("security_group_rules") or [])
    kept = set()
    for rule in rules:
        prototype = rule_prototype(rule, group)
        matches = [r for r in current if rule_matches(prototype, r)]
        if len(matches) != 1:
            return True    # missing, or ambiguous (the module fails on that)
        kept.add(matches[0].get("id"))
    return any(r.get("id") not in kept for r in current)


def _floating_ip_in_place(address, state, found):
    """The floating IP's address when an IP described for the endpoint is attached to the
    endpoint's one port; None when the module calls are needed."""
    project_id = found["projects"].get(address["project"])
    network_id = network_ref_id(found, address["network"])
    if project_id is None or network_id is None:
        return None
    if address["server"] is not None:
        servers = [s for s in state.get("servers") or []
                   if s.get("name") == address["server"] and s.get("project_id") == project_id]
        if len(servers) != 1:
            return None
        ports = [p for p in state.get("ports") or [] if p.get("device_id") == servers[0].get("id")]
    else:
        ports = [p for p in state.get("ports") or []
                 if p.get("project_id") == project_id and address["port"] in (p.get("name"), p.get("id"))]
    candidates = endpoint_ports(ports, address["fixed_address"])
    if len(candidates) != 1:
        return None
    ips = [ip for ip in state.get("floating_ips") or []
           if ip.get("project_id") == project_id and ip.get("floating_network_id") == network_id
           and ip.get("description") == address["description"]
           and (not address["address"] or ip.get("floating_ip_address") == str(address["address"]))]
    if len(ips) != 1 or ips[0].get("port_id") != candidates[0].get("id"):
        return None
    if address["fixed_address"] and ips[0].get("fixed_ip_address") != str(address["fixed_address"]):
        return None
    return ips[0].get("floating_ip_address")


def floating_ip_changes(plan, state, found):
    """The present floating IPs of the plan that need the module calls, and {name: address} of
    those in place."""
    todo, addresses = [], {}
    for address in plan["floating_ips"]:
        if address["state"] != "present":
            continue
        in_place = _floating_ip_in_place(address, state, found)
        if in_place is None:
            todo.append(address)
        else:
            addresses[address["name"]] = in_place
    return {"floating_ips": todo, "floating_addresses": addresses}


def network_changes(plan, state, found):
    """The present objects of the network plan that need a module call: those the cloud lacks or
    holds with other values. state: the openstack_state_info result; found: openstack_found_state
    of it."""
    projects = found["projects"]
    changes = {"projects": [], "members": [], "quotas": [], "networks": [], "subnets": [], "routers": [],
               "security_groups": [], "security_group_rules": []}
    by_id = dict((p.get("id"), p) for p in state.get("projects") or [])
    assignments = state.get("role_assignments") or []
    quotas = state.get("quotas") or {}
    for project in plan["projects"]:
        if project["state"] != "present":
            continue
        project_id = projects.get(project["name"])
        if _project_differs(project, by_id.get(project_id), state):
            changes["projects"].append(project)
        for member in project["members"]:
            in_place = project_id is not None and _member_in_place(member, project_id, assignments)
            if in_place != (member["state"] == "present"):
                changes["members"].append(dict(member, project=project["name"]))
        if project["quotas"] and (project_id is None or _quota_differs(project["quotas"], quotas.get(project_id))):
            changes["quotas"].append(project)

    networks = _index(state.get("networks"))
    for network in plan["networks"]:
        if network["state"] == "present" and _network_differs(
                network, _one(networks, _key(projects.get(network["project"]), network["name"]))):
            changes["networks"].append(network)
    subnets = _index(state.get("subnets"))
    for subnet in plan["subnets"]:
        if subnet["state"] != "present":
            continue
        current = _one(subnets, _key(projects.get(subnet["project"]), subnet["name"]))
        if _subnet_differs(subnet, current, found_id(found, "networks", subnet["project"], subnet["network"])):
            changes["subnets"].append(subnet)
    routers = _index(state.get("routers"))
    for router in plan["routers"]:
        if router["state"] == "present" and _router_differs(
                router, _one(routers, _key(projects.get(router["project"]), router["name"])), found):
            changes["routers"].append(router)

    groups = _index(state.get("security_groups"))
    planned_groups = dict((g["name"], g) for g in plan["security_groups"])
    for group in plan["security_groups"]:
        if group["state"] != "present":
            continue
        current = _one(groups, _key(projects.get(group["project"]), group["name"]))
        if current is None or current.get("description") != group["description"] or (
                group["stateful"] is not None and current.get("stateful") != group["stateful"]):
            changes["security_groups"].append(group)
        remote_ids = {}
        for name in group["remote_groups"]:
            owner = planned_groups.get(name, group)["project"]
            remote = _one(groups, _key(projects.get(owner), name))
            if remote is not None:
                remote_ids[name] = remote["id"]
        if current is None or len(remote_ids) != len(group["remote_groups"]) \
                or rules_differ(rules_with_ids(group["rules"], remote_ids), current):
            changes["security_group_rules"].append(group)
    return changes


# ---------------------------------------------------------------------------------------------
# Workspace VMs
# ---------------------------------------------------------------------------------------------

def _port_differs(server, port, subnet_id, group_ids):
    if port is None:
        return True
    if port.get("description") != "workspace VM of %s" % server["user"]:
        return True
    if server["fixed_ip"] is not None:
        wanted = [{"ip_address": server["fixed_ip"], "subnet_id": subnet_id}]
        current = [{"ip_address": f.get("ip_address"), "subnet_id": f.get("subnet_id")} for f in port.get("fixed_ips") or []]
        if current != wanted:
            return True
    if len(group_ids) != len(set(server["security_groups"])):
        return True    # a group the cloud lacks: the role's check names it
    return set(port.get("security_group_ids") or []) != set(group_ids.values())


def _server_differs(server, current):
    if current is None or current.get("status") not in SERVER_SETTLED:
        return True
    metadata = dict((str(k), str(v)) for k, v in (server["metadata"] or {}).items())
    if dict((str(k), str(v)) for k, v in (current.get("metadata") or {}).items()) != metadata:
        return True
    if current.get("tags"):
        return True
    groups = set(g.get("name") for g in current.get("security_groups") or [])
    return groups != set(server["security_groups"])


def workspace_lookup(plan, state, project_ids):
    """Per server of the plan ({name: ...}): what the cloud holds for it (network_count, network_id,
    subnet_count, subnet_id, group_ids {name: ID} of its security groups, port and server: the
    found resources or None, with port_count and server_count; project_port_count: ports of that
    name in the project on any network, which a removal deletes) and whether the port and server
    modules must run (port_changes, server_changes)."""
    networks = [n for n in state.get("networks") or [] if n.get("id")]
    result = {}
    for server in plan["servers"]:
        project_id = project_ids.get(server["project"])
        named = [n for n in networks if server["network"] in (n.get("name"), n.get("id"))]
        network_id = named[0]["id"] if len(named) == 1 else None
        subnets = [s for s in state.get("subnets") or []
                   if server["subnet"] and s.get("name") == server["subnet"] and s.get("network_id") == network_id]
        group_ids = dict((g["name"], g["id"]) for g in state.get("security_groups") or []
                         if g.get("project_id") == project_id and g.get("name") in server["security_groups"])
        ports = [p for p in state.get("ports") or []
                 if network_id and p.get("name") == server["port_name"] and p.get("network_id") == network_id]
        named_ports = [p for p in state.get("ports") or []
                       if p.get("name") == server["port_name"] and p.get("project_id") == project_id]
        servers = [s for s in state.get("servers") or []
                   if project_id and s.get("name") == server["name"] and s.get("project_id") == project_id]
        port = ports[0] if len(ports) == 1 else None
        current = servers[0] if len(servers) == 1 else None
        subnet_id = subnets[0]["id"] if len(subnets) == 1 else None
        result[server["name"]] = {
            "network_count": len(named),
            "network_id": network_id,
            "subnet_count": len(subnets),
            "subnet_id": subnet_id,
            "group_ids": group_ids,
            "port": port,
            "port_count": len(ports),
            "project_port_count": len(named_ports),
            "server": current,
            "server_count": len(servers),
            "port_changes": len(ports) != 1 or _port_differs(server, port, subnet_id, group_ids),
            "server_changes": len(servers) != 1 or _server_differs(server, current),
        }
    return result


def keypair_changes(keypairs, state):
    """The keypairs of the plan the keypair module must handle: present ones the cloud lacks or
    holds with another key (a key from a file is always handed on), absent ones it has."""
    current = dict((k.get("name"), k) for k in state.get("keypairs") or [])
    todo = []
    for keypair in keypairs:
        found = current.get(keypair["name"])
        if keypair["state"] == "absent":
            if found is not None:
                todo.append(keypair)
        elif found is None or not keypair["public_key"] \
                or (found.get("public_key") or "").strip() != str(keypair["public_key"]).strip():
            todo.append(keypair)
    return todo
