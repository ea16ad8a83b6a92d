# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""QdrantClient against the Qdrant double (tests/doubles/qdrant_server.py), run in-process on
127.0.0.1, and against canned answers for what a real Qdrant would not send."""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.http_api import (
    ApiConnectionError,
    ApiHTTPError,
    ApiProtocolError,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.qdrant import (
    QDRANT_COMMON_ARGS,
    QdrantAuthError,
    QdrantClient,
    QdrantConflictError,
    QdrantConnectionError,
    QdrantError,
    QdrantHTTPError,
    QdrantProtocolError,
    client_from_params,
    collection_info_problem,
    collection_name_problem,
    qdrant_argument_spec,
)
from ollama_http_fixtures import _PROXY_VARIABLES, _Handler, _Server, closed_port_url

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "doubles"))
import qdrant_server  # noqa: E402  pylint: disable=wrong-import-position

KEY = "rw-secret"
READ_ONLY_KEY = "ro-secret"
VECTORS = {"size": 4, "distance": "Cosine"}


@pytest.fixture
def qdrant(tmp_path, monkeypatch):
    """The double with both keys configured."""
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server, _thread = qdrant_server.serve(storage_path=str(tmp_path / "storage"), api_key=KEY, read_only_api_key=READ_ONLY_KEY)
    yield server
    server.close()


@pytest.fixture
def no_sleep():
    delays = []
    with mock.patch.object(QdrantClient, "sleep", staticmethod(delays.append)):
        yield delays


class _AnyMethod(_Handler):
    do_PUT = do_PATCH = _Handler._dispatch


class Canned(_Server):
    """Answers every request, whatever its method and path, with one status and body."""

    def __init__(self, status=200, body=b"", content_type="application/json"):
        super().__init__()
        self.status, self.body, self.content_type = status, body, content_type

    def start(self):
        super().start()
        self._httpd.RequestHandlerClass = _AnyMethod
        return self

    def handle(self, handler, request):
        handler.send_bytes(self.status, self.body, content_type=self.content_type)


@pytest.fixture
def canned(monkeypatch):
    servers = []

    def start(status=200, body=b"", content_type="application/json"):
        for variable in _PROXY_VARIABLES:
            monkeypatch.delenv(variable, raising=False)
        server = Canned(status, body, content_type).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def client(server, **kwargs):
    kwargs.setdefault("api_key", KEY)
    kwargs.setdefault("timeout", 5)
    return QdrantClient(server.url, **kwargs)


# -- error classes -------------------------------------------------------------------------------


def test_error_classes_fit_both_hierarchies():
    assert issubclass(QdrantConnectionError, ApiConnectionError) and issubclass(QdrantConnectionError, QdrantError)
    assert issubclass(QdrantHTTPError, ApiHTTPError) and issubclass(QdrantAuthError, QdrantHTTPError)
    assert issubclass(QdrantConflictError, QdrantHTTPError)
    assert issubclass(QdrantProtocolError, ApiProtocolError) and issubclass(QdrantProtocolError, QdrantError)


# -- collections against the double --------------------------------------------------------------


def test_create_get_list_update_delete(qdrant):
    api = client(qdrant)
    assert api.list_collections() == []
    assert api.get_collection("docs") is None
    assert api.create_collection("docs", {"vectors": VECTORS}) is True
    assert api.create_collection("alpha", {"vectors": VECTORS}) is True
    assert api.list_collections() == ["alpha", "docs"]
    info = api.get_collection("docs")
    assert info["status"] == "green"
    assert info["points_count"] == 0
    assert info["config"]["params"]["vectors"] == VECTORS
    assert api.update_collection("docs", {"params": {"on_disk_payload": False}}) is True
    assert api.get_collection("docs")["config"]["params"]["on_disk_payload"] is False
    assert api.delete_collection("docs") is True
    assert api.delete_collection("docs") is False
    assert api.list_collections() == ["alpha"]


def test_the_api_key_goes_in_the_api_key_header(qdrant):
    client(qdrant).list_collections()
    # the double refuses requests without the key, so getting here proves it was sent
    assert qdrant.requests == [("GET", "/collections")]


def test_names_are_quoted_in_the_path(qdrant):
    api = client(qdrant)
    api.create_collection("my docs+v2", {"vectors": VECTORS})
    assert qdrant.requests[-1] == ("PUT", "/collections/my%20docs%2Bv2")
    assert api.list_collections() == ["my docs+v2"]
    assert api.get_collection("my docs+v2")["config"]["params"]["vectors"]["size"] == 4


def test_creating_an_existing_collection_is_a_conflict(qdrant):
    api = client(qdrant)
    api.create_collection("docs", {"vectors": VECTORS})
    with pytest.raises(QdrantConflictError) as caught:
        api.create_collection("docs", {"vectors": VECTORS})
    assert caught.value.status == 409
    assert "Collection `docs` already exists!" in str(caught.value)
    assert "creating collection 'docs' on Qdrant at %s" % qdrant.url in str(caught.value)


def test_invalid_parameters_come_back_as_qdrants_message(qdrant):
    with pytest.raises(QdrantHTTPError) as caught:
        client(qdrant).create_collection("docs", {"vectors": {"size": 4, "distance": "cosine"}})
    assert caught.value.status == 400
    assert "HTTP 400: Format error in JSON body: unknown variant `cosine`" in str(caught.value)


def test_server_info(qdrant):
    info = client(qdrant, api_key=None).server_info()
    assert info["title"] == "qdrant - vector search engine"
    assert info["version"] == qdrant_server.VERSION


# -- 401 / 403 ---------------------------------------------------------------------------------


def test_no_key_is_explained(qdrant, no_sleep):
    with pytest.raises(QdrantAuthError) as caught:
        client(qdrant, api_key=None).list_collections()
    message = str(caught.value)
    assert caught.value.status == 401
    assert "HTTP 401: Must provide an API key or an Authorization bearer token" in message
    assert "requires an API key and none was given: set api_key" in message
    assert qdrant.url in message
    assert no_sleep == []  # a 4xx is not retried


def test_wrong_key_is_explained(qdrant):
    with pytest.raises(QdrantAuthError) as caught:
        client(qdrant, api_key="guess").get_collection("docs")
    message = str(caught.value)
    assert "HTTP 401: Invalid API key or JWT" in message
    assert "api_key is wrong" in message
    assert "reading collection 'docs' from Qdrant at %s" % qdrant.url in message


def test_read_only_key_reads_but_cannot_write(qdrant):
    client(qdrant).create_collection("docs", {"vectors": VECTORS})
    reader = client(qdrant, api_key=READ_ONLY_KEY)
    assert reader.get_collection("docs")["config"]["params"]["vectors"] == VECTORS
    for action in (lambda: reader.create_collection("other", {"vectors": VECTORS}),
                   lambda: reader.update_collection("docs", {"params": {"on_disk_payload": False}}),
                   lambda: reader.delete_collection("docs")):
        with pytest.raises(QdrantAuthError) as caught:
            action()
        assert caught.value.status == 403
        assert "Forbidden: Global manage access is required" in str(caught.value)
        assert "may only read" in str(caught.value)
        assert "read-write key" in str(caught.value)
    assert client(qdrant).list_collections() == ["docs"]


# -- answers that are not Qdrant's --------------------------------------------------------------


def test_not_json(canned):
    server = canned(200, b"<html>hello</html>", "text/html")
    with pytest.raises(QdrantProtocolError) as caught:
        client(server).get_collection("docs")
    message = str(caught.value)
    assert "reading collection 'docs' from Qdrant at %s: the response is not JSON: <html>hello</html>" % server.url in message
    assert "is %s the REST API of Qdrant?" % server.url in message


@pytest.mark.parametrize("body, expected", [
    (b'{"collections": []}', "the answer is not Qdrant's"),
    (b'[1, 2]', "the answer is not Qdrant's"),
    (b'{"result": {"collections": [{"id": 1}]}, "status": "ok"}', "expected result.collections to be a list"),
    (b'{"result": null, "status": "ok"}', "expected result.collections to be a list"),
])
def test_wrong_shape_of_a_listing(canned, body, expected):
    server = canned(200, body)
    with pytest.raises(QdrantProtocolError) as caught:
        client(server).list_collections()
    assert expected in str(caught.value)
    assert "listing the collections of Qdrant at %s" % server.url in str(caught.value)


def test_wrong_shape_of_a_collection(canned):
    server = canned(200, b'{"result": {"status": "green", "config": {"params": {}}}, "status": "ok"}')
    with pytest.raises(QdrantProtocolError) as caught:
        client(server).get_collection("docs")
    assert "result.config.params.vectors is missing" in str(caught.value)
    assert "collection 'docs'" in str(caught.value)


def test_404_that_is_not_qdrants_is_not_taken_for_a_missing_collection(canned):
    server = canned(404, b"<h1>Not Found</h1>", "text/html")
    with pytest.raises(QdrantProtocolError) as caught:
        client(server).get_collection("docs")
    assert "HTTP 404 without Qdrant's error envelope: <h1>Not Found</h1>" in str(caught.value)


def test_create_answered_false_is_an_error(canned):
    server = canned(200, b'{"result": false, "status": "ok", "time": 0.1}')
    with pytest.raises(QdrantProtocolError, match="result=false instead of true"):
        client(server).create_collection("docs", {"vectors": VECTORS})


def test_empty_body(canned):
    server = canned(200, b"")
    with pytest.raises(QdrantProtocolError, match="the answer is not Qdrant's"):
        client(server).delete_collection("docs")


def test_server_info_without_version(canned):
    server = canned(200, b'{"title": "something else"}')
    with pytest.raises(QdrantProtocolError, match="no 'version'"):
        client(server).server_info()


def test_server_info_not_json(canned):
    server = canned(200, b"It works!", "text/html")
    with pytest.raises(QdrantProtocolError) as caught:
        client(server).server_info()
    assert "reading the version of Qdrant at %s: the response is not JSON: It works!" % server.url in str(caught.value)
    assert "REST API of Qdrant?" in str(caught.value)


# -- retries -----------------------------------------------------------------------------------


def test_server_down_is_retried_then_reported(no_sleep):
    url = closed_port_url()
    with pytest.raises(QdrantConnectionError) as caught:
        QdrantClient(url, retries=2, timeout=2).get_collection("docs")
    message = str(caught.value)
    assert "reading collection 'docs' from Qdrant at %s: cannot connect" % url in message
    assert "(gave up after 3 attempts)" in message
    assert no_sleep == [2.0, 4.0]


def test_server_errors_are_retried(canned, no_sleep):
    server = canned(503, b'{"status": {"error": "Service internal error: busy"}, "time": 0.0}')
    with pytest.raises(QdrantHTTPError) as caught:
        client(server, retries=1).list_collections()
    assert caught.value.status == 503
    assert "HTTP 503: Service internal error: busy" in str(caught.value)
    assert len(server.requests) == 2 and no_sleep == [2.0]


def test_invalid_url():
    with pytest.raises(QdrantError, match="invalid URL"):
        QdrantClient("qdrant:6333")


# -- validation helpers ----------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("docs", None),
    ("docs-v2_2026.1", None),
    ("my docs", None),
    ("", "must not be empty"),
    ("a/b", "characters Qdrant does not allow: '/'"),
    ("x:y*z", "'*' ':'"),
    ("..", "cannot be '..'"),
    ("x" * 256, "longer than 255"),
    ("tab\there", "'\\t'"),
])
def test_collection_name_problem(name, expected):
    problem = collection_name_problem(name)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


@pytest.mark.parametrize("info, expected", [
    ({"config": {"params": {"vectors": {"size": 4, "distance": "Dot"}}}}, None),
    ({"config": {"params": {"vectors": {"a": {"size": 4, "distance": "Dot"}}}}}, None),
    ({"config": {"params": {"vectors": {}}}}, None),
    ([], "expected result to be an object"),
    ({}, "result.config is missing"),
    ({"config": {"params": []}}, "result.config.params is missing"),
    ({"config": {"params": {"vectors": {"size": "4", "distance": "Dot"}}}}, "result.config.params.vectors is not a vector definition"),
    ({"config": {"params": {"vectors": {"a": {"size": 4}}}}}, "result.config.params.vectors.a is not"),
    ({"config": {"params": {"vectors": {}}, "hnsw_config": 3}}, "result.config.hnsw_config is not an object"),
])
def test_collection_info_problem(info, expected):
    problem = collection_info_problem(info)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


def test_argument_spec_is_a_copy_and_hides_the_key():
    spec = qdrant_argument_spec(name=dict(type="str"))
    assert spec["api_key"]["no_log"] is True
    assert spec["url"]["default"] == "http://127.0.0.1:6333"
    assert set(spec) == {"url", "api_key", "timeout", "validate_certs", "ca_path", "retries", "name"}
    spec["url"]["default"] = "changed"
    assert QDRANT_COMMON_ARGS["url"]["default"] == "http://127.0.0.1:6333"


def test_client_from_params():
    api = client_from_params(dict(url="https://q.example:6333/", api_key="k", timeout=7.0, validate_certs=False,
                                  ca_path=None, retries=1))
    assert api.url == "https://q.example:6333"
    assert api.http.headers["api-key"] == "k"
    assert api.retries == 1 and api.http.timeout == 7.0
    assert "api-key" not in client_from_params(dict(url="http://q:6333", api_key=None, timeout=1.0, validate_certs=True,
                                                    retries=0)).http.headers
