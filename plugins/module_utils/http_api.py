# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP base of every REST client in this collection (Ollama, Qdrant, Guacamole, ...).

HTTP goes through ansible.module_utils.urls so TLS validation, proxies and timeouts behave as in
every other Ansible module. Every failure becomes an ``ApiError`` whose ``str()`` is a sentence
an operator can act on: what was attempted, against which URL, and what came back. A client for
one service subclasses ``JsonApiClient`` and, where its callers want their own exception types,
sets ``errors`` to an ``ErrorTypes`` of its subclasses.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.parse

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import Request

USER_AGENT = "foundrycloud.platform"

# Options every module that talks to an HTTP API takes (doc fragment: foundrycloud.platform.http_api).
HTTP_API_COMMON_ARGS = dict(
    timeout=dict(type="float", default=30),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    retries=dict(type="int", default=3),
)


class ApiError(Exception):
    """Base class. ``str()`` is a complete sentence naming the URL."""

    def __init__(self, message, url=None, **context):
        super().__init__(message)
        self.message = message
        self.url = url
        self.context = context
        self.attempts = 1

    def __str__(self):
        if self.attempts > 1:
            return "%s (gave up after %d attempts)" % (self.message, self.attempts)
        return self.message

    @property
    def retryable(self):
        return False


class ApiConnectionError(ApiError):
    """Refused, reset, timed out, or a body that ended early. Worth retrying."""

    @property
    def retryable(self):
        return True


class ApiHTTPError(ApiError):
    """The server answered with an HTTP error status. Only 5xx is worth retrying."""

    def __init__(self, message, url=None, status=None, body=None, **context):
        super().__init__(message, url=url, **context)
        self.status = status
        self.body = body

    @property
    def retryable(self):
        return self.status is not None and self.status >= 500


class ApiProtocolError(ApiError):
    """The answer is not what the API sends: not JSON, wrong shape."""


class ErrorTypes:
    """The exception classes a client raises; clients with their own hierarchy pass theirs."""

    def __init__(self, base=ApiError, connection=ApiConnectionError, http=ApiHTTPError, protocol=ApiProtocolError):
        self.base = base
        self.connection = connection
        self.http = http
        self.protocol = protocol


DEFAULT_ERRORS = ErrorTypes()


def preview(raw, limit=120):
    """A short printable excerpt of a body, for error messages."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    raw = " ".join(str(raw).split())
    return raw if len(raw) <= limit else raw[:limit] + "..."


def normalise_base_url(url, errors=DEFAULT_ERRORS):
    if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
        raise errors.base("invalid URL %r: expected http://host[:port][/path] or https://..." % (url,), url=url)
    return url.rstrip("/")


def error_detail(status, raw):
    """'HTTP 404: <message>' from the error bodies the APIs we talk to send:
    {"error": "..."} (Ollama), {"errors": [{"message": ...}]} (registries),
    {"status": {"error": "..."}} (Qdrant), {"message": "..."} (Guacamole, many others)."""
    detail = "HTTP %s" % status
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return detail + (": %s" % preview(raw) if raw.strip() else "")
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            return "%s: %s" % (detail, body["error"])
        if isinstance(body.get("errors"), list):
            messages = [str(e.get("message") or e.get("code")) for e in body["errors"] if isinstance(e, dict)]
            return "%s: %s" % (detail, "; ".join(messages))
        status_field = body.get("status")
        if isinstance(status_field, dict) and isinstance(status_field.get("error"), str):
            return "%s: %s" % (detail, status_field["error"])
        if isinstance(body.get("message"), str):
            return "%s: %s" % (detail, body["message"])
    return "%s: %s" % (detail, preview(raw))


def describe_io_error(exc, timeout):
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "no data for %s seconds (timeout)" % timeout
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection was closed in the middle of the response"
    return "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__


def decode_json(raw, what, url, errors=DEFAULT_ERRORS, expect=dict, **context):
    """The JSON body as ``expect`` (dict, list, or None for any type)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise errors.protocol("%s: the response is not JSON: %s" % (what, preview(raw) or "(empty body)"), url=url, **context) from None
    if expect is not None and not isinstance(body, expect):
        raise errors.protocol("%s: expected a JSON %s, got %s" % (what, "object" if expect is dict else "array", preview(raw)),
                              url=url, **context)
    return body


class HTTP:
    """One request: open_url with fixed headers/TLS/timeout, every failure mapped to ``errors``."""

    def __init__(self, headers=None, bearer_token=None, timeout=30, validate_certs=True, ca_path=None,
                 errors=DEFAULT_ERRORS, user_agent=USER_AGENT):
        self.headers = dict((str(k), str(v)) for k, v in (headers or {}).items())
        if bearer_token:
            self.headers["Authorization"] = "Bearer %s" % bearer_token
        self.timeout = timeout
        self.errors = errors
        self._request = Request(timeout=timeout, validate_certs=validate_certs, ca_path=ca_path, http_agent=user_agent)

    def open(self, method, url, what, body=None, form=None, headers=None, **context):
        """``body`` is sent as JSON, ``form`` as application/x-www-form-urlencoded."""
        all_headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode("utf-8")
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        try:
            # Authorization stays with the host it was meant for: registries redirect blob
            # downloads to a CDN, which must not see the token.
            return self._request.open(method, url, data=data, headers=all_headers, unredirected_headers=["Authorization"])
        except urllib.error.HTTPError as exc:  # before URLError: it is a subclass
            try:
                raw = exc.read()
            except Exception:  # the body of an error is a courtesy; its absence must not hide the status
                raw = b""
            raise self.errors.http("%s: %s" % (what, error_detail(exc.code, raw)), url=url, status=exc.code, body=raw, **context) from None
        except urllib.error.URLError as exc:
            raise self.errors.connection("%s: cannot connect: %s" % (what, exc.reason), url=url, **context) from None
        except (UrlsConnectionError, http.client.HTTPException, OSError) as exc:
            raise self.errors.connection("%s: %s" % (what, describe_io_error(exc, self.timeout)), url=url, **context) from None

    def read(self, response, size, what, url, **context):
        """One read of the body; a timeout here means the stream stalled."""
        try:
            return response.read(size)
        except (http.client.HTTPException, OSError, ValueError) as exc:
            raise self.errors.connection("%s: %s" % (what, describe_io_error(exc, self.timeout)), url=url, **context) from None


class RetryingClient:
    """Retries with exponential back-off around ``HTTP``."""

    errors = DEFAULT_ERRORS
    # Class attribute so tests can replace it without slowing down.
    sleep = staticmethod(time.sleep)

    def __init__(self, headers=None, bearer_token=None, timeout=30, validate_certs=True, ca_path=None, retries=3, backoff=2.0):
        if timeout is None or timeout <= 0:
            raise self.errors.base("timeout must be a positive number of seconds, got %r" % (timeout,))
        if retries is None or retries < 0:
            raise self.errors.base("retries must be 0 or more, got %r" % (retries,))
        self.http = HTTP(headers=headers, bearer_token=bearer_token, timeout=timeout, validate_certs=validate_certs,
                         ca_path=ca_path, errors=self.errors)
        self.retries = int(retries)
        self.backoff = float(backoff)

    def retrying(self, attempt):
        """Call ``attempt(n)`` until it succeeds, fails for good, or retries run out."""
        number = 0
        while True:
            number += 1
            try:
                return attempt(number)
            except ApiError as exc:
                exc.attempts = number
                if not exc.retryable or number > self.retries:
                    raise
                self.sleep(self.backoff * 2 ** (number - 1))

    def fetch(self, method, url, what, body=None, form=None, headers=None, **context):
        """Whole body of a (retried) request."""

        def attempt(_number):
            response = self.http.open(method, url, what, body=body, form=form, headers=headers, **context)
            with response:
                return self.http.read(response, None, what, url, **context)

        return self.retrying(attempt)


class JsonApiClient(RetryingClient):
    """A client for one JSON API below ``base_url``."""

    def __init__(self, base_url, **kwargs):
        self.base_url = normalise_base_url(base_url, self.errors)
        super().__init__(**kwargs)

    def endpoint(self, path, query=None):
        url = self.base_url + "/" + path.lstrip("/")
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return url

    def request(self, method, path, what, body=None, form=None, query=None, expect=dict, headers=None, **context):
        """The decoded JSON answer (``expect=None``: any JSON value; an empty body is None)."""
        url = self.endpoint(path, query)
        raw = self.fetch(method, url, what, body=body, form=form, headers=headers, **context)
        if not raw.strip() and expect is None:
            return None
        return decode_json(raw, what, url, errors=self.errors, expect=expect, **context)
