# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Qdrant double (tests/doubles/qdrant_server.py) against the rules of the real Qdrant REST API.

The double runs as the image runs it: ``python3 -I -S qdrant_server.py`` (standard library only),
configured by Qdrant's own environment variables, on 127.0.0.1 with a free port. Checks use plain
urllib, so they test the wire: status codes, bodies, headers. The expected answers are those of
Qdrant 1.15 (the auth middleware's 401 texts, the 403 of a read-only key, the 409 of an existing
collection, the shape of a collection's info).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

DOUBLE = Path(__file__).resolve().parents[1] / "doubles" / "qdrant_server.py"
KEY = "rw-7f3a"
READ_ONLY_KEY = "ro-19c2"
TIMEOUT = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method, url, body=None, key=KEY, headers=None):
    """(status, headers, body bytes); HTTP errors are returned, not raised."""
    all_headers = dict(headers or {})
    if key is not None:
        all_headers["api-key"] = key
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def call_json(method, url, body=None, **kwargs):
    status, _headers, raw = call(method, url, body, **kwargs)
    return status, json.loads(raw) if raw else None


def envelope(result):
    """Equal to Qdrant's {"result": <result>, "status": "ok", "time": <seconds>}."""

    class Envelope:
        def __eq__(self, other):
            return (isinstance(other, dict) and set(other) == {"result", "status", "time"} and other["result"] == result
                    and other["status"] == "ok" and isinstance(other["time"], float))

        def __repr__(self):
            return "<Qdrant envelope of %r>" % (result,)

    return Envelope()


class Double:
    """The double as a process; start() and stop() keep the same storage, as a container restart does."""

    def __init__(self, tmp_path, **env):
        self.storage = tmp_path / "storage"
        self.snapshots = tmp_path / "snapshots"
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "QDRANT__SERVICE__HOST": "127.0.0.1",
            "QDRANT__SERVICE__HTTP_PORT": str(self.port),
            "QDRANT__SERVICE__API_KEY": KEY,
            "QDRANT__SERVICE__READ_ONLY_API_KEY": READ_ONLY_KEY,
            "QDRANT__STORAGE__STORAGE_PATH": str(self.storage),
            "QDRANT__STORAGE__SNAPSHOTS_PATH": str(self.snapshots),
            "QDRANT__TELEMETRY_DISABLED": "true",
        }
        self.env.update(env)
        self.process = None
        self.log = tmp_path / "double.log"

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-I", "-S", str(DOUBLE)], env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("the double exited with %s:\n%s" % (self.process.returncode, self.log.read_text()))
            try:
                if call("GET", self.url + "/readyz", key=None)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        pytest.fail("the double did not answer within %d s:\n%s" % (TIMEOUT, self.log.read_text()))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=TIMEOUT)
        return self.process.returncode if self.process else None


@pytest.fixture
def double(tmp_path):
    running = Double(tmp_path).start()
    yield running
    running.stop()


def create(double, name, body=None):
    status, answer = call_json("PUT", "%s/collections/%s" % (double.url, name), body or {"vectors": {"size": 4, "distance": "Cosine"}})
    assert status == 200, answer
    return answer


# -- service endpoints and authentication ---------------------------------------------------------


def test_root_and_health_need_no_key(double):
    status, headers, raw = call("GET", double.url + "/", key=None)
    assert status == 200 and headers["Content-Type"] == "application/json"
    root = json.loads(raw)
    assert root["title"] == "qdrant - vector search engine"
    assert root["version"] == "1.15.4"
    for path, text in (("/healthz", "healthz check passed"), ("/livez", "healthz check passed"), ("/readyz", "all shards are ready")):
        status, headers, raw = call("GET", double.url + path, key=None)
        assert (status, raw.decode()) == (200, text)
        assert headers["Content-Type"].startswith("text/plain")


def test_no_key_is_401_in_plain_text(double):
    status, headers, raw = call("GET", double.url + "/collections", key=None)
    assert status == 401
    assert raw == b"Must provide an API key or an Authorization bearer token"
    assert headers["Content-Type"].startswith("text/plain")


def test_wrong_key_is_401(double):
    assert call("GET", double.url + "/collections", key="nope")[::2] == (401, b"Invalid API key or JWT")
    bearer = call("GET", double.url + "/collections", key=None, headers={"Authorization": "Bearer nope"})
    assert bearer[::2] == (401, b"Invalid API key or JWT")


def test_key_in_header_or_as_bearer_token(double):
    assert call_json("GET", double.url + "/collections")[0] == 200
    status, body = call_json("GET", double.url + "/collections", key=None, headers={"Authorization": "Bearer " + KEY})
    assert status == 200 and body["status"] == "ok" and body["result"] == {"collections": []}
    assert isinstance(body["time"], float)


def test_read_only_key_reads_and_gets_403_on_writes(double):
    create(double, "docs")
    base = double.url + "/collections/docs"
    call_json("PUT", base + "/points?wait=true", {"points": [{"id": 1, "vector": [1, 0, 0, 0]}]})
    assert call_json("GET", double.url + "/collections", key=READ_ONLY_KEY)[0] == 200
    assert call_json("GET", base, key=READ_ONLY_KEY)[0] == 200
    assert call_json("GET", base + "/exists", key=READ_ONLY_KEY) == (200, envelope({"exists": True}))
    assert call_json("POST", base + "/points/count", {"exact": True}, key=READ_ONLY_KEY)[1]["result"] == {"count": 1}
    for method, path, body in (
        ("PUT", double.url + "/collections/other", {"vectors": {"size": 4, "distance": "Dot"}}),
        ("PATCH", base, {"params": {"on_disk_payload": False}}),
        ("DELETE", base, None),
        ("PUT", base + "/points", {"points": [{"id": 2, "vector": [0, 1, 0, 0]}]}),
        ("POST", base + "/snapshots", None),
    ):
        status, answer = call_json(method, path, body, key=READ_ONLY_KEY)
        assert status == 403, (method, path)
        assert answer["status"] == {"error": "Forbidden: Global manage access is required"}
    status, info = call_json("GET", base)
    assert info["result"]["points_count"] == 1 and info["result"]["config"]["params"]["on_disk_payload"] is True
    assert call_json("GET", double.url + "/collections")[1]["result"] == {"collections": [{"name": "docs"}]}


def test_without_keys_everything_is_open(tmp_path):
    open_double = Double(tmp_path, QDRANT__SERVICE__API_KEY="", QDRANT__SERVICE__READ_ONLY_API_KEY="").start()
    try:
        assert call_json("PUT", open_double.url + "/collections/docs", {"vectors": {"size": 2, "distance": "Dot"}}, key=None)[0] == 200
        assert call_json("DELETE", open_double.url + "/collections/docs", key=None)[1]["result"] is True
    finally:
        open_double.stop()
    assert "There is no API key configured" in open_double.log.read_text()


# -- collections ------------------------------------------------------------------------------------


def test_create_then_409_and_the_collection_info(double):
    assert create(double, "docs", {"vectors": {"size": 768, "distance": "Cosine", "on_disk": True}, "shard_number": 2,
                                   "hnsw_config": {"m": 32}, "optimizers_config": {"indexing_threshold": 0}})["result"] is True
    status, answer = call_json("PUT", double.url + "/collections/docs", {"vectors": {"size": 768, "distance": "Cosine"}})
    assert status == 409
    assert answer["status"] == {"error": "Wrong input: Collection `docs` already exists!"}
    assert "result" not in answer
    status, answer = call_json("GET", double.url + "/collections/docs")
    info = answer["result"]
    assert (info["status"], info["optimizer_status"], info["points_count"]) == ("green", "ok", 0)
    config = info["config"]
    assert config["params"] == {"vectors": {"size": 768, "distance": "Cosine", "on_disk": True}, "shard_number": 2,
                                "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": True}
    assert config["hnsw_config"] == {"m": 32, "ef_construct": 100, "full_scan_threshold": 10000, "max_indexing_threads": 0,
                                     "on_disk": False}
    assert config["optimizer_config"]["indexing_threshold"] == 0  # sent as optimizers_config, shown as optimizer_config
    assert config["optimizer_config"]["deleted_threshold"] == 0.2
    assert config["wal_config"] == {"wal_capacity_mb": 32, "wal_segments_ahead": 0}


def test_named_vectors_and_patch(double):
    create(double, "products", {"vectors": {"text": {"size": 8, "distance": "Cosine"}, "image": {"size": 4, "distance": "Dot"}}})
    base = double.url + "/collections/products"
    status, answer = call_json("PATCH", base, {"vectors": {"image": {"on_disk": True}}, "params": {"replication_factor": 2},
                                               "hnsw_config": {"ef_construct": 64}, "optimizers_config": {"flush_interval_sec": 9}})
    assert (status, answer["result"]) == (200, True)
    config = call_json("GET", base)[1]["result"]["config"]
    assert config["params"]["vectors"]["image"] == {"size": 4, "distance": "Dot", "on_disk": True}
    assert config["params"]["replication_factor"] == 2
    assert config["hnsw_config"]["ef_construct"] == 64
    assert config["optimizer_config"]["flush_interval_sec"] == 9
    status, answer = call_json("PATCH", base, {"vectors": {"": {"on_disk": True}}})
    assert (status, answer["status"]["error"]) == (400, "Wrong input: Not existing vector name error: ")


def test_patch_of_an_unnamed_vector_uses_the_empty_name(double):
    create(double, "docs")
    assert call_json("PATCH", double.url + "/collections/docs", {"vectors": {"": {"on_disk": True}}})[0] == 200
    assert call_json("GET", double.url + "/collections/docs")[1]["result"]["config"]["params"]["vectors"]["on_disk"] is True


@pytest.mark.parametrize("body, status, error", [
    ({"vectors": {"size": 4, "distance": "cosine"}}, 400, "Format error in JSON body: unknown variant `cosine`"),
    ({"vectors": {"size": 0, "distance": "Dot"}}, 422, "Validation error in JSON body: [vectors.size: value 0 invalid"),
    ({"vectors": {"size": 4}}, 400, "Format error in JSON body: missing field `distance`"),
    ({"vectors": {"size": 4, "distance": "Dot"}, "shard_number": 0}, 422, "Validation error in JSON body: [shard_number: value 0 invalid"),
])
def test_invalid_create_bodies(double, body, status, error):
    answer = call_json("PUT", double.url + "/collections/bad", body)
    assert answer[0] == status
    assert answer[1]["status"]["error"].startswith(error)
    assert call_json("GET", double.url + "/collections/bad/exists")[1]["result"] == {"exists": False}


def test_missing_collection_and_unknown_routes(double):
    status, answer = call_json("GET", double.url + "/collections/nope")
    assert (status, answer["status"]) == (404, {"error": "Not found: Collection `nope` doesn't exist!"})
    assert call_json("PATCH", double.url + "/collections/nope", {"params": {"on_disk_payload": False}})[0] == 404
    assert call_json("DELETE", double.url + "/collections/nope")[1]["result"] is False
    assert call("GET", double.url + "/nothing/here")[::2] == (404, b"")
    status, answer = call_json("GET", double.url + "/collections/a%2Fb")
    assert status == 422 and 'cannot contain "/" char' in answer["status"]["error"]


def test_invalid_json_body(double):
    status, _headers, raw = call("PUT", double.url + "/collections/docs", key=KEY, headers={"Content-Type": "application/json"})
    assert status == 200  # no body: Qdrant's defaults (a collection without dense vectors)
    request = urllib.request.Request(double.url + "/collections/x", data=b"{not json", method="PUT", headers={"api-key": KEY})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=TIMEOUT)
    assert caught.value.code == 400
    assert json.loads(caught.value.read())["status"]["error"].startswith("Format error in JSON body:")


# -- points and snapshots -----------------------------------------------------------------------------


def test_upsert_and_count(double):
    create(double, "docs")
    base = double.url + "/collections/docs"
    status, answer = call_json("PUT", base + "/points?wait=true", {"points": [
        {"id": 1, "vector": [0.1, 0.2, 0.3, 0.4], "payload": {"lang": "de"}},
        {"id": "5c56c793-69f3-4fbf-87e6-c4bf54c28c26", "vector": [0, 0, 0, 1], "payload": {"lang": "en"}},
    ]})
    assert status == 200 and answer["result"]["status"] == "completed"
    batch = {"ids": [2, 3], "vectors": [[1, 1, 1, 1], [2, 2, 2, 2]], "payloads": [{"lang": "de"}, None]}
    status, answer = call_json("PUT", base + "/points", {"batch": batch})
    assert answer["result"]["status"] == "acknowledged"
    assert call_json("POST", base + "/points/count", {"exact": True})[1]["result"] == {"count": 4}
    count_de = call_json("POST", base + "/points/count", {"filter": {"must": [{"key": "lang", "match": {"value": "de"}}]}})
    assert count_de[1]["result"] == {"count": 2}
    status, answer = call_json("PUT", base + "/points", {"points": [{"id": 9, "vector": [1, 2, 3]}]})
    assert (status, answer["status"]["error"]) == (400, "Wrong input: Vector dimension error: expected dim: 4, got 3")
    status, answer = call_json("PUT", base + "/points", {"points": [{"id": -1, "vector": [1, 2, 3, 4]}]})
    assert status == 400 and "not a valid point ID" in answer["status"]["error"]
    assert call_json("GET", base)[1]["result"]["points_count"] == 4


def test_snapshot_is_written_to_the_snapshots_path(double):
    create(double, "docs")
    call_json("PUT", double.url + "/collections/docs/points?wait=true", {"points": [{"id": 7, "vector": [1, 2, 3, 4]}]})
    status, answer = call_json("POST", double.url + "/collections/docs/snapshots?wait=true")
    assert status == 200
    snapshot = answer["result"]
    assert snapshot["name"].startswith("docs-") and snapshot["name"].endswith(".snapshot")
    path = double.snapshots / "docs" / snapshot["name"]
    data = path.read_bytes()
    assert snapshot["size"] == len(data)
    assert snapshot["checksum"] == hashlib.sha256(data).hexdigest()
    assert (double.snapshots / "docs" / (snapshot["name"] + ".checksum")).read_text() == snapshot["checksum"]
    with tarfile.open(path) as tar:
        points = json.load(tar.extractfile("points.json"))
    assert [p["id"] for p in points] == [7]
    assert call_json("GET", double.url + "/collections/docs/snapshots")[1]["result"] == [snapshot]
    assert call_json("POST", double.url + "/collections/nope/snapshots")[0] == 404


# -- persistence ----------------------------------------------------------------------------------------


def test_collections_and_points_survive_a_restart(double):
    create(double, "docs", {"vectors": {"size": 4, "distance": "Euclid"}, "on_disk_payload": False})
    create(double, "gone")
    base = double.url + "/collections/docs"
    call_json("PUT", base + "/points?wait=true", {"points": [{"id": i, "vector": [i, 0, 0, 0], "payload": {"i": i}} for i in range(3)]})
    call_json("PATCH", base, {"hnsw_config": {"m": 8}})
    call_json("DELETE", double.url + "/collections/gone")
    before = call_json("GET", base)[1]["result"]
    assert (double.storage / "collections" / "docs" / "config.json").is_file()
    assert not (double.storage / "collections" / "gone").exists()

    assert double.stop() == 0
    double.start()

    assert call_json("GET", double.url + "/collections")[1]["result"] == {"collections": [{"name": "docs"}]}
    after = call_json("GET", base)[1]["result"]
    assert after == before
    assert after["config"]["hnsw_config"]["m"] == 8 and after["points_count"] == 3
    assert call_json("POST", base + "/points/count", {"filter": {"must": [{"key": "i", "match": {"value": 2}}]}})[1]["result"] == {"count": 1}
    assert call("GET", double.url + "/collections", key=None)[0] == 401  # the keys still apply after the restart
    log = double.log.read_text()
    assert log.count("Qdrant HTTP listening on %d" % double.port) == 2
    assert "1 collection(s) loaded" in log
    assert "Telemetry reporting disabled" in log
    assert "Stopping" in log
