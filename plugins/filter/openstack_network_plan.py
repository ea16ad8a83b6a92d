# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters: the OpenStack network layer's data checked and expanded; helpers for the roles.

Each filter's documentation is the .yml file of its name next to this one."""

from __future__ import annotations

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
