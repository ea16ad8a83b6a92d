# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rule on the inventory's groups (check 3): every group is one the platform knows
(:data:`GROUP_CATALOG`), one a layer playbook names in its ``hosts:``, or one listed in
``platform_extra_groups``."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING, Context

# Groups the platform's playbooks and docs know about. A customer inventory may only use
# these, groups named literally in a layer playbook's `hosts:`, and the groups listed in
# `platform_extra_groups` (set it in group_vars/all for site-specific groups).
GROUP_CATALOG: dict[str, str] = {
    "central": "Central server: gateway, DNS, monitoring and the shared AI services.",
    "gpu_nodes": "Bare-metal GPU servers that run the inference services.",
    "workspace_vms": "Per-user workspace VMs created in OpenStack.",
    "docker_hosts": "Hosts that get Docker Engine for containerised services.",
    "dns_servers": "Authoritative/recursive DNS for the platform's domains.",
    "gateway": "The inference gateway: TLS, API keys, limits and usage in front of the GPU nodes' models.",
    "monitoring": "Prometheus, Grafana and log collection.",
    "ceph_mons": "Ceph monitors.",
    "ceph_mgrs": "Ceph managers.",
    "ceph_osds": "Ceph OSD (storage) nodes.",
    "ceph_mdss": "Ceph metadata servers (CephFS).",
    "ceph_rgws": "Ceph RADOS gateways (S3).",
    "ceph_clients": "Hosts that mount or use Ceph storage.",
    "openstack_controllers": "OpenStack control plane nodes.",
    "lab": "Lab and test hosts; never production.",
}

# Groups every inventory has.
BUILTIN_GROUPS = frozenset({"all", "ungrouped"})


def extra_groups(ctx: Context, errors: list | None = None) -> set[str]:
    """Union of ``platform_extra_groups`` over all hosts."""
    result: set[str] = set()
    for host in ctx.hosts:
        value = ctx.vars.get(host, "platform_extra_groups", None)
        if value is MISSING or value is None:
            continue
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or \
                not all(isinstance(item, str) for item in value):
            if errors is not None:
                errors.append("host %s: platform_extra_groups: must be a list of group names, got %r"
                              % (host, value))
            continue
        result.update(value)
    return result


def check_unknown_groups(ctx: Context) -> list[str]:
    """Check 3: every group is in the catalog, in platform_extra_groups or in a layer playbook."""
    errors: list[str] = []
    # a layer playbook's pattern may also name hosts; those are not groups
    known = set(GROUP_CATALOG) | extra_groups(ctx, errors) | (set(ctx.playbook_groups) - set(ctx.hosts))
    known_text = ", ".join(sorted(known))
    for group in sorted(ctx.groups):
        if group in BUILTIN_GROUPS or group in known:
            continue
        members = ", ".join(sorted(ctx.groups[group] or [])) or "none"
        errors.append("group %s: unknown group (hosts: %s); known: %s; add it to platform_extra_groups "
                      "if it is site-specific" % (group, members, known_text))
    return errors
