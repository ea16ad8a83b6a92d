# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ceph_fs through its main(), against the fake cluster (tests/unit/ceph_fake.py)."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import ceph_fs
from ceph_fake import install, recorded_json, runner

MODELS = dict(name="models", metadata_pool="models_metadata", data_pools=["models_data"])


@pytest.fixture
def ceph(monkeypatch):
    fake = install(monkeypatch)
    fake.add_pool("models_metadata")
    fake.add_pool("models_data")
    return fake


run = runner(ceph_fs)


def test_creates_once(ceph):
    result = run(diff=True, **MODELS)
    assert (result["changed"], result["action"]) == (True, "created"), result.result
    assert ceph.writes() == ["fs new models models_metadata models_data"]
    assert result["diff"] == {"before": {}, "after": result["filesystem"]}
    ceph.calls.clear()
    assert run(**MODELS)["changed"] is False and ceph.writes() == []


def test_reads_the_recorded_listing_shape(ceph):
    ceph.filesystems = recorded_json("fs_ls")
    ceph.add_pool("cephfs_metadata")
    ceph.add_pool("cephfs_data")
    ceph.add_pool("cephfs_data2")
    result = run(name="models", metadata_pool="cephfs_metadata", data_pools=["cephfs_data", "cephfs_data2"])
    assert (result["changed"], result["filesystem"]["data_pools"]) == (False, ["cephfs_data", "cephfs_data2"])


def test_extra_data_pool_is_added(ceph):
    ceph.add_fs("models", "models_metadata", ["models_data"])
    ceph.add_pool("models_data_ssd")
    result = run(name="models", metadata_pool="models_metadata", data_pools=["models_data", "models_data_ssd"])
    assert (result["action"], ceph.writes()) == ("updated", ["fs add_data_pool models models_data_ssd"])


def test_other_pools_are_refused(ceph):
    ceph.add_fs("models", "models_metadata", ["models_data"])
    ceph.add_pool("other")
    result = run(name="models", metadata_pool="other", data_pools=["models_data"])
    assert result.failed and "exists with metadata pool models_metadata (declared: other)" in result["msg"]
    result = run(name="models", metadata_pool="models_metadata", data_pools=["other"])
    assert "default data pool models_data (declared: other)" in result["msg"] and "data pool(s) models_data that are not declared" in result["msg"]
    assert ceph.writes() == []


def test_missing_pools_are_named(ceph):
    result = run(name="models", metadata_pool="models_metadata", data_pools=["nope"])
    assert result.failed and "pool(s) nope do not exist" in result["msg"] and ceph.writes() == []


def test_check_mode_warns_about_missing_pools_an_earlier_task_would_create(ceph):
    result = run(name="models", metadata_pool="new_metadata", data_pools=["new_data"], check_mode=True)
    assert (result.failed, result["changed"], result["action"]) == (False, True, "created")
    assert "pool(s) new_metadata, new_data do not exist" in result["warnings"][0] and ceph.writes() == []


def test_check_mode(ceph):
    result = run(check_mode=True, **MODELS)
    assert result["changed"] and ceph.filesystems == [] and result["commands"] == ["ceph fs new models models_metadata models_data"]


def test_absent_needs_allow_delete_and_keeps_pools(ceph):
    ceph.add_fs("models", "models_metadata", ["models_data"])
    assert "needs allow_delete=true" in run(name="models", state="absent")["msg"]
    result = run(name="models", state="absent", allow_delete=True)
    assert result["action"] == "deleted" and ceph.filesystems == [] and "models_data" in ceph.pools
    assert ceph.writes() == ["fs fail models", "fs rm models --yes-i-really-mean-it"]


@pytest.mark.parametrize("args, message", [
    (dict(name="models", data_pools=["d"]), "metadata_pool is required"),
    (dict(name="models", metadata_pool="m"), "data_pools is required"),
    (dict(name="models", metadata_pool="m", data_pools=["d", "d"]), "lists a pool twice"),
    (dict(name="models", metadata_pool="m", data_pools=["m"]), "cannot also be a data pool"),
    (dict(name="my fs", metadata_pool="m", data_pools=["d"]), "is not a filesystem name"),
])
def test_bad_input(ceph, args, message):
    result = run(**args)
    assert result.failed and message in result["msg"] and ceph.calls == []


@pytest.mark.parametrize("fixture, message", [("mon_down", "cluster not reachable"), ((0, "{\"name\": 1}", ""), "unexpected output"),
                                              ((0, "[{\"fs\": \"x\"}]", ""), "unexpected output")])
def test_cluster_down_or_garbage(ceph, fixture, message):
    ceph.fail_next("fs ls", fixture)
    result = run(**MODELS)
    assert result.failed and message in result["msg"] and ceph.writes() == []
