# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qdrant_collection and qdrant_collection_info, run in-process against the Qdrant double
(tests/doubles/qdrant_server.py) on 127.0.0.1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from unittest import mock

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.qdrant import QdrantClient
from ansible_collections.foundrycloud.platform.plugins.modules import qdrant_collection, qdrant_collection_info
from ollama_http_fixtures import _PROXY_VARIABLES, _Server, closed_port_url, run_module

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "doubles"))
import qdrant_server  # noqa: E402  pylint: disable=wrong-import-position

KEY = "rw-secret"
READ_ONLY_KEY = "ro-secret"
DOCS = {"size": 768, "distance": "Cosine"}


@pytest.fixture
def qdrant(tmp_path, monkeypatch):
    """The Qdrant double with a read-write and a read-only key."""
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server, _thread = qdrant_server.serve(storage_path=str(tmp_path / "storage"), api_key=KEY, read_only_api_key=READ_ONLY_KEY)
    yield server
    server.close()


def run(server, check_mode=False, diff=False, module=qdrant_collection, **args):
    args.setdefault("url", server.url if server else closed_port_url())
    args.setdefault("api_key", KEY)
    args.setdefault("timeout", 5)
    with mock.patch.object(QdrantClient, "sleep", staticmethod(lambda _seconds: None)):
        return run_module(module, args, check_mode=check_mode, diff=diff)


def writes(server):
    return [r for r in server.requests if r[0] != "GET"]


# Set-up and inspection go straight to the double's store: faster than HTTP, and not recorded.


def create(server, name, **body):
    server.store.create(name, body)


def config_of(server, name):
    return server.store.info(name)["config"]


def points_count(server, name):
    return server.store.info(name)["points_count"]


def collections(server):
    return sorted(server.store.collections)


def add_points(server, name, count, size=768):
    server.store.upsert(name, {"points": [{"id": i, "vector": [0.5] * size, "payload": {"n": i}} for i in range(count)]}, True)


# -- create --------------------------------------------------------------------------------------


def test_creates_a_missing_collection(qdrant):
    result = run(qdrant, name="docs", vectors=DOCS)
    assert not result.failed, result.result
    assert (result["changed"], result["action"], result["name"]) == (True, "created", "docs")
    assert result["config"]["params"]["vectors"] == DOCS
    assert result["config"]["params"]["shard_number"] == 1
    assert result["status"] == "green" and result["points_count"] == 0
    assert result["changes"] == {}
    assert config_of(qdrant, "docs")["params"]["vectors"] == DOCS
    assert [w[0] for w in writes(qdrant)] == ["PUT"]


def test_creates_with_named_vectors_and_parameters(qdrant):
    result = run(
        qdrant, name="products",
        named_vectors={"text": {"size": 1024, "distance": "Cosine"}, "image": {"size": "512", "distance": "Dot", "on_disk": True}},
        on_disk_payload=False, shard_number=2, replication_factor=1, write_consistency_factor=1,
        hnsw_config={"m": 32, "on_disk": True}, optimizers_config={"indexing_threshold": 20000, "deleted_threshold": 0.3},
    )
    assert result["action"] == "created", result.result
    config = config_of(qdrant, "products")
    assert config["params"]["vectors"] == {"text": {"size": 1024, "distance": "Cosine"},
                                           "image": {"size": 512, "distance": "Dot", "on_disk": True}}
    assert config["params"]["on_disk_payload"] is False
    assert config["params"]["shard_number"] == 2
    assert config["hnsw_config"]["m"] == 32 and config["hnsw_config"]["on_disk"] is True
    assert config["hnsw_config"]["ef_construct"] == 100  # the server's default stays
    assert config["optimizer_config"]["indexing_threshold"] == 20000
    assert config["optimizer_config"]["deleted_threshold"] == 0.3
    assert result["config"] == config


def test_an_unchanged_collection_is_not_written(qdrant):
    run(qdrant, name="docs", vectors=dict(DOCS, on_disk=False), on_disk_payload=True, hnsw_config={"m": 16})
    qdrant.requests.clear()
    result = run(qdrant, name="docs", vectors=dict(DOCS, on_disk=False), on_disk_payload=True, hnsw_config={"m": 16})
    assert (result["changed"], result["action"], result["changes"]) == (False, "unchanged", {})
    assert writes(qdrant) == []


def test_options_left_out_are_not_compared(qdrant):
    run(qdrant, name="docs", vectors=DOCS, on_disk_payload=False, hnsw_config={"m": 8}, shard_number=3)
    result = run(qdrant, name="docs", vectors=DOCS)
    assert (result["changed"], result["action"]) == (False, "unchanged")
    assert config_of(qdrant, "docs")["hnsw_config"]["m"] == 8


def test_create_race_409_compares_with_what_is_there(qdrant):
    """Created between our reading and our PUT (another run, or our own retried PUT)."""
    create(qdrant, "docs", vectors=DOCS)
    real = QdrantClient.get_collection
    calls = []

    def first_missing(self, name):
        calls.append(name)
        return None if len(calls) == 1 else real(self, name)

    with mock.patch.object(QdrantClient, "get_collection", first_missing):
        result = run(qdrant, name="docs", vectors=dict(DOCS, on_disk=True))
    assert not result.failed, result.result
    assert (result["action"], result["changed"]) == ("updated", True)
    assert [w[0] for w in writes(qdrant)] == ["PUT", "PATCH"]  # answered 409, then the update


# -- update in place ---------------------------------------------------------------------------


def test_patchable_changes_are_made_in_place_and_keep_the_points(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    add_points(qdrant, "docs", 5)
    qdrant.requests.clear()
    result = run(qdrant, name="docs", vectors=dict(DOCS, on_disk=True), on_disk_payload=False, replication_factor=2,
                 write_consistency_factor=2, hnsw_config={"m": 0, "ef_construct": 128, "on_disk": True},
                 optimizers_config={"indexing_threshold": 0, "flush_interval_sec": 10})
    assert not result.failed, result.result
    assert (result["changed"], result["action"]) == (True, "updated")
    assert result["changes"] == {
        "vectors.on_disk": {"before": False, "after": True},
        "on_disk_payload": {"before": True, "after": False},
        "replication_factor": {"before": 1, "after": 2},
        "write_consistency_factor": {"before": 1, "after": 2},
        "hnsw_config.m": {"before": 16, "after": 0},
        "hnsw_config.ef_construct": {"before": 100, "after": 128},
        "hnsw_config.on_disk": {"before": False, "after": True},
        "optimizers_config.indexing_threshold": {"before": 10000, "after": 0},
        "optimizers_config.flush_interval_sec": {"before": 5, "after": 10},
    }
    assert [w[0] for w in writes(qdrant)] == ["PATCH"]
    config = config_of(qdrant, "docs")
    assert config["params"]["vectors"] == dict(DOCS, on_disk=True)
    assert config["params"]["on_disk_payload"] is False
    assert config["hnsw_config"]["ef_construct"] == 128
    assert config["optimizer_config"]["indexing_threshold"] == 0
    assert result["points_count"] == 5
    assert points_count(qdrant, "docs") == 5
    assert result["warnings"] == []
    again = run(qdrant, name="docs", vectors=dict(DOCS, on_disk=True), on_disk_payload=False, replication_factor=2,
                write_consistency_factor=2, hnsw_config={"m": 0, "ef_construct": 128, "on_disk": True},
                optimizers_config={"indexing_threshold": 0, "flush_interval_sec": 10})
    assert (again["changed"], again["action"]) == (False, "unchanged")


def test_named_vector_on_disk_is_patched_by_name(qdrant):
    named = {"text": {"size": 8, "distance": "Cosine"}, "image": {"size": 4, "distance": "Dot"}}
    create(qdrant, "products", vectors=named)
    result = run(qdrant, name="products", named_vectors=dict(named, image={"size": 4, "distance": "Dot", "on_disk": True}))
    assert result["changes"] == {"named_vectors.image.on_disk": {"before": False, "after": True}}
    assert config_of(qdrant, "products")["params"]["vectors"]["image"]["on_disk"] is True
    assert "on_disk" not in config_of(qdrant, "products")["params"]["vectors"]["text"]


def test_a_server_that_ignores_the_update_is_reported(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    with mock.patch.object(QdrantClient, "update_collection", lambda self, name, body: True):
        result = run(qdrant, name="docs", on_disk_payload=False, vectors=DOCS)
    assert result["action"] == "updated"
    assert any("still reports on_disk_payload=True (wanted False)" in w for w in result["warnings"]), result["warnings"]


# -- changes that would drop the points --------------------------------------------------------


@pytest.mark.parametrize("created, wanted, fields", [
    (dict(vectors=DOCS), dict(vectors={"size": 1536, "distance": "Cosine"}), ["vectors.size (768 on the server, 1536 wanted)"]),
    (dict(vectors=DOCS), dict(vectors={"size": 768, "distance": "Dot"}), ["vectors.distance (Cosine on the server, Dot wanted)"]),
    (dict(vectors=DOCS), dict(vectors=DOCS, shard_number=2), ["shard_number (1 on the server, 2 wanted)"]),
    (dict(vectors=DOCS), dict(named_vectors={"text": DOCS}),
     ["named_vectors (an unnamed vector on the server, named vectors (text) wanted)"]),
    (dict(named_vectors={"text": DOCS}), dict(vectors=DOCS),
     ["vectors (named vectors (text) on the server, an unnamed vector wanted)"]),
    (dict(named_vectors={"text": DOCS}), dict(named_vectors={"text": DOCS, "image": {"size": 4, "distance": "Dot"}}),
     ["named_vectors (named vectors (text) on the server, named vectors (image, text) wanted)"]),
    (dict(named_vectors={"text": DOCS, "image": {"size": 4, "distance": "Dot"}}),
     dict(named_vectors={"text": {"size": 384, "distance": "Cosine"}, "image": {"size": 4, "distance": "Euclid"}}),
     ["named_vectors.image.distance (Dot on the server, Euclid wanted)", "named_vectors.text.size (768 on the server, 384 wanted)"]),
])
def test_changes_that_need_recreation_fail_and_change_nothing(qdrant, created, wanted, fields):
    create(qdrant, "docs", vectors=created.get("vectors") or created["named_vectors"])
    if "vectors" in created:
        add_points(qdrant, "docs", 3)
    before = config_of(qdrant, "docs")
    result = run(qdrant, name="docs", on_disk_payload=False, **wanted)
    assert result.failed
    message = result["msg"]
    assert message.startswith("collection 'docs' on Qdrant at %s cannot be changed in place: " % qdrant.url)
    for field in fields:
        assert field in message
    assert "nothing was changed" in message
    assert "state=absent" in message
    assert writes(qdrant) == []  # not even the patchable on_disk_payload
    assert config_of(qdrant, "docs") == before
    assert result["refused"] == [f.split(" ")[0] for f in fields]


def test_check_mode_refuses_the_same(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    result = run(qdrant, check_mode=True, name="docs", vectors={"size": 1536, "distance": "Cosine"}, on_disk_payload=False)
    assert result.failed
    assert "vectors.size (768 on the server, 1536 wanted)" in result["msg"]
    assert result["refused"] == ["vectors.size"]
    assert writes(qdrant) == []


def test_the_refusal_says_how_many_points_would_be_lost(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    add_points(qdrant, "docs", 7)
    result = run(qdrant, name="docs", vectors={"size": 384, "distance": "Cosine"})
    assert "which deletes its 7 points" in result["msg"]
    assert points_count(qdrant, "docs") == 7


# -- delete ------------------------------------------------------------------------------------


def test_absent_deletes_only_that_collection(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    create(qdrant, "docs-v2", vectors=DOCS)
    result = run(qdrant, name="docs", state="absent")
    assert (result["changed"], result["action"]) == (True, "deleted")
    assert (result["config"], result["points_count"], result["status"]) == (None, None, None)
    assert collections(qdrant) == ["docs-v2"]


def test_absent_when_missing_sends_nothing(qdrant):
    result = run(qdrant, name="docs", state="absent")
    assert (result["changed"], result["action"]) == (False, "already_absent")
    assert writes(qdrant) == []


def test_absent_ignores_vector_options(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    result = run(qdrant, name="docs", state="absent", vectors={"size": 3, "distance": "Dot"})
    assert result["action"] == "deleted"


def test_absent_deleted_meanwhile_is_already_absent(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    with mock.patch.object(QdrantClient, "delete_collection", lambda self, name: False):
        result = run(qdrant, name="docs", state="absent")
    assert (result["changed"], result["action"]) == (False, "already_absent")


# -- check mode and diff -------------------------------------------------------------------------


def test_check_mode_create_predicts_without_creating(qdrant):
    result = run(qdrant, check_mode=True, diff=True, name="docs", vectors=DOCS, hnsw_config={"m": 8},
                 optimizers_config={"indexing_threshold": 0})
    assert (result["changed"], result["action"]) == (True, "created")
    predicted = {"params": {"vectors": DOCS}, "hnsw_config": {"m": 8}, "optimizer_config": {"indexing_threshold": 0}}
    assert result["config"] == predicted
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == predicted
    assert writes(qdrant) == []
    assert collections(qdrant) == []


def test_check_mode_update_predicts_without_patching(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    before = config_of(qdrant, "docs")
    qdrant.requests.clear()
    result = run(qdrant, check_mode=True, diff=True, name="docs", vectors=dict(DOCS, on_disk=True), optimizers_config={"indexing_threshold": 0})
    assert (result["changed"], result["action"]) == (True, "updated")
    assert result["changes"] == {"vectors.on_disk": {"before": False, "after": True},
                                 "optimizers_config.indexing_threshold": {"before": 10000, "after": 0}}
    assert writes(qdrant) == []
    assert config_of(qdrant, "docs") == before
    assert result["diff"]["before"] == before
    expected = json.loads(json.dumps(before))
    expected["params"]["vectors"]["on_disk"] = True
    expected["optimizer_config"]["indexing_threshold"] = 0
    assert result["diff"]["after"] == expected == result["config"]


def test_check_mode_delete_keeps_the_collection(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    qdrant.requests.clear()
    result = run(qdrant, check_mode=True, diff=True, name="docs", state="absent")
    assert (result["changed"], result["action"]) == (True, "deleted")
    assert result["diff"]["before"]["params"]["vectors"] == DOCS
    assert result["diff"]["after"] == {}
    assert writes(qdrant) == []
    assert collections(qdrant) == ["docs"]


def test_diff_of_a_real_update(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    result = run(qdrant, diff=True, name="docs", vectors=DOCS, on_disk_payload=False)
    diff = result["diff"]
    assert diff["before"]["params"]["on_disk_payload"] is True
    assert diff["after"]["params"]["on_disk_payload"] is False
    assert diff["after"] == config_of(qdrant, "docs")
    assert diff["before_header"] == "collection docs at %s" % qdrant.url


def test_diff_of_a_creation_and_of_no_change(qdrant):
    created = run(qdrant, diff=True, name="docs", vectors=DOCS)
    assert created["diff"]["before"] == {}
    assert created["diff"]["after"] == config_of(qdrant, "docs")
    same = run(qdrant, diff=True, name="docs", vectors=DOCS)
    assert same["diff"]["before"] == same["diff"]["after"]


def test_no_diff_unless_asked(qdrant):
    assert "diff" not in run(qdrant, name="docs", vectors=DOCS).result


# -- failures ----------------------------------------------------------------------------------


def test_server_down_names_url_and_collection():
    url = closed_port_url()
    result = run(None, url=url, name="docs", vectors=DOCS, retries=1)
    assert result.failed
    assert result["msg"].startswith("reading collection 'docs' from Qdrant at %s: cannot connect" % url)
    assert "(gave up after 2 attempts)" in result["msg"]
    assert (result["name"], result["url"]) == ("docs", url)


class Garbage(_Server):
    def __init__(self, status, body, content_type):
        super().__init__()
        self.status, self.body, self.content_type = status, body, content_type

    def handle(self, handler, request):
        handler.send_bytes(self.status, self.body, content_type=self.content_type)


@pytest.fixture
def garbage(monkeypatch):
    servers = []

    def start(status=200, body=b"", content_type="application/json"):
        for variable in _PROXY_VARIABLES:
            monkeypatch.delenv(variable, raising=False)
        servers.append(Garbage(status, body, content_type).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("status, body, content_type, expected", [
    (200, b"<html><body>Welcome to nginx!</body></html>", "text/html", "the response is not JSON: <html><body>Welcome to nginx!"),
    (200, b'{"ok": true}', "application/json", "the answer is not Qdrant's {\"result\": ..., \"status\": \"ok\"}"),
    (200, b'{"result": {"config": {}}, "status": "ok"}', "application/json", "result.config.params is missing"),
    (404, b"404 page not found", "text/plain", "HTTP 404 without Qdrant's error envelope: 404 page not found"),
])
def test_garbage_answers(garbage, status, body, content_type, expected):
    server = garbage(status, body, content_type)
    result = run(server, name="docs", vectors=DOCS)
    assert result.failed
    assert expected in result["msg"]
    assert "collection 'docs'" in result["msg"]
    assert "is %s the REST API of Qdrant?" % server.url in result["msg"]
    assert len(server.requests) == 1  # a wrong answer is not retried


def test_missing_api_key(qdrant):
    result = run(qdrant, name="docs", vectors=DOCS, api_key=None)
    assert result.failed
    assert result["msg"] == (
        "reading collection 'docs' from Qdrant at %s: HTTP 401: Must provide an API key or an Authorization bearer token; "
        "this Qdrant requires an API key and none was given: set api_key" % qdrant.url
    )


def test_wrong_api_key(qdrant):
    result = run(qdrant, name="docs", vectors=DOCS, api_key="not-the-key")
    assert "HTTP 401: Invalid API key or JWT; the API key was not accepted: api_key is wrong" in result["msg"]
    assert "not-the-key" not in json.dumps(result.result)


def test_read_only_key(qdrant):
    result = run(qdrant, name="docs", vectors=DOCS, api_key=READ_ONLY_KEY)
    assert result.failed
    assert result["msg"].startswith("creating collection 'docs' on Qdrant at %s: HTTP 403: Forbidden: Global manage access is required; "
                                    "the API key may only read" % qdrant.url)
    assert collections(qdrant) == []
    # reading is allowed: with nothing to change, the read-only key is enough
    create(qdrant, "docs", vectors=DOCS)
    assert run(qdrant, name="docs", vectors=DOCS, api_key=READ_ONLY_KEY)["action"] == "unchanged"
    deleting = run(qdrant, name="docs", state="absent", api_key=READ_ONLY_KEY)
    assert "deleting collection 'docs'" in deleting["msg"] and "may only read" in deleting["msg"]


def test_server_error_message_comes_through(qdrant):
    result = run(qdrant, name="docs", vectors=DOCS, hnsw_config={"m": 16}, optimizers_config={"deleted_threshold": 0.5},
                 write_consistency_factor=1)
    assert not result.failed
    with mock.patch.object(QdrantClient, "update_collection", side_effect=qdrant_collection.QdrantError("boom from somewhere")):
        failed = run(qdrant, name="docs", vectors=DOCS, on_disk_payload=False)
    assert failed["msg"] == "collection 'docs': boom from somewhere (Qdrant at %s)" % qdrant.url


# -- invalid options, refused before any request ----------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    (dict(name="a/b", vectors=DOCS), "contains characters Qdrant does not allow: '/'"),
    (dict(name="docs", vectors={"size": 0, "distance": "Cosine"}), "vectors.size must be between 1 and 65536, got 0"),
    (dict(name="docs", named_vectors={}), "named_vectors must name at least one vector"),
    (dict(name="docs", named_vectors={"text": {"size": 4}}), "named_vectors.text: missing required arguments: distance"),
    (dict(name="docs", named_vectors={"text": {"size": 4, "distance": "cosine"}}), "named_vectors.text: value of distance must be one of"),
    (dict(name="docs", named_vectors={"text": {"size": 4, "distance": "Dot", "colour": 1}}),
     "named_vectors.text: unsupported parameters: colour. Supported parameters include: distance, on_disk, size"),
    (dict(name="docs", named_vectors={"text": 4}), "named_vectors.text must be a dict"),
    (dict(name="docs", named_vectors={"": DOCS}), "a vector name must not be empty"),
    (dict(name="docs", vectors=DOCS, shard_number=0), "shard_number must be 1 or more"),
    (dict(name="docs", vectors=DOCS, hnsw_config={"m": -1}), "hnsw_config.m must not be negative"),
    (dict(name="docs", vectors=DOCS, optimizers_config={"deleted_threshold": 1.5}), "deleted_threshold must be between 0 and 1"),
    (dict(name="docs", vectors=DOCS, named_vectors={"t": DOCS}), "parameters are mutually exclusive: vectors|named_vectors"),
    (dict(name="docs"), "state is present but any of the following are missing: vectors, named_vectors"),
    (dict(name="docs", vectors={"size": 4, "distance": "cosine"}), "value of distance must be one of: Cosine, Euclid, Dot, Manhattan"),
])
def test_invalid_options_fail_before_any_request(qdrant, args, expected):
    result = run(qdrant, **args)
    assert result.failed
    assert expected in result["msg"], result["msg"]
    assert qdrant.requests == []


# -- qdrant_collection_info --------------------------------------------------------------------


def test_info_lists_every_collection(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    create(qdrant, "alpha", vectors={"t": {"size": 4, "distance": "Dot"}})
    add_points(qdrant, "docs", 2)
    qdrant.requests.clear()
    result = run(qdrant, module=qdrant_collection_info, api_key=READ_ONLY_KEY)
    assert not result.failed, result.result
    assert result["changed"] is False
    assert result["version"] == qdrant_server.VERSION
    assert [c["name"] for c in result["collections"]] == ["alpha", "docs"]
    docs = result["collections"][1]
    assert (docs["status"], docs["points_count"]) == ("green", 2)
    assert docs["config"]["params"]["vectors"] == DOCS
    assert writes(qdrant) == []


def test_info_of_one_collection(qdrant):
    create(qdrant, "docs", vectors=DOCS)
    create(qdrant, "other", vectors=DOCS)
    result = run(qdrant, module=qdrant_collection_info, name="docs")
    assert [c["name"] for c in result["collections"]] == ["docs"]
    assert run(qdrant, module=qdrant_collection_info, name="missing")["collections"] == []


def test_info_failure_names_the_url():
    url = closed_port_url()
    result = run(None, module=qdrant_collection_info, url=url, retries=0)
    assert result.failed
    assert "reading the version of Qdrant at %s: cannot connect" % url in result["msg"]


def test_info_without_key(qdrant):
    result = run(qdrant, module=qdrant_collection_info, api_key=None)
    assert "listing the collections of Qdrant at %s: HTTP 401" % qdrant.url in result["msg"]
    assert "set api_key" in result["msg"]
