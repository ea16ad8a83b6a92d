# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client of the Apache Guacamole (1.6) REST API, TOTP (RFC 6238) and the JDBC password hash.

Shared by the Guacamole modules (see docs/development/central-services-internals.md). HTTP,
retries and error wording come from http_api.JsonApiClient; this file adds what is particular
to Guacamole:

* Logging in: ``POST /api/tokens`` (form ``username``, ``password`` and, for TOTP, ``guac-totp``)
  answers ``{"authToken", "username", "dataSource", "availableDataSources"}``. Every later
  request carries the token in the ``Guacamole-Token`` header; ``DELETE /api/session`` logs out.
* Guacamole's error bodies: ``{"message", "translatableMessage": {"key", "variables"},
  "statusCode", "expected", "type"}`` where ``type`` is INVALID_CREDENTIALS (HTTP 403),
  INSUFFICIENT_CREDENTIALS (403, more fields are ``expected``, e.g. ``guac-totp``),
  PERMISSION_DENIED (403), NOT_FOUND (404), BAD_REQUEST (400; also a refused TOTP code, with
  ``translatableMessage.key`` TOTP.INFO_VERIFICATION_FAILED), or HTTP 429 when the brute-force
  ban of the guacamole-auth-ban extension (on by default in the guacamole/guacamole image: 5
  failures, 300 s) blocks the address.
* TOTP as the guacamole-auth-totp extension checks it: the code of the current or the previous
  time step, and a code that was accepted once is refused for the same user for two periods.
  So two logins within one 30 s step cannot both use "the current code". ``TotpLedger`` keeps,
  per Guacamole URL and user, the last time step this host spent, in a small file (no secret in
  it), and ``authenticate`` waits for the next step instead of sending a code the server would
  refuse: every refused code counts as a failed login towards the ban.
* ``password_hash``: the salted SHA-256 the JDBC authentication stores in
  ``guacamole_user.password_hash``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import struct
import time
import urllib.parse

from ansible_collections.foundrycloud.platform.plugins.module_utils.http_api import (
    HTTP_API_COMMON_ARGS,
    ApiConnectionError,
    ApiError,
    ApiHTTPError,
    ApiProtocolError,
    ErrorTypes,
    JsonApiClient,
)

DEFAULT_URL = "http://127.0.0.1:8080/guacamole"
DEFAULT_USERNAME = "guacadmin"
DEFAULT_DATA_SOURCE = "postgresql"
TOKEN_HEADER = "Guacamole-Token"
TOTP_PARAMETER = "guac-totp"
ROOT_GROUP = "ROOT"
# What a diff shows in place of a password or other secret value (unchanged, changed).
HIDDEN = "<hidden>"
HIDDEN_CHANGED = "<hidden, changed>"

# TOTP settings of guacamole-auth-totp's defaults (totp-mode, totp-digits, totp-period).
TOTP_DIGITS = 6
TOTP_PERIOD = 30
TOTP_ALGORITHM = "sha1"
# Codes are computed for "now minus this", so a host clock a little ahead of the server's
# still yields a code the server accepts (it accepts the current and the previous step only).
TOTP_CLOCK_MARGIN = 2.0

GUACAMOLE_COMMON_ARGS = dict(
    url=dict(type="str", default=DEFAULT_URL),
    username=dict(type="str", default=DEFAULT_USERNAME),
    password=dict(type="str", no_log=True),
    totp_secret=dict(type="str", no_log=True),
    auth_token=dict(type="str", no_log=True),
    data_source=dict(type="str", default=DEFAULT_DATA_SOURCE),
)
GUACAMOLE_COMMON_ARGS.update(HTTP_API_COMMON_ARGS)
# AnsibleModule(required_one_of=...) of the modules that log in or use a token. Not mutually
# exclusive on purpose: plays pass both from the same vars, and auth_token wins.
GUACAMOLE_REQUIRED_ONE_OF = [["password", "auth_token"]]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class GuacamoleError(ApiError):
    """Base class. ``str()`` is a complete sentence naming the URL."""


class GuacamoleConnectionError(ApiConnectionError, GuacamoleError):
    pass


class GuacamoleHTTPError(ApiHTTPError, GuacamoleError):
    """An HTTP error status, with the fields of Guacamole's error body when it sent one."""

    def __init__(self, message, url=None, status=None, body=None, **context):
        super().__init__(message, url=url, status=status, body=body, **context)
        self.guacamole = parse_error_body(body)

    @property
    def error_type(self):
        return self.guacamole.get("type")

    @property
    def translation_key(self):
        translatable = self.guacamole.get("translatableMessage")
        return translatable.get("key") if isinstance(translatable, dict) else None

    @property
    def expected_fields(self):
        expected = self.guacamole.get("expected")
        return [field for field in expected if isinstance(field, dict)] if isinstance(expected, list) else []


class GuacamoleProtocolError(ApiProtocolError, GuacamoleError):
    pass


class GuacamoleAuthError(GuacamoleError):
    """Logging in failed for a reason retrying cannot fix. ``reason`` says which:

    invalid_credentials, totp_required, totp_enrollment, totp_refused, banned, data_source,
    token_invalid (an auth_token the server no longer knows, and no password to log in with).
    """

    def __init__(self, message, url=None, reason=None, status=None, **context):
        super().__init__(message, url=url, **context)
        self.reason = reason
        self.status = status


GUACAMOLE_ERRORS = ErrorTypes(
    base=GuacamoleError,
    connection=GuacamoleConnectionError,
    http=GuacamoleHTTPError,
    protocol=GuacamoleProtocolError,
)


def parse_error_body(body):
    """Guacamole's error object (APIError), or {} for other bodies."""
    if not body:
        return {}
    try:
        parsed = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --------------------------------------------------------------------------------------------
# TOTP (RFC 4226 HOTP, RFC 6238 TOTP) and the JDBC password hash
# --------------------------------------------------------------------------------------------


def decode_base32_secret(secret):
    """The key bytes of a base32 TOTP secret (spaces, dashes, case and missing padding tolerated)."""
    if not isinstance(secret, str):
        raise GuacamoleError("totp_secret must be a base32 string")
    text = "".join(secret.split()).replace("-", "").upper().rstrip("=")
    if not text:
        raise GuacamoleError("totp_secret is empty")
    try:
        key = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise GuacamoleError("totp_secret is not valid base32 (letters A-Z and digits 2-7)") from None
    if not key:
        raise GuacamoleError("totp_secret is empty")
    return key


def hotp(key, counter, digits=TOTP_DIGITS, algorithm=TOTP_ALGORITHM):
    """RFC 4226: the ``digits``-digit code of ``counter`` for the raw ``key``."""
    digest = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm.lower())).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % (10 ** digits)).zfill(digits)


def totp_step(for_time, period=TOTP_PERIOD):
    return int(for_time // period)


def totp(key, for_time, digits=TOTP_DIGITS, period=TOTP_PERIOD, algorithm=TOTP_ALGORITHM):
    """RFC 6238: the code at Unix time ``for_time``. ``key`` is raw bytes or a base32 string."""
    if isinstance(key, str):
        key = decode_base32_secret(key)
    return hotp(key, totp_step(for_time, period), digits, algorithm)


def password_hash(password, salt):
    """What guacamole-auth-jdbc stores as password_hash: SHA-256 of the password's UTF-8 bytes
    followed by the salt written as upper-case hex (an unsalted hash when ``salt`` is empty)."""
    salt_hex = binascii.hexlify(salt or b"").decode("ascii").upper()
    return hashlib.sha256(password.encode("utf-8") + salt_hex.encode("ascii")).digest()


# --------------------------------------------------------------------------------------------
# The ledger of spent TOTP time steps
# --------------------------------------------------------------------------------------------


def default_ledger_path():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "foundrycloud.platform", "guacamole-totp-steps.json")


class TotpLedger:
    """The last TOTP time step this host used, per (Guacamole URL, user), in a JSON file.

    The file holds only SHA-256 names of (URL, user) and step numbers. It is locked for the
    whole login so that parallel processes take turns. If it cannot be used (read-only home,
    no fcntl), logins still work; they just may have to wait for a refused code.
    """

    KEEP_SECONDS = 3600

    def __init__(self, path):
        self.path = path

    @staticmethod
    def key(url, username):
        return hashlib.sha256(("%s\0%s" % (url, username)).encode("utf-8")).hexdigest()

    @contextlib.contextmanager
    def session(self, now):
        """Yields a dict key -> step; what it holds on exit is written back."""
        try:
            import fcntl  # noqa: F401  (posix only)

            directory = os.path.dirname(self.path)
            os.makedirs(directory, mode=0o700, exist_ok=True)
            handle = open(self.path + ".lock", "a")
        except (ImportError, OSError):
            yield {}
            return
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError:
                yield {}
                return
            steps = self._read()
            before = dict(steps)
            try:
                yield steps
            finally:
                if steps != before:
                    self._write(steps, now)

    def _read(self):
        try:
            with open(self.path) as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return dict((k, v["step"]) for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("step"), int))

    def _write(self, steps, now):
        data = dict((k, {"step": v}) for k, v in steps.items() if v * TOTP_PERIOD > now - self.KEEP_SECONDS)
        temporary = "%s.%d.tmp" % (self.path, os.getpid())
        try:
            with open(temporary, "w") as stream:
                json.dump(data, stream)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class GuacamoleClient(JsonApiClient):
    """REST client for one Guacamole web application (``url`` includes its context path)."""

    errors = GUACAMOLE_ERRORS
    # Class attributes so tests can run the TOTP logic on a fake clock.
    clock = staticmethod(time.time)
    totp_sleep = staticmethod(time.sleep)

    def __init__(self, base_url, data_source=DEFAULT_DATA_SOURCE, totp_ledger=None, **kwargs):
        super().__init__(base_url, **kwargs)
        if not data_source or "/" in data_source:
            raise GuacamoleError("invalid data_source %r: expected a name such as postgresql" % (data_source,), url=self.base_url)
        self.data_source = data_source
        self.ledger = totp_ledger
        self.token = None
        self.username = None
        # True only for a session this client opened (authenticate); a borrowed token is
        # never logged out by this client.
        self.owns_session = False

    @property
    def url(self):
        return self.base_url

    # -- logging in and out --------------------------------------------------------------

    def authenticate(self, username, password, totp_secret=None):
        """Log in; returns the token response. Raises GuacamoleAuthError when refused."""
        if not username:
            raise GuacamoleError("a username is needed to log in to Guacamole at %s" % self.base_url, url=self.base_url)
        form = {"username": username, "password": password if password is not None else ""}
        if not totp_secret:
            return self._login(form, username, totp=False)
        key = decode_base32_secret(totp_secret)
        ledger_key = TotpLedger.key(self.base_url, username)
        with (self.ledger.session(self.clock()) if self.ledger else _no_ledger()) as spent:
            step = self._usable_step(spent.get(ledger_key))
            try:
                return self._login_with_step(form, username, key, step, spent, ledger_key)
            except GuacamoleAuthError as exc:
                if exc.reason != "totp_refused":
                    raise
            # Someone else (or a clock apart from ours) spent this step: one more try, with
            # the code of the next step, once it has begun.
            step = self._usable_step(step)
            try:
                return self._login_with_step(form, username, key, step, spent, ledger_key)
            except GuacamoleAuthError as exc:
                if exc.reason == "totp_refused":
                    exc.message = (
                        "log in to Guacamole at %s as %s: the server refused the TOTP code twice (also the code of the "
                        "next 30 s time step). Either totp_secret is not the key Guacamole keeps for %s (attribute "
                        "guac-totp-key-secret), or this host's clock is off by more than 30 s"
                        % (self.base_url, username, username)
                    )
                raise

    def _login_with_step(self, form, username, key, step, spent, ledger_key):
        form = dict(form)
        form[TOTP_PARAMETER] = hotp(key, step)
        try:
            result = self._login(form, username, totp=True)
        except GuacamoleAuthError as exc:
            if exc.reason == "totp_refused":
                spent[ledger_key] = max(step, spent.get(ledger_key, step))
            raise
        spent[ledger_key] = max(step, spent.get(ledger_key, step))
        return result

    def _usable_step(self, last_spent):
        """The step whose code to send: the current one, or the next after ``last_spent`` (waiting for it)."""
        now = self.clock() - TOTP_CLOCK_MARGIN
        step = totp_step(now)
        if last_spent is not None and step <= last_spent:
            step = last_spent + 1
            wait = step * TOTP_PERIOD - now
            if wait > 0:
                self.totp_sleep(wait)
        return step

    def _login(self, form, username, totp):
        what = "log in to Guacamole as %s" % username
        try:
            result = self.request("POST", "api/tokens", what, form=form)
        except GuacamoleHTTPError as exc:
            raise self._login_error(exc, username, totp) from None
        token = result.get("authToken")
        if not isinstance(token, str) or not token:
            raise GuacamoleProtocolError("%s: the answer has no authToken: %s" % (what, _short(result)), url=self.endpoint("api/tokens"))
        available = result.get("availableDataSources")
        if isinstance(available, list) and self.data_source not in available:
            self.token = token
            self.owns_session = True
            self.logout()
            raise GuacamoleAuthError(
                "Guacamole at %s has no data source %r for %s (it offers: %s); set data_source"
                % (self.base_url, self.data_source, username, ", ".join(str(a) for a in available) or "none"),
                url=self.base_url, reason="data_source",
            )
        self.token = token
        self.owns_session = True
        self.username = result.get("username") or username
        return result

    def _login_error(self, exc, username, totp):
        where = "log in to Guacamole at %s as %s" % (self.base_url, username)
        kind = exc.error_type
        if exc.status == 403 and kind == "INVALID_CREDENTIALS":
            return GuacamoleAuthError("%s: wrong username or password (%s)" % (where, exc.guacamole.get("message") or "Invalid login."),
                                      url=exc.url, reason="invalid_credentials", status=403)
        if exc.status == 403 and kind == "INSUFFICIENT_CREDENTIALS":
            fields = exc.expected_fields
            totp_fields = [f for f in fields if f.get("name") == TOTP_PARAMETER]
            if any(f.get("secret") for f in totp_fields) or exc.translation_key == "TOTP.INFO_ENROLL_REQUIRED":
                return GuacamoleAuthError(
                    "%s: the password is right, but the user has no confirmed TOTP key and Guacamole asks for TOTP "
                    "enrollment. The platform provisions the key in the database (guac-totp-key-secret and "
                    "guac-totp-key-confirmed=true); it does not enroll through the web page" % where,
                    url=exc.url, reason="totp_enrollment", status=403)
            if totp_fields:
                return GuacamoleAuthError(
                    "%s: the password is right, but Guacamole requires a TOTP code; set totp_secret to the user's "
                    "TOTP key (base32)" % where, url=exc.url, reason="totp_required", status=403)
            names = ", ".join(str(f.get("name")) for f in fields) or "unknown fields"
            return GuacamoleAuthError("%s: Guacamole asks for more credentials (%s), which this module cannot give"
                                      % (where, names), url=exc.url, reason="insufficient_credentials", status=403)
        if exc.status == 400 and (exc.translation_key == "TOTP.INFO_VERIFICATION_FAILED"
                                  or "TOTP" in str(exc.guacamole.get("message") or "")):
            return GuacamoleAuthError("%s: the TOTP code was refused (%s)" % (where, exc.guacamole.get("message")),
                                      url=exc.url, reason="totp_refused", status=400)
        if exc.status == 429:
            return GuacamoleAuthError(
                "%s: Guacamole blocks logins from this address after too many failed attempts (%s); its brute-force "
                "ban lasts 300 s unless BAN_ADDRESS_DURATION says otherwise" % (where, exc.guacamole.get("message") or "HTTP 429"),
                url=exc.url, reason="banned", status=429)
        if exc.status == 404:
            exc.message += (" (is url right? It must include the web application's context path, "
                            "e.g. http://host:8080/guacamole)")
        return exc

    def use_token(self, token):
        """Work with a token obtained elsewhere (guacamole_token). ``logout`` will not end it."""
        if not token:
            raise GuacamoleError("an empty auth_token was given for Guacamole at %s" % self.base_url, url=self.base_url)
        self.token = token
        self.owns_session = False
        self.username = None

    def token_valid(self, token):
        """Whether Guacamole still knows ``token``: True, False (HTTP 403, or 401 from a proxy), or
        None when the server cannot tell (older Guacamole without ``HEAD /api/session``: 404/405);
        the token is then used as it is.

        HEAD does not count as activity, so the check neither extends nor spends the session."""
        try:
            self.fetch("HEAD", self.endpoint("api/session"), "check an auth_token with Guacamole",
                       headers={TOKEN_HEADER: token})
        except GuacamoleHTTPError as exc:
            if exc.status in (401, 403):
                return False
            if exc.status in (404, 405):
                return None
            raise
        return True

    def revoke(self, token):
        """``DELETE /api/session`` for ``token``: True if it was ended, False if Guacamole no longer
        knew it (403). Unlike ``logout`` this reports failures: it is what guacamole_token is for."""
        try:
            self.fetch("DELETE", self.endpoint("api/session"), "log out of Guacamole", headers={TOKEN_HEADER: token})
        except GuacamoleHTTPError as exc:
            if exc.status in (401, 403):
                return False
            raise
        if token == self.token:
            self.token, self.owns_session = None, False
        return True

    def logout(self):
        """Invalidate the token of a session this client opened (best effort: a failure here must
        not hide the task's result). A borrowed token (``use_token``) is only forgotten."""
        token, self.token = self.token, None
        owned, self.owns_session = self.owns_session, False
        if not token or not owned:
            return False
        try:
            self.fetch("DELETE", self.endpoint("api/session"), "log out of Guacamole", headers={TOKEN_HEADER: token})
        except GuacamoleError:
            return False
        return True

    # -- requests with the token ---------------------------------------------------------

    def session_request(self, method, path, what, body=None, expect=dict, query=None):
        if not self.token:
            raise GuacamoleError("%s: not logged in to Guacamole at %s" % (what, self.base_url), url=self.base_url)
        full = "api/session/data/%s/%s" % (urllib.parse.quote(self.data_source, safe=""), path.lstrip("/"))
        return self.request(method, full, what, body=body, expect=expect, query=query, headers={TOKEN_HEADER: self.token})

    @staticmethod
    def _quote(identifier):
        return urllib.parse.quote(str(identifier), safe="")

    def connections(self):
        """All connections the user can see, keyed by identifier."""
        result = self.session_request("GET", "connections", "list Guacamole connections")
        for identifier, connection in result.items():
            if not isinstance(connection, dict):
                raise GuacamoleProtocolError("list Guacamole connections: entry %r is not an object" % identifier,
                                             url=self.endpoint("api/session/data/%s/connections" % self.data_source))
        return result

    def connection(self, identifier):
        """The connection (without parameters), or None when it does not exist."""
        try:
            return self.session_request("GET", "connections/%s" % self._quote(identifier), "read Guacamole connection %s" % identifier)
        except GuacamoleHTTPError as exc:
            if exc.status == 404:
                return None
            raise

    def connection_parameters(self, identifier):
        params = self.session_request("GET", "connections/%s/parameters" % self._quote(identifier),
                                      "read the parameters of Guacamole connection %s" % identifier)
        return dict((str(k), "" if v is None else str(v)) for k, v in params.items())

    def create_connection(self, connection):
        created = self.session_request("POST", "connections", "create Guacamole connection %r" % connection.get("name"), body=connection)
        if not created.get("identifier"):
            raise GuacamoleProtocolError("create Guacamole connection %r: the answer has no identifier: %s"
                                         % (connection.get("name"), _short(created)), url=self.base_url)
        return created

    def update_connection(self, identifier, connection):
        self.session_request("PUT", "connections/%s" % self._quote(identifier),
                             "update Guacamole connection %s" % identifier, body=connection, expect=None)

    def delete_connection(self, identifier):
        """True if deleted, False if it was already gone."""
        try:
            self.session_request("DELETE", "connections/%s" % self._quote(identifier),
                                 "delete Guacamole connection %s" % identifier, expect=None)
        except GuacamoleHTTPError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def user(self, username):
        try:
            return self.session_request("GET", "users/%s" % self._quote(username), "read Guacamole user %s" % username)
        except GuacamoleHTTPError as exc:
            if exc.status == 404:
                return None
            raise

    def change_password(self, username, old_password, new_password):
        """PUT users/{username}/password; Guacamole checks ``old_password`` itself (403 if wrong)."""
        self.session_request("PUT", "users/%s/password" % self._quote(username),
                             "change the password of Guacamole user %s" % username,
                             body={"oldPassword": old_password, "newPassword": new_password}, expect=None)

    # -- accounts: users, user groups, permissions -------------------------------------------

    def self_username(self):
        """The user this session belongs to (``GET self``)."""
        me = self.session_request("GET", "self", "read the Guacamole user of this session")
        name = me.get("username")
        if not isinstance(name, str) or not name:
            raise GuacamoleProtocolError("read the Guacamole user of this session: the answer has no username: %s"
                                         % _short(me), url=self.endpoint("api/session/data/%s/self" % self.data_source))
        return name

    def users(self):
        """Every user this session may see, keyed by username: ``{"username", "attributes"}``."""
        what = "list Guacamole users"
        result = self.session_request("GET", "users", what)
        for name, user in result.items():
            if not isinstance(user, dict) or not isinstance(user.get("attributes", {}), (dict, type(None))):
                raise GuacamoleProtocolError("%s: entry %r is not a user object: %s" % (what, name, _short(user)),
                                             url=self.endpoint("api/session/data/%s/users" % self.data_source))
        return result

    def create_user(self, username, password, attributes):
        self.session_request("POST", "users", "create Guacamole user %s" % username,
                             body={"username": username, "password": password, "attributes": attributes})

    def update_user(self, username, attributes, password=None):
        """PUT users/{username}: the attributes given replace the listed ones; the password is
        only changed when one is given (Guacamole keeps it when the body has none)."""
        body = {"username": username, "attributes": attributes}
        if password is not None:
            body["password"] = password
        self.session_request("PUT", "users/%s" % self._quote(username), "update Guacamole user %s" % username,
                             body=body, expect=None)

    def delete_user(self, username):
        """True if deleted, False if it was already gone."""
        try:
            self.session_request("DELETE", "users/%s" % self._quote(username), "delete Guacamole user %s" % username,
                                 expect=None)
        except GuacamoleHTTPError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def user_permissions(self, username):
        """The permissions granted to the user itself (not through its groups)."""
        what = "read the permissions of Guacamole user %s" % username
        result = self.session_request("GET", "users/%s/permissions" % self._quote(username), what)
        for key in ("connectionPermissions", "userPermissions"):
            value = result.get(key, {})
            if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
                raise GuacamoleProtocolError("%s: %s is not an object of lists: %s" % (what, key, _short(value)),
                                             url=self.endpoint("api/session/data/%s/users/%s/permissions"
                                                               % (self.data_source, self._quote(username))))
        if not isinstance(result.get("systemPermissions", []), list):
            raise GuacamoleProtocolError("%s: systemPermissions is not a list: %s" % (what, _short(result)),
                                         url=self.base_url)
        return result

    def patch_user_permissions(self, username, operations):
        """PATCH users/{username}/permissions with JSON patch operations, e.g.
        ``{"op": "add", "path": "/connectionPermissions/7", "value": "READ"}``."""
        if operations:
            self.session_request("PATCH", "users/%s/permissions" % self._quote(username),
                                 "change the permissions of Guacamole user %s" % username, body=list(operations),
                                 expect=None)

    def user_group(self, name):
        """The user group, or None when it does not exist."""
        try:
            return self.session_request("GET", "userGroups/%s" % self._quote(name), "read Guacamole user group %s" % name)
        except GuacamoleHTTPError as exc:
            if exc.status == 404:
                return None
            raise

    def create_user_group(self, name):
        self.session_request("POST", "userGroups", "create Guacamole user group %s" % name,
                             body={"identifier": name, "attributes": {"disabled": None}})

    def group_members(self, name):
        """The user names that are members of the group."""
        what = "list the members of Guacamole user group %s" % name
        members = self.session_request("GET", "userGroups/%s/memberUsers" % self._quote(name), what, expect=list)
        if not all(isinstance(member, str) for member in members):
            raise GuacamoleProtocolError("%s: expected a list of user names, got %s" % (what, _short(members)),
                                         url=self.base_url)
        return members

    def patch_group_members(self, name, add=(), remove=()):
        operations = [{"op": "add", "path": "/", "value": user} for user in add]
        operations += [{"op": "remove", "path": "/", "value": user} for user in remove]
        if operations:
            self.session_request("PATCH", "userGroups/%s/memberUsers" % self._quote(name),
                                 "change the members of Guacamole user group %s" % name, body=operations, expect=None)


@contextlib.contextmanager
def _no_ledger():
    yield {}


def _short(value, limit=200):
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------------------------------
# Module helpers
# --------------------------------------------------------------------------------------------


def guacamole_argument_spec(**extra):
    spec = dict((k, dict(v)) for k, v in GUACAMOLE_COMMON_ARGS.items())
    spec.update(extra)
    return spec


def client_from_params(params, ledger=True):
    return GuacamoleClient(
        params["url"],
        data_source=params["data_source"],
        totp_ledger=TotpLedger(default_ledger_path()) if ledger else None,
        timeout=params["timeout"],
        validate_certs=params["validate_certs"],
        ca_path=params.get("ca_path"),
        retries=params["retries"],
    )


def log_in(client, params, warn=None):
    """Get ``client`` a session from the module's params: ``auth_token`` when it is given and
    still valid (no login, no TOTP code spent), else a login with username, password and
    totp_secret. An invalid or expired ``auth_token`` falls back to the password when there is
    one (``warn`` is told) and fails with GuacamoleAuthError (reason token_invalid) when not.
    Returns "auth_token" or "password": how the session was had."""
    token = params.get("auth_token")
    if token:
        if client.token_valid(token) is not False:
            client.use_token(token)
            return "auth_token"
        if params.get("password") is None:
            raise GuacamoleAuthError(
                "Guacamole at %s refused auth_token: the token is invalid or expired (Guacamole ends a session after "
                "API_SESSION_TIMEOUT minutes without use, 60 by default, at logout and when it restarts). Get a new "
                "one with foundrycloud.platform.guacamole_token, or also give password so the module can log in "
                "itself" % client.url, url=client.url, reason="token_invalid", status=403)
        if warn is not None:
            warn("auth_token is invalid or expired at Guacamole %s; the module logged in with username and password "
                 "instead (with TOTP that costs a code and may wait up to 30 s). Get a fresh token with "
                 "foundrycloud.platform.guacamole_token" % client.url)
    if params.get("password") is None:
        # required_one_of counts keys, so an explicit null gets this far; an empty password
        # would only count as a failed login towards the ban.
        raise GuacamoleError("neither password nor auth_token is set: give one of them to reach Guacamole at %s"
                             % client.url, url=client.url)
    client.authenticate(params["username"], params["password"], params.get("totp_secret"))
    return "password"


def failure_message(exc, url):
    """Every failure names the Guacamole URL, whichever layer raised it."""
    message = str(exc)
    if url and url.rstrip("/") not in message:
        message = "%s (Guacamole at %s)" % (message, url)
    return message
