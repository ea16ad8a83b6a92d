# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the hosts the monitoring watches (each runs a node exporter)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: monitored_hosts
short_description: The platform's hosts, each of which runs a node exporter
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Every host of the platform's groups (central, gpu_nodes, workspace_vms, docker_hosts,
    dns_servers, gateway, monitoring and the Ceph daemons' groups), sorted. The deploy host and
    group C(openstack_controllers) are not among them.
  - The same list the C(monitoring_config) filter makes scrape targets of.
options:
  _input:
    description: C(groups).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Leave hosts the monitoring does not watch
  ansible.builtin.meta: end_host
  when: inventory_hostname not in (groups | foundrycloud.platform.monitored_hosts)
"""

RETURN = r"""
_value:
  description: Host names.
  type: list
  elements: str
"""

from ansible_collections.foundrycloud.platform.plugins.module_utils.monitoring import platform_hosts


def monitored_hosts(groups):
    return platform_hosts(dict(groups))


class FilterModule:

    def filters(self):
        return {"monitored_hosts": monitored_hosts}
