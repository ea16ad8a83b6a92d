# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The locally built stand-in images (tests/images/) on the host's Docker engine.

Builds them with tests/images/build (quick when their recipe labels are current), runs them on a
private network of this module with ports published on 127.0.0.1 only (Docker picks free ports)
and checks them from outside: PostgreSQL over its wire protocol (a small SCRAM-capable client
below, standard library only), Redis over RESP, HTTP with urllib. Every container, volume and
the network carry the label org.foundrycloud.test=images and are removed at the end, also when
a test fails. Nothing but 127.0.0.1 and this module's containers is contacted; n8n also gets a
DNS server that does not exist, so it cannot resolve any outside name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from docker_endpoint import PUBLISH_ADDRESS, PUBLISHED_HOST, run_with_files

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tests" / "images" / "build"
REGISTRY = os.environ.get("TEST_REGISTRY", "mirror.foundrycloud.test")
KEYS = ["postgres", "redis", "n8n", "langfuse_web", "langfuse_worker", "clickhouse", "minio"]
LABEL = "org.foundrycloud.test=images"
RUN_ID = uuid.uuid4().hex[:8]
RUN_LABEL = f"org.foundrycloud.test.run={RUN_ID}"

PG_USER, PG_PASSWORD = "platform", "pg-" + secrets.token_hex(8)
REDIS_PASSWORD = "redis-" + secrets.token_hex(8)
CH_USER, CH_PASSWORD = "langfuse", "ch-" + secrets.token_hex(8)
MINIO_USER, MINIO_PASSWORD = "minio", "minio-" + secrets.token_hex(8)
LF_ORG, LF_PROJECT = "org-platform", "proj-platform"
LF_PUBLIC, LF_SECRET = "pk-lf-" + secrets.token_hex(8), "sk-lf-" + secrets.token_hex(16)

pytestmark = pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0,
    reason="no Docker engine (run scripts/prepare)",
)


# -- docker helpers ----------------------------------------------------------------------------
def docker(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


def image(key: str) -> str:
    entry = yaml.safe_load((ROOT / "catalog" / "images.yml").read_text())[key]
    return f"{REGISTRY}/{entry['repository']}:{entry['tag']}"


def logs(name: str) -> str:
    proc = docker("logs", "--tail", "60", name, check=False)
    return (proc.stdout + proc.stderr)[-4000:]


class Stack:
    """Containers of this module on one private network; all removed by cleanup()."""

    def __init__(self):
        self.network = f"fc-images-{RUN_ID}"
        self.names: list[str] = []
        self.volumes: list[str] = []

    def volume(self, name: str) -> str:
        full = f"fc-images-{RUN_ID}-{name}"
        docker("volume", "create", "--label", LABEL, "--label", RUN_LABEL, full)
        self.volumes.append(full)
        return full

    def run(self, name: str, key: str, *, env: dict | None = None, ports: tuple = (),
            args: tuple = (), volumes: tuple = (), extra: tuple = (), detach: bool = True,
            timeout: float = 120, files: tuple = ()) -> subprocess.CompletedProcess | None:
        full = f"fc-images-{RUN_ID}-{name}"
        cmd = ["run", "--name", full, "--network", self.network, "--network-alias", name,
               "--label", LABEL, "--label", RUN_LABEL]
        if detach:
            cmd.append("-d")
        for key_, value in (env or {}).items():
            cmd += ["-e", f"{key_}={value}"]
        for port in ports:
            cmd += ["-p", f"{PUBLISH_ADDRESS}::{port}"]
        for volume in volumes:
            cmd += ["-v", volume]
        cmd += [*extra, image(key), *args]
        self.names.append(full)
        if files:   # (host path, container path): copied in, not bind-mounted (Docker-in-Docker)
            run_with_files(docker, [c for c in cmd[1:] if c != "-d"], files)
            return None
        return docker(*cmd, check=detach, timeout=timeout)

    @staticmethod
    def port(name: str, port: int) -> int:
        out = docker("port", f"fc-images-{RUN_ID}-{name}", f"{port}/tcp").stdout.split("\n")[0]
        host, _sep, host_port = out.strip().rpartition(":")
        assert host == PUBLISH_ADDRESS, f"{name}:{port} published on {host}, not {PUBLISH_ADDRESS}"
        return int(host_port)

    @staticmethod
    def name(short: str) -> str:
        return f"fc-images-{RUN_ID}-{short}"

    def remove(self, short: str) -> None:
        docker("rm", "-f", "-v", self.name(short), check=False)

    def cleanup(self) -> None:
        ids = docker("ps", "-aq", "--filter", f"label={RUN_LABEL}", check=False).stdout.split()
        if ids:
            docker("rm", "-f", "-v", *ids, check=False)
        for volume in self.volumes:
            docker("volume", "rm", "-f", volume, check=False)
        docker("network", "rm", self.network, check=False)


def wait_for(what: str, probe, timeout: float, container: str | None = None, interval: float = 1.0):
    """probe() until it returns a truthy value (exceptions count as not yet)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            result = probe()
            if result:
                return result
            last = result
        except Exception as exc:  # noqa: BLE001
            last = exc
        time.sleep(interval)
    detail = f"\n--- logs of {container} ---\n{logs(container)}" if container else ""
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r}){detail}")


# -- protocol helpers --------------------------------------------------------------------------
def http(method: str, url: str, headers: dict | None = None, timeout: float = 10):
    """(status, body text); HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class PgError(Exception):
    def __init__(self, fields: dict):
        self.code = fields.get("C", "")
        super().__init__(f"{fields.get('S', 'ERROR')} {self.code}: {fields.get('M', '')}")


def pg_query(port: int, user: str, password: str, database: str, sql: str, timeout: float = 10):
    """Rows (lists of str/None) of one simple query, over the PostgreSQL wire protocol v3.

    Password, md5 and SCRAM-SHA-256 authentication; enough for a login check, nothing more.
    """
    with socket.create_connection((PUBLISHED_HOST, port), timeout=timeout) as sock:
        rfile = sock.makefile("rb")

        def send(tag: bytes, payload: bytes) -> None:
            sock.sendall(tag + struct.pack("!I", len(payload) + 4) + payload)

        def receive() -> tuple[bytes, bytes]:
            head = rfile.read(5)
            if len(head) < 5:
                raise ConnectionError("server closed the connection")
            return head[:1], rfile.read(struct.unpack("!I", head[1:])[0] - 4)

        def error_fields(data: bytes) -> dict:
            return {f[:1].decode(): f[1:].decode(errors="replace") for f in data.split(b"\0") if f}

        params = b"".join(k.encode() + b"\0" + v.encode() + b"\0"
                          for k, v in (("user", user), ("database", database))) + b"\0"
        send(b"", struct.pack("!I", 196608) + params)
        client_first_bare = server_first = ""
        while True:
            tag, data = receive()
            if tag == b"E":
                raise PgError(error_fields(data))
            if tag == b"Z":
                break
            if tag != b"R":
                continue
            code = struct.unpack("!I", data[:4])[0]
            if code == 3:
                send(b"p", password.encode() + b"\0")
            elif code == 5:
                inner = hashlib.md5((password + user).encode()).hexdigest().encode()
                send(b"p", b"md5" + hashlib.md5(inner + data[4:8]).hexdigest().encode() + b"\0")
            elif code == 10:
                assert b"SCRAM-SHA-256" in data[4:].split(b"\0"), data
                client_first_bare = "n=,r=" + base64.b64encode(secrets.token_bytes(18)).decode()
                first = ("n,," + client_first_bare).encode()
                send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)
            elif code == 11:
                server_first = data[4:].decode()
                attrs = dict(part.split("=", 1) for part in server_first.split(","))
                salted = hashlib.pbkdf2_hmac("sha256", password.encode(),
                                             base64.b64decode(attrs["s"]), int(attrs["i"]))
                client_key = hmac.new(salted, b"Client Key", "sha256").digest()
                stored_key = hashlib.sha256(client_key).digest()
                without_proof = f"c=biws,r={attrs['r']}"
                message = f"{client_first_bare},{server_first},{without_proof}".encode()
                signature = hmac.new(stored_key, message, "sha256").digest()
                proof = bytes(a ^ b for a, b in zip(client_key, signature))
                send(b"p", f"{without_proof},p={base64.b64encode(proof).decode()}".encode())
            elif code not in (0, 12):
                raise AssertionError(f"unsupported authentication request {code}")
        send(b"Q", sql.encode() + b"\0")
        rows, error = [], None
        while True:
            tag, data = receive()
            if tag == b"D":
                count, offset, row = struct.unpack("!H", data[:2])[0], 2, []
                for _column in range(count):
                    size = struct.unpack("!i", data[offset:offset + 4])[0]
                    offset += 4
                    row.append(None if size < 0 else data[offset:offset + size].decode())
                    offset += max(size, 0)
                rows.append(row)
            elif tag == b"E":
                error = PgError(error_fields(data))
            elif tag == b"Z":
                break
        send(b"X", b"")
        if error:
            raise error
        return rows


def redis_command(port: int, *args: str, timeout: float = 5) -> list:
    """Send commands (one list per command) and return the first line of each reply."""
    with socket.create_connection((PUBLISHED_HOST, port), timeout=timeout) as sock:
        rfile = sock.makefile("rb")
        replies = []
        for command in args:
            words = command.split()
            payload = f"*{len(words)}\r\n" + "".join(f"${len(w.encode())}\r\n{w}\r\n" for w in words)
            sock.sendall(payload.encode())
            replies.append(rfile.readline().decode().strip())
        return replies


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built():
    """Build (or confirm current) every image this module runs."""
    proc = subprocess.run([str(BUILD), *KEYS], capture_output=True, text=True, timeout=3600, check=False)
    if proc.returncode != 0:
        pytest.fail(f"tests/images/build failed:\n{proc.stdout}\n{proc.stderr}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == len(KEYS), proc.stdout
    return lines


@pytest.fixture(scope="module")
def stack(built):
    s = Stack()
    docker("network", "create", "--label", LABEL, "--label", RUN_LABEL, s.network)
    try:
        yield s
    finally:
        s.cleanup()


INITDB_SQL = f"""
CREATE TABLE initdb_marker (note text NOT NULL);
INSERT INTO initdb_marker VALUES ('written by 01-marker.sql');
CREATE DATABASE n8n OWNER {PG_USER};
CREATE DATABASE langfuse OWNER {PG_USER};
"""


@pytest.fixture(scope="module")
def postgres(stack, tmp_path_factory):
    initdb = tmp_path_factory.mktemp("initdb")
    (initdb / "01-marker.sql").write_text(INITDB_SQL)
    (initdb / "02-shell.sh").write_text('echo "initdb shell script ran for $POSTGRES_DB"\n')
    initdb.chmod(0o755)
    for f in initdb.iterdir():
        f.chmod(0o644)
    stack.run("postgres", "postgres", ports=(5432,),
              env={"POSTGRES_USER": PG_USER, "POSTGRES_PASSWORD": PG_PASSWORD, "POSTGRES_DB": "platform"},
              volumes=(f"{stack.volume('pgdata')}:/var/lib/postgresql/data",),
              files=((initdb, "/docker-entrypoint-initdb.d"),))
    port = stack.port("postgres", 5432)
    wait_for("postgres login", lambda: pg_query(port, PG_USER, PG_PASSWORD, "platform", "SELECT 1"),
             60, stack.name("postgres"))
    return port


@pytest.fixture(scope="module")
def redis(stack):
    stack.run("redis", "redis", ports=(6379,),
              args=("redis-server", "--requirepass", REDIS_PASSWORD, "--appendonly", "yes"))
    port = stack.port("redis", 6379)
    wait_for("redis", lambda: redis_command(port, f"AUTH {REDIS_PASSWORD}", "PING")[1] == "+PONG",
             30, stack.name("redis"))
    return port


@pytest.fixture(scope="module")
def clickhouse(stack):
    stack.run("clickhouse", "clickhouse", ports=(8123, 9000), extra=("--user", "101:101"),
              env={"CLICKHOUSE_USER": CH_USER, "CLICKHOUSE_PASSWORD": CH_PASSWORD},
              volumes=(f"{stack.volume('clickhouse-data')}:/var/lib/clickhouse",))
    port = stack.port("clickhouse", 8123)
    wait_for("clickhouse /ping", lambda: http("GET", f"http://{PUBLISHED_HOST}:{port}/ping")[0] == 200,
             30, stack.name("clickhouse"))
    return port


@pytest.fixture(scope="module")
def minio(stack):
    stack.run("minio", "minio", ports=(9000, 9001),
              env={"MINIO_ROOT_USER": MINIO_USER, "MINIO_ROOT_PASSWORD": MINIO_PASSWORD},
              args=("server", "/data", "--console-address", ":9001"))
    port = stack.port("minio", 9000)
    wait_for("minio live", lambda: http("GET", f"http://{PUBLISHED_HOST}:{port}/minio/health/live")[0] == 200,
             30, stack.name("minio"))
    return port


def langfuse_env(redis_host: str = "redis", init: bool = True) -> dict:
    env = {
        "DATABASE_URL": f"postgresql://{PG_USER}:{PG_PASSWORD}@postgres:5432/langfuse?schema=public",
        "NEXTAUTH_URL": "http://localhost:3000",
        "NEXTAUTH_SECRET": secrets.token_hex(16),
        "SALT": "salt-of-this-test-run",
        "ENCRYPTION_KEY": "0123456789abcdef" * 4,
        "CLICKHOUSE_URL": "http://clickhouse:8123",
        "CLICKHOUSE_MIGRATION_URL": "clickhouse://clickhouse:9000",
        "CLICKHOUSE_USER": CH_USER,
        "CLICKHOUSE_PASSWORD": CH_PASSWORD,
        "REDIS_HOST": redis_host,
        "REDIS_PORT": "6379",
        "REDIS_AUTH": REDIS_PASSWORD,
        "LANGFUSE_S3_EVENT_UPLOAD_BUCKET": "langfuse",
        "LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT": "http://minio:9000",
        "LANGFUSE_S3_EVENT_UPLOAD_ACCESS_KEY_ID": MINIO_USER,
        "LANGFUSE_S3_EVENT_UPLOAD_SECRET_ACCESS_KEY": MINIO_PASSWORD,
    }
    if init:
        env.update({
            "LANGFUSE_INIT_ORG_ID": LF_ORG, "LANGFUSE_INIT_ORG_NAME": "Platform",
            "LANGFUSE_INIT_PROJECT_ID": LF_PROJECT, "LANGFUSE_INIT_PROJECT_NAME": "Platform traces",
            "LANGFUSE_INIT_PROJECT_PUBLIC_KEY": LF_PUBLIC, "LANGFUSE_INIT_PROJECT_SECRET_KEY": LF_SECRET,
            "LANGFUSE_INIT_USER_EMAIL": "admin@example.test", "LANGFUSE_INIT_USER_NAME": "Admin",
            "LANGFUSE_INIT_USER_PASSWORD": "admin-" + secrets.token_hex(8),
        })
    return env


@pytest.fixture(scope="module")
def langfuse(stack, postgres, redis, clickhouse, minio):
    stack.run("langfuse-web", "langfuse_web", ports=(3000,), env=langfuse_env())
    stack.run("langfuse-worker", "langfuse_worker", ports=(3030,), env=langfuse_env())
    web, worker = stack.port("langfuse-web", 3000), stack.port("langfuse-worker", 3030)
    wait_for("langfuse web health", lambda: http("GET", f"http://{PUBLISHED_HOST}:{web}/api/public/health")[0] == 200,
             60, stack.name("langfuse-web"))
    wait_for("langfuse worker health", lambda: http("GET", f"http://{PUBLISHED_HOST}:{worker}/api/health")[0] == 200,
             60, stack.name("langfuse-worker"))
    return web, worker


# -- tests: PostgreSQL -------------------------------------------------------------------------
def test_build_is_quiet_and_current_on_second_run(built):
    proc = subprocess.run([str(BUILD), *KEYS], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(KEYS), proc.stdout
    assert all(": current " in line for line in lines), proc.stdout
    for key in KEYS:
        label = docker("image", "inspect", "-f", '{{index .Config.Labels "org.foundrycloud.recipe"}}',
                       image(key)).stdout.strip()
        assert len(label) == 16, (key, label)


def test_postgres_password_login_and_initdb_scripts(stack, postgres):
    rows = pg_query(postgres, PG_USER, PG_PASSWORD, "platform", "SELECT note FROM initdb_marker")
    assert rows == [["written by 01-marker.sql"]]
    databases = {r[0] for r in pg_query(postgres, PG_USER, PG_PASSWORD, "platform",
                                        "SELECT datname FROM pg_database")}
    assert {"platform", "n8n", "langfuse"} <= databases
    with pytest.raises(PgError) as wrong:
        pg_query(postgres, PG_USER, "not-the-password", "platform", "SELECT 1")
    assert wrong.value.code == "28P01"  # invalid_password
    assert "initdb shell script ran for platform" in logs(stack.name("postgres"))
    method = pg_query(postgres, PG_USER, PG_PASSWORD, "platform", "SHOW password_encryption")
    assert method == [["scram-sha-256"]]


def test_postgres_runs_as_postgres_with_pg_isready(stack, postgres):
    name = stack.name("postgres")
    assert docker("exec", name, "pg_isready", "-U", PG_USER, "-d", "platform").returncode == 0
    status = docker("exec", name, "cat", "/proc/1/status").stdout
    uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
    assert uid == "999"
    assert docker("exec", name, "id", "-un", "999").stdout.strip() == "postgres"


def test_postgres_data_survives_recreation(stack):
    volume = stack.volume("pg-recreate")
    first = {"POSTGRES_PASSWORD": "first-password"}
    stack.run("pg-recreate", "postgres", ports=(5432,), env=first, volumes=(f"{volume}:/var/lib/postgresql/data",))
    port = stack.port("pg-recreate", 5432)
    wait_for("postgres", lambda: pg_query(port, "postgres", "first-password", "postgres", "SELECT 1"),
             60, stack.name("pg-recreate"))
    pg_query(port, "postgres", "first-password", "postgres", "CREATE TABLE kept AS SELECT 42 AS answer")
    stack.remove("pg-recreate")
    # A new container on the same volume: initialisation is skipped, the new password is ignored.
    stack.run("pg-recreate", "postgres", ports=(5432,), env={"POSTGRES_PASSWORD": "second-password"},
              volumes=(f"{volume}:/var/lib/postgresql/data",))
    port = stack.port("pg-recreate", 5432)
    rows = wait_for("postgres after re-creation",
                    lambda: pg_query(port, "postgres", "first-password", "postgres", "SELECT answer FROM kept"),
                    60, stack.name("pg-recreate"))
    assert rows == [["42"]]
    assert "Skipping initialization" in logs(stack.name("pg-recreate"))


def test_postgres_refuses_to_initialise_without_password(stack):
    proc = stack.run("pg-nopass", "postgres", detach=False, timeout=60)
    assert proc.returncode != 0
    assert "POSTGRES_PASSWORD" in proc.stderr


# -- tests: Redis ------------------------------------------------------------------------------
def test_redis_requires_the_password(stack, redis):
    assert redis_command(redis, "PING")[0].startswith("-NOAUTH")
    assert redis_command(redis, "AUTH wrong-password", "PING")[0].startswith("-WRONGPASS")
    assert redis_command(redis, f"AUTH {REDIS_PASSWORD}", "PING") == ["+OK", "+PONG"]
    name = stack.name("redis")
    out = docker("exec", name, "redis-cli", "-a", REDIS_PASSWORD, "--no-auth-warning", "ping").stdout
    assert out.strip() == "PONG"
    appendonly = docker("exec", name, "redis-cli", "-a", REDIS_PASSWORD, "--no-auth-warning",
                        "config", "get", "appendonly").stdout.split()
    assert appendonly == ["appendonly", "yes"]
    assert docker("exec", name, "ls", "/data/appendonlydir").returncode == 0
    # The health check of catalog/services/langfuse.yml, as Compose runs it.
    check = 'redis-cli -a "$REDISCLI_AUTH" --no-auth-warning ping | grep -q PONG'
    assert docker("exec", "-e", f"REDISCLI_AUTH={REDIS_PASSWORD}", name, "sh", "-c", check,
                  check=False).returncode == 0
    assert docker("exec", "-e", "REDISCLI_AUTH=wrong", name, "sh", "-c", check,
                  check=False).returncode != 0
    status = docker("exec", name, "cat", "/proc/1/status").stdout
    assert next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:")) == "999"


# -- tests: ClickHouse and MinIO doubles -------------------------------------------------------
def test_clickhouse_double_ping_and_auth(stack, clickhouse):
    assert http("GET", f"http://{PUBLISHED_HOST}:{clickhouse}/ping") == (200, "Ok.\n")
    query = f"http://{PUBLISHED_HOST}:{clickhouse}/?query=SELECT%201"
    assert http("GET", query, basic(CH_USER, CH_PASSWORD)) == (200, "1\n")
    status, body = http("GET", query, basic(CH_USER, "wrong"))
    assert status == 516 and "AUTHENTICATION_FAILED" in body
    out = docker("exec", stack.name("clickhouse"), "wget", "-qO-", "http://localhost:8123/ping").stdout
    assert out == "Ok.\n"
    spider = ("wget", "--no-verbose", "--tries=1", "--spider", "http://127.0.0.1:8123/ping")
    assert docker("exec", stack.name("clickhouse"), *spider).returncode == 0
    assert docker("exec", stack.name("clickhouse"), "id", "-un").stdout.strip() == "clickhouse"
    with socket.create_connection((PUBLISHED_HOST, stack.port("clickhouse", 9000)), timeout=5) as sock:
        sock.sendall(b"\x00")
        assert sock.recv(1) == b"\x02"  # a native-protocol Exception packet


def test_minio_double_health_and_mc_ready(stack, minio):
    for path in ("/minio/health/live", "/minio/health/ready", "/minio/health/cluster"):
        assert http("GET", f"http://{PUBLISHED_HOST}:{minio}{path}")[0] == 200, path
    assert http("GET", f"http://{PUBLISHED_HOST}:{minio}/langfuse/some-object")[0] == 501
    assert http("GET", f"http://{PUBLISHED_HOST}:{stack.port('minio', 9001)}/")[0] == 200
    proc = docker("exec", stack.name("minio"), "timeout", "20", "mc", "ready", "local", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "is ready" in proc.stdout


def test_minio_double_with_shell_entrypoint(stack):
    """The form of catalog/services/langfuse.yml: entrypoint sh, bucket directory made first."""
    stack.run("minio-sh", "minio", ports=(9000,), extra=("--entrypoint", "sh"),
              env={"MINIO_ROOT_USER": MINIO_USER, "MINIO_ROOT_PASSWORD": MINIO_PASSWORD},
              args=("-c", 'mkdir -p /data/langfuse && minio server --address ":9000" --console-address ":9001" /data'))
    port = stack.port("minio-sh", 9000)
    wait_for("minio (sh -c) ready", lambda: http("GET", f"http://{PUBLISHED_HOST}:{port}/minio/health/ready")[0] == 200,
             30, stack.name("minio-sh"))
    assert docker("exec", stack.name("minio-sh"), "mc", "ready", "local").returncode == 0
    assert docker("exec", stack.name("minio-sh"), "test", "-d", "/data/langfuse").returncode == 0


def test_minio_double_refuses_short_password(stack):
    proc = stack.run("minio-short", "minio", detach=False, env={"MINIO_ROOT_PASSWORD": "short"},
                     args=("server", "/data"), timeout=60)
    assert proc.returncode != 0 and "MINIO_ROOT_PASSWORD" in proc.stderr


# -- tests: Langfuse doubles -------------------------------------------------------------------
def test_langfuse_web_healthy_with_all_dependencies(langfuse):
    web, worker = langfuse
    for path in ("/api/public/health", "/api/public/ready"):
        status, body = http("GET", f"http://{PUBLISHED_HOST}:{web}{path}")
        assert status == 200, body
        assert json.loads(body) == {"status": "OK", "version": "3.112.0"}
    status, body = http("GET", f"http://{PUBLISHED_HOST}:{worker}/api/health")
    assert status == 200 and json.loads(body)["status"] == "ok", body


def test_langfuse_projects_with_init_keys(langfuse):
    web, _worker = langfuse
    url = f"http://{PUBLISHED_HOST}:{web}/api/public/projects"
    status, body = http("GET", url, basic(LF_PUBLIC, LF_SECRET))
    assert status == 200, body
    data = json.loads(body)["data"]
    assert [(p["id"], p["name"]) for p in data] == [(LF_PROJECT, "Platform traces")]
    assert http("GET", url, basic(LF_PUBLIC, "sk-lf-wrong"))[0] == 401
    assert http("GET", url, basic("pk-lf-unknown", LF_SECRET))[0] == 401
    assert http("GET", url)[0] == 401


@pytest.mark.parametrize("override, message", [
    ({"ENCRYPTION_KEY": "not-hex"}, "ENCRYPTION_KEY"),
    ({"SALT": ""}, "SALT"),
    ({"NEXTAUTH_SECRET": ""}, "NEXTAUTH_SECRET"),
])
def test_langfuse_web_refuses_bad_configuration(stack, override, message):
    env = {**langfuse_env(init=False), **override}
    name = "lf-bad-" + message.lower().replace("_", "-")
    proc = stack.run(name, "langfuse_web", env=env, detach=False, timeout=60)
    assert proc.returncode != 0
    assert message in proc.stderr


def test_langfuse_state_survives_and_health_names_redis_when_down(stack, langfuse):
    """A second web/worker pair on its own Redis, without LANGFUSE_INIT_*: the project and keys
    come from PostgreSQL; after stopping that Redis both report it as down."""
    stack.run("redis-b", "redis", args=("redis-server", "--requirepass", REDIS_PASSWORD))
    stack.run("langfuse-web-b", "langfuse_web", ports=(3000,), env=langfuse_env("redis-b", init=False))
    stack.run("langfuse-worker-b", "langfuse_worker", ports=(3030,), env=langfuse_env("redis-b", init=False))
    web, worker = stack.port("langfuse-web-b", 3000), stack.port("langfuse-worker-b", 3030)
    health = f"http://{PUBLISHED_HOST}:{web}/api/public/health"
    wait_for("second langfuse web", lambda: http("GET", health)[0] == 200, 60, stack.name("langfuse-web-b"))
    wait_for("second langfuse worker", lambda: http("GET", f"http://{PUBLISHED_HOST}:{worker}/api/health")[0] == 200,
             60, stack.name("langfuse-worker-b"))
    status, body = http("GET", f"http://{PUBLISHED_HOST}:{web}/api/public/projects", basic(LF_PUBLIC, LF_SECRET))
    assert status == 200 and json.loads(body)["data"][0]["id"] == LF_PROJECT, body

    docker("stop", stack.name("redis-b"))
    status, body = http("GET", health)
    assert status == 503, body
    payload = json.loads(body)
    assert "Redis" in payload["status"] and set(payload["errors"]) == {"redis"}, payload
    status, body = http("GET", f"http://{PUBLISHED_HOST}:{worker}/api/health")
    assert status == 503 and "redis" in json.loads(body)["errors"], body
    # The first pair, on the module's Redis, is not affected.
    assert http("GET", f"http://{PUBLISHED_HOST}:{langfuse[0]}/api/public/health")[0] == 200


# -- tests: n8n --------------------------------------------------------------------------------
def test_n8n_starts_on_postgresql(stack, postgres):
    stack.run("n8n", "n8n", ports=(5678,), extra=("--dns", "127.0.0.1"), env={
        "DB_TYPE": "postgresdb",
        "DB_POSTGRESDB_HOST": "postgres",
        "DB_POSTGRESDB_PORT": "5432",
        "DB_POSTGRESDB_DATABASE": "n8n",
        "DB_POSTGRESDB_USER": PG_USER,
        "DB_POSTGRESDB_PASSWORD": PG_PASSWORD,
        "N8N_ENCRYPTION_KEY": secrets.token_hex(16),
        "N8N_DIAGNOSTICS_ENABLED": "false",
        "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
        "N8N_TEMPLATES_ENABLED": "false",
        "N8N_PERSONALIZATION_ENABLED": "false",
    })
    port = stack.port("n8n", 5678)
    status = wait_for("n8n /healthz", lambda: http("GET", f"http://{PUBLISHED_HOST}:{port}/healthz")[0] == 200,
                      300, stack.name("n8n"), interval=3)
    assert status
    status, body = http("GET", f"http://{PUBLISHED_HOST}:{port}/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    # /healthz answers as soon as the server listens; readiness waits for the database migrations.
    wait_for("n8n /healthz/readiness",
             lambda: http("GET", f"http://{PUBLISHED_HOST}:{port}/healthz/readiness")[0] == 200,
             300, stack.name("n8n"), interval=3)
    tables = {r[0] for r in pg_query(postgres, PG_USER, PG_PASSWORD, "n8n",
                                     "SELECT table_name FROM information_schema.tables "
                                     "WHERE table_schema = 'public'")}
    assert {"workflow_entity", "credentials_entity", "migrations"} <= tables
    name = stack.name("n8n")
    assert docker("exec", name, "id", "-u").stdout.strip() == "1000"
    assert docker("exec", name, "sh", "-c", "echo $HOME").stdout.strip() == "/home/node"
    assert docker("exec", name, "stat", "-c", "%U", "/home/node/.n8n").stdout.strip() == "node"
    out = docker("exec", name, "wget", "-qO-", "http://localhost:5678/healthz").stdout
    assert json.loads(out) == {"status": "ok"}
    version = docker("exec", name, "n8n", "--version").stdout.strip()
    assert image("n8n").endswith(":" + version)
