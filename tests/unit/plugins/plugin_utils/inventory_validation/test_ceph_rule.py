# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ceph rules (inventory_validation/ceph.py): the cluster's networks, monitor quorum, pool
sizes and OSD devices, and clients that name a cephx identity ceph_resources declares."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ceph import (
    check_ceph_clients,
    check_ceph_cluster,
)
from rule_context import FactVars, group_var, make_context

QUORUM = "a quorum needs an odd number of monitors, at least three"


def cluster(mons=3, osds=3, files=None, **values):
    """check_ceph_cluster for mons monitors and osds OSD hosts (10.30.0.x), values on every host."""
    groups = {"ceph_mons": ["mon-%d" % i for i in range(1, mons + 1)],
              "ceph_osds": ["osd-%d" % i for i in range(1, osds + 1)]}
    hosts = sorted(set(groups["ceph_mons"]) | set(groups["ceph_osds"]))
    hostvars = {host: dict(values, ansible_host="10.30.0.%d" % (index + 1)) for index, host in enumerate(hosts)}
    return check_ceph_cluster(make_context(hostvars, groups=groups, role_hosts={"ceph_cluster": hosts}, files=files))


@pytest.mark.parametrize(("mons", "named"), [(0, "none"), (1, "mon-1"), (2, "mon-1, mon-2"), (4, "mon-1, mon-2, mon-3, mon-4")])
def test_monitor_quorum(mons, named):
    assert cluster(mons=mons) == ["group ceph_mons: %d monitor(s) (%s); %s" % (mons, named, QUORUM)]


def test_three_or_five_monitors_pass():
    assert cluster(mons=3) == []
    assert cluster(mons=5) == []


def test_the_monitor_group_of_the_inventory():
    assert cluster(mons=3, ceph_cluster_mon_group="mons") == ["group mons: 0 monitor(s) (none); %s" % QUORUM]


def test_pool_size_larger_than_the_osd_hosts():
    errors = cluster(osds=2)  # the role's default size: 3
    assert "host osd-1: ceph_cluster_pool_size: 3 copies, but group ceph_osds has only 2 host(s); the pools would " \
           "never become healthy" in errors
    assert len(errors) == 5  # every host of the cluster: 3 monitors, 2 OSD hosts


def test_pool_size_equal_to_the_osd_hosts_passes():
    assert cluster(osds=2, ceph_cluster_pool_size=2, ceph_cluster_pool_min_size=1) == []
    assert cluster(osds=0) == []  # no OSD group yet: nothing to compare


def test_min_size_above_size():
    assert cluster(osds=3, mons=3, ceph_cluster_pool_size=2, ceph_cluster_pool_min_size=3)[0] == \
        "host mon-1: ceph_cluster_pool_min_size: 3 is larger than ceph_cluster_pool_size 2"


@pytest.mark.parametrize(("value", "problem"), [
    ("10.30.0.0", "'10.30.0.0' has no prefix length (write it as a network, e.g. 10.30.0.0/24)"),
    ("10.30.0.1/24", "'10.30.0.1/24' is not a network address (host bits set or not a CIDR)"),
    ("storage/24", "'storage/24' is not a network address (host bits set or not a CIDR)"),
])
def test_network_that_is_not_a_network(value, problem):
    assert cluster(mons=3, osds=0, ceph_cluster_cluster_network=value) == [
        "host mon-%d: ceph_cluster_cluster_network: %s" % (i, problem) for i in (1, 2, 3)]


def test_public_network_that_leaves_hosts_out():
    # set in one place: one line for the value, naming every host it leaves out
    files = [group_var("all", "ceph_cluster_public_network", "10.30.0.0/30", "group_vars/all/ceph.yml", 4)]
    assert cluster(files=files, ceph_cluster_public_network="10.30.0.0/30") == [
        "ceph_cluster_public_network: 10.30.0.0/30 does not contain the address of osd-1 (10.30.0.4), "
        "osd-2 (10.30.0.5), osd-3 (10.30.0.6)"]
    # the files are not known: a line per host
    assert cluster(ceph_cluster_public_network="10.30.0.0/30") == [
        "host osd-%d: ceph_cluster_public_network: 10.30.0.0/30 does not contain the host's address" % i
        for i in (1, 2, 3)]


def test_networks_that_pass():
    assert cluster(ceph_cluster_public_network="10.30.0.0/24", ceph_cluster_cluster_network="10.31.0.0/24") == []


def test_osd_device_listed_twice():
    assert cluster(mons=3, osds=0, ceph_cluster_osd_devices=["/dev/sdb", "/dev/sdc", "/dev/sdb"]) == [
        "host mon-%d: ceph_cluster_osd_devices: /dev/sdb is listed twice" % i for i in (1, 2, 3)]


def test_no_cluster_and_values_that_need_facts_pass():
    assert check_ceph_cluster(make_context({"a": {}}, role_hosts={"ceph_cluster": []})) == []
    hostvars = {"osd-1": FactVars({"ceph_cluster_pool_min_size": 2}, {"ceph_cluster_pool_size", "ceph_cluster_public_network"})}
    groups = {"ceph_mons": ["osd-1", "m2", "m3"], "ceph_osds": ["osd-1"]}
    assert check_ceph_cluster(make_context(hostvars, groups=groups, role_hosts={"ceph_cluster": ["osd-1"]})) == []


# --------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------


def clients(client_values, resources=("mon-1",), declared=None):
    hostvars = {"mon-1": {} if declared is None else {"ceph_resources_clients": declared}, "gpu-1": client_values}
    role_hosts = {"ceph_resources": list(resources), "ceph_client": ["gpu-1"]}
    return check_ceph_clients(make_context(hostvars, role_hosts=role_hosts))


def test_a_mount_or_keyring_of_an_undeclared_client():
    values = {"ceph_client_mounts": [{"path": "/srv/data", "client": "client.data"}],
              "ceph_client_keyrings": ["client.backup", {"name": "client.nova"}]}
    assert clients(values, declared=[{"name": "client.nova"}, {"name": "client.models"}]) == [
        "host gpu-1: ceph_client_mounts: client.data is not a client of ceph_resources_clients "
        "(declared: client.models, client.nova)",
        "host gpu-1: ceph_client_keyrings: client.backup is not a client of ceph_resources_clients "
        "(declared: client.models, client.nova)",
    ]
    assert clients({"ceph_client_keyrings": ["client.x"]}, declared=[]) == [
        "host gpu-1: ceph_client_keyrings: client.x is not a client of ceph_resources_clients (declared: none)"]


def test_clients_that_pass():
    # the role's default clients (client.models is the default of a mount), and client.admin
    values = {"ceph_client_mounts": [{"path": "/srv/models"}], "ceph_client_keyrings": ["client.admin", "client.nova"]}
    assert clients(values) == []


def test_an_external_cluster_does_not_check_clients():
    assert clients({"ceph_client_keyrings": ["client.anything"]}, resources=()) == []


def test_declared_clients_that_need_facts_skip_the_check():
    hostvars = {"mon-1": FactVars({}, {"ceph_resources_clients"}), "gpu-1": {"ceph_client_keyrings": ["client.x"]}}
    role_hosts = {"ceph_resources": ["mon-1"], "ceph_client": ["gpu-1"]}
    assert check_ceph_clients(make_context(hostvars, role_hosts=role_hosts)) == []
