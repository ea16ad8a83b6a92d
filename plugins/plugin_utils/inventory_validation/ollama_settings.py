# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on Ollama's settings that its role would only refuse on the host, after the driver and
container layers have run: exposure on every interface, a cache type without flash attention,
an archive source without a checksum (model entries without a name: the argument spec)."""

from __future__ import annotations

import re
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value

ALL_ADDRESSES = ("0.0.0.0", "::", "")


def _ollama_hosts(ctx):
    hosts = set(ctx.role_hosts.get("ollama", []))
    # workspace VMs run Ollama through workspace_stack when their placement says so; their
    # ollama_* settings (group_vars/workspace_vms.yml) are checked the same way
    hosts |= {host for host in ctx.role_hosts.get("workspace_stack", []) if ctx.vars.has(host, "ollama_models")}
    return sorted(hosts)


def check_ollama_settings(ctx) -> list[str]:
    errors = []
    for host in _ollama_hosts(ctx):
        def value(name, fallback=UNKNOWN):
            return role_value(ctx, host, "ollama", name, fallback)

        bind, allow_all = value("ollama_bind_address"), value("ollama_allow_bind_all", False)
        if bind is not UNKNOWN and str(bind) in ALL_ADDRESSES and allow_all is not True:
            errors.append("host %s: ollama_bind_address: %r exposes Ollama on every interface; set "
                          "ollama_allow_bind_all: true if that is really wanted" % (host, bind))
        cache, flash = value("ollama_kv_cache_type"), value("ollama_flash_attention")
        if cache is not UNKNOWN and flash is not UNKNOWN and cache != "f16" and flash is not True:
            errors.append("host %s: ollama_kv_cache_type: %s needs ollama_flash_attention: true "
                          "(Ollama ignores a quantised KV cache otherwise)" % (host, cache))
        source, checksum = value("ollama_archive_src", ""), value("ollama_archive_checksum", "")
        if value("ollama_install_method", "archive") == "archive" and source not in ("", UNKNOWN, None) \
                and checksum is not UNKNOWN and not re.match(r"^sha256:[0-9a-fA-F]{64}$", str(checksum or "")):
            errors.append('host %s: ollama_archive_checksum: ollama_archive_src needs a checksum "sha256:<64 hex digits>"'
                          % host)
    return errors
