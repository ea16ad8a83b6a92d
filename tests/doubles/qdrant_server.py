"""Test double of the Qdrant vector database (image qdrant/qdrant v1.15), speaking the part of its REST API the platform uses.

For tests only: the collection never imports it, and it is no vector database (no search, no
index, no gRPC, no cluster). Qdrant cannot be had on the build machines, so this file is the
entrypoint of the image tests/images/qdrant/ and, through ``serve()``, runs in-process in the
tests. Python 3 standard library only (the image has nothing but python3 and bash).

Configuration, read from the environment variables the real image reads (empty = unset):

* ``QDRANT__SERVICE__HOST`` (default 0.0.0.0), ``QDRANT__SERVICE__HTTP_PORT`` (default 6333).
* ``QDRANT__SERVICE__API_KEY``: with it, every request but the health endpoints needs the key,
  in an ``api-key`` header or as ``Authorization: Bearer <key>``.
* ``QDRANT__SERVICE__READ_ONLY_API_KEY``: a key that may read (GET, and the read-only POST
  endpoints such as points/count) and gets HTTP 403 on everything else.
* ``QDRANT__STORAGE__STORAGE_PATH`` (default /qdrant/storage): collections are kept as
  ``collections/<name>/config.json`` and ``points.json`` below it, so they survive a restart.
* ``QDRANT__STORAGE__SNAPSHOTS_PATH`` (default /qdrant/snapshots): where snapshots are written.
* ``QDRANT__TELEMETRY_DISABLED``: accepted and logged; the double never sends anything anyway.

Wire behaviour, as Qdrant's (status codes and bodies checked against its source):

* Answers are ``{"result": ..., "status": "ok", "time": <seconds>}``; errors are
  ``{"status": {"error": "<text>"}, "time": ...}`` with the HTTP status Qdrant uses (404 for a
  missing collection, 409 when it already exists, 400 wrong input, 422 validation).
* Without a key (when one is configured): 401, text/plain "Must provide an API key or an
  Authorization bearer token"; with a wrong key: 401 "Invalid API key or JWT". A read-only key
  on a write: 403 ``{"status": {"error": "Forbidden: Global manage access is required"}}``.
* ``GET /`` (title and version), ``/healthz``, ``/livez``, ``/readyz`` need no key.

Endpoints: ``GET /collections``; ``GET|PUT|PATCH|DELETE /collections/{name}``;
``GET /collections/{name}/exists``; ``PUT /collections/{name}/points`` (upsert, ``points`` or
``batch``); ``POST /collections/{name}/points/count`` (filters: must/should/must_not of
``{"key", "match": {"value"}}`` only); ``POST|GET /collections/{name}/snapshots`` (a tar of the
double's files, with a ``.checksum`` file beside it). Anything else: 404 with an empty body.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VERSION = "1.15.4"
COMMIT = "0000000000000000000000000000000000000000"
TITLE = "qdrant - vector search engine"
DEFAULT_PORT = 6333
DISTANCES = ("Cosine", "Euclid", "Dot", "Manhattan")
MISSING_KEY = "Must provide an API key or an Authorization bearer token"
WRONG_KEY = "Invalid API key or JWT"
READ_ONLY = "Forbidden: Global manage access is required"

# Defaults of a new collection, as the image's config.yaml sets them.
DEFAULT_HNSW = {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000, "max_indexing_threads": 0, "on_disk": False}
DEFAULT_OPTIMIZERS = {
    "deleted_threshold": 0.2,
    "vacuum_min_vector_number": 1000,
    "default_segment_number": 0,
    "max_segment_size": None,
    "memmap_threshold": None,
    "indexing_threshold": 10000,
    "flush_interval_sec": 5,
    "max_optimization_threads": None,
}
DEFAULT_WAL = {"wal_capacity_mb": 32, "wal_segments_ahead": 0}
HNSW_KEYS = ("m", "ef_construct", "full_scan_threshold", "max_indexing_threads", "on_disk", "payload_m")
PARAM_PATCH_KEYS = ("replication_factor", "write_consistency_factor", "read_fan_out_factor", "on_disk_payload")
# POST endpoints a read-only key may use (everything else but GET is a write).
READ_ONLY_POST = re.compile(r"^/collections/[^/]+/points(/(count|scroll|search|search/batch|recommend|query))?$")
FORBIDDEN_NAME_CHARS = '<>:"/\\|?*\0'


def log(level, message):
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    sys.stderr.write("%s %-5s qdrant: %s\n" % (now, level, message))
    sys.stderr.flush()


class ApiFailure(Exception):
    """An error answer in Qdrant's envelope."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(name):
    return ApiFailure(404, "Not found: Collection `%s` doesn't exist!" % name)


def format_error(detail):
    return ApiFailure(400, "Format error in JSON body: %s" % detail)


def validation_error(field, detail):
    return ApiFailure(422, "Validation error in JSON body: [%s: %s]" % (field, detail))


def env_flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


# -- configuration -------------------------------------------------------------------------------
class Config:
    def __init__(self, api_key=None, read_only_api_key=None, storage_path="/qdrant/storage",
                 snapshots_path="/qdrant/snapshots", telemetry_disabled=False, log_requests=False):
        self.api_key = api_key or None
        self.read_only_api_key = read_only_api_key or None
        self.storage_path = Path(storage_path)
        self.snapshots_path = Path(snapshots_path)
        self.telemetry_disabled = bool(telemetry_disabled)
        self.log_requests = log_requests

    @classmethod
    def from_env(cls, environ=None):
        env = os.environ if environ is None else environ
        return cls(
            api_key=env.get("QDRANT__SERVICE__API_KEY", ""),
            read_only_api_key=env.get("QDRANT__SERVICE__READ_ONLY_API_KEY", ""),
            storage_path=env.get("QDRANT__STORAGE__STORAGE_PATH") or "/qdrant/storage",
            snapshots_path=env.get("QDRANT__STORAGE__SNAPSHOTS_PATH") or "/qdrant/snapshots",
            telemetry_disabled=env_flag(env.get("QDRANT__TELEMETRY_DISABLED", "")),
            log_requests=True,
        )

    @property
    def auth_enabled(self):
        return bool(self.api_key or self.read_only_api_key)


# -- request validation --------------------------------------------------------------------------
def validate_name(name):
    if not name or len(name) > 255:
        raise ApiFailure(422, "Validation error in path parameters: [name: length must be between 1 and 255]")
    for char in FORBIDDEN_NAME_CHARS:
        if char in name:
            raise ApiFailure(422, 'Validation error in path parameters: [name: collection name cannot contain "%s" char]' % char)
    if name in (".", ".."):
        raise ApiFailure(422, "Validation error in path parameters: [name: collection name cannot be %s]" % name)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(value, field, minimum=None, optional=False):
    if value is None and optional:
        return None
    if not is_int(value):
        raise format_error("invalid type: %s, expected an unsigned integer for `%s`" % (json.dumps(value), field))
    if minimum is not None and value < minimum:
        raise validation_error(field, "value %d invalid, must be %d or larger" % (value, minimum))
    return value


def check_bool(value, field, optional=True):
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise format_error("invalid type: %s, expected a boolean for `%s`" % (json.dumps(value), field))
    return value


def check_object(value, field, optional=True):
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise format_error("invalid type: %s, expected a map for `%s`" % (json.dumps(value), field))
    return value


def vector_params(raw, field):
    raw = check_object(raw, field, optional=False)
    if "size" not in raw:
        raise format_error("missing field `size` in `%s`" % field)
    if "distance" not in raw:
        raise format_error("missing field `distance` in `%s`" % field)
    size = check_int(raw["size"], field + ".size")
    if not 1 <= size <= 65536:
        raise validation_error(field + ".size", "value %d invalid, must be from 1 to 65536" % size)
    if raw["distance"] not in DISTANCES:
        raise format_error("unknown variant `%s`, expected one of %s" % (raw["distance"], ", ".join("`%s`" % d for d in DISTANCES)))
    params = {"size": size, "distance": raw["distance"]}
    for key in ("hnsw_config", "quantization_config", "datatype", "multivector_config"):
        if raw.get(key) is not None:
            params[key] = raw[key]
    if raw.get("on_disk") is not None:
        params["on_disk"] = check_bool(raw["on_disk"], field + ".on_disk")
    return params


def vectors_config(raw):
    """One unnamed vector ({"size", "distance", ...}) or named vectors ({name: {...}})."""
    if raw is None:
        return {}
    raw = check_object(raw, "vectors", optional=False)
    if "size" in raw or "distance" in raw:
        return vector_params(raw, "vectors")
    return {name: vector_params(params, "vectors.%s" % name) for name, params in raw.items()}


def is_single(vectors):
    return "size" in vectors


def given(body, key, default):
    """A field of a request; null counts as absent, as serde's Option does."""
    value = body.get(key)
    return default if value is None else value


def merge_known(base, diff, keys, field):
    diff = check_object(diff, field)
    merged = dict(base)
    for key in keys:
        if key in diff:
            merged[key] = diff[key]
    return merged


# -- storage -------------------------------------------------------------------------------------
class Store:
    """Collections in memory, written through to JSON files under the storage path."""

    def __init__(self, storage_path, snapshots_path):
        self.root = Path(storage_path)
        self.snapshots = Path(snapshots_path)
        self.collections_dir = self.root / "collections"
        self.collections_dir.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.collections = {}
        self.operation_id = 0
        self.peer_id = self._peer_id()
        for directory in sorted(self.collections_dir.iterdir()):
            config_file = directory / "config.json"
            if not config_file.is_file():
                continue
            config = json.loads(config_file.read_text())
            points_file = directory / "points.json"
            points = json.loads(points_file.read_text()) if points_file.is_file() else []
            self.collections[directory.name] = {"config": config, "points": {point_key(p["id"]): p for p in points}}

    def _peer_id(self):
        state = self.root / "raft_state.json"
        if state.is_file():
            return json.loads(state.read_text())["this_peer_id"]
        peer_id = random.randint(10 ** 14, 10 ** 16)
        write_json(state, {"this_peer_id": peer_id})
        return peer_id

    def directory(self, name):
        return self.collections_dir / name

    def get(self, name):
        collection = self.collections.get(name)
        if collection is None:
            raise not_found(name)
        return collection

    def save(self, name):
        collection = self.collections[name]
        directory = self.directory(name)
        directory.mkdir(parents=True, exist_ok=True)
        write_json(directory / "config.json", collection["config"])
        write_json(directory / "points.json", list(collection["points"].values()))

    def create(self, name, body):
        body = check_object(body, "body")
        vectors = vectors_config(body.get("vectors"))
        params = {
            "vectors": vectors,
            "shard_number": check_int(given(body, "shard_number", 1), "shard_number", 1),
            "replication_factor": check_int(given(body, "replication_factor", 1), "replication_factor", 1),
            "write_consistency_factor": check_int(given(body, "write_consistency_factor", 1), "write_consistency_factor", 1),
            "on_disk_payload": check_bool(given(body, "on_disk_payload", True), "on_disk_payload", optional=False),
        }
        if body.get("sparse_vectors") is not None:
            params["sparse_vectors"] = check_object(body["sparse_vectors"], "sparse_vectors")
        config = {
            "params": params,
            "hnsw_config": merge_known(DEFAULT_HNSW, body.get("hnsw_config"), HNSW_KEYS, "hnsw_config"),
            "optimizer_config": merge_known(DEFAULT_OPTIMIZERS, body.get("optimizers_config"), DEFAULT_OPTIMIZERS, "optimizers_config"),
            "wal_config": merge_known(DEFAULT_WAL, body.get("wal_config"), DEFAULT_WAL, "wal_config"),
            "quantization_config": body.get("quantization_config"),
            "strict_mode_config": {"enabled": False},
        }
        with self.lock:
            if name in self.collections:
                raise ApiFailure(409, "Wrong input: Collection `%s` already exists!" % name)
            self.collections[name] = {"config": config, "points": {}}
            self.save(name)
        return True

    def update(self, name, body):
        body = check_object(body, "body")
        with self.lock:
            collection = self.get(name)
            config = copy.deepcopy(collection["config"])
            vectors = config["params"]["vectors"]
            for vector_name, diff in check_object(body.get("vectors"), "vectors").items():
                diff = check_object(diff, "vectors.%s" % vector_name, optional=False)
                if is_single(vectors) and vector_name == "":
                    target = vectors
                elif not is_single(vectors) and vector_name in vectors:
                    target = vectors[vector_name]
                else:
                    raise ApiFailure(400, "Wrong input: Not existing vector name error: %s" % vector_name)
                if diff.get("on_disk") is not None:
                    target["on_disk"] = check_bool(diff["on_disk"], "vectors.%s.on_disk" % vector_name)
                for key in ("hnsw_config", "quantization_config"):
                    if diff.get(key) is not None:
                        target[key] = diff[key]
            params = check_object(body.get("params"), "params")
            for key in PARAM_PATCH_KEYS:
                if params.get(key) is None:
                    continue
                if key == "on_disk_payload":
                    config["params"][key] = check_bool(params[key], "params." + key)
                else:
                    config["params"][key] = check_int(params[key], "params." + key, 1)
            config["hnsw_config"] = merge_known(config["hnsw_config"], body.get("hnsw_config"), HNSW_KEYS, "hnsw_config")
            config["optimizer_config"] = merge_known(config["optimizer_config"], body.get("optimizers_config"),
                                                     DEFAULT_OPTIMIZERS, "optimizers_config")
            if body.get("quantization_config") is not None:
                config["quantization_config"] = body["quantization_config"]
            if body.get("strict_mode_config") is not None:
                strict = check_object(body["strict_mode_config"], "strict_mode_config")
                config["strict_mode_config"] = dict(config.get("strict_mode_config") or {}, **strict)
            collection["config"] = config
            self.save(name)
        return True

    def delete(self, name):
        with self.lock:
            if name not in self.collections:
                return False
            del self.collections[name]
            shutil.rmtree(self.directory(name), ignore_errors=True)
        return True

    def info(self, name):
        with self.lock:
            collection = self.get(name)
            return {
                "status": "green",
                "optimizer_status": "ok",
                "indexed_vectors_count": 0,
                "points_count": len(collection["points"]),
                "segments_count": 2,
                "config": copy.deepcopy(collection["config"]),
                "payload_schema": {},
            }

    def upsert(self, name, body, wait):
        body = check_object(body, "body", optional=False)
        with self.lock:
            collection = self.get(name)
            vectors = collection["config"]["params"]["vectors"]
            points = [normalise_point(p, vectors) for p in points_of(body)]
            for point in points:
                collection["points"][point_key(point["id"])] = point
            self.save(name)
            self.operation_id += 1
            return {"operation_id": self.operation_id, "status": "completed" if wait else "acknowledged"}

    def count(self, name, body):
        body = check_object(body, "body")
        with self.lock:
            points = list(self.get(name)["points"].values())
        flt = body.get("filter")
        if flt is not None:
            points = [p for p in points if matches(flt, p.get("payload") or {})]
        return {"count": len(points)}

    def snapshot(self, name):
        with self.lock:
            collection = self.get(name)
            config = json.dumps(collection["config"], indent=2).encode()
            points = json.dumps(list(collection["points"].values())).encode()
        now = _dt.datetime.now(_dt.timezone.utc)
        snapshot_name = "%s-%d-%s.snapshot" % (name, self.peer_id, now.strftime("%Y-%m-%d-%H-%M-%S"))
        directory = self.snapshots / name
        directory.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for member, data in (("config.json", config), ("points.json", points)):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mtime = int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
        data = buffer.getvalue()
        checksum = hashlib.sha256(data).hexdigest()
        path = directory / snapshot_name
        path.write_bytes(data)
        (directory / (snapshot_name + ".checksum")).write_text(checksum)
        return snapshot_description(path, checksum)

    def list_snapshots(self, name):
        with self.lock:
            self.get(name)
        directory = self.snapshots / name
        if not directory.is_dir():
            return []
        found = []
        for path in sorted(directory.glob("*.snapshot")):
            checksum_file = path.with_name(path.name + ".checksum")
            checksum = checksum_file.read_text().strip() if checksum_file.is_file() else None
            found.append(snapshot_description(path, checksum))
        return found


def snapshot_description(path, checksum):
    stat = path.stat()
    created = _dt.datetime.fromtimestamp(stat.st_mtime, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return {"name": path.name, "creation_time": created, "size": stat.st_size, "checksum": checksum}


def write_json(path, obj):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=True))
    os.replace(tmp, path)


def point_key(point_id):
    return json.dumps(point_id)


def check_point_id(point_id):
    if is_int(point_id) and point_id >= 0:
        return point_id
    if isinstance(point_id, str):
        try:
            return str(uuid.UUID(point_id))
        except ValueError:
            pass
    raise format_error("value %s is not a valid point ID, valid values are either an unsigned integer or a UUID" % json.dumps(point_id))


def points_of(body):
    if "points" in body:
        if not isinstance(body["points"], list):
            raise format_error("invalid type for `points`, expected a sequence")
        return body["points"]
    if "batch" in body:
        batch = check_object(body["batch"], "batch", optional=False)
        ids = batch.get("ids") or []
        vectors = batch.get("vectors")
        payloads = batch.get("payloads") or [None] * len(ids)
        if isinstance(vectors, dict):
            per_point = [{name: values[i] for name, values in vectors.items()} for i in range(len(ids))]
        else:
            per_point = list(vectors or [])
        if not len(ids) == len(per_point) == len(payloads):
            raise ApiFailure(400, "Wrong input: number of ids, vectors and payloads in the batch differ")
        return [{"id": i, "vector": v, "payload": p} for i, v, p in zip(ids, per_point, payloads, strict=True)]
    raise format_error("data did not match any variant of untagged enum PointInsertOperations")


def check_vector(values, size):
    if not isinstance(values, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values):
        raise format_error("invalid type for a vector, expected a sequence of numbers")
    if len(values) != size:
        raise ApiFailure(400, "Wrong input: Vector dimension error: expected dim: %d, got %d" % (size, len(values)))
    return [float(x) for x in values]


def normalise_point(raw, vectors):
    raw = check_object(raw, "points[]", optional=False)
    point_id = check_point_id(raw.get("id"))
    vector = raw.get("vector")
    if is_single(vectors):
        if isinstance(vector, dict):
            vector = vector.get("")
        vector = check_vector(vector, vectors["size"])
    else:
        vector = check_object(vector, "vector")
        for name in vector:
            if name not in vectors:
                raise ApiFailure(400, "Wrong input: Not existing vector name error: %s" % name)
        vector = {name: check_vector(values, vectors[name]["size"]) for name, values in vector.items()}
    payload = raw.get("payload")
    return {"id": point_id, "vector": vector, "payload": check_object(payload, "payload") if payload is not None else None}


def condition_holds(condition, payload):
    if not isinstance(condition, dict) or "key" not in condition or not isinstance(condition.get("match"), dict) \
            or "value" not in condition["match"]:
        raise ApiFailure(400, "Wrong input: the Qdrant test double only evaluates {\"key\", \"match\": {\"value\"}} conditions")
    value = payload
    for part in condition["key"].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    wanted = condition["match"]["value"]
    return wanted in value if isinstance(value, list) else value == wanted


def matches(flt, payload):
    flt = check_object(flt, "filter", optional=False)
    must = all(condition_holds(c, payload) for c in flt.get("must") or [])
    should = not flt.get("should") or any(condition_holds(c, payload) for c in flt["should"])
    must_not = not any(condition_holds(c, payload) for c in flt.get("must_not") or [])
    return must and should and must_not


# -- HTTP ----------------------------------------------------------------------------------------
class QdrantHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "qdrant-double/" + VERSION
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - base class signature
        if self.server.config.log_requests:
            log("INFO", "%s %s" % (self.client_address[0], format % args))

    # -- responses
    def _send(self, status, body, content_type):
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _ok(self, result):
        self._json(200, {"result": result, "status": "ok", "time": round(time.monotonic() - self._started, 6)})

    def _error(self, status, message):
        self._json(status, {"status": {"error": message}, "time": round(time.monotonic() - self._started, 6)})

    def _text(self, status, text):
        self._send(status, text.encode(), "text/plain; charset=utf-8")

    # -- request plumbing
    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise format_error("%s at line %d column %d" % (exc.msg, exc.lineno, exc.colno)) from None

    def _key(self):
        key = self.headers.get("api-key")
        if key is None:
            authorization = self.headers.get("Authorization") or ""
            if authorization.startswith("Bearer "):
                key = authorization[len("Bearer "):]
        return key

    def _authorise(self, path):
        """True when the request may go on; False when the refusal has been sent."""
        config = self.server.config
        if not config.auth_enabled or path in ("/", "/healthz") or path.startswith(("/readyz", "/livez")):
            return True
        key = self._key()
        if key is None:
            self._text(401, MISSING_KEY)
            return False
        if config.api_key and key == config.api_key:
            return True
        if config.read_only_api_key and key == config.read_only_api_key:
            if self.command == "GET" or (self.command == "POST" and READ_ONLY_POST.match(path)):
                return True
            self._error(403, READ_ONLY)
            return False
        self._text(401, WRONG_KEY)
        return False

    def _dispatch(self):
        self._started = time.monotonic()
        self.server.requests.append((self.command, self.path))
        split = urllib.parse.urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = urllib.parse.parse_qs(split.query)
        try:
            body = self._read_body() if self.command in ("PUT", "POST", "PATCH", "DELETE") else None
        except ApiFailure as exc:
            body = exc
        if not self._authorise(path):
            return
        try:
            if isinstance(body, ApiFailure):
                raise body
            self._route(path, query, body)
        except ApiFailure as exc:
            self._error(exc.status, exc.message)
        except Exception as exc:  # a bug in the double must still answer, in Qdrant's format
            log("ERROR", "%s %s: %r" % (self.command, self.path, exc))
            self._error(500, "Service internal error: %s" % exc)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def _route(self, path, query, body):
        store = self.server.store
        method = self.command
        if path == "/" and method in ("GET", "HEAD"):
            return self._json(200, {"title": TITLE, "version": VERSION, "commit": COMMIT})
        if method in ("GET", "HEAD") and path in ("/healthz", "/livez", "/readyz"):
            return self._text(200, {"/healthz": "healthz check passed", "/livez": "healthz check passed",
                                    "/readyz": "all shards are ready"}[path])
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        if parts[0] != "collections":
            return self._send(404, b"", "text/plain")
        if parts == ["collections"] and method == "GET":
            with store.lock:
                names = sorted(store.collections)
            return self._ok({"collections": [{"name": n} for n in names]})
        if len(parts) < 2:
            return self._send(404, b"", "text/plain")
        name, rest = parts[1], parts[2:]
        validate_name(name)
        wait = query.get("wait", ["false"])[0].lower() == "true"
        handler = {
            ((), "GET"): lambda: store.info(name),
            ((), "PUT"): lambda: store.create(name, body),
            ((), "PATCH"): lambda: store.update(name, body),
            ((), "DELETE"): lambda: store.delete(name),
            (("exists",), "GET"): lambda: {"exists": name in store.collections},
            (("points",), "PUT"): lambda: store.upsert(name, body, wait),
            (("points", "count"), "POST"): lambda: store.count(name, body),
            (("snapshots",), "POST"): lambda: store.snapshot(name),
            (("snapshots",), "GET"): lambda: store.list_snapshots(name),
        }.get((tuple(rest), method))
        if handler is None:
            return self._send(404, b"", "text/plain")
        return self._ok(handler())


class QdrantDoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, config):
        self.config = config
        self.store = Store(config.storage_path, config.snapshots_path)
        self.requests = []  # (method, path) of every request, for in-process tests
        super().__init__(address, QdrantHandler)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return "http://%s:%d" % ("127.0.0.1" if host in ("0.0.0.0", "") else host, port)

    def close(self):
        self.shutdown()
        self.server_close()


def serve(port=0, host="127.0.0.1", **config):
    """Start the double in a daemon thread; returns (server, thread).

    ``server.url`` is its base URL, ``server.requests`` lists (method, path) of every request,
    ``server.close()`` stops it. ``config``: the keyword arguments of ``Config``; without a
    ``storage_path`` the collections go to a new temporary directory (and snapshots below it).
    """
    if not config.get("storage_path"):
        config["storage_path"] = tempfile.mkdtemp(prefix="qdrant-double-")
    config.setdefault("snapshots_path", str(Path(config["storage_path"]) / "snapshots"))
    server = QdrantDoubleServer((host, port), Config(**config))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def main():
    config = Config.from_env()
    host = os.environ.get("QDRANT__SERVICE__HOST") or "0.0.0.0"  # noqa: S104 - as the image does
    try:
        port = int(os.environ.get("QDRANT__SERVICE__HTTP_PORT") or DEFAULT_PORT)
    except ValueError:
        log("ERROR", "QDRANT__SERVICE__HTTP_PORT must be a port number")
        return 1
    try:
        server = QdrantDoubleServer((host, port), config)
    except (OSError, ValueError, KeyError) as exc:
        log("ERROR", "cannot start: %s" % exc)
        return 1
    log("INFO", "this is a test double of Qdrant %s (REST collections, points upsert/count, snapshots; no search)" % VERSION)
    loaded = len(server.store.collections)
    log("INFO", "Storage: %s, snapshots: %s, %d collection(s) loaded" % (config.storage_path, config.snapshots_path, loaded))
    if not config.auth_enabled:
        log("WARN", "There is no API key configured: the REST API is open to anyone who can reach it")
    if config.telemetry_disabled:
        log("INFO", "Telemetry reporting disabled")
    log("INFO", "Qdrant HTTP listening on %d" % server.server_address[1])

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("INFO", "Stopping")
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
