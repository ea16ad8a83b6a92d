# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack layer's data, checked offline with the same code its roles run before their
first API call (plugin_utils/openstack): CIDRs with host bits, overlapping subnets, fixed IPs
outside their subnet or used twice, duplicate users, user names that are not Linux logins, an
empty flavor or image, negative sizes, for VMs that do not exist yet as for those that do."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.services import compute_placement
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import (
    UNKNOWN,
    host_address,
    role_value,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import network_plan
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.workspace_plan import workspace_plan

NETWORK_KEYS = ("projects", "networks", "routers", "security_groups", "floating_ips")
WORKSPACE_DEFAULTS = ("project", "flavor", "image", "network", "security_groups", "keypair", "volume_size",
                      "availability_zone", "name_format", "metadata")


def _hosts(ctx):
    hosts = {}
    for host in ctx.hosts:
        values = {}
        for name in ("platform_address", "ansible_host"):
            value = ctx.vars.get(host, name, None)
            if value not in (None, UNKNOWN):
                values[name] = value
        hosts[host] = values
    return hosts


def check_openstack_network(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("openstack_network", []):
        data = {key: role_value(ctx, host, "openstack_network", "openstack_network_" + key, []) for key in NETWORK_KEYS}
        data["external_network"] = role_value(ctx, host, "openstack_network", "openstack_network_external_network", "")
        data["domain"] = role_value(ctx, host, "openstack_network", "openstack_network_domain", "default")
        nameservers = role_value(ctx, host, "openstack_network", "openstack_network_dns_nameservers", UNKNOWN)
        if nameservers is UNKNOWN:  # the default: the platform DNS servers' addresses
            nameservers = [str(address) for address in (host_address(ctx, dns) for dns in ctx.groups.get("dns_servers", []))
                           if address is not None]
        data["dns_nameservers"] = nameservers
        if any(value is UNKNOWN for value in data.values()):
            continue
        computed = compute_placement(ctx)
        if computed is None:
            continue  # check_central_services names the override that does not resolve
        plan = network_plan(data, placement=computed[0], hosts=_hosts(ctx), groups=ctx.groups)
        errors.extend(plan["problems"])
    return errors


def check_workspace_vms(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("workspace_vms", []):
        users = role_value(ctx, host, "workspace_vms", "workspace_vms_users", [])
        defaults = {key: role_value(ctx, host, "workspace_vms", "workspace_vms_" + key, UNKNOWN) for key in WORKSPACE_DEFAULTS}
        defaults["customer"] = role_value(ctx, host, "workspace_vms", "workspace_vms_customer",
                                          role_value(ctx, host, "workspace_vms", "platform_customer", ""))
        networks = role_value(ctx, host, "workspace_vms", "workspace_vms_network_data",
                              role_value(ctx, host, "openstack_network", "openstack_network_networks", []))
        groups = role_value(ctx, host, "workspace_vms", "workspace_vms_security_group_data",
                            role_value(ctx, host, "openstack_network", "openstack_network_security_groups", []))
        images = role_value(ctx, host, "workspace_vms", "workspace_vms_images", [])
        keypairs = role_value(ctx, host, "workspace_vms", "workspace_vms_keypairs", [])
        if any(value is UNKNOWN for value in [users, networks, groups, images, keypairs, *defaults.values()]):
            continue
        if not users:
            continue
        plan = workspace_plan(users, defaults, networks=networks, images=images, keypairs=keypairs, security_groups=groups)
        errors.extend(plan["problems"])
    return errors
