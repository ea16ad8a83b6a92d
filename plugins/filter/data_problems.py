# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters: what is wrong with one host's data for a role, the validation's own rules.

``./foundry validate`` runs these functions offline over the whole inventory; each role runs the
same function again on the host's final values (a play that skipped validation refuses exactly
the same data). Every filter returns one sentence per problem, ``<variable>: <what is wrong>``,
and the role names the host. Each filter's documentation is the .yml file of its name next to
this one."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation import (
    ceph,
    desktop,
    dns,
    firewall,
    ollama_settings,
    service_settings,
)


def _values(name, values):
    if not isinstance(values, Mapping):
        raise AnsibleFilterError("%s: the input must map variable names to values, got %r" % (name, values))
    return values


def _catalog(name, catalog):
    try:
        return service_settings.catalog_by_name(catalog, name)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def ollama_settings_problems(values):
    return ollama_settings.settings_problems(_values("ollama_settings_problems", values))


def central_services_problems(values, catalog):
    values = _values("central_services_problems", values)
    return service_settings.central_services_problems(
        _catalog("central_services_problems", catalog), values.get("central_services_enabled"),
        values.get("central_services_absent"), values.get("central_services_settings"),
        values.get("central_services_public_urls"))


def workspace_stack_problems(values, catalog, local):
    values = _values("workspace_stack_problems", values)
    if not isinstance(local, list):
        raise AnsibleFilterError("workspace_stack_problems: local must be the list of the workspace's services")
    return service_settings.workspace_stack_problems(
        _catalog("workspace_stack_problems", catalog), local, values.get("workspace_stack_settings"),
        values.get("workspace_stack_limits"))


def service_settings_problems(settings, entry, variable="settings"):
    if not isinstance(entry, Mapping) or "name" not in entry:
        raise AnsibleFilterError("service_settings_problems: entry must be a catalog entry, got %r" % (entry,))
    return service_settings.unknown_settings(entry, settings, variable)


def ceph_cluster_problems(values, monitors, osd_hosts, mon_group="ceph_mons", osd_group="ceph_osds", address=None):
    values = _values("ceph_cluster_problems", values)
    if not isinstance(monitors, list) or not isinstance(osd_hosts, list):
        raise AnsibleFilterError("ceph_cluster_problems: monitors and osd_hosts must be lists of host names")
    return (ceph.monitor_problems(mon_group, monitors, values.get("ceph_cluster_allow_single_monitor", False))
            + ceph.cluster_problems(values, osd_group, osd_hosts, address or None))


def ceph_client_problems(values):
    values = _values("ceph_client_problems", values)
    return ceph.client_problems(values.get("ceph_client_keyrings") or [], values.get("ceph_client_mounts") or [])


def dns_client_problems(values):
    return dns.client_problems(_values("dns_client_problems", values))


def service_firewall_problems(values):
    return firewall.firewall_problems(_values("service_firewall_problems", values))


def workspace_desktop_problems(values):
    return desktop.desktop_problems(_values("workspace_desktop_problems", values))


class FilterModule:

    def filters(self):
        return {
            "ollama_settings_problems": ollama_settings_problems,
            "central_services_problems": central_services_problems,
            "workspace_stack_problems": workspace_stack_problems,
            "service_settings_problems": service_settings_problems,
            "ceph_cluster_problems": ceph_cluster_problems,
            "ceph_client_problems": ceph_client_problems,
            "dns_client_problems": dns_client_problems,
            "service_firewall_problems": service_firewall_problems,
            "workspace_desktop_problems": workspace_desktop_problems,
        }
