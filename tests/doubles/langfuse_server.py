"""Protocol double of Langfuse v3 (langfuse/langfuse web and langfuse/langfuse-worker), for tests only.

Langfuse cannot be had on the build machines. This double takes the configuration the real
containers take, talks for real to the dependencies (PostgreSQL with psycopg2, Redis over RESP,
the ClickHouse HTTP interface, the S3 endpoint's MinIO health path) and answers the small part
of the HTTP API the platform uses. It records no traces, has no UI and no ingestion.
Not production code: the collection never imports it. Standard library + python3-psycopg2.

Command line: ``langfuse_server.py web`` (port ``PORT``, default 3000) or
``langfuse_server.py worker`` (``PORT``, default 3030). Listens on 0.0.0.0.

Start-up, as the real containers (exit 1 with a message when it fails):

* environment validated like Langfuse's schema (empty values count as missing):
  ``DATABASE_URL`` (or ``DATABASE_HOST``/``_USERNAME``/``_PASSWORD``/``_NAME``),
  ``CLICKHOUSE_URL``, ``CLICKHOUSE_USER``, ``CLICKHOUSE_PASSWORD``,
  ``LANGFUSE_S3_EVENT_UPLOAD_BUCKET``; ``ENCRYPTION_KEY`` if set must be 64 hex characters.
  Web only: ``NEXTAUTH_URL``, ``NEXTAUTH_SECRET``, ``SALT`` and ``ENCRYPTION_KEY`` required;
  ``CLICKHOUSE_MIGRATION_URL`` required unless ``LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED``
  is ``true``.
* web: "migrations": creates the double's own tables in PostgreSQL (``langfuse_double_*``) and
  opens a TCP connection to the ClickHouse migration URL (``clickhouse://host:9000``);
* web: headless initialisation from ``LANGFUSE_INIT_ORG_ID``, ``_ORG_NAME``, ``_PROJECT_ID``,
  ``_PROJECT_NAME``, ``_PROJECT_PUBLIC_KEY``, ``_PROJECT_SECRET_KEY``, ``_USER_EMAIL``,
  ``_USER_NAME``, ``_USER_PASSWORD``: organisation and project upserted, API key and user
  created when missing (secret and password stored hashed). Stored in PostgreSQL, so it
  survives restarts and re-created containers.

HTTP (web):

* ``GET /api/public/health`` and ``GET /api/public/ready``: 200 ``{"status": "OK", "version"}``
  when PostgreSQL (``SELECT 1``), Redis (``PING``; ``REDIS_CONNECTION_STRING`` or
  ``REDIS_HOST``/``REDIS_PORT``/``REDIS_USERNAME``/``REDIS_AUTH``), ClickHouse (``/ping`` and an
  authenticated ``SELECT 1`` at ``CLICKHOUSE_URL``) and, when
  ``LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT`` is set, its ``/minio/health/live`` all answer (an S3
  endpoint that is not MinIO counts as up when ``GET /`` answers below 500); else 503
  ``{"status": "<deps> not available", "version", "errors": {dep: reason}}``. (Real Langfuse
  checks less here; the double is stricter so that tests see a broken dependency.)
* ``GET /api/public/projects`` with HTTP basic auth ``public_key:secret_key`` -> 200
  ``{"data": [{"id", "name", "organization": {"id", "name"}, "metadata": {}}]}``; 401 otherwise.
* ``GET /`` -> a one-line HTML page; other ``/api/...`` paths -> 404 JSON.

HTTP (worker): ``GET /api/health`` -> 200 ``{"status": "ok", "version"}`` when PostgreSQL and
Redis answer, else 503 naming them; ``GET /api/ready`` -> 200.

``LANGFUSE_DOUBLE_VERSION`` (double only) is the version reported (set by the image).
In-process: ``serve(mode, port=0, env=None) -> (server, thread)`` (runs the start-up steps;
raises ``StartupError``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_VERSION = "3.112.0"
CHECK_TIMEOUT = 3.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS langfuse_double_organizations (
    id text PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS langfuse_double_projects (
    id text PRIMARY KEY, org_id text NOT NULL REFERENCES langfuse_double_organizations(id),
    name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS langfuse_double_api_keys (
    public_key text PRIMARY KEY, hashed_secret text NOT NULL, display_secret text NOT NULL,
    project_id text NOT NULL REFERENCES langfuse_double_projects(id),
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS langfuse_double_users (
    email text PRIMARY KEY, name text, password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS langfuse_double_memberships (
    org_id text NOT NULL REFERENCES langfuse_double_organizations(id),
    email text NOT NULL REFERENCES langfuse_double_users(email), role text NOT NULL,
    PRIMARY KEY (org_id, email));
"""


class StartupError(Exception):
    """The container would exit non-zero with this message."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- configuration -----------------------------------------------------------------------------
class Config:
    def __init__(self, mode: str, env: dict | None = None):
        if mode not in ("web", "worker"):
            raise StartupError(f"unknown mode {mode!r}: use web or worker")
        raw = dict(os.environ if env is None else env)
        self.env = {k: v for k, v in raw.items() if v != ""}  # Langfuse drops empty variables
        self.mode = mode
        self.version = self.env.get("LANGFUSE_DOUBLE_VERSION", DEFAULT_VERSION)
        self.port = int(self.env.get("PORT") or (3000 if mode == "web" else 3030))
        self.database_url = self._database_url()

    def get(self, name: str, default=None):
        return self.env.get(name, default)

    def _database_url(self) -> str | None:
        if "DATABASE_URL" in self.env:
            return self.env["DATABASE_URL"]
        parts = [self.env.get(f"DATABASE_{p}") for p in ("HOST", "USERNAME", "PASSWORD", "NAME")]
        if all(parts):
            host, user, password, name = parts
            return (f"postgresql://{urllib.parse.quote(user, safe='')}:"
                    f"{urllib.parse.quote(password, safe='')}@{host}/{name}")
        return None

    def validate(self) -> None:
        errors: dict[str, str] = {}
        if not self.database_url:
            raise StartupError("Error: Required database environment variables are not set. "
                               "Provide a postgres url for DATABASE_URL.")
        required = ["CLICKHOUSE_URL", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD",
                    "LANGFUSE_S3_EVENT_UPLOAD_BUCKET"]
        if self.mode == "web":
            required += ["NEXTAUTH_URL", "NEXTAUTH_SECRET", "SALT", "ENCRYPTION_KEY"]
        for name in required:
            if name not in self.env:
                errors[name] = "Required"
        for name in ("CLICKHOUSE_URL", "NEXTAUTH_URL"):
            value = self.env.get(name)
            if value and not re.match(r"^[a-z][a-z0-9+.-]*://[^/\s]+", value, re.I):
                errors[name] = "Invalid url"
        key = self.env.get("ENCRYPTION_KEY")
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key):
            errors["ENCRYPTION_KEY"] = ("ENCRYPTION_KEY must be 256 bits, 64 string characters "
                                        "in hex format, generate via: openssl rand -hex 32")
        if errors:
            raise StartupError("❌ Invalid environment variables: " + json.dumps(
                {k: [v] for k, v in errors.items()}))


# -- dependencies ------------------------------------------------------------------------------
def pg_connect(url: str, timeout: float = CHECK_TIMEOUT):
    """A psycopg2 connection from a Prisma-style URL (unknown query parameters dropped)."""
    import psycopg2  # Debian python3-psycopg2 in the image; imported late for in-process use

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must start with postgresql://, got {parts.scheme}://")
    query = dict(urllib.parse.parse_qsl(parts.query))
    kwargs = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or ""),
        "password": urllib.parse.unquote(parts.password or ""),
        "dbname": urllib.parse.unquote(parts.path.lstrip("/")) or "postgres",
        "connect_timeout": max(1, int(timeout)),
        "application_name": "langfuse-double",
    }
    if "sslmode" in query:
        kwargs["sslmode"] = query["sslmode"]
    return psycopg2.connect(**kwargs)


def check_postgres(cfg: Config) -> None:
    conn = pg_connect(cfg.database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    finally:
        conn.close()


def _redis_target(cfg: Config):
    conn_str = cfg.get("REDIS_CONNECTION_STRING")
    if conn_str:
        parts = urllib.parse.urlsplit(conn_str)
        if parts.scheme == "rediss":
            raise RuntimeError("TLS (rediss://) is not supported by the double")
        return (parts.hostname or "localhost", parts.port or 6379,
                urllib.parse.unquote(parts.username or "") or None,
                urllib.parse.unquote(parts.password) if parts.password else None)
    host = cfg.get("REDIS_HOST")
    if not host:
        raise RuntimeError("Redis connection not available (REDIS_HOST or REDIS_CONNECTION_STRING unset)")
    return host, int(cfg.get("REDIS_PORT") or 6379), cfg.get("REDIS_USERNAME"), cfg.get("REDIS_AUTH")


def _resp(*args: str) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def check_redis(cfg: Config) -> None:
    host, port, user, password = _redis_target(cfg)
    with socket.create_connection((host, port), timeout=CHECK_TIMEOUT) as sock:
        reader = sock.makefile("rb")
        if password:
            sock.sendall(_resp("AUTH", user, password) if user else _resp("AUTH", password))
            line = reader.readline().decode(errors="replace").strip()
            if not line.startswith("+OK"):
                raise RuntimeError(f"AUTH failed: {line.lstrip('-')}")
        sock.sendall(_resp("PING"))
        line = reader.readline().decode(errors="replace").strip()
        if line != "+PONG":
            raise RuntimeError(f"PING answered {line.lstrip('-') or 'nothing'}")


def _http_get(url: str, headers: dict | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=CHECK_TIMEOUT) as resp:
            return resp.status, resp.read(4096).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(4096).decode(errors="replace")


def check_clickhouse(cfg: Config) -> None:
    base = cfg.get("CLICKHOUSE_URL", "").rstrip("/")
    status, body = _http_get(base + "/ping")
    if status != 200:
        raise RuntimeError(f"/ping answered HTTP {status}")
    token = base64.b64encode(
        f"{cfg.get('CLICKHOUSE_USER', '')}:{cfg.get('CLICKHOUSE_PASSWORD', '')}".encode()).decode()
    status, body = _http_get(base + "/?query=" + urllib.parse.quote("SELECT 1"),
                             {"Authorization": f"Basic {token}"})
    if status != 200 or body.strip() != "1":
        raise RuntimeError(f"SELECT 1 answered HTTP {status}: {body.strip()[:200]}")


def check_s3(cfg: Config) -> None:
    endpoint = cfg.get("LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT", "").rstrip("/")
    status, _body = _http_get(endpoint + "/minio/health/live")
    if status == 200:
        return
    if status in (400, 403, 404, 405):
        # Not MinIO (e.g. Ceph RGW): any S3 answer below 500 to "GET /" counts as up.
        root_status, _body = _http_get(endpoint + "/")
        if root_status < 500:
            return
        status = root_status
    raise RuntimeError(f"S3 endpoint {endpoint} answered HTTP {status}")


def run_checks(cfg: Config, names: list[str]) -> dict[str, str]:
    """Run the named checks in parallel; {name: reason} of those that failed."""
    funcs = {"postgres": check_postgres, "redis": check_redis,
             "clickhouse": check_clickhouse, "s3": check_s3}
    failed: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {name: pool.submit(funcs[name], cfg) for name in names}
        for name, future in futures.items():
            try:
                future.result(timeout=CHECK_TIMEOUT * 3)
            except Exception as exc:  # noqa: BLE001 (any failure means "down")
                failed[name] = f"{type(exc).__name__}: {str(exc).strip() or 'no detail'}"
    return failed


# -- start-up ----------------------------------------------------------------------------------
def migrate(cfg: Config) -> None:
    try:
        conn = pg_connect(cfg.database_url, timeout=5)
        try:
            with conn, conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7466020301)")
                cur.execute(SCHEMA)
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001
        raise StartupError(f"{exc}\nApplying database migrations failed. This is mostly caused "
                           "by the database being unavailable.\nExiting...") from exc
    if cfg.get("LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED") == "true":
        return
    url = cfg.get("CLICKHOUSE_MIGRATION_URL")
    if not url:
        raise StartupError("Error: CLICKHOUSE_MIGRATION_URL is not configured.")
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 9000), timeout=5):
            pass
    except OSError as exc:
        raise StartupError(f"error: dial tcp {parts.hostname}:{parts.port or 9000}: {exc}\n"
                           "Applying clickhouse migrations failed. This is mostly caused by the "
                           "database being unavailable.\nExiting...") from exc


def _hash_secret(secret: str, salt: str) -> str:
    return hashlib.sha256(f"{secret}{salt}".encode()).hexdigest()


def _hash_password(password: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), 100_000).hex()
    return f"pbkdf2_sha256${salt}${digest}"


def headless_init(cfg: Config) -> None:
    def g(name):
        return cfg.get(f"LANGFUSE_INIT_{name}")

    org_id, project_id = g("ORG_ID"), g("PROJECT_ID")
    if not org_id:
        if any(g(n) for n in ("PROJECT_ID", "PROJECT_PUBLIC_KEY", "USER_EMAIL")):
            log("[headless init] LANGFUSE_INIT_ORG_ID is not set: nothing initialised")
        return
    conn = pg_connect(cfg.database_url, timeout=5)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO langfuse_double_organizations (id, name) VALUES (%s, %s) "
                "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
                (org_id, g("ORG_NAME") or "Provisioned Org"))
            if project_id:
                cur.execute(
                    "INSERT INTO langfuse_double_projects (id, org_id, name) VALUES (%s, %s, %s) "
                    "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, org_id = EXCLUDED.org_id",
                    (project_id, org_id, g("PROJECT_NAME") or "Provisioned Project"))
                public, secret = g("PROJECT_PUBLIC_KEY"), g("PROJECT_SECRET_KEY")
                if public and secret:
                    cur.execute(
                        "INSERT INTO langfuse_double_api_keys "
                        "(public_key, hashed_secret, display_secret, project_id) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (public_key) DO NOTHING",
                        (public, _hash_secret(secret, cfg.get("SALT", "")),
                         f"{secret[:6]}...{secret[-4:]}", project_id))
                elif public or secret:
                    log("[headless init] both LANGFUSE_INIT_PROJECT_PUBLIC_KEY and "
                        "_SECRET_KEY are needed: no API key created")
            email, password = g("USER_EMAIL"), g("USER_PASSWORD")
            if email and password:
                cur.execute(
                    "INSERT INTO langfuse_double_users (email, name, password_hash) "
                    "VALUES (%s, %s, %s) ON CONFLICT (email) DO NOTHING",
                    (email.lower(), g("USER_NAME"), _hash_password(password)))
                cur.execute(
                    "INSERT INTO langfuse_double_memberships (org_id, email, role) "
                    "VALUES (%s, %s, 'OWNER') ON CONFLICT DO NOTHING", (org_id, email.lower()))
    finally:
        conn.close()
    log(f"[headless init] organisation {org_id}" + (f", project {project_id}" if project_id else ""))


def projects_for_key(cfg: Config, public: str, secret: str) -> list[dict] | None:
    conn = pg_connect(cfg.database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT k.hashed_secret, p.id, p.name, o.id, o.name "
                "FROM langfuse_double_api_keys k "
                "JOIN langfuse_double_projects p ON p.id = k.project_id "
                "JOIN langfuse_double_organizations o ON o.id = p.org_id "
                "WHERE k.public_key = %s", (public,))
            row = cur.fetchone()
    finally:
        conn.close()
    if row is None or not hmac.compare_digest(row[0], _hash_secret(secret, cfg.get("SALT", ""))):
        return None
    return [{"id": row[1], "name": row[2], "organization": {"id": row[3], "name": row[4]},
             "metadata": {}}]


# -- HTTP --------------------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    server_version = "Langfuse-double"
    protocol_version = "HTTP/1.1"
    cfg: Config  # set on the subclass made by serve()

    def log_message(self, fmt, *args):
        pass

    def _json(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _health(self, names: list[str], ok_status: str) -> None:
        failed = run_checks(self.cfg, names)
        if not failed:
            return self._json(200, {"status": ok_status, "version": self.cfg.version})
        label = {"postgres": "Database", "redis": "Redis", "clickhouse": "ClickHouse", "s3": "S3"}
        self._json(503, {"status": ", ".join(label[n] for n in failed) + " not available",
                         "version": self.cfg.version, "errors": failed})

    def _web_deps(self) -> list[str]:
        deps = ["postgres", "redis", "clickhouse"]
        if self.cfg.get("LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT"):
            deps.append("s3")
        return deps

    def _projects(self) -> None:
        auth = self.headers.get("Authorization", "")
        public = secret = ""
        if auth.lower().startswith("basic "):
            try:
                public, _sep, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                public = secret = ""
        if not public or not secret:
            return self._json(401, {"error": "UnauthorizedError",
                                    "message": "Invalid authorization header"})
        try:
            data = projects_for_key(self.cfg, public, secret)
        except Exception as exc:  # noqa: BLE001
            return self._json(500, {"error": "InternalServerError", "message": str(exc)})
        if data is None:
            return self._json(401, {"error": "UnauthorizedError",
                                    "message": "Invalid credentials. Confirm that you've "
                                               "configured the correct host."})
        self._json(200, {"data": data})

    def do_GET(self):  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path.rstrip("/") or "/"
        if self.cfg.mode == "web":
            if path in ("/api/public/health", "/api/public/ready"):
                return self._health(self._web_deps(), "OK")
            if path == "/api/public/projects":
                return self._projects()
            if path == "/":
                body = b"<!doctype html><title>Langfuse</title><p>Langfuse (test double)</p>\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return None
        else:
            if path == "/api/health":
                return self._health(["postgres", "redis"], "ok")
            if path == "/api/ready":
                return self._json(200, {"status": "ok"})
        return self._json(404, {"message": f"Not found: {path} (not implemented by the Langfuse "
                                           "test double)"})

    do_HEAD = do_GET  # noqa: N815


def serve(mode: str, port: int = 0, env: dict | None = None, host: str = "127.0.0.1"):
    """Run the start-up steps, then serve in a thread: (server, thread). Raises StartupError."""
    cfg = Config(mode, env)
    cfg.validate()
    if mode == "web":
        migrate(cfg)
        try:
            headless_init(cfg)
        except Exception as exc:  # noqa: BLE001 (the real server logs and goes on)
            log(f"[headless init] failed: {exc}")
    handler = type("BoundHandler", (Handler,), {"cfg": cfg})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "web"
    try:
        cfg = Config(mode)
        server, _thread = serve(mode, cfg.port, host="0.0.0.0")
    except StartupError as exc:
        log(str(exc))
        return 1
    log(f"Langfuse {mode} test double {cfg.version} listening on 0.0.0.0:{cfg.port}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
