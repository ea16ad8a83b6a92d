# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by the Qdrant modules (QDRANT_COMMON_ARGS in module_utils/qdrant.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of Qdrant's REST API (port 6333 by default; the gRPC port 6334 does not work here).
      - The module runs on the target host, so the default reaches a Qdrant on that host.
    type: str
    default: http://127.0.0.1:6333
  api_key:
    description:
      - API key sent in the C(api-key) header, as Qdrant's C(QDRANT__SERVICE__API_KEY) sets it.
      - Needed when the server has an API key configured. The read-only key (C(QDRANT__SERVICE__READ_ONLY_API_KEY))
        is enough to read collections, not to create, change or delete them.
    type: str
  timeout:
    description:
      - Seconds to wait for a connection and for each read from the server.
    type: float
    default: 30
  validate_certs:
    description:
      - Whether to validate TLS certificates of HTTPS URLs. Only set to V(false) for test servers with self-signed certificates.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the certificate authority that signed the server's certificate, for an HTTPS URL with a private CA.
    type: path
  retries:
    description:
      - How many times a request is repeated after a refused or reset connection, a timeout, or an HTTP 5xx answer.
        The waits between attempts double, starting at 2 seconds.
      - HTTP 4xx answers (a missing or refused API key, invalid parameters) fail at once.
    type: int
    default: 3
"""
