# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VRAM plan of every GPU node whose models carry their numbers (inline or through
platform_model_metadata), with the same estimator the ollama role and ./foundry plan use: an
overcommitted node is refused before the driver layer runs. Nodes whose numbers must come from
a server or the registry are left to the role (it checks before it pulls) and to plan."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils.vram_plan import (
    BudgetError,
    inline_metadata,
    missing_keys,
    clean_metadata,
    node_budget,
    overcommit_message,
    with_site_metadata,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value


def check_vram_plans(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("ollama", []):
        def value(name, fallback=UNKNOWN):
            return role_value(ctx, host, "ollama", name, fallback)

        gpus, models = value("ollama_gpus", []), value("ollama_models", [])
        if value("ollama_vram_check", True) is not True or not gpus or not models or UNKNOWN in (gpus, models):
            continue
        site = ctx.vars.get(host, "platform_model_metadata", {})
        planned_defaults = {"num_ctx": value("ollama_context_length", None), "num_parallel": value("ollama_num_parallel", 1),
                            "kv_cache_type": value("ollama_kv_cache_type", "f16")}
        if UNKNOWN in planned_defaults.values() or not isinstance(site, dict) or not isinstance(models, list):
            continue
        entries = [dict(planned_defaults, **entry) for entry in with_site_metadata(models, site)]
        if any(missing_keys(clean_metadata(entry.get("metadata") or {})) for entry in entries):
            continue  # some numbers only the registry or a server knows: plan and the role check it
        try:
            result = node_budget(entries, gpus, inline_metadata, overhead_per_gpu=value("ollama_gpu_overhead", 0),
                                 reserve=value("ollama_vram_reserve", "10%"),
                                 flash_attention=value("ollama_flash_attention", False) is True)
        except BudgetError as exc:
            errors.append("host %s: ollama_models: cannot plan the GPU memory: %s" % (host, exc))
            continue
        if not result["fits"]:
            errors.append("host %s: ollama_models: %s; ./foundry plan shows the table per model"
                          % (host, overcommit_message(result).split("\n", 1)[0]))
    return errors
