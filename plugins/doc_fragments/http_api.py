# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The HTTP options of every module built on module_utils/http_api.py (HTTP_API_COMMON_ARGS).
    DOCUMENTATION = r"""
options:
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
      - PEM file of the certificate authorities to validate the server's certificate with, for an HTTPS URL signed by
        a private CA (for example the site's own).
    type: path
  retries:
    description:
      - How many times a request is repeated after a refused or reset connection, a timeout, or an HTTP 5xx answer.
        The waits between attempts double, starting at 2 seconds.
      - HTTP 4xx answers (refused credentials, invalid parameters) fail at once.
    type: int
    default: 3
"""
