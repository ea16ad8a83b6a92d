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


SETTINGS = ("ollama_bind_address", "ollama_allow_bind_all", "ollama_kv_cache_type", "ollama_flash_attention",
            "ollama_install_method", "ollama_archive_src", "ollama_archive_checksum")


def settings_problems(values) -> list[str]:
    """Problems of one node's Ollama settings, each ``<variable>: <what is wrong>``.

    values: the settings of SETTINGS (a missing one or UNKNOWN is not judged). The same function
    serves the offline validation and the ollama role's own check (filter
    ``ollama_settings_problems``), so both refuse exactly the same settings.
    """
    def value(name, fallback=UNKNOWN):
        found = values.get(name)
        return fallback if found is None else found

    problems = []
    bind, allow_all = value("ollama_bind_address"), value("ollama_allow_bind_all", False)
    if bind is not UNKNOWN and str(bind) in ALL_ADDRESSES and allow_all is not True:
        problems.append("ollama_bind_address: %r exposes Ollama on every interface; set "
                        "ollama_allow_bind_all: true if that is really wanted" % (bind,))
    cache, flash = value("ollama_kv_cache_type"), value("ollama_flash_attention")
    if UNKNOWN not in (cache, flash) and cache != "f16" and flash is not True:
        problems.append("ollama_kv_cache_type: %s needs ollama_flash_attention: true "
                        "(Ollama ignores a quantised KV cache otherwise)" % (cache,))
    source, checksum = value("ollama_archive_src", ""), value("ollama_archive_checksum", "")
    if value("ollama_install_method", "archive") == "archive" and source not in ("", UNKNOWN, None) \
            and checksum is not UNKNOWN and not re.match(r"^sha256:[0-9a-fA-F]{64}$", str(checksum or "")):
        problems.append('ollama_archive_checksum: ollama_archive_src needs a checksum "sha256:<64 hex digits>"')
    return problems


def check_ollama_settings(ctx) -> list[str]:
    errors = []
    for host in _ollama_hosts(ctx):
        # A templated default is unknown offline, except the checksum's: it is the URL form, never
        # the literal a local archive needs.
        fallbacks = {"ollama_allow_bind_all": False, "ollama_install_method": "archive", "ollama_archive_src": "",
                     "ollama_archive_checksum": ""}
        values = {name: role_value(ctx, host, "ollama", name, fallbacks.get(name, UNKNOWN)) for name in SETTINGS}
        errors.extend("host %s: %s" % (host, problem) for problem in settings_problems(values))
    return errors
