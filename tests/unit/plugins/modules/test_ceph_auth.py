# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ceph_auth through its main(), against the fake cluster (tests/unit/ceph_fake.py)."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import ceph_auth
from ceph_fake import ceph, runner  # noqa: F401  pylint: disable=unused-import

CAPS = {"mon": "profile rbd", "osd": "profile rbd pool=volumes"}

run = runner(ceph_auth)


def test_creates_and_returns_the_key(ceph):
    result = run(name="client.cinder", caps=CAPS)
    assert not result.failed, result.result
    assert (result["changed"], result["action"], result["caps"]) == (True, "created", CAPS)
    assert result["key"] == ceph.auth["client.cinder"]["key"]
    assert ceph.writes() == ["auth get-or-create client.cinder mon profile rbd osd profile rbd pool=volumes"]
    assert result["commands"] == ["ceph auth get-or-create client.cinder mon 'profile rbd' osd 'profile rbd pool=volumes'"]


def test_existing_key_is_kept_and_nothing_written(ceph):
    ceph.add_auth("client.cinder", CAPS, key="AQD+yAdrVSCAFxAApv7jcZ2fhcHVFOxP8EgCLw==")
    result = run(name="client.cinder", caps={"osd": "profile rbd  pool=volumes", "mon": "profile rbd"})
    assert (result["changed"], result["key"]) == (False, "AQD+yAdrVSCAFxAApv7jcZ2fhcHVFOxP8EgCLw==")
    assert ceph.writes() == []


def test_drifted_caps_are_corrected_without_a_new_key(ceph):
    entry = ceph.add_auth("client.cinder", {"mon": "allow r"})
    key = entry["key"]
    result = run(name="client.cinder", caps=CAPS, diff=True)
    assert (result["changed"], result["action"], result["key"]) == (True, "caps_updated", key)
    assert ceph.auth["client.cinder"] == {"entity": "client.cinder", "key": key, "caps": CAPS}
    assert result["diff"] == {"before": {"entity": "client.cinder", "caps": {"mon": "allow r"}},
                              "after": {"entity": "client.cinder", "caps": CAPS}}
    assert "key" not in str(result["diff"])
    assert run(name="client.cinder", caps=CAPS)["changed"] is False


def test_check_mode_creates_nothing_and_has_no_key(ceph):
    result = run(name="client.cinder", caps=CAPS, check_mode=True)
    assert (result["changed"], result["key"], result["caps"]) == (True, None, CAPS)
    assert ceph.auth == {} and ceph.writes() == []
    ceph.add_auth("client.cinder", {"mon": "allow r"})
    result = run(name="client.cinder", caps=CAPS, check_mode=True)
    assert result["action"] == "caps_updated" and ceph.auth["client.cinder"]["caps"] == {"mon": "allow r"}


def test_absent_removes_but_never_admin(ceph):
    ceph.add_auth("client.old", CAPS)
    assert run(name="client.old", state="absent")["action"] == "deleted" and "client.old" not in ceph.auth
    assert run(name="client.old", state="absent")["action"] == "already_absent"
    result = run(name="client.admin", state="absent")
    assert result.failed and "never removed" in result["msg"] and ceph.writes() == ["auth rm client.old"]


@pytest.mark.parametrize("args, message", [
    (dict(name="cinder", caps=CAPS), "is not a cephx entity name"),
    (dict(name="client.cinder", caps={}), "caps must name at least one service"),
    (dict(name="client.cinder", caps={"rgw": "allow *"}), "caps.rgw: unknown service"),
    (dict(name="client.cinder", caps={"mon": " "}), "caps.mon must be a non-empty string"),
    (dict(name="client.cinder", caps=CAPS, connect_timeout=0), "connect_timeout must be 1 or more"),
])
def test_bad_input(ceph, args, message):
    result = run(**args)
    assert result.failed and message in result["msg"] and ceph.calls == []


@pytest.mark.parametrize("fixture, message", [("mon_down_auth", "cluster not reachable"), ("unreachable", "cluster not reachable"),
                                              ((0, "[{\"entity\": \"client.cinder\"}]", ""), "unexpected output"),
                                              ((0, "", ""), "no JSON at all")])
def test_cluster_down_or_garbage(ceph, fixture, message):
    ceph.fail_next("auth get", fixture)
    result = run(name="client.cinder", caps=CAPS)
    assert result.failed and message in result["msg"] and ceph.writes() == []


def test_a_refused_creation_quotes_ceph(ceph):
    ceph.fail_next("auth get-or-create", "auth_get_or_create_differs")
    result = run(name="client.cinder", caps=CAPS)
    assert result.failed and result["msg"].endswith("Error EINVAL: key for client.cinder exists but cap mon does not match")


def test_without_caps_an_existing_key_is_read_and_a_missing_one_is_an_error(ceph):
    entry = ceph.add_auth("client.cinder", {"mon": "allow r"})
    result = run(name="client.cinder", check_mode=True)
    assert (result["changed"], result["key"], result["caps"]) == (False, entry["key"], {"mon": "allow r"})
    result = run(name="client.nova")
    assert result.failed and result["msg"] == "ceph_auth client.nova: client.nova does not exist; give caps to create it"
    result = run(name="client.nova", check_mode=True)
    assert (result.failed, result["key"], result["changed"]) == (False, None, False)
    assert result["warnings"] == ["client.nova does not exist; check mode assumes an earlier task creates it (its key is not known yet)"]
    assert ceph.writes() == []
