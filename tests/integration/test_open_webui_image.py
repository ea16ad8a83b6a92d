# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Open WebUI stand-in image (tests/images/open_webui, the real Open WebUI from PyPI) run as
catalog/services/open-webui.yml says, checked from outside.

The container is started from the Compose project that service_catalog.compose_project() renders
for the entry (registry mirror.foundrycloud.test, as the tests use) and the .env lines of
env_file_lines(), with `docker run` (the build hosts have Debian 12's engine without the Compose
v2 plugin): the service's environment interpolated here as Compose would (${X}, ${X:-d},
${X:+r}, $$), its health check, memory limit, restart policy, labels and named volume; the port
is published on 127.0.0.1 with a port Docker picks instead of the catalog's 8081. Around it, on a private network of this module:
two Ollama doubles (tests/doubles/ollama_server.py) as the local and the central Ollama, each with
one model on disk, the Qdrant double with an API key, and a small OTLP sink standing in for
Langfuse's /api/public/otel. Only 127.0.0.1 (ports Docker picks) and this module's containers are
contacted; Open WebUI gets a DNS server that does not exist, so it cannot resolve outside names.
Every container, volume and the network carry org.foundrycloud.test=open-webui and are removed
at the end. Timings and sizes are printed (pytest -s) for the record.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from docker_endpoint import PUBLISH_ADDRESS, PUBLISHED_HOST, run_with_files

ROOT = Path(__file__).resolve().parents[2]
# collections/ansible_collections/foundrycloud/platform is a symlink to the checkout.
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import (  # noqa: E402
    compose_project,
    env_file_lines,
    resolve,
    wired_secrets as wired_secret_names,
)
# The docker and wait helpers of the other image tests (tests/integration is on sys.path).
from test_images import docker, wait_for  # noqa: E402

BUILD = ROOT / "tests" / "images" / "build"
DOUBLES = ROOT / "tests" / "doubles"
REGISTRY = os.environ.get("TEST_REGISTRY", "mirror.foundrycloud.test")
BASE_IMAGE = "foundrycloud/debian-systemd:bookworm"
LABEL = "org.foundrycloud.test=open-webui"
RUN_ID = uuid.uuid4().hex[:8]
PREFIX = f"fc-owui-{RUN_ID}"
QDRANT_KEY = "qk-" + secrets.token_hex(12)
LF_PUBLIC, LF_SECRET = "pk-lf-platform", secrets.token_hex(16)
ADMIN = {"name": "Workspace Owner", "email": "owner@example.test", "password": "pw-" + secrets.token_hex(8)}

pytestmark = pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0,
    reason="no Docker engine (run scripts/prepare)",
)


def http(method: str, url: str, body: dict | None = None, token: str | None = None, timeout: float = 30):
    """(status, parsed JSON or text); HTTP errors are returned, not raised."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read().decode(errors="replace")
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


# -- Compose interpolation, for the docker run path --------------------------------------------
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(text: str, env: dict) -> str:
    """Compose's interpolation of one string: $$, $X, ${X}, ${X:-d}, ${X-d}, ${X:+r}, ${X+r}."""
    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3) or ""
        value = env.get(name)
        if op in (":-", "-"):
            return value if (value if op == ":-" else value is not None) else word
        if op in (":+", "+"):
            return word if (value if op == ":+" else value is not None) else ""
        assert op is None, f"unsupported interpolation {match.group(0)}"
        assert value is not None, f"${{{name}}} is not in the .env file"
        return value
    return _VARIABLE.sub(replace, text)


def parse_env_lines(lines: list[str]) -> dict:
    return dict((key, value[1:-1]) for key, value in (line.split("=", 1) for line in lines))


# -- the rendered service ----------------------------------------------------------------------
class OpenWebUI:
    """One Open WebUI container as the catalog renders it; published on 127.0.0.1 (port chosen
    by Docker), its data in a named volume of this module."""

    def __init__(self, settings: dict, network: str, suffix: str = "", wired_secrets: dict | None = None):
        self.entry = resolve(["open-webui"], registry=REGISTRY)[0]
        self.settings = dict(self.entry["settings"], **settings)
        # Wired secrets (a used service's kept secret) come as SECRET_<NAME>; '' when not used.
        self.secrets = {"webui_secret_key": secrets.token_urlsafe(36), "admin_password": secrets.token_urlsafe(18)}
        self.secrets.update((name, "") for name in wired_secret_names(self.entry))
        self.secrets.update(wired_secrets or {})
        platform = {"bind_address": "127.0.0.1", "fqdn": "chat.alice.ws.localai.internal",
                    "url": "http://chat.alice.ws.localai.internal:8081/", "tls": False}
        self.env_lines = env_file_lines(platform, self.settings, self.secrets)
        self.project = compose_project(self.entry, self.settings, project=PREFIX)
        self.service = self.project["services"]["open-webui"]
        self.network = network
        self.volume = f"{PREFIX}-data{suffix}"
        self.name = f"{PREFIX}-open-webui{suffix}"
        self.environment = dict((key, interpolate(str(value), parse_env_lines(self.env_lines)))
                                for key, value in self.service["environment"].items())

    def run(self) -> None:
        service = self.service
        health = service["healthcheck"]
        assert health["test"][0] == "CMD-SHELL"
        cmd = ["run", "-d", "--name", self.name, "--network", self.network, "--network-alias", "open-webui",
               "--label", LABEL, "--dns", "127.0.0.1", "-p", f"{PUBLISH_ADDRESS}::8080",
               "-v", f"{self.volume}:/app/backend/data",
               "--memory", service["deploy"]["resources"]["limits"]["memory"],
               "--health-cmd", health["test"][1], "--health-interval", health["interval"],
               "--health-timeout", health["timeout"], "--health-retries", str(health["retries"]),
               "--health-start-period", health["start_period"],
               "--restart", service["restart"]]
        for key, value in self.environment.items():
            cmd += ["-e", f"{key}={value}"]
        for key, value in service["labels"].items():
            cmd += ["--label", f"{key}={value}"]
        docker(*cmd, service["image"])

    @property
    def url(self) -> str:
        out = docker("port", self.name, "8080/tcp").stdout.splitlines()[0].strip()
        host, _sep, port = out.rpartition(":")
        assert host == PUBLISH_ADDRESS, out
        return f"http://{PUBLISHED_HOST}:{port}"

    def wait_healthy(self, timeout: float = 300) -> float:
        started = time.monotonic()
        wait_for("open-webui /health", lambda: http("GET", self.url + "/health", timeout=5)[0] == 200,
                 timeout, self.name, interval=0.5)
        return time.monotonic() - started


# -- doubles -----------------------------------------------------------------------------------
def ollama_models_dir(root: Path, model: str) -> Path:
    """An OLLAMA_MODELS directory with one model (manifest and config blob), as `ollama pull` leaves it."""
    config = json.dumps({"model_format": "gguf", "model_family": "llama", "model_families": ["llama"],
                         "model_type": "1B", "file_type": "Q4_K_M"}).encode()
    digest = "sha256:" + hashlib.sha256(config).hexdigest()
    (root / "blobs").mkdir(parents=True)
    (root / "blobs" / digest.replace(":", "-")).write_bytes(config)
    name, tag = model.split(":")
    manifest_dir = root / "manifests" / "registry.ollama.ai" / "library" / name
    manifest_dir.mkdir(parents=True)
    (manifest_dir / tag).write_text(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": digest, "size": len(config)},
        "layers": []}))
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    root.chmod(0o755)
    return root


OTLP_SINK = r"""
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        print(json.dumps({'path': self.path, 'auth': self.headers.get('Authorization', ''),
                          'type': self.headers.get('Content-Type', ''), 'bytes': len(body),
                          'service': b'open-webui' in body}), flush=True)
        self.send_response(200); self.send_header('Content-Type', 'application/json'); self.end_headers()
        self.wfile.write(b'{}')
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(('0.0.0.0', 3000), H).serve_forever()
"""


@pytest.fixture(scope="module")
def built():
    started = time.monotonic()
    # Open WebUI and the images the tests run beside it (a fresh engine has none of them).
    proc = subprocess.run([str(BUILD), "open_webui", "qdrant"], capture_output=True, text=True, timeout=3600, check=False)
    if proc.returncode != 0:
        pytest.fail(f"tests/images/build failed:\n{proc.stdout}\n{proc.stderr}")
    print(f"\n[open-webui] tests/images/build: {proc.stdout.strip()} ({time.monotonic() - started:.0f}s)")
    return proc.stdout


@pytest.fixture(scope="module")
def network(built, tmp_path_factory):
    name = f"{PREFIX}-net"
    docker("network", "create", "--label", LABEL, name)
    models = tmp_path_factory.mktemp("ollama")
    doubles = [
        ("ollama-local", ollama_models_dir(models / "local", "llama3.2:1b")),
        ("ollama-central", ollama_models_dir(models / "central", "qwen2.5:7b")),
    ]
    try:
        for alias, directory in doubles:
            run_with_files(docker, ["--name", f"{PREFIX}-{alias}", "--network", name, "--network-alias", alias,
                                    "--label", LABEL, "-e", "OLLAMA_HOST=0.0.0.0:11434", "-e", "OLLAMA_MODELS=/models",
                                    BASE_IMAGE, "python3", "/doubles/ollama_server.py", "serve"],
                           ((directory, "/models"), (DOUBLES, "/doubles")))
        docker("run", "-d", "--name", f"{PREFIX}-qdrant", "--network", name, "--network-alias", "qdrant",
               "--label", LABEL, "-e", f"QDRANT__SERVICE__API_KEY={QDRANT_KEY}",
               f"{REGISTRY}/qdrant/qdrant:{yaml.safe_load((ROOT / 'catalog' / 'images.yml').read_text())['qdrant']['tag']}")
        docker("run", "-d", "--name", f"{PREFIX}-langfuse", "--network", name, "--network-alias", "langfuse",
               "--label", LABEL, BASE_IMAGE, "python3", "-c", OTLP_SINK)
        yield name
    finally:
        ids = docker("ps", "-aq", "--filter", f"label={LABEL}", check=False).stdout.split()
        ids = [i for i in ids if f"{PREFIX}-" in docker("inspect", "-f", "{{.Name}}", i, check=False).stdout]
        if ids:
            docker("rm", "-f", "-v", *ids, check=False)
        docker("volume", "rm", "-f", f"{PREFIX}-data", f"{PREFIX}-data-defaults", check=False)
        docker("network", "rm", name, check=False)


# The user's gateway key (wired from gateway-key/<user>); the OpenAI endpoint here is an Ollama
# double's /v1, which takes any key.
WIRED_SECRETS = {"qdrant_api_key": QDRANT_KEY, "langfuse_secret_key": LF_SECRET, "gateway_api_key": "platform-inference"}
SETTINGS = {
    # The image's own settings as the Compose project hands them over: two Ollama servers, an
    # OpenAI-compatible endpoint with a key, a central Qdrant and Langfuse.
    "ollama_base_urls": "http://ollama-local:11434;http://ollama-central:11434",
    "rag_ollama_base_url": "http://ollama-local:11434",
    "openai_api_base_urls": "http://ollama-central:11434/v1",
    "vector_db": "qdrant",
    "qdrant_uri": "http://qdrant:6333",
    "qdrant_collection_prefix": "ws-alice",
    "langfuse_url": "http://langfuse:3000",
    "langfuse_public_key": LF_PUBLIC,
    "rag_embedding_model": "nomic-embed-text",
}


@pytest.fixture(scope="module")
def webui(network):
    service = OpenWebUI(SETTINGS, network, wired_secrets=WIRED_SECRETS)
    service.run()
    seconds = service.wait_healthy()
    print(f"[open-webui] start-up to /health 200: {seconds:.1f}s")
    return service


@pytest.fixture(scope="module")
def admin(webui):
    status, body = http("POST", webui.url + "/api/v1/auths/signup", ADMIN)
    assert status == 200, body
    assert body["role"] == "admin" and body["email"] == ADMIN["email"], body
    return body["token"]


def exec_python(container: str, code: str, timeout: float = 120) -> str:
    proc = docker("exec", container, "python3", "-c", code, timeout=timeout)
    return proc.stdout.strip().splitlines()[-1]


# -- tests -------------------------------------------------------------------------------------
def test_image_is_the_pypi_release_of_the_catalog_tag(built):
    image = resolve(["open-webui"], registry=REGISTRY)[0]["containers"]["open-webui"]["image"]
    assert image.startswith(f"{REGISTRY}/open-webui/open-webui:v"), image
    version = image.rsplit(":v", 1)[1]
    out = docker("run", "--rm", "--entrypoint", "python3", image, "-c",
                 "import importlib.metadata as m, torch; print(m.version('open-webui'), torch.__version__)").stdout.split()
    assert out[0] == version
    assert out[1].endswith("+cpu"), f"torch is not the CPU build: {out[1]}"
    inspect = json.loads(docker("image", "inspect", image).stdout)[0]
    config = inspect["Config"]
    assert config["Cmd"] == ["bash", "start.sh"] and config["WorkingDir"] == "/app/backend"
    assert "8080/tcp" in config["ExposedPorts"] and config["User"] in ("", "0", "0:0", "root")
    assert "/health" in " ".join(config["Healthcheck"]["Test"])
    layers = len(inspect["RootFS"]["Layers"])
    print(f"[open-webui] image {image}: {inspect['Size'] / 1e9:.2f} GB, {layers} layers")
    assert layers <= 5, "the image should stay at base + apt + venv + start script"


def test_health_and_configuration_reach_open_webui(webui):
    status, body = http("GET", webui.url + "/health")
    assert status == 200 and body == {"status": True}
    # The image's own health check, as Compose/Docker runs it.
    wait_for("docker health status healthy",
             lambda: docker("inspect", "-f", "{{.State.Health.Status}}", webui.name).stdout.strip() == "healthy",
             120, webui.name, interval=2)
    status, config = http("GET", webui.url + "/api/config")
    assert status == 200, config
    assert config["features"]["auth"] is True
    assert config["features"]["enable_signup"] is False
    # Without a login the APIs refuse.
    assert http("GET", webui.url + "/ollama/config")[0] in (401, 403)


def test_starts_with_the_catalog_defaults_and_every_endpoint_empty(network):
    """No Ollama, OpenAI endpoint, Qdrant or Langfuse: the parts are off and the service is healthy."""
    bare = OpenWebUI({}, network, suffix="-defaults")
    assert bare.environment["ENABLE_OLLAMA_API"] == "" and bare.environment["ENABLE_OTEL"] == ""
    bare.run()
    try:
        print(f"[open-webui] start-up with defaults to /health 200: {bare.wait_healthy():.1f}s")
        status, body = http("POST", bare.url + "/api/v1/auths/signup", ADMIN)
        assert status == 200 and body["role"] == "admin", body
        status, config = http("GET", bare.url + "/ollama/config", token=body["token"])
        assert status == 200 and config["ENABLE_OLLAMA_API"] is False, config
        status, config = http("GET", bare.url + "/openai/config", token=body["token"])
        assert status == 200 and config["ENABLE_OPENAI_API"] is False, config
    finally:
        docker("rm", "-f", "-v", bare.name, check=False)


def test_first_signup_is_admin_and_nobody_else_can_sign_up(webui, admin):
    status, body = http("POST", webui.url + "/api/v1/auths/signup",
                        {"name": "Intruder", "email": "intruder@example.test", "password": "x" * 12})
    assert status == 403, body
    status, body = http("GET", webui.url + "/api/v1/auths/", token=admin)
    assert status == 200 and body["role"] == "admin", body


def test_ollama_and_openai_endpoints_are_the_configured_ones(webui, admin):
    status, body = http("GET", webui.url + "/ollama/config", token=admin)
    assert status == 200, body
    assert body["ENABLE_OLLAMA_API"] is True
    assert body["OLLAMA_BASE_URLS"] == ["http://ollama-local:11434", "http://ollama-central:11434"]
    status, body = http("GET", webui.url + "/openai/config", token=admin)
    assert status == 200, body
    assert body["ENABLE_OPENAI_API"] is True
    assert body["OPENAI_API_BASE_URLS"] == ["http://ollama-central:11434/v1"]
    assert body["OPENAI_API_KEYS"] == ["platform-inference"]


def test_models_of_both_ollama_servers_are_listed(webui, admin):
    def names():
        status, body = http("GET", webui.url + "/ollama/api/tags", token=admin)
        return status == 200 and sorted(m["name"] for m in body["models"])
    assert wait_for("models from both Ollama doubles", names, 60) == ["llama3.2:1b", "qwen2.5:7b"]
    for alias in ("ollama-local", "ollama-central"):
        out = docker("exec", f"{PREFIX}-{alias}", "python3", "-c",
                     "import json, urllib.request; print(urllib.request.urlopen('http://127.0.0.1:11434/_double/stats').read().decode())").stdout
        paths = {r["path"] for r in json.loads(out)["requests"]}
        assert "/api/tags" in paths, (alias, paths)


def test_rag_uses_ollama_embeddings_and_qdrant(webui, admin):
    status, body = http("GET", webui.url + "/api/v1/retrieval/embedding", token=admin)
    assert status == 200, body
    assert body["RAG_EMBEDDING_ENGINE"] == "ollama"
    assert body["RAG_EMBEDDING_MODEL"] == "nomic-embed-text"
    assert body["ollama_config"]["url"] == "http://ollama-local:11434"
    # The vector client Open WebUI builds from its environment talks to the Qdrant double,
    # with the API key (the double refuses requests without it).
    out = exec_python(webui.name, (
        "from open_webui.retrieval.vector.factory import VECTOR_DB_CLIENT as c; "
        "print(type(c).__name__, c.has_collection('knowledge-test'))"))
    assert out == "QdrantClient False", out


def test_traces_go_to_langfuse_otlp_http_with_basic_auth(webui, admin):
    http("GET", webui.url + "/api/v1/auths/", token=admin)

    def exports():
        lines = docker("logs", f"{PREFIX}-langfuse", check=False).stdout.splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]
    found = wait_for("an OTLP export at the Langfuse stand-in", exports, 60, webui.name, interval=2)
    expected = "Basic " + base64.b64encode(f"{LF_PUBLIC}:sk-lf-{LF_SECRET}".encode()).decode()
    first = found[0]
    assert first["path"] == "/api/public/otel/v1/traces", first
    assert first["type"] == "application/x-protobuf" and first["auth"] == expected and first["service"], first


def test_idle_memory_is_within_the_limit(webui):
    time.sleep(5)
    """Resident memory (cgroup rss/anon; `docker stats` shows 0 on these hosts) well under 2g."""
    cid = docker("inspect", "-f", "{{.Id}}", webui.name).stdout.strip()
    for path, key in ((f"/sys/fs/cgroup/memory/docker/{cid}/memory.stat", "total_rss"),
                      (f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/memory.stat", "anon")):
        if os.path.exists(path):
            stat = dict(line.split() for line in Path(path).read_text().splitlines())
            used = int(stat[key])
            break
    else:
        pytest.skip("no cgroup memory.stat found for the container")
    print(f"[open-webui] memory at idle ({key}): {used / 2**20:.0f} MiB")
    assert used < 1.5 * 2**30


def test_backup_hook_gives_a_sqlite_database(webui, admin, tmp_path):
    hook = next(h for h in webui.entry["backup"] if h["name"] == "database")
    proc = subprocess.run(["docker", "exec", webui.name, *hook["command"]], capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    dump = tmp_path / hook["output"]
    dump.write_bytes(proc.stdout)
    with sqlite3.connect(dump) as db:
        emails = [row[0] for row in db.execute("SELECT email FROM user")]
    assert emails == [ADMIN["email"]]


def test_data_survives_a_restart_and_the_environment_wins(webui, admin):
    name = webui.name
    docker("restart", name)
    seconds = webui.wait_healthy()
    print(f"[open-webui] restart to /health 200: {seconds:.1f}s")
    status, body = http("POST", webui.url + "/api/v1/auths/signin",
                        {"email": ADMIN["email"], "password": ADMIN["password"]})
    assert status == 200 and body["role"] == "admin", body
    # The session token from before the restart is still valid (same WEBUI_SECRET_KEY).
    assert http("GET", webui.url + "/api/v1/auths/", token=admin)[0] == 200
    # A re-created container with other endpoints applies them: persistent_config is false.
    docker("rm", "-f", name)
    moved = OpenWebUI(dict(SETTINGS, ollama_base_urls="http://ollama-central:11434"), webui.network,
                      wired_secrets=WIRED_SECRETS)
    moved.environment["WEBUI_SECRET_KEY"] = webui.environment["WEBUI_SECRET_KEY"]
    moved.run()
    moved.wait_healthy()
    status, body = http("POST", moved.url + "/api/v1/auths/signin",
                        {"email": ADMIN["email"], "password": ADMIN["password"]})
    assert status == 200, body
    status, config = http("GET", moved.url + "/ollama/config", token=body["token"])
    assert config["OLLAMA_BASE_URLS"] == ["http://ollama-central:11434"], config
