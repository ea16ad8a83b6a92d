"""Minimal test double of guacd (image guacamole/guacd 1.6.0), the Guacamole proxy daemon: it only answers the start of the Guacamole protocol handshake.

For tests only: the collection never imports it, and it proxies nothing. It listens where guacd
does (TCP 4822, all addresses) so that health checks (``nc -z 127.0.0.1 4822``) and a web
application that opens a connection see a daemon that speaks the protocol's first steps:

* The client sends ``select`` (``6.select,3.rdp;``: a protocol name, or a connection ID
  starting with ``$``); the double answers ``args`` with the protocol version guacd 1.6 offers
  (``VERSION_1_5_0``) and the names of a few of that protocol's parameters.
* It then reads the client's ``size``/``audio``/``video``/``image``/``timezone``/``name``
  instructions, and on ``connect`` answers ``ready`` with a new connection ID followed by
  ``error`` "Upstream unavailable" (status 0x0207): there is no remote desktop behind it.
* Anything malformed, or any other first instruction, gets ``error`` (0x0300) and the
  connection is closed.

Python 3 standard library only. Environment: ``GUACD_DOUBLE_PORT`` (double only, default 4822)
and ``LOG_LEVEL`` (accepted as guacd's image does; ``debug`` logs every instruction).
"""

from __future__ import annotations

import os
import signal
import socketserver
import sys
import threading
import time
import uuid

DEFAULT_PORT = 4822
PROTOCOL_VERSION = "VERSION_1_5_0"
ARGS = {
    "rdp": ["hostname", "port", "username", "password", "domain", "security", "ignore-cert"],
    "vnc": ["hostname", "port", "password"],
    "ssh": ["hostname", "port", "username", "password", "private-key", "passphrase"],
    "telnet": ["hostname", "port", "username", "password"],
    "kubernetes": ["hostname", "port", "namespace", "pod", "container"],
}
MAX_INSTRUCTION = 64 * 1024


def log(level, message):
    sys.stderr.write("guacd[%d]: %s:\t%s\n" % (os.getpid(), level, message))
    sys.stderr.flush()


def encode(opcode, *args):
    """One instruction: LENGTH.VALUE elements separated by ',' and ended by ';'."""
    return ("".join("%d.%s%s" % (len(e), e, "," if i < len(args) else ";")
                    for i, e in enumerate((opcode,) + tuple(str(a) for a in args)))).encode("utf-8")


class ProtocolError(Exception):
    pass


class InstructionReader:
    """Parses instructions from a socket file; lengths count characters, as the protocol says."""

    def __init__(self, stream):
        self.stream = stream
        self.buffer = ""

    def _more(self):
        data = self.stream.read1(4096) if hasattr(self.stream, "read1") else self.stream.read(4096)
        if not data:
            raise EOFError
        self.buffer += data.decode("utf-8", "replace")
        if len(self.buffer) > MAX_INSTRUCTION:
            raise ProtocolError("instruction too long")

    def read(self):
        elements = []
        position = 0
        while True:
            dot = self.buffer.find(".", position)
            while dot < 0:
                self._more()
                dot = self.buffer.find(".", position)
            length_text = self.buffer[position:dot]
            if not length_text.isdigit():
                raise ProtocolError("bad element length %r" % length_text)
            end = dot + 1 + int(length_text)
            while len(self.buffer) < end + 1:
                self._more()
            elements.append(self.buffer[dot + 1:end])
            terminator = self.buffer[end]
            position = end + 1
            if terminator == ";":
                self.buffer = self.buffer[position:]
                return elements
            if terminator != ",":
                raise ProtocolError("bad terminator %r" % terminator)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        reader = InstructionReader(self.rfile)
        peer = "%s:%s" % self.client_address[:2]
        try:
            first = reader.read()
            if self.server.debug:
                log("debug", "%s sent %r" % (peer, first))
            if first[0] != "select" or len(first) != 2:
                self.wfile.write(encode("error", "Expected \"select\" instruction.", 0x0300))
                return
            protocol = first[1]
            if protocol.startswith("$"):
                protocol = "rdp"
            if protocol not in ARGS:
                self.wfile.write(encode("error", "Protocol not supported.", 0x0100))
                return
            self.wfile.write(encode("args", PROTOCOL_VERSION, *ARGS[protocol]))
            self.wfile.flush()
            while True:
                instruction = reader.read()
                if self.server.debug:
                    log("debug", "%s sent %r" % (peer, instruction[:1]))
                if instruction[0] == "connect":
                    connection_id = "$" + str(uuid.uuid4())
                    log("info", "Creating new client for protocol \"%s\" (%s)" % (protocol, connection_id))
                    self.wfile.write(encode("ready", connection_id))
                    self.wfile.write(encode("error", "Upstream unavailable (guacd double)", 0x0207))
                    return
        except (EOFError, ConnectionError):
            return
        except ProtocolError as exc:
            log("warning", "%s: %s" % (peer, exc))
            try:
                self.wfile.write(encode("error", "Malformed instruction.", 0x0300))
            except OSError:
                pass


class GuacdDoubleServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, debug=False):
        super().__init__(address, Handler)
        self.debug = debug

    def close(self):
        self.shutdown()
        self.server_close()


def serve(port=0, host="127.0.0.1", debug=False):
    """Start the double in a daemon thread; returns (server, thread); ``server.server_address``
    holds the port, ``server.close()`` stops it."""
    server = GuacdDoubleServer((host, port), debug=debug)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def main():
    port = int(os.environ.get("GUACD_DOUBLE_PORT") or DEFAULT_PORT)
    debug = (os.environ.get("LOG_LEVEL") or "info").lower() in ("debug", "trace")
    try:
        server = GuacdDoubleServer(("0.0.0.0", port), debug=debug)  # noqa: S104 - as guacd -b 0.0.0.0
    except OSError as exc:
        log("error", "cannot listen on port %d: %s" % (port, exc))
        return 1
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    log("info", "Guacamole proxy daemon (guacd) double version 1.6.0 started, listening on 0.0.0.0 port %d" % port)
    started = time.time()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    log("info", "exiting after %.0f s" % (time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
