# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack rules (inventory_validation/openstack.py): the network and workspace plans of
plugin_utils/openstack, run offline on the inventory's values with the real roles' defaults."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.openstack import (
    check_openstack_network,
    check_workspace_vms,
)
from rule_context import FactVars, make_context

PROJECTS = [{"name": "acme"}]
NETWORKS = [{"name": "tenant", "project": "acme", "subnets": [{"name": "tenant-v4", "cidr": "10.20.5.0/24"}]}]
USERS = [{"user": "alice"}, {"user": "bob", "fixed_ip": "10.20.5.20"}]
WORKSPACE = {"workspace_vms_project": "acme", "workspace_vms_flavor": "m1.large", "workspace_vms_image": "ubuntu-24.04",
             "workspace_vms_network": "tenant"}


def network(values, dns=None):
    hostvars = {"localhost": dict({"openstack_network_projects": PROJECTS, "openstack_network_networks": NETWORKS},
                                  **values)}
    hostvars.update(dns or {})
    groups = {"dns_servers": sorted(dns or {})}
    return check_openstack_network(make_context(hostvars, groups=groups, role_hosts={"openstack_network": ["localhost"]}))


def workspaces(values):
    hostvars = {"localhost": dict(WORKSPACE, openstack_network_networks=NETWORKS, **values)}
    role_hosts = {"workspace_vms": ["localhost"], "openstack_network": []}
    return check_workspace_vms(make_context(hostvars, role_hosts=role_hosts))


# --------------------------------------------------------------------------------------
# openstack_network
# --------------------------------------------------------------------------------------


def test_a_sound_network_plan_passes():
    assert network({}, dns={"dns-1": {"ansible_host": "10.20.5.2"}, "dns-2": {"ansible_host": "dns-2.example"}}) == []


def test_a_cidr_with_host_bits():
    networks = [{"name": "tenant", "project": "acme", "subnets": [{"cidr": "10.20.5.1/24"}]}]
    assert network({"openstack_network_networks": networks}) == [
        "openstack_network_networks[tenant]: subnets[0]: cidr '10.20.5.1/24' is not a network address with prefix "
        "length (e.g. 10.20.5.0/24; no host bits)"]


def test_overlapping_subnets_and_an_unknown_project():
    networks = NETWORKS + [{"name": "storage", "project": "acme", "subnets": [{"cidr": "10.20.0.0/16"}]},
                           {"name": "lab", "project": "nobody", "subnets": [{"cidr": "172.16.0.0/24"}]}]
    assert network({"openstack_network_networks": networks}) == [
        "openstack_network_networks[lab]: project 'nobody' is not in openstack_network_projects (known: acme)",
        "openstack_network_networks[storage]: subnet storage-v4 (10.20.0.0/16) overlaps subnet tenant-v4 "
        "(10.20.5.0/24) of network tenant",
    ]


def test_nameservers_that_are_no_addresses():
    assert network({"openstack_network_dns_nameservers": ["10.20.5.2", "dns.example"]}) == [
        "openstack_network_dns_nameservers: 'dns.example' is not an IP address"]


def test_a_value_that_needs_facts_or_a_catalog_that_does_not_resolve_skips_the_plan():
    broken = [{"name": "tenant", "project": "acme", "subnets": [{"cidr": "10.20.5.1/24"}]}]
    hostvars = {"localhost": FactVars({"openstack_network_networks": broken}, {"openstack_network_projects"})}
    assert check_openstack_network(make_context(hostvars, role_hosts={"openstack_network": ["localhost"]})) == []
    assert network({"openstack_network_networks": broken,
                    "platform_service_overrides": {"n8n": {"containers": {"n8n": {"ports": [0]}}}}}) == []


# --------------------------------------------------------------------------------------
# workspace_vms
# --------------------------------------------------------------------------------------


def test_sound_workspaces_and_no_users_pass():
    assert workspaces({"workspace_vms_users": USERS}) == []
    assert workspaces({}) == []


def test_workspace_plan_problems():
    users = USERS + [{"user": "alice"}, {"user": "carol", "fixed_ip": "10.99.0.5"}, {"user": "Dave"}]
    assert workspaces({"workspace_vms_users": users, "workspace_vms_flavor": ""}) == [
        "workspace_vms_users[alice]: flavor is not set (set it here or workspace_vms_flavor for every user)",
        "workspace_vms_users[bob]: flavor is not set (set it here or workspace_vms_flavor for every user)",
        "workspace_vms_users[alice]: user alice is declared twice (also workspace_vms_users[alice])",
        "workspace_vms_users[carol]: flavor is not set (set it here or workspace_vms_flavor for every user)",
        "workspace_vms_users[carol]: fixed_ip 10.99.0.5 is in no subnet of network tenant (10.20.5.0/24)",
        "workspace_vms_users[Dave]: user 'Dave' is not a valid login name (lower-case letters, digits, _ and -, "
        "at most 32, not starting with a digit or -)",
    ]


def test_workspace_values_that_need_facts_skip_the_plan():
    hostvars = {"localhost": FactVars(dict(WORKSPACE, workspace_vms_users=[{"user": "Dave"}]), {"workspace_vms_image"})}
    assert check_workspace_vms(make_context(hostvars, role_hosts={"workspace_vms": ["localhost"]})) == []
