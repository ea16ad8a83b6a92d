# -*- coding: utf-8 -*-
"""A webhook receiver for tests (issue 20): Alertmanager's webhook_configs POST each notification
here as JSON (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config); every
notification is appended as one line to a JSON-lines file that the tests read. Not a double of
anything: it stands for the customer's chat or ticket system. Standard library only.

    webhook_receiver.py PORT FILE
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(path):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"path": self.path, "payload": payload}) + "\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: webhook_receiver.py PORT FILE\n")
        return 2
    ThreadingHTTPServer(("0.0.0.0", int(argv[1])), make_handler(argv[2])).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
