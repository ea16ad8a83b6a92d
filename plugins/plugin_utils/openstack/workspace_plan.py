# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workspace VMs' data (role ``workspace_vms``), checked, defaulted and expanded by
:func:`workspace_plan` before any API call: one server per user with its port, fixed IP (and
the subnet it lies in), flavor, image, keypair, security groups, metadata; and the images and
keypairs the VMs use."""

from __future__ import annotations

import re

from ansible_collections.foundrycloud.platform.plugins.module_utils import placement
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.common import (
    NAME,
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
)

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
        login = placement.login_problem(user)
        if login:
            problems.add(where, "user " + login)
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
            problems.add(where, "volume_size must be a number of GiB (0: boot from the image without a volume), got %r"
                         % (server["volume_size"],))
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
