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
  ``users``, ``users/{name}``, ``users/{name}/password`` (PUT ``{"oldPassword", "newPassword"}``,
  204; wrong old password 403 PERMISSION_DENIED "Permission denied."), ``self``.
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

Not modelled: permissions (every user that logs in may do everything), user groups, sharing
profiles, history, connection groups other than ROOT in memory mode (with PostgreSQL, rows of
guacamole_connection_group are honoured as parents), password policies, expired accounts.

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
        self.groups = {}
        self.next_connection_id = 1
        self.next_user_id = 1
        self.add_user_hashed(DEFAULT_ADMIN, bytes.fromhex(DEFAULT_ADMIN_HASH), bytes.fromhex(DEFAULT_ADMIN_SALT))

    # Test helpers (the in-process tests arrange users directly, as SQL would) ----------------

    def add_user_hashed(self, name, password_hash, salt):
        with self.lock:
            self.users[name] = dict(user_id=self.next_user_id, name=name, password_hash=bytes(password_hash),
                                    password_salt=salt, disabled=False, attributes={})
            self.next_user_id += 1

    def add_user(self, name, password):
        self.add_user_hashed(name, *new_salted_hash(password))

    def set_password_plain(self, name, password):
        self.set_password(name, *new_salted_hash(password))

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
            return self.connections.pop(connection_id, None) is not None


class PostgresStore:
    """The same interface on a PostgreSQL database initialised with ``initdb --postgresql``."""

    def __init__(self, settings):
        import psycopg2  # Debian's python3-psycopg2, in the image

        self.psycopg2 = psycopg2
        self.settings = dict(settings)

    def _connect(self):
        try:
            return self.psycopg2.connect(connect_timeout=5, **self.settings)
        except self.psycopg2.Error as exc:
            where = "%s:%s" % (self.settings["host"], self.settings["port"])
            raise StoreError("cannot connect to PostgreSQL at %s: %s" % (where, str(exc).strip())) from None

    def _run(self, work):
        connection = self._connect()
        try:
            with connection:
                with connection.cursor() as cursor:
                    return work(cursor)
        except self.psycopg2.Error as exc:
            raise StoreError("PostgreSQL: %s" % str(exc).strip()) from None
        finally:
            connection.close()

    _USER_SELECT = ("SELECT u.user_id, e.name, u.password_hash, u.password_salt, u.disabled "
                    "FROM guacamole_user u JOIN guacamole_entity e ON e.entity_id = u.entity_id "
                    "WHERE e.type = 'USER'")

    @staticmethod
    def _user(cursor, row):
        user_id, name, password_hash, salt, disabled = row
        cursor.execute("SELECT attribute_name, attribute_value FROM guacamole_user_attribute WHERE user_id = %s", (user_id,))
        return dict(user_id=user_id, name=name, password_hash=bytes(password_hash),
                    password_salt=bytes(salt) if salt is not None else None, disabled=bool(disabled),
                    attributes=dict(cursor.fetchall()))

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

    def change_password(self, username, body):
        if not isinstance(body, dict):
            raise bad_request("Data must be submitted when updating objects.")
        user = self.get_user(username)
        old = body.get("oldPassword")
        new = body.get("newPassword")
        if not isinstance(old, str) or not password_matches(old, user["password_hash"], user["password_salt"]):
            raise ApiFailure(403, "PERMISSION_DENIED", "Permission denied.")
        if not isinstance(new, str) or new == "":
            raise bad_request("Passwords may not be blank.")
        self.store.set_password(username, *new_salted_hash(new))


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
                return 200, dict((str(r["id"]), app.connection_json(r)) for r in app.store.list_connections())
            if len(parts) == 1 and method == "POST":
                identifier = app.save_connection(self.json_body())
                return 200, app.connection_json(app.store.get_connection(identifier))
            if len(parts) == 2 and method == "GET":
                return 200, app.connection_json(app.get_connection(parts[1]))
            if len(parts) == 2 and method == "PUT":
                app.save_connection(self.json_body(), identifier=parts[1])
                return 204, None
            if len(parts) == 2 and method == "DELETE":
                record = app.get_connection(parts[1])
                app.store.delete_connection(record["id"])
                return 204, None
            if len(parts) == 3 and parts[2] == "parameters" and method == "GET":
                return 200, app.get_connection(parts[1])["parameters"]
        if kind == "connectionGroups" and len(parts) == 2 and parts[1] == "ROOT" and method == "GET":
            return 200, {"name": "ROOT", "identifier": "ROOT", "type": "ORGANIZATIONAL", "activeConnections": 0,
                         "attributes": {}}
        if kind == "users":
            if len(parts) == 1 and method == "GET":
                return 200, dict((u["name"], app.user_json(u)) for u in app.store.list_users())
            if len(parts) == 2 and method == "GET":
                return 200, app.user_json(app.get_user(parts[1]))
            if len(parts) == 3 and parts[2] == "password" and method == "PUT":
                app.change_password(parts[1], self.json_body())
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
