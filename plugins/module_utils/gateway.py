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

import hashlib
import re

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


MAPPING_KEYS = ("model", "mode", "input_cost_per_token", "output_cost_per_token")
COST_KEYS = ("input_cost_per_token", "output_cost_per_token")


def _internal(external, value):
    """(internal model name, mode, costs) of one mapping entry: a model name, or
    {model, mode, input_cost_per_token, output_cost_per_token}. Costs (per token, in the site's
    currency) price the usage that the gateway records; without them a request costs 0."""
    costs = {}
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(MAPPING_KEYS))
        if unknown:
            raise GatewayError("platform_model_mapping: %s: unknown keys %s (known: %s)"
                               % (external, ", ".join(unknown), ", ".join(MAPPING_KEYS)))
        model, mode = value.get("model"), value.get("mode", "chat")
        for name in COST_KEYS:
            if name in value:
                cost = value[name]
                if isinstance(cost, bool) or not isinstance(cost, (int, float)) or cost < 0:
                    raise GatewayError("platform_model_mapping: %s: %s must be a number >= 0, got %r" % (external, name, cost))
                costs[name] = float(cost)
    else:
        model, mode = value, "chat"
    if not isinstance(model, str) or _key(model) is None:
        raise GatewayError("platform_model_mapping: %s -> %r is not a valid Ollama model name" % (external, model))
    if mode not in MODES:
        raise GatewayError("platform_model_mapping: %s: mode must be one of %s, got %r" % (external, ", ".join(MODES), mode))
    return model, mode, costs


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
        model, mode, costs = _internal(external, mapping[external])
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
                "litellm_params": dict({"model": "%s/%s" % (prefix, planned[0]), "api_base": node["url"]}, **costs),
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


# The keys the gateway generates are kept as secret gateway-key/<name>, 48 characters.
KEY_NAMESPACE = "gateway-key"
KEY_SPEC = {"length": 48}
KEY_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
KEY_KINDS = ("user", "team", "tool")
KEY_FIELDS = ("name", "kind", "team", "models", "rpm", "tpm", "max_budget", "budget_period_days", "state", "value")


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_api_keys(keys, mapping):
    """Errors of inference_gateway_api_keys, each naming the entry and the field."""
    if not isinstance(keys, list):
        return ["inference_gateway_api_keys must be a list of keys, got %r" % (keys,)]
    errors = []
    seen = set()
    for index, key in enumerate(keys):
        where = "inference_gateway_api_keys[%d]" % index
        if not isinstance(key, dict):
            errors.append("%s must be a mapping, got %r" % (where, key))
            continue
        name = key.get("name")
        if not isinstance(name, str) or not KEY_NAME.match(name):
            errors.append("%s: name must be lower-case letters, digits, '.', '_' or '-', got %r" % (where, name))
            continue
        where = "%s (%s)" % (where, name)
        if name in seen:
            errors.append("%s: the name is used twice" % where)
        seen.add(name)
        unknown = sorted(set(key) - set(KEY_FIELDS))
        if unknown:
            errors.append("%s: unknown fields %s (known: %s)" % (where, ", ".join(unknown), ", ".join(KEY_FIELDS)))
        if key.get("kind", "user") not in KEY_KINDS:
            errors.append("%s: kind must be one of %s, got %r" % (where, ", ".join(KEY_KINDS), key.get("kind")))
        if key.get("state", "present") not in ("present", "absent"):
            errors.append("%s: state must be present or absent, got %r" % (where, key.get("state")))
        for field in ("rpm", "tpm", "budget_period_days"):
            if key.get(field) is not None and not _positive_int(key.get(field)):
                errors.append("%s: %s must be a whole number > 0, got %r" % (where, field, key.get(field)))
        budget = key.get("max_budget")
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget < 0):
            errors.append("%s: max_budget must be a number >= 0, got %r" % (where, budget))
        models = key.get("models", [])
        if isinstance(models, str) or not isinstance(models, list):
            errors.append("%s: models must be a list of external model names, got %r" % (where, models))
        else:
            for model in models:
                if model not in (mapping or {}):
                    errors.append("%s: model %r is not an external name of platform_model_mapping" % (where, model))
        value = key.get("value")
        if value is not None and (not isinstance(value, str) or len(value) < 24):
            errors.append("%s: value (a key chosen by the operator) must be a string of at least 24 characters" % where)
    return errors


def key_file_entries(keys, values, defaults=None):
    """What the gateway's keys file holds for the present keys: SHA-256 of the key and its limits,
    never the key. values: name -> key value (generated secret or the entry's own value).
    defaults: rpm/tpm/budget_period_days for the keys that do not set them."""
    defaults = defaults or {}
    entries = []
    for key in keys:
        if key.get("state", "present") != "present":
            continue
        value = key.get("value") or values.get(key["name"])
        if not value:
            raise GatewayError("inference_gateway_api_keys (%s): no key value (neither value nor a kept secret)" % key["name"])
        entries.append({
            "name": key["name"],
            "sha256": hashlib.sha256(value.encode("utf-8")).hexdigest(),
            "kind": key.get("kind", "user"),
            "team": key.get("team"),
            "models": list(key.get("models") or []),
            "rpm": key.get("rpm", defaults.get("rpm")),
            "tpm": key.get("tpm", defaults.get("tpm")),
            "max_budget": key.get("max_budget"),
            "budget_period_days": key.get("budget_period_days") or defaults.get("budget_period_days") or 30,
        })
    return sorted(entries, key=lambda entry: entry["name"])


# What inference_gateway_workspace_key may set for every workspace user's key.
WORKSPACE_KEY_FIELDS = ("team", "models", "rpm", "tpm", "max_budget", "budget_period_days")


def with_workspace_keys(keys, users, limits=None):
    """inference_gateway_api_keys plus one key of kind user for every workspace user (named like
    the user, so the usage rows name the user), with the limits of inference_gateway_workspace_key.
    An inventory entry of the same name wins: its own limits, team or revocation (state absent).
    Errors name the variable and the entry; the keys themselves are checked by check_api_keys."""
    errors = []
    if not isinstance(users, list):
        errors.append("inference_gateway_workspace_users must be a list of user names, got %r" % (users,))
        users = []
    if limits is None:
        limits = {}
    if not isinstance(limits, dict):
        errors.append("inference_gateway_workspace_key must be a mapping of %s, got %r" % (", ".join(WORKSPACE_KEY_FIELDS), limits))
        limits = {}
    unknown = sorted(set(limits) - set(WORKSPACE_KEY_FIELDS))
    if unknown:
        errors.append("inference_gateway_workspace_key: unknown fields %s (known: %s)"
                      % (", ".join(unknown), ", ".join(WORKSPACE_KEY_FIELDS)))
    for user in users:
        if not isinstance(user, str) or not KEY_NAME.match(user):
            errors.append("inference_gateway_workspace_users: %r cannot name a gateway key (lower-case letters, "
                          "digits, '.', '_' or '-')" % (user,))
    if errors:
        raise GatewayError("\n".join(errors))
    keys = list(keys) if isinstance(keys, list) else keys
    if not isinstance(keys, list):
        return keys   # check_api_keys names it
    named = set(key.get("name") for key in keys if isinstance(key, dict))
    for user in sorted(set(users)):
        if user not in named:
            key = {"name": user, "kind": "user"}
            key.update((field, limits[field]) for field in WORKSPACE_KEY_FIELDS if limits.get(field) is not None)
            keys.append(key)
    return keys


# Public names: a service of the front (or "gateway" for the inference API) -> a name outside
# the internal zone, served with a certificate from an ACME CA.
PUBLIC_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


def public_name_problems(public_names, services, zone, terms_agreed):
    """Errors of inference_gateway_public_names, each naming the service. services: the names
    that may have one ("gateway" and the front's routes); zone: the internal zone, whose names
    keep the internal CA; terms_agreed: inference_gateway_acme_terms_agreed."""
    if public_names in (None, {}):
        return []
    if not isinstance(public_names, dict):
        return ["inference_gateway_public_names must map a service of the front to its public name, got %r" % (public_names,)]
    errors = []
    seen = {}
    zone = str(zone or "").rstrip(".").lower()
    for service, name in sorted(public_names.items()):
        where = "inference_gateway_public_names.%s" % service
        if service not in services:
            errors.append("%s: %s is not served by the front here (known: %s)" % (where, service, ", ".join(sorted(services))))
        if not isinstance(name, str) or not PUBLIC_NAME.match(name):
            errors.append("%s: %r is not a DNS name (lower-case, with a dot)" % (where, name))
            continue
        if zone and (name == zone or name.endswith("." + zone)):
            errors.append("%s: %s is in the internal zone %s, whose names have the internal CA's certificate"
                          % (where, name, zone))
        if name in seen:
            errors.append("%s: %s is also the public name of %s" % (where, name, seen[name]))
        seen.setdefault(name, service)
    if terms_agreed is not True:
        errors.append("inference_gateway_acme_terms_agreed must be true to order certificates for "
                      "inference_gateway_public_names (the ACME CA's terms of service)")
    return errors
