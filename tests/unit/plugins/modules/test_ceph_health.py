# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ceph_health through its main(), against the fake cluster (recorded ceph status outputs)."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import ceph_health
from ceph_fake import install
from ollama_http_fixtures import run_module


@pytest.fixture
def ceph(monkeypatch):
    fake = install(monkeypatch)
    clock = [0.0]
    monkeypatch.setattr(ceph_health.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(ceph_health.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    return fake


def run(check_mode=False, **args):
    return run_module(ceph_health, args, check_mode=check_mode)


def test_healthy_cluster_passes_at_once(ceph):
    result = run()
    assert not result.failed, result.result
    assert (result["changed"], result["ok"], result["health"], result["attempts"]) == (False, True, "HEALTH_OK", 1)
    assert result["osds"] == {"num": 1, "up": 1, "in": 1} and result["quorum_names"] == ["cephmod1"]
    assert result["pgs_by_state"] == {"active+clean": result["num_pgs"]}


def test_waits_for_unknown_pgs_then_passes(ceph):
    ceph.status_sequence = ["status_pgs_unknown", "status_pgs_unknown", "status_ok"]
    result = run(interval=2, timeout=60, allowed_checks=["POOL_APP_NOT_ENABLED"])
    assert result["ok"] and result["attempts"] == 3 and result["waited"] == 4


def test_allowed_warning_passes_and_other_warning_times_out_with_reasons(ceph):
    ceph.status_sequence = ["status_warn"]
    assert run(allowed_checks=["OSDMAP_FLAGS"], require_active_clean=False)["ok"]
    ceph.status_sequence = ["status_warn"] * 10
    result = run(timeout=10, interval=5)
    assert result.failed
    assert result["attempts"] == 3, result.result
    assert result["msg"] == ("Ceph health gate not passed after 10 s: HEALTH_WARN OSDMAP_FLAGS: noout flag(s) set; "
                             "PGs not active+clean: 8 creating+peering, 8 unknown")
    assert result["checks"] == {"OSDMAP_FLAGS": "noout flag(s) set"} and result["attempts"] == 3


def test_cluster_down_is_retried_then_reported(ceph):
    ceph.fail_next("status", "mon_down", times=2)
    assert run(timeout=30, interval=1)["attempts"] == 3
    ceph.fail_next("status", "mon_down", times=5)
    result = run(timeout=2, interval=1)
    assert result.failed and "cluster not reachable" in result["msg"] and result["health"] is None


def test_denied_fails_at_once(ceph):
    ceph.fail_next("status", "wrong_key")
    result = run(timeout=100)
    assert result.failed and result["attempts"] == 1 and "permission denied" in result["msg"]


def test_garbage_is_retried_until_the_time_is_up(ceph):
    ceph.fail_next("status", (0, "Traceback (most recent call last):", ""), times=10)
    result = run(timeout=3, interval=1)
    assert result.failed and "unexpected output from 'ceph status'" in result["msg"]


def test_check_mode_reads_too(ceph):
    assert run(check_mode=True)["ok"]


@pytest.mark.parametrize("args", [dict(timeout=-1), dict(interval=0), dict(connect_timeout=0)])
def test_bad_input(ceph, args):
    result = run(**args)
    assert result.failed and ceph.calls == []
