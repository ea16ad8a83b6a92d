# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the platform DNS that BIND would refuse on the host: forwarders that are not IP
addresses (BIND's forwarders take addresses only), listen and transfer addresses likewise.
The platform's zone name is checked with the placement (services.check_placement); a client's
own zone and servers here, with the function the dns_client role runs on its final values
(filter dns_client_problems)."""

from __future__ import annotations

import ipaddress

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import is_zone_name
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


def client_problems(values) -> list[str]:
    """What is wrong with one host's dns_client_zone and dns_client_servers (a missing one, or one
    that needs the play, is not judged)."""
    problems = []
    zone = values.get("dns_client_zone", UNKNOWN)
    if zone is not UNKNOWN and not is_zone_name(zone):
        problems.append("dns_client_zone: %r is not a DNS zone name (lower-case labels, e.g. localai.internal)" % (zone,))
    servers = values.get("dns_client_servers", UNKNOWN)
    if servers is not UNKNOWN:
        if not isinstance(servers, list) or not servers:
            problems.append("dns_client_servers: must list the platform's DNS servers (is the group dns_servers empty?), "
                            "got %r" % (servers,))
        else:
            problems.extend("dns_client_servers: %r is not an IP address (resolved takes addresses only)" % bad
                            for bad in _addresses(servers))
    return problems


def check_dns_client(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("dns_client", []):
        values = {"dns_client_zone": role_value(ctx, host, "dns_client", "dns_client_zone")}
        # the servers come from the DNS layer's placement when the inventory does not set them
        servers = ctx.vars.get(host, "dns_client_servers", UNKNOWN)
        if servers is not UNKNOWN:
            values["dns_client_servers"] = servers
        errors.extend("host %s: %s" % (host, problem) for problem in client_problems(values))
    return errors
