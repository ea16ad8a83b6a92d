# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the platform DNS that BIND would refuse on the host: forwarders that are not IP
addresses (BIND's forwarders take addresses only), listen and transfer addresses likewise.
The zone name itself is checked with the placement (services.check_placement)."""

from __future__ import annotations

import ipaddress

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value


def _addresses(value):
    for item in value if isinstance(value, list) else []:
        text = str(item.get("address", "")) if isinstance(item, dict) else str(item)
        try:
            ipaddress.ip_address(text)
        except ValueError:
            yield text


def check_dns_server(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("dns_server", []):
        for name, what in (("dns_server_forwarders", "forwarders"), ("dns_server_listen_addresses", "listen addresses")):
            value = role_value(ctx, host, "dns_server", name, [])
            if value is UNKNOWN:
                continue
            for bad in _addresses(value):
                errors.append("host %s: %s: %r is not an IP address (BIND takes addresses as %s)" % (host, name, bad, what))
    return errors
