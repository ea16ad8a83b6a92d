# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the Ceph cluster's data, checked before the storage layer touches a disk: networks
with a prefix that hold the daemons' hosts, a monitor quorum of an odd number of at least three,
pools no larger than the OSD hosts can hold, an OSD device listed twice, clients that mount or
fetch a cephx identity nobody declares or that is not a client entity, ports in range.

The roles run the same functions on a host's final values (filters ceph_cluster_problems and
ceph_client_problems), so both refuse exactly the same data."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import (
    UNKNOWN,
    host_address,
    role_value,
)


FSID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLUSTER_VARIABLES = ("ceph_cluster_public_network", "ceph_cluster_cluster_network", "ceph_cluster_pool_size",
                     "ceph_cluster_pool_min_size", "ceph_cluster_osd_devices", "ceph_cluster_osd_wipe_devices",
                     "ceph_cluster_fsid", "ceph_cluster_allow_single_monitor")


def network_of(name: str, value, problems: list):
    """The network a ceph_cluster_*_network value names, or None (its problem appended)."""
    if value in (UNKNOWN, "", None):
        return None
    if "/" not in str(value):
        problems.append("%s: %r has no prefix length (write it as a network, e.g. %s/24)" % (name, value, value))
        return None
    try:
        return ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        problems.append("%s: %r is not a network address (host bits set or not a CIDR)" % (name, value))
        return None


def monitor_problems(mon_group: str, monitors: list, allow_single=False) -> list[str]:
    """A quorum: an odd number of monitors, at least three (one only when the site says so)."""
    count = len(monitors)
    if count == 1 and allow_single is True:
        return []
    if count >= 3 and count % 2 == 1:
        return []
    return ["group %s: %d monitor(s) (%s); a quorum needs an odd number of monitors, at least three "
            "(one only with ceph_cluster_allow_single_monitor: true)" % (mon_group, count, ", ".join(monitors) or "none")]


def cluster_problems(values: Mapping, osd_group: str, osd_hosts: list, address=None) -> list[str]:
    """What is wrong with one host's ceph_cluster_* values (a missing or UNKNOWN one is not judged).
    address: the host's address, to be inside the public network (None: not judged here)."""
    problems: list[str] = []

    def value(name, fallback=UNKNOWN):
        found = values.get(name, fallback)
        return fallback if found is UNKNOWN else found

    public = network_of("ceph_cluster_public_network", value("ceph_cluster_public_network"), problems)
    network_of("ceph_cluster_cluster_network", value("ceph_cluster_cluster_network"), problems)
    if public is not None and address is not None and ipaddress.ip_address(str(address)) not in public:
        problems.append("ceph_cluster_public_network: %s does not contain the host's address %s" % (public, address))
    size, min_size = value("ceph_cluster_pool_size"), value("ceph_cluster_pool_min_size")
    if isinstance(size, int) and osd_hosts and size > len(osd_hosts):
        problems.append("ceph_cluster_pool_size: %d copies, but group %s has only %d host(s); the pools would never "
                        "become healthy" % (size, osd_group, len(osd_hosts)))
    if isinstance(size, int) and isinstance(min_size, int) and min_size > size:
        problems.append("ceph_cluster_pool_min_size: %d is larger than ceph_cluster_pool_size %d" % (min_size, size))
    devices, wipe = value("ceph_cluster_osd_devices", []), value("ceph_cluster_osd_wipe_devices", [])
    if isinstance(devices, list):
        seen = set()
        for device in devices:
            if device in seen:
                problems.append("ceph_cluster_osd_devices: %s is listed twice" % device)
            seen.add(device)
        if isinstance(wipe, list):
            problems.extend("ceph_cluster_osd_wipe_devices: %s is not in ceph_cluster_osd_devices (only an OSD device "
                            "is ever wiped)" % device for device in wipe if device not in devices)
    fsid = value("ceph_cluster_fsid", "")
    if fsid not in ("", None) and not FSID.match(str(fsid)):
        problems.append("ceph_cluster_fsid: %r is not a lower-case UUID (leave it empty to generate one)" % (fsid,))
    return problems


def check_ceph_cluster(ctx) -> list[str]:
    errors = []
    hosts = ctx.role_hosts.get("ceph_cluster", [])
    if not hosts:
        return errors
    first = hosts[0]
    mon_group = role_value(ctx, first, "ceph_cluster", "ceph_cluster_mon_group", "ceph_mons")
    osd_group = role_value(ctx, first, "ceph_cluster", "ceph_cluster_osd_group", "ceph_osds")
    errors.extend(monitor_problems(mon_group, ctx.groups.get(mon_group, []),
                                   role_value(ctx, first, "ceph_cluster", "ceph_cluster_allow_single_monitor", False)))
    osd_hosts = ctx.groups.get(osd_group, [])
    outside: dict = {}
    for host in hosts:
        values = dict((name, role_value(ctx, host, "ceph_cluster", name)) for name in CLUSTER_VARIABLES)
        errors.extend("host %s: %s" % (host, problem) for problem in cluster_problems(values, osd_group, osd_hosts))
        # the address outside the public network is said once per network, naming every host
        public = network_of("ceph_cluster_public_network", values["ceph_cluster_public_network"], [])
        address = host_address(ctx, host)
        if public is not None and address is not None and address not in public:
            outside.setdefault(public, []).append((host, address))
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


ENTITY = re.compile(r"^client\.[A-Za-z0-9_.-]+$")


def client_problems(keyrings, mounts) -> list[str]:
    """What is wrong with one host's ceph_client_keyrings and ceph_client_mounts themselves."""
    problems: list[str] = []
    for index, keyring in enumerate(keyrings if isinstance(keyrings, list) else []):
        name = keyring.get("name") if isinstance(keyring, Mapping) else keyring
        if not ENTITY.match(str(name or "")):
            problems.append("ceph_client_keyrings[%d]: %r is not a cephx client entity (client.NAME)" % (index, name))
    for index, mount in enumerate(mounts if isinstance(mounts, list) else []):
        if not isinstance(mount, Mapping) or not str(mount.get("path") or "").startswith("/"):
            problems.append("ceph_client_mounts[%d]: needs an absolute path (got %r)"
                            % (index, mount.get("path") if isinstance(mount, Mapping) else mount))
        elif not ENTITY.match(str(mount.get("client", "client.models"))):
            problems.append("ceph_client_mounts[%d]: client %r is not a cephx client entity (client.NAME)"
                            % (index, mount.get("client")))
    return problems


def check_ceph_client_data(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("ceph_client", []):
        keyrings = role_value(ctx, host, "ceph_client", "ceph_client_keyrings", [])
        mounts = role_value(ctx, host, "ceph_client", "ceph_client_mounts", [])
        errors.extend("host %s: %s" % (host, problem) for problem in client_problems(keyrings, mounts))
    return errors


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
