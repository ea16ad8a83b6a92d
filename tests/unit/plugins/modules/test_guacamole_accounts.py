# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""guacamole_accounts, run in-process against the Guacamole double (tests/doubles/guacamole_server.py)
on 127.0.0.1, with a fake clock for TOTP. What a workspace user sees afterwards is checked by
logging in as that user, over HTTP, as a browser would."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import GuacamoleClient, GuacamoleHTTPError
from ansible_collections.foundrycloud.platform.plugins.modules import guacamole_accounts
from guacamole_fixtures import install_fake_clock, serve_double
from ollama_http_fixtures import _PROXY_VARIABLES, closed_port_url, run_module

import guacamole_server  # noqa: E402  pylint: disable=wrong-import-order  # on sys.path through guacamole_fixtures

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN_PASSWORD = "Adm1n-pass"
ALICE_PASSWORD = "alice-Guac-passw0rd"
BOB_PASSWORD = "bob-Guac-passw0rd"
GROUP = "foundrycloud-workspace-users"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def clock(monkeypatch, tmp_path):
    return install_fake_clock(monkeypatch, tmp_path, 1_800_000_000.0)


def provision(server):
    server.app.store.set_password_plain("guacadmin", ADMIN_PASSWORD)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    for name in ("alice desktop", "bob desktop"):
        server.app.save_connection({"name": name, "protocol": "rdp", "parameters": {"hostname": name.split()[0],
                                                                                    "password": "rdp-" + name}})


@pytest.fixture
def guac(monkeypatch, clock):
    """TOTP off (the accounts log in with a password only); guacadmin as the platform provisions it."""
    server = serve_double(monkeypatch, clock)
    provision(server)
    yield server
    server.close()


@pytest.fixture
def totp(monkeypatch, clock):
    server = serve_double(monkeypatch, clock, totp_enabled=True)
    provision(server)
    yield server
    server.close()


def alice(**extra):
    account = dict(username="alice", password=ALICE_PASSWORD, connections=["alice desktop"],
                   attributes={"guac-full-name": "Alice Example"})
    account.update(extra)
    return account


def bob(**extra):
    account = dict(username="bob", password=BOB_PASSWORD, connections=["bob desktop"])
    account.update(extra)
    return account


def run(server, accounts, check_mode=False, diff=False, **args):
    args.setdefault("url", server.url if server else closed_port_url())
    args.setdefault("password", ADMIN_PASSWORD)
    args.setdefault("totp_secret", SECRET if server and server.app.config.totp_enabled else None)
    args.setdefault("timeout", 5)
    args["accounts"] = accounts
    return run_module(guacamole_accounts, args, check_mode=check_mode, diff=diff)


def ok(result):
    assert not result.failed, result.result
    return result


def connection_id(server, name):
    return str([c for c in server.app.store.list_connections() if c["name"] == name][0]["id"])


def as_user(server, username, password):
    """A client logged in as a workspace user (no TOTP in the guac fixture)."""
    client = GuacamoleClient(server.url, timeout=5, retries=0)
    client.authenticate(username, password)
    return client


def writes_since(server, index):
    return [(r["method"], r["path"]) for r in server.app.requests[index:] if r["method"] in WRITES
            and r["path"] not in ("/api/tokens", "/api/session")]


# -- what the accounts get ---------------------------------------------------------------------


def test_creates_the_accounts_the_group_and_the_permissions(guac):
    result = ok(run(guac, [alice(), bob()], prune=True))
    assert result["changed"] is True and result["group_created"] is True and result["deleted"] == []
    assert [(a["username"], a["action"], a["changes"]) for a in result["accounts"]] == [
        ("alice", "created", ["password", "attributes", "member", "connections"]),
        ("bob", "created", ["password", "member", "connections"])]
    store = guac.app.store
    assert store.group_members(GROUP) == ["alice", "bob"]
    assert store.permissions("USER", "alice")["connections"] == {int(connection_id(guac, "alice desktop")): {"READ"}}
    assert store.get_user("alice")["attributes"]["guac-full-name"] == "Alice Example"
    assert guac.app.sessions == {}   # its own session, logged out


def test_a_user_sees_exactly_its_own_connection_and_not_the_others(guac):
    ok(run(guac, [alice(), bob()]))
    session = as_user(guac, "alice", ALICE_PASSWORD)
    listing = session.connections()
    assert [c["name"] for c in listing.values()] == ["alice desktop"]
    bobs = connection_id(guac, "bob desktop")
    with pytest.raises(GuacamoleHTTPError) as refused:
        session.session_request("GET", "connections/%s" % bobs, "read bob's connection")
    # Real Guacamole answers 404 for a connection the user may not READ (not 403).
    assert refused.value.status == 404 and refused.value.error_type == "NOT_FOUND"
    # Her own connection is listed, but its parameters (the desktop password) are not hers to read.
    assert session.connection_parameters(connection_id(guac, "alice desktop")) == {}
    with pytest.raises(GuacamoleHTTPError) as denied:
        session.create_user("mallory", "x", {})
    assert denied.value.status == 403


def test_second_run_changes_nothing_and_writes_nothing(guac):
    ok(run(guac, [alice(), bob()], prune=True))
    before = len(guac.app.requests)
    again = ok(run(guac, [alice(), bob()], prune=True, diff=True))
    assert again["changed"] is False and {a["action"] for a in again["accounts"]} == {"unchanged"}
    assert writes_since(guac, before) == []
    assert again["diff"]["before"] == again["diff"]["after"]


def test_one_login_for_everything_with_totp(totp):
    result = ok(run(totp, [alice(), bob()], prune=True))
    assert result["changed"] is True
    assert len(totp.app.requests_to("POST", "/api/tokens")) == 1
    # The new users enrol at their first login: the double answers with the enrolment challenge.
    challenge = guacamole_server.ApiFailure
    with pytest.raises(challenge) as enrol:
        totp.app._authenticate({"username": "alice", "password": ALICE_PASSWORD})
    assert enrol.value.key == "TOTP.INFO_ENROLL_REQUIRED" and enrol.value.expected[0]["secret"]


def test_with_an_auth_token_it_neither_logs_in_nor_out(guac):
    client = GuacamoleClient(guac.url, timeout=5)
    client.authenticate("guacadmin", ADMIN_PASSWORD)
    result = ok(run(guac, [alice()], auth_token=client.token, password=None))
    assert result["changed"] is True
    assert len(guac.app.requests_to("POST", "/api/tokens")) == 1 and client.token in guac.app.sessions


# -- permissions ---------------------------------------------------------------------------------


def test_permissions_on_other_connections_are_removed(guac):
    ok(run(guac, [alice(), bob()]))
    bobs, alices = int(connection_id(guac, "bob desktop")), int(connection_id(guac, "alice desktop"))
    guac.app.store.grant("alice", ("connections", bobs, "READ"), ("connections", alices, "UPDATE"))
    result = ok(run(guac, [alice(), bob()], diff=True))
    assert [(a["username"], a["changes"]) for a in result["accounts"]] == [("alice", ["connections"]), ("bob", [])]
    assert guac.app.store.permissions("USER", "alice")["connections"] == {alices: {"READ"}}
    assert result["diff"]["before"]["accounts"]["alice"]["connections"] == ["alice desktop", "bob desktop"]
    assert result["diff"]["after"]["accounts"]["alice"]["connections"] == ["alice desktop"]


def test_a_connection_moves_from_one_account_to_another(guac):
    ok(run(guac, [alice(), bob()]))
    ok(run(guac, [alice(connections=["bob desktop"]), bob(connections=[])]))
    session = as_user(guac, "alice", ALICE_PASSWORD)
    assert [c["name"] for c in session.connections().values()] == ["bob desktop"]
    assert as_user(guac, "bob", BOB_PASSWORD).connections() == {}


def test_a_missing_connection_fails_clearly_and_changes_nothing(guac):
    result = run(guac, [alice(connections=["carol desktop"])])
    assert result.failed and "'carol desktop'" in result["msg"] and "alice" in result["msg"] and guac.url in result["msg"]
    assert guac.app.store.get_user("alice") is None and guac.app.store.get_user_group(GROUP) is None


def test_an_ambiguous_connection_name_fails(guac):
    guac.app.store.groups[7] = {"name": "elsewhere"}
    guac.app.save_connection({"name": "alice desktop", "parentIdentifier": "7", "protocol": "rdp"})
    result = run(guac, [alice()])
    assert result.failed and "ambiguous" in result["msg"] and "rename one" in result["msg"]


# -- accounts that leave the list ------------------------------------------------------------


def test_prune_deletes_members_no_longer_listed_and_nobody_else(guac):
    ok(run(guac, [alice(), bob()], prune=True))
    guac.app.store.add_user("ops", "ops-Passw0rd")         # an account outside the managed group
    result = ok(run(guac, [alice()], prune=True, diff=True))
    assert result["changed"] is True and result["deleted"] == ["bob"] and result["kept"] == []
    store = guac.app.store
    assert store.get_user("bob") is None and store.group_members(GROUP) == ["alice"]
    assert store.get_user("ops") is not None and store.get_user("guacadmin") is not None
    assert result["diff"]["before"]["members"] == ["alice", "bob"] and result["diff"]["after"]["members"] == ["alice"]
    with pytest.raises(Exception) as gone:
        as_user(guac, "bob", BOB_PASSWORD)
    assert "wrong username or password" in str(gone.value)
    assert ok(run(guac, [alice()], prune=True))["changed"] is False


def test_without_prune_members_are_only_reported(guac):
    ok(run(guac, [alice(), bob()]))
    result = ok(run(guac, [alice()]))
    assert result["changed"] is False and result["deleted"] == [] and result["kept"] == ["bob"]
    assert guac.app.store.get_user("bob") is not None


def test_prune_never_deletes_the_admin_nor_another_administrator(guac):
    ok(run(guac, [alice()], prune=True))
    guac.app.store.add_user("root2", "r00t-Passw0rd")
    guac.app.store.grant("root2", ("system", "ADMINISTER"))
    guac.app.store.patch_group_members(GROUP, ["guacadmin", "root2"], [])
    result = ok(run(guac, [], prune=True))
    assert result["deleted"] == ["alice"] and result["kept"] == ["guacadmin", "root2"]
    assert len(result["warnings"]) == 2 and "administrator" in result["warnings"][1]
    assert guac.app.store.get_user("guacadmin") is not None and guac.app.store.get_user("root2") is not None


def test_check_mode_prune_reports_and_deletes_nothing(guac):
    ok(run(guac, [alice(), bob()], prune=True))
    before = len(guac.app.requests)
    result = ok(run(guac, [alice()], prune=True, check_mode=True))
    assert result["changed"] is True and result["deleted"] == ["bob"]
    assert guac.app.store.get_user("bob") is not None and writes_since(guac, before) == []


# -- check mode --------------------------------------------------------------------------------


def test_check_mode_creates_nothing_and_says_what_it_would_do(guac):
    result = ok(run(guac, [alice(), bob()], check_mode=True, diff=True, prune=True))
    assert result["changed"] is True and result["group_created"] is True
    assert [a["action"] for a in result["accounts"]] == ["created", "created"]
    assert guac.app.store.get_user("alice") is None and guac.app.store.get_user_group(GROUP) is None
    assert writes_since(guac, 0) == []
    assert result["diff"]["after"]["accounts"]["alice"]["password"] == "<hidden, changed>"


def test_check_mode_with_a_connection_an_earlier_task_would_create(guac):
    result = ok(run(guac, [alice(connections=["new desktop"])], check_mode=True))
    assert result["accounts"][0]["changes"] == ["password", "attributes", "member", "connections"]
    assert "new desktop" in result["warnings"][0]


def test_check_mode_after_a_run_is_unchanged(guac):
    ok(run(guac, [alice(), bob()]))
    assert ok(run(guac, [alice(), bob()], check_mode=True))["changed"] is False


# -- attributes and passwords ------------------------------------------------------------------


def test_attributes_are_managed_one_by_one(guac):
    ok(run(guac, [alice()]))
    guac.app.store.set_user_attributes("alice", {"guac-organization": "Example Org"})   # set elsewhere: kept
    wanted = {"guac-full-name": "Alice B. Example", "guac-email-address": "a@example.org", "disabled": False}
    result = ok(run(guac, [alice(attributes=wanted)]))
    assert result["accounts"][0]["changes"] == ["attributes"]
    attributes = guac.app.store.get_user("alice")["attributes"]
    assert attributes["guac-full-name"] == "Alice B. Example" and attributes["guac-email-address"] == "a@example.org"
    assert attributes["guac-organization"] == "Example Org"
    assert ok(run(guac, [alice(attributes={"guac-full-name": "Alice B. Example", "disabled": "false"})]))["changed"] is False
    cleared = ok(run(guac, [alice(attributes={"guac-full-name": None})]))
    assert cleared["changed"] is True and "guac-full-name" not in guac.app.store.get_user("alice")["attributes"]


def test_an_update_keeps_the_users_totp_enrolment(totp):
    ok(run(totp, [alice()]))
    totp.app.store.set_user_attributes("alice", {"guac-totp-key-secret": "KRSXG5CTMVRXEZLU", "guac-totp-key-confirmed": "true"})
    ok(run(totp, [alice(attributes={"guac-full-name": "Alice Renamed"})]))
    attributes = totp.app.store.get_user("alice")["attributes"]
    assert attributes["guac-totp-key-secret"] == "KRSXG5CTMVRXEZLU" and attributes["guac-totp-key-confirmed"] == "true"


def test_a_changed_password_is_set_only_when_asked(guac):
    ok(run(guac, [alice()]))
    rotated = "alice-Rotated-passw0rd"
    unchanged = ok(run(guac, [alice(password=rotated)]))
    assert unchanged["changed"] is False
    as_user(guac, "alice", ALICE_PASSWORD)     # still the first password (documented: on_create)
    result = ok(run(guac, [alice(password=rotated), bob()], update_password="always", diff=True))
    assert [a["changes"][:1] for a in result["accounts"]] == [["password"], ["password"]]
    as_user(guac, "alice", rotated)
    assert rotated not in json.dumps(result.result) and BOB_PASSWORD not in json.dumps(result.result)
    assert result["diff"]["before"]["accounts"]["alice"]["password"] == "<hidden>"


def test_an_existing_account_outside_the_group_is_taken_over(guac):
    guac.app.store.add_user("alice", "an-Old-passw0rd")
    result = ok(run(guac, [alice()]))
    assert result["accounts"][0]["action"] == "updated"
    assert result["accounts"][0]["changes"] == ["password", "attributes", "member", "connections"]
    as_user(guac, "alice", ALICE_PASSWORD)
    assert guac.app.store.group_members(GROUP) == ["alice"]


def test_passwords_never_appear_in_the_output(guac):
    result = ok(run(guac, [alice(), bob()], diff=True))
    text = json.dumps(result.result)
    assert ALICE_PASSWORD not in text and BOB_PASSWORD not in text and ADMIN_PASSWORD not in text
    assert result["invocation"]["module_args"]["accounts"][0]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("accounts, words", [
    ([alice(), alice()], "alice is listed twice"),
    ([alice(attributes={"guac-favourite-colour": "blue"})], "not a user attribute"),
    ([alice(attributes={"disabled": "maybe"})], "must be true or false"),
    ([alice(attributes={"valid-until": "31.12.2026"})], "YYYY-MM-DD"),
    ([alice(attributes={"access-window-start": "9:00"})], "HH:MM:SS"),
    ([alice(password="")], "must not be empty"),
    ([alice(connections=["alice desktop", "alice desktop"])], "listed twice"),
    ([dict(username=" ")], "needs a username"),
])
def test_bad_input_is_refused_before_any_request(guac, accounts, words):
    result = run(guac, accounts)
    assert result.failed and words in result["msg"], result.result
    assert guac.app.requests == []


def test_the_admin_itself_is_refused(guac):
    result = run(guac, [dict(username="guacadmin", password="x-Passw0rd")])
    assert result.failed and "logged in as" in result["msg"]
    assert writes_since(guac, 0) == []


def test_a_new_account_needs_a_password(guac):
    result = run(guac, [alice(password=None), bob()])
    assert result.failed and "alice" in result["msg"] and "password is needed" in result["msg"]
    assert writes_since(guac, 0) == [] and guac.app.store.get_user("bob") is None


def test_an_empty_group_name_is_refused(guac):
    result = run(guac, [alice()], group=" ")
    assert result.failed and "group must not be empty" in result["msg"]


# -- a server that is down or answers garbage ------------------------------------------------


def test_server_down(clock):
    result = run(None, [alice()], retries=1)
    assert result.failed and "cannot connect" in result["msg"] and "gave up after 2 attempts" in result["msg"]


class Garbage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body>Service Unavailable</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_server_that_is_not_guacamole(monkeypatch, clock):
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d/guacamole" % server.server_address[1]
        result = run_module(guacamole_accounts, dict(url=url, password="x", accounts=[alice()], timeout=5))
    finally:
        server.shutdown()
        server.server_close()
    assert result.failed and "not JSON" in result["msg"] and url in result["msg"]


@pytest.mark.parametrize("path, answer, words", [
    ("users", ["alice"], "expected a JSON object"),
    ("users", {"alice": "yes"}, "is not a user object"),
    ("userGroups/" + GROUP + "/memberUsers", {"alice": True}, "expected a JSON array"),
    ("userGroups/" + GROUP + "/memberUsers", [1, 2], "a list of user names"),
    ("users/alice/permissions", {"connectionPermissions": ["1"]}, "connectionPermissions is not an object of lists"),
])
def test_garbage_in_an_answer_fails_clearly(guac, monkeypatch, path, answer, words):
    ok(run(guac, [alice()]))
    real = guacamole_server.Handler.data

    def data(handler, parts, username):
        if "/".join(parts) == path and handler.command == "GET":
            return 200, answer
        return real(handler, parts, username)

    monkeypatch.setattr(guacamole_server.Handler, "data", data)
    result = run(guac, [alice()])
    assert result.failed and words in result["msg"] and guac.url in result["msg"], result.result
