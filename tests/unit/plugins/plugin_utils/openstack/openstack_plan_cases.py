# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the OpenStack plan tests share: a small inventory with its placement, the network
layer's data (data()) and its plan (plan())."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils import placement as pl
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.network_plan import network_plan

CATALOG = dict((entry["name"], entry) for entry in resolve(registry="docker.io"))
HOSTS = {
    "core-1": {"platform_address": "10.20.10.11", "central_services_enabled": ["qdrant", "langfuse", "guacamole"]},
    "gpu-1": {"ansible_host": "10.20.20.11"},
    "deploy": {"ansible_host": "10.20.0.5"},
}
GROUPS = {"all": ["core-1", "gpu-1", "deploy"], "central": ["core-1"], "gpu_nodes": ["gpu-1"],
          "gateway": ["core-1"], "dns_servers": ["core-1"], "workspace_vms": [], "deployers": ["deploy"]}
PLACEMENT = pl.compute(CATALOG, HOSTS, GROUPS, "localai.internal")


def data(**overrides):
    result = {
        "projects": [
            {"name": "svc", "quotas": {"instances": 10, "cores": 40}, "members": [{"user": "admin", "role": "admin"}]},
            {"name": "ws"},
        ],
        "networks": [
            {"name": "svc-net", "project": "svc", "router": "rt", "share_with": ["ws"],
             "subnets": [{"cidr": "10.20.10.0/24", "allocation_pools": [{"start": "10.20.10.100", "end": "10.20.10.200"}]}]},
            {"name": "ws-net", "project": "ws", "router": "rt", "subnets": [{"cidr": "10.20.5.0/24"}]},
        ],
        "routers": [{"name": "rt", "project": "svc"}],
        "security_groups": [
            {"name": "central", "project": "svc", "rules": [
                {"services_of": "central", "remote_network": ["ws-net", "svc-net"]},
                {"protocol": ["udp", "tcp"], "port": 53, "remote_network": "ws-net"},
                {"port": 22, "remote_hosts": "deployers"},
            ]},
            {"name": "gpu", "project": "svc", "rules": [{"service": "ollama", "remote_service": "gateway"}]},
            {"name": "workspace", "project": "ws", "rules": [
                {"ports": [3389, 5900, 22], "remote_service": "guacamole"},
                {"protocol": "icmp", "remote_group": "workspace"},
            ]},
        ],
        "floating_ips": [{"name": "guacamole", "project": "svc", "server": "core-1"}],
        "external_network": "public",
        "dns_nameservers": PLACEMENT["dns_servers"],
        "domain": "default",
    }
    result.update(overrides)
    return result


def plan(**overrides):
    return network_plan(data(**overrides), placement=PLACEMENT, hosts=HOSTS, groups=GROUPS)
