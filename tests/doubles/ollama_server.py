"""Test double of the Ollama server (the `ollama` binary), speaking Ollama's documented HTTP API.

Not production code: the collection never imports it. Ollama cannot be installed on the build
machines, so tests/doubles/build_ollama_archive.py packages this file as ``bin/ollama`` of an
archive laid out like the official ``ollama-linux-<arch>.tgz`` and the role installs it as it
would install the real thing. Python 3 standard library only (it runs in containers that have
nothing but python3).

Command line::

    ollama serve            serve the API (logs to stderr, like the service)
    ollama --version | -v   prints "ollama version is 0.12.6"

Environment:

* ``OLLAMA_HOST``: ``host:port`` or ``http://host:port`` (default 127.0.0.1:11434).
* ``OLLAMA_MODELS``: models directory (default ~/.ollama/models), laid out as Ollama's:
  ``manifests/<host>/<namespace>/<model>/<tag>`` and ``blobs/sha256-<hex>``.
* ``OLLAMA_DOUBLE_REGISTRY`` (double only): base URL, e.g. ``http://127.0.0.1:5001``, that
  REPLACES registry.ollama.ai. Without it, pulling a registry.ollama.ai name fails with an
  error line: the double never contacts the public registry. Names of other hosts are pulled
  from ``https://<host>`` (``http://`` when the request has ``"insecure": true``).
* ``OLLAMA_DOUBLE_FAULTS`` (double only): JSON faults set at start, shape of POST /_double/faults.

API (request and response shapes of Ollama's docs/api.md):

* ``GET /`` -> "Ollama is running"; ``HEAD /``; ``GET /api/version``.
* ``GET /api/tags``; ``GET /api/ps``; ``POST /api/show``; ``DELETE /api/delete``.
* ``POST /api/pull`` (``model``/``name``, ``insecure``, ``stream``, default true): NDJSON
  progress ("pulling manifest", "pulling <12 hex>" with digest/total/completed, "verifying
  sha256 digest", "writing manifest", "success"). An unknown model gives HTTP 200 and a last
  line ``{"error": "pull model manifest: file does not exist"}`` (with ``stream: false``,
  HTTP 500 and that error object).
* ``POST /api/generate`` / ``POST /api/chat`` with an empty prompt / no messages load a model
  (listed by /api/ps; ``keep_alive: 0`` unloads). The double generates no text: a prompt
  gets HTTP 501.
* Anything else: 404 "404 page not found".

What the double does NOT do: a pull downloads only the start of each model/projector blob
(the GGUF header: as far as the registry's ``X-Double-Header-Length`` says, at most 8 MiB,
with HTTP Range requests) and then gives the blob file its full declared size as a sparse
file (truncate). A test double does not move gigabytes. Blobs whose bytes were fetched in
full (config, template, params, license) are verified against their sha256; the sparse ones
cannot be. Partial downloads are kept as ``<blob>-partial`` and a new pull resumes from
there, reporting ``completed`` from the partial size. /api/show reads ``model_info`` (and
``projector_info``) from the GGUF header stored in the blob; arrays longer than 16 items are
shown as [] unless ``"verbose": true``.

Introspection and fault injection (not part of Ollama, under ``/_double/``):

* ``GET /_double/stats`` -> ``{"requests": [{"method", "path", "model"}...],
  "pulls": {model: number of POST /api/pull}}``; ``DELETE /_double/stats`` clears.
* ``POST /_double/faults`` with ``{"drop_once": ["qwen2.5:7b"], "stall_once": [...],
  "fail_status_once": {"model": 500}, "stall_seconds": 120}`` adds faults; ``GET`` shows
  them, ``DELETE`` clears them. Each fault fires on the next pull of that model only:
  - drop_once: the pull reports half of the first layer, leaves the partial blob at half
    the layer size and closes the connection without finishing the response;
  - stall_once: same point, then sends nothing for ``stall_seconds`` (default 120) and
    goes on afterwards (without holding the blob meanwhile: a retry can resume it);
  - fail_status_once: the pull answers that HTTP status with an ``error`` object.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VERSION = "0.12.6"

DEFAULT_HOST = "registry.ollama.ai"
DEFAULT_NAMESPACE = "library"
DEFAULT_TAG = "latest"
DEFAULT_PORT = 11434
MAX_HEADER_BYTES = 8 * 1024 * 1024
SHOW_ARRAY_LIMIT = 16
MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json"
MEDIA_MODEL = "application/vnd.ollama.image.model"
MEDIA_PROJECTOR = "application/vnd.ollama.image.projector"
MEDIA_TEMPLATE = "application/vnd.ollama.image.template"
MEDIA_SYSTEM = "application/vnd.ollama.image.system"
MEDIA_PARAMS = "application/vnd.ollama.image.params"
MEDIA_LICENSE = "application/vnd.ollama.image.license"
REGISTRY_TIMEOUT = 30


def compact(obj) -> bytes:
    """JSON as Go's encoding/json writes it (no spaces)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# -- logging ---------------------------------------------------------------------------------
def log(level: str, msg: str, **fields) -> None:
    now = _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
    extra = "".join(f" {k}={json.dumps(str(v))}" for k, v in fields.items())
    sys.stderr.write(f'time={now} level={level} source=double msg={json.dumps(msg)}{extra}\n')
    sys.stderr.flush()


# -- model names -----------------------------------------------------------------------------
_HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?$")
_PART_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$")


class NameError_(ValueError):
    pass


class Name:
    """host/namespace/model:tag with Ollama's defaults."""

    def __init__(self, host: str, namespace: str, model: str, tag: str):
        self.host, self.namespace, self.model, self.tag = host, namespace, model, tag

    @classmethod
    def parse(cls, text: str) -> "Name":
        if not isinstance(text, str) or not text.strip():
            raise NameError_("invalid model name")
        text = text.strip()
        if "@" in text:  # name@sha256:... : the digest part is not supported by the double
            text = text.split("@", 1)[0]
        base, tag = text, DEFAULT_TAG
        slash = base.rfind("/")
        colon = base.rfind(":")
        if colon > slash:
            base, tag = base[:colon], base[colon + 1 :]
        parts = base.split("/")
        if len(parts) == 1:
            host, namespace, model = DEFAULT_HOST, DEFAULT_NAMESPACE, parts[0]
        elif len(parts) == 2:
            host, (namespace, model) = DEFAULT_HOST, parts
        elif len(parts) == 3:
            host, namespace, model = parts
        else:
            raise NameError_("invalid model name")
        if not _HOST_RE.match(host) or not all(_PART_RE.match(p) for p in (namespace, model, tag)):
            raise NameError_("invalid model name")
        return cls(host, namespace, model, tag)

    @property
    def display(self) -> str:
        """What /api/tags shows: Ollama's shortest form."""
        if self.host == DEFAULT_HOST:
            if self.namespace == DEFAULT_NAMESPACE:
                return f"{self.model}:{self.tag}"
            return f"{self.namespace}/{self.model}:{self.tag}"
        return f"{self.host}/{self.namespace}/{self.model}:{self.tag}"

    @property
    def key(self) -> str:
        return f"{self.host}/{self.namespace}/{self.model}:{self.tag}".lower()

    def manifest_path(self, models: Path) -> Path:
        return models / "manifests" / self.host / self.namespace / self.model / self.tag


def display_or_raw(name) -> str | None:
    if not name:
        return None
    try:
        return Name.parse(name).display
    except NameError_:
        return str(name)


# -- GGUF header reader (metadata only) --------------------------------------------------------
_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class GGUFTruncated(Exception):
    pass


def read_gguf_kv(data: bytes, array_limit: int | None = SHOW_ARRAY_LIMIT) -> dict:
    """Key/values of a GGUF v2/v3 header. Arrays longer than array_limit become []."""
    if data[:4] != b"GGUF":
        raise ValueError("not a GGUF file")
    pos = 4
    kv: dict = {}

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > len(data):
            raise GGUFTruncated()
        chunk = data[pos : pos + n]
        pos += n
        return chunk

    def scalar(t: int):
        fmt = _GGUF_SCALARS[t]
        return struct.unpack(fmt, take(struct.calcsize(fmt)))[0]

    def string() -> str:
        (n,) = struct.unpack("<Q", take(8))
        if n > 1 << 30:
            raise ValueError("absurd string length")
        return take(n).decode("utf-8", "replace")

    def value(t: int, keep: bool = True):
        if t in _GGUF_SCALARS:
            v = scalar(t)
            if t == 6:
                v = float(f"{v:.7g}")  # float32 -> shortest decimal
            return v
        if t == 8:
            return string()
        if t == 9:
            (item_type,) = struct.unpack("<I", take(4))
            (count,) = struct.unpack("<Q", take(8))
            keep_items = keep and (array_limit is None or count <= array_limit)
            items = []
            for _index in range(count):
                v = value(item_type, keep_items)
                if keep_items:
                    items.append(v)
            return items
        raise ValueError(f"unknown GGUF type {t}")

    (version,) = struct.unpack("<I", take(4))
    if version not in (2, 3):
        raise ValueError(f"unsupported GGUF version {version}")
    struct.unpack("<Q", take(8))  # tensor count
    (kv_count,) = struct.unpack("<Q", take(8))
    try:
        for _index in range(kv_count):
            key = string()
            (vtype,) = struct.unpack("<I", take(4))
            kv[key] = value(vtype)
    except GGUFTruncated:
        pass  # what was read is still useful
    return kv


def read_blob_kv(path: Path, verbose: bool) -> dict:
    try:
        with open(path, "rb") as fh:
            data = fh.read(4 * MAX_HEADER_BYTES)
        return read_gguf_kv(data, None if verbose else SHOW_ARRAY_LIMIT)
    except (OSError, ValueError, struct.error):
        return {}


# -- faults and statistics -------------------------------------------------------------------
class DoubleState:
    def __init__(self):
        self.lock = threading.Lock()
        self.drop_once: set[str] = set()
        self.stall_once: set[str] = set()
        self.fail_status_once: dict[str, int] = {}
        self.stall_seconds = 120.0
        self.requests: list[dict] = []
        self.pulls: dict[str, int] = {}
        self.loaded: dict[str, float] = {}  # manifest key -> expiry (epoch seconds)
        self.blob_locks: dict[str, threading.Lock] = {}

    def add_faults(self, spec: dict) -> None:
        if not isinstance(spec, dict):
            raise ValueError("faults must be a JSON object")
        with self.lock:
            for name in spec.get("drop_once", []) or []:
                self.drop_once.add(Name.parse(name).key)
            for name in spec.get("stall_once", []) or []:
                self.stall_once.add(Name.parse(name).key)
            for name, status in (spec.get("fail_status_once", {}) or {}).items():
                self.fail_status_once[Name.parse(name).key] = int(status)
            if "stall_seconds" in spec:
                self.stall_seconds = float(spec["stall_seconds"])

    def faults(self) -> dict:
        with self.lock:
            return {
                "drop_once": sorted(self.drop_once),
                "stall_once": sorted(self.stall_once),
                "fail_status_once": dict(sorted(self.fail_status_once.items())),
                "stall_seconds": self.stall_seconds,
            }

    def clear_faults(self) -> None:
        with self.lock:
            self.drop_once.clear()
            self.stall_once.clear()
            self.fail_status_once.clear()

    def take(self, kind: str, key: str):
        with self.lock:
            if kind == "fail_status_once":
                return self.fail_status_once.pop(key, None)
            bucket = getattr(self, kind)
            if key in bucket:
                bucket.discard(key)
                return True
            return False

    def record(self, method: str, path: str, model: str | None) -> None:
        with self.lock:
            self.requests.append({"method": method, "path": path, "model": model})

    def count_pull(self, model: str) -> None:
        with self.lock:
            self.pulls[model] = self.pulls.get(model, 0) + 1

    def stats(self) -> dict:
        with self.lock:
            return {"requests": list(self.requests), "pulls": dict(self.pulls)}

    def clear_stats(self) -> None:
        with self.lock:
            self.requests.clear()
            self.pulls.clear()

    def blob_lock(self, digest: str) -> threading.Lock:
        with self.lock:
            return self.blob_locks.setdefault(digest, threading.Lock())


# -- local model store -----------------------------------------------------------------------
class Store:
    def __init__(self, models: Path):
        self.models = models
        (models / "manifests").mkdir(parents=True, exist_ok=True)
        (models / "blobs").mkdir(parents=True, exist_ok=True)

    def blob_path(self, digest: str) -> Path:
        return self.models / "blobs" / digest.replace(":", "-")

    def manifests(self) -> list[tuple[Name, Path]]:
        found = []
        base = self.models / "manifests"
        for path in sorted(base.glob("*/*/*/*")):
            if path.is_file() and not path.name.endswith(".tmp-double"):
                host, namespace, model, tag = path.relative_to(base).parts
                found.append((Name(host, namespace, model, tag), path))
        return found

    def find(self, name: Name) -> Path | None:
        path = name.manifest_path(self.models)
        if path.is_file():
            return path
        for other, other_path in self.manifests():  # names are case-insensitive
            if other.key == name.key:
                return other_path
        return None

    @staticmethod
    def load_manifest(path: Path) -> tuple[dict, bytes]:
        data = path.read_bytes()
        return json.loads(data), data

    def config(self, manifest: dict) -> dict:
        try:
            return json.loads(self.blob_path(manifest["config"]["digest"]).read_bytes())
        except (OSError, ValueError, KeyError):
            return {}

    def layer(self, manifest: dict, media_type: str) -> dict | None:
        for layer in manifest.get("layers", []):
            if layer.get("mediaType") == media_type:
                return layer
        return None

    def text_layer(self, manifest: dict, media_type: str) -> str | None:
        layer = self.layer(manifest, media_type)
        if layer is None:
            return None
        try:
            return self.blob_path(layer["digest"]).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def referenced(self) -> set[str]:
        digests = set()
        for _name, path in self.manifests():
            try:
                manifest = self.load_manifest(path)[0]
            except (OSError, ValueError):
                continue
            digests.add(manifest.get("config", {}).get("digest"))
            digests.update(layer.get("digest") for layer in manifest.get("layers", []))
        digests.discard(None)
        return digests

    def prune(self, candidates: set[str]) -> None:
        keep = self.referenced()
        for digest in sorted(candidates - keep):
            for path in (self.blob_path(digest), Path(str(self.blob_path(digest)) + "-partial")):
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass

    def remove_manifest(self, path: Path) -> None:
        path.unlink()
        parent = path.parent
        base = self.models / "manifests"
        while parent != base:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    @staticmethod
    def details(config: dict) -> dict:
        return {
            "parent_model": "",
            "format": config.get("model_format", "gguf"),
            "family": config.get("model_family", ""),
            "families": config.get("model_families"),
            "parameter_size": config.get("model_type", ""),
            "quantization_level": config.get("file_type", ""),
        }

    def summary(self, name: Name, path: Path) -> dict:
        manifest, raw = self.load_manifest(path)
        size = sum(int(layer.get("size", 0)) for layer in manifest.get("layers", []))
        size += int(manifest.get("config", {}).get("size", 0))
        mtime = _dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        return {
            "name": name.display,
            "model": name.display,
            "modified_at": mtime.isoformat(),
            "size": size,
            "digest": hashlib.sha256(raw).hexdigest(),
            "details": self.details(self.config(manifest)),
        }


# -- pulling ---------------------------------------------------------------------------------
class PullError(Exception):
    pass


class DropConnection(Exception):
    pass


def registry_base(name: Name, insecure: bool) -> str:
    override = os.environ.get("OLLAMA_DOUBLE_REGISTRY", "").strip().rstrip("/")
    if name.host == DEFAULT_HOST:
        if not override:
            raise PullError(
                "pull model manifest: OLLAMA_DOUBLE_REGISTRY is not set; "
                "the Ollama test double does not contact registry.ollama.ai"
            )
        return override
    return f"{'http' if insecure else 'https'}://{name.host}"


def http_reason(exc: Exception) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    return str(exc)


class Puller:
    def __init__(self, store: Store, state: DoubleState, name: Name, insecure: bool, drop: bool, stall: bool):
        self.store, self.state, self.name = store, state, name
        self.insecure, self.drop, self.stall = insecure, drop, stall
        self.base = ""

    def _open(self, url: str, method: str = "GET", headers: dict | None = None):
        req = urllib.request.Request(url, method=method, headers={"User-Agent": f"ollama/{VERSION} (double)", **(headers or {})})
        return urllib.request.urlopen(req, timeout=REGISTRY_TIMEOUT)  # noqa: S310 - registry URL by design

    def run(self):
        yield {"status": "pulling manifest"}
        self.base = registry_base(self.name, self.insecure)
        url = f"{self.base}/v2/{self.name.namespace}/{self.name.model}/manifests/{self.name.tag}"
        try:
            with self._open(url, headers={"Accept": MANIFEST_ACCEPT}) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise PullError("pull model manifest: file does not exist") from None
            raise PullError(f"pull model manifest: {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise PullError(f'pull model manifest: Get "{url}": {http_reason(exc)}') from None
        try:
            manifest = json.loads(raw)
            layers = list(manifest["layers"]) + [manifest["config"]]
        except (ValueError, KeyError, TypeError):
            raise PullError("pull model manifest: invalid manifest") from None

        mismatches = []
        for index, layer in enumerate(layers):
            yield from self.download(layer, fault=index == 0, mismatches=mismatches)
        yield {"status": "verifying sha256 digest"}
        if mismatches:
            for digest, got in mismatches:
                self.store.blob_path(digest).unlink(missing_ok=True)
            digest, got = mismatches[0]
            raise PullError(f"digest mismatch, file must be downloaded again: want {digest}, got {got}")
        yield {"status": "writing manifest"}
        path = self.name.manifest_path(self.store.models)
        old = set()
        if path.is_file():
            try:
                old_manifest = Store.load_manifest(path)[0]
                old = {old_manifest["config"]["digest"], *(layer["digest"] for layer in old_manifest["layers"])}
            except (OSError, ValueError, KeyError):
                old = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp-double")
        tmp.write_bytes(raw)
        os.replace(tmp, path)
        unused = old - {layer["digest"] for layer in layers}
        if unused:
            yield {"status": "removing unused layers"}
            self.store.prune(unused)
        yield {"status": "success"}

    def download(self, layer: dict, fault: bool, mismatches: list):
        digest = layer["digest"]
        size = int(layer["size"])
        status = f"pulling {digest.split(':', 1)[-1][:12]}"
        final = self.store.blob_path(digest)
        partial = Path(str(final) + "-partial")

        def progress(done: int) -> dict:
            return {"status": status, "digest": digest, "total": size, "completed": done}

        with self.state.blob_lock(digest):
            if final.is_file() and final.stat().st_size == size:
                yield progress(size)
                return
            have = partial.stat().st_size if partial.is_file() else 0
            if have > size:
                partial.unlink()
                have = 0
            yield progress(have)
            blob_url = f"{self.base}/v2/{self.name.namespace}/{self.name.model}/blobs/{digest}"
            real = self.real_length(blob_url, size)
            if have < real:
                self.fetch(blob_url, partial, have, real)
            fault_at = size // 2
            # Progress as a real download would report it; a small blob arrives in one go.
            steps = [size] if real == size else [have + (size - have) * k // 4 for k in range(1, 5)]
            stalled = False
            for done in steps:
                if fault and (self.drop or self.stall) and done >= fault_at > have:
                    with open(partial, "r+b") as fh:
                        fh.truncate(fault_at)
                    yield progress(fault_at)
                    if self.drop:
                        log("WARN", "fault drop_once: closing the pull connection", model=self.name.display)
                        raise DropConnection()
                    stalled = True
                    break
                if done > have:
                    yield progress(done)
            if not stalled:
                with open(partial, "r+b") as fh:
                    fh.truncate(size)  # the rest of the blob: sparse zeros
                if real == size:  # fetched in full: can be verified
                    hasher = hashlib.sha256()
                    with open(partial, "rb") as fh:
                        for chunk in iter(lambda: fh.read(1 << 20), b""):
                            hasher.update(chunk)
                    got = "sha256:" + hasher.hexdigest()
                    if got != digest:
                        mismatches.append((digest, got))
                os.replace(partial, final)
                return
        # Stalled: this connection goes silent, without holding the blob, so that a retry
        # can resume from the partial file meanwhile; then it carries on from where things are.
        log("WARN", "fault stall_once: stalling the pull", model=self.name.display, seconds=self.state.stall_seconds)
        time.sleep(self.state.stall_seconds)
        self.stall = False
        yield from self.download(layer, fault=False, mismatches=mismatches)

    def real_length(self, url: str, size: int) -> int:
        """How many real bytes to fetch: the header, as the registry announces it."""
        limit = min(size, MAX_HEADER_BYTES)
        try:
            with self._open(url, method="HEAD") as resp:
                announced = resp.headers.get("X-Double-Header-Length")
        except urllib.error.HTTPError as exc:
            raise PullError(f"download failed: {url}: {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise PullError(f'download failed: Get "{url}": {http_reason(exc)}') from None
        if announced and announced.isdigit():
            return min(int(announced), limit)
        return limit

    def fetch(self, url: str, partial: Path, start: int, end: int) -> None:
        """Append bytes [start, end) of the blob to the partial file (Range request)."""
        headers = {"Range": f"bytes={start}-{end - 1}"}
        try:
            with self._open(url, headers=headers) as resp:
                skip = start if resp.status == 200 else 0  # server ignored Range
                mode = "r+b" if partial.exists() else "wb"
                with open(partial, mode) as fh:
                    fh.seek(start)
                    need = end - start
                    while need > 0:
                        chunk = resp.read(min(1 << 20, need + skip))
                        if not chunk:
                            raise PullError(f"download failed: {url}: unexpected end of data")
                        if skip:
                            cut = min(skip, len(chunk))
                            chunk, skip = chunk[cut:], skip - cut
                        chunk = chunk[:need]
                        fh.write(chunk)
                        need -= len(chunk)
        except urllib.error.HTTPError as exc:
            raise PullError(f"download failed: {url}: {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise PullError(f'download failed: Get "{url}": {http_reason(exc)}') from None


# -- HTTP handler ----------------------------------------------------------------------------
class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class OllamaHandler(BaseHTTPRequestHandler):
    server_version = "Ollama-double"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    store: Store
    state: DoubleState

    # -- plumbing ---------------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - base class signature
        pass  # one GIN-like line per request is written by _access_log

    def _access_log(self, status: int) -> None:
        elapsed = (time.monotonic() - self._started) * 1000
        stamp = time.strftime("%Y/%m/%d - %H:%M:%S")
        sys.stderr.write(
            f'[GIN] {stamp} | {status:3d} | {elapsed:10.3f}ms | {self.client_address[0]:>15} | {self.command:<7} "{self.path}"\n'
        )
        sys.stderr.flush()

    def handle_one_request(self):
        self._started = time.monotonic()
        self._status = 0
        super().handle_one_request()

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self, required: bool = True) -> dict:
        raw = self._body()
        if not raw.strip():
            if required:
                raise BadRequest("missing request body")
            return {}
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise BadRequest(f"invalid character in request body: {exc}") from None
        if not isinstance(body, dict):
            raise BadRequest("request body must be a JSON object")
        return body

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self._access_log(status)

    def _json(self, status: int, obj) -> None:
        self._send(status, compact(obj), "application/json; charset=utf-8")

    def _not_found_page(self) -> None:
        self._send(404, b"404 page not found", "text/plain")

    def _dispatch(self, routes: dict) -> None:
        path = self.path.split("?", 1)[0]
        handler = routes.get(path)
        try:
            if handler is None:
                if not path.startswith("/_double/"):
                    self.state.record(self.command, path, None)
                return self._not_found_page()
            handler(path)
        except BadRequest as exc:
            self._json(exc.status, {"error": str(exc)})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _record(self, path: str, body: dict | None) -> None:
        if path.startswith("/_double/"):
            return
        model = None
        if body:
            model = display_or_raw(body.get("model") or body.get("name"))
        self.state.record(self.command, path, model)

    # -- methods ----------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802 - http.server naming
        self._dispatch(
            {
                "/": self.root,
                "/api/version": self.version,
                "/api/tags": self.tags,
                "/api/ps": self.ps,
                "/_double/stats": self.double_stats,
                "/_double/faults": self.double_faults,
            }
        )

    def do_HEAD(self):  # noqa: N802
        self._dispatch({"/": self.root, "/api/version": self.version, "/api/tags": self.tags})

    def do_POST(self):  # noqa: N802
        self._dispatch(
            {
                "/api/pull": self.pull,
                "/api/show": self.show,
                "/api/generate": self.generate,
                "/api/chat": self.generate,
                "/_double/faults": self.double_faults,
            }
        )

    def do_DELETE(self):  # noqa: N802
        self._dispatch({"/api/delete": self.delete, "/_double/stats": self.double_stats, "/_double/faults": self.double_faults})

    # -- Ollama API -------------------------------------------------------------------------
    def root(self, path):
        self._record(path, None)
        self._send(200, b"Ollama is running", "text/plain; charset=utf-8")

    def version(self, path):
        self._record(path, None)
        self._json(200, {"version": VERSION})

    def tags(self, path):
        self._record(path, None)
        models = []
        for name, manifest_path in self.store.manifests():
            try:
                models.append(self.store.summary(name, manifest_path))
            except (OSError, ValueError, KeyError):
                continue
        models.sort(key=lambda m: m["name"])
        models.sort(key=lambda m: m["modified_at"], reverse=True)
        self._json(200, {"models": models})

    def ps(self, path):
        self._record(path, None)
        now = time.time()
        models = []
        with self.state.lock:
            loaded = dict(self.state.loaded)
        for name, manifest_path in self.store.manifests():
            expiry = loaded.get(name.key)
            if expiry is None or expiry < now:
                continue
            try:
                summary = self.store.summary(name, manifest_path)
            except (OSError, ValueError, KeyError):
                continue
            summary.pop("modified_at")
            summary["expires_at"] = _dt.datetime.fromtimestamp(expiry).astimezone().isoformat()
            summary["size_vram"] = summary["size"]
            summary["context_length"] = 4096
            models.append(summary)
        self._json(200, {"models": models})

    def _lookup(self, body: dict, not_found_suffix: str = "") -> tuple[Name, Path, str]:
        raw = body.get("model") or body.get("name")
        if not raw:
            raise BadRequest("model is required")
        try:
            name = Name.parse(raw)
        except NameError_:
            raise BadRequest(f"model '{raw}' not found{not_found_suffix}", 404) from None
        path = self.store.find(name)
        if path is None:
            raise BadRequest(f"model '{raw}' not found{not_found_suffix}", 404)
        return name, path, raw

    def show(self, path):
        body = self._json_body()
        self._record(path, body)
        name, manifest_path, _raw = self._lookup(body)
        verbose = bool(body.get("verbose"))
        manifest = Store.load_manifest(manifest_path)[0]
        config = self.store.config(manifest)
        template = self.store.text_layer(manifest, MEDIA_TEMPLATE) or ""
        system = self.store.text_layer(manifest, MEDIA_SYSTEM)
        license_text = self.store.text_layer(manifest, MEDIA_LICENSE)
        params = {}
        params_text = self.store.text_layer(manifest, MEDIA_PARAMS)
        if params_text:
            try:
                params = json.loads(params_text)
            except ValueError:
                params = {}
        model_layer = self.store.layer(manifest, MEDIA_MODEL)
        projector_layer = self.store.layer(manifest, MEDIA_PROJECTOR)
        model_info = read_blob_kv(self.store.blob_path(model_layer["digest"]), verbose) if model_layer else {}
        projector_info = (
            read_blob_kv(self.store.blob_path(projector_layer["digest"]), verbose) if projector_layer else None
        )
        parameters = "\n".join(
            f"{key:<30} {json.dumps(v) if isinstance(v, str) else v}"
            for key, value in params.items()
            for v in (value if isinstance(value, list) else [value])
        )
        lines = [
            '# Modelfile generated by "ollama show"',
            "# To build a new Modelfile based on this one, replace the FROM line with:",
            f"# FROM {name.display}",
            "",
        ]
        if model_layer:
            lines.append(f"FROM {self.store.blob_path(model_layer['digest'])}")
        if projector_layer:
            lines.append(f"ADAPTER {self.store.blob_path(projector_layer['digest'])}")
        if template:
            lines.append(f'TEMPLATE """{template}"""')
        if system:
            lines.append(f'SYSTEM """{system}"""')
        for line in parameters.splitlines():
            key, _sep, value = line.partition(" ")
            lines.append(f"PARAMETER {key} {value.strip()}")
        if license_text:
            lines.append(f'LICENSE """{license_text}"""')
        arch = model_info.get("general.architecture", "")
        capabilities = ["embedding"] if f"{arch}.pooling_type" in model_info else ["completion"]
        if ".Tools" in template:
            capabilities.append("tools")
        if ".Suffix" in template:
            capabilities.append("insert")
        if projector_layer or f"{arch}.vision.block_count" in model_info:
            capabilities.append("vision")
        if ".Thinking" in template:
            capabilities.append("thinking")
        response = {
            "license": license_text or "",
            "modelfile": "\n".join(lines) + "\n",
            "parameters": parameters,
            "template": template,
            "details": Store.details(config),
            "model_info": model_info,
            "capabilities": capabilities,
            "modified_at": _dt.datetime.fromtimestamp(manifest_path.stat().st_mtime).astimezone().isoformat(),
        }
        if system:
            response["system"] = system
        if projector_info is not None:
            response["projector_info"] = projector_info
        self._json(200, response)

    def delete(self, path):
        body = self._json_body()
        self._record(path, body)
        name, manifest_path, _raw = self._lookup(body)
        manifest = Store.load_manifest(manifest_path)[0]
        digests = {manifest.get("config", {}).get("digest"), *(layer.get("digest") for layer in manifest.get("layers", []))}
        digests.discard(None)
        self.store.remove_manifest(manifest_path)
        self.store.prune(digests)
        with self.state.lock:
            self.state.loaded.pop(name.key, None)
        log("INFO", "deleted model", model=name.display)
        self._send(200, b"", "text/plain")

    def generate(self, path):
        body = self._json_body()
        self._record(path, body)
        name, _manifest_path, raw = self._lookup(body, ", try pulling it first")
        now = time.time()
        if body.get("prompt") or body.get("messages"):
            raise BadRequest("the Ollama test double does not generate text", 501)
        keep_alive = body.get("keep_alive", "5m")
        seconds = parse_duration(keep_alive)
        stamp = _dt.datetime.now().astimezone().isoformat()
        with self.state.lock:
            if seconds == 0:
                self.state.loaded.pop(name.key, None)
                reason = "unload"
            else:
                self.state.loaded[name.key] = now + (seconds if seconds > 0 else 10 * 365 * 86400)
                reason = "load"
        reply = {"model": raw, "created_at": stamp, "done": True, "done_reason": reason}
        if path == "/api/chat":
            reply["message"] = {"role": "assistant", "content": ""}
        else:
            reply["response"] = ""
        self._json(200, reply)

    def pull(self, path):
        body = self._json_body()
        self._record(path, body)
        raw = body.get("model") or body.get("name")
        if not raw:
            raise BadRequest("model is required")
        try:
            name = Name.parse(raw)
        except NameError_ as exc:
            raise BadRequest(str(exc)) from None
        stream = body.get("stream")
        stream = True if stream is None else bool(stream)
        self.state.count_pull(name.display)
        failing = self.state.take("fail_status_once", name.key)
        if failing:
            log("WARN", "fault fail_status_once", model=name.display, status=failing)
            return self._json(failing, {"error": f"test double: injected HTTP {failing} for {name.display}"})
        puller = Puller(
            self.store,
            self.state,
            name,
            bool(body.get("insecure")),
            drop=self.state.take("drop_once", name.key),
            stall=self.state.take("stall_once", name.key),
        )
        log("INFO", "pulling model", model=name.display)
        if stream:
            return self._pull_stream(puller)
        return self._pull_single(puller)

    def _pull_stream(self, puller: Puller) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(obj) -> None:
            line = compact(obj) + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()

        try:
            for event in puller.run():
                chunk(event)
        except DropConnection:
            self._abort()
            return
        except PullError as exc:
            log("ERROR", "pull failed", model=puller.name.display, error=str(exc))
            chunk({"error": str(exc)})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self._access_log(200)
            return
        self.wfile.write(b"0\r\n\r\n")
        self._access_log(200)

    def _pull_single(self, puller: Puller) -> None:
        last = None
        try:
            for event in puller.run():
                last = event
        except DropConnection:
            self._abort()
            return
        except PullError as exc:
            log("ERROR", "pull failed", model=puller.name.display, error=str(exc))
            return self._json(500, {"error": str(exc)})
        self._json(200, last or {"status": "success"})

    def _abort(self) -> None:
        """Close the connection without finishing the response (fault injection)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._access_log(self._status or 0)

    # -- double-only endpoints --------------------------------------------------------------
    def double_stats(self, path):
        if self.command == "DELETE":
            self._body()
            self.state.clear_stats()
            return self._json(200, {})
        self._json(200, self.state.stats())

    def double_faults(self, path):
        if self.command == "POST":
            try:
                self.state.add_faults(self._json_body())
            except (NameError_, ValueError, TypeError) as exc:
                raise BadRequest(f"bad faults: {exc}") from None
        elif self.command == "DELETE":
            self._body()
            self.state.clear_faults()
        self._json(200, self.state.faults())


def parse_duration(value) -> float:
    """Ollama keep_alive: number of seconds or a Go duration ("5m", "1h30m", "-1")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    total, found = 0.0, False
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        found = True
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    if not found:
        return 300.0
    return -total if text.startswith("-") else total


# -- command line ----------------------------------------------------------------------------
def parse_ollama_host(value: str | None) -> tuple[str, int]:
    text = (value or "").strip()
    if not text:
        return "127.0.0.1", DEFAULT_PORT
    text = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", text).rstrip("/")
    if text.startswith("["):  # [::1]:port
        host, _sep, rest = text[1:].partition("]")
        port = rest.lstrip(":")
        return host, int(port) if port else DEFAULT_PORT
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, DEFAULT_PORT
    return host or "0.0.0.0", int(port) if port else DEFAULT_PORT  # noqa: S104 - as Ollama does for ":port"


class DualStackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve() -> int:
    host, port = parse_ollama_host(os.environ.get("OLLAMA_HOST"))
    models = Path(os.environ.get("OLLAMA_MODELS") or Path.home() / ".ollama" / "models").expanduser()
    state = DoubleState()
    faults = os.environ.get("OLLAMA_DOUBLE_FAULTS", "").strip()
    if faults:
        try:
            state.add_faults(json.loads(faults))
        except (ValueError, TypeError, NameError_) as exc:
            log("ERROR", "OLLAMA_DOUBLE_FAULTS is not valid", error=exc)
            return 1
    try:
        store = Store(models)
    except OSError as exc:
        log("ERROR", "models directory is not usable", path=models, error=exc)
        return 1
    handler = type("Handler", (OllamaHandler,), {"store": store, "state": state})
    server_class = DualStackServer
    if ":" in host:
        server_class = type("Server6", (DualStackServer,), {"address_family": socket.AF_INET6})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        log("ERROR", "could not listen", address=f"{host}:{port}", error=exc)
        sys.stderr.write(f"Error: listen tcp {host}:{port}: {exc.strerror or exc}\n")
        return 1
    log(
        "INFO",
        "server config",
        env=f"map[OLLAMA_HOST:http://{host}:{port} OLLAMA_MODELS:{models} "
        f"OLLAMA_DOUBLE_REGISTRY:{os.environ.get('OLLAMA_DOUBLE_REGISTRY', '')}]",
    )
    log("INFO", "this is a test double of the Ollama server: no inference, no GPU discovery, sparse blobs")
    log("INFO", f"Listening on {host}:{server.server_address[1]} (version {VERSION})")

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("INFO", "shutting down")
    finally:
        server.server_close()
    return 0


USAGE = """Large language model runner (test double)

Usage:
  ollama [flags]
  ollama [command]

Available Commands:
  serve       Start ollama

Flags:
  -h, --help      help for ollama
  -v, --version   Show version information
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if args[0] in ("-v", "--version", "version"):
        print(f"ollama version is {VERSION}")
        return 0
    if args[0] in ("serve", "start"):
        return serve()
    sys.stderr.write(f'Error: unknown command "{args[0]}" for "ollama" (the test double only knows serve and --version)\n')
    return 1


if __name__ == "__main__":
    sys.exit(main())
