# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Guacamole doubles (tests/doubles/guacamole_server.py, guacd_server.py) over real HTTP/TCP
on 127.0.0.1, checked with plain urllib and sockets, in memory mode (the image against a real
PostgreSQL is tested with the central services). The TOTP codes here are computed independently
of both the double and the collection's client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import struct
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

DOUBLES = Path(__file__).resolve().parents[1] / "doubles"
sys.path.insert(0, str(DOUBLES))
import guacamole_server  # noqa: E402  pylint: disable=wrong-import-position
import guacd_server  # noqa: E402  pylint: disable=wrong-import-position

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
T0 = 1_800_000_000.0
PROXIES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def code(secret, when, digits=6):
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(when // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return str((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


def test_independent_totp_matches_rfc6238():
    assert code(SECRET, 59, digits=8) == "94287082"


class Clock:
    def __init__(self):
        self.now = T0 + 3

    def __call__(self):
        return self.now


def call(method, url, body=None, form=None, headers=None):
    """(status, headers, parsed JSON or raw bytes); HTTP errors are returned, not raised."""
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, response_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, response_headers, raw = exc.code, exc.headers, exc.read()
    try:
        return status, response_headers, json.loads(raw) if raw else None
    except ValueError:
        return status, response_headers, raw


@pytest.fixture
def start(monkeypatch):
    for variable in PROXIES:
        monkeypatch.delenv(variable, raising=False)
    servers = []

    def factory(store=None, **settings):
        server, _thread = guacamole_server.serve(store=store, **settings)
        server.app.clock = Clock()
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()


def login(server, username="guacadmin", password="guacadmin", **extra):
    return call("POST", server.url + "/api/tokens", form=dict(username=username, password=password, **extra))


def token_of(server, **kwargs):
    status, _headers, body = login(server, **kwargs)
    assert status == 200, body
    return body["authToken"]


def data_url(server, path):
    return "%s/api/session/data/postgresql/%s" % (server.url, path)


def authed(method, server, token, path, **kwargs):
    return call(method, data_url(server, path), headers={"Guacamole-Token": token}, **kwargs)


# -- the web application ---------------------------------------------------------------------


def test_listens_under_the_context_path(start):
    server = start()
    assert server.url.endswith("/guacamole")
    status, headers, body = call("GET", server.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"Guacamole" in body
    outside = server.url[: -len("/guacamole")] + "/other/api/tokens"
    assert call("POST", outside, form={"username": "guacadmin", "password": "guacadmin"})[0] == 404


def test_webapp_context_root(start):
    server = start(webapp_context="ROOT")
    assert not server.url.endswith("/guacamole")
    assert login(server)[0] == 200


# -- logging in ------------------------------------------------------------------------------


def test_fresh_store_has_the_default_admin(start):
    status, _headers, body = login(start())
    assert status == 200
    assert set(body) == {"authToken", "username", "dataSource", "availableDataSources"}
    assert body["username"] == "guacadmin" and body["dataSource"] == "postgresql"
    assert "postgresql" in body["availableDataSources"]
    assert len(body["authToken"]) == 64


def test_wrong_password_is_403_invalid_credentials(start):
    status, headers, body = login(start(), password="nope")
    assert status == 403 and headers["Content-Type"] == "application/json"
    assert body["type"] == "INVALID_CREDENTIALS" and body["message"] == "Invalid login."
    assert body["translatableMessage"] == {"key": "APP.TEXT_UNTRANSLATED", "variables": {"MESSAGE": "Invalid login."}}
    assert body["statusCode"] is None
    assert [f["name"] for f in body["expected"]] == ["username", "password"]


def test_totp_required_then_accepted(start):
    server = start(totp_enabled=True)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    status, _headers, body = login(server)
    assert status == 403 and body["type"] == "INSUFFICIENT_CREDENTIALS"
    assert body["expected"] == [{"name": "guac-totp", "type": "GUAC_TOTP_CODE"}]
    assert body["translatableMessage"]["key"] == "TOTP.INFO_CODE_REQUIRED"
    status, _headers, body = login(server, **{"guac-totp": code(SECRET, server.app.clock.now)})
    assert status == 200 and body["username"] == "guacadmin"


def test_totp_accepts_the_previous_step_but_not_the_next_nor_a_reused_code(start):
    server = start(totp_enabled=True)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    now = server.app.clock.now
    status, _headers, body = login(server, **{"guac-totp": code(SECRET, now + 30)})
    assert status == 400 and body["type"] == "BAD_REQUEST"
    assert body["message"] == "Provided TOTP code is not valid."
    assert body["translatableMessage"]["key"] == "TOTP.INFO_VERIFICATION_FAILED"
    assert login(server, **{"guac-totp": code(SECRET, now - 30)})[0] == 200
    assert login(server, **{"guac-totp": code(SECRET, now - 30)})[0] == 400  # reused
    assert login(server, **{"guac-totp": code(SECRET, now)})[0] == 200
    server.app.clock.now += 60  # two periods later: both codes are too old anyway
    assert login(server, **{"guac-totp": code(SECRET, server.app.clock.now)})[0] == 200


def test_a_wrong_password_with_a_valid_code_spends_no_code(start):
    server = start(totp_enabled=True)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    current = code(SECRET, server.app.clock.now)
    assert login(server, password="nope", **{"guac-totp": current})[0] == 403
    assert login(server, **{"guac-totp": current})[0] == 200


def test_user_without_a_key_gets_one_and_the_enrollment_challenge(start):
    server = start(totp_enabled=True)
    status, _headers, body = login(server)
    assert status == 403 and body["type"] == "INSUFFICIENT_CREDENTIALS"
    assert body["translatableMessage"]["key"] == "TOTP.INFO_ENROLL_REQUIRED"
    field = body["expected"][0]
    assert (field["name"], field["type"], field["digits"], field["period"], field["mode"]) == \
        ("guac-totp", "GUAC_TOTP_CODE", 6, 30, "SHA1")
    attributes = server.app.store.get_user("guacadmin")["attributes"]
    assert attributes["guac-totp-key-secret"].rstrip("=") == field["secret"]
    assert attributes["guac-totp-key-confirmed"] == "false"
    assert field["keyUri"].startswith("otpauth://totp/")
    # Completing enrollment confirms the key, as upstream does.
    assert login(server, **{"guac-totp": code(attributes["guac-totp-key-secret"], server.app.clock.now)})[0] == 200
    assert server.app.store.get_user("guacadmin")["attributes"]["guac-totp-key-confirmed"] == "true"


def test_ban_after_five_failures_and_its_end(start):
    server = start()
    for _unused in range(5):
        assert login(server, password="nope")[0] == 403
    status, _headers, body = login(server)
    assert status == 429 and body["message"] == "Too many failed authentication attempts."
    server.app.clock.now += 300
    assert login(server)[0] == 200


def test_ban_can_be_disabled(start):
    server = start(ban_enabled=False)
    for _unused in range(6):
        login(server, password="nope")
    assert login(server)[0] == 200


# -- sessions --------------------------------------------------------------------------------


def test_token_in_header_or_query_and_logout(start):
    server = start()
    token = token_of(server)
    assert authed("GET", server, token, "connections")[0] == 200
    assert call("GET", data_url(server, "connections") + "?token=" + token)[0] == 200
    status, _headers, body = call("GET", data_url(server, "connections"))
    assert status == 403 and body["type"] == "PERMISSION_DENIED" and body["message"] == "Permission Denied."
    assert call("HEAD", server.url + "/api/session", headers={"Guacamole-Token": token})[0] == 200
    assert call("DELETE", server.url + "/api/session", headers={"Guacamole-Token": token})[0] == 204
    assert authed("GET", server, token, "connections")[0] == 403


def test_unknown_tokens_are_refused_as_upstream_does(start):
    server = start()
    for method, url in (("GET", data_url(server, "connections")), ("DELETE", server.url + "/api/session")):
        status, _headers, body = call(method, url, headers={"Guacamole-Token": "0" * 64})
        assert status == 403 and body["type"] == "PERMISSION_DENIED" and body["message"] == "Permission Denied."
    status, _headers, body = call("HEAD", server.url + "/api/session", headers={"Guacamole-Token": "0" * 64})
    assert status == 403 and body is None  # HEAD: the status only
    assert call("DELETE", server.url + "/api/session")[0] == 403  # no token at all


def test_a_logged_out_token_is_refused(start):
    server = start()
    token = token_of(server)
    assert call("DELETE", server.url + "/api/session", headers={"Guacamole-Token": token})[0] == 204
    assert call("DELETE", server.url + "/api/session", headers={"Guacamole-Token": token})[0] == 403
    assert call("HEAD", server.url + "/api/session", headers={"Guacamole-Token": token})[0] == 403


def test_sessions_expire_after_the_timeout_and_head_is_no_activity(start):
    server = start(session_timeout=1)
    token = token_of(server)
    head = {"Guacamole-Token": token}
    server.app.clock.now += 50
    assert call("HEAD", server.url + "/api/session", headers=head)[0] == 200
    server.app.clock.now += 20  # 70 s after the last real request, though 20 s after the HEAD
    assert call("HEAD", server.url + "/api/session", headers=head)[0] == 403
    assert authed("GET", server, token, "connections")[0] == 403


def test_requests_are_recorded(start):
    server = start()
    token = token_of(server)
    authed("GET", server, token, "connections")
    call("HEAD", server.url + "/api/session", headers={"Guacamole-Token": token})
    now = server.app.clock.now
    assert server.app.requests == [
        {"method": "POST", "path": "/api/tokens", "token": None, "at": now},
        {"method": "GET", "path": "/api/session/data/postgresql/connections", "token": token, "at": now},
        {"method": "HEAD", "path": "/api/session", "token": token, "at": now},
    ]
    assert server.app.requests_to("HEAD") == [server.app.requests[2]]


def test_legacy_token_delete(start):
    server = start()
    token = token_of(server)
    assert call("DELETE", server.url + "/api/tokens/" + token)[0] == 204
    assert call("DELETE", server.url + "/api/tokens/" + token)[0] == 404


def test_unknown_data_source_is_404(start):
    server = start()
    token = token_of(server)
    status, _headers, _body = call("GET", server.url + "/api/session/data/mysql/connections", headers={"Guacamole-Token": token})
    assert status == 404


# -- connections -----------------------------------------------------------------------------


def test_connections_crud(start):
    server = start()
    token = token_of(server)
    assert authed("GET", server, token, "connections")[2] == {}
    status, _headers, created = authed("POST", server, token, "connections", body={
        "name": "jump", "parentIdentifier": "ROOT", "protocol": "rdp",
        "parameters": {"hostname": "10.0.0.5", "port": "3389", "password": "pw", "domain": ""},
        "attributes": {"max-connections": "2", "max-connections-per-user": "lots", "custom": "x"}})
    assert status == 200
    identifier = created["identifier"]
    assert created["name"] == "jump" and created["parentIdentifier"] == "ROOT" and "parameters" not in created
    assert created["attributes"]["max-connections"] == "2"
    assert created["attributes"]["max-connections-per-user"] is None  # not a number: dropped, as upstream
    assert created["attributes"]["failover-only"] is None and created["attributes"]["custom"] == "x"
    listing = authed("GET", server, token, "connections")[2]
    assert list(listing) == [identifier] and listing[identifier]["protocol"] == "rdp"
    params = authed("GET", server, token, "connections/%s/parameters" % identifier)[2]
    assert params == {"hostname": "10.0.0.5", "port": "3389", "password": "pw"}  # empty value not stored
    status, _headers, body = authed("PUT", server, token, "connections/" + identifier, body={
        "identifier": identifier, "name": "jump-2", "parentIdentifier": "ROOT", "protocol": "vnc",
        "parameters": {"hostname": "h"}, "attributes": {"failover-only": "true"}})
    assert status == 204 and body is None
    current = authed("GET", server, token, "connections/" + identifier)[2]
    assert (current["name"], current["protocol"], current["attributes"]["failover-only"]) == ("jump-2", "vnc", "true")
    assert current["attributes"]["max-connections"] is None  # a PUT replaces the attributes
    assert authed("GET", server, token, "connections/%s/parameters" % identifier)[2] == {"hostname": "h"}
    assert authed("DELETE", server, token, "connections/" + identifier)[0] == 204
    status, _headers, body = authed("GET", server, token, "connections/" + identifier)
    assert status == 404 and body["type"] == "NOT_FOUND" and body["message"] == 'Not found: "%s"' % identifier
    assert authed("DELETE", server, token, "connections/" + identifier)[0] == 404


def test_names_are_unique_per_group_and_not_blank(start):
    server = start()
    token = token_of(server)
    body = {"name": "a", "parentIdentifier": "ROOT", "protocol": "ssh", "parameters": {}, "attributes": {}}
    assert authed("POST", server, token, "connections", body=body)[0] == 200
    status, _headers, error = authed("POST", server, token, "connections", body=body)
    assert status == 400 and error["type"] == "BAD_REQUEST" and error["message"] == 'The connection "a" already exists.'
    status, _headers, error = authed("POST", server, token, "connections", body=dict(body, name=" "))
    assert status == 400 and "blank" in error["message"]
    status, _headers, error = authed("POST", server, token, "connections", body=dict(body, name="b", parentIdentifier="9"))
    assert status == 404


def test_root_group(start):
    server = start()
    token = token_of(server)
    status, _headers, body = authed("GET", server, token, "connectionGroups/ROOT")
    assert status == 200 and body["identifier"] == "ROOT"


# -- users and persistence -------------------------------------------------------------------


def test_password_change_and_persistence_in_the_store(start):
    store = guacamole_server.MemoryStore()
    server = start(store=store)
    token = token_of(server)
    status, _headers, body = authed("PUT", server, token, "users/guacadmin/password",
                                    body={"oldPassword": "wrong", "newPassword": "n3w"})
    assert status == 403 and body["type"] == "PERMISSION_DENIED" and body["message"] == "Permission denied."
    before = store.get_user("guacadmin")
    assert authed("PUT", server, token, "users/guacadmin/password",
                  body={"oldPassword": "guacadmin", "newPassword": "n3w"})[0] == 204
    after = store.get_user("guacadmin")
    assert after["password_salt"] != before["password_salt"] and len(after["password_salt"]) == 32
    assert after["password_hash"] == hashlib.sha256(b"n3w" + after["password_salt"].hex().upper().encode()).digest()
    kept = {"name": "kept", "parentIdentifier": "ROOT", "protocol": "ssh", "parameters": {"hostname": "h"}}
    assert authed("POST", server, token, "connections", body=kept)[0] == 200
    server.close()
    # A restarted web application on the same database: same users and connections, no sessions.
    again = start(store=store)
    assert authed("GET", again, token, "connections")[0] == 403
    assert login(again)[0] == 403
    token = token_of(again, password="n3w")
    listing = authed("GET", again, token, "connections")[2]
    assert [c["name"] for c in listing.values()] == ["kept"]


def test_users_and_self(start):
    server = start()
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-full-name": "Admin"})
    token = token_of(server)
    status, _headers, body = authed("GET", server, token, "users/guacadmin")
    assert status == 200 and body["username"] == "guacadmin"
    assert body["attributes"]["guac-full-name"] == "Admin"
    assert "guac-totp-key-secret" not in body["attributes"] and "password" not in body
    assert authed("GET", server, token, "self")[2]["username"] == "guacadmin"
    assert list(authed("GET", server, token, "users")[2]) == ["guacadmin"]
    assert authed("GET", server, token, "users/nobody")[0] == 404


# -- accounts: users, groups, permissions, what a user sees ---------------------------------


def test_users_are_created_updated_and_deleted_by_an_administrator(start):
    server = start()
    token = token_of(server)
    status, _headers, body = authed("POST", server, token, "users", body={
        "username": "alice", "password": "alice-pw", "attributes": {"guac-full-name": "Alice", "colour": "blue"}})
    assert status == 200 and body["username"] == "alice" and "password" not in body
    assert body["attributes"]["guac-full-name"] == "Alice" and "colour" not in body["attributes"]   # not in the schema
    status, _headers, body = authed("POST", server, token, "users", body={"username": "alice", "password": "x"})
    assert status == 400 and body["message"] == 'User "alice" already exists.'
    assert login(server, username="alice", password="alice-pw")[0] == 200
    # A PUT without a password keeps it; the column attributes it does not name are unset.
    server.app.store.set_user_attributes("alice", {"guac-totp-key-secret": SECRET})
    assert authed("PUT", server, token, "users/alice", body={"username": "alice", "attributes": {
        "guac-email-address": "a@example.org"}})[0] == 204
    attributes = authed("GET", server, token, "users/alice")[2]["attributes"]
    assert attributes["guac-email-address"] == "a@example.org" and attributes["guac-full-name"] is None
    assert server.app.store.get_user("alice")["attributes"]["guac-totp-key-secret"] == SECRET   # kept
    assert login(server, username="alice", password="alice-pw")[0] == 200
    assert authed("PUT", server, token, "users/alice", body={"username": "alice", "password": "n3w", "attributes": {}})[0] == 204
    assert login(server, username="alice", password="n3w")[0] == 200
    assert authed("PUT", server, token, "users/alice", body={"username": "bob", "attributes": {}})[0] == 400
    assert authed("PUT", server, token, "users/guacadmin", body={"username": "guacadmin", "attributes": {}})[0] == 403
    assert authed("DELETE", server, token, "users/alice")[0] == 204
    assert authed("DELETE", server, token, "users/alice")[0] == 404
    assert login(server, username="alice", password="n3w")[0] == 403


def test_groups_and_their_members(start):
    server = start()
    token = token_of(server)
    assert authed("GET", server, token, "userGroups/staff")[0] == 404
    status, _headers, body = authed("POST", server, token, "userGroups", body={"identifier": "staff", "attributes": {}})
    assert status == 200 and body == {"identifier": "staff", "attributes": {"disabled": None}}
    assert authed("POST", server, token, "userGroups", body={"identifier": "staff"})[0] == 400
    for name in ("alice", "bob"):
        authed("POST", server, token, "users", body={"username": name, "password": name + "-pw"})
    patch = [{"op": "add", "path": "/", "value": "alice"}, {"op": "add", "path": "/", "value": "bob"},
             {"op": "add", "path": "/", "value": "nobody"}]
    assert authed("PATCH", server, token, "userGroups/staff/memberUsers", body=patch)[0] == 204
    assert authed("GET", server, token, "userGroups/staff/memberUsers")[2] == ["alice", "bob"]   # unknown skipped
    assert authed("GET", server, token, "users/alice/userGroups")[2] == ["staff"]
    assert authed("PATCH", server, token, "userGroups/staff/memberUsers",
                  body=[{"op": "remove", "path": "/", "value": "bob"}])[0] == 204
    assert authed("GET", server, token, "userGroups/staff/memberUsers")[2] == ["alice"]
    status, _headers, body = authed("PATCH", server, token, "userGroups/staff/memberUsers",
                                    body=[{"op": "add", "path": "/alice", "value": "alice"}])
    assert status == 400 and body["message"] == 'Unsupported patch path: "/alice"'
    assert list(authed("GET", server, token, "userGroups")[2]) == ["staff"]
    assert authed("DELETE", server, token, "userGroups/staff")[0] == 204


def connections_of(server, token):
    return sorted(c["name"] for c in authed("GET", server, token, "connections")[2].values())


def test_a_user_sees_only_the_connections_it_may_read(start):
    server = start()
    admin = token_of(server)
    ids = {}
    for name in ("alice desktop", "bob desktop"):
        ids[name] = authed("POST", server, admin, "connections", body={
            "name": name, "parentIdentifier": "ROOT", "protocol": "rdp", "parameters": {"password": "secret"}})[2]["identifier"]
    for name in ("alice", "bob"):
        authed("POST", server, admin, "users", body={"username": name, "password": name + "-pw"})
    grant = [{"op": "add", "path": "/connectionPermissions/%s" % ids["alice desktop"], "value": "READ"}]
    assert authed("PATCH", server, admin, "users/alice/permissions", body=grant)[0] == 204
    permissions = authed("GET", server, admin, "users/alice/permissions")[2]
    assert permissions["connectionPermissions"] == {ids["alice desktop"]: ["READ"]}
    assert permissions["userPermissions"] == {"alice": ["READ"]} and permissions["systemPermissions"] == []
    alice = token_of(server, username="alice", password="alice-pw")
    assert connections_of(server, alice) == ["alice desktop"]
    assert connections_of(server, admin) == ["alice desktop", "bob desktop"]
    # Another's connection, or one that does not exist: 404 NOT_FOUND, as guacamole-auth-jdbc answers.
    for identifier in (ids["bob desktop"], "999"):
        status, _headers, body = authed("GET", server, alice, "connections/%s" % identifier)
        assert status == 404 and body["type"] == "NOT_FOUND" and body["message"] == 'Not found: "%s"' % identifier
        assert authed("GET", server, alice, "connections/%s/parameters" % identifier)[0] == 404
    assert authed("GET", server, alice, "connections/%s" % ids["alice desktop"])[0] == 200
    assert authed("GET", server, alice, "connections/%s/parameters" % ids["alice desktop"])[2] == {}   # needs UPDATE
    assert authed("GET", server, admin, "connections/%s/parameters" % ids["alice desktop"])[2] == {"password": "secret"}
    # A user sees itself only, and may change nothing.
    assert list(authed("GET", server, alice, "users")[2]) == ["alice"]
    assert authed("GET", server, alice, "users/bob")[0] == 404
    assert authed("GET", server, alice, "userGroups")[2] == {}
    for method, path, body in (("POST", "users", {"username": "mallory", "password": "x"}),
                               ("PATCH", "users/alice/permissions", grant),
                               ("DELETE", "connections/%s" % ids["alice desktop"], None),
                               ("POST", "userGroups", {"identifier": "mine"})):
        status, _headers, answer = authed(method, server, alice, path, body=body)
        assert status == 403 and answer["type"] == "PERMISSION_DENIED", (method, path)
    # Removing the permission takes the connection away; READ through a group gives it back.
    revoke = [dict(grant[0], op="remove")]
    assert authed("PATCH", server, admin, "users/alice/permissions", body=revoke)[0] == 204
    assert connections_of(server, alice) == []
    authed("POST", server, admin, "userGroups", body={"identifier": "staff"})
    authed("PATCH", server, admin, "userGroups/staff/memberUsers", body=[{"op": "add", "path": "/", "value": "alice"}])
    authed("PATCH", server, admin, "userGroups/staff/permissions", body=[
        {"op": "add", "path": "/connectionPermissions/%s" % ids["bob desktop"], "value": "READ"}])
    assert connections_of(server, alice) == ["bob desktop"]


def test_permission_patches_that_upstream_refuses(start):
    server = start()
    admin = token_of(server)
    authed("POST", server, admin, "users", body={"username": "alice", "password": "pw"})
    status, _headers, body = authed("PATCH", server, admin, "users/alice/permissions",
                                    body=[{"op": "add", "path": "/connectionGroupPermissions/ROOT", "value": "READ"}])
    assert status == 400 and body["message"] == 'Unsupported patch path: "/connectionGroupPermissions/ROOT"'
    # A connection that does not exist: the foreign key refuses it; upstream answers 500.
    assert authed("PATCH", server, admin, "users/alice/permissions",
                  body=[{"op": "add", "path": "/connectionPermissions/42", "value": "READ"}])[0] == 500
    assert authed("PATCH", server, admin, "users/alice/permissions",
                  body=[{"op": "add", "path": "/systemPermissions", "value": "ADMINISTER"}])[0] == 204
    alice = token_of(server, username="alice", password="pw")
    assert authed("POST", server, alice, "users", body={"username": "bob", "password": "x"})[0] == 200


def test_a_new_user_enrols_for_totp_at_the_first_login(start):
    server = start(totp_enabled=True)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    admin = token_of(server, **{"guac-totp": code(SECRET, server.app.clock.now)})
    authed("POST", server, admin, "users", body={"username": "alice", "password": "alice-pw"})
    status, _headers, body = login(server, username="alice", password="alice-pw")
    assert status == 403 and body["translatableMessage"]["key"] == "TOTP.INFO_ENROLL_REQUIRED"
    secret = body["expected"][0]["secret"]
    assert login(server, username="alice", password="alice-pw", **{"guac-totp": code(secret, server.app.clock.now)})[0] == 200
    server.app.clock.now += 60
    status, _headers, body = login(server, username="alice", password="alice-pw")
    assert status == 403 and body["translatableMessage"]["key"] == "TOTP.INFO_CODE_REQUIRED"


# -- configuration and initdb ----------------------------------------------------------------


def test_config_from_the_real_image_variables():
    config = guacamole_server.Config.from_env({
        "POSTGRESQL_HOSTNAME": "db", "POSTGRESQL_PORT": "5433", "POSTGRESQL_DATABASE": "guacamole_db",
        "POSTGRESQL_USERNAME": "guac", "POSTGRESQL_PASSWORD": "pw", "GUACD_HOSTNAME": "guacd", "GUACD_PORT": "4823",
        "TOTP_ENABLED": "true", "WEBAPP_CONTEXT": "ROOT", "BAN_MAX_INVALID_ATTEMPTS": "3"})
    assert config.postgresql == {"host": "db", "port": 5433, "dbname": "guacamole_db", "user": "guac", "password": "pw"}
    assert config.guacd == ("guacd", 4823) and config.totp_enabled and config.context == ""
    assert config.ban_enabled and config.ban_max_attempts == 3


@pytest.mark.parametrize("user_variable", ["POSTGRES_USER", "POSTGRESQL_USER"])
def test_config_takes_the_legacy_names(user_variable):
    config = guacamole_server.Config.from_env({"POSTGRES_HOSTNAME": "db", "POSTGRES_DATABASE": "g", user_variable: "u"})
    assert (config.postgresql["host"], config.postgresql["dbname"], config.postgresql["user"]) == ("db", "g", "u")


def test_config_without_postgresql_is_memory_and_defaults():
    config = guacamole_server.Config.from_env({})
    assert config.postgresql is None and not config.totp_enabled and config.context == "/guacamole"
    assert config.ban_enabled and (config.ban_max_attempts, config.ban_duration) == (5, 300)
    assert isinstance(guacamole_server.make_store(config), guacamole_server.MemoryStore)
    with pytest.raises(ValueError):
        guacamole_server.Config.from_env({"POSTGRESQL_HOSTNAME": "db"})


def test_initdb_prints_the_schema_with_the_default_admin():
    result = subprocess.run([sys.executable, "-I", "-S", str(DOUBLES / "guacamole_server.py"), "initdb", "--postgresql"],
                            capture_output=True, text=True, check=True, timeout=30)
    sql = result.stdout
    for table in ("guacamole_entity", "guacamole_user", "guacamole_user_attribute", "guacamole_connection",
                  "guacamole_connection_parameter", "guacamole_connection_group", "guacamole_connection_attribute"):
        assert "CREATE TABLE %s (" % table in sql
    assert "password_hash       bytea" in sql and "password_salt       bytea" in sql
    assert guacamole_server.DEFAULT_ADMIN_HASH in sql and guacamole_server.DEFAULT_ADMIN_SALT in sql
    bad = subprocess.run(check=False, args=[sys.executable, "-I", "-S", str(DOUBLES / "guacamole_server.py"), "initdb", "--mysql"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "USAGE" in bad.stdout


def test_the_default_admin_row_is_guacadmin_guacadmin():
    salt = bytes.fromhex(guacamole_server.DEFAULT_ADMIN_SALT)
    digest = hashlib.sha256(b"guacadmin" + guacamole_server.DEFAULT_ADMIN_SALT.encode()).hexdigest().upper()
    assert digest == guacamole_server.DEFAULT_ADMIN_HASH
    assert guacamole_server.password_matches("guacadmin", bytes.fromhex(digest), salt)


# -- guacd -----------------------------------------------------------------------------------


def read_instruction(sock):
    data = b""
    while not data.endswith(b";"):
        chunk = sock.recv(1)
        assert chunk, "guacd double closed the connection early (%r)" % data
        data += chunk
    elements, rest = [], data.decode()
    while rest:
        length, _dot, rest = rest.partition(".")
        elements.append(rest[: int(length)])
        rest = rest[int(length) + 1:]
    return elements


@pytest.fixture
def guacd():
    server, _thread = guacd_server.serve()
    yield server
    server.close()


def test_guacd_answers_select_with_args(guacd):
    with socket.create_connection(guacd.server_address[:2], timeout=5) as sock:
        sock.sendall(b"6.select,3.rdp;")
        args = read_instruction(sock)
        assert args[0] == "args" and args[1] == "VERSION_1_5_0" and "hostname" in args
        sock.sendall(b"4.size,4.1024,3.768,2.96;5.audio;5.video;5.image;7.connect,13.VERSION_1_5_0,1.h;")
        ready = read_instruction(sock)
        assert ready[0] == "ready" and ready[1].startswith("$")
        error = read_instruction(sock)
        assert error[0] == "error" and error[2] == str(0x0207)


def test_guacd_rejects_other_first_instructions(guacd):
    with socket.create_connection(guacd.server_address[:2], timeout=5) as sock:
        sock.sendall(b"4.nope;")
        assert read_instruction(sock)[0] == "error"
    with socket.create_connection(guacd.server_address[:2], timeout=5) as sock:
        sock.sendall(b"x.select;")
        assert read_instruction(sock)[0] == "error"
