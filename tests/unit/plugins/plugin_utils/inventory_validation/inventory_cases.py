# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inventory validation tests share: a small inventory (GROUPS, HOSTVARS) for the
platform that tests/unit/conftest.py's make_platform writes (fixture platform in this
directory's conftest.py), run(), which validates it, and with_vars()."""

from __future__ import annotations

import copy

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import validate

GROUPS = {
    "all": ["app-1", "app-2", "edge-1", "central-1", "lab-1"],
    "ungrouped": [],
    "app_servers": ["app-1", "app-2"],
    "edge": ["edge-1"],
    "central": ["central-1"],
    "docker_hosts": ["central-1", "lab-1"],
    "lab": ["lab-1"],
}

HOSTVARS = {
    "app-1": {
        "ansible_host": "192.0.2.11",
        "webapp_port": 8080,
        "webapp_mode": "fast",
        "webapp_listeners": [{"address": "0.0.0.0", "port": 80}],
        # belongs to the longer role webapp_gateway, which app-1 does not run
        "webapp_gateway_url": "https://gw.example",
    },
    "app-2": {"ansible_host": "app-2.example", "webapp_port": "8081"},
    # a var of a role the host does not run (as group_vars/all would set it) is fine
    "edge-1": {"ansible_host": "192.0.2.12", "webapp_gateway_url": "https://gw", "webapp_port": "x"},
    "central-1": {
        "ansible_host": "192.0.2.10",
        "platform_internal_networks": ["192.0.2.0/24", "10.0.0.0/16"],
    },
    # lab is excluded from the docker play (docker_hosts:!lab): a clashing pool is not checked
    "lab-1": {"docker_engine_default_address_pools": [{"base": "192.0.2.0/24", "size": 26}]},
}


def run(root, hostvars=None, groups=None, **kwargs):
    return validate(
        hostvars=copy.deepcopy(HOSTVARS) if hostvars is None else hostvars,
        groups=copy.deepcopy(GROUPS) if groups is None else groups,
        site_playbook=str(root / "playbooks" / "site.yml"),
        **kwargs,
    )


def with_vars(host, **values):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars[host].update(values)
    return hostvars
