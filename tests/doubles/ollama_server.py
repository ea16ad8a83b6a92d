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
* ``OLLAMA_DOUBLE_NODE`` (double only): the node name generated replies carry (default: the
  host name), so that a test behind a load balancer sees which node answered.
* ``OLLAMA_DOUBLE_LATENCY_MS`` (double only): milliseconds to wait before each generated reply
  or embedding (default 0), for benchmarks of what sits in front.

API (request and response shapes of Ollama's docs/api.md):

* ``GET /`` -> "Ollama is running"; ``HEAD /``; ``GET /api/version``.
* ``GET /api/tags``; ``GET /api/ps``; ``POST /api/show``; ``DELETE /api/delete``.
* ``POST /api/pull`` (``model``/``name``, ``insecure``, ``stream``, default true): NDJSON
  progress ("pulling manifest", "pulling <12 hex>" with digest/total/completed, "verifying
  sha256 digest", "writing manifest", "success"). An unknown model gives HTTP 200 and a last
  line ``{"error": "pull model manifest: file does not exist"}`` (with ``stream: false``,
  HTTP 500 and that error object).
* ``POST /api/generate`` / ``POST /api/chat`` with an empty prompt / no messages load a model
  (listed by /api/ps; ``keep_alive: 0`` unloads). With a prompt / messages they answer
  deterministic text, ``"[<node>] echo: <words of the last user message, at most 32>"``
  (``/api/generate``: of the prompt); ``options.num_predict`` N caps the reply at N words
  (then ``done_reason`` is "length", else "stop"). ``stream`` defaults to true: NDJSON, one
  chunk per reply word (the first carries the node tag), then a ``done: true`` object with
  the counts; ``stream: false`` gives that object with the whole text. Counts are words:
  ``prompt_eval_count`` = words of all messages (generate: prompt and system), at least 1;
  ``eval_count`` = reply words (the node tag not counted). ``total_duration``,
  ``load_duration``, ``prompt_eval_duration``, ``eval_duration``: small made-up nanoseconds.
  The model must have been pulled, else HTTP 404 ``model "x" not found, try pulling it first``.
  A generation marks the model loaded for ``keep_alive`` as a load does.
* ``POST /api/embed`` (``input``: string or list of strings, ``dimensions``) ->
  ``{"model", "embeddings", "total_duration", "load_duration", "prompt_eval_count"}``;
  ``POST /api/embeddings`` (``prompt``) -> ``{"embedding"}``. Vectors are unit vectors of 8
  floats derived from sha256(model, text): equal on every node, no meaning.
* Ollama's OpenAI-compatible routes: ``POST /v1/chat/completions`` (the same reply as
  /api/chat; ``max_tokens`` as num_predict; ``stream: true`` sends server-sent events
  ``data: {chat.completion.chunk}``, one per word, a last one with ``finish_reason``, a usage
  chunk when ``stream_options.include_usage``, then ``data: [DONE]``), ``POST /v1/embeddings``,
  ``GET /v1/models`` (``data`` is null when nothing is pulled, as Ollama answers) and
  ``GET /v1/models/<name>``. Errors there have OpenAI's shape
  ``{"error": {"message", "type", "param", "code"}}``.
* Anything else: 404 "404 page not found".

What the double does NOT do: run a model. Replies only echo the input and name the node;
there are no templates, tools, images, thinking, ``format``/JSON mode, stop words or context
tokens, and capabilities are not checked (an embedding model "chats" too). A pull downloads
only the start of each model/projector blob (the GGUF header: as far as the registry's
``X-Double-Header-Length`` says, at most 8 MiB, with HTTP Range requests) and then gives the
blob file its full declared size as a sparse file (truncate). A test double does not move gigabytes. Blobs whose bytes were fetched in
full (config, template, params, license) are verified against their sha256; the sparse ones
cannot be. Partial downloads are kept as ``<blob>-partial`` and a new pull resumes from
there, reporting ``completed`` from the partial size. /api/show reads ``model_info`` (and
``projector_info``) from the GGUF header stored in the blob; arrays longer than 16 items are
shown as [] unless ``"verbose": true``.

Introspection and fault injection (not part of Ollama, under ``/_double/``):

* ``GET /_double/stats`` -> ``{"node", "requests": [{"method", "path", "model"}...],
  "pulls": {model: number of POST /api/pull}}`` (every API request is listed, generations and
  embeddings too, so a test can count what each node served); ``DELETE /_double/stats`` clears.
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

import base64
import datetime as _dt
import hashlib
import json
import math
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
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
REPLY_WORDS = 32  # the echoed part of a generated reply is cut to this many words
EMBEDDING_DIM = 8  # length of the double's embedding vectors


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


# -- text generation and embeddings (deterministic: no model is run) -------------------------
def utc_stamp() -> str:
    """created_at as Ollama writes it: UTC, RFC 3339."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


def node_name() -> str:
    """The name a reply carries: OLLAMA_DOUBLE_NODE, else the host name."""
    return os.environ.get("OLLAMA_DOUBLE_NODE", "").strip() or socket.gethostname()


def latency_from_env() -> float:
    """OLLAMA_DOUBLE_LATENCY_MS as seconds (0 when unset); ValueError when not a number >= 0."""
    text = os.environ.get("OLLAMA_DOUBLE_LATENCY_MS", "").strip()
    if not text:
        return 0.0
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{text!r} is not a number of milliseconds >= 0")
    return value / 1000.0


def count_words(text: str) -> int:
    return len(text.split())


def num_predict_of(options) -> int:
    """options.num_predict as a positive cap on the reply words; 0 means no cap."""
    if not isinstance(options, dict):
        return 0
    value = options.get("num_predict")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if value >= 1 else 0


class Generation:
    """One deterministic answer: ``[<node>] echo: <last user words, at most 32>``.

    ``pieces`` are what the stream sends, one per reply word (the first carries the node tag);
    joined they give ``text``. eval_count counts the reply words, prompt_eval_count the words of
    all the input texts (at least 1). Durations are small made-up numbers in nanoseconds.
    """

    LOAD_NS = 2_000_000
    PROMPT_NS_PER_WORD = 250_000
    EVAL_NS_PER_WORD = 10_000_000

    def __init__(self, node: str, inputs: list[str], last_user: str, num_predict: int, latency: float):
        words = ["echo:", *last_user.split()[:REPLY_WORDS]]
        self.done_reason = "stop"
        if 0 < num_predict < len(words):
            words = words[:num_predict]
            self.done_reason = "length"  # as Ollama says when num_predict ends the reply
        self.pieces = [f"[{node}] {words[0]}", *(f" {word}" for word in words[1:])]
        self.text = "".join(self.pieces)
        self.prompt_eval_count = max(1, sum(count_words(text) for text in inputs))
        self.eval_count = len(words)
        self.latency_ns = int(latency * 1e9)

    def metrics(self) -> dict:
        prompt_ns = self.PROMPT_NS_PER_WORD * self.prompt_eval_count
        eval_ns = self.EVAL_NS_PER_WORD * self.eval_count
        return {
            "total_duration": self.latency_ns + self.LOAD_NS + prompt_ns + eval_ns,
            "load_duration": self.LOAD_NS,
            "prompt_eval_count": self.prompt_eval_count,
            "prompt_eval_duration": prompt_ns,
            "eval_count": self.eval_count,
            "eval_duration": eval_ns,
        }

    def usage(self) -> dict:
        """OpenAI usage, as Ollama's compatibility layer derives it from the counts."""
        return {
            "prompt_tokens": self.prompt_eval_count,
            "completion_tokens": self.eval_count,
            "total_tokens": self.prompt_eval_count + self.eval_count,
        }


def embedding_vector(model_key: str, text: str, dimensions: int = 0) -> list[float]:
    """A unit vector of EMBEDDING_DIM floats from the sha256 of model and text: the same
    text gives the same vector on every node, other texts or models other vectors."""
    digest = hashlib.sha256(f"{model_key}\n{text}".encode("utf-8")).digest()
    values = [int.from_bytes(digest[4 * i : 4 * i + 4], "big") / 2**31 - 1.0 for i in range(EMBEDDING_DIM)]
    if 0 < dimensions < len(values):
        values = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [float(f"{v / norm:.7g}") for v in values]


def embedding_base64(vector: list[float]) -> str:
    """OpenAI encoding_format "base64": little-endian float32s."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embedding_inputs(value) -> list[str]:
    """The texts of /api/embed's ``input`` (a string or a list of strings); ValueError else."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError("invalid input type")


def openai_content(content) -> str:
    """Text of an OpenAI message content: a string, or parts with ``{"type": "text"}``."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict):
                raise ValueError("invalid message format")
            if part.get("type") == "text":
                if not isinstance(part.get("text"), str):
                    raise ValueError("invalid message format")
                texts.append(part["text"])
        return " ".join(texts)
    raise ValueError(f"invalid message content type: {type(content).__name__}")


# -- HTTP handler ----------------------------------------------------------------------------
class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class OllamaHandler(BaseHTTPRequestHandler):
    server_version = "Ollama-double"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle plus delayed ACKs add ~40 ms
    # to every keep-alive reply, which would swamp what the gateway benchmark measures.
    disable_nagle_algorithm = True
    store: Store
    state: DoubleState
    node = ""  # set by serve(); node_name() when empty
    latency = 0.0  # seconds to wait before a generated answer (OLLAMA_DOUBLE_LATENCY_MS)

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
        if handler is None:  # a key ending with "/*" is a prefix: "/v1/models/*" serves /v1/models/<name>
            handler = next(
                (h for key, h in routes.items() if key.endswith("/*") and path.startswith(key[:-1]) and path != key[:-1]),
                None,
            )
        try:
            if handler is None:
                if not path.startswith("/_double/"):
                    self.state.record(self.command, path, None)
                return self._not_found_page()
            handler(path)
        except BadRequest as exc:
            if path.startswith("/v1/"):  # Ollama's OpenAI layer wraps errors the OpenAI way
                kind = {400: "invalid_request_error", 404: "not_found_error"}.get(exc.status, "api_error")
                self._json(exc.status, {"error": {"message": str(exc), "type": kind, "param": None, "code": None}})
            else:
                self._json(exc.status, {"error": str(exc)})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _start_chunked(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self._access_log(200)

    def _ndjson_stream(self, objects) -> None:
        self._start_chunked("application/x-ndjson")
        for obj in objects:
            self._write_chunk(compact(obj) + b"\n")
        self._end_chunked()

    def _sse_stream(self, objects) -> None:
        """Server-sent events as Ollama's OpenAI layer writes them, ending with data: [DONE]."""
        self._start_chunked("text/event-stream")
        for obj in objects:
            self._write_chunk(b"data: " + compact(obj) + b"\n\n")
        self._write_chunk(b"data: [DONE]\n\n")
        self._end_chunked()

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
                "/v1/models": self.openai_models,
                "/v1/models/*": self.openai_model,
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
                "/api/embed": self.embed,
                "/api/embeddings": self.embeddings,
                "/v1/chat/completions": self.openai_chat,
                "/v1/embeddings": self.openai_embeddings,
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

    # -- inference: deterministic text and vectors ---------------------------------------------
    def _model_for_inference(self, body: dict) -> tuple[Name, str]:
        """The pulled model a generation or embedding asks for; 404 as Ollama's when missing."""
        raw = body.get("model")
        if not raw or not isinstance(raw, str):
            raise BadRequest("model is required")
        not_found = BadRequest(f"model {json.dumps(raw)} not found, try pulling it first", 404)
        try:
            name = Name.parse(raw)
        except NameError_:
            raise not_found from None
        if self.store.find(name) is None:
            raise not_found
        return name, raw

    def _keep_loaded(self, name: Name, keep_alive) -> str:
        """Mark the model loaded for keep_alive (0 unloads); "load" or "unload"."""
        seconds = parse_duration(keep_alive if keep_alive is not None else "5m")
        with self.state.lock:
            if seconds == 0:
                self.state.loaded.pop(name.key, None)
                return "unload"
            self.state.loaded[name.key] = time.time() + (seconds if seconds > 0 else 10 * 365 * 86400)
            return "load"

    def _generation(self, inputs: list[str], last_user: str, options) -> Generation:
        gen = Generation(self.node or node_name(), inputs, last_user, num_predict_of(options), self.latency)
        if self.latency > 0:
            time.sleep(self.latency)
        return gen

    def generate(self, path):
        """POST /api/generate and /api/chat: load/unload without input, else a deterministic reply."""
        body = self._json_body()
        self._record(path, body)
        name, raw = self._model_for_inference(body)
        chat = path == "/api/chat"
        if chat:
            messages = body.get("messages") or []
            if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
                raise BadRequest("json: cannot unmarshal messages: expected a list of message objects")
            for message in messages:
                if not isinstance(message.get("content", ""), (str, type(None))):
                    raise BadRequest("json: cannot unmarshal array into Go struct field Message.messages.content of type string")
            has_input = bool(messages)
        else:
            prompt = body.get("prompt") or ""
            if not isinstance(prompt, str):
                raise BadRequest("json: cannot unmarshal prompt into Go struct field GenerateRequest.prompt of type string")
            has_input = bool(prompt)
        keep_alive = body.get("keep_alive")

        if not has_input:  # Ollama: an empty prompt / no messages loads (keep_alive 0: unloads) the model
            reason = self._keep_loaded(name, keep_alive)
            reply = {"model": raw, "created_at": utc_stamp(), "done": True, "done_reason": reason}
            if chat:
                reply["message"] = {"role": "assistant", "content": ""}
            else:
                reply["response"] = ""
            return self._json(200, reply)

        if chat:
            inputs = [message.get("content") or "" for message in messages]
            users = [message.get("content") or "" for message in messages if message.get("role") == "user"]
            last_user = users[-1] if users else ""
        else:
            system = body.get("system") if isinstance(body.get("system"), str) else ""
            inputs, last_user = [system, prompt], prompt
        gen = self._generation(inputs, last_user, body.get("options"))
        self._keep_loaded(name, keep_alive)

        def part(text: str, done: bool) -> dict:
            obj = {"model": raw, "created_at": utc_stamp()}
            if chat:
                obj["message"] = {"role": "assistant", "content": text}
            else:
                obj["response"] = text
            obj["done"] = done
            return obj

        stream = body.get("stream")
        if stream is None or stream:
            chunks = [part(piece, False) for piece in gen.pieces]
            chunks.append({**part("", True), "done_reason": gen.done_reason, **gen.metrics()})
            return self._ndjson_stream(chunks)
        self._json(200, {**part(gen.text, True), "done_reason": gen.done_reason, **gen.metrics()})

    def embed(self, path):
        """POST /api/embed: {"model", "input": str | [str]} -> {"embeddings": [[8 floats]...]}."""
        body = self._json_body()
        self._record(path, body)
        name, raw = self._model_for_inference(body)
        try:
            texts = embedding_inputs(body.get("input"))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        dimensions = body.get("dimensions") if isinstance(body.get("dimensions"), int) else 0
        self._keep_loaded(name, body.get("keep_alive"))
        if not texts:
            return self._json(200, {"model": raw, "embeddings": []})
        if self.latency > 0:
            time.sleep(self.latency)
        count = sum(max(1, count_words(text)) for text in texts)
        self._json(
            200,
            {
                "model": raw,
                "embeddings": [embedding_vector(name.key, text, dimensions) for text in texts],
                "total_duration": int(self.latency * 1e9) + Generation.LOAD_NS + Generation.PROMPT_NS_PER_WORD * count,
                "load_duration": Generation.LOAD_NS,
                "prompt_eval_count": count,
            },
        )

    def embeddings(self, path):
        """POST /api/embeddings (the older endpoint): {"model", "prompt"} -> {"embedding": [...]}."""
        body = self._json_body()
        self._record(path, body)
        name, _raw = self._model_for_inference(body)
        prompt = body.get("prompt") or ""
        if not isinstance(prompt, str):
            raise BadRequest("json: cannot unmarshal prompt into Go struct field EmbeddingRequest.prompt of type string")
        self._keep_loaded(name, body.get("keep_alive"))
        if not prompt:  # an empty request loads the model
            return self._json(200, {"embedding": []})
        if self.latency > 0:
            time.sleep(self.latency)
        self._json(200, {"embedding": embedding_vector(name.key, prompt)})

    # -- Ollama's OpenAI-compatible API (/v1) -----------------------------------------------
    def openai_chat(self, path):
        """POST /v1/chat/completions: the same reply as /api/chat, shaped as OpenAI's."""
        body = self._json_body()
        self._record(path, body)
        name, raw = self._model_for_inference(body)
        messages = body.get("messages") or []
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise BadRequest("invalid message format")
        try:
            texts = [openai_content(message.get("content")) for message in messages]
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        options = {}
        max_tokens = body.get("max_tokens")
        if isinstance(max_tokens, int) and not isinstance(max_tokens, bool):
            options["num_predict"] = max_tokens
        completion_id = f"chatcmpl-{random.randrange(999)}"  # noqa: S311 - an id, as Ollama makes it
        created = int(time.time())
        head = {"id": completion_id, "object": "chat.completion", "created": created, "model": raw, "system_fingerprint": "fp_ollama"}
        if not messages:  # as /api/chat: no messages only loads the model
            self._keep_loaded(name, body.get("keep_alive"))
            usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
            choice = {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "load"}
            return self._json(200, {**head, "choices": [choice], "usage": usage})
        users = [text for text, message in zip(texts, messages) if message.get("role") == "user"]
        gen = self._generation(texts, users[-1] if users else "", options)
        self._keep_loaded(name, body.get("keep_alive"))
        if not body.get("stream"):
            choice = {"index": 0, "message": {"role": "assistant", "content": gen.text}, "finish_reason": gen.done_reason}
            return self._json(200, {**head, "choices": [choice], "usage": gen.usage()})
        head["object"] = "chat.completion.chunk"

        def chunk(text: str, finish: str | None) -> dict:
            return {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": finish}]}

        events = [*(chunk(piece, None) for piece in gen.pieces), chunk("", gen.done_reason)]
        stream_options = body.get("stream_options")
        if isinstance(stream_options, dict) and stream_options.get("include_usage"):
            events.append({**head, "choices": [], "usage": gen.usage()})
        self._sse_stream(events)

    def openai_embeddings(self, path):
        """POST /v1/embeddings: the vectors of /api/embed as an OpenAI embedding list."""
        body = self._json_body()
        self._record(path, body)
        name, raw = self._model_for_inference(body)
        try:
            texts = embedding_inputs(body.get("input"))
        except ValueError:
            texts = []
        if not texts:
            raise BadRequest("invalid input")
        dimensions = body.get("dimensions") if isinstance(body.get("dimensions"), int) else 0
        self._keep_loaded(name, body.get("keep_alive"))
        if self.latency > 0:
            time.sleep(self.latency)
        as_base64 = str(body.get("encoding_format") or "").lower() == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = embedding_vector(name.key, text, dimensions)
            data.append({"object": "embedding", "embedding": embedding_base64(vector) if as_base64 else vector, "index": index})
        count = sum(max(1, count_words(text)) for text in texts)
        self._json(200, {"object": "list", "data": data, "model": raw, "usage": {"prompt_tokens": count, "total_tokens": count}})

    def _openai_model(self, name: Name, manifest_path: Path) -> dict:
        return {
            "id": name.display,
            "object": "model",
            "created": int(manifest_path.stat().st_mtime),
            "owned_by": name.namespace,
        }

    def openai_models(self, path):
        """GET /v1/models: the pulled models (null data when there are none, as Ollama answers)."""
        self._record(path, None)
        found = []
        for name, manifest_path in self.store.manifests():
            try:
                found.append((manifest_path.stat().st_mtime, self._openai_model(name, manifest_path)))
            except OSError:
                continue
        found.sort(key=lambda item: item[1]["id"])
        found.sort(key=lambda item: item[0], reverse=True)  # newest first, as /api/tags
        self._json(200, {"object": "list", "data": [model for _mtime, model in found] or None})

    def openai_model(self, path):
        """GET /v1/models/<name>."""
        raw = urllib.parse.unquote(path[len("/v1/models/") :])
        self.state.record(self.command, path, display_or_raw(raw))
        try:
            name = Name.parse(raw)
        except NameError_:
            raise BadRequest(f"model '{raw}' not found", 404) from None
        manifest_path = self.store.find(name)
        if manifest_path is None:
            raise BadRequest(f"model '{raw}' not found", 404)
        self._json(200, self._openai_model(name, manifest_path))

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
        self._start_chunked("application/x-ndjson")

        def chunk(obj) -> None:
            self._write_chunk(compact(obj) + b"\n")

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
        self._end_chunked()

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
        self._json(200, {"node": self.node or node_name(), **self.state.stats()})

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
        latency = latency_from_env()
    except ValueError as exc:
        log("ERROR", "OLLAMA_DOUBLE_LATENCY_MS is not valid", error=exc)
        return 1
    try:
        store = Store(models)
    except OSError as exc:
        log("ERROR", "models directory is not usable", path=models, error=exc)
        return 1
    node = node_name()
    handler = type("Handler", (OllamaHandler,), {"store": store, "state": state, "node": node, "latency": latency})
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
        f"OLLAMA_DOUBLE_REGISTRY:{os.environ.get('OLLAMA_DOUBLE_REGISTRY', '')} "
        f"OLLAMA_DOUBLE_NODE:{node} OLLAMA_DOUBLE_LATENCY_MS:{latency * 1000:g}]",
    )
    log(
        "INFO",
        "this is a test double of the Ollama server: no model is run (replies echo the prompt, "
        "embeddings come from a hash), no GPU discovery, sparse blobs",
    )
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
