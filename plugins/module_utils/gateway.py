# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inference gateway's model groups, from the inventory (issue 6, first part).

``platform_model_mapping`` is the one place of name resolution: external model name -> internal
Ollama model (seed 002). Every GPU node that plans the internal model in ``ollama_models``
serves the external name, so a model group has one deployment per such node (LiteLLM routes
among them and takes a dead node out). A mapping whose model no node plans is not offered.
Fallback chains (``platform_model_fallbacks``: external -> [external, ...]) may only name
offered models. The result is LiteLLM's ``model_list`` and ``router_settings.fallbacks``.
"""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName

MODES = ("chat", "embedding")
DEFAULT_OLLAMA_PORT = 11434


class GatewayError(ValueError):
    """The mapping or the fallbacks are wrong; the message names the variable and the entry."""


def _key(name):
    try:
        return ModelName.parse(str(name)).key
    except ValueError:
        return None


def _internal(external, value):
    """(internal model name, mode) of one mapping entry: a model name, or {model, mode}."""
    if isinstance(value, dict):
        model, mode = value.get("model"), value.get("mode", "chat")
    else:
        model, mode = value, "chat"
    if not isinstance(model, str) or _key(model) is None:
        raise GatewayError("platform_model_mapping: %s -> %r is not a valid Ollama model name" % (external, model))
    if mode not in MODES:
        raise GatewayError("platform_model_mapping: %s: mode must be one of %s, got %r" % (external, ", ".join(MODES), mode))
    return model, mode


def model_groups(mapping, nodes, fallbacks=None):
    """LiteLLM model groups.

    mapping: external name -> internal model (str or {model, mode}).
    nodes: [{name, url, models: [model names the node plans]}], e.g. every GPU node.
    fallbacks: external name -> [external names tried in order when it fails].

    Returns {model_list, fallbacks, offered: {external: [node names]}, not_offered: {external: reason}}.
    """
    if not isinstance(mapping, dict):
        raise GatewayError("platform_model_mapping must be a dict of external name -> Ollama model, got %r" % (mapping,))
    model_list = []
    offered = {}
    not_offered = {}
    for external in sorted(mapping):
        model, mode = _internal(external, mapping[external])
        key = _key(model)
        serving = []
        for node in sorted(nodes, key=lambda n: n["name"]):
            planned = [name for name in node.get("models") or [] if _key(name) == key]
            if not planned:
                continue
            serving.append(node["name"])
            prefix = "ollama_chat" if mode == "chat" else "ollama"
            model_list.append({
                "model_name": external,
                "litellm_params": {"model": "%s/%s" % (prefix, planned[0]), "api_base": node["url"]},
                "model_info": {"id": "%s@%s" % (external, node["name"]), "mode": mode},
            })
        if serving:
            offered[external] = serving
        else:
            not_offered[external] = "no GPU node plans %s in ollama_models" % model
    chains = []
    for external in sorted(fallbacks or {}):
        targets = (fallbacks or {})[external]
        if external not in mapping:
            raise GatewayError("platform_model_fallbacks: %r is not an external name of platform_model_mapping" % external)
        if isinstance(targets, str) or not isinstance(targets, (list, tuple)):
            raise GatewayError("platform_model_fallbacks: %s must be a list of external names, got %r" % (external, targets))
        for target in targets:
            if target not in mapping:
                raise GatewayError("platform_model_fallbacks: %s -> %r is not an external name of platform_model_mapping"
                                   % (external, target))
            if target == external:
                raise GatewayError("platform_model_fallbacks: %s falls back to itself" % external)
        usable = [target for target in targets if target in offered]
        if external in offered and usable:
            chains.append({external: usable})
    return {"model_list": model_list, "fallbacks": chains, "offered": offered, "not_offered": not_offered}


def gpu_nodes(hosts, group_hosts, host_address):
    """The nodes of group gpu_nodes as model_groups() takes them, from their inventory variables
    (platform_address or an IP ansible_host, ollama_port, ollama_models)."""
    nodes = []
    for name in group_hosts:
        values = hosts.get(name) or {}
        address = host_address(values)
        if address is None:
            raise GatewayError("host %s: no internal address for the gateway to reach Ollama: set platform_address, "
                               "or ansible_host to an IP address" % name)
        host = "[%s]" % address if ":" in address else address
        models = [m.get("name") if isinstance(m, dict) else m for m in values.get("ollama_models") or []]
        nodes.append({"name": name, "url": "http://%s:%s" % (host, values.get("ollama_port") or DEFAULT_OLLAMA_PORT),
                      "models": [m for m in models if m]})
    return nodes
