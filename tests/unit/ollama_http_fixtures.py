# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helpers for the Ollama plugins: small HTTP doubles on 127.0.0.1 and a module runner.

FakeOllama is a scriptable stand-in for the Ollama API (tags, ps, show, version, pull, delete);
FakeRegistry serves manifests and blobs with Range support. Both record every request, so tests
can assert what was (not) sent. run_module runs a module's main() in-process and returns its
JSON result.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

from ansible.module_utils import _internal as ansible_internal
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName, OllamaClient, RegistryClient

MIB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: Any  # parsed JSON when the body was JSON, else bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        request = Recorded(self.command, self.path, dict(self.headers.items()), body)
        self.server.app.requests.append(request)
        self.close_connection = True
        try:
            self.server.app.handle(self, request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, partial read): that is what some tests want

    do_GET = do_POST = do_DELETE = do_HEAD = _dispatch

    # Response helpers used by the apps --------------------------------------------------

    def send_bytes(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send_bytes(status, json.dumps(obj).encode(), headers=headers)

    def start_chunked(self, status=200, content_type="application/x-ndjson"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def send_chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def end_chunked(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop(self):
        """Cut the connection without finishing the response."""
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)


class _Server:
    """Base for the doubles: a threading HTTP server on 127.0.0.1, port chosen by the OS."""

    def __init__(self):
        self.requests = []
        self._httpd = None
        self._thread = None

    def start(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return "http://%s:%d" % (host, port)

    def requests_to(self, method=None, path=None):
        return [r for r in self.requests if (method is None or r.method == method) and (path is None or r.path == path)]

    def handle(self, handler, request):  # pragma: no cover - overridden
        raise NotImplementedError


def closed_port_url():
    """A URL on which nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d" % port


# --------------------------------------------------------------------------------------------
# Ollama double
# --------------------------------------------------------------------------------------------


def digest_of(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def tag_entry(name, digest=None, size=4683087332, family="qwen2", parameter_size="7.6B", quantization="Q4_K_M"):
    """A /api/tags entry as Ollama writes it."""
    return {
        "name": name,
        "model": name,
        "modified_at": "2026-01-10T09:00:00.000000000Z",
        "size": size,
        "digest": (digest or digest_of(name))[len("sha256:"):],
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": family,
            "families": [family],
            "parameter_size": parameter_size,
            "quantization_level": quantization,
        },
    }


@dataclass
class PullReply:
    """How the double answers one POST /api/pull.

    ``lines`` None means: the normal progress lines for the model (success if it is available,
    else Ollama's "file does not exist" error line). ``drop_after``/``stall_after`` count lines.
    """

    status: int = 200
    lines: list | None = None
    raw: bytes | None = None
    chunk_size: int | None = None
    drop_after: int | None = None
    stall_after: int | None = None
    stall_seconds: float = 0.0
    body: dict | None = None


class FakeOllama(_Server):
    def __init__(self, version="0.13.1"):
        super().__init__()
        self.version = version
        self.models = []  # /api/tags entries
        self.loaded = []  # /api/ps entries
        self.shows = {}  # ModelName.key -> /api/show body
        self.available = {}  # ModelName.key -> tags entry installed by a successful pull
        self.pull_replies = []  # consumed first; then the default behaviour
        self.overrides = {}  # (method, path) -> (status, raw body)

    # Test set-up helpers ----------------------------------------------------------------

    def add_model(self, name, **kwargs):
        entry = tag_entry(name, **kwargs)
        self._install(entry)
        return entry

    def make_available(self, name, **kwargs):
        entry = tag_entry(name, **kwargs)
        self.available[ModelName.parse(name).key] = entry
        return entry

    def _install(self, entry):
        key = ModelName.parse(entry["name"]).key
        self.models = [m for m in self.models if ModelName.parse(m["name"]).key != key] + [entry]

    def _find(self, name):
        try:
            key = ModelName.parse(name).key
        except Exception:
            return None
        return next((m for m in self.models if ModelName.parse(m["name"]).key == key), None)

    # Request handling -------------------------------------------------------------------

    def handle(self, handler, request):
        override = self.overrides.get((request.method, request.path))
        if override is not None:
            status, raw = override
            handler.send_bytes(status, raw)
            return
        route = {
            ("GET", "/api/version"): lambda: handler.send_json(200, {"version": self.version}),
            ("GET", "/api/tags"): lambda: handler.send_json(200, {"models": self.models}),
            ("GET", "/api/ps"): lambda: handler.send_json(200, {"models": self.loaded}),
            ("POST", "/api/show"): lambda: self._show(handler, request),
            ("DELETE", "/api/delete"): lambda: self._delete(handler, request),
            ("POST", "/api/pull"): lambda: self._pull(handler, request),
        }.get((request.method, request.path))
        if route is None:
            handler.send_bytes(404, b"404 page not found", content_type="text/plain")
            return
        route()

    def _show(self, handler, request):
        name = (request.body or {}).get("model")
        if self._find(name) is None:
            handler.send_json(404, {"error": "model '%s' not found" % name})
            return
        handler.send_json(200, self.shows.get(ModelName.parse(name).key, {"details": {}, "model_info": {}}))

    def _delete(self, handler, request):
        name = (request.body or {}).get("model")
        entry = self._find(name)
        if entry is None:
            handler.send_json(404, {"error": "model '%s' not found" % name})
            return
        self.models.remove(entry)
        handler.send_bytes(200, b"")

    def _pull(self, handler, request):
        reply = self.pull_replies.pop(0) if self.pull_replies else PullReply()
        name = (request.body or {}).get("model")
        if reply.status != 200:
            handler.send_json(reply.status, reply.body or {"error": "server error %d" % reply.status})
            return
        entry = self.available.get(ModelName.parse(name).key) if name else None
        lines = reply.lines if reply.lines is not None else self.progress_lines(entry)
        handler.start_chunked()
        for number, line in enumerate(lines, start=1):
            data = line if isinstance(line, bytes) else (json.dumps(line) + "\n").encode()
            self._send_split(handler, data, reply.chunk_size)
            if reply.drop_after == number:
                handler.drop()
                return
            if reply.stall_after == number:
                time.sleep(reply.stall_seconds)
        if reply.raw:
            handler.send_chunk(reply.raw)
        handler.end_chunked()
        if reply.lines is None and entry is not None:
            self._install(dict(entry))

    @staticmethod
    def _send_split(handler, data, chunk_size):
        step = chunk_size or len(data)
        for start in range(0, len(data), step):
            handler.send_chunk(data[start:start + step])

    @staticmethod
    def progress_lines(entry, layer_size=4683073184):
        if entry is None:
            return [{"status": "pulling manifest"}, {"error": "pull model manifest: file does not exist"}]
        layer = "sha256:" + hashlib.sha256(entry["name"].encode()).hexdigest()
        return [
            {"status": "pulling manifest"},
            {"status": "pulling %s" % layer[7:19], "digest": layer, "total": layer_size},
            {"status": "pulling %s" % layer[7:19], "digest": layer, "total": layer_size, "completed": layer_size // 2},
            {"status": "pulling %s" % layer[7:19], "digest": layer, "total": layer_size, "completed": layer_size},
            {"status": "verifying sha256 digest"},
            {"status": "writing manifest"},
            {"status": "success"},
        ]


# --------------------------------------------------------------------------------------------
# Registry double
# --------------------------------------------------------------------------------------------


class FakeRegistry(_Server):
    def __init__(self):
        super().__init__()
        self.manifests = {}  # "/v2/<ns>/<model>/manifests/<tag>" -> bytes
        self.blobs = {}  # digest -> bytes
        self.ignore_range = False
        self.bytes_sent = 0

    def add_model(self, name, gguf_bytes, projector_bytes=None):
        """Publish a model; returns the manifest digest (what Ollama's /api/tags shows)."""
        model = ModelName.parse(name)
        layers = [self._blob("application/vnd.ollama.image.model", gguf_bytes)]
        if projector_bytes is not None:
            layers.append(self._blob("application/vnd.ollama.image.projector", projector_bytes))
        layers.append(self._blob("application/vnd.ollama.image.template", b"{{ .Prompt }}"))
        config = self._blob("application/vnd.docker.container.image.v1+json", b'{"model_format":"gguf"}')
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": config,
            "layers": layers,
        }
        raw = json.dumps(manifest, separators=(",", ":")).encode()
        self.manifests["/" + model.manifest_path] = raw
        return "sha256:" + hashlib.sha256(raw).hexdigest()

    def _blob(self, media_type, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def range_requests(self):
        return [r.headers.get("Range") for r in self.requests if "/blobs/" in r.path]

    def handle(self, handler, request):
        if request.path in self.manifests:
            handler.send_bytes(200, self.manifests[request.path], content_type="application/vnd.docker.distribution.manifest.v2+json")
            return
        if "/blobs/" in request.path:
            data = self.blobs.get(request.path.rsplit("/", 1)[1])
            if data is not None:
                self._send_blob(handler, request, data)
                return
        handler.send_json(404, {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]})

    def _send_blob(self, handler, request, data):
        wanted = request.headers.get("Range")
        if wanted and not self.ignore_range:
            start, end = wanted.split("=", 1)[1].split("-")
            part = data[int(start):int(end) + 1]
            headers = {"Content-Range": "bytes %s-%d/%d" % (start, int(start) + len(part) - 1, len(data))}
            self.bytes_sent += len(part)
            handler.send_bytes(206, part, content_type="application/octet-stream", headers=headers)
            return
        self.bytes_sent += len(data)
        handler.send_bytes(200, data, content_type="application/octet-stream")


def make_gguf(path, arch="qwen2", block_count=28, head_count=28, head_count_kv=4, embedding_length=3584,
              context_length=32768, vocab=3000, padding=0, tensor_bytes=4 * MIB):
    """Write a real GGUF file with the ``gguf`` package and return its bytes.

    ``padding`` bytes of description sit between general.architecture and the architecture
    keys, which forces a reader to ask for more than its first range.
    """
    import gguf  # test-only dependency
    import numpy

    writer = gguf.GGUFWriter(str(path), arch)
    if padding:
        writer.add_description("x" * padding)
    writer.add_block_count(block_count)
    writer.add_context_length(context_length)
    writer.add_embedding_length(embedding_length)
    writer.add_head_count(head_count)
    writer.add_head_count_kv(head_count_kv)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(["tok%d" % i for i in range(vocab)])
    writer.add_tensor("token_embd.weight", numpy.zeros(tensor_bytes // 4, dtype=numpy.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with open(path, "rb") as handle:
        return handle.read()


# --------------------------------------------------------------------------------------------
# Running modules
# --------------------------------------------------------------------------------------------


@dataclass
class ModuleResult:
    result: dict = field(default_factory=dict)

    @property
    def failed(self):
        return bool(self.result.get("failed"))

    def __getitem__(self, key):
        return self.result[key]

    def get(self, key, default=None):
        return self.result.get(key, default)


def run_module(module, args, check_mode=False, diff=False):
    """Run ``module.main()`` with ``args``; return the JSON it printed (exit_json or fail_json)."""
    payload = dict(args)
    payload["_ansible_check_mode"] = check_mode
    payload["_ansible_diff"] = diff
    encoded = json.dumps({"ANSIBLE_MODULE_ARGS": payload}).encode()
    out = io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(basic, "_ANSIBLE_ARGS", encoded))
        stack.enter_context(mock.patch.object(basic, "_ANSIBLE_PROFILE", "legacy"))
        # Other tests import controller code, which would send module warnings to the display.
        stack.enter_context(mock.patch.object(ansible_internal, "is_controller", False))
        stack.enter_context(mock.patch.dict(ansible_warnings._global_warnings, clear=True))
        stack.enter_context(contextlib.redirect_stdout(out))
        with contextlib.suppress(SystemExit):
            module.main()
    result = json.loads(out.getvalue())
    # Modules serialise warnings as structured events; tests only care about the text.
    result["warnings"] = [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]
    return ModuleResult(result)


@contextlib.contextmanager
def no_backoff():
    """Make client retries immediate; yields the list of delays that would have been slept."""
    delays = []
    with mock.patch.object(OllamaClient, "sleep", staticmethod(delays.append)), \
            mock.patch.object(RegistryClient, "sleep", staticmethod(delays.append)):
        yield delays


# --------------------------------------------------------------------------------------------
# pytest fixtures (import them into a test module to use them)
# --------------------------------------------------------------------------------------------

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


def _serve(monkeypatch, server_class):
    """Run a fake server; proxies from the environment are ignored so 127.0.0.1 is reached directly."""
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server = server_class().start()
    yield server
    server.stop()


@pytest.fixture
def ollama_server(monkeypatch):
    yield from _serve(monkeypatch, FakeOllama)


@pytest.fixture
def registry_server(monkeypatch):
    yield from _serve(monkeypatch, FakeRegistry)


@pytest.fixture(scope="session")
def qwen_gguf(tmp_path_factory):
    """A 4 MiB GGUF whose architecture keys sit in the first kilobytes."""
    return make_gguf(tmp_path_factory.mktemp("gguf") / "qwen.gguf")


@pytest.fixture(scope="session")
def padded_gguf(tmp_path_factory):
    """A GGUF whose architecture keys start after 1.5 MiB of metadata: a 1 MiB read is not enough."""
    return make_gguf(tmp_path_factory.mktemp("gguf") / "padded.gguf", arch="llama", block_count=32, head_count=32,
                     head_count_kv=8, embedding_length=4096, context_length=131072, padding=3 * MIB // 2)
