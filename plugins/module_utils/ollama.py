# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ollama API client, model-name normalisation and a reader for the Ollama model registry.

Shared by the Ollama modules (see docs/development/ollama-internals.md). HTTP goes through
ansible.module_utils.urls so TLS validation, proxies, headers and timeouts behave as in every
other Ansible module. Every exception message names the URL and, where there is one, the model,
because that is what an operator needs to act on a failed task.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time

from ansible_collections.foundrycloud.platform.plugins.module_utils.http_api import (
    ApiConnectionError,
    ApiError,
    ApiHTTPError,
    ApiProtocolError,
    ErrorTypes,
    RetryingClient,
    decode_json,
    normalise_base_url,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.http_api import preview as _preview
from ansible_collections.foundrycloud.platform.plugins.module_utils.gguf import (
    GGUFError,
    GGUFTruncated,
    architecture,
    has_architecture,
    read_metadata,
)

DEFAULT_URL = "http://127.0.0.1:11434"
DEFAULT_HOST = "registry.ollama.ai"
DEFAULT_NAMESPACE = "library"
DEFAULT_TAG = "latest"

MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
MODEL_LAYER = "application/vnd.ollama.image.model"
PROJECTOR_LAYER = "application/vnd.ollama.image.projector"

READ_CHUNK = 8192
FIRST_RANGE = 1024 * 1024
MAX_RANGE = 64 * 1024 * 1024
# A line longer than this without a newline is not an Ollama progress line.
MAX_LINE = 1024 * 1024
USER_AGENT = "foundrycloud.platform-ollama"

OLLAMA_COMMON_ARGS = dict(
    url=dict(type="str", default=DEFAULT_URL),
    headers=dict(type="dict", default={}),
    bearer_token=dict(type="str", no_log=True),
    timeout=dict(type="float", default=30),
    validate_certs=dict(type="bool", default=True),
    retries=dict(type="int", default=3),
)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class OllamaError(ApiError):
    """Base class. ``str()`` is a complete sentence naming the URL (and model, if any)."""

    def __init__(self, message, url=None, model=None, **context):
        super().__init__(message, url=url, model=model, **context)
        self.model = model


class OllamaConnectionError(OllamaError, ApiConnectionError):
    """Refused, reset, timed out, or a stream that ended early. Worth retrying."""


class OllamaHTTPError(OllamaError, ApiHTTPError):
    """The server answered with an HTTP error status. Only 5xx is worth retrying."""


class OllamaProtocolError(OllamaError, ApiProtocolError):
    """The answer is not what the Ollama API (or registry) sends: not JSON, wrong shape."""


class OllamaPullError(OllamaError):
    """Ollama reported an error in the pull stream (for example an unknown model)."""


class OllamaNameError(OllamaError, ValueError):
    """A model name Ollama would reject."""


# --------------------------------------------------------------------------------------------
# Model names
# --------------------------------------------------------------------------------------------

# Ollama's rules (types/model/name.go): the first character is a letter, digit or '_'; then
# letters, digits, '_', '-', '.'; namespaces may not contain '.'; hosts may also contain ':'.
_PART_RULES = {
    "host": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$"), 350, "letters, digits, '_', '-', '.' and ':'"),
    "namespace": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$"), 80, "letters, digits, '_' and '-'"),
    "model": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"), 80, "letters, digits, '_', '-' and '.'"),
    "tag": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"), 80, "letters, digits, '_', '-' and '.'"),
}


def _cut_last(text, sep):
    """Split at the last ``sep``; (text, None, False) when it is absent."""
    index = text.rfind(sep)
    if index < 0:
        return text, None, False
    return text[:index], text[index + len(sep):], True


class ModelName:
    """A model reference normalised the way Ollama does it.

    ``qwen2.5`` is ``registry.ollama.ai/library/qwen2.5:latest``. Case is kept for display but
    ignored in comparisons, as Ollama does.
    """

    __slots__ = ("host", "namespace", "model", "tag")

    def __init__(self, host, namespace, model, tag):
        self.host = host
        self.namespace = namespace
        self.model = model
        self.tag = tag

    @classmethod
    def parse(cls, text):
        if isinstance(text, ModelName):
            return text
        if not isinstance(text, str):
            raise OllamaNameError("invalid model name %r: expected a string" % (text,))
        if not text:
            raise OllamaNameError("invalid model name '': the name is empty")
        parts = cls._split(text)
        for kind, value in parts.items():
            cls._check_part(text, kind, value)
        return cls(**parts)

    @staticmethod
    def _split(text):
        """Split like Ollama's ParseNameBare, then fill in the defaults.

        A part that a separator promises but that is empty (``ns/``, ``model:``) becomes ''
        and is rejected by _check_part; a part that is simply not written gets its default.
        """
        rest = text
        tag = DEFAULT_TAG
        # '/' is not allowed in a tag, so a ':' after the last '/' starts the tag ("host:port/m" has none).
        if rest.rfind(":") > rest.rfind("/"):
            rest, tag, _found = _cut_last(rest, ":")
        rest, model, found = _cut_last(rest, "/")
        if not found:
            return dict(host=DEFAULT_HOST, namespace=DEFAULT_NAMESPACE, model=rest, tag=tag)
        rest, namespace, found = _cut_last(rest, "/")
        if not found:
            return dict(host=DEFAULT_HOST, namespace=rest, model=model, tag=tag)
        # Ollama accepts a URL-style host ("https://example.com/ns/model") and drops the scheme.
        _scheme, separator, host = rest.partition("://")
        return dict(host=host if separator else rest, namespace=namespace, model=model, tag=tag)

    @staticmethod
    def _check_part(text, kind, value):
        pattern, limit, allowed = _PART_RULES[kind]
        if not value:
            raise OllamaNameError("invalid model name %r: the %s is empty" % (text, kind))
        if len(value) > limit:
            raise OllamaNameError("invalid model name %r: the %s is longer than %d characters" % (text, kind, limit))
        if not pattern.match(value):
            raise OllamaNameError(
                "invalid model name %r: the %s %r may contain only %s and must start with a letter, digit or '_'"
                % (text, kind, value, allowed)
            )

    @property
    def full(self):
        return "%s/%s/%s:%s" % (self.host, self.namespace, self.model, self.tag)

    @property
    def short(self):
        """The form /api/tags shows: defaults left out, the tag always present."""
        if self.host.lower() != DEFAULT_HOST:
            return self.full
        if self.namespace.lower() != DEFAULT_NAMESPACE:
            return "%s/%s:%s" % (self.namespace, self.model, self.tag)
        return "%s:%s" % (self.model, self.tag)

    @property
    def key(self):
        return self.full.lower()

    @property
    def repository(self):
        return "%s/%s" % (self.namespace, self.model)

    @property
    def manifest_path(self):
        return "v2/%s/manifests/%s" % (self.repository, self.tag)

    def blob_path(self, digest):
        return "v2/%s/blobs/%s" % (self.repository, digest)

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = ModelName.parse(other)
            except OllamaNameError:
                return False
        if not isinstance(other, ModelName):
            return NotImplemented
        return self.key == other.key

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self.key)

    def __str__(self):
        return self.short

    def __repr__(self):
        return "ModelName(%r)" % self.full


def find_model(models, name):
    """The entry of a /api/tags or /api/ps list that is ``name`` (case-insensitive), or None."""
    wanted = ModelName.parse(name)
    for entry in models:
        for field in ("name", "model"):
            text = entry.get(field)
            if not isinstance(text, str):
                continue
            try:
                if ModelName.parse(text) == wanted:
                    return entry
            except OllamaNameError:
                continue
    return None


# --------------------------------------------------------------------------------------------
# NDJSON
# --------------------------------------------------------------------------------------------


class NDJSONStream:
    """Incremental parser for newline-delimited JSON (Ollama's streaming responses).

    ``feed`` may receive any slicing of the body; objects are returned once their line is
    complete. The messages of the errors raised here are bare; the client adds model and URL.
    """

    def __init__(self, source=None):
        self.source = source
        self.objects = 0
        self._buffer = b""

    @property
    def pending(self):
        """True when an unterminated line is buffered."""
        return bool(self._buffer.strip())

    def feed(self, chunk):
        self._buffer += chunk
        lines = self._buffer.split(b"\n")
        self._buffer = lines.pop()
        if len(self._buffer) > MAX_LINE:
            raise OllamaProtocolError("a line of more than %d bytes without a newline: %s" % (MAX_LINE, _preview(self._buffer)), url=self.source)
        return [self._decode(line) for line in lines if line.strip()]

    def close(self):
        """Parse what is left after the last newline (a last line need not end with one)."""
        rest, self._buffer = self._buffer, b""
        if not rest.strip():
            return []
        return [self._decode(rest)]

    def _decode(self, line):
        try:
            obj = json.loads(line.decode("utf-8"))
        except ValueError:  # includes UnicodeDecodeError and json.JSONDecodeError
            raise OllamaProtocolError("a line of the stream is not JSON: %s" % _preview(line), url=self.source) from None
        if not isinstance(obj, dict):
            raise OllamaProtocolError("a line of the stream is not a JSON object: %s" % _preview(line), url=self.source)
        if "error" in obj:
            raise OllamaPullError(str(obj["error"]), url=self.source)
        self.objects += 1
        return obj


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


# Ollama's own exception types, raised by the shared HTTP base (module_utils/http_api.py).
OLLAMA_ERRORS = ErrorTypes(base=OllamaError, connection=OllamaConnectionError, http=OllamaHTTPError, protocol=OllamaProtocolError)


def _normalise_base_url(url):
    return normalise_base_url(url, OLLAMA_ERRORS)


def _decode_json_object(raw, what, url, model=None):
    return decode_json(raw, what, url, errors=OLLAMA_ERRORS, model=model)


class _Client(RetryingClient):
    """Retries with exponential back-off, shared by the Ollama and registry clients."""

    errors = OLLAMA_ERRORS


# --------------------------------------------------------------------------------------------
# Ollama server
# --------------------------------------------------------------------------------------------


class _PullProgress:
    """What the pull stream said so far, across attempts (a resumed pull repeats layers)."""

    def __init__(self):
        self.layers = {}
        self.status = None
        self.succeeded = False

    def update(self, line):
        status = line.get("status")
        if isinstance(status, str):
            self.status = status
            if status == "success":
                self.succeeded = True
        digest = line.get("digest")
        if isinstance(digest, str) and digest:
            layer = self.layers.setdefault(digest, {"total": 0, "completed": 0})
            for field in ("total", "completed"):
                value = line.get(field)
                if isinstance(value, int) and not isinstance(value, bool):
                    layer[field] = max(layer[field], value)

    @property
    def total(self):
        return sum(layer["total"] for layer in self.layers.values())

    @property
    def completed(self):
        return sum(layer["completed"] for layer in self.layers.values())

    @property
    def last_layer(self):
        return next(reversed(self.layers)) if self.layers else None


def _model_list(body, what, url):
    models = body.get("models")
    if models is None:  # Go encodes an empty slice as null in some versions
        return []
    if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
        raise OllamaProtocolError("%s: 'models' is not a list of objects" % what, url=url)
    return models


class OllamaClient(_Client):
    """Client for one Ollama server's HTTP API."""

    def __init__(self, url=DEFAULT_URL, headers=None, bearer_token=None, timeout=30, validate_certs=True, retries=3, backoff=2.0):
        super().__init__(headers=headers, bearer_token=bearer_token, timeout=timeout, validate_certs=validate_certs, retries=retries, backoff=backoff)
        self.url = _normalise_base_url(url)

    def endpoint(self, path):
        return self.url + path

    def _json(self, method, path, operation, body=None, model=None):
        """A retried request whose answer must be a JSON object; ``operation`` starts the messages."""
        url = self.endpoint(path)
        what = "%s at %s" % (operation, url)
        raw = self.fetch(method, url, what, body=body, model=model)
        return _decode_json_object(raw, what, url, model=model)

    def _list(self, path, operation):
        body = self._json("GET", path, operation)
        return _model_list(body, "%s at %s" % (operation, self.endpoint(path)), self.endpoint(path))

    def version(self):
        body = self._json("GET", "/api/version", "reading the Ollama version")
        version = body.get("version")
        if not isinstance(version, str):
            url = self.endpoint("/api/version")
            raise OllamaProtocolError("reading the Ollama version at %s: no 'version' string in the answer" % url, url=url)
        return version

    def tags(self):
        """Models present on the server (``/api/tags``)."""
        return self._list("/api/tags", "listing models")

    def ps(self):
        """Models loaded in memory (``/api/ps``)."""
        return self._list("/api/ps", "listing loaded models")

    def find(self, name):
        """The /api/tags entry of ``name``, or None."""
        return find_model(self.tags(), name)

    def show(self, name):
        name = ModelName.parse(name)
        return self._json("POST", "/api/show", "showing model '%s'" % name, body={"model": str(name)}, model=str(name))

    def delete(self, name):
        """Delete a model; False when the server does not have it (404)."""
        name = ModelName.parse(name)
        url = self.endpoint("/api/delete")
        try:
            self.fetch("DELETE", url, "deleting model '%s' at %s" % (name, url), body={"model": str(name)}, model=str(name))
        except OllamaHTTPError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def pull(self, name, insecure=False):
        """Pull a model, resuming an interrupted download; returns a summary.

        Ollama keeps partially downloaded blobs, so a new POST after a dropped or stalled
        stream continues where the last one stopped. An ``error`` line in the stream is final.
        """
        name = ModelName.parse(name)
        url = self.endpoint("/api/pull")
        what = "pulling model '%s' at %s" % (name, url)
        progress = _PullProgress()
        started = time.monotonic()

        attempts = [0]

        def attempt(number):
            attempts[0] = number
            self._pull_once(url, what, name, insecure, progress)

        self.retrying(attempt)
        seconds = round(time.monotonic() - started, 3)
        entry = self.find(name) or {}
        return {
            "status": progress.status,
            "digest": entry.get("digest"),
            "size": entry.get("size"),
            "last_layer": progress.last_layer,
            "total": progress.total,
            "completed": progress.completed,
            "seconds": seconds,
            "attempts": attempts[0],
        }

    def _pull_once(self, url, what, name, insecure, progress):
        progress.succeeded = False
        stream = NDJSONStream(source=url)
        body = {"model": str(name), "insecure": bool(insecure), "stream": True}
        response = self.http.open("POST", url, what, body=body, model=str(name))
        with response:
            while True:
                chunk = self.http.read(response, READ_CHUNK, what, url, model=str(name))
                if not chunk:
                    break
                for line in self._parse(stream.feed, chunk, what, url, name):
                    progress.update(line)
        for line in self._parse_rest(stream, what, url, name):
            progress.update(line)
        if not progress.succeeded:
            raise OllamaConnectionError(
                "%s: the stream ended before Ollama reported success (last status: %s)" % (what, progress.status),
                url=url,
                model=str(name),
            )

    @staticmethod
    def _parse(feed, chunk, what, url, name):
        try:
            return feed(chunk)
        except OllamaError as exc:
            raise type(exc)("%s: %s" % (what, exc.message), url=url, model=str(name)) from None

    def _parse_rest(self, stream, what, url, name):
        seen = stream.objects
        try:
            return stream.close()
        except OllamaProtocolError as exc:
            if seen:
                # Valid lines, then half a line at the end: the connection was cut mid-line.
                raise OllamaConnectionError("%s: the stream was cut in the middle of a line" % what, url=url, model=str(name)) from None
            raise OllamaProtocolError("%s: %s" % (what, exc.message), url=url, model=str(name)) from None
        except OllamaPullError as exc:
            raise OllamaPullError("%s: %s" % (what, exc.message), url=url, model=str(name)) from None


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class RegistryClient(_Client):
    """Reads manifests and GGUF headers from an Ollama registry (OCI distribution API).

    Only the first bytes of the weights are fetched, with HTTP range requests: enough for the
    GGUF metadata, never the tensors.
    """

    def __init__(self, base_url=None, headers=None, bearer_token=None, timeout=30, validate_certs=True, retries=3, backoff=2.0,
                 insecure=False, first_range=FIRST_RANGE, max_range=MAX_RANGE):
        super().__init__(headers=headers, bearer_token=bearer_token, timeout=timeout, validate_certs=validate_certs, retries=retries, backoff=backoff)
        self.base_url = _normalise_base_url(base_url) if base_url else None
        self.insecure = insecure
        self.first_range = first_range
        self.max_range = max_range

    def base_for(self, name):
        if self.base_url:
            return self.base_url
        # Like Ollama: https unless the pull is explicitly insecure.
        return "%s://%s" % ("http" if self.insecure else "https", name.host)

    def manifest(self, name):
        """The manifest of ``name``.

        A dict with url, registry, digest (sha256 of the body as served), ollama_digest (what
        Ollama lists after pulling it), layers and config.
        """
        name = ModelName.parse(name)
        base = self.base_for(name)
        url = "%s/%s" % (base, name.manifest_path)
        what = "reading the manifest of model '%s' from registry %s" % (name, base)
        try:
            raw = self.fetch("GET", url, what, headers={"Accept": MANIFEST_MEDIA_TYPE}, model=str(name))
        except OllamaHTTPError as exc:
            if exc.status == 404:
                raise OllamaHTTPError("model %s not found in registry %s (%s)" % (name, base, url), url=url, model=str(name), status=404) from None
            raise
        body = _decode_json_object(raw, what, url, model=str(name))
        layers = body.get("layers")
        if not isinstance(layers, list) or not all(_valid_layer(layer) for layer in layers):
            raise OllamaProtocolError("%s: 'layers' is missing or malformed" % what, url=url, model=str(name))
        return {
            "url": url,
            "registry": base,
            "digest": "sha256:" + hashlib.sha256(raw).hexdigest(),
            "ollama_digest": _ollama_manifest_digest(body),
            "layers": layers,
            "config": body.get("config"),
        }

    def model_metadata(self, name):
        """Size and architecture of ``name`` from the registry, without downloading the weights."""
        name = ModelName.parse(name)
        manifest = self.manifest(name)
        models = [layer for layer in manifest["layers"] if layer["mediaType"] == MODEL_LAYER]
        projectors = [layer for layer in manifest["layers"] if layer["mediaType"] == PROJECTOR_LAYER]
        if not models:
            raise OllamaProtocolError(
                "model %s in registry %s has no layer of type %s" % (name, manifest["registry"], MODEL_LAYER),
                url=manifest["url"],
                model=str(name),
            )
        kv, bytes_read = self.read_gguf_header(name, models[0], manifest["registry"])
        result = architecture(kv)
        result.update(
            size_bytes=sum(layer["size"] for layer in models + projectors),
            digest=manifest["digest"],
            source="registry",
            registry=manifest["registry"],
            header_bytes_read=bytes_read,
        )
        return result

    def read_gguf_header(self, name, layer, base):
        """GGUF key/values of a layer, reading as few bytes as the header needs."""
        url = "%s/%s" % (base, name.blob_path(layer["digest"]))
        what = "reading the GGUF header of model '%s' from %s" % (name, url)
        limit = min(layer["size"], self.max_range)
        length = min(self.first_range, limit)
        bytes_read = 0
        while True:
            data = self._read_prefix(url, length, what, name)
            bytes_read += len(data)
            try:
                kv = read_metadata(data, stop_when=_architecture_and_vocabulary)
            except GGUFTruncated as exc:
                if len(data) < length or length >= limit:
                    raise OllamaProtocolError(
                        "%s: the GGUF header does not end within the first %d bytes" % (what, len(data)), url=url, model=str(name)
                    ) from None
                # ``needed`` is often just the end of the next small field; doubling as well
                # keeps the number of requests logarithmic while over-reading at most 2x.
                length = min(limit, max(exc.needed, 2 * length))
                continue
            except GGUFError as exc:
                raise OllamaProtocolError("%s: %s" % (what, exc), url=url, model=str(name)) from None
            if not kv.get("general.architecture"):
                raise OllamaProtocolError("%s: the GGUF header has no general.architecture" % what, url=url, model=str(name))
            return kv, bytes_read

    def _read_prefix(self, url, length, what, name):
        """The first ``length`` bytes of a blob (206 expected; a 200 is cut short)."""

        def attempt(_number):
            response = self.http.open("GET", url, what, headers={"Range": "bytes=0-%d" % (length - 1)}, model=str(name))
            with response:
                status = getattr(response, "status", None) or response.getcode()
                if status not in (200, 206):
                    raise OllamaProtocolError("%s: unexpected HTTP %s to a range request" % (what, status), url=url, model=str(name))
                return self._read_up_to(response, length, what, url, name)

        return self.retrying(attempt)

    def _read_up_to(self, response, length, what, url, name):
        parts = []
        remaining = length
        while remaining > 0:
            chunk = self.http.read(response, min(remaining, 1024 * 1024), what, url, model=str(name))
            if not chunk:
                break
            parts.append(chunk)
            remaining -= len(chunk)
        return b"".join(parts)


def _architecture_and_vocabulary(kv):
    """Stop once the architecture keys and the vocabulary size are known.

    The token list follows the architecture keys; its array header alone gives the count, so
    the (megabytes of) tokens themselves are never fetched.
    """
    if not has_architecture(kv):
        return False
    return "tokenizer.ggml.tokens" in kv or ("%s.vocab_size" % kv["general.architecture"]) in kv


def _ollama_manifest_digest(body):
    """The digest Ollama will list after pulling this manifest.

    Ollama does not store the manifest as served: it decodes it into its own struct and writes
    that back (Go's encoding/json: fixed field order, no spaces, ``from`` only when set). For
    manifests Ollama pushed itself both digests agree; this one also holds when the registry
    added fields or whitespace.
    """

    def layer(item):
        out = dict(mediaType=item.get("mediaType"), digest=item.get("digest"), size=item.get("size"))
        if item.get("from"):
            out["from"] = item["from"]
        return out

    config = body.get("config") if isinstance(body.get("config"), dict) else {}
    canonical = dict(
        schemaVersion=body.get("schemaVersion"),
        mediaType=body.get("mediaType"),
        config=layer(config),
        layers=[layer(item) for item in body.get("layers") or []],
    )
    encoded = json.dumps(canonical, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(encoded).hexdigest()


def _valid_layer(layer):
    return (
        isinstance(layer, dict)
        and isinstance(layer.get("mediaType"), str)
        and isinstance(layer.get("digest"), str)
        and bool(_DIGEST.match(layer["digest"]))
        and isinstance(layer.get("size"), int)
        and layer["size"] >= 0
    )


# --------------------------------------------------------------------------------------------
# Module glue
# --------------------------------------------------------------------------------------------


def ollama_argument_spec(**extra):
    """OLLAMA_COMMON_ARGS plus a module's own options (a copy: specs hold mutable defaults)."""
    spec = copy.deepcopy(OLLAMA_COMMON_ARGS)
    spec.update(extra)
    return spec


def client_from_params(params):
    return OllamaClient(
        url=params["url"],
        headers=params.get("headers"),
        bearer_token=params.get("bearer_token"),
        timeout=params["timeout"],
        validate_certs=params["validate_certs"],
        retries=params["retries"],
    )
