# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the Ceph cluster's data, checked before the storage layer touches a disk: networks
with a prefix that hold the daemons' hosts, a monitor quorum of an odd number of at least three,
pools no larger than the OSD hosts can hold, an OSD device listed twice, clients that mount or
fetch a cephx identity nobody declares, ports in range."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import (
    UNKNOWN,
    host_address,
    role_value,
)


def _network(text):
    try:
        return ipaddress.ip_network(str(text), strict=True)
    except ValueError:
        return None


def _networks(ctx, host, errors):
    found = []
    for name in ("ceph_cluster_public_network", "ceph_cluster_cluster_network"):
        value = role_value(ctx, host, "ceph_cluster", name, "")
        if value in (UNKNOWN, "", None):
            continue
        if "/" not in str(value):
            errors.append("host %s: %s: %r has no prefix length (write it as a network, e.g. %s/24)"
                          % (host, name, value, value))
            continue
        network = _network(value)
        if network is None:
            errors.append("host %s: %s: %r is not a network address (host bits set or not a CIDR)" % (host, name, value))
            continue
        found.append((name, network))
    return found


def check_ceph_cluster(ctx) -> list[str]:
    errors = []
    hosts = ctx.role_hosts.get("ceph_cluster", [])
    if not hosts:
        return errors
    first = hosts[0]
    mon_group = role_value(ctx, first, "ceph_cluster", "ceph_cluster_mon_group", "ceph_mons")
    osd_group = role_value(ctx, first, "ceph_cluster", "ceph_cluster_osd_group", "ceph_osds")
    mons = ctx.groups.get(mon_group, [])
    if len(mons) < 3 or len(mons) % 2 == 0:
        errors.append("group %s: %d monitor(s) (%s); a quorum needs an odd number of monitors, at least three"
                      % (mon_group, len(mons), ", ".join(mons) or "none"))
    osd_hosts = ctx.groups.get(osd_group, [])
    outside: dict = {}
    for host in hosts:
        for name, network in _networks(ctx, host, errors):
            address = host_address(ctx, host)
            if name == "ceph_cluster_public_network" and address is not None and address not in network:
                outside.setdefault(network, []).append((host, address))
        size = role_value(ctx, host, "ceph_cluster", "ceph_cluster_pool_size", UNKNOWN)
        min_size = role_value(ctx, host, "ceph_cluster", "ceph_cluster_pool_min_size", UNKNOWN)
        if isinstance(size, int) and osd_hosts and size > len(osd_hosts):
            errors.append("host %s: ceph_cluster_pool_size: %d copies, but group %s has only %d host(s); "
                          "the pools would never become healthy" % (host, size, osd_group, len(osd_hosts)))
        if isinstance(size, int) and isinstance(min_size, int) and min_size > size:
            errors.append("host %s: ceph_cluster_pool_min_size: %d is larger than ceph_cluster_pool_size %d"
                          % (host, min_size, size))
        devices = role_value(ctx, host, "ceph_cluster", "ceph_cluster_osd_devices", [])
        if isinstance(devices, list):
            seen = set()
            for device in devices:
                if device in seen:
                    errors.append("host %s: ceph_cluster_osd_devices: %s is listed twice" % (host, device))
                seen.add(device)
    for network, members in outside.items():
        # one line for the network (it is one value), naming every host it leaves out
        definitions = [d for d in ctx.files.definitions if d.variable == "ceph_cluster_public_network"]
        if len({(d.scope, d.name, d.file) for d in definitions}) == 1:
            errors.append("ceph_cluster_public_network: %s does not contain the address of %s"
                          % (network, ", ".join("%s (%s)" % member for member in members)))
        else:
            errors.extend("host %s: ceph_cluster_public_network: %s does not contain the host's address"
                          % (host, network) for host, _address in members)
    return errors


def _client_names(ctx, host):
    names = []
    mounts = role_value(ctx, host, "ceph_client", "ceph_client_mounts", [])
    for mount in mounts if isinstance(mounts, list) else []:
        if isinstance(mount, Mapping):
            names.append(("ceph_client_mounts", str(mount.get("client", "client.models"))))
    keyrings = role_value(ctx, host, "ceph_client", "ceph_client_keyrings", [])
    for keyring in keyrings if isinstance(keyrings, list) else []:
        name = keyring.get("name") if isinstance(keyring, Mapping) else keyring
        if name not in (None, ""):
            names.append(("ceph_client_keyrings", str(name)))
    return names


def check_ceph_clients(ctx) -> list[str]:
    """A mount or keyring names a cephx client that ceph_resources declares."""
    errors = []
    declaring = ctx.role_hosts.get("ceph_resources", [])
    if not declaring:
        return errors  # an external cluster: its clients are not in this inventory
    declared = set()
    for host in declaring:
        clients = role_value(ctx, host, "ceph_resources", "ceph_resources_clients", UNKNOWN)
        if clients is UNKNOWN:
            return errors
        declared |= {str(client.get("name")) for client in clients or [] if isinstance(client, Mapping)}
    for host in ctx.role_hosts.get("ceph_client", []):
        for variable, name in _client_names(ctx, host):
            if name not in declared and name != "client.admin":
                errors.append("host %s: %s: %s is not a client of ceph_resources_clients (declared: %s)"
                              % (host, variable, name, ", ".join(sorted(declared)) or "none"))
    return errors
