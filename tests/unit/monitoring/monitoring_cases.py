# -*- coding: utf-8 -*-
"""What the monitoring tests share: a small site (one central host that is also the front and
the monitoring host, a GPU node, a DNS host, two workspaces, two Ceph nodes, a deploy host) and
its monitoring targets."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils import monitoring as mon
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement as pl
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve

ZONE = "localai.internal"
CATALOG = dict((entry["name"], entry) for entry in resolve(registry="docker.io"))


def site():
    hosts = {
        "core-1": {"platform_address": "10.0.1.10", "central_services_enabled": ["qdrant", "langfuse", "n8n", "guacamole"]},
        "gpu-1": {"ansible_host": "10.0.2.10"},
        "dns-1": {"ansible_host": "10.0.0.53"},
        "ws-alice": {"platform_address": "10.0.5.11", "workspace_user": "alice"},
        "ws-bob": {"platform_address": "10.0.5.12", "workspace_user": "bob", "workspace_local_services": ["ollama", "qdrant"]},
        "ceph-1": {"ansible_host": "10.0.3.11"},
        "ceph-2": {"ansible_host": "10.0.3.12"},
        "deploy": {"ansible_host": "10.0.9.1"},
    }
    groups = {"central": ["core-1"], "gpu_nodes": ["gpu-1"], "dns_servers": ["dns-1"], "workspace_vms": ["ws-alice", "ws-bob"],
              "gateway": ["core-1"], "monitoring": ["core-1"], "ceph_mons": ["ceph-1", "ceph-2"],
              "ceph_mgrs": ["ceph-1", "ceph-2"], "openstack_controllers": ["deploy"]}
    return hosts, groups


def place(hosts, groups):
    return pl.compute(CATALOG, hosts, groups, ZONE)


def targets(hosts, groups, **kwargs):
    return mon.targets(CATALOG, place(hosts, groups), hosts, groups, **kwargs)
