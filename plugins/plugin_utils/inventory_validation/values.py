# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a role's effective value for a host offline: the inventory's value, else the role's
default when that is a plain value (a templated default needs the play and is not guessed)."""

from __future__ import annotations

import ipaddress

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING

UNKNOWN = MISSING  # the value cannot be known offline: rules skip it


def role_value(ctx, host: str, role: str, name: str, fallback=UNKNOWN):
    """host's value of name: the inventory's, else role's plain default, else fallback."""
    value = ctx.vars.get(host, name, MISSING)
    if value is not MISSING:
        return value
    if ctx.vars.has(host, name):
        return UNKNOWN  # set, but needs facts: HostVarAccess warned
    spec = ctx.roles.get(role)
    default = (spec.defaults if spec is not None else {}).get(name, MISSING)
    if default is MISSING or _templated(default):
        return fallback
    return default


def _templated(value) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(_templated(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_templated(item) for item in value)
    return False


def host_address(ctx, host: str):
    """The host's internal address (platform_address, else ansible_host when it is an IP), or None."""
    for name in ("platform_address", "ansible_host"):
        value = ctx.vars.get(host, name, None)
        if value in (None, MISSING, ""):
            continue
        try:
            return ipaddress.ip_address(str(value))
        except ValueError:
            continue
    return None
