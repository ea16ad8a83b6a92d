"""Protocol double of ClickHouse server (clickhouse/clickhouse-server), for tests only.

It stores nothing and runs no SQL engine. It answers the HTTP interface (port 8123) the way the
platform and Langfuse probe a ClickHouse server, and keeps the native TCP port (9000) open.
Python 3 standard library only. Not production code: the collection never imports it.

Environment (names of the official image):

* ``CLICKHOUSE_USER`` (default ``default``), ``CLICKHOUSE_PASSWORD`` (default empty),
  ``CLICKHOUSE_DB`` (default ``default``): the one account the double knows.
* ``CLICKHOUSE_DOUBLE_VERSION`` (double only): the version reported (set by the image).
* ``CLICKHOUSE_DOUBLE_HTTP_PORT`` / ``CLICKHOUSE_DOUBLE_TCP_PORT`` (double only): ports,
  default 8123 / 9000.

HTTP interface:

* ``GET /``, ``GET /ping``, ``GET /replicas_status`` -> ``Ok.\\n`` (no authentication, as the
  real server).
* Queries, ``GET /?query=...`` or ``POST /`` (query in the ``query`` parameter and/or the body),
  authenticated like ClickHouse: HTTP basic auth, ``X-ClickHouse-User``/``X-ClickHouse-Key``
  headers or ``user``/``password`` parameters (none: user ``default``, empty password). A wrong
  user or password gives HTTP 516 and ``Code: 516. ... (AUTHENTICATION_FAILED)``. Understood
  queries: ``SELECT 1``, ``SELECT version()``, ``SELECT currentUser()``,
  ``SELECT currentDatabase()``, ``SHOW DATABASES``; anything else is answered with
  ``Code: 48 ... (NOT_IMPLEMENTED)`` (HTTP 501).

Native TCP port: accepts a connection, reads the client hello and answers with a native
protocol Exception packet (code 48, NOT_IMPLEMENTED), so clients fail fast and clearly.

Command line: ``clickhouse_server.py`` (no arguments) serves on 0.0.0.0 until SIGTERM.
In-process: ``serve(http_port=0, tcp_port=0, env=None) -> (servers, threads)``.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_VERSION = "25.8.4.13"


class Config:
    def __init__(self, env: dict | None = None):
        env = os.environ if env is None else env
        self.user = env.get("CLICKHOUSE_USER") or "default"
        self.password = env.get("CLICKHOUSE_PASSWORD", "")
        self.database = env.get("CLICKHOUSE_DB") or "default"
        self.version = env.get("CLICKHOUSE_DOUBLE_VERSION") or DEFAULT_VERSION


def _exception_text(cfg: Config, code: int, message: str, name: str) -> str:
    return f"Code: {code}. DB::Exception: {message}. ({name}) (version {cfg.version} (official build))\n"


def _varuint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _string(text: str) -> bytes:
    data = text.encode()
    return _varuint(len(data)) + data


def native_exception_packet(code: int, name: str, message: str) -> bytes:
    """A native-protocol server packet of type Exception (2)."""
    return (_varuint(2) + struct.pack("<i", code) + _string(name) + _string(message)
            + _string("") + b"\x00")


class HTTPHandler(BaseHTTPRequestHandler):
    server_version = "ClickHouse-double"
    protocol_version = "HTTP/1.1"
    cfg: Config  # set on the subclass made by serve()

    def log_message(self, fmt, *args):  # quiet: the container log shows only errors
        pass

    def _send(self, status: int, body: str, extra: dict | None = None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-ClickHouse-Server-Display-Name", socket.gethostname())
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, status: int, code: int, name: str, message: str):
        self._send(status, _exception_text(self.cfg, code, message, name),
                   {"X-ClickHouse-Exception-Code": str(code)})

    def _credentials(self, params: dict) -> tuple[str, str]:
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                user, _sep, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
                return user, password
            except (ValueError, UnicodeDecodeError):
                return "", ""
        if self.headers.get("X-ClickHouse-User") is not None:
            return self.headers.get("X-ClickHouse-User", ""), self.headers.get("X-ClickHouse-Key", "")
        if "user" in params:
            return params["user"], params.get("password", "")
        return "default", ""

    def _handle(self, body: str = ""):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        path = url.path
        if path in ("/ping", "/replicas_status") or (path == "/" and "query" not in params and not body.strip()):
            return self._send(200, "Ok.\n")
        if path != "/":
            return self._error(404, 0, "UNKNOWN", f"There is no handle {path}")
        user, password = self._credentials(params)
        if user != self.cfg.user or password != self.cfg.password:
            return self._error(516, 516, "AUTHENTICATION_FAILED",
                               f"{user}: Authentication failed: password is incorrect, "
                               "or there is no user with such name")
        query = " ".join(part for part in (params.get("query", ""), body) if part).strip()
        query = re.sub(r"\s+FORMAT\s+\w+\s*$", "", query.rstrip("; \n"), flags=re.I)
        normal = re.sub(r"\s+", " ", query).strip().lower()
        answers = {
            "select 1": "1\n",
            "select version()": f"{self.cfg.version}\n",
            "select currentuser()": f"{self.cfg.user}\n",
            "select currentdatabase()": f"{params.get('database') or self.cfg.database}\n",
            "show databases": "".join(f"{name}\n" for name in sorted(
                {"default", "system", "information_schema", "INFORMATION_SCHEMA", self.cfg.database})),
        }
        if normal in answers:
            return self._send(200, answers[normal], {"X-ClickHouse-Format": "TabSeparated"})
        return self._error(501, 48, "NOT_IMPLEMENTED",
                           f"The ClickHouse test double does not execute this query: {query[:200]}")

    def do_GET(self):  # noqa: N802 (http.server naming)
        self._handle()

    def do_HEAD(self):  # noqa: N802
        self._handle()

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode(errors="replace") if length else ""
        self._handle(body)


class NativeHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            self.request.recv(4096)  # the client hello; its content does not matter here
        except OSError:
            return
        try:
            self.request.sendall(native_exception_packet(
                48, "DB::Exception",
                "The ClickHouse test double does not implement the native protocol; use HTTP on 8123"))
        except OSError:
            pass


class NativeServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(http_port: int = 0, tcp_port: int = 0, env: dict | None = None, host: str = "127.0.0.1"):
    """Start both listeners in threads; returns ([http_server, tcp_server], [threads])."""
    cfg = Config(env)
    handler = type("BoundHTTPHandler", (HTTPHandler,), {"cfg": cfg})
    http_server = ThreadingHTTPServer((host, http_port), handler)
    http_server.daemon_threads = True
    tcp_server = NativeServer((host, tcp_port), NativeHandler)
    threads = []
    for server in (http_server, tcp_server):
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        threads.append(thread)
    return [http_server, tcp_server], threads


def main() -> int:
    http_port = int(os.environ.get("CLICKHOUSE_DOUBLE_HTTP_PORT", "8123"))
    tcp_port = int(os.environ.get("CLICKHOUSE_DOUBLE_TCP_PORT", "9000"))
    servers, _threads = serve(http_port, tcp_port, host="0.0.0.0")
    cfg = Config()
    print(f"ClickHouse test double {cfg.version}: HTTP on 0.0.0.0:{http_port}, "
          f"native TCP on 0.0.0.0:{tcp_port}, user {cfg.user}", file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
