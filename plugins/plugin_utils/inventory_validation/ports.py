# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One port, one owner per host, across every role: a central service published on the port of
the gateway's front, Ollama on the RDP port, ... Each would only fail on the host, the second
service that binds it losing, after the layers before it have run."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.services import (
    enabled_central_services,
    host_catalog,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.service_settings import published_ports
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value

# (role, variable) of the ports the roles bind themselves, outside the catalog's Compose projects.
ROLE_PORTS = (
    ("ollama", "ollama_port"),
    ("workspace_desktop", "workspace_desktop_rdp_port"),
    ("nvidia_gpu", "nvidia_gpu_dcgm_exporter_port"),
)


def _owners(ctx, host) -> dict:
    owners: dict = {}
    catalog = None
    if host in ctx.role_hosts.get("central_services", []) or host in ctx.role_hosts.get("inference_gateway", []):
        catalog = host_catalog(ctx, host)
    if catalog is not None and host in ctx.role_hosts.get("central_services", []):
        enabled = [name for name in enabled_central_services(ctx, host, catalog) if name in catalog]
        for port, services in published_ports(catalog, enabled).items():
            for service in services:
                owners.setdefault(port, []).append("central service %s" % service)
    if catalog is not None and host in ctx.role_hosts.get("inference_gateway", []) and "gateway" in catalog:
        for port in published_ports(catalog, ["gateway"]):
            owners.setdefault(port, []).append("the inference gateway")
    for role, variable in ROLE_PORTS:
        if host in ctx.role_hosts.get(role, []):
            port = role_value(ctx, host, role, variable, UNKNOWN)
            if isinstance(port, int):
                owners.setdefault(port, []).append(variable)
    if host in ctx.role_hosts.get("dns_server", []):
        owners.setdefault(53, []).append("the platform DNS (dns_server)")
    if host in ctx.role_hosts.get("ceph_cluster", []):
        rgw_group = role_value(ctx, host, "ceph_cluster", "ceph_cluster_rgw_group", "ceph_rgws")
        port = role_value(ctx, host, "ceph_cluster", "ceph_cluster_rgw_port", UNKNOWN)
        if host in ctx.groups.get(rgw_group, []) and isinstance(port, int):
            owners.setdefault(port, []).append("ceph_cluster_rgw_port")
    return owners


def check_ports(ctx) -> list[str]:
    errors = []
    for host in ctx.hosts:
        for port, owners in sorted(_owners(ctx, host).items(), key=lambda item: str(item[0])):
            if isinstance(port, int) and not 0 < port < 65536:
                for owner in sorted(set(owners)):
                    # a role variable is named as the variable, so the problem is said where it is set
                    what = "%s: %s" % (owner, port) if owner.endswith("_port") else "port %s (%s)" % (port, owner)
                    errors.append("host %s: %s is not a port (1-65535)" % (host, what))
            distinct = sorted(set(owners))
            # two services of the catalog on one port: check_central_services says it with the fix
            if len(distinct) > 1 and not all(owner.startswith("central service ") for owner in distinct):
                errors.append("host %s: port %s is used by %s; give one of them another port"
                              % (host, port, " and ".join(distinct)))
    return errors
