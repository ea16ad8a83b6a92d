# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-host rule on ``platform_model_mapping``: every external model name maps to a model that a
host running the ollama role plans."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING, Context


def _model_key(name):
    """Ollama's normalised model name, or None when the name is invalid."""
    try:
        return ModelName.parse(str(name)).key
    except ValueError:
        return None


def check_model_mapping(ctx: Context) -> list[str]:
    """External model names (platform_model_mapping) must map to a model that at least one
    host running the ollama role plans in ollama_models; the gateway could not serve it
    otherwise."""
    variable = "platform_model_mapping"
    errors: list[str] = []
    mappings = {}
    for host in ctx.hosts:
        value = ctx.vars.get(host, variable, None)
        if value is None or value is MISSING:
            continue
        if not isinstance(value, Mapping):
            errors.append("host %s: %s: must be a dict of external name -> Ollama model, got %r"
                          % (host, variable, value))
            continue
        # A value is a model name, or {model, mode} (mode chat or embedding, for the gateway).
        mappings[host] = {str(k): str(v.get("model") if isinstance(v, Mapping) else v) for k, v in value.items()}
    if not mappings:
        return errors

    planned: dict = {}  # model key -> hosts planning it
    for host in ctx.role_hosts.get("ollama", []):
        models = ctx.vars.get(host, "ollama_models", [])
        if models is MISSING or not isinstance(models, (list, tuple)):
            continue
        for model in models:
            if isinstance(model, Mapping) and model.get("name"):
                planned.setdefault(_model_key(model["name"]), []).append(host)

    reported = set()
    for host, mapping in sorted(mappings.items()):
        for external, internal in sorted(mapping.items()):
            key = _model_key(internal)
            if key is None:
                problem = "%s: %s -> %r is not a valid Ollama model name" % (variable, external, internal)
            elif key not in planned:
                problem = ("%s: %s -> %s, but no host that runs the ollama role plans %s in ollama_models"
                           % (variable, external, internal, internal))
            else:
                continue
            if problem not in reported:  # group_vars/all repeats the same mapping on every host
                reported.add(problem)
                errors.append("host %s: %s" % (host, problem))
    return errors
