# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""guacamole_user, run in-process against the Guacamole double (tests/doubles/guacamole_server.py)
on 127.0.0.1, with a fake clock for TOTP."""

from __future__ import annotations

import json

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import GuacamoleClient
from ansible_collections.foundrycloud.platform.plugins.modules import guacamole_user
from guacamole_fixtures import install_fake_clock, serve_double
from ollama_http_fixtures import closed_port_url, run_module

import guacamole_server  # noqa: E402  pylint: disable=wrong-import-order  # on sys.path through guacamole_fixtures

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW = "N3w-Admin-Password"
OLD = "0ld-Admin-Password"


@pytest.fixture
def clock(monkeypatch, tmp_path):
    return install_fake_clock(monkeypatch, tmp_path, 1_800_000_010.0)


def start(monkeypatch, clock, **settings):
    server = serve_double(monkeypatch, clock, **settings)
    return server


@pytest.fixture
def fresh(monkeypatch, clock):
    """A fresh install: guacadmin/guacadmin, no TOTP."""
    server = start(monkeypatch, clock)
    yield server
    server.close()


@pytest.fixture
def totp(monkeypatch, clock):
    """TOTP on; guacadmin has password OLD and a confirmed key."""
    server = start(monkeypatch, clock, totp_enabled=True)
    server.app.store.set_password_plain("guacadmin", OLD)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    yield server
    server.close()


def run(server, check_mode=False, diff=False, **args):
    args.setdefault("url", server.url if server else closed_port_url())
    args.setdefault("timeout", 5)
    return run_module(guacamole_user, args, check_mode=check_mode, diff=diff)


def logs_in(server, password):
    user = server.app.store.get_user("guacadmin")
    return guacamole_server.password_matches(password, user["password_hash"], user["password_salt"])


def test_takes_over_the_default_admin(fresh):
    result = run(fresh, password="guacadmin", new_password=NEW, diff=True)
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (True, "password_changed")
    # The old password equals the user name here, so Ansible masks the name like any no_log value.
    assert result["username"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert logs_in(fresh, NEW) and not logs_in(fresh, "guacadmin")
    assert result["diff"]["after"] == {"logs_in_with": "new_password"}
    assert NEW not in json.dumps(result.result)
    assert fresh.app.sessions == {}


def test_current_password_is_an_alias(fresh):
    result = run(fresh, current_password="guacadmin", new_password=NEW)
    assert (result["changed"], result["action"]) == (True, "password_changed")


def test_nothing_to_do_when_the_new_password_works(fresh):
    fresh.app.store.set_password_plain("guacadmin", NEW)
    result = run(fresh, password="guacadmin", new_password=NEW, diff=True)
    assert (result["changed"], result["action"]) == (False, "unchanged")
    assert result["diff"]["before"] == result["diff"]["after"]
    assert fresh.app.failures == {}  # only the login with new_password was tried


def test_is_idempotent(fresh):
    assert run(fresh, password="guacadmin", new_password=NEW)["changed"] is True
    assert run(fresh, password="guacadmin", new_password=NEW)["changed"] is False


def test_check_mode_changes_nothing(fresh):
    result = run(fresh, check_mode=True, password="guacadmin", new_password=NEW)
    assert (result["changed"], result["action"]) == (True, "password_changed")
    assert logs_in(fresh, "guacadmin")


def test_neither_password_works(fresh):
    result = run(fresh, password="Not-It-Either", new_password=NEW)
    assert result.failed
    assert "guacadmin" in result["msg"] and fresh.url in result["msg"] and "was not changed" in result["msg"]
    assert result["username"] == "guacadmin"


def test_no_current_password_given(fresh):
    result = run(fresh, new_password=NEW)
    assert result.failed and "no current password" in result["msg"] and fresh.url in result["msg"]


def test_another_user(fresh):
    fresh.app.store.add_user("ops", "ops-Old-1")
    result = run(fresh, username="ops", password="ops-Old-1", new_password="ops-New-1")
    assert (result["changed"], result["username"]) == (True, "ops")
    user = fresh.app.store.get_user("ops")
    assert guacamole_server.password_matches("ops-New-1", user["password_hash"], user["password_salt"])


def test_rotation_with_totp(totp, clock):
    result = run(totp, password=OLD, new_password=NEW, totp_secret=SECRET)
    assert not result.failed, result.result
    assert result["changed"] is True and logs_in(totp, NEW)
    # The TOTP key stays; the wrong first attempt spent no code, so nobody waited.
    attributes = totp.app.store.get_user("guacadmin")["attributes"]
    assert attributes["guac-totp-key-secret"] == SECRET and attributes["guac-totp-key-confirmed"] == "true"
    assert clock.now == 1_800_000_010.0
    again = run(totp, password=OLD, new_password=NEW, totp_secret=SECRET)
    assert again["changed"] is False
    assert sum(e["count"] for e in totp.app.failures.values()) == 1


def test_totp_required_but_not_given(totp):
    result = run(totp, password=OLD, new_password=NEW)
    assert result.failed and "requires a TOTP code" in result["msg"]
    assert logs_in(totp, OLD)


def test_totp_refused(totp):
    result = run(totp, password=OLD, new_password=NEW, totp_secret="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    assert result.failed and "refused the TOTP code" in result["msg"]
    assert logs_in(totp, OLD)


def test_server_down(clock):
    result = run(None, password="guacadmin", new_password=NEW, retries=0)
    assert result.failed and "cannot connect" in result["msg"]


def test_empty_new_password(fresh):
    result = run(fresh, password="guacadmin", new_password="")
    assert result.failed and "new_password must not be empty" in result["msg"]


def test_banned(fresh):
    for _unused in range(5):
        run(fresh, password="Wrong-Pass-x", new_password="Wrong-Pass-y")
    result = run(fresh, password="guacadmin", new_password=NEW)
    assert result.failed and "too many failed attempts" in result["msg"]


def test_auth_token_from_module_defaults_is_accepted_and_left_alone(fresh):
    # The guacamole action group's module_defaults may carry auth_token; this module checks
    # passwords by logging in with them, so it neither uses nor ends that session.
    fresh.app.store.set_password_plain("guacadmin", NEW)
    owner = GuacamoleClient(fresh.url, timeout=5, retries=0)
    owner.authenticate("guacadmin", NEW)
    result = run(fresh, new_password=NEW, auth_token=owner.token)
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (False, "unchanged")
    assert len(fresh.app.requests_to("POST", "/api/tokens")) == 2  # owner's and the module's own login
    assert list(fresh.app.sessions) == [owner.token]
