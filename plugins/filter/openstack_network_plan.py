# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters: the OpenStack network layer's data checked and expanded; helpers for the roles."""

from __future__ import annotations

DOCUMENTATION = r"""
name: openstack_network_plan
short_description: The OpenStack network layer's data, checked and expanded before any API call
version_added: 0.4.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - >-
    Checks the data of role C(openstack_network) (projects, networks, routers, security groups,
    floating IPs) and expands it into the lists the role applies - subnets with the platform's DNS
    servers as default C(dns_nameservers), the subnets each router routes, the RBAC shares, and
    the security groups' exclusive rule lists.
  - >-
    Security group rules may be derived from the placement (filter
    C(foundrycloud.platform.platform_placement)) - C(service) (a catalog service's port),
    C(services_of) (every central service the placement puts on a group's hosts), C(remote_service)
    (the addresses of the hosts that provide a service), C(remote_hosts) (inventory hosts'
    addresses), C(remote_network) (a declared network's subnets).
  - >-
    Problems are returned under C(problems), one line each, starting with the variable and the
    entry (C(openstack_network_networks[acme-ws]: ...)); the role stops on them before contacting
    the cloud.
  - >-
    The same file holds C(openstack_rules_with_ids) (input the expanded rules, argument a mapping
    of security group name to ID; C(remote_group) names become IDs), C(openstack_id_map) (input a
    list of OpenStack resources; returns C({"<project_id>/<name>": id}), or C({name: id}) with
    C(by_project=false)) and C(openstack_connection) (input C(openstack_cloud), a clouds.yaml name
    or a dict of its settings; returns the module parameters for C(module_defaults), the auth dict
    under the modules' C(auth) option, which they never log; C(project_id) scopes the token).
  - >-
    And the role's helpers for what the cloud holds - C(openstack_found_state) (input the
    C(project_info) projects, arguments the networks, subnets, routers, router interface ports
    and security groups read from the cloud; returns IDs by name), C(openstack_found_merge) (input
    that state, arguments a kind and the resources a module returned), C(openstack_found_id) (input
    that state, arguments kind, project and name; the ID or none), C(openstack_found_ids) (the same
    for a list of names; a dict of those that exist), C(openstack_network_ref_id) (input that state,
    argument a network name or ID; the ID when exactly one network matches), C(openstack_endpoint_ports)
    (input C(port_info) ports, argument a fixed address; the ports that hold it), C(openstack_router_interfaces)
    (input a planned router, argument that state; the router module's exclusive C(interfaces),
    keeping interfaces the data does not mention) and C(openstack_check_mode_pending) (input the
    plan, argument that state; the changes check mode cannot have a module report, one line each).
  - >-
    Look first, then change - C(openstack_network_changes) (input the plan, arguments the
    C(foundrycloud.platform.openstack_state_info) result's C(state) and C(openstack_found_state) of
    it; returns the present C(projects), C(members) (each with its C(project)), C(quotas),
    C(networks), C(subnets), C(routers), C(security_groups) and C(security_group_rules) that
    need their module, because the cloud lacks them or holds other values) and
    C(openstack_floating_ip_changes) (the same arguments; returns C(floating_ips), the endpoints
    whose floating IP is missing or attached elsewhere, and C(floating_addresses),
    C({name: address}) of the others). An object is left out only when every value its module
    would get is known and equal.
options:
  _input:
    description: >-
      The data - C(projects), C(networks), C(routers), C(security_groups), C(floating_ips) (lists),
      C(external_network), C(dns_nameservers), C(domain).
    type: dict
    required: true
  placement:
    description: The platform placement (C(platform_placement)); empty when the inventory has none.
    type: dict
    default: {}
  hostvars:
    description: C(hostvars), for the addresses of C(remote_hosts) (C(platform_address), else an IP C(ansible_host)).
    type: dict
    default: {}
  groups:
    description: C(groups).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Check and expand the network layer's data
  ansible.builtin.set_fact:
    openstack_network_plan: >-
      {{ {'projects': openstack_network_projects, 'networks': openstack_network_networks,
          'routers': openstack_network_routers, 'security_groups': openstack_network_security_groups,
          'floating_ips': openstack_network_floating_ips, 'external_network': openstack_network_external_network,
          'dns_nameservers': openstack_network_dns_nameservers, 'domain': openstack_network_domain}
         | foundrycloud.platform.openstack_network_plan(platform_placement | default({}), hostvars, groups) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    projects: {description: "name, description, domain, enabled, quotas, members, state.", type: list}
    networks: {description: "name, project, state, router, subnets (names) and the network's attributes.", type: list}
    subnets: {description: "name, network, project, state, cidr, ip_version, gateway_ip, dns_nameservers, allocation_pools, ...", type: list}
    routers: {description: "name, project, state, external_network, enable_snat, subnets (to route), detach (to remove).", type: list}
    rbac: {description: "network, project, target_project, state.", type: list}
    security_groups: {description: "name, project, description, stateful, state, rules (exclusive; remote_group by name).", type: list}
    floating_ips: {description: "name, project, state, port or server, fixed_address, address, network, description.", type: list}
    problems: {description: Problems found; empty when the data is valid., type: list}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.changes import (
    floating_ip_changes,
    network_changes,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.common import connection
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.found_state import (
    check_mode_pending,
    endpoint_ports,
    found_id,
    found_ids,
    found_merge,
    found_state,
    id_map,
    network_ref_id,
    router_interfaces,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import (
    network_plan,
    rules_with_ids,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import (
    PlacementError,
    read_host_variables,
)


def openstack_network_plan(data, placement=None, hostvars=None, groups=None):
    if not isinstance(data, dict):
        raise AnsibleFilterError("openstack_network_plan: the input must be a dict of the layer's data")
    groups = dict(groups or {})
    names = list(groups.get("all") or [])
    try:
        hosts = read_host_variables(hostvars or {}, names, ("platform_address", "ansible_host"))
    except PlacementError as exc:
        raise AnsibleFilterError("openstack_network_plan: %s" % exc) from None
    return network_plan(data, placement=placement or {}, hosts=hosts, groups=groups)


def openstack_rules_with_ids(rules, group_ids):
    try:
        return rules_with_ids(rules or [], group_ids or {})
    except ValueError as exc:
        raise AnsibleFilterError("openstack_rules_with_ids: %s" % exc) from None


def openstack_id_map(resources, by_project=True, names=None):
    return id_map(resources, by_project=by_project, names=names)


def openstack_found_state(projects, networks=None, subnets=None, routers=None, router_ports=None, security_groups=None):
    return found_state(projects, networks, subnets, routers, router_ports, security_groups)


def openstack_found_merge(found, kind, resources):
    try:
        return found_merge(found, kind, resources or [])
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


def openstack_found_id(found, kind, project, name=None):
    return found_id(found, kind, project, name)


def openstack_found_ids(found, kind, project, names):
    return found_ids(found, kind, project, names)


def openstack_network_ref_id(found, reference):
    return network_ref_id(found, reference)


def openstack_endpoint_ports(ports, fixed_address=None):
    return endpoint_ports(ports, fixed_address)


def openstack_router_interfaces(router, found):
    return router_interfaces(router, found)


def openstack_check_mode_pending(plan, found):
    return check_mode_pending(plan, found)


def openstack_network_changes(plan, state, found):
    return network_changes(plan, state or {}, found)


def openstack_floating_ip_changes(plan, state, found):
    return floating_ip_changes(plan, state or {}, found)


def openstack_connection(cloud, project_id=None):
    try:
        return connection(cloud, project_id=project_id)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:

    def filters(self):
        return {
            "openstack_network_plan": openstack_network_plan,
            "openstack_rules_with_ids": openstack_rules_with_ids,
            "openstack_id_map": openstack_id_map,
            "openstack_connection": openstack_connection,
            "openstack_found_state": openstack_found_state,
            "openstack_found_merge": openstack_found_merge,
            "openstack_found_id": openstack_found_id,
            "openstack_found_ids": openstack_found_ids,
            "openstack_network_ref_id": openstack_network_ref_id,
            "openstack_endpoint_ports": openstack_endpoint_ports,
            "openstack_router_interfaces": openstack_router_interfaces,
            "openstack_check_mode_pending": openstack_check_mode_pending,
            "openstack_network_changes": openstack_network_changes,
            "openstack_floating_ip_changes": openstack_floating_ip_changes,
        }
