"""Test double of the Ollama model registry (registry.ollama.ai), for tests only.

Not production code: the collection never imports it. Python 3 standard library only at run
time. It serves the subset of the OCI distribution API that Ollama and the collection's
RegistryClient use, from fixtures written by build_registry_fixtures.py::

    python3 ollama_registry.py --listen 127.0.0.1:5001 --fixtures DIR

Endpoints (GET and HEAD):

* ``/v2/``                                 200 ``{}``
* ``/v2/<namespace>/<model>/manifests/<tag or sha256:digest>``
      Content-Type application/vnd.docker.distribution.manifest.v2+json and a
      Docker-Content-Digest header; unknown: 404
      ``{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}``
* ``/v2/<namespace>/<model>/blobs/sha256:<hex>``
      A "virtual" blob: the stored GGUF header followed by zeros up to the declared size,
      generated on the fly (never held in memory). ``Range: bytes=a-b`` / ``bytes=a-`` /
      ``bytes=-n`` -> 206 with Content-Range; without Range -> 200 with the whole blob;
      unsatisfiable -> 416. Unknown: 404 BLOB_UNKNOWN. Every blob response carries
      ``X-Double-Header-Length`` (not part of the real API): where the real bytes end, so the
      Ollama server double knows how much to fetch.

Digests: small blobs (config, template, params, license) are content-addressed as usual. The
digest of a model or projector blob is an identifier, sha256(header bytes + declared size as
ASCII decimal), NOT the hash of the virtual content.

Introspection and faults (not part of the real API):

* ``POST /_double/bump/<namespace>/<model>/<tag>``: changes that manifest (its config blob
  gets a ``double_revision`` field, so the config digest and the manifest digest change), as
  a new upstream release would; answers ``{"manifest_digest": ..., "config_digest": ...}``.
  Kept in memory: a restart goes back to the fixtures.
* ``GET /_double/stats``: ``{"requests": [{"method", "path", "status", "range",
  "bytes"}...]}``, ``bytes`` being the body bytes sent (to assert that a VRAM check fetched
  only headers). ``DELETE /_double/stats`` clears it.

Logs one line per request to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CHUNK = 1024 * 1024
ZEROS = bytes(CHUNK)

MANIFEST_RE = re.compile(r"^/v2/(?P<name>[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*)/manifests/(?P<ref>[A-Za-z0-9_.:-]+)$")
BLOB_RE = re.compile(r"^/v2/(?P<name>[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)*)/blobs/(?P<digest>sha256:[a-f0-9]{64})$")
BUMP_RE = re.compile(r"^/_double/bump/(?P<name>[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*)/(?P<tag>[A-Za-z0-9_.-]+)$")


def compact_json(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Store:
    """Manifests and blobs of the fixtures, plus in-memory changes (bumps)."""

    def __init__(self, fixtures: Path):
        self.root = fixtures
        self.lock = threading.Lock()
        self.blobs: dict[str, dict] = json.loads((fixtures / "blobs.json").read_text(encoding="utf-8"))
        self.memory_blobs: dict[str, bytes] = {}  # config blobs created by bumps
        self.manifests: dict[tuple[str, str], bytes] = {}
        base = fixtures / "manifests"
        for path in sorted(base.rglob("*")):
            if path.is_file():
                rel = path.relative_to(base).parts
                self.manifests[("/".join(rel[:-1]), rel[-1])] = path.read_bytes()
        self.revisions: dict[tuple[str, str], int] = {}
        self.requests: list[dict] = []

    def manifest(self, name: str, ref: str) -> bytes | None:
        with self.lock:
            if ref.startswith("sha256:"):
                for (repo, _tag), data in self.manifests.items():
                    if repo == name and "sha256:" + hashlib.sha256(data).hexdigest() == ref:
                        return data
                return None
            return self.manifests.get((name, ref))

    def blob(self, digest: str) -> tuple[int, bytes] | None:
        """(declared size, header bytes) or None."""
        with self.lock:
            if digest in self.memory_blobs:
                data = self.memory_blobs[digest]
                return len(data), data
            info = self.blobs.get(digest)
        if info is None:
            return None
        return int(info["size"]), (self.root / info["header"]).read_bytes()

    def bump(self, name: str, tag: str) -> dict | None:
        with self.lock:
            data = self.manifests.get((name, tag))
            if data is None:
                return None
            manifest = json.loads(data)
            old = manifest["config"]["digest"]
            if old in self.memory_blobs:
                config = json.loads(self.memory_blobs[old])
            else:
                config = json.loads((self.root / self.blobs[old]["header"]).read_bytes())
            revision = self.revisions.get((name, tag), 0) + 1
            self.revisions[(name, tag)] = revision
            config["double_revision"] = revision
            config_bytes = compact_json(config)
            config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
            self.memory_blobs[config_digest] = config_bytes
            manifest["config"] = {**manifest["config"], "digest": config_digest, "size": len(config_bytes)}
            new = compact_json(manifest)
            self.manifests[(name, tag)] = new
            return {
                "manifest_digest": "sha256:" + hashlib.sha256(new).hexdigest(),
                "config_digest": config_digest,
                "revision": revision,
            }

    def record(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)

    def stats(self) -> dict:
        with self.lock:
            return {"requests": list(self.requests)}

    def clear_stats(self) -> None:
        with self.lock:
            self.requests.clear()


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """(start, end inclusive), None when absent, "bad" when unsatisfiable."""
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header)
    if not match or (match.group(1) == "" and match.group(2) == ""):
        return "bad"
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            return "bad"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return "bad"
    return start, min(end, size - 1)


class RegistryHandler(BaseHTTPRequestHandler):
    server_version = "OllamaRegistryDouble/1"
    protocol_version = "HTTP/1.1"
    store: Store  # set on the class by make_server

    # -- plumbing ---------------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        sys.stderr.write(
            "%s registry-double %s - %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), self.address_string(), format % args)
        )

    def _record(self, status: int, sent: int, rng: str | None = None) -> None:
        if self.path.startswith("/_double/"):
            return
        self.store.record({"method": self.command, "path": self.path, "status": status, "range": rng, "bytes": sent})

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json", headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        sent = 0
        if self.command != "HEAD" and body:
            self.wfile.write(body)
            sent = len(body)
        self._record(status, sent, self.headers.get("Range"))

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, compact_json({"errors": [{"code": code, "message": message, "detail": None}]}))

    def _drain_body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    # -- routes -----------------------------------------------------------------------------
    def do_HEAD(self):  # noqa: N802 - http.server naming
        self.do_GET()

    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path in ("/v2", "/v2/"):
            return self._send(200, b"{}")
        if path == "/_double/stats":
            return self._send(200, compact_json(self.store.stats()))
        match = MANIFEST_RE.match(path)
        if match:
            return self._manifest(match.group("name"), match.group("ref"))
        match = BLOB_RE.match(path)
        if match:
            return self._blob(match.group("digest"))
        return self._error(404, "NAME_UNKNOWN", "repository name not known to registry")

    def do_POST(self):  # noqa: N802
        self._drain_body()
        match = BUMP_RE.match(self.path)
        if match:
            result = self.store.bump(match.group("name"), match.group("tag"))
            if result is None:
                return self._error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            self.log_message("bumped %s:%s to revision %d", match.group("name"), match.group("tag"), result["revision"])
            return self._send(200, compact_json(result))
        return self._error(404, "UNSUPPORTED", "the registry double does not accept uploads")

    def do_DELETE(self):  # noqa: N802
        self._drain_body()
        if self.path == "/_double/stats":
            self.store.clear_stats()
            return self._send(200, b"{}")
        return self._error(405, "UNSUPPORTED", "the registry double does not delete")

    def _manifest(self, name: str, ref: str) -> None:
        data = self.store.manifest(name, ref)
        if data is None:
            return self._error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        return self._send(200, data, MANIFEST_MEDIA_TYPE, {"Docker-Content-Digest": digest, "ETag": f'"{digest}"'})

    def _blob(self, digest: str) -> None:
        found = self.store.blob(digest)
        if found is None:
            return self._error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        size, header = found
        range_header = self.headers.get("Range")
        rng = parse_range(range_header or "", size)
        common = {
            "Docker-Content-Digest": digest,
            "Accept-Ranges": "bytes",
            "X-Double-Header-Length": str(len(header)),
        }
        if rng == "bad":
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return self._record(416, 0, range_header)
        if rng is None:
            status, start, end = 200, 0, size - 1
        else:
            status, (start, end) = 206, rng
        length = end - start + 1 if size else 0
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        for key, value in common.items():
            self.send_header(key, value)
        self.end_headers()
        sent = 0
        if self.command != "HEAD":
            try:
                sent = self._stream(header, start, length)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        self._record(status, sent, range_header)

    def _stream(self, header: bytes, start: int, length: int) -> int:
        """Write the virtual blob [start, start+length): header bytes, then zeros."""
        sent = 0
        pos = start
        end = start + length
        if pos < len(header):
            piece = header[pos : min(end, len(header))]
            self.wfile.write(piece)
            sent += len(piece)
            pos += len(piece)
        while pos < end:
            n = min(CHUNK, end - pos)
            self.wfile.write(ZEROS[:n])
            sent += n
            pos += n
        return sent


def make_server(listen: str, fixtures: Path) -> ThreadingHTTPServer:
    host, _sep, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    handler = type("Handler", (RegistryHandler,), {"store": Store(fixtures)})
    server = ThreadingHTTPServer((host, int(port)), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Test double of the Ollama model registry.")
    parser.add_argument("--listen", default="127.0.0.1:5001", help="host:port (default %(default)s)")
    parser.add_argument("--fixtures", required=True, type=Path, help="directory written by build_registry_fixtures.py")
    args = parser.parse_args(argv)
    if not (args.fixtures / "blobs.json").is_file():
        parser.error(f"{args.fixtures}: no blobs.json; run build_registry_fixtures.py --output {args.fixtures}")
    server = make_server(args.listen, args.fixtures)
    host, port = server.server_address[:2]
    sys.stderr.write(f"registry-double listening on http://{host}:{port} (fixtures {args.fixtures})\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())
