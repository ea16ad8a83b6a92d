# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters: the secrets a role generates from its own data, with their specs, for the
platform_secret lookup.

``./foundry secrets`` plans the same names and specs offline with the same functions
(plugin_utils/secret_specs.py, used by plugin_utils/secret_plan.py), so what it creates is what
the roles read. Each filter's documentation is the .yml file of its name next to this one."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.plugin_utils import secret_specs


def _hosts(filter_name, **lists):
    for name, hosts in lists.items():
        if not isinstance(hosts, list) or not all(isinstance(host, str) for host in hosts):
            raise AnsibleFilterError("%s: %s must be a list of host names, got %r" % (filter_name, name, hosts))


def gateway_key_secret_specs(api_keys):
    return secret_specs.gateway_key_secret_specs(api_keys)


def rgw_user_secret_specs(users):
    return secret_specs.rgw_user_secret_specs(users)


def ceph_cluster_entity_kinds(mgr_hosts, mds_hosts, rgw_hosts):
    _hosts("ceph_cluster_entity_kinds", mgr_hosts=mgr_hosts, mds_hosts=mds_hosts, rgw_hosts=rgw_hosts)
    return secret_specs.ceph_cluster_entity_kinds(mgr_hosts, mds_hosts, rgw_hosts)


def ceph_cluster_secret_specs(mgr_hosts, mds_hosts, rgw_hosts):
    _hosts("ceph_cluster_secret_specs", mgr_hosts=mgr_hosts, mds_hosts=mds_hosts, rgw_hosts=rgw_hosts)
    return secret_specs.ceph_cluster_secret_specs(mgr_hosts, mds_hosts, rgw_hosts)


class FilterModule:

    def filters(self):
        return {
            "gateway_key_secret_specs": gateway_key_secret_specs,
            "rgw_user_secret_specs": rgw_user_secret_specs,
            "ceph_cluster_entity_kinds": ceph_cluster_entity_kinds,
            "ceph_cluster_secret_specs": ceph_cluster_secret_specs,
        }
