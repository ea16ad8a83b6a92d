"""Test double of the Apache Guacamole web application (image guacamole/guacamole 1.6.0), speaking the part of its REST API the platform uses.

For tests only: the collection never imports it, and it is no remote-desktop gateway (no
tunnels, no guacd traffic, no web interface beyond a placeholder page). Guacamole cannot be had
on the build machines, so this file is the entrypoint of the image tests/images/guacamole/ and,
through ``serve()``, runs in-process in the tests. Python 3 standard library, plus psycopg2
(Debian's python3-psycopg2) only when PostgreSQL is configured.

Configuration, read from the environment variables the real image reads (empty = unset):

* ``POSTGRESQL_HOSTNAME``, ``POSTGRESQL_PORT`` (5432), ``POSTGRESQL_DATABASE``,
  ``POSTGRESQL_USERNAME``, ``POSTGRESQL_PASSWORD``; the legacy spellings the 1.6 entrypoint
  still maps are accepted too (``POSTGRES_*`` for ``POSTGRESQL_*``, ``POSTGRES_USER`` and the
  1.5 ``POSTGRESQL_USER`` for the user name). With a host set, users, their attributes and
  connections live in that database, in tables of the real guacamole-auth-jdbc schema (the
  subset ``initdb`` prints). Without, an in-memory store that starts as a freshly initialised
  database does (user guacadmin, password guacadmin).
* ``GUACD_HOSTNAME``, ``GUACD_PORT`` (4822): recorded and logged; the double never connects.
* ``TOTP_ENABLED`` (``true``/``false``), ``TOTP_ISSUER``, ``TOTP_DIGITS`` (6), ``TOTP_PERIOD``
  (30), ``TOTP_MODE`` (sha1): the guacamole-auth-totp extension.
* ``BAN_ENABLED`` (default true, as the image enables guacamole-auth-ban by default),
  ``BAN_MAX_INVALID_ATTEMPTS`` (5), ``BAN_ADDRESS_DURATION`` (300 s).
* ``WEBAPP_CONTEXT`` (default ``guacamole``; ``ROOT`` serves at ``/``), ``API_SESSION_TIMEOUT``
  (minutes, 60). The port is 8080, as Tomcat's in the image (``GUACAMOLE_DOUBLE_PORT``, double
  only, changes it).

Wire behaviour, as Guacamole's (checked against guacamole-client's REST and extension source):

* ``POST /api/tokens`` with a form ``username``, ``password`` (and ``guac-totp``) answers
  ``{"authToken", "username", "dataSource": "postgresql", "availableDataSources":
  ["postgresql", "postgresql-shared"]}``. Errors are APIError objects ``{"message",
  "translatableMessage": {"key", "variables"}, "statusCode": null, "expected", "type"}``:
  wrong user or password: 403 INVALID_CREDENTIALS "Invalid login."; TOTP missing: 403
  INSUFFICIENT_CREDENTIALS, ``expected`` ``[{"name": "guac-totp", "type": "GUAC_TOTP_CODE"}]``
  (key TOTP.INFO_CODE_REQUIRED), or, for a user without a confirmed key, the enrollment
  challenge (key TOTP.INFO_ENROLL_REQUIRED; the field also carries ``secret``, ``username``,
  ``issuer``, ``digits``, ``period``, ``mode``, ``keyUri``; no ``qrCode``: the double draws no
  PNG). A user without any key gets one generated and stored (unconfirmed), as upstream does.
  A wrong or reused code: 400 BAD_REQUEST "Provided TOTP code is not valid." (key
  TOTP.INFO_VERIFICATION_FAILED). Codes of the current and the previous step are accepted, and
  an accepted code is refused for that user for two periods afterwards. The password is checked
  before TOTP, so a wrong password spends no code. Banned address: 429 "Too many failed
  authentication attempts." (wrong passwords and refused codes count; TOTP challenges do not).
* The token goes in the ``Guacamole-Token`` header (or the ``token`` query parameter); missing,
  unknown or expired (``API_SESSION_TIMEOUT`` minutes without a request): 403 PERMISSION_DENIED
  "Permission Denied." (upstream's GuacamoleUnauthorizedException, which maps to 403, not 401).
  ``DELETE /api/session`` logs out (204; an unknown token gets that 403, as upstream resolves the
  session before it can delete it), as does the older ``DELETE /api/tokens/{token}`` (204, unknown:
  404 "No such token."). ``HEAD /api/session`` says whether a token is valid (200 or 403, no body)
  without counting as activity.
* Under ``/api/session/data/postgresql/``: ``connections`` (GET: object keyed by identifier;
  POST: create, answers the connection), ``connections/{id}`` (GET, PUT 204, DELETE 204; unknown:
  404 NOT_FOUND ``Not found: "{id}"``), ``connections/{id}/parameters``, ``connectionGroups/ROOT``,
  ``users`` (GET; POST ``{"username", "password", "attributes"}`` creates, answers the user),
  ``users/{name}`` (GET, PUT 204, DELETE 204), ``users/{name}/password`` (PUT ``{"oldPassword",
  "newPassword"}``, 204; wrong old password 403 PERMISSION_DENIED "Permission denied."),
  ``users/{name}/permissions`` (GET the permission set; PATCH a list of ``{"op": "add"|"remove",
  "path", "value"}`` with paths ``/connectionPermissions/{id}``, ``/userPermissions/{name}``,
  ``/systemPermissions``, 204; another path: 400 ``Unsupported patch path: "..."``),
  ``users/{name}/userGroups`` (GET), ``userGroups`` (GET; POST ``{"identifier", "attributes"}``),
  ``userGroups/{name}`` (GET, PUT 204, DELETE 204), ``userGroups/{name}/memberUsers`` (GET a list
  of user names; PATCH ``[{"op", "path": "/", "value": "<user>"}]``, 204; unknown users are
  skipped, as upstream's INSERT ... SELECT skips them), ``userGroups/{name}/permissions``, ``self``.
* Users as the JDBC extension keeps them: ``{"username", "attributes"}`` (never a password); a PUT
  sets the password only when the body has one, replaces the attributes kept in columns of
  guacamole_user (``disabled``, ``expired``, ``access-window-*``, ``valid-*``, ``timezone``,
  ``guac-full-name``, ``guac-email-address``, ``guac-organization``,
  ``guac-organizational-role``: missing means unset) and keeps the other stored attributes (the
  TOTP extension's ``guac-totp-*``, which are never listed); attributes outside that schema are
  dropped, as upstream's filterExternalObject drops them. A user may not PUT itself (403). A new
  user gets READ on itself, its creator READ, UPDATE, DELETE and ADMINISTER on it (upstream's
  implicit permissions). Duplicates: 400 ``User "x" already exists.``.
* Permissions: a user is an administrator when it, or a group it belongs to, has the system
  permission ADMINISTER (the default admin has it). An administrator sees and may change
  everything. Anyone else sees only what it may READ, through its own permissions or its groups':
  ``connections`` lists only those connections, and any other connection, whether it exists or
  not, is 404 NOT_FOUND ``Not found: "{id}"``, as guacamole-auth-jdbc answers it (its directory
  selects only readable objects, and the REST layer turns "no such object" into
  GuacamoleResourceNotFoundException; it is not a 403). ``connections/{id}/parameters`` of a
  readable connection is ``{}`` without UPDATE on it (upstream's ConnectionService), so a user
  never reads the password in its own connection. The same holds for users (a user sees itself).
  Creating, changing and deleting anything without ADMINISTER: 403 PERMISSION_DENIED
  "Permission denied.".
  Connections are ``{"name", "identifier", "parentIdentifier", "protocol", "attributes",
  "activeConnections"}``; parameters come only from ``/parameters``; empty parameter values are
  not stored; names are unique per group (400 ``The connection "x" already exists.``); a PUT
  replaces name, group, protocol, parameters and attributes. The attributes the JDBC extension
  keeps in columns (max-connections, max-connections-per-user, weight, failover-only,
  guacd-hostname, guacd-port, guacd-encryption) are always listed, null when unset; a value that
  is not a number where one is expected is dropped, as upstream does.
* Passwords are stored as guacamole-auth-jdbc does: SHA-256 of the password followed by the
  upper-case hex of a random 32-byte salt.

For the tests, ``server.app.requests`` records every request: ``{"method", "path", "token",
"at"}`` (the path below the context path, without the query; the token sent, or None; the time on
the application's clock).

Not modelled: the CREATE_* system permissions and UPDATE/DELETE/ADMINISTER grants that let a
non-administrator change objects (only ADMINISTER does), permissions on user groups, connection
groups, sharing profiles and active connections (an administrator sees every user group, anyone
else none; their permission paths, which upstream accepts, get the 400 of an unknown path), groups
within groups,
sharing profiles, history, connection groups other than ROOT in memory mode (with PostgreSQL,
rows of guacamole_connection_group are honoured as parents), password policies, expired
accounts. With PostgreSQL, the tables added to the double's schema after its first version
(user groups, their members, connection permissions) are created at start when a database
initialised by an older double lacks them.

Command line::

    guacamole_server.py                  serve (the image's entrypoint)
    guacamole_server.py initdb --postgresql   print the schema SQL (behind /opt/guacamole/bin/initdb.sh)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import signal
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "1.6.0"
DEFAULT_PORT = 8080
DATA_SOURCE = "postgresql"
AVAILABLE_DATA_SOURCES = [DATA_SOURCE, DATA_SOURCE + "-shared"]
TOTP_SECRET_ATTRIBUTE = "guac-totp-key-secret"
TOTP_CONFIRMED_ATTRIBUTE = "guac-totp-key-confirmed"
TOTP_PARAMETER = "guac-totp"

# The upstream default admin (002-create-admin-user.sql): password "guacadmin".
DEFAULT_ADMIN = "guacadmin"
DEFAULT_ADMIN_HASH = "CA458A7D494E3BE824F5E1E175A1556C0F8EEF2C2D7DF3633BEC4A29C4411960"
DEFAULT_ADMIN_SALT = "FE24ADC5E11E2B25288D1704ABE67A79E342ECC26064CE69C5B3177795A82264"

# Connection attributes guacamole-auth-jdbc keeps in columns of guacamole_connection:
# API name -> (column, kind).
CONNECTION_COLUMNS = {
    "max-connections": ("max_connections", "int"),
    "max-connections-per-user": ("max_connections_per_user", "int"),
    "weight": ("connection_weight", "int"),
    "failover-only": ("failover_only", "bool"),
    "guacd-hostname": ("proxy_hostname", "str"),
    "guacd-port": ("proxy_port", "int"),
    "guacd-encryption": ("proxy_encryption_method", "encryption"),
}
USER_COLUMN_ATTRIBUTES = ("disabled", "expired", "access-window-start", "access-window-end", "valid-from",
                          "valid-until", "timezone", "guac-full-name", "guac-email-address",
                          "guac-organization", "guac-organizational-role")
# The user attributes guacamole-auth-jdbc keeps in columns of guacamole_user (besides disabled):
# API name -> (column, kind).
USER_COLUMNS = {
    "expired": ("expired", "bool"),
    "access-window-start": ("access_window_start", "time"),
    "access-window-end": ("access_window_end", "time"),
    "valid-from": ("valid_from", "date"),
    "valid-until": ("valid_until", "date"),
    "timezone": ("timezone", "str"),
    "guac-full-name": ("full_name", "str"),
    "guac-email-address": ("email_address", "str"),
    "guac-organization": ("organization", "str"),
    "guac-organizational-role": ("organizational_role", "str"),
}
OBJECT_PERMISSIONS = ("READ", "UPDATE", "DELETE", "ADMINISTER")
SYSTEM_PERMISSIONS = ("CREATE_CONNECTION", "CREATE_CONNECTION_GROUP", "CREATE_SHARING_PROFILE", "CREATE_USER",
                      "CREATE_USER_GROUP", "AUDIT", "ADMINISTER")
# What the creator of a user gets on it, and the new user on itself (upstream's implicit permissions).
CREATOR_PERMISSIONS = ("READ", "UPDATE", "DELETE", "ADMINISTER")

SCHEMA_SQL = """\
--
-- Schema of the Guacamole test double: the part of guacamole-auth-jdbc's PostgreSQL schema
-- (Guacamole 1.6) that the double reads and writes, with the same names and column types.
--

CREATE TYPE guacamole_connection_group_type AS ENUM ('ORGANIZATIONAL', 'BALANCING');
CREATE TYPE guacamole_entity_type AS ENUM ('USER', 'USER_GROUP');
CREATE TYPE guacamole_object_permission_type AS ENUM ('READ', 'UPDATE', 'DELETE', 'ADMINISTER');
CREATE TYPE guacamole_system_permission_type AS ENUM (
    'CREATE_CONNECTION', 'CREATE_CONNECTION_GROUP', 'CREATE_SHARING_PROFILE',
    'CREATE_USER', 'CREATE_USER_GROUP', 'AUDIT', 'ADMINISTER');
CREATE TYPE guacamole_proxy_encryption_method AS ENUM ('NONE', 'SSL');

CREATE TABLE guacamole_connection_group (
    connection_group_id      serial       PRIMARY KEY,
    parent_id                integer      REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE,
    connection_group_name    varchar(128) NOT NULL,
    type                     guacamole_connection_group_type NOT NULL DEFAULT 'ORGANIZATIONAL',
    max_connections          integer,
    max_connections_per_user integer,
    enable_session_affinity  boolean      NOT NULL DEFAULT FALSE,
    CONSTRAINT connection_group_name_parent UNIQUE (connection_group_name, parent_id)
);

CREATE TABLE guacamole_connection (
    connection_id            serial       PRIMARY KEY,
    connection_name          varchar(128) NOT NULL,
    parent_id                integer      REFERENCES guacamole_connection_group (connection_group_id) ON DELETE CASCADE,
    protocol                 varchar(32)  NOT NULL,
    max_connections          integer,
    max_connections_per_user integer,
    connection_weight        integer,
    failover_only            boolean      NOT NULL DEFAULT FALSE,
    proxy_port               integer,
    proxy_hostname           varchar(512),
    proxy_encryption_method  guacamole_proxy_encryption_method,
    CONSTRAINT connection_name_parent UNIQUE (connection_name, parent_id)
);

CREATE TABLE guacamole_entity (
    entity_id  serial                PRIMARY KEY,
    name       varchar(128)          NOT NULL,
    type       guacamole_entity_type NOT NULL,
    CONSTRAINT guacamole_entity_name_scope UNIQUE (type, name)
);

CREATE TABLE guacamole_user (
    user_id             serial      PRIMARY KEY,
    entity_id           integer     NOT NULL UNIQUE REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE,
    password_hash       bytea       NOT NULL,
    password_salt       bytea,
    password_date       timestamptz NOT NULL,
    disabled            boolean     NOT NULL DEFAULT FALSE,
    expired             boolean     NOT NULL DEFAULT FALSE,
    access_window_start time,
    access_window_end   time,
    valid_from          date,
    valid_until         date,
    timezone            varchar(64),
    full_name           varchar(256),
    email_address       varchar(256),
    organization        varchar(256),
    organizational_role varchar(256)
);

CREATE TABLE guacamole_connection_parameter (
    connection_id   integer       NOT NULL REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
    parameter_name  varchar(128)  NOT NULL,
    parameter_value varchar(4096) NOT NULL,
    PRIMARY KEY (connection_id, parameter_name)
);

CREATE TABLE guacamole_user_attribute (
    user_id         integer       NOT NULL REFERENCES guacamole_user (user_id) ON DELETE CASCADE,
    attribute_name  varchar(128)  NOT NULL,
    attribute_value varchar(4096) NOT NULL,
    PRIMARY KEY (user_id, attribute_name)
);

CREATE TABLE guacamole_connection_attribute (
    connection_id   integer       NOT NULL REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
    attribute_name  varchar(128)  NOT NULL,
    attribute_value varchar(4096) NOT NULL,
    PRIMARY KEY (connection_id, attribute_name)
);

CREATE TABLE guacamole_system_permission (
    entity_id  integer NOT NULL REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE,
    permission guacamole_system_permission_type NOT NULL,
    PRIMARY KEY (entity_id, permission)
);

CREATE TABLE guacamole_user_permission (
    entity_id        integer NOT NULL REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE,
    affected_user_id integer NOT NULL REFERENCES guacamole_user (user_id) ON DELETE CASCADE,
    permission       guacamole_object_permission_type NOT NULL,
    PRIMARY KEY (entity_id, affected_user_id, permission)
);
"""

# Tables the double's schema gained later (user groups, connection permissions), as upstream
# names them. Part of SCHEMA_SQL; PostgresStore also creates them in a database an older double
# initialised (IF NOT EXISTS), since the initdb output is read on PostgreSQL's first start only.
LATER_TABLES_SQL = """CREATE TABLE IF NOT EXISTS guacamole_user_group (
    user_group_id serial  PRIMARY KEY,
    entity_id     integer NOT NULL UNIQUE REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE,
    disabled      boolean NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS guacamole_user_group_member (
    user_group_id    integer NOT NULL REFERENCES guacamole_user_group (user_group_id) ON DELETE CASCADE,
    member_entity_id integer NOT NULL REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE,
    PRIMARY KEY (user_group_id, member_entity_id)
);

CREATE TABLE IF NOT EXISTS guacamole_connection_permission (
    entity_id     integer NOT NULL REFERENCES guacamole_entity (entity_id) ON DELETE CASCADE,
    connection_id integer NOT NULL REFERENCES guacamole_connection (connection_id) ON DELETE CASCADE,
    permission    guacamole_object_permission_type NOT NULL,
    PRIMARY KEY (entity_id, connection_id, permission)
);
"""
SCHEMA_SQL += "\n" + LATER_TABLES_SQL

ADMIN_SQL = """\
--
-- The default administrator of a fresh install, as upstream creates it: guacadmin/guacadmin.
--

INSERT INTO guacamole_entity (name, type) VALUES ('%(name)s', 'USER');
INSERT INTO guacamole_user (entity_id, password_hash, password_salt, password_date)
    SELECT entity_id, decode('%(hash)s', 'hex'), decode('%(salt)s', 'hex'), CURRENT_TIMESTAMP
    FROM guacamole_entity WHERE name = '%(name)s' AND type = 'USER';
INSERT INTO guacamole_system_permission (entity_id, permission)
    SELECT entity_id, p::guacamole_system_permission_type
    FROM guacamole_entity, unnest(ARRAY['CREATE_CONNECTION', 'CREATE_CONNECTION_GROUP', 'CREATE_SHARING_PROFILE',
                                         'CREATE_USER', 'CREATE_USER_GROUP', 'ADMINISTER']) AS p
    WHERE name = '%(name)s' AND type = 'USER';
INSERT INTO guacamole_user_permission (entity_id, affected_user_id, permission)
    SELECT e.entity_id, u.user_id, p::guacamole_object_permission_type
    FROM guacamole_entity e JOIN guacamole_user u ON u.entity_id = e.entity_id,
         unnest(ARRAY['READ', 'UPDATE', 'ADMINISTER']) AS p
    WHERE e.name = '%(name)s' AND e.type = 'USER';
""" % {"name": DEFAULT_ADMIN, "hash": DEFAULT_ADMIN_HASH, "salt": DEFAULT_ADMIN_SALT}


# Logging is on when the double runs as a program; in-process (tests) it stays quiet.
LOGGING = {"enabled": False}


def log(level, message):
    if not LOGGING["enabled"]:
        return
    sys.stderr.write("%s %-5s guacamole-double: %s\n" % (time.strftime("%H:%M:%S"), level, message))
    sys.stderr.flush()


# --------------------------------------------------------------------------------------------
# Password hashing and TOTP (written here again on purpose: the double must not share code with
# the client it tests)
# --------------------------------------------------------------------------------------------


def hash_password(password, salt):
    salt_hex = binascii.hexlify(salt or b"").decode("ascii").upper()
    return hashlib.sha256(password.encode("utf-8") + salt_hex.encode("ascii")).digest()


def new_salted_hash(password):
    salt = secrets.token_bytes(32)
    return hash_password(password, salt), salt


def password_matches(password, stored_hash, salt):
    return hmac.compare_digest(hash_password(password, salt), bytes(stored_hash))


def totp_code(key, step, digits, mode):
    digest = hmac.new(key, step.to_bytes(8, "big"), getattr(hashlib, mode)).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def base32_key(text):
    """The key bytes, or None when the attribute is not valid base32 (upstream then skips TOTP)."""
    try:
        cleaned = text.strip().upper()
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8)) or None
    except (binascii.Error, ValueError, AttributeError):
        return None


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


def _env(environ, *names, default=None):
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return default


def _truthy(value, default):
    if value is None or value == "":
        return default
    return str(value).strip().lower() == "true"


class Config:
    def __init__(self, postgresql=None, totp_enabled=False, totp_issuer="Apache Guacamole", totp_digits=6,
                 totp_period=30, totp_mode="sha1", ban_enabled=True, ban_max_attempts=5, ban_duration=300,
                 webapp_context="guacamole", session_timeout=60, guacd=("localhost", 4822)):
        self.postgresql = postgresql
        self.totp_enabled = totp_enabled
        self.totp_issuer = totp_issuer
        self.totp_digits = int(totp_digits)
        self.totp_period = int(totp_period)
        self.totp_mode = str(totp_mode).lower()
        if self.totp_mode not in ("sha1", "sha256", "sha512"):
            raise ValueError("TOTP_MODE must be sha1, sha256 or sha512")
        if self.totp_digits not in (6, 7, 8):
            raise ValueError("TOTP_DIGITS must be 6, 7 or 8")
        self.ban_enabled = ban_enabled and int(ban_max_attempts) > 0 and int(ban_duration) > 0
        self.ban_max_attempts = int(ban_max_attempts)
        self.ban_duration = int(ban_duration)
        context = (webapp_context or "guacamole").strip("/")
        self.context = "" if context == "ROOT" else "/" + context
        self.session_timeout = float(session_timeout)
        self.guacd = guacd

    @classmethod
    def from_env(cls, environ=None):
        env = dict(os.environ if environ is None else environ)
        # The 1.6 entrypoint maps the legacy POSTGRES_* names onto POSTGRESQL_*.
        for name, value in list(env.items()):
            if name.startswith("POSTGRES_") and value:
                env.setdefault("POSTGRESQL_" + name[len("POSTGRES_"):], value)
        postgresql = None
        host = _env(env, "POSTGRESQL_HOSTNAME")
        if host:
            postgresql = dict(
                host=host,
                port=int(_env(env, "POSTGRESQL_PORT", default="5432")),
                dbname=_env(env, "POSTGRESQL_DATABASE", "POSTGRESQL_DB"),
                user=_env(env, "POSTGRESQL_USERNAME", "POSTGRESQL_USER"),
                password=_env(env, "POSTGRESQL_PASSWORD", default=""),
            )
            missing = [k for k in ("dbname", "user") if not postgresql[k]]
            if missing:
                raise ValueError("POSTGRESQL_HOSTNAME is set but POSTGRESQL_DATABASE/POSTGRESQL_USERNAME are not")
        return cls(
            postgresql=postgresql,
            totp_enabled=_truthy(env.get("TOTP_ENABLED"), False),
            totp_issuer=_env(env, "TOTP_ISSUER", default="Apache Guacamole"),
            totp_digits=_env(env, "TOTP_DIGITS", default="6"),
            totp_period=_env(env, "TOTP_PERIOD", default="30"),
            totp_mode=_env(env, "TOTP_MODE", default="sha1"),
            ban_enabled=_truthy(env.get("BAN_ENABLED"), True),
            ban_max_attempts=_env(env, "BAN_MAX_INVALID_ATTEMPTS", default="5"),
            ban_duration=_env(env, "BAN_ADDRESS_DURATION", default="300"),
            webapp_context=_env(env, "WEBAPP_CONTEXT", default="guacamole"),
            session_timeout=_env(env, "API_SESSION_TIMEOUT", default="60"),
            guacd=(_env(env, "GUACD_HOSTNAME", default="localhost"), int(_env(env, "GUACD_PORT", default="4822"))),
        )


# --------------------------------------------------------------------------------------------
# Stores: users, user attributes and connections (memory, or PostgreSQL in the JDBC schema)
# --------------------------------------------------------------------------------------------


class StoreError(Exception):
    """The database failed; the API answers 500 INTERNAL_ERROR."""


def column_value(kind, text):
    """Attribute text -> column value, None when unset or not valid (upstream drops those)."""
    if text is None or text == "":
        return None if kind != "bool" else False
    if kind == "int":
        try:
            return int(text)
        except (TypeError, ValueError):
            return None
    if kind == "bool":
        return str(text).lower() == "true"
    if kind == "encryption":
        return text if text in ("NONE", "SSL") else None
    return str(text)


def attribute_text(kind, value):
    if kind == "bool":
        return "true" if value else None
    return None if value is None else str(value)


def user_attribute_value(kind, text):
    """A user attribute as upstream keeps it: the normalised text, or None (unset, or a value the
    column cannot hold, which upstream drops)."""
    if text is None or str(text) == "":
        return None
    text = str(text)
    if kind == "bool":
        return "true" if text.lower() == "true" else None
    if kind in ("time", "date"):
        import datetime
        try:
            if kind == "time":
                return datetime.datetime.strptime(text, "%H:%M:%S").strftime("%H:%M:%S")
            return datetime.datetime.strptime(text, "%Y-%m-%d").strftime("%Y-%m-%d")
        except ValueError:
            return None
    return text


def user_column_value(kind, text):
    """Normalised attribute text -> the value of its guacamole_user column."""
    if kind == "bool":
        return text == "true"
    return text


def user_attribute_text(kind, value):
    """A guacamole_user column -> the attribute text the API lists (None when unset)."""
    if kind == "bool":
        return "true" if value else None
    if value is None:
        return None
    if kind == "time":
        return value.strftime("%H:%M:%S") if hasattr(value, "strftime") else str(value)
    if kind == "date":
        return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
    return str(value)


def split_attributes(attributes):
    """API attributes -> (column values keyed by API name, other attributes)."""
    columns = {}
    extra = {}
    for name, (_column, kind) in CONNECTION_COLUMNS.items():
        columns[name] = column_value(kind, (attributes or {}).get(name))
    for name, value in (attributes or {}).items():
        if name not in CONNECTION_COLUMNS and value not in (None, ""):
            extra[str(name)] = str(value)
    return columns, extra


class MemoryStore:
    """The tables of a fresh guacamole-auth-jdbc database, in memory (thread-safe)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.users = {}
        self.connections = {}
        self.groups = {}        # connection groups (parents of connections)
        self.user_groups = {}   # name -> {"name", "disabled", "members": set of user names}
        self.entity_permissions = {}   # (kind, name) -> {"system": set, "connections": {id: set}, "users": {name: set}}
        self.next_connection_id = 1
        self.next_user_id = 1
        self.add_user_hashed(DEFAULT_ADMIN, bytes.fromhex(DEFAULT_ADMIN_HASH), bytes.fromhex(DEFAULT_ADMIN_SALT))
        # As upstream's 002-create-admin-user.sql grants them.
        admin = self._permissions("USER", DEFAULT_ADMIN)
        admin["system"].update(p for p in SYSTEM_PERMISSIONS if p != "AUDIT")
        admin["users"][DEFAULT_ADMIN] = {"READ", "UPDATE", "ADMINISTER"}

    # Test helpers (the in-process tests arrange users directly, as SQL would) ----------------

    def add_user_hashed(self, name, password_hash, salt):
        with self.lock:
            self.users[name] = dict(user_id=self.next_user_id, name=name, password_hash=bytes(password_hash),
                                    password_salt=salt, disabled=False, attributes={})
            self.next_user_id += 1
            # READ on itself, as a user created through the API has it.
            self._permissions("USER", name)["users"][name] = {"READ"}

    def add_user(self, name, password):
        self.add_user_hashed(name, *new_salted_hash(password))

    def set_password_plain(self, name, password):
        self.set_password(name, *new_salted_hash(password))

    def grant(self, name, *permissions, kind="USER"):
        """Test helper: ("system", "ADMINISTER") or ("connections", id, "READ") or ("users", name, "READ")."""
        self.patch_permissions(kind, name, [tuple(p) if p[0] != "system" else ("system", None, p[1])
                                            for p in permissions], [])

    # The interface the application uses -------------------------------------------------

    def get_user(self, name):
        with self.lock:
            user = self.users.get(name)
            return None if user is None else dict(user, attributes=dict(user["attributes"]))

    def list_users(self):
        with self.lock:
            return [self.get_user(name) for name in sorted(self.users)]

    def set_password(self, name, password_hash, salt):
        with self.lock:
            self.users[name].update(password_hash=password_hash, password_salt=salt)

    def set_user_attributes(self, name, attributes):
        with self.lock:
            self.users[name]["attributes"].update(attributes)

    def create_user(self, name, password_hash, salt, disabled, columns, creator):
        with self.lock:
            self.add_user_hashed(name, password_hash, salt)
            self.update_user(name, disabled, columns)
            if creator is not None:
                self._permissions("USER", creator)["users"].setdefault(name, set()).update(CREATOR_PERMISSIONS)

    def update_user(self, name, disabled, columns, password=None):
        """``columns``: every column attribute, None for unset; the other attributes are kept."""
        with self.lock:
            user = self.users[name]
            user["disabled"] = bool(disabled)
            for key, value in columns.items():
                if value is None:
                    user["attributes"].pop(key, None)
                else:
                    user["attributes"][key] = value
            if password is not None:
                user.update(password_hash=password[0], password_salt=password[1])

    def delete_user(self, name):
        with self.lock:
            if self.users.pop(name, None) is None:
                return False
            self.entity_permissions.pop(("USER", name), None)
            for permissions in self.entity_permissions.values():
                permissions["users"].pop(name, None)
            for group in self.user_groups.values():
                group["members"].discard(name)
            return True

    def _permissions(self, kind, name):
        return self.entity_permissions.setdefault((kind, name), {"system": set(), "connections": {}, "users": {}})

    def permissions(self, kind, name):
        with self.lock:
            found = self._permissions(kind, name)
            return {"system": set(found["system"]),
                    "connections": dict((k, set(v)) for k, v in found["connections"].items() if v),
                    "users": dict((k, set(v)) for k, v in found["users"].items() if v)}

    def patch_permissions(self, kind, name, add, remove):
        """``add``/``remove``: (section, target, type); unknown targets raise StoreError (the
        foreign keys of the real tables)."""
        with self.lock:
            found = self._permissions(kind, name)
            for section, target, kind_ in add:
                if section == "connections" and target not in self.connections:
                    raise StoreError("connection %s does not exist (foreign key)" % target)
                if section == "users" and target not in self.users:
                    raise StoreError("user %s does not exist (foreign key)" % target)
            for section, target, permission in add:
                if section == "system":
                    found["system"].add(permission)
                else:
                    found[section].setdefault(target, set()).add(permission)
            for section, target, permission in remove:
                if section == "system":
                    found["system"].discard(permission)
                else:
                    found[section].get(target, set()).discard(permission)

    def list_user_groups(self):
        with self.lock:
            return [dict(name=g["name"], disabled=g["disabled"]) for _n, g in sorted(self.user_groups.items())]

    def get_user_group(self, name):
        with self.lock:
            group = self.user_groups.get(name)
            return None if group is None else dict(name=group["name"], disabled=group["disabled"])

    def create_user_group(self, name, disabled):
        with self.lock:
            self.user_groups[name] = dict(name=name, disabled=bool(disabled), members=set())

    def update_user_group(self, name, disabled):
        with self.lock:
            self.user_groups[name]["disabled"] = bool(disabled)

    def delete_user_group(self, name):
        with self.lock:
            if self.user_groups.pop(name, None) is None:
                return False
            self.entity_permissions.pop(("USER_GROUP", name), None)
            return True

    def group_members(self, name):
        with self.lock:
            return sorted(self.user_groups[name]["members"])

    def patch_group_members(self, name, add, remove):
        with self.lock:
            members = self.user_groups[name]["members"]
            members.update(user for user in add if user in self.users)
            members.difference_update(remove)

    def groups_of(self, username):
        with self.lock:
            return sorted(n for n, g in self.user_groups.items() if username in g["members"])

    def group_exists(self, identifier):
        with self.lock:
            return identifier in self.groups

    def list_connections(self):
        with self.lock:
            return [self._copy(c) for _i, c in sorted(self.connections.items())]

    def get_connection(self, connection_id):
        with self.lock:
            record = self.connections.get(connection_id)
            return None if record is None else self._copy(record)

    @staticmethod
    def _copy(record):
        return dict(record, parameters=dict(record["parameters"]), columns=dict(record["columns"]),
                    extra=dict(record["extra"]))

    def save_connection(self, connection_id, name, parent_id, protocol, parameters, columns, extra):
        """Insert (connection_id None) or replace; returns the identifier."""
        with self.lock:
            if connection_id is None:
                connection_id = self.next_connection_id
                self.next_connection_id += 1
            self.connections[connection_id] = dict(id=connection_id, name=name, parent_id=parent_id, protocol=protocol,
                                                   parameters=dict(parameters), columns=dict(columns), extra=dict(extra))
            return connection_id

    def delete_connection(self, connection_id):
        with self.lock:
            for permissions in self.entity_permissions.values():
                permissions["connections"].pop(connection_id, None)
            return self.connections.pop(connection_id, None) is not None


class PostgresStore:
    """The same interface on a PostgreSQL database initialised with ``initdb --postgresql``."""

    def __init__(self, settings):
        import psycopg2  # Debian's python3-psycopg2, in the image

        self.psycopg2 = psycopg2
        self.settings = dict(settings)
        self.schema_checked = False

    def _connect(self):
        try:
            return self.psycopg2.connect(connect_timeout=5, **self.settings)
        except self.psycopg2.Error as exc:
            where = "%s:%s" % (self.settings["host"], self.settings["port"])
            raise StoreError("cannot connect to PostgreSQL at %s: %s" % (where, str(exc).strip())) from None

    def _ensure_schema(self):
        """The tables of LATER_TABLES_SQL, once per process, committed before any other work."""
        with self.schema_lock:
            if self.schema_checked:
                return
            connection = self._connect()
            try:
                with connection:
                    with connection.cursor() as cursor:
                        cursor.execute(LATER_TABLES_SQL)
            except self.psycopg2.Error as exc:
                raise StoreError("PostgreSQL: %s" % str(exc).strip()) from None
            finally:
                connection.close()
            self.schema_checked = True

    def _run(self, work):
        self._ensure_schema()
        connection = self._connect()
        try:
            with connection:
                with connection.cursor() as cursor:
                    return work(cursor)
        except self.psycopg2.Error as exc:
            raise StoreError("PostgreSQL: %s" % str(exc).strip()) from None
        finally:
            connection.close()

    schema_lock = threading.Lock()
    _USER_COLUMN_NAMES = ", ".join("u.%s" % column for column, _kind in USER_COLUMNS.values())
    _USER_SELECT = ("SELECT u.user_id, e.name, u.password_hash, u.password_salt, u.disabled, %s "
                    "FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id "
                    "WHERE e.type = 'USER'" % _USER_COLUMN_NAMES)

    @staticmethod
    def _user(cursor, row):
        user_id, name, password_hash, salt, disabled = row[:5]
        cursor.execute("SELECT attribute_name, attribute_value FROM guacamole_user_attribute WHERE user_id = %s", (user_id,))
        attributes = dict(cursor.fetchall())
        for (key, (_column, kind)), value in zip(USER_COLUMNS.items(), row[5:]):
            text = user_attribute_text(kind, value)
            if text is not None:
                attributes[key] = text
        return dict(user_id=user_id, name=name, password_hash=bytes(password_hash),
                    password_salt=bytes(salt) if salt is not None else None, disabled=bool(disabled),
                    attributes=attributes)

    def get_user(self, name):
        def work(cursor):
            cursor.execute(self._USER_SELECT + " AND e.name = %s", (name,))
            row = cursor.fetchone()
            return None if row is None else self._user(cursor, row)
        return self._run(work)

    def list_users(self):
        def work(cursor):
            cursor.execute(self._USER_SELECT + " ORDER BY e.name")
            return [self._user(cursor, row) for row in cursor.fetchall()]
        return self._run(work)

    def set_password(self, name, password_hash, salt):
        def work(cursor):
            cursor.execute("UPDATE guacamole_user SET password_hash = %s, password_salt = %s, password_date = now() "
                           "WHERE entity_id = (SELECT entity_id FROM guacamole_entity WHERE name = %s AND type = 'USER')",
                           (self.psycopg2.Binary(password_hash), self.psycopg2.Binary(salt), name))
        self._run(work)

    def set_user_attributes(self, name, attributes):
        def work(cursor):
            for key, value in attributes.items():
                cursor.execute(
                    "INSERT INTO guacamole_user_attribute (user_id, attribute_name, attribute_value) "
                    "SELECT u.user_id, %s, %s FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id "
                    "WHERE e.name = %s AND e.type = 'USER' "
                    "ON CONFLICT (user_id, attribute_name) DO UPDATE SET attribute_value = EXCLUDED.attribute_value",
                    (key, value, name))
        self._run(work)

    @staticmethod
    def _entity(cursor, kind, name):
        cursor.execute("SELECT entity_id FROM guacamole_entity WHERE type = %s AND name = %s", (kind, name))
        row = cursor.fetchone()
        if row is None:
            raise StoreError("no %s %s" % (kind.lower(), name))
        return row[0]

    def _update_user(self, cursor, name, disabled, columns, password):
        assignments = ["disabled = %s"]
        values = [bool(disabled)]
        for key, (column, kind) in USER_COLUMNS.items():
            assignments.append("%s = %%s" % column)
            values.append(user_column_value(kind, columns.get(key)))
        if password is not None:
            assignments += ["password_hash = %s", "password_salt = %s", "password_date = now()"]
            values += [self.psycopg2.Binary(password[0]), self.psycopg2.Binary(password[1])]
        cursor.execute("UPDATE guacamole_user SET %s WHERE entity_id = %%s" % ", ".join(assignments),
                       values + [self._entity(cursor, "USER", name)])

    def create_user(self, name, password_hash, salt, disabled, columns, creator):
        def work(cursor):
            cursor.execute("INSERT INTO guacamole_entity (name, type) VALUES (%s, 'USER') RETURNING entity_id", (name,))
            entity = cursor.fetchone()[0]
            cursor.execute("INSERT INTO guacamole_user (entity_id, password_hash, password_salt, password_date) "
                           "VALUES (%s, %s, %s, now()) RETURNING user_id",
                           (entity, self.psycopg2.Binary(password_hash), self.psycopg2.Binary(salt)))
            user_id = cursor.fetchone()[0]
            self._update_user(cursor, name, disabled, columns, None)
            grants = [(entity, "READ")]
            if creator is not None:
                creator_entity = self._entity(cursor, "USER", creator)
                grants += [(creator_entity, permission) for permission in CREATOR_PERMISSIONS]
            for grantee, permission in grants:
                cursor.execute("INSERT INTO guacamole_user_permission (entity_id, affected_user_id, permission) "
                               "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", (grantee, user_id, permission))
        self._run(work)

    def update_user(self, name, disabled, columns, password=None):
        self._run(lambda cursor: self._update_user(cursor, name, disabled, columns, password))

    def delete_user(self, name):
        def work(cursor):
            cursor.execute("DELETE FROM guacamole_entity WHERE type = 'USER' AND name = %s", (name,))
            return cursor.rowcount > 0
        return self._run(work)

    def permissions(self, kind, name):
        def work(cursor):
            entity = self._entity(cursor, kind, name)
            cursor.execute("SELECT permission::text FROM guacamole_system_permission WHERE entity_id = %s", (entity,))
            system = set(row[0] for row in cursor.fetchall())
            connections = {}
            cursor.execute("SELECT connection_id, permission::text FROM guacamole_connection_permission "
                           "WHERE entity_id = %s", (entity,))
            for connection_id, permission in cursor.fetchall():
                connections.setdefault(connection_id, set()).add(permission)
            users = {}
            cursor.execute("SELECT e.name, p.permission::text FROM guacamole_user_permission p "
                           "JOIN guacamole_user u ON u.user_id = p.affected_user_id "
                           "JOIN guacamole_entity e ON e.entity_id = u.entity_id WHERE p.entity_id = %s", (entity,))
            for user, permission in cursor.fetchall():
                users.setdefault(user, set()).add(permission)
            return {"system": system, "connections": connections, "users": users}
        return self._run(work)

    def patch_permissions(self, kind, name, add, remove):
        def work(cursor):
            entity = self._entity(cursor, kind, name)
            for section, target, permission in remove:
                if section == "system":
                    cursor.execute("DELETE FROM guacamole_system_permission WHERE entity_id = %s AND permission = %s",
                                   (entity, permission))
                elif section == "connections":
                    cursor.execute("DELETE FROM guacamole_connection_permission WHERE entity_id = %s "
                                   "AND connection_id = %s AND permission = %s", (entity, target, permission))
                else:
                    cursor.execute("DELETE FROM guacamole_user_permission p USING guacamole_user u, guacamole_entity e "
                                   "WHERE p.entity_id = %s AND p.affected_user_id = u.user_id AND u.entity_id = e.entity_id "
                                   "AND e.name = %s AND p.permission = %s", (entity, target, permission))
            for section, target, permission in add:
                if section == "system":
                    cursor.execute("INSERT INTO guacamole_system_permission VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                   (entity, permission))
                elif section == "connections":
                    cursor.execute("INSERT INTO guacamole_connection_permission VALUES (%s, %s, %s) "
                                   "ON CONFLICT DO NOTHING", (entity, target, permission))
                else:
                    cursor.execute("SELECT u.user_id FROM guacamole_user u JOIN guacamole_entity e "
                                   "ON e.entity_id = u.entity_id WHERE e.type = 'USER' AND e.name = %s", (target,))
                    row = cursor.fetchone()
                    if row is None:
                        raise StoreError("user %s does not exist (foreign key)" % target)
                    cursor.execute("INSERT INTO guacamole_user_permission VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                                   (entity, row[0], permission))
        self._run(work)

    _GROUP_SELECT = ("SELECT e.name, g.disabled FROM guacamole_user_group g "
                     "JOIN guacamole_entity e ON e.entity_id = g.entity_id WHERE e.type = 'USER_GROUP'")

    def list_user_groups(self):
        def work(cursor):
            cursor.execute(self._GROUP_SELECT + " ORDER BY e.name")
            return [dict(name=row[0], disabled=bool(row[1])) for row in cursor.fetchall()]
        return self._run(work)

    def get_user_group(self, name):
        def work(cursor):
            cursor.execute(self._GROUP_SELECT + " AND e.name = %s", (name,))
            row = cursor.fetchone()
            return None if row is None else dict(name=row[0], disabled=bool(row[1]))
        return self._run(work)

    def create_user_group(self, name, disabled):
        def work(cursor):
            cursor.execute("INSERT INTO guacamole_entity (name, type) VALUES (%s, 'USER_GROUP') RETURNING entity_id", (name,))
            cursor.execute("INSERT INTO guacamole_user_group (entity_id, disabled) VALUES (%s, %s)",
                           (cursor.fetchone()[0], bool(disabled)))
        self._run(work)

    def update_user_group(self, name, disabled):
        def work(cursor):
            cursor.execute("UPDATE guacamole_user_group SET disabled = %s WHERE entity_id = %s",
                           (bool(disabled), self._entity(cursor, "USER_GROUP", name)))
        self._run(work)

    def delete_user_group(self, name):
        def work(cursor):
            cursor.execute("DELETE FROM guacamole_entity WHERE type = 'USER_GROUP' AND name = %s", (name,))
            return cursor.rowcount > 0
        return self._run(work)

    def group_members(self, name):
        def work(cursor):
            cursor.execute("SELECT m.name FROM guacamole_user_group_member gm "
                           "JOIN guacamole_user_group g ON g.user_group_id = gm.user_group_id "
                           "JOIN guacamole_entity ge ON ge.entity_id = g.entity_id "
                           "JOIN guacamole_entity m ON m.entity_id = gm.member_entity_id "
                           "WHERE ge.name = %s AND ge.type = 'USER_GROUP' AND m.type = 'USER' ORDER BY m.name", (name,))
            return [row[0] for row in cursor.fetchall()]
        return self._run(work)

    def patch_group_members(self, name, add, remove):
        def work(cursor):
            cursor.execute("SELECT g.user_group_id FROM guacamole_user_group g JOIN guacamole_entity e "
                           "ON e.entity_id = g.entity_id WHERE e.type = 'USER_GROUP' AND e.name = %s", (name,))
            group_id = cursor.fetchone()[0]
            for user in remove:
                cursor.execute("DELETE FROM guacamole_user_group_member WHERE user_group_id = %s AND member_entity_id = "
                               "(SELECT entity_id FROM guacamole_entity WHERE type = 'USER' AND name = %s)", (group_id, user))
            for user in add:
                # INSERT ... SELECT, as upstream's mapper does: an unknown user adds no row.
                cursor.execute("INSERT INTO guacamole_user_group_member (user_group_id, member_entity_id) "
                               "SELECT %s, entity_id FROM guacamole_entity WHERE type = 'USER' AND name = %s "
                               "ON CONFLICT DO NOTHING", (group_id, user))
        self._run(work)

    def groups_of(self, username):
        def work(cursor):
            cursor.execute("SELECT ge.name FROM guacamole_user_group_member gm "
                           "JOIN guacamole_user_group g ON g.user_group_id = gm.user_group_id "
                           "JOIN guacamole_entity ge ON ge.entity_id = g.entity_id "
                           "JOIN guacamole_entity m ON m.entity_id = gm.member_entity_id "
                           "WHERE m.name = %s AND m.type = 'USER' ORDER BY ge.name", (username,))
            return [row[0] for row in cursor.fetchall()]
        return self._run(work)

    def group_exists(self, identifier):
        def work(cursor):
            cursor.execute("SELECT 1 FROM guacamole_connection_group WHERE connection_group_id = %s", (identifier,))
            return cursor.fetchone() is not None
        return self._run(work)

    _CONNECTION_COLUMNS = ", ".join(column for column, _kind in CONNECTION_COLUMNS.values())

    def _connections(self, cursor, where="", args=()):
        cursor.execute("SELECT connection_id, connection_name, parent_id, protocol, %s FROM guacamole_connection %s "
                       "ORDER BY connection_id" % (self._CONNECTION_COLUMNS, where), args)
        records = []
        for row in cursor.fetchall():
            columns = dict(zip(CONNECTION_COLUMNS, row[4:]))
            records.append(dict(id=row[0], name=row[1], parent_id=row[2], protocol=row[3], columns=columns,
                                parameters={}, extra={}))
        for record in records:
            cursor.execute("SELECT parameter_name, parameter_value FROM guacamole_connection_parameter "
                           "WHERE connection_id = %s", (record["id"],))
            record["parameters"] = dict(cursor.fetchall())
            cursor.execute("SELECT attribute_name, attribute_value FROM guacamole_connection_attribute "
                           "WHERE connection_id = %s", (record["id"],))
            record["extra"] = dict(cursor.fetchall())
        return records

    def list_connections(self):
        return self._run(self._connections)

    def get_connection(self, connection_id):
        records = self._run(lambda cursor: self._connections(cursor, "WHERE connection_id = %s", (connection_id,)))
        return records[0] if records else None

    def save_connection(self, connection_id, name, parent_id, protocol, parameters, columns, extra):
        column_names = [CONNECTION_COLUMNS[k][0] for k in CONNECTION_COLUMNS]
        column_values = [columns.get(k) for k in CONNECTION_COLUMNS]

        def work(cursor):
            identifier = connection_id
            if identifier is None:
                cursor.execute("INSERT INTO guacamole_connection (connection_name, parent_id, protocol, %s) "
                               "VALUES (%%s, %%s, %%s, %s) RETURNING connection_id"
                               % (", ".join(column_names), ", ".join(["%s"] * len(column_names))),
                               [name, parent_id, protocol] + column_values)
                identifier = cursor.fetchone()[0]
            else:
                cursor.execute("UPDATE guacamole_connection SET connection_name = %%s, parent_id = %%s, protocol = %%s, %s "
                               "WHERE connection_id = %%s" % ", ".join("%s = %%s" % c for c in column_names),
                               [name, parent_id, protocol] + column_values + [identifier])
                cursor.execute("DELETE FROM guacamole_connection_parameter WHERE connection_id = %s", (identifier,))
                cursor.execute("DELETE FROM guacamole_connection_attribute WHERE connection_id = %s", (identifier,))
            for key, value in parameters.items():
                cursor.execute("INSERT INTO guacamole_connection_parameter VALUES (%s, %s, %s)", (identifier, key, value))
            for key, value in extra.items():
                cursor.execute("INSERT INTO guacamole_connection_attribute VALUES (%s, %s, %s)", (identifier, key, value))
            return identifier
        return self._run(work)

    def delete_connection(self, connection_id):
        def work(cursor):
            cursor.execute("DELETE FROM guacamole_connection WHERE connection_id = %s", (connection_id,))
            return cursor.rowcount > 0
        return self._run(work)


# --------------------------------------------------------------------------------------------
# The application: authentication, sessions, the REST resources
# --------------------------------------------------------------------------------------------


class ApiFailure(Exception):
    """An APIError answer."""

    def __init__(self, status, kind, message, key=None, expected=None):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.key = key
        self.expected = expected

    def body(self):
        if self.key:
            translatable = {"key": self.key, "variables": None}
        else:
            translatable = {"key": "APP.TEXT_UNTRANSLATED", "variables": {"MESSAGE": self.message}}
        return {"message": self.message, "translatableMessage": translatable, "statusCode": None,
                "expected": self.expected, "type": self.kind}


def permission_denied():
    return ApiFailure(403, "PERMISSION_DENIED", "Permission Denied.")


def not_found(identifier):
    return ApiFailure(404, "NOT_FOUND", 'Not found: "%s"' % identifier)


def bad_request(message):
    return ApiFailure(400, "BAD_REQUEST", message)


class Guacamole:
    """Everything but HTTP: state shared by the handler threads."""

    def __init__(self, config, store):
        self.config = config
        self.store = store
        self.lock = threading.RLock()
        self.sessions = {}  # token -> {"username", "last"}
        self.used_codes = {}  # (username, code) -> time until which it stays refused
        self.failures = {}  # address -> {"count", "last"}
        self.requests = []  # {"method", "path", "token", "at"} of every request, for the tests
        self.clock = time.time

    # -- brute-force ban (guacamole-auth-ban) -------------------------------------------------

    def _ban_status(self, address):
        entry = self.failures.get(address)
        if entry is None:
            return None
        if self.clock() - entry["last"] >= self.config.ban_duration:
            del self.failures[address]
            return None
        return entry

    def check_ban(self, address):
        if not self.config.ban_enabled:
            return
        with self.lock:
            entry = self._ban_status(address)
            if entry is not None and entry["count"] >= self.config.ban_max_attempts:
                raise ApiFailure(429, "BAD_REQUEST", "Too many failed authentication attempts.",
                                 key="LOGIN.ERROR_TOO_MANY_ATTEMPTS")

    def record_failure(self, address):
        if not self.config.ban_enabled:
            return
        with self.lock:
            entry = self._ban_status(address) or {"count": 0, "last": 0}
            entry["count"] += 1
            entry["last"] = self.clock()
            self.failures[address] = entry

    # -- logging in -------------------------------------------------------------------------

    def login(self, form, address):
        self.check_ban(address)
        try:
            username = self._authenticate(form)
        except ApiFailure as failure:
            if failure.kind != "INSUFFICIENT_CREDENTIALS":
                self.record_failure(address)
            raise
        token = secrets.token_hex(32).upper()
        with self.lock:
            self.sessions[token] = {"username": username, "last": self.clock()}
        log("INFO", 'User "%s" successfully authenticated from %s.' % (username, address))
        return {"authToken": token, "username": username, "dataSource": DATA_SOURCE,
                "availableDataSources": list(AVAILABLE_DATA_SOURCES)}

    def _authenticate(self, form):
        username = form.get("username")
        password = form.get("password")
        if not username or password is None:
            raise ApiFailure(403, "INVALID_CREDENTIALS", "Permission Denied.",
                             expected=[{"name": "username", "type": "USERNAME"}, {"name": "password", "type": "PASSWORD"}])
        user = self.store.get_user(username)
        if user is None or user["disabled"] or not password_matches(password, user["password_hash"], user["password_salt"]):
            log("WARN", 'Authentication attempt for user "%s" failed.' % username)
            raise ApiFailure(403, "INVALID_CREDENTIALS", "Invalid login.",
                             expected=[{"name": "username", "type": "USERNAME"}, {"name": "password", "type": "PASSWORD"}])
        if self.config.totp_enabled:
            self._verify_totp(user, form.get(TOTP_PARAMETER))
        return user["name"]

    def _verify_totp(self, user, code):
        config = self.config
        attributes = user["attributes"]
        secret = attributes.get(TOTP_SECRET_ATTRIBUTE)
        if not secret:
            key = secrets.token_bytes({"sha1": 20, "sha256": 32, "sha512": 64}[config.totp_mode])
            secret = base64.b32encode(key).decode("ascii")
            self.store.set_user_attributes(user["name"], {TOTP_SECRET_ATTRIBUTE: secret, TOTP_CONFIRMED_ATTRIBUTE: "false"})
            confirmed = False
        else:
            key = base32_key(secret)
            if key is None:
                log("WARN", 'TOTP key of user "%s" is not valid base32.' % user["name"])
                return
            confirmed = attributes.get(TOTP_CONFIRMED_ATTRIBUTE) == "true"
        if code is None:
            field = {"name": TOTP_PARAMETER, "type": "GUAC_TOTP_CODE"}
            if not confirmed:
                field.update(username=user["name"], secret=secret.rstrip("="), digits=config.totp_digits,
                             issuer=config.totp_issuer, mode=config.totp_mode.upper(), period=config.totp_period,
                             keyUri="otpauth://totp/%s?secret=%s&issuer=%s&algorithm=%s&digits=%d&period=%d" % (
                                 urllib.parse.quote("%s:%s" % (config.totp_issuer, user["name"])), secret.rstrip("="),
                                 urllib.parse.quote(config.totp_issuer), config.totp_mode.upper(), config.totp_digits,
                                 config.totp_period))
                raise ApiFailure(403, "INSUFFICIENT_CREDENTIALS",
                                 "TOTP enrollment must be completed before authentication can continue",
                                 key="TOTP.INFO_ENROLL_REQUIRED", expected=[field])
            raise ApiFailure(403, "INSUFFICIENT_CREDENTIALS",
                             "A TOTP authentication code is required before login can continue",
                             key="TOTP.INFO_CODE_REQUIRED", expected=[field])
        now = self.clock()
        step = int(now // config.totp_period)
        valid = [totp_code(key, s, config.totp_digits, config.totp_mode) for s in (step, step - 1)]
        if code in valid and self._use_code(user["name"], code, now):
            if not confirmed:
                self.store.set_user_attributes(user["name"], {TOTP_CONFIRMED_ATTRIBUTE: "true"})
            return
        raise ApiFailure(400, "BAD_REQUEST", "Provided TOTP code is not valid.", key="TOTP.INFO_VERIFICATION_FAILED")

    def _use_code(self, username, code, now):
        with self.lock:
            for used, until in list(self.used_codes.items()):
                if until <= now:
                    del self.used_codes[used]
            if (username, code) in self.used_codes:
                return False
            self.used_codes[(username, code)] = now + 2 * self.config.totp_period
            return True

    # -- sessions ---------------------------------------------------------------------------

    def session_user(self, token, touch=True):
        """The user of a valid token; ``touch=False`` checks without counting as activity (HEAD)."""
        if not token:
            raise permission_denied()
        with self.lock:
            session = self.sessions.get(token)
            if session is None:
                raise permission_denied()
            if self.clock() - session["last"] > self.config.session_timeout * 60:
                del self.sessions[token]
                raise permission_denied()
            if touch:
                session["last"] = self.clock()
            return session["username"]

    def requests_to(self, method=None, path=None):
        """The recorded requests with that method and path (None: any)."""
        with self.lock:
            return [r for r in self.requests if (method is None or r["method"] == method)
                    and (path is None or r["path"] == path)]

    def logout(self, token):
        with self.lock:
            if self.sessions.pop(token or "", None) is None:
                raise ApiFailure(404, "NOT_FOUND", "No such token.")

    # -- connections ------------------------------------------------------------------------

    @staticmethod
    def connection_json(record):
        attributes = dict((name, attribute_text(CONNECTION_COLUMNS[name][1], record["columns"].get(name)))
                          for name in CONNECTION_COLUMNS)
        attributes.update(record["extra"])
        return {"name": record["name"], "identifier": str(record["id"]),
                "parentIdentifier": "ROOT" if record["parent_id"] is None else str(record["parent_id"]),
                "protocol": record["protocol"], "attributes": attributes, "activeConnections": 0}

    def _connection_id(self, identifier):
        try:
            return int(identifier)
        except (TypeError, ValueError):
            raise not_found(identifier) from None

    def get_connection(self, identifier):
        record = self.store.get_connection(self._connection_id(identifier))
        if record is None:
            raise not_found(identifier)
        return record

    def _parent_id(self, parent):
        if parent in (None, "", "ROOT"):
            return None
        try:
            parent_id = int(parent)
        except (TypeError, ValueError):
            raise ApiFailure(404, "NOT_FOUND", 'Not found: "%s"' % parent) from None
        if not self.store.group_exists(parent_id):
            raise ApiFailure(404, "NOT_FOUND", 'Not found: "%s"' % parent)
        return parent_id

    def save_connection(self, body, identifier=None):
        if not isinstance(body, dict):
            raise bad_request("Data must be submitted when %s objects." % ("updating" if identifier else "creating"))
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise bad_request("Connection names must not be blank.")
        protocol = body.get("protocol")
        if not isinstance(protocol, str) or not protocol:
            raise bad_request("Connection protocol must be specified.")
        parent_id = self._parent_id(body.get("parentIdentifier"))
        parameters = body.get("parameters") or {}
        attributes = body.get("attributes") or {}
        if not isinstance(parameters, dict) or not isinstance(attributes, dict):
            raise bad_request("Parameters and attributes must be JSON objects.")
        current_id = None if identifier is None else self.get_connection(identifier)["id"]
        with self.lock:
            for other in self.store.list_connections():
                if other["name"] == name and other["parent_id"] == parent_id and other["id"] != current_id:
                    raise bad_request('The connection "%s" already exists.' % name)
            columns, extra = split_attributes(attributes)
            kept = dict((str(k), str(v)) for k, v in parameters.items() if v is not None and str(v) != "")
            return self.store.save_connection(current_id, name, parent_id, protocol, kept, columns, extra)

    # -- users ------------------------------------------------------------------------------

    @staticmethod
    def user_json(user):
        attributes = dict((name, None) for name in USER_COLUMN_ATTRIBUTES)
        attributes["disabled"] = "true" if user["disabled"] else None
        attributes.update((k, v) for k, v in user["attributes"].items() if not k.startswith("guac-totp-"))
        return {"username": user["name"], "attributes": attributes}

    def get_user(self, username):
        user = self.store.get_user(username)
        if user is None:
            raise not_found(username)
        return user

    def visible_user(self, actor, username):
        """The user, if ``actor`` may READ it (an administrator may); else 404 as upstream."""
        user = self.get_user(username)
        if not self.is_admin(actor) and "READ" not in self.effective(actor)["users"].get(username, ()):
            raise not_found(username)
        return user

    def visible_users(self, actor):
        users = self.store.list_users()
        if self.is_admin(actor):
            return users
        readable = self.effective(actor)["users"]
        return [u for u in users if "READ" in readable.get(u["name"], ())]

    def change_password(self, actor, username, body):
        if not isinstance(body, dict):
            raise bad_request("Data must be submitted when updating objects.")
        user = self.visible_user(actor, username)
        if actor != username and not self.is_admin(actor):
            raise ApiFailure(403, "PERMISSION_DENIED", "Permission denied.")
        old = body.get("oldPassword")
        new = body.get("newPassword")
        if not isinstance(old, str) or not password_matches(old, user["password_hash"], user["password_salt"]):
            raise ApiFailure(403, "PERMISSION_DENIED", "Permission denied.")
        if not isinstance(new, str) or new == "":
            raise bad_request("Passwords may not be blank.")
        self.store.set_password(username, *new_salted_hash(new))

    @staticmethod
    def user_attributes(raw):
        """API attributes -> (disabled, column attributes with None for unset). Other attributes
        are dropped: they are not in the schema upstream filters them by."""
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise bad_request("Attributes must be a JSON object.")
        disabled = user_attribute_value("bool", raw.get("disabled")) == "true"
        columns = dict((key, user_attribute_value(kind, raw.get(key))) for key, (_column, kind) in USER_COLUMNS.items())
        return disabled, columns

    def create_user(self, actor, body):
        self.require_admin(actor)
        if not isinstance(body, dict):
            raise bad_request("Data must be submitted when creating objects.")
        username = body.get("username")
        if not isinstance(username, str) or not username.strip():
            raise bad_request("The username must not be blank.")
        disabled, columns = self.user_attributes(body.get("attributes"))
        with self.lock:
            if self.store.get_user(username) is not None:
                raise bad_request('User "%s" already exists.' % username)
            password = body.get("password")
            # Without a password the account has one nobody knows.
            hashed = new_salted_hash(password if isinstance(password, str) and password else secrets.token_hex(32))
            self.store.create_user(username, hashed[0], hashed[1], disabled, columns, actor)
        return self.user_json(self.get_user(username))

    def update_user(self, actor, username, body):
        self.require_admin(actor)
        self.get_user(username)
        if not isinstance(body, dict):
            raise bad_request("Data must be submitted when updating objects.")
        if body.get("username") not in (None, username):
            raise bad_request("Username in path does not match username provided JSON data.")
        if actor == username:
            # upstream's UserResource: "A user may not use this endpoint to modify himself"
            raise ApiFailure(403, "PERMISSION_DENIED", "Permission denied.")
        disabled, columns = self.user_attributes(body.get("attributes"))
        password = body.get("password")
        hashed = new_salted_hash(password) if isinstance(password, str) and password else None
        self.store.update_user(username, disabled, columns, hashed)

    def delete_user(self, actor, username):
        self.require_admin(actor)
        self.get_user(username)
        self.store.delete_user(username)

    # -- permissions and user groups --------------------------------------------------------

    def effective(self, username):
        """The permissions of the user with those of the (enabled) groups it is a member of."""
        result = self.store.permissions("USER", username)
        for group in self.store.groups_of(username):
            record = self.store.get_user_group(group)
            if record is None or record["disabled"]:
                continue
            inherited = self.store.permissions("USER_GROUP", group)
            result["system"] |= inherited["system"]
            for section in ("connections", "users"):
                for target, kinds in inherited[section].items():
                    result[section].setdefault(target, set()).update(kinds)
        return result

    def is_admin(self, username):
        return "ADMINISTER" in self.effective(username)["system"]

    def require_admin(self, username):
        if not self.is_admin(username):
            raise ApiFailure(403, "PERMISSION_DENIED", "Permission denied.")

    @staticmethod
    def permission_json(permissions):
        return {
            "connectionPermissions": dict((str(k), sorted(v)) for k, v in sorted(permissions["connections"].items())),
            "connectionGroupPermissions": {},
            "sharingProfilePermissions": {},
            "activeConnectionPermissions": {},
            "userPermissions": dict((k, sorted(v)) for k, v in sorted(permissions["users"].items())),
            "userGroupPermissions": {},
            "systemPermissions": sorted(permissions["system"]),
        }

    @staticmethod
    def _patch_operations(body):
        if not isinstance(body, list) or not all(isinstance(op, dict) for op in body):
            raise bad_request("The request body must be a JSON patch (a list of operations).")
        for op in body:
            if op.get("op") not in ("add", "remove"):
                raise bad_request('Unsupported patch operation: "%s"' % op.get("op"))
        return body

    def patch_permissions(self, actor, kind, name, body):
        """PATCH .../permissions as upstream's PermissionSetResource reads it. A permission type
        that is not one (ObjectPermission.Type.valueOf fails) or a connection or user that does
        not exist (the tables' foreign keys) ends in upstream's 500 INTERNAL_ERROR."""
        self.require_admin(actor)
        add, remove = [], []
        for op in self._patch_operations(body):
            path = str(op.get("path") or "")
            value = op.get("value")
            if path.startswith("/connectionPermissions/"):
                target = path[len("/connectionPermissions/"):]
                try:
                    entry = ("connections", int(target), value)
                except ValueError:
                    raise StoreError("connection identifier %r is not a number" % target) from None
                allowed = OBJECT_PERMISSIONS
            elif path.startswith("/userPermissions/"):
                entry = ("users", path[len("/userPermissions/"):], value)
                allowed = OBJECT_PERMISSIONS
            elif path == "/systemPermissions":
                entry = ("system", None, value)
                allowed = SYSTEM_PERMISSIONS
            else:
                raise bad_request('Unsupported patch path: "%s"' % path)
            if value not in allowed:
                raise StoreError("no permission type %r" % (value,))
            (add if op["op"] == "add" else remove).append(entry)
        self.store.patch_permissions(kind, name, add, remove)

    @staticmethod
    def group_json(group):
        return {"identifier": group["name"], "attributes": {"disabled": "true" if group["disabled"] else None}}

    def visible_group(self, actor, name):
        group = self.store.get_user_group(name)
        if group is None or not self.is_admin(actor):
            raise not_found(name)
        return group

    def create_group(self, actor, body):
        self.require_admin(actor)
        if not isinstance(body, dict):
            raise bad_request("Data must be submitted when creating objects.")
        name = body.get("identifier")
        if not isinstance(name, str) or not name.strip():
            raise bad_request("The group name must not be blank.")
        disabled, _columns = self.user_attributes(body.get("attributes"))
        with self.lock:
            if self.store.get_user_group(name) is not None:
                raise bad_request('User group "%s" already exists.' % name)
            self.store.create_user_group(name, disabled)
        return self.group_json(self.store.get_user_group(name))

    def patch_members(self, actor, name, body):
        self.visible_group(actor, name)
        add, remove = [], []
        for op in self._patch_operations(body):
            if op.get("path") != "/":
                raise bad_request('Unsupported patch path: "%s"' % op.get("path"))
            (add if op["op"] == "add" else remove).append(str(op.get("value")))
        self.store.patch_group_members(name, add, remove)

    # -- connections as a user sees them --------------------------------------------------------

    def visible_connections(self, actor):
        records = self.store.list_connections()
        if self.is_admin(actor):
            return records
        readable = self.effective(actor)["connections"]
        return [r for r in records if "READ" in readable.get(r["id"], ())]

    def visible_connection(self, actor, identifier):
        """The connection if ``actor`` may READ it; otherwise 404 whether it exists or not, as
        guacamole-auth-jdbc answers (its directory only selects readable connections)."""
        record = self.get_connection(identifier)
        if not self.is_admin(actor) and "READ" not in self.effective(actor)["connections"].get(record["id"], ()):
            raise not_found(identifier)
        return record

    def connection_parameters(self, actor, identifier):
        """Only with UPDATE on the connection (or as administrator); otherwise {} (upstream)."""
        record = self.visible_connection(actor, identifier)
        if self.is_admin(actor) or "UPDATE" in self.effective(actor)["connections"].get(record["id"], ()):
            return record["parameters"]
        return {}


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

INDEX_HTML = b"""<!DOCTYPE html>
<html><head><title>Guacamole</title></head>
<body><p>Apache Guacamole (test double of the web application's REST API)</p></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache-Coyote/1.1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            log("INFO", "%s %s" % (self.address_string(), fmt % args))

    @property
    def app(self):
        return self.server.app

    # -- responses --------------------------------------------------------------------------

    def send(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_json(self, status, value):
        self.send(status, json.dumps(value).encode("utf-8"))

    # -- dispatch ---------------------------------------------------------------------------

    def handle_any(self):
        parsed = urllib.parse.urlsplit(self.path)
        self.query = urllib.parse.parse_qs(parsed.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        context = self.server.app.config.context
        path = urllib.parse.unquote(parsed.path)
        if context and not (path == context or path.startswith(context + "/")):
            return self.send(404, b"<html><body><h1>HTTP Status 404 - Not Found</h1></body></html>", "text/html")
        path = path[len(context):] or "/"
        with self.app.lock:
            self.app.requests.append({"method": self.command, "path": path, "token": self.token(), "at": self.app.clock()})
        if path == context or path == "/" or path == "":
            if self.command in ("GET", "HEAD"):
                return self.send(200, INDEX_HTML, "text/html;charset=UTF-8")
        try:
            if path.startswith("/api/"):
                status, value = self.api(path[len("/api/"):].strip("/").split("/"))
                if value is None:
                    return self.send(status)
                return self.send_json(status, value)
        except ApiFailure as failure:
            return self.send_json(failure.status, failure.body())
        except StoreError as exc:
            log("ERROR", str(exc))
            return self.send_json(500, ApiFailure(500, "INTERNAL_ERROR", "Unexpected internal error.").body())
        return self.send(404, b"<html><body><h1>HTTP Status 404 - Not Found</h1></body></html>", "text/html")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

    def token(self):
        return self.headers.get("Guacamole-Token") or (self.query.get("token") or [None])[0]

    def json_body(self):
        if not self.raw:
            return None
        try:
            return json.loads(self.raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad_request("The request body is not valid JSON.") from None

    def api(self, parts):
        method = self.command
        if parts == ["tokens"] and method == "POST":
            form = dict((k, v[-1]) for k, v in urllib.parse.parse_qs(self.raw.decode("utf-8"), keep_blank_values=True).items())
            return 200, self.app.login(form, self.client_address[0])
        if len(parts) == 2 and parts[0] == "tokens" and method == "DELETE":
            self.app.logout(parts[1])
            return 204, None
        if parts == ["session"] and method in ("DELETE", "HEAD"):
            token = self.token()
            self.app.session_user(token, touch=method != "HEAD")
            if method == "DELETE":
                self.app.logout(token)
                return 204, None
            return 200, None
        if len(parts) >= 4 and parts[:2] == ["session", "data"]:
            username = self.app.session_user(self.token())
            if parts[2] != DATA_SOURCE:
                raise ApiFailure(404, "NOT_FOUND", 'Not found: "%s"' % parts[2])
            return self.data(parts[3:], username)
        raise ApiFailure(404, "NOT_FOUND", "Not found.")

    def data(self, parts, username):
        app = self.app
        method = self.command
        kind = parts[0]
        if kind == "self" and len(parts) == 1 and method == "GET":
            return 200, app.user_json(app.get_user(username))
        if kind == "connections":
            if len(parts) == 1 and method == "GET":
                return 200, dict((str(r["id"]), app.connection_json(r)) for r in app.visible_connections(username))
            if len(parts) == 1 and method == "POST":
                app.require_admin(username)
                identifier = app.save_connection(self.json_body())
                return 200, app.connection_json(app.store.get_connection(identifier))
            if len(parts) == 2 and method == "GET":
                return 200, app.connection_json(app.visible_connection(username, parts[1]))
            if len(parts) == 2 and method == "PUT":
                app.visible_connection(username, parts[1])
                app.require_admin(username)
                app.save_connection(self.json_body(), identifier=parts[1])
                return 204, None
            if len(parts) == 2 and method == "DELETE":
                record = app.visible_connection(username, parts[1])
                app.require_admin(username)
                app.store.delete_connection(record["id"])
                return 204, None
            if len(parts) == 3 and parts[2] == "parameters" and method == "GET":
                return 200, app.connection_parameters(username, parts[1])
        if kind == "connectionGroups" and len(parts) == 2 and parts[1] == "ROOT" and method == "GET":
            return 200, {"name": "ROOT", "identifier": "ROOT", "type": "ORGANIZATIONAL", "activeConnections": 0,
                         "attributes": {}}
        if kind == "users":
            if len(parts) == 1 and method == "GET":
                return 200, dict((u["name"], app.user_json(u)) for u in app.visible_users(username))
            if len(parts) == 1 and method == "POST":
                return 200, app.create_user(username, self.json_body())
            if len(parts) >= 2:
                user = app.visible_user(username, parts[1])
            if len(parts) == 2 and method == "GET":
                return 200, app.user_json(user)
            if len(parts) == 2 and method == "PUT":
                app.update_user(username, parts[1], self.json_body())
                return 204, None
            if len(parts) == 2 and method == "DELETE":
                app.delete_user(username, parts[1])
                return 204, None
            if len(parts) == 3 and parts[2] == "password" and method == "PUT":
                app.change_password(username, parts[1], self.json_body())
                return 204, None
            if len(parts) == 3 and parts[2] == "permissions" and method == "GET":
                return 200, app.permission_json(app.store.permissions("USER", parts[1]))
            if len(parts) == 3 and parts[2] == "permissions" and method == "PATCH":
                app.patch_permissions(username, "USER", parts[1], self.json_body())
                return 204, None
            if len(parts) == 3 and parts[2] == "userGroups" and method == "GET":
                return 200, app.store.groups_of(parts[1])
        if kind == "userGroups":
            if len(parts) == 1 and method == "GET":
                groups = app.store.list_user_groups() if app.is_admin(username) else []
                return 200, dict((g["name"], app.group_json(g)) for g in groups)
            if len(parts) == 1 and method == "POST":
                return 200, app.create_group(username, self.json_body())
            if len(parts) >= 2:
                group = app.visible_group(username, parts[1])
            if len(parts) == 2 and method == "GET":
                return 200, app.group_json(group)
            if len(parts) == 2 and method == "PUT":
                app.require_admin(username)
                body = self.json_body()
                if not isinstance(body, dict):
                    raise bad_request("Data must be submitted when updating objects.")
                app.store.update_user_group(parts[1], app.user_attributes(body.get("attributes"))[0])
                return 204, None
            if len(parts) == 2 and method == "DELETE":
                app.require_admin(username)
                app.store.delete_user_group(parts[1])
                return 204, None
            if len(parts) == 3 and parts[2] == "memberUsers" and method == "GET":
                return 200, app.store.group_members(parts[1])
            if len(parts) == 3 and parts[2] == "memberUsers" and method == "PATCH":
                app.patch_members(username, parts[1], self.json_body())
                return 204, None
            if len(parts) == 3 and parts[2] == "permissions" and method == "GET":
                return 200, app.permission_json(app.store.permissions("USER_GROUP", parts[1]))
            if len(parts) == 3 and parts[2] == "permissions" and method == "PATCH":
                app.patch_permissions(username, "USER_GROUP", parts[1], self.json_body())
                return 204, None
        raise ApiFailure(404, "NOT_FOUND", "Not found.")


class GuacamoleDoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, config, store, verbose=False):
        super().__init__(address, Handler)
        self.app = Guacamole(config, store)
        self.verbose = verbose
        host, port = self.server_address[:2]
        self.url = "http://%s:%d%s" % (host, port, config.context)

    def close(self):
        self.shutdown()
        self.server_close()


def make_store(config):
    return PostgresStore(config.postgresql) if config.postgresql else MemoryStore()


def serve(port=0, host="127.0.0.1", store=None, config=None, **settings):
    """Start the double in a daemon thread; returns (server, thread). ``server.url`` is the web
    application's base URL (with its context path), ``server.app`` the state (``.store``,
    ``.clock``), ``server.close()`` stops it. ``settings``: keyword arguments of ``Config``
    (e.g. ``totp_enabled=True``); ``store`` defaults to a fresh ``MemoryStore``."""
    config = config or Config(**settings)
    server = GuacamoleDoubleServer((host, port), config, store if store is not None else MemoryStore())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    LOGGING["enabled"] = True
    if argv and argv[0] == "initdb":
        if argv[1:] != ["--postgresql"]:
            sys.stdout.write("USAGE: /opt/guacamole/bin/initdb.sh --postgresql\n")
            return 1
        sys.stdout.write(SCHEMA_SQL + "\n" + ADMIN_SQL)
        return 0
    if argv and argv[0] not in ("serve",):
        sys.stderr.write("usage: guacamole_server.py [serve | initdb --postgresql]\n")
        return 2
    try:
        config = Config.from_env()
        store = make_store(config)
        port = int(os.environ.get("GUACAMOLE_DOUBLE_PORT") or DEFAULT_PORT)
        server = GuacamoleDoubleServer(("0.0.0.0", port), config, store, verbose=True)  # noqa: S104 - as Tomcat does
    except (OSError, ValueError, ImportError) as exc:
        log("ERROR", "cannot start: %s" % exc)
        return 1
    where = ("PostgreSQL %(host)s:%(port)s/%(dbname)s as %(user)s" % config.postgresql) if config.postgresql else "memory"
    log("INFO", "Guacamole %s double at %s (data: %s; guacd %s:%d; TOTP %s; ban %s)" % (
        VERSION, server.url.replace("0.0.0.0", "*"), where, config.guacd[0], config.guacd[1],
        "on" if config.totp_enabled else "off", "on" if config.ban_enabled else "off"))
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
