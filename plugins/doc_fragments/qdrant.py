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
"""
