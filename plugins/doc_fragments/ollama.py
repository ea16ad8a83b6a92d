# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by the Ollama modules (OLLAMA_COMMON_ARGS in module_utils/ollama.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Ollama API, without C(/api).
      - The module runs on the target host, so the default reaches an Ollama on that host.
    type: str
    default: http://127.0.0.1:11434
  headers:
    description:
      - Extra HTTP headers sent with every request to the Ollama API, for example for a reverse proxy in front of it.
    type: dict
    default: {}
  bearer_token:
    description:
      - "Token sent as C(Authorization: Bearer <token>) to the Ollama API, for an Ollama behind an authenticating proxy."
      - It is never sent to a model registry, and not kept when the server redirects to another URL.
    type: str
  timeout:
    description:
      - Seconds to wait for a connection and for each read from the server.
      - While a model is pulled, a stream that sends nothing for this long counts as stalled; the pull is then
        started again (see O(retries)), and Ollama resumes from the parts it already has.
    type: float
    default: 30
  validate_certs:
    description:
      - Whether to validate TLS certificates of HTTPS URLs. Only set to V(false) for test servers with self-signed certificates.
    type: bool
    default: true
  retries:
    description:
      - How many times a request is repeated after a refused or reset connection, a timeout, a stream that ended early,
        or an HTTP 5xx answer. The waits between attempts double, starting at 2 seconds.
      - HTTP 4xx answers and errors that Ollama reports (for example an unknown model) fail at once.
    type: int
    default: 3
"""
