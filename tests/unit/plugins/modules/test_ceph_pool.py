# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ceph_pool through its main(), against the fake cluster (tests/unit/ceph_fake.py)."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import ceph_pool
from ceph_fake import ceph, runner  # noqa: F401  pylint: disable=unused-import

VOLUMES = dict(name="volumes", application="rbd", size=3, min_size=2, pg_num=32, autoscale_mode="off")

run = runner(ceph_pool)


def test_creates_sets_and_initialises_an_rbd_pool_once(ceph):
    result = run(**VOLUMES)
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (True, "created")
    assert result["pool"] == dict(name="volumes", size=3, min_size=2, pg_num=32, pg_autoscale_mode="off", applications=["rbd"])
    assert ceph.writes() == ["osd pool create volumes 32 32 replicated --autoscale-mode=off", "rbd pool init volumes"]
    assert result["commands"] == ["ceph osd pool create volumes 32 32 replicated --autoscale-mode=off", "rbd pool init volumes"]
    ceph.calls.clear()
    again = run(**VOLUMES)
    assert (again["changed"], again["action"], again["commands"]) == (False, "unchanged", [])
    assert ceph.writes() == []


def test_size_then_min_size_and_size_one_is_confirmed(ceph):
    result = run(name="lab", size=1, min_size=1, pg_num=8)
    assert result["pool"]["size"] == 1 and not result.failed, result.result
    assert ceph.writes()[1:] == ["osd pool set lab size 1 --yes-i-really-mean-it", "osd pool set lab min_size 1"]


def test_drift_is_corrected_in_place_and_reported_in_diff(ceph):
    ceph.add_pool("volumes", size=2, min_size=1, pg_num=16, autoscale="on", applications=["rbd"])
    result = run(diff=True, **VOLUMES)
    assert (result["changed"], result["action"]) == (True, "updated")
    assert ceph.writes() == ["osd pool set volumes size 3", "osd pool set volumes min_size 2", "osd pool set volumes pg_num 32",
                             "osd pool set volumes pg_autoscale_mode off"]
    assert result["diff"]["before"]["size"] == 2 and result["diff"]["after"]["size"] == 3
    assert run(**VOLUMES)["changed"] is False


def test_options_left_out_are_not_compared(ceph):
    ceph.add_pool("images", size=2, min_size=1, pg_num=64, applications=["rbd"])
    assert run(name="images", application="rbd")["changed"] is False


def test_a_pool_deleted_by_hand_is_created_again(ceph):
    run(**VOLUMES)
    del ceph.pools["volumes"]
    assert run(**VOLUMES)["action"] == "created" and "volumes" in ceph.pools


def test_check_mode_changes_nothing_and_predicts(ceph):
    result = run(check_mode=True, diff=True, **VOLUMES)
    assert (result["changed"], result["action"]) == (True, "created")
    assert result["diff"] == {"before": {}, "after": result["pool"]}
    assert ceph.pools == {} and ceph.writes() == []
    assert result["commands"][0] == "ceph osd pool create volumes 32 32 replicated --autoscale-mode=off"
    ceph.add_pool("volumes", size=2, min_size=1, pg_num=32, applications=[])
    result = run(check_mode=True, **VOLUMES)
    assert result["commands"] == ["ceph osd pool set volumes size 3", "ceph osd pool set volumes min_size 2",
                                  "rbd pool init volumes"]
    assert ceph.pools["volumes"]["size"] == 2


def test_another_application_is_refused(ceph):
    ceph.add_pool("volumes", applications=["cephfs"])
    result = run(**VOLUMES)
    assert result.failed and "already carries application(s) cephfs; not adding 'rbd'" in result["msg"]
    assert ceph.writes() == []


def test_custom_application_is_enabled(ceph):
    result = run(name="metrics", application="prometheus", pg_num=8)
    assert ceph.writes()[-1] == "osd pool application enable metrics prometheus"
    assert result["pool"]["applications"] == ["prometheus"]


def test_absent_needs_allow_delete(ceph):
    ceph.add_pool("volumes")
    result = run(name="volumes", state="absent")
    assert result.failed and "needs allow_delete=true" in result["msg"] and "volumes" in ceph.pools


def test_absent_deletes_and_resets_the_mon_flag(ceph):
    ceph.add_pool("volumes")
    result = run(name="volumes", state="absent", allow_delete=True, diff=True)
    assert (result["changed"], result["action"], result["pool"]) == (True, "deleted", None)
    assert "volumes" not in ceph.pools and ceph.config["mon_allow_pool_delete"] is False
    assert result["diff"]["after"] == {}
    assert run(name="volumes", state="absent", allow_delete=True)["action"] == "already_absent"


def test_absent_in_check_mode_deletes_nothing(ceph):
    ceph.add_pool("volumes")
    result = run(name="volumes", state="absent", allow_delete=True, check_mode=True)
    assert result["changed"] and "volumes" in ceph.pools and ceph.writes() == []


def test_flag_is_reset_even_when_the_deletion_fails(ceph):
    ceph.add_pool("volumes")
    ceph.fail_next("osd pool rm", (16, "", "Error EBUSY: pool 'volumes' is in use by CephFS"))
    result = run(name="volumes", state="absent", allow_delete=True)
    assert result.failed and "Error EBUSY: pool 'volumes' is in use by CephFS" in result["msg"]
    assert ceph.writes()[-1] == "config set mon mon_allow_pool_delete false"


@pytest.mark.parametrize("args, message", [
    (dict(name="bad name"), "is not a pool name"),
    (dict(name="p", size=0), "size must be between 1 and 10"),
    (dict(name="p", size=2, min_size=3), "min_size (3) must not be larger than size (2)"),
    (dict(name="p", pg_num=8, autoscale_mode="on"), "pg_num and autoscale_mode=on exclude each other"),
    (dict(name="p", pg_num=0), "pg_num must be between 1 and 32768"),
    (dict(name="p", user="admin"), "user: 'admin' is not a cephx entity name"),
])
def test_bad_input_fails_before_anything_runs(ceph, args, message):
    result = run(**args)
    assert result.failed and message in result["msg"]
    assert ceph.calls == []


@pytest.mark.parametrize("fixture, message", [("mon_down", "cluster not reachable"), ("wrong_key", "permission denied"),
                                              ((0, "<html>502 Bad Gateway</html>", ""), "unexpected output")])
def test_cluster_down_or_garbage(ceph, fixture, message):
    ceph.fail_next("osd pool ls", fixture)
    result = run(**VOLUMES)
    assert result.failed and result["msg"].startswith("ceph_pool volumes: ") and message in result["msg"]
    assert ceph.writes() == []
