"""Protocol double of the MinIO server (minio/minio) and of its `mc ready`, for tests only.

Health endpoints only: this double does NOT implement S3 (no buckets, no objects, no
signatures); every S3 request gets an S3 ``NotImplemented`` error. It exists so that the
platform's MinIO container starts with the real command line and answers the health checks.
Python 3 standard library only. Not production code: the collection never imports it.

Command line: ``minio_server.py minio ARGS...`` or ``minio_server.py mc ARGS...``; the image
installs two small wrappers, ``/usr/bin/minio`` and ``/usr/bin/mc``, that run it so.

``minio server [--address ADDR] [--console-address ADDR] DIR...`` (also ``--flag=value``;
``MINIO_VOLUMES`` when no DIR is given), ``minio --version``:

* ``MINIO_ROOT_USER`` / ``MINIO_ROOT_PASSWORD`` (default ``minioadmin``/``minioadmin``; the
  deprecated ``MINIO_ACCESS_KEY``/``MINIO_SECRET_KEY`` are read too). As the real server, it
  refuses to start (exit 1) when the user has fewer than 3 or the password fewer than 8
  characters, or when a data directory cannot be created or written.
* API on ``--address`` (default ``:9000``): ``GET|HEAD /minio/health/live``, ``/ready``,
  ``/cluster`` and ``/cluster/read`` -> 200 with an empty body. Anything else: S3 XML error
  ``NotImplemented`` (HTTP 501).
* Console on ``--console-address`` (default: none): any GET -> 200, a one-line HTML page.

``mc ready ALIAS [--cluster-read] [--maintenance]`` (the only ``mc`` command): the alias is
``MC_HOST_<ALIAS>`` (``http://user:pass@host:port``) or, for ``local``, http://localhost:9000.
Like the real command it repeats GET /minio/health/cluster once a second until it succeeds,
then prints "The cluster `ALIAS` is ready" and exits 0.

In-process: ``serve(port=0, console_port=None) -> (servers, threads)``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_VERSION = "RELEASE.2025-09-07T16-13-09Z"
HEALTH_PATHS = {"/minio/health/live", "/minio/health/ready", "/minio/health/cluster",
                "/minio/health/cluster/read"}


def version() -> str:
    return os.environ.get("MINIO_DOUBLE_VERSION") or DEFAULT_VERSION


class APIHandler(BaseHTTPRequestHandler):
    server_version = "MinIO"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, status: int, body: bytes = b"", ctype: str = "application/xml"):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Amz-Request-Id", uuid.uuid4().hex[:16].upper())
        if body:
            self.send_header("Content-Type", ctype)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _handle(self):
        path = urllib.parse.urlsplit(self.path).path
        if path in HEALTH_PATHS and self.command in ("GET", "HEAD"):
            return self._reply(200)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code>'
            "<Message>A header you provided implies functionality that is not implemented "
            "(the MinIO test double only answers health checks)</Message>"
            f"<Resource>{path}</Resource><RequestId></RequestId></Error>"
        ).encode()
        self._reply(501, body)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle  # noqa: N815


class ConsoleHandler(BaseHTTPRequestHandler):
    server_version = "MinIO Console"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):  # noqa: N802
        body = b"<!doctype html><title>MinIO Console</title><p>MinIO console (test double)</p>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _start(server: ThreadingHTTPServer) -> threading.Thread:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def serve(port: int = 0, console_port: int | None = None, host: str = "127.0.0.1"):
    """API (and optionally console) listeners in threads: ([servers], [threads])."""
    servers = [ThreadingHTTPServer((host, port), APIHandler)]
    if console_port is not None:
        servers.append(ThreadingHTTPServer((host, console_port), ConsoleHandler))
    return servers, [_start(s) for s in servers]


def _address(value: str) -> tuple[str, int]:
    host, _sep, port = value.rpartition(":")
    host = host.strip("[]")
    return (host or "0.0.0.0"), int(port)


def _fatal(message: str) -> int:
    print(f"FATAL {message}", file=sys.stderr, flush=True)
    return 1


def server_main(args: list[str]) -> int:
    address, console, dirs = ":9000", None, []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in ("--address", "--console-address", "--certs-dir", "-S", "--ftp", "--sftp"):
            if not eq:
                i += 1
                if i >= len(args):
                    return _fatal(f"flag needs an argument: {name}")
                value = args[i]
            if name == "--address":
                address = value
            elif name == "--console-address":
                console = value
        elif arg in ("--quiet", "--anonymous", "--json"):
            pass
        elif arg.startswith("-"):
            return _fatal(f"flag provided but not defined: {arg}")
        else:
            dirs.append(arg)
        i += 1
    if not dirs and os.environ.get("MINIO_VOLUMES"):
        dirs = os.environ["MINIO_VOLUMES"].split()
    if not dirs:
        return _fatal("Invalid command line arguments: no drive path given (minio server DIR)")
    user = os.environ.get("MINIO_ROOT_USER") or os.environ.get("MINIO_ACCESS_KEY") or "minioadmin"
    password = (os.environ.get("MINIO_ROOT_PASSWORD") or os.environ.get("MINIO_SECRET_KEY")
                or "minioadmin")
    if len(user) < 3:
        return _fatal("Unable to validate credentials inherited from the shell environment: "
                      "Invalid credentials: MINIO_ROOT_USER length should be at least 3")
    if len(password) < 8:
        return _fatal("Unable to validate credentials inherited from the shell environment: "
                      "Invalid credentials: MINIO_ROOT_PASSWORD length should be at least 8")
    for path in dirs:
        try:
            os.makedirs(os.path.join(path, ".minio.sys"), exist_ok=True)
            probe = os.path.join(path, ".minio.sys", ".double-write-test")
            with open(probe, "w", encoding="ascii") as handle:
                handle.write("ok")
            os.unlink(probe)
        except OSError as exc:
            return _fatal(f"Unable to use the drive {path}: {exc}")
    api_host, api_port = _address(address)
    servers = [ThreadingHTTPServer((api_host, api_port), APIHandler)]
    if console:
        servers.append(ThreadingHTTPServer(_address(console), ConsoleHandler))
    for server in servers:
        _start(server)
    print(f"MinIO Object Storage Server (test double, health endpoints only)\n"
          f"Version: {version()}\nAPI: http://{api_host}:{api_port}\n"
          f"Console: {console or 'disabled'}\nRootUser: {user}", file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.shutdown()
    return 0


def mc_alias_url(alias: str) -> str | None:
    url = os.environ.get(f"MC_HOST_{alias}")
    if url:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return f"{parts.scheme}://{netloc}"
    if alias == "local":
        return "http://localhost:9000"
    return None


def mc_main(args: list[str]) -> int:
    if args and args[0] in ("--version", "-v", "version"):
        print("mc version (MinIO client shim of the test double)")
        return 0
    if not args or args[0] != "ready":
        print("mc: only `mc ready ALIAS` is implemented by this test double", file=sys.stderr)
        return 1
    targets = [a for a in args[1:] if not a.startswith("-")]
    if len(targets) != 1:
        print("mc: Incorrect number of arguments for ready command.", file=sys.stderr)
        return 1
    alias = targets[0].split("/")[0]
    base = mc_alias_url(alias)
    if base is None:
        print(f"mc: <ERROR> Unable to get client configuration. No such alias `{alias}` found.",
              file=sys.stderr)
        return 1
    path = "/minio/health/cluster/read" if "--cluster-read" in args else "/minio/health/cluster"
    query = "?maintenance=true" if "--maintenance" in args else ""
    while True:
        try:
            with urllib.request.urlopen(base + path + query, timeout=5) as resp:
                if resp.status == 200:
                    print(f"The cluster `{alias}` is ready")
                    return 0
                print(f"The cluster `{alias}` is not ready", flush=True)
        except urllib.error.HTTPError as exc:
            print(f"The cluster `{alias}` is not ready: HTTP {exc.code}", flush=True)
        except OSError as exc:
            print(f"The cluster `{alias}` is unreachable: {exc}", flush=True)
        time.sleep(1)


def main(argv: list[str]) -> int:
    program = os.path.basename(argv[1]) if len(argv) > 1 else ""
    if program == "mc":
        return mc_main(argv[2:])
    if program != "minio":
        print("usage: minio_server.py minio|mc ARGS...", file=sys.stderr)
        return 2
    args = argv[2:]
    if args and args[0] in ("--version", "-v", "version"):
        print(f"minio version {version()} (test double)")
        return 0
    if not args or args[0] != "server":
        print("minio: only `minio server DIR...` is implemented by this test double", file=sys.stderr)
        return 1
    return server_main(args[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
