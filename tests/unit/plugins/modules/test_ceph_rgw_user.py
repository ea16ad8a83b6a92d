# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ceph_rgw_user through its main(), against the fake cluster (tests/unit/ceph_fake.py)."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import ceph_rgw_user
from ceph_fake import ceph, runner  # noqa: F401  pylint: disable=unused-import

SECRET = "fixedsecretfixedsecretfixedsecret0000001"

run = runner(ceph_rgw_user)


def test_creates_and_returns_generated_keys(ceph):
    result = run(uid="langfuse", display_name="Langfuse", max_buckets=10)
    assert (result["changed"], result["action"]) == (True, "created"), result.result
    key = ceph.rgw_users["langfuse"]["keys"][0]
    assert (result["access_key"], result["secret_key"]) == (key["access_key"], key["secret_key"])
    assert result["user"] == dict(uid="langfuse", display_name="Langfuse", max_buckets=10, suspended=False,
                                  access_keys=[key["access_key"]])
    assert run(uid="langfuse", display_name="Langfuse", max_buckets=10)["changed"] is False


def test_existing_keys_are_kept_and_settings_corrected(ceph):
    user = ceph.add_rgw_user("langfuse", "Old", max_buckets=1000)
    keys = list(user["keys"])
    result = run(uid="langfuse", display_name="Langfuse", max_buckets=10, diff=True)
    assert (result["action"], ceph.rgw_users["langfuse"]["keys"]) == ("updated", keys)
    assert ceph.writes() == ["radosgw-admin user modify --uid langfuse --display-name Langfuse --max-buckets 10"]
    assert result["diff"]["before"]["display_name"] == "Old" and result["diff"]["after"]["display_name"] == "Langfuse"
    assert result["access_key"] == keys[0]["access_key"]


def test_declared_keys_are_added_and_masked_in_commands(ceph):
    ceph.add_rgw_user("backups", "Backups")
    result = run(uid="backups", display_name="Backups", access_key="FIXEDACCESSKEY000001", secret_key=SECRET)
    assert result["commands"] == ["radosgw-admin key create --uid backups --key-type s3 --access-key FIXEDACCESSKEY000001 "
                                  "--secret-key '********'"]
    assert len(ceph.rgw_users["backups"]["keys"]) == 2 and result["access_key"] == "FIXEDACCESSKEY000001"
    assert run(uid="backups", access_key="FIXEDACCESSKEY000001", secret_key=SECRET)["changed"] is False


def test_create_with_declared_keys(ceph):
    result = run(uid="backups", display_name="Backups", access_key="FIXEDACCESSKEY000001", secret_key=SECRET)
    assert result["action"] == "created" and ceph.rgw_users["backups"]["keys"][0]["secret_key"] == SECRET
    assert SECRET not in " ".join(result["commands"])


def test_check_mode(ceph):
    result = run(uid="langfuse", display_name="Langfuse", check_mode=True, diff=True)
    assert (result["changed"], result["access_key"], ceph.rgw_users) == (True, None, {})
    assert result["diff"]["before"] == {} and result["diff"]["after"]["uid"] == "langfuse"
    ceph.add_rgw_user("langfuse", "Old")
    assert run(uid="langfuse", display_name="Langfuse", check_mode=True)["action"] == "updated"
    assert ceph.rgw_users["langfuse"]["display_name"] == "Old" and ceph.writes() == []


def test_absent(ceph):
    ceph.add_rgw_user("old", "Old")
    assert run(uid="old", state="absent")["action"] == "deleted" and ceph.rgw_users == {}
    assert run(uid="old", state="absent")["action"] == "already_absent"


def test_create_needs_a_display_name(ceph):
    result = run(uid="langfuse")
    assert result.failed and "display_name is required to create user 'langfuse'" in result["msg"] and ceph.writes() == []


@pytest.mark.parametrize("args, message", [
    (dict(uid="bad uid", display_name="x"), "is not a user ID"),
    (dict(uid="u", display_name="x", access_key="A"), "access_key and secret_key go together"),
    (dict(uid="u", display_name="x", max_buckets=-1), "max_buckets must be 0 or more"),
])
def test_bad_input(ceph, args, message):
    result = run(**args)
    assert result.failed and message in result["msg"] and ceph.calls == []


@pytest.mark.parametrize("fixture, message", [("unreachable_rgw", "cluster not reachable"),
                                              ((0, "{\"user_id\": \"someone-else\", \"keys\": []}", ""), "unexpected output"),
                                              ((0, "could not init", ""), "unexpected output")])
def test_cluster_down_or_garbage(ceph, fixture, message):
    ceph.fail_next("radosgw-admin user info", fixture)
    result = run(uid="langfuse", display_name="Langfuse")
    assert result.failed and message in result["msg"] and ceph.writes() == []
