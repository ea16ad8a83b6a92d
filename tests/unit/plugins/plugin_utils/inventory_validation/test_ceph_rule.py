# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ceph rules (inventory_validation/ceph.py): the cluster's networks, monitor quorum, pool
sizes and OSD devices, and clients that name a cephx identity ceph_resources declares."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ceph import (
    check_ceph_client_data,
    check_ceph_clients,
    check_ceph_cluster,
)
from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import ceph_client_problems
from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import ceph_cluster_problems
from rule_context import FactVars, group_var, make_context

QUORUM = ("a quorum needs an odd number of monitors, at least three "
          "(one only with ceph_cluster_allow_single_monitor: true)")


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


def test_one_monitor_only_with_the_opt_in():
    assert cluster(mons=1, osds=1, ceph_cluster_pool_size=1, ceph_cluster_pool_min_size=1,
                   ceph_cluster_allow_single_monitor=True) == []
    # the opt-in is for one monitor, not for an even number
    assert cluster(mons=2, osds=2, ceph_cluster_pool_size=2, ceph_cluster_pool_min_size=1,
                   ceph_cluster_allow_single_monitor=True) == ["group ceph_mons: 2 monitor(s) (mon-1, mon-2); " + QUORUM]


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


def test_wipe_device_that_is_no_osd_device():
    assert cluster(mons=3, osds=0, ceph_cluster_osd_devices=["/dev/sdb"], ceph_cluster_osd_wipe_devices=["/dev/sdc"]) == [
        "host mon-%d: ceph_cluster_osd_wipe_devices: /dev/sdc is not in ceph_cluster_osd_devices (only an OSD device "
        "is ever wiped)" % i for i in (1, 2, 3)]
    assert cluster(ceph_cluster_osd_devices=["/dev/sdb"], ceph_cluster_osd_wipe_devices=["/dev/sdb"]) == []


@pytest.mark.parametrize("fsid", ["not-a-uuid", "9F3C1B52-5A2E-4C4B-9C4E-2F9E1B0A7D11", "9f3c1b52"])
def test_fsid_that_is_not_a_lower_case_uuid(fsid):
    assert cluster(mons=3, osds=0, ceph_cluster_fsid=fsid)[0] == (
        "host mon-1: ceph_cluster_fsid: %r is not a lower-case UUID (leave it empty to generate one)" % fsid)
    assert cluster(ceph_cluster_fsid="9f3c1b52-5a2e-4c4b-9c4e-2f9e1b0a7d11") == []


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


@pytest.mark.parametrize(("values", "problem"), [
    ({"ceph_client_keyrings": ["nova"]}, "ceph_client_keyrings[0]: 'nova' is not a cephx client entity (client.NAME)"),
    ({"ceph_client_keyrings": [{"owner": "nova"}]}, "ceph_client_keyrings[0]: None is not a cephx client entity (client.NAME)"),
    ({"ceph_client_mounts": [{"path": "srv/models"}]}, "ceph_client_mounts[0]: needs an absolute path (got 'srv/models')"),
    ({"ceph_client_mounts": ["/srv/models"]}, "ceph_client_mounts[0]: needs an absolute path (got '/srv/models')"),
    ({"ceph_client_mounts": [{"path": "/srv/m", "client": "models"}]},
     "ceph_client_mounts[0]: client 'models' is not a cephx client entity (client.NAME)"),
])
def test_client_data_itself(values, problem):
    assert check_ceph_client_data(make_context({"gpu-1": values}, role_hosts={"ceph_client": ["gpu-1"]})) == [
        "host gpu-1: " + problem]
    assert ceph_client_problems(values) == [problem]   # the role's filter: the same function


def test_client_data_that_passes():
    values = {"ceph_client_keyrings": ["client.nova", {"name": "client.backup", "mode": "0640"}],
              "ceph_client_mounts": [{"path": "/srv/models"}, {"path": "/srv/d", "client": "client.data"}]}
    assert check_ceph_client_data(make_context({"gpu-1": values}, role_hosts={"ceph_client": ["gpu-1"]})) == []
    assert ceph_client_problems({"ceph_client_keyrings": None, "ceph_client_mounts": None}) == []


def test_the_cluster_filter_is_the_rule_on_one_host():
    monitors, osds = ["mon-1", "mon-2", "mon-3"], ["osd-1", "osd-2"]
    values = {"ceph_cluster_pool_size": 3, "ceph_cluster_pool_min_size": 2, "ceph_cluster_public_network": "10.30.0.0/24",
              "ceph_cluster_osd_devices": ["/dev/sdb"], "ceph_cluster_osd_wipe_devices": []}
    assert ceph_cluster_problems(values, monitors, osds, address="10.30.0.9") == [
        "ceph_cluster_pool_size: 3 copies, but group ceph_osds has only 2 host(s); the pools would never become healthy"]
    assert ceph_cluster_problems(dict(values, ceph_cluster_pool_size=2), monitors, osds, address="10.31.0.9") == [
        "ceph_cluster_public_network: 10.30.0.0/24 does not contain the host's address 10.31.0.9"]
    assert ceph_cluster_problems(dict(values, ceph_cluster_pool_size=2), ["mon-1"], osds, mon_group="mons",
                                 address="10.30.0.9") == ["group mons: 1 monitor(s) (mon-1); " + QUORUM]
    assert ceph_cluster_problems(dict(values, ceph_cluster_pool_size=2), monitors, osds, address="") == []
