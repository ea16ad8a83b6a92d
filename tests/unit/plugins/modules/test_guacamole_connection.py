# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""guacamole_connection, run in-process against the Guacamole double (tests/doubles/guacamole_server.py)
on 127.0.0.1, with a fake clock for TOTP."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import guacamole_connection
from guacamole_fixtures import install_fake_clock, serve_double
from ollama_http_fixtures import _PROXY_VARIABLES, closed_port_url, run_module


SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN_PASSWORD = "Adm1n-pass"
RDP_PASSWORD = "rdp-Secr3t-value"
RDP = {"hostname": "10.20.0.15", "port": 3389, "username": "operator", "password": RDP_PASSWORD,
       "security": "nla", "ignore-cert": True}


@pytest.fixture
def clock(monkeypatch, tmp_path):
    return install_fake_clock(monkeypatch, tmp_path, 1_800_000_000.0)


@pytest.fixture
def guac(monkeypatch, clock):
    """The double with TOTP on and guacadmin provisioned as the platform does (password, confirmed key)."""
    server = serve_double(monkeypatch, clock, totp_enabled=True)
    server.app.store.set_password_plain("guacadmin", ADMIN_PASSWORD)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    yield server
    server.close()


def run(server, check_mode=False, diff=False, **args):
    args.setdefault("url", server.url if server else closed_port_url())
    args.setdefault("password", ADMIN_PASSWORD)
    args.setdefault("totp_secret", SECRET)
    args.setdefault("timeout", 5)
    return run_module(guacamole_connection, args, check_mode=check_mode, diff=diff)


def stored(server, name="jump"):
    matches = [c for c in server.app.store.list_connections() if c["name"] == name]
    return matches[0] if matches else None


def create(server, **extra):
    args = dict(name="jump", protocol="rdp", parameters=dict(RDP))
    args.update(extra)
    result = run(server, **args)
    assert not result.failed, result.result
    return result


# -- present ---------------------------------------------------------------------------------


def test_creates_a_connection_with_stringified_parameters(guac):
    result = create(guac, attributes={"max-connections": 2})
    assert (result["changed"], result["action"]) == (True, "created")
    record = stored(guac)
    assert result["identifier"] == str(record["id"])
    assert record["protocol"] == "rdp" and record["parent_id"] is None
    assert record["parameters"] == {"hostname": "10.20.0.15", "port": "3389", "username": "operator",
                                    "password": RDP_PASSWORD, "security": "nla", "ignore-cert": "true"}
    assert record["columns"]["max-connections"] == 2
    connection = result["connection"]
    assert connection["parameters"]["password"] == "<hidden, changed>"
    assert connection["parameters"]["port"] == "3389"
    assert connection["attributes"]["max-connections"] == "2"
    assert connection["parent_identifier"] == "ROOT"
    assert sorted(result["changed_parameters"]) == sorted(RDP)


def test_second_run_is_unchanged(guac):
    create(guac)
    again = run(guac, name="jump", protocol="rdp", parameters=dict(RDP), diff=True)
    assert (again["changed"], again["action"]) == (False, "unchanged")
    assert again["changed_parameters"] == []
    assert again["diff"]["before"] == again["diff"]["after"]
    assert again["connection"]["parameters"]["password"] == "<hidden>"


def test_protocol_may_be_omitted_for_an_existing_connection(guac):
    create(guac)
    again = run(guac, name="jump", parameters=dict(RDP))
    assert (again["changed"], again["action"]) == (False, "unchanged")


def test_secrets_never_appear_in_the_output(guac):
    create(guac)
    result = run(guac, name="jump", protocol="rdp", diff=True,
                 parameters=dict(RDP, password="an-other-Secret-9"))
    assert (result["changed"], result["action"]) == (True, "updated")
    assert result["changed_parameters"] == ["password"]
    text = json.dumps(result.result)
    for secret in (RDP_PASSWORD, "an-other-Secret-9", ADMIN_PASSWORD, SECRET):
        assert secret not in text
    assert result["diff"]["before"]["parameters"]["password"] == "<hidden, changed>"
    assert result["diff"]["after"]["parameters"]["password"] == "<hidden, changed>"
    assert stored(guac)["parameters"]["password"] == "an-other-Secret-9"


def test_private_keys_and_passphrases_are_masked(guac):
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"
    result = run(guac, name="ssh", protocol="ssh",
                 parameters={"hostname": "h", "private-key": key, "passphrase": "pp-Secret", "sftp-password": "sftp-Secret"})
    assert not result.failed, result.result
    params = result["connection"]["parameters"]
    assert params["private-key"].startswith("<hidden") and params["passphrase"].startswith("<hidden")
    assert params["sftp-password"].startswith("<hidden")
    text = json.dumps(result.result)
    assert "pp-Secret" not in text and "sftp-Secret" not in text and "OPENSSH" not in text


def test_parameters_not_listed_are_removed_and_empty_ones_count_as_unset(guac):
    create(guac)
    params = dict(RDP)
    del params["security"]
    params["domain"] = ""
    result = run(guac, name="jump", protocol="rdp", parameters=params, diff=True)
    assert (result["changed"], result["changed_parameters"]) == (True, ["security"])
    assert "security" not in stored(guac)["parameters"] and "domain" not in stored(guac)["parameters"]
    assert "security" in result["diff"]["before"]["parameters"]
    assert "security" not in result["diff"]["after"]["parameters"]


def test_updates_the_protocol(guac):
    create(guac)
    result = run(guac, name="jump", protocol="vnc", parameters={"hostname": "h", "port": 5900})
    assert (result["changed"], result["action"]) == (True, "updated")
    assert stored(guac)["protocol"] == "vnc"
    assert stored(guac)["parameters"] == {"hostname": "h", "port": "5900"}


def test_only_listed_attributes_are_managed(guac):
    create(guac, attributes={"max-connections": 2, "guacd-hostname": "guacd"})
    result = run(guac, name="jump", protocol="rdp", parameters=dict(RDP), attributes={"max-connections-per-user": "1"})
    assert (result["changed"], result["action"]) == (True, "updated")
    columns = stored(guac)["columns"]
    assert (columns["max-connections"], columns["max-connections-per-user"], columns["guacd-hostname"]) == (2, 1, "guacd")
    again = run(guac, name="jump", protocol="rdp", parameters=dict(RDP), attributes={"max-connections-per-user": 1})
    assert again["changed"] is False


def test_an_attribute_can_be_cleared(guac):
    create(guac, attributes={"max-connections": 2, "failover-only": True})
    result = run(guac, name="jump", protocol="rdp", parameters=dict(RDP),
                 attributes={"max-connections": None, "failover-only": False})
    assert result["changed"] is True
    assert stored(guac)["columns"]["max-connections"] is None and stored(guac)["columns"]["failover-only"] is False
    assert run(guac, name="jump", protocol="rdp", parameters=dict(RDP), attributes={"failover-only": False})["changed"] is False


def test_check_mode_creates_nothing(guac):
    result = run(guac, check_mode=True, diff=True, name="jump", protocol="rdp", parameters=dict(RDP))
    assert (result["changed"], result["action"], result["identifier"]) == (True, "created", None)
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["parameters"]["password"] == "<hidden, changed>"
    assert guac.app.store.list_connections() == []


def test_check_mode_changes_nothing(guac):
    create(guac)
    result = run(guac, check_mode=True, name="jump", protocol="rdp", parameters=dict(RDP, port=3390))
    assert (result["changed"], result["action"], result["changed_parameters"]) == (True, "updated", ["port"])
    assert stored(guac)["parameters"]["port"] == "3389"


def test_names_are_per_group(guac):
    create(guac)
    guac.app.store.groups[7] = {"name": "lab"}
    result = run(guac, name="jump", protocol="ssh", parent_identifier="7", parameters={"hostname": "h"})
    assert (result["changed"], result["action"]) == (True, "created")
    assert len(guac.app.store.list_connections()) == 2
    assert result["connection"]["parent_identifier"] == "7"


def test_an_unknown_parent_group_fails_clearly(guac):
    result = run(guac, name="jump", protocol="ssh", parent_identifier="42", parameters={"hostname": "h"})
    assert result.failed
    assert "42" in result["msg"] and "HTTP 404" in result["msg"] and guac.url in result["msg"]


def test_duplicates_made_elsewhere_are_reported(guac):
    for _unused in range(2):
        guac.app.store.save_connection(None, "dup", None, "ssh", {}, {}, {})
    result = run(guac, name="dup", protocol="ssh", parameters={})
    assert result.failed and "2 connections named 'dup'" in result["msg"]


def test_logs_out_after_the_task(guac):
    create(guac)
    assert guac.app.sessions == {}


# -- absent ----------------------------------------------------------------------------------


def test_deletes_and_then_is_already_absent(guac):
    create(guac)
    result = run(guac, name="jump", state="absent", diff=True)
    assert (result["changed"], result["action"]) == (True, "deleted")
    assert result["diff"]["after"] == {} and result["diff"]["before"]["parameters"]["password"] == "<hidden>"
    assert stored(guac) is None
    again = run(guac, name="jump", state="absent")
    assert (again["changed"], again["action"], again["identifier"]) == (False, "already_absent", None)


def test_check_mode_deletes_nothing(guac):
    create(guac)
    result = run(guac, check_mode=True, name="jump", state="absent")
    assert (result["changed"], result["action"]) == (True, "deleted")
    assert stored(guac) is not None


# -- bad input and failures ------------------------------------------------------------------


def test_protocol_is_needed_to_create(guac):
    result = run(guac, name="jump", parameters={"hostname": "h"})
    assert result.failed and "protocol is required" in result["msg"]


@pytest.mark.parametrize("attributes, words", [
    ({"max-connections": "many"}, "whole number"),
    ({"max-connections": -1}, "negative"),
    ({"failover-only": "maybe"}, "true or false"),
    ({"guacd-encryption": "TLS"}, "NONE or SSL"),
])
def test_invalid_attributes_fail_before_any_change(guac, attributes, words):
    result = run(guac, name="jump", protocol="rdp", parameters={}, attributes=attributes)
    assert result.failed and words in result["msg"]
    assert guac.app.store.list_connections() == []


def test_a_parameter_value_that_is_a_list_is_refused(guac):
    result = run(guac, name="jump", protocol="rdp", parameters={"hostname": ["a", "b"]})
    assert result.failed and "parameter 'hostname'" in result["msg"]


def test_unknown_protocol_is_refused(guac):
    result = run(guac, name="jump", protocol="spice", parameters={})
    assert result.failed and "protocol" in result["msg"]


def test_empty_name_is_refused(guac):
    result = run(guac, name="  ", protocol="rdp")
    assert result.failed and "name must not be empty" in result["msg"]


def test_server_down(clock):
    result = run(None, name="jump", protocol="rdp", retries=1)
    assert result.failed
    assert "cannot connect" in result["msg"] and "127.0.0.1" in result["msg"] and "gave up after 2 attempts" in result["msg"]


def test_wrong_credentials(guac):
    result = run(guac, name="jump", protocol="rdp", password="Not-The-Password-1")
    assert result.failed and "wrong username or password" in result["msg"] and guac.url in result["msg"]


def test_totp_refused(guac):
    result = run(guac, name="jump", protocol="rdp", totp_secret=base64.b32encode(b"not the key at all!!").decode())
    assert result.failed and "refused the TOTP code" in result["msg"]


def test_totp_needed_but_not_given(guac):
    result = run(guac, name="jump", protocol="rdp", totp_secret=None)
    assert result.failed and "requires a TOTP code" in result["msg"]


def test_invalid_totp_secret(guac):
    result = run(guac, name="jump", protocol="rdp", totp_secret="not base32!")
    assert result.failed and "not valid base32" in result["msg"]


class Garbage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body>It works!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_garbage_answers(monkeypatch, clock):
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d/guacamole" % server.server_address[1]
        result = run_module(guacamole_connection, dict(url=url, password="x", name="jump", protocol="rdp", timeout=5))
    finally:
        server.shutdown()
        server.server_close()
    assert result.failed and "not JSON" in result["msg"] and "It works!" in result["msg"] and url in result["msg"]


def test_consecutive_tasks_with_totp_wait_instead_of_failing(guac, clock):
    start = clock.now
    for index in range(4):
        result = run(guac, name="c%d" % index, protocol="ssh", parameters={"hostname": "h"})
        assert not result.failed, result.result
    assert guac.app.failures == {}
    assert clock.now - start >= 60  # each login after the first one needs a step of its own


# -- auth_token (a session from guacamole_token) ---------------------------------------------


def token_of(server):
    """A token as guacamole_token returns it: a TOTP login whose session stays open."""
    from ansible_collections.foundrycloud.platform.plugins.modules import guacamole_token

    result = run_module(guacamole_token, dict(url=server.url, password=ADMIN_PASSWORD, totp_secret=SECRET, timeout=5))
    assert not result.failed, result.result
    return result["token"]


def with_token(server, token, **args):
    """A connection task given only the token: no password, no TOTP secret."""
    args.update(auth_token=token, password=None, totp_secret=None)
    return run(server, **args)


def test_a_task_with_auth_token_does_not_log_in_nor_out(guac):
    token = token_of(guac)
    before = len(guac.app.requests)
    result = with_token(guac, token, name="jump", protocol="rdp", parameters=dict(RDP))
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (True, "created") and stored(guac) is not None
    requests = guac.app.requests[before:]
    assert [r for r in requests if r["path"] == "/api/tokens"] == []  # no login
    assert [r for r in requests if r["method"] == "DELETE"] == []  # no logout
    assert (requests[0]["method"], requests[0]["path"], requests[0]["token"]) == ("HEAD", "/api/session", token)
    assert {r["token"] for r in requests} == {token}
    assert token in guac.app.sessions  # still usable by the next task
    assert result.get("warnings") == []


def test_the_token_never_appears_in_the_output(guac):
    token = token_of(guac)
    result = with_token(guac, token, name="jump", protocol="rdp", parameters=dict(RDP), diff=True)
    assert not result.failed
    assert token not in json.dumps(result.result)
    assert result["invocation"]["module_args"]["auth_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_many_tasks_with_one_token_spend_one_totp_code(guac, clock):
    start = clock.now
    token = token_of(guac)
    for index in range(5):
        result = with_token(guac, token, name="c%d" % index, protocol="ssh", parameters={"hostname": "h"})
        assert not result.failed, result.result
    assert clock.now == start  # no task waited for a TOTP step (without a token: 4 waits, >= 2 minutes)
    assert len(guac.app.requests_to("POST", "/api/tokens")) == 1
    assert len(guac.app.store.list_connections()) == 5


def test_auth_token_wins_over_password(guac):
    token = token_of(guac)
    result = run(guac, name="jump", protocol="rdp", parameters=dict(RDP), auth_token=token,
                 password="Not-The-Password-1")
    assert not result.failed, result.result
    assert len(guac.app.requests_to("POST", "/api/tokens")) == 1 and guac.app.failures == {}


def test_check_mode_with_a_token(guac):
    token = token_of(guac)
    result = with_token(guac, token, check_mode=True, name="jump", protocol="rdp", parameters=dict(RDP))
    assert (result["changed"], result["action"]) == (True, "created")
    assert guac.app.store.list_connections() == [] and token in guac.app.sessions


def test_an_invalid_token_with_a_password_falls_back_to_a_login(guac):
    token = token_of(guac)
    guac.app.sessions.clear()  # Guacamole restarted, or someone logged the token out
    result = run(guac, name="jump", protocol="rdp", parameters=dict(RDP), auth_token=token)
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (True, "created")
    assert len(guac.app.requests_to("POST", "/api/tokens")) == 2  # token_of's and the fallback
    assert len(result["warnings"]) == 1 and "invalid or expired" in result["warnings"][0]
    assert guac.url in result["warnings"][0]
    assert guac.app.sessions == {}  # the fallback session is the task's own: logged out again
    assert token not in json.dumps(result.result)


def test_an_expired_token_with_a_password_falls_back(guac, clock):
    token = token_of(guac)
    clock.now += 61 * 60  # API_SESSION_TIMEOUT: 60 minutes without a request
    result = run(guac, name="jump", protocol="rdp", parameters=dict(RDP), auth_token=token)
    assert not result.failed, result.result
    assert "invalid or expired" in result["warnings"][0]


def test_an_invalid_token_without_a_password_fails_clearly(guac):
    token = token_of(guac)
    guac.app.sessions.clear()
    result = with_token(guac, token, name="jump", protocol="rdp", parameters=dict(RDP))
    assert result.failed
    msg = result["msg"]
    assert guac.url in msg and "auth_token" in msg and "invalid or expired" in msg and "guacamole_token" in msg
    assert len(guac.app.requests_to("POST", "/api/tokens")) == 1  # only token_of's: no login attempt
    assert guac.app.store.list_connections() == []
    assert token not in json.dumps(result.result)


def test_password_or_auth_token_is_required(guac):
    args = dict(url=guac.url, totp_secret=SECRET, name="jump", protocol="rdp")
    result = run_module(guacamole_connection, args)
    assert result.failed and "one of the following is required: password, auth_token" in result["msg"]
    # An explicit null passes AnsibleModule's check (it counts keys) but sends no empty password.
    null = run(guac, name="jump", protocol="rdp", password=None)
    assert null.failed and "neither password nor auth_token" in null["msg"] and guac.url in null["msg"]
    assert guac.app.requests == [] and guac.app.failures == {}


def test_without_auth_token_the_task_logs_out_its_own_session(guac):
    token = token_of(guac)
    create(guac)  # password login
    assert list(guac.app.sessions) == [token]  # the task's session is gone, the borrowed one untouched
    assert [r["token"] for r in guac.app.requests_to("DELETE", "/api/session")] != [token]
