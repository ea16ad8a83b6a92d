# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""guacamole_token, run in-process against the Guacamole double (tests/doubles/guacamole_server.py)
on 127.0.0.1, with a fake clock for TOTP."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import guacamole_token
from guacamole_fixtures import install_fake_clock, serve_double
from ollama_http_fixtures import _PROXY_VARIABLES, closed_port_url, run_module


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN_PASSWORD = "Adm1n-pass"


@pytest.fixture
def clock(monkeypatch, tmp_path):
    return install_fake_clock(monkeypatch, tmp_path, 1_800_000_000.0)


def start(monkeypatch, clock, **settings):
    server = serve_double(monkeypatch, clock, **settings)
    server.app.store.set_password_plain("guacadmin", ADMIN_PASSWORD)
    return server


@pytest.fixture
def guac(monkeypatch, clock):
    """TOTP on, guacadmin provisioned as the platform does (password, confirmed key)."""
    server = start(monkeypatch, clock, totp_enabled=True)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    yield server
    server.close()


@pytest.fixture
def plain(monkeypatch, clock):
    """No TOTP."""
    server = start(monkeypatch, clock)
    yield server
    server.close()


def run(server, check_mode=False, **args):
    args.setdefault("url", server.url if server else closed_port_url())
    args.setdefault("timeout", 5)
    return run_module(guacamole_token, args, check_mode=check_mode)


def log_in(server, **args):
    args.setdefault("password", ADMIN_PASSWORD)
    args.setdefault("totp_secret", SECRET)
    result = run(server, **args)
    assert not result.failed, result.result
    return result


def logins(server):
    return server.app.requests_to("POST", "/api/tokens")


# -- state=present ---------------------------------------------------------------------------


def test_logs_in_once_and_returns_a_usable_token(guac):
    result = log_in(guac)
    assert (result["changed"], result["action"]) == (False, "logged_in")
    assert (result["data_source"], result["username"]) == ("postgresql", "guacadmin")
    token = result["token"]
    assert token in guac.app.sessions and len(token) == 64  # returned in clear, not as ********
    assert len(logins(guac)) == 1
    # The session stays open for the tasks that follow: no logout.
    assert guac.app.requests_to("DELETE") == []


def test_totp_code_is_sent_and_secrets_stay_out_of_the_output(guac):
    result = log_in(guac)
    assert guac.app.failures == {}
    text = json.dumps(result.result)
    assert ADMIN_PASSWORD not in text and SECRET not in text
    assert result["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_two_logins_in_one_time_step_wait_for_the_next_code(guac, clock):
    clock.now += 10  # in the middle of a 30 s step
    start_time = clock.now
    first = log_in(guac)["token"]
    assert clock.now == start_time
    second = log_in(guac)["token"]
    assert first != second and {first, second} <= set(guac.app.sessions)
    assert clock.now - start_time >= 20  # the second login waited for the next step
    assert guac.app.failures == {}  # and no code was refused


def test_auth_token_is_not_used_to_log_in(guac):
    old = log_in(guac)["token"]
    result = log_in(guac, auth_token=old)
    assert result["token"] != old and len(logins(guac)) == 2


def test_without_totp(plain):
    result = run(plain, password=ADMIN_PASSWORD)
    assert not result.failed and result["token"] in plain.app.sessions


def test_check_mode_logs_in_all_the_same(guac):
    result = run(guac, check_mode=True, password=ADMIN_PASSWORD, totp_secret=SECRET)
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (False, "logged_in")
    assert result["token"] in guac.app.sessions


def test_password_is_required_to_log_in(guac):
    result = run(guac, totp_secret=SECRET)
    assert result.failed and "password" in result["msg"] and "state is present" in result["msg"]
    null = run(guac, totp_secret=SECRET, password=None)
    assert null.failed and "password is needed" in null["msg"] and guac.url in null["msg"]
    assert logins(guac) == [] and guac.app.failures == {}


# -- state=absent ----------------------------------------------------------------------------


def test_logs_out_then_is_already_logged_out(guac):
    token = log_in(guac)["token"]
    result = run(guac, state="absent", auth_token=token)
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (True, "logged_out")
    assert "token" not in result.result
    assert token not in guac.app.sessions
    assert [r["token"] for r in guac.app.requests_to("DELETE", "/api/session")] == [token]
    again = run(guac, state="absent", auth_token=token)
    assert (again["changed"], again["action"]) == (False, "already_logged_out")
    assert len(logins(guac)) == 1  # logging out needs no login
    assert token not in json.dumps(result.result) + json.dumps(again.result)


def test_check_mode_logout_only_checks(guac):
    token = log_in(guac)["token"]
    result = run(guac, check_mode=True, state="absent", auth_token=token)
    assert (result["changed"], result["action"]) == (True, "logged_out")
    assert token in guac.app.sessions
    assert guac.app.requests_to("DELETE") == []
    guac.app.sessions.clear()
    gone = run(guac, check_mode=True, state="absent", auth_token=token)
    assert (gone["changed"], gone["action"]) == (False, "already_logged_out")


def test_an_expired_token_is_already_logged_out(guac, clock):
    token = log_in(guac)["token"]
    clock.now += 61 * 60  # API_SESSION_TIMEOUT (60 minutes) without a request
    result = run(guac, state="absent", auth_token=token)
    assert (result["changed"], result["action"]) == (False, "already_logged_out")


def test_logout_needs_the_token(guac):
    result = run(guac, state="absent", password=ADMIN_PASSWORD)
    assert result.failed and "auth_token" in result["msg"]
    empty = run(guac, state="absent", auth_token="")
    assert empty.failed and "auth_token" in empty["msg"]


def test_logout_with_the_server_down(clock):
    result = run(None, state="absent", auth_token="T" * 64, retries=0)
    assert result.failed and "log out of Guacamole" in result["msg"] and "cannot connect" in result["msg"]
    assert "T" * 64 not in json.dumps(result.result)


# -- failures --------------------------------------------------------------------------------


def test_bad_credentials(guac):
    result = run(guac, password="Not-The-Password-1", totp_secret=SECRET)
    assert result.failed
    assert "wrong username or password" in result["msg"] and guac.url in result["msg"]
    assert guac.app.sessions == {}


def test_unknown_user(guac):
    result = run(guac, username="nobody", password="x", totp_secret=SECRET)
    assert result.failed and "nobody" in result["msg"] and "wrong username or password" in result["msg"]


def test_totp_needed_but_not_given(guac):
    result = run(guac, password=ADMIN_PASSWORD)
    assert result.failed and "requires a TOTP code" in result["msg"]


def test_wrong_totp_secret(guac):
    result = run(guac, password=ADMIN_PASSWORD, totp_secret=base64.b32encode(b"not the key at all!!").decode())
    assert result.failed and "refused the TOTP code" in result["msg"]
    assert guac.app.sessions == {}


def test_invalid_totp_secret(guac):
    result = run(guac, password=ADMIN_PASSWORD, totp_secret="not base32!")
    assert result.failed and "not valid base32" in result["msg"] and guac.url in result["msg"]


def test_a_data_source_the_user_lacks_fails_and_leaves_no_session(guac):
    result = run(guac, password=ADMIN_PASSWORD, totp_secret=SECRET, data_source="mysql")
    assert result.failed and "no data source 'mysql'" in result["msg"]
    assert guac.app.sessions == {}


def test_server_down(clock):
    result = run(None, password="x", retries=1)
    assert result.failed
    assert "log in to Guacamole" in result["msg"] and "cannot connect" in result["msg"]
    assert "127.0.0.1" in result["msg"] and "gave up after 2 attempts" in result["msg"]


class Garbage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body>It works!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_POST = do_GET = do_HEAD = do_DELETE = _reply


@pytest.fixture
def garbage(monkeypatch, clock):
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = "http://127.0.0.1:%d/guacamole" % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()


def test_garbage_answers(garbage):
    result = run(garbage, password="x")
    assert result.failed and "not JSON" in result["msg"] and "It works!" in result["msg"] and garbage.url in result["msg"]
