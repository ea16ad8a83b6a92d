# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rule on Docker's networks (check 4): the address pools and bridge of docker_engine must not
clash with the customer's networks (``platform_internal_networks``) or any inventory host's
address."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING, Context, _is_templated


def _network(text, interface: bool = False):
    """Parse a CIDR; with interface=True an address with prefix (10.0.0.1/24) is allowed."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError
    if interface:
        return ipaddress.ip_interface(text.strip()).network
    return ipaddress.ip_network(text.strip(), strict=False)


def _host_addresses(ctx: Context) -> list:
    """(address, host) for every inventory host whose ansible_host (or name) is an IP literal."""
    result = []
    for host in ctx.hosts:
        address = ctx.vars.get(host, "ansible_host", None)
        if address is MISSING:
            continue
        if address is None:
            address = host
        try:
            result.append((ipaddress.ip_address(str(address).strip()), host))
        except ValueError:
            continue
    return result


def check_docker_address_pools(ctx: Context) -> list[str]:
    """Check 4: Docker's address pools and bridge must not clash with customer networks
    (platform_internal_networks of the host) or with any inventory host's address."""
    role = "docker_engine"
    if role not in ctx.role_hosts:
        return []
    errors: list[str] = []
    defaults = ctx.roles[role].defaults
    addresses = _host_addresses(ctx)
    for host in ctx.role_hosts[role]:
        provided = ctx.provided.get((host, role), frozenset())
        internal = []
        networks = ctx.vars.get(host, "platform_internal_networks", None)
        if networks is not MISSING and networks is not None:
            if isinstance(networks, str) or not isinstance(networks, (list, tuple)):
                errors.append("host %s: platform_internal_networks: must be a list of CIDRs, got %r"
                              % (host, networks))
                networks = []
            for item in networks:
                try:
                    internal.append(_network(item))
                except ValueError:
                    errors.append("host %s: platform_internal_networks: %r is not a valid CIDR" % (host, item))

        candidates = []  # (variable, label, network)
        variable = "docker_engine_default_address_pools"
        if variable not in provided:
            suffix = ""
            if ctx.vars.has(host, variable):
                pools = ctx.vars.get(host, variable)
            else:
                pools, suffix = defaults.get(variable, MISSING), " (role default)"
                if _is_templated(pools):
                    pools = MISSING
            if pools is not MISSING and isinstance(pools, (list, tuple)):
                for pool in pools:
                    if not isinstance(pool, Mapping) or "base" not in pool:
                        continue  # shape problems are reported by the argument spec check
                    base = pool.get("base")
                    try:
                        network = _network(base)
                    except ValueError:
                        errors.append("host %s: %s: base %r is not a valid CIDR%s" % (host, variable, base, suffix))
                        continue
                    size = pool.get("size")
                    try:
                        size = int(size)
                    except (TypeError, ValueError):
                        size = None
                    if size is not None and not network.prefixlen <= size <= network.max_prefixlen:
                        errors.append("host %s: %s: size %s does not fit base %s (must be between %d and %d)%s"
                                      % (host, variable, size, network, network.prefixlen,
                                         network.max_prefixlen, suffix))
                    candidates.append((variable, "%s%s" % (network, suffix), network))

        variable = "docker_engine_bip"
        if variable not in provided:
            if ctx.vars.has(host, variable):
                bip, suffix = ctx.vars.get(host, variable), ""
            else:
                bip, suffix = defaults.get(variable, MISSING), " (role default)"
                if _is_templated(bip):
                    bip = MISSING
            if bip is not MISSING and bip not in (None, ""):
                try:
                    network = _network(bip, interface=True)
                except ValueError:
                    errors.append("host %s: %s: %r is not a valid address/prefix (e.g. 10.202.0.1/24)%s"
                                  % (host, variable, bip, suffix))
                else:
                    candidates.append((variable, "%s (network %s)%s" % (bip, network, suffix), network))

        for variable, label, network in candidates:
            for other in internal:
                if network.version == other.version and network.overlaps(other):
                    errors.append("host %s: %s: %s overlaps platform_internal_networks %s"
                                  % (host, variable, label, other))
            for address, owner in addresses:
                if address.version == network.version and address in network:
                    errors.append("host %s: %s: %s contains ansible_host %s of host %s"
                                  % (host, variable, label, address, owner))
    return errors
