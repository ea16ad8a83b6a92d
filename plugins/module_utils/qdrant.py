# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Qdrant REST API client: collections (read, list, create, update, delete).

Built on http_api.JsonApiClient (HTTP, TLS, retries, error sentences). What this file adds is
Qdrant's side of the conversation: the ``api-key`` header, the answer envelope
``{"result": ..., "status": "ok", "time": ...}``, and error messages that say what a 401 or 403
from Qdrant means for the operator (no key, wrong key, read-only key). Every message names the
collection and the Qdrant URL.
"""

from __future__ import annotations

import copy
import json
import urllib.parse

from ansible_collections.foundrycloud.platform.plugins.module_utils.http_api import (
    HTTP_API_COMMON_ARGS,
    ApiConnectionError,
    ApiError,
    ApiHTTPError,
    ApiProtocolError,
    ErrorTypes,
    JsonApiClient,
    preview,
)

DEFAULT_URL = "http://127.0.0.1:6333"
DISTANCES = ("Cosine", "Euclid", "Dot", "Manhattan")
# Characters Qdrant refuses in a collection name (it is also a directory name on the server).
FORBIDDEN_NAME_CHARS = '<>:"/\\|?*\0'
MAX_NAME_LENGTH = 255

# Options every Qdrant module takes (doc fragment: foundrycloud.platform.qdrant).
QDRANT_COMMON_ARGS = dict(
    url=dict(type="str", default=DEFAULT_URL),
    api_key=dict(type="str", no_log=True),
    **HTTP_API_COMMON_ARGS
)


class QdrantError(ApiError):
    """Base class of everything the Qdrant client raises."""


class QdrantConnectionError(QdrantError, ApiConnectionError):
    pass


class QdrantHTTPError(QdrantError, ApiHTTPError):
    pass


class QdrantAuthError(QdrantHTTPError):
    """HTTP 401 or 403: the key is missing, wrong, or not allowed to do this."""


class QdrantConflictError(QdrantHTTPError):
    """HTTP 409: the collection to create exists already."""


class QdrantProtocolError(QdrantError, ApiProtocolError):
    pass


def collection_name_problem(name):
    """Why Qdrant would refuse ``name`` as a collection name, or None."""
    if not isinstance(name, str) or not name:
        return "the collection name must not be empty"
    if len(name) > MAX_NAME_LENGTH:
        return "the collection name is longer than %d characters" % MAX_NAME_LENGTH
    bad = sorted(set(c for c in name if c in FORBIDDEN_NAME_CHARS or ord(c) < 32))
    if bad:
        return "the collection name %r contains characters Qdrant does not allow: %s" % (name, " ".join(repr(c) for c in bad))
    if name in (".", ".."):
        return "the collection name cannot be %r" % name
    return None


class QdrantClient(JsonApiClient):
    errors = ErrorTypes(base=QdrantError, connection=QdrantConnectionError, http=QdrantHTTPError, protocol=QdrantProtocolError)

    def __init__(self, url=DEFAULT_URL, api_key=None, timeout=30, validate_certs=True, ca_path=None, retries=3, backoff=2.0):
        headers = {"api-key": api_key} if api_key else None
        super().__init__(url, headers=headers, timeout=timeout, validate_certs=validate_certs, ca_path=ca_path,
                         retries=retries, backoff=backoff)
        self.has_api_key = bool(api_key)

    @property
    def url(self):
        return self.base_url

    # -- plumbing ----------------------------------------------------------------------------
    def _path(self, name, *rest):
        return "/".join(["collections", urllib.parse.quote(name, safe="")] + list(rest))

    def _what(self, verb, name=None, preposition="on"):
        """'creating collection 'docs' on Qdrant at <url>' (or 'listing the collections of Qdrant at <url>')."""
        if name is None:
            return "%s Qdrant at %s" % (verb, self.base_url)
        return "%s collection '%s' %s Qdrant at %s" % (verb, name, preposition, self.base_url)

    def call(self, method, path, what, body=None, collection=None):
        """``result`` of Qdrant's answer envelope; 401/403 become a QdrantAuthError that says why."""
        url = self.endpoint(path)
        try:
            answer = self.request(method, path, what, body=body, expect=None, collection=collection)
        except QdrantHTTPError as exc:
            raise self._explain(exc, method, collection) from None
        except QdrantProtocolError as exc:
            raise self._hinted(exc) from None
        return self._unwrap(answer, what, url, collection)

    def _hinted(self, exc):
        """A protocol error that also asks whether the URL is Qdrant at all (a proxy, another service)."""
        error = QdrantProtocolError("%s (is %s the REST API of Qdrant?)" % (exc.message, self.base_url), url=exc.url, **exc.context)
        error.attempts = exc.attempts
        return error

    def _unwrap(self, answer, what, url, collection):
        if not isinstance(answer, dict) or "result" not in answer or answer.get("status") != "ok":
            raise QdrantProtocolError(
                '%s: the answer is not Qdrant\'s {"result": ..., "status": "ok"}: %s (is %s the REST API of Qdrant?)'
                % (what, preview(json.dumps(answer)), self.base_url),
                url=url, collection=collection,
            )
        return answer["result"]

    def _explain(self, exc, method, collection):
        if exc.status == 401:
            if self.has_api_key:
                hint = "the API key was not accepted: api_key is wrong for this Qdrant"
            else:
                hint = "this Qdrant requires an API key and none was given: set api_key"
        elif exc.status == 403:
            if method == "GET":
                hint = "the API key is not allowed to read this"
            else:
                hint = ("the API key may only read: creating, changing or deleting collections needs the read-write key "
                        "(QDRANT__SERVICE__API_KEY), not the read-only one")
        elif exc.status == 409:
            error = QdrantConflictError(exc.message, url=exc.url, status=exc.status, body=exc.body, collection=collection)
            error.attempts = exc.attempts
            return error
        else:
            return exc
        error = QdrantAuthError("%s; %s" % (exc.message, hint), url=exc.url, status=exc.status, body=exc.body, collection=collection)
        error.attempts = exc.attempts
        return error

    def _protocol(self, what, path, detail, collection=None):
        return QdrantProtocolError("%s: %s (is %s the REST API of Qdrant?)" % (what, detail, self.base_url),
                                   url=self.endpoint(path), collection=collection)

    # -- API ---------------------------------------------------------------------------------
    def server_info(self):
        """``GET /``: title, version (and commit) of the server; no envelope, no key needed."""
        what = self._what("reading the version of")
        try:
            info = self.request("GET", "/", what)
        except QdrantProtocolError as exc:
            raise self._hinted(exc) from None
        if not isinstance(info.get("version"), str):
            raise self._protocol(what, "/", "no 'version' in %s" % preview(json.dumps(info)))
        return info

    def list_collections(self):
        """Names of all collections, sorted."""
        what = self._what("listing the collections of")
        result = self.call("GET", "collections", what)
        entries = result.get("collections") if isinstance(result, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries):
            raise self._protocol(what, "collections", "expected result.collections to be a list of {\"name\": ...}, got %s"
                                 % preview(json.dumps(result)))
        return sorted(e["name"] for e in entries)

    def get_collection(self, name):
        """Qdrant's collection info (status, points_count, config, ...) or None if there is no such collection."""
        what = self._what("reading", name, "from")
        path = self._path(name)
        try:
            info = self.call("GET", path, what, collection=name)
        except QdrantHTTPError as exc:
            if exc.status == 404 and self._is_qdrant_error(exc.body):
                return None
            if exc.status == 404:
                raise self._protocol(what, path, "HTTP 404 without Qdrant's error envelope: %s" % (preview(exc.body) or "(empty body)"),
                                     collection=name) from None
            raise
        problem = collection_info_problem(info)
        if problem:
            raise self._protocol(what, path, problem, collection=name)
        return info

    @staticmethod
    def _is_qdrant_error(raw):
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, AttributeError):
            return False
        return isinstance(body, dict) and isinstance(body.get("status"), dict) and "error" in body["status"]

    def _expect_true(self, method, path, what, body, name):
        result = self.call(method, path, what, body=body, collection=name)
        if result is not True:
            raise self._protocol(what, path, "Qdrant answered result=%s instead of true" % json.dumps(result), collection=name)
        return True

    def create_collection(self, name, body):
        """PUT; raises QdrantConflictError when the collection exists."""
        return self._expect_true("PUT", self._path(name), self._what("creating", name), body, name)

    def update_collection(self, name, body):
        """PATCH the parameters Qdrant can change in place."""
        return self._expect_true("PATCH", self._path(name), self._what("updating", name), body, name)

    def delete_collection(self, name):
        """True if it was deleted, False if there was no such collection."""
        what = self._what("deleting", name)
        path = self._path(name)
        result = self.call("DELETE", path, what, collection=name)
        if not isinstance(result, bool):
            raise self._protocol(what, path, "expected result true or false, got %s" % json.dumps(result), collection=name)
        return result


def collection_info_problem(info):
    """What is wrong with the shape of a collection info, or None."""
    if not isinstance(info, dict):
        return "expected result to be an object, got %s" % preview(json.dumps(info))
    config = info.get("config")
    if not isinstance(config, dict):
        return "result.config is missing or not an object"
    params = config.get("params")
    if not isinstance(params, dict):
        return "result.config.params is missing or not an object"
    vectors = params.get("vectors")
    if not isinstance(vectors, dict):
        return "result.config.params.vectors is missing or not an object"
    single = "size" in vectors or "distance" in vectors
    for name, entry in ([("", vectors)] if single else vectors.items()):
        if not isinstance(entry, dict) or not isinstance(entry.get("size"), int) or not isinstance(entry.get("distance"), str):
            where = "result.config.params.vectors" + ("." + name if name else "")
            return "%s is not a vector definition with size and distance: %s" % (where, preview(json.dumps(entry)))
    for key in ("hnsw_config", "optimizer_config"):
        if config.get(key) is not None and not isinstance(config[key], dict):
            return "result.config.%s is not an object" % key
    return None


# -- module glue -------------------------------------------------------------------------------


def qdrant_argument_spec(**extra):
    """QDRANT_COMMON_ARGS plus a module's own options (a copy: specs hold mutable defaults)."""
    spec = copy.deepcopy(QDRANT_COMMON_ARGS)
    spec.update(extra)
    return spec


def client_from_params(params):
    return QdrantClient(
        url=params["url"],
        api_key=params.get("api_key"),
        timeout=params["timeout"],
        validate_certs=params["validate_certs"],
        ca_path=params.get("ca_path"),
        retries=params["retries"],
    )
