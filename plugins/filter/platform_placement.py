# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the placement of every platform service for the whole inventory."""

from __future__ import annotations

DOCUMENTATION = r"""
name: platform_placement
short_description: Which host runs which service, and the endpoints every workspace uses
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Computes, from the inventory and the service catalog, the services every host runs
    (centrally or inside a workspace VM), for every workspace VM the endpoint of every service it
    uses (the local instance by address, or the central one by its DNS name), the settings that
    wire a workspace's local services to them, the internal DNS records and the Guacamole
    desktop connections.
  - The inventory chooses within the catalog's C(placement) (seed 000's table) with
    C(central_services_enabled) on hosts of group C(central); every host of a service's
    C(central_group) (Ollama - C(gpu_nodes)); C(workspace_local_services) and
    C(workspace_central_services) on hosts of group C(workspace_vms); C(workspace_user);
    C(platform_address) (or an IP C(ansible_host)) for addresses.
  - Every consumer (roles, templates, DNS, the plan) reads this result; nothing re-derives placement.
  - See C(docs/placement.md) for the result's keys.
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  groups:
    description: C(groups).
    type: dict
    required: true
  catalog:
    description: The catalog entries, as the C(foundrycloud.platform.service_catalog) lookup returns them.
    type: list
    elements: dict
    required: true
  zone:
    description: The internal DNS zone (C(platform_dns_zone)).
    type: str
    required: true
  workspace_subdomain:
    description: Workspace VMs are named C(<user>.<workspace_subdomain>.<zone>); empty for C(<user>.<zone>).
    type: str
    default: ws
  strict:
    description: Fail with every problem listed (forbidden placement, a used service no host provides, missing address).
      With V(false), the problems are returned under C(problems).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Compute the placement once for every host of the play
  ansible.builtin.set_fact:
    platform_placement: >-
      {{ hostvars | foundrycloud.platform.platform_placement(groups, query('foundrycloud.platform.service_catalog'),
                                                            zone=platform_dns_zone) }}
  run_once: true

- name: The Ollama URLs of this workspace (local first, then central)
  ansible.builtin.debug:
    msg: "{{ platform_placement.workspaces[inventory_hostname].endpoints.ollama }}"
"""

RETURN = r"""
_value:
  description: The placement.
  type: dict
  contains:
    zone: {description: The zone., type: str}
    services: {description: "Per service: dns_name, fqdn, port, placement, providers (hosts), url (central URL or null).", type: dict}
    hosts: {description: "Per host: address, central (services it provides), local (services inside it, workspaces only).", type: dict}
    workspaces:
      description: "Per workspace VM: user, fqdn, address, local, central, endpoints (per service: placement, url,
        local_url, central_url, host, port, secret_namespace), settings (per local service: values and secret references)."
      type: dict
    dns_records: {description: "Records of the zone: name (relative), type, value.", type: list}
    dns_servers: {description: Addresses of the hosts of group dns_servers., type: list}
    desktops: {description: "Per workspace: workspace, user, name, hostname, port, secret_namespace (Guacamole connections).", type: list}
    problems: {description: Problems found (empty unless strict is false)., type: list}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import (
    GROUPS,
    HOST_VARIABLES,
    PlacementError,
    compute,
    read_host_variables,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, by_name


def platform_placement(hostvars, groups, catalog, zone, workspace_subdomain="ws", strict=True):
    try:
        entries = by_name(catalog, "platform_placement: catalog")
    except CatalogError as exc:
        raise AnsibleFilterError(str(exc)) from None
    wanted = set(GROUPS)
    wanted.update(entry.get("central_group", "central") for entry in catalog)
    names = []
    for group in sorted(wanted):
        names.extend(host for host in groups.get(group) or [] if host not in names)
    try:
        hosts = read_host_variables(hostvars, names, HOST_VARIABLES)
    except PlacementError as exc:
        raise AnsibleFilterError("platform_placement: %s" % exc) from None
    try:
        return compute(entries, hosts, dict(groups), zone,
                       workspace_subdomain=workspace_subdomain, strict=strict)
    except PlacementError as exc:
        raise AnsibleFilterError("platform_placement: the inventory's placement is not possible:\n%s" % exc) from None


class FilterModule:

    def filters(self):
        return {"platform_placement": platform_placement}
