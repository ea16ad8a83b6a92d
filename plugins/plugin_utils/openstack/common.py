# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the OpenStack plans share: problems as text lines that name the variable and the entry,
the checks every list entry gets (name, state, unknown keys, declared twice), address parsing,
and the connection parameters of the openstack.cloud modules."""

from __future__ import annotations

import ipaddress
import re

STATES = ("present", "absent")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


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
