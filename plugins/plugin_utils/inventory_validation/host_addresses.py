# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the hosts' addresses: an address that looks like an IP but is none, a
platform_address that is not an IP, and one address given to two hosts (DNS records, firewall
rules and Guacamole connections would point at the wrong machine)."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING

LOOKS_NUMERIC = re.compile(r"^[0-9.]+$|^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$")
LOCAL_CONNECTIONS = ("local",)


def check_host_addresses(ctx) -> list[str]:
    errors = []
    owners: dict = {}
    for host in ctx.hosts:
        for name in ("ansible_host", "platform_address"):
            value = ctx.vars.get(host, name, None)
            if value in (None, MISSING, ""):
                continue
            text = str(value)
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                if name == "platform_address" or LOOKS_NUMERIC.match(text):
                    errors.append("host %s: %s: %r is not an IP address" % (host, name, text))
                continue
            if ctx.vars.get(host, "ansible_connection", None) in LOCAL_CONNECTIONS or address.is_loopback:
                continue
            owners.setdefault(address, {}).setdefault(host, name)
    for address, hosts in sorted(owners.items()):
        if len(hosts) < 2:
            continue
        for host, name in sorted(hosts.items()):
            others = ", ".join(other for other in sorted(hosts) if other != host)
            errors.append("host %s: %s: %s is also the address of %s" % (host, name, address, others))
    return errors
