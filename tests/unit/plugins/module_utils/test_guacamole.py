# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/guacamole.py: TOTP against the RFC test vectors, the JDBC password hash, and the
client (login, error mapping, TOTP ledger) against the Guacamole double on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils import guacamole as guac
from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import (
    GuacamoleAuthError,
    GuacamoleClient,
    GuacamoleConnectionError,
    GuacamoleError,
    GuacamoleHTTPError,
    GuacamoleProtocolError,
    TotpLedger,
    decode_base32_secret,
    hotp,
    password_hash,
    totp,
)
from ollama_http_fixtures import _PROXY_VARIABLES, closed_port_url

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "doubles"))
import guacamole_server  # noqa: E402  pylint: disable=wrong-import-position

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T0 = 1_800_000_000.0  # a step boundary (divisible by 30)

# ------------------------------------------------------------------------------------------
# RFC 4226 / RFC 6238 test vectors
# ------------------------------------------------------------------------------------------

RFC4226_KEY = b"12345678901234567890"
RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

RFC6238_KEYS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238 = [
    (59, {"sha1": "94287082", "sha256": "46119246", "sha512": "90693936"}),
    (1111111109, {"sha1": "07081804", "sha256": "68084774", "sha512": "25091201"}),
    (1111111111, {"sha1": "14050471", "sha256": "67062674", "sha512": "99943326"}),
    (1234567890, {"sha1": "89005924", "sha256": "91819424", "sha512": "93441116"}),
    (2000000000, {"sha1": "69279037", "sha256": "90698825", "sha512": "38618901"}),
    (20000000000, {"sha1": "65353130", "sha256": "77737706", "sha512": "47863826"}),
]


@pytest.mark.parametrize("counter, code", list(enumerate(RFC4226_CODES)))
def test_hotp_rfc4226_vectors(counter, code):
    assert hotp(RFC4226_KEY, counter) == code


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize("when, codes", RFC6238)
def test_totp_rfc6238_vectors(when, codes, algorithm):
    assert totp(RFC6238_KEYS[algorithm], when, digits=8, algorithm=algorithm) == codes[algorithm]


def test_totp_six_digits_is_the_tail_of_the_eight_digit_code():
    assert totp(RFC6238_KEYS["sha1"], 1111111109) == "081804"


def test_totp_takes_base32_like_guacamole_stores_it():
    key_b32 = base64.b32encode(RFC6238_KEYS["sha1"]).decode()
    assert totp(key_b32, 59, digits=8) == "94287082"
    assert totp(key_b32.lower(), 59, digits=8) == "94287082"


@pytest.mark.parametrize("text", [SECRET, SECRET.lower(), "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
                                  "jbsw-y3dp-ehpk-3pxp-jbsw-y3dp-ehpk-3pxp", " %s\n" % SECRET])
def test_base32_secret_tolerates_case_spaces_and_dashes(text):
    assert decode_base32_secret(text) == decode_base32_secret(SECRET)


def test_base32_secret_without_padding():
    assert decode_base32_secret("GEZDGNBV") == b"12345"
    assert decode_base32_secret("GEZDGNBVGY") == b"123456"


@pytest.mark.parametrize("text, words", [("", "empty"), ("   ", "empty"), ("NOT-BASE32-1!", "not valid base32"),
                                         ("ABC1", "not valid base32")])
def test_base32_secret_rejects_garbage(text, words):
    with pytest.raises(GuacamoleError, match=words):
        decode_base32_secret(text)


# ------------------------------------------------------------------------------------------
# The JDBC password hash
# ------------------------------------------------------------------------------------------


def test_password_hash_reproduces_the_upstream_default_guacadmin_row():
    # 002-create-admin-user.sql of guacamole-auth-jdbc: guacadmin/guacadmin.
    salt = bytes.fromhex("FE24ADC5E11E2B25288D1704ABE67A79E342ECC26064CE69C5B3177795A82264")
    expected = "CA458A7D494E3BE824F5E1E175A1556C0F8EEF2C2D7DF3633BEC4A29C4411960"
    assert password_hash("guacadmin", salt).hex().upper() == expected
    assert password_hash("Guacadmin", salt).hex().upper() != expected


def test_password_hash_uses_upper_case_hex_of_the_salt_and_utf8():
    import hashlib

    salt = bytes.fromhex("00ff10ab")
    assert password_hash("pässword", salt) == hashlib.sha256("pässword".encode() + b"00FF10AB").digest()
    assert password_hash("x", b"") == hashlib.sha256(b"x").digest()
    assert password_hash("x", None) == hashlib.sha256(b"x").digest()


def test_the_double_checks_passwords_the_same_way():
    salt = b"\x01" * 32
    assert guacamole_server.hash_password("s3cret", salt) == password_hash("s3cret", salt)


# ------------------------------------------------------------------------------------------
# The client against the double
# ------------------------------------------------------------------------------------------


class FakeClock:
    """Shared by the client and the double, so TOTP windows and waits are instant and exact."""

    def __init__(self, now=T0):
        self.now = now
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def guacamole(monkeypatch, clock):
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server, _thread = guacamole_server.serve(totp_enabled=True)
    server.app.clock = clock.time
    yield server
    server.close()


@pytest.fixture
def plain(monkeypatch, clock):
    """The double without TOTP."""
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server, _thread = guacamole_server.serve()
    server.app.clock = clock.time
    yield server
    server.close()


@pytest.fixture
def fake_time(monkeypatch, clock):
    monkeypatch.setattr(GuacamoleClient, "clock", staticmethod(clock.time))
    monkeypatch.setattr(GuacamoleClient, "totp_sleep", staticmethod(clock.sleep))
    monkeypatch.setattr(GuacamoleClient, "sleep", staticmethod(lambda _s: None))


def with_totp(server, user="guacadmin", secret=SECRET, confirmed=True):
    server.app.store.set_user_attributes(user, {"guac-totp-key-secret": secret,
                                                "guac-totp-key-confirmed": "true" if confirmed else "false"})


def client(server, ledger=None, **kwargs):
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("retries", 0)
    return GuacamoleClient(server.url if server else closed_port_url(), totp_ledger=ledger, **kwargs)


def failed_logins(server):
    return sum(entry["count"] for entry in server.app.failures.values())


def test_login_without_totp(monkeypatch, clock, fake_time):
    server, _thread = guacamole_server.serve()
    try:
        c = client(server)
        result = c.authenticate("guacadmin", "guacadmin")
        assert result["username"] == "guacadmin" and result["dataSource"] == "postgresql"
        assert c.token == result["authToken"]
        assert c.connections() == {}
        assert c.logout() is True and c.token is None
        assert server.app.sessions == {}
    finally:
        server.close()


def test_login_with_totp_sends_the_current_code(guacamole, clock, fake_time):
    with_totp(guacamole)
    c = client(guacamole)
    assert c.authenticate("guacadmin", "guacadmin", SECRET)["username"] == "guacadmin"
    assert clock.sleeps == []
    assert failed_logins(guacamole) == 0


def test_the_token_travels_in_the_guacamole_token_header(plain, fake_time):
    c = client(plain)
    c.authenticate("guacadmin", "guacadmin")
    with mock.patch.object(c.http._request, "open", wraps=c.http._request.open) as spy:
        c.connections()
    assert spy.call_args.kwargs["headers"]["Guacamole-Token"] == c.token
    assert "token=" not in spy.call_args.args[1]


def test_wrong_password_is_an_auth_error_naming_user_and_url(guacamole, fake_time):
    with pytest.raises(GuacamoleAuthError) as caught:
        client(guacamole).authenticate("guacadmin", "nope")
    assert caught.value.reason == "invalid_credentials"
    assert "guacadmin" in str(caught.value) and guacamole.url in str(caught.value)
    assert "Invalid login." in str(caught.value)


def test_unknown_user_is_an_auth_error(guacamole, fake_time):
    with pytest.raises(GuacamoleAuthError) as caught:
        client(guacamole).authenticate("nobody", "x", SECRET)
    assert caught.value.reason == "invalid_credentials"


def test_totp_required_but_no_secret_given(guacamole, fake_time):
    with_totp(guacamole)
    with pytest.raises(GuacamoleAuthError) as caught:
        client(guacamole).authenticate("guacadmin", "guacadmin")
    assert caught.value.reason == "totp_required"
    assert "totp_secret" in str(caught.value)
    assert failed_logins(guacamole) == 0  # a challenge is no failure


def test_totp_enrollment_is_reported_not_completed(guacamole, fake_time):
    with pytest.raises(GuacamoleAuthError) as caught:
        client(guacamole).authenticate("guacadmin", "guacadmin")
    assert caught.value.reason == "totp_enrollment"
    assert "guac-totp-key-confirmed" in str(caught.value)
    # The server generated a key, as upstream does; the client did not confirm it.
    assert guacamole.app.store.get_user("guacadmin")["attributes"]["guac-totp-key-confirmed"] == "false"


def test_wrong_totp_secret_is_refused_after_one_retry_at_the_next_step(guacamole, clock, fake_time):
    with_totp(guacamole)
    other = base64.b32encode(b"another key 20 byte").decode()
    with pytest.raises(GuacamoleAuthError) as caught:
        client(guacamole).authenticate("guacadmin", "guacadmin", other)
    assert caught.value.reason == "totp_refused"
    assert "guac-totp-key-secret" in str(caught.value) and "clock" in str(caught.value)
    assert len(clock.sleeps) == 1 and 0 < clock.sleeps[0] <= 30 + guac.TOTP_CLOCK_MARGIN
    assert failed_logins(guacamole) == 2


def test_a_code_spent_elsewhere_is_retried_once_at_the_window_boundary(guacamole, clock, fake_time):
    with_totp(guacamole)
    clock.now = T0 + 10
    client(guacamole).authenticate("guacadmin", "guacadmin", SECRET)  # no ledger: another host, say
    result = client(guacamole).authenticate("guacadmin", "guacadmin", SECRET)
    assert result["username"] == "guacadmin"
    assert clock.sleeps == [pytest.approx(30 - 10 + guac.TOTP_CLOCK_MARGIN)]
    assert failed_logins(guacamole) == 1  # the refused attempt


def test_the_ledger_waits_for_the_next_step_instead_of_sending_a_spent_code(guacamole, clock, fake_time, tmp_path):
    with_totp(guacamole)
    ledger = TotpLedger(str(tmp_path / "steps.json"))
    clock.now = T0 + 5
    for _unused in range(4):
        client(guacamole, ledger=ledger).authenticate("guacadmin", "guacadmin", SECRET)
    assert failed_logins(guacamole) == 0
    assert len(clock.sleeps) == 3
    assert guacamole.app.failures == {}
    data = json.loads((tmp_path / "steps.json").read_text())
    assert SECRET not in json.dumps(data) and "guacadmin" not in json.dumps(data)
    assert list(data.values()) == [{"step": int((clock.now - guac.TOTP_CLOCK_MARGIN) // 30)}]


def test_the_ledger_is_per_url_and_user(tmp_path):
    assert TotpLedger.key("http://a/guacamole", "guacadmin") != TotpLedger.key("http://b/guacamole", "guacadmin")
    assert TotpLedger.key("http://a/guacamole", "guacadmin") != TotpLedger.key("http://a/guacamole", "ops")


def test_an_unwritable_ledger_does_not_break_logins(guacamole, clock, fake_time, tmp_path):
    with_totp(guacamole)
    blocker = tmp_path / "file"
    blocker.write_text("")
    ledger = TotpLedger(str(blocker / "sub" / "steps.json"))
    assert client(guacamole, ledger=ledger).authenticate("guacadmin", "guacadmin", SECRET)["username"] == "guacadmin"


def test_a_wrong_password_does_not_spend_the_step(guacamole, clock, fake_time, tmp_path):
    with_totp(guacamole)
    ledger = TotpLedger(str(tmp_path / "steps.json"))
    with pytest.raises(GuacamoleAuthError):
        client(guacamole, ledger=ledger).authenticate("guacadmin", "wrong", SECRET)
    client(guacamole, ledger=ledger).authenticate("guacadmin", "guacadmin", SECRET)
    assert clock.sleeps == []


def test_ban_is_reported_as_such(guacamole, fake_time):
    for _unused in range(5):
        with pytest.raises(GuacamoleAuthError):
            client(guacamole).authenticate("guacadmin", "wrong")
    with pytest.raises(GuacamoleAuthError) as caught:
        client(guacamole).authenticate("guacadmin", "guacadmin")
    assert caught.value.reason == "banned" and caught.value.status == 429
    assert "300 s" in str(caught.value)


def test_connection_refused_is_retried_then_reported(fake_time):
    c = GuacamoleClient(closed_port_url(), timeout=2, retries=2)
    with pytest.raises(GuacamoleConnectionError) as caught:
        c.authenticate("guacadmin", "x")
    assert caught.value.attempts == 3
    assert "cannot connect" in str(caught.value) and "gave up after 3 attempts" in str(caught.value)


def test_a_missing_data_source_is_explained(plain, fake_time):
    c = client(plain, data_source="mysql")
    with pytest.raises(GuacamoleAuthError) as caught:
        c.authenticate("guacadmin", "guacadmin")
    assert caught.value.reason == "data_source"
    assert "postgresql" in str(caught.value) and c.token is None
    assert plain.app.sessions == {}  # logged out again


@pytest.mark.parametrize("value", ["", "a/b", None])
def test_invalid_data_source_is_rejected(value):
    with pytest.raises(GuacamoleError, match="invalid data_source"):
        GuacamoleClient("http://127.0.0.1:1/guacamole", data_source=value)


def test_connection_crud(plain, fake_time):
    c = client(plain)
    c.authenticate("guacadmin", "guacadmin")
    created = c.create_connection({"name": "a", "parentIdentifier": "ROOT", "protocol": "vnc",
                                   "parameters": {"hostname": "h", "port": "5900"}, "attributes": {}})
    identifier = created["identifier"]
    assert c.connections()[identifier]["name"] == "a"
    assert c.connection(identifier)["protocol"] == "vnc"
    assert c.connection_parameters(identifier) == {"hostname": "h", "port": "5900"}
    c.update_connection(identifier, {"name": "b", "parentIdentifier": "ROOT", "protocol": "vnc",
                                     "parameters": {"hostname": "h2"}, "attributes": {}})
    assert c.connection(identifier)["name"] == "b"
    assert c.connection_parameters(identifier) == {"hostname": "h2"}
    assert c.delete_connection(identifier) is True
    assert c.delete_connection(identifier) is False
    assert c.connection(identifier) is None


def test_password_change_checks_the_old_password(plain, fake_time):
    c = client(plain)
    c.authenticate("guacadmin", "guacadmin")
    with pytest.raises(GuacamoleHTTPError) as caught:
        c.change_password("guacadmin", "wrong", "new")
    assert caught.value.status == 403 and caught.value.error_type == "PERMISSION_DENIED"
    c.change_password("guacadmin", "guacadmin", "new")
    assert c.user("guacadmin")["username"] == "guacadmin"
    assert client(plain).authenticate("guacadmin", "new")


def test_requests_without_login_fail_clearly():
    with pytest.raises(GuacamoleError, match="not logged in"):
        GuacamoleClient("http://127.0.0.1:1/guacamole").connections()


def test_an_expired_token_is_permission_denied(plain, fake_time):
    c = client(plain)
    c.authenticate("guacadmin", "guacadmin")
    plain.app.sessions.clear()
    with pytest.raises(GuacamoleHTTPError) as caught:
        c.connections()
    assert caught.value.status == 403 and caught.value.error_type == "PERMISSION_DENIED"
    assert "Permission Denied." in str(caught.value)
    assert c.logout() is False  # best effort, no exception


# -- borrowed tokens (auth_token) -----------------------------------------------------------


def token_of(server, password="guacadmin"):
    """A token the way guacamole_token makes one: another client's login, left open."""
    owner = client(server)
    owner.authenticate("guacadmin", password)
    return owner.token


def test_a_borrowed_token_is_used_but_never_logged_out(plain, fake_time):
    token = token_of(plain)
    c = client(plain)
    c.use_token(token)
    assert c.token == token and c.owns_session is False
    assert c.connections() == {}
    assert c.logout() is False and c.token is None
    assert token in plain.app.sessions
    assert plain.app.requests_to("DELETE", "/api/session") == []


def test_a_session_the_client_opened_is_its_own(plain, fake_time):
    c = client(plain)
    c.authenticate("guacadmin", "guacadmin")
    assert c.owns_session is True
    token = c.token
    assert c.logout() is True and c.owns_session is False
    assert token not in plain.app.sessions


def test_an_empty_token_is_refused():
    with pytest.raises(GuacamoleError, match="empty auth_token"):
        GuacamoleClient("http://127.0.0.1:1/guacamole").use_token("")


def test_token_valid_asks_head_session_without_touching_it(plain, clock, fake_time):
    token = token_of(plain)
    before = plain.app.sessions[token]["last"]
    clock.now += 120
    c = client(plain)
    assert c.token_valid(token) is True
    assert plain.app.sessions[token]["last"] == before  # HEAD is no activity
    assert [r["token"] for r in plain.app.requests_to("HEAD", "/api/session")] == [token]
    assert c.token_valid("0" * 64) is False
    plain.app.sessions.clear()
    assert c.token_valid(token) is False
    assert c.token is None  # only a check: the client did not take the token


def test_a_token_expires_after_the_session_timeout(plain, clock, fake_time):
    token = token_of(plain)
    clock.now += 61 * 60
    assert client(plain).token_valid(token) is False


def test_revoke_ends_a_session_and_says_when_it_was_already_gone(plain, fake_time):
    token = token_of(plain)
    c = client(plain)
    assert c.revoke(token) is True
    assert token not in plain.app.sessions
    assert c.revoke(token) is False  # Guacamole answers 403 for a token it does not know


def test_revoke_reports_other_failures(fake_time):
    with pytest.raises(GuacamoleConnectionError, match="log out of Guacamole"):
        client(None).revoke("T")


def params(server, **extra):
    values = dict(url=server.url, username="guacadmin", password=None, totp_secret=None, auth_token=None)
    values.update(extra)
    return values


def test_log_in_prefers_a_valid_auth_token(guacamole, fake_time):
    with_totp(guacamole)
    owner = client(guacamole)
    owner.authenticate("guacadmin", "guacadmin", SECRET)
    logins = len(guacamole.app.requests_to("POST", "/api/tokens"))
    c = client(guacamole)
    warnings = []
    # A wrong password next to a valid token does not matter: the token wins.
    assert guac.log_in(c, params(guacamole, auth_token=owner.token, password="wrong"), warnings.append) == "auth_token"
    assert c.token == owner.token and not c.owns_session
    assert len(guacamole.app.requests_to("POST", "/api/tokens")) == logins and warnings == []
    assert failed_logins(guacamole) == 0


def test_log_in_falls_back_to_the_password_and_warns(plain, fake_time):
    c = client(plain)
    warnings = []
    assert guac.log_in(c, params(plain, auth_token="F" * 64, password="guacadmin"), warnings.append) == "password"
    assert c.owns_session and c.token in plain.app.sessions
    assert len(warnings) == 1 and "invalid or expired" in warnings[0] and plain.url in warnings[0]
    assert "F" * 64 not in warnings[0]


def test_log_in_without_password_fails_on_an_invalid_token(plain, fake_time):
    with pytest.raises(GuacamoleAuthError) as caught:
        guac.log_in(client(plain), params(plain, auth_token="F" * 64))
    assert caught.value.reason == "token_invalid"
    message = str(caught.value)
    assert plain.url in message and "invalid or expired" in message and "guacamole_token" in message
    assert "F" * 64 not in message
    assert plain.app.requests_to("POST", "/api/tokens") == []


def test_log_in_without_a_token_logs_in(plain, fake_time):
    c = client(plain)
    assert guac.log_in(c, params(plain, password="guacadmin")) == "password"
    assert c.owns_session


# -- answers that are not Guacamole's ------------------------------------------------------


class Canned(BaseHTTPRequestHandler):
    """Answers every request with the server's ``reply`` (status, content type, body)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, content_type, body = self.server.reply
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _reply


@pytest.fixture
def canned(monkeypatch):
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Canned)
    server.reply = (200, "text/html", b"<html>login page of a proxy</html>")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = "http://127.0.0.1:%d/guacamole" % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()


def test_html_instead_of_json_is_a_protocol_error(canned, fake_time):
    with pytest.raises(GuacamoleProtocolError) as caught:
        client(canned).authenticate("guacadmin", "x")
    assert "not JSON" in str(caught.value) and "login page" in str(caught.value)


def test_json_without_a_token_is_a_protocol_error(canned, fake_time):
    canned.reply = (200, "application/json", b'{"hello": "world"}')
    with pytest.raises(GuacamoleProtocolError, match="no authToken"):
        client(canned).authenticate("guacadmin", "x")


def test_404_on_login_hints_at_the_context_path(canned, fake_time):
    canned.reply = (404, "text/html", b"<html>HTTP Status 404 - Not Found</html>")
    with pytest.raises(GuacamoleHTTPError) as caught:
        client(canned).authenticate("guacadmin", "x")
    assert "context path" in str(caught.value)


def test_5xx_is_retried(canned, fake_time):
    canned.reply = (503, "text/plain", b"busy")
    with pytest.raises(GuacamoleHTTPError) as caught:
        client(canned, retries=2).authenticate("guacadmin", "x")
    assert caught.value.attempts == 3 and caught.value.status == 503


@pytest.mark.parametrize("status", [404, 405])
def test_a_server_without_head_session_cannot_tell(canned, fake_time, status):
    # An older Guacamole without HEAD /api/session: the token is then used as it is.
    canned.reply = (status, "text/html", b"<html>no</html>")
    assert client(canned).token_valid("T") is None


def test_a_proxy_that_answers_401_means_an_invalid_token(canned, fake_time):
    canned.reply = (401, "text/plain", b"")
    assert client(canned).token_valid("T") is False


def test_error_body_fields_are_parsed():
    body = json.dumps({"message": "m", "translatableMessage": {"key": "K", "variables": None}, "statusCode": None,
                       "expected": [{"name": "guac-totp", "type": "GUAC_TOTP_CODE"}, "junk"],
                       "type": "INSUFFICIENT_CREDENTIALS"}).encode()
    exc = GuacamoleHTTPError("x", status=403, body=body)
    assert (exc.error_type, exc.translation_key) == ("INSUFFICIENT_CREDENTIALS", "K")
    assert exc.expected_fields == [{"name": "guac-totp", "type": "GUAC_TOTP_CODE"}]
    garbage = GuacamoleHTTPError("x", status=500, body=b"<html>")
    assert (garbage.error_type, garbage.translation_key, garbage.expected_fields) == (None, None, [])


def test_argument_spec_and_client_from_params(tmp_path, monkeypatch):
    spec = guac.guacamole_argument_spec(name=dict(type="str"))
    assert spec["password"]["no_log"] and spec["totp_secret"]["no_log"] and spec["auth_token"]["no_log"]
    assert not spec["password"].get("required") and not spec["auth_token"].get("required")
    assert guac.GUACAMOLE_REQUIRED_ONE_OF == [["password", "auth_token"]]
    assert spec["url"]["default"] == "http://127.0.0.1:8080/guacamole"
    assert spec["username"]["default"] == "guacadmin" and spec["data_source"]["default"] == "postgresql"
    assert {"timeout", "validate_certs", "ca_path", "retries", "name"} <= set(spec)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    params = dict((k, v.get("default")) for k, v in spec.items())
    c = guac.client_from_params(params)
    assert c.url == "http://127.0.0.1:8080/guacamole"
    assert c.ledger.path == str(tmp_path / "foundrycloud.platform" / "guacamole-totp-steps.json")
