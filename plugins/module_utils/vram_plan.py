# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VRAM plan of one GPU node from inventory data: its GPUs (``ollama_gpus`` entries) and its
models (``ollama_models`` entries with the models' numbers), with the estimator of ``vram``.

Shared by the module ``vram_budget`` (which finds missing numbers on the server or in the
registry) and the offline inventory validation (which plans a node whose models carry their
numbers inline). Where the numbers come from is the caller's: ``node_budget`` takes a function.
"""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName, OllamaError
from ansible_collections.foundrycloud.platform.plugins.module_utils.vram import (
    GIB,
    MIB,
    ModelPlan,
    format_table,
    parse_size,
    plan_node,
)

METADATA_KEYS = (
    "size_bytes", "architecture", "block_count", "head_count", "head_count_kv", "embedding_length",
    "key_length", "value_length", "context_length", "vocab_size", "pooling_type",
)
COMPLETE_KEYS = ("size_bytes", "block_count", "head_count", "embedding_length", "context_length")

# Keys of a GPU entry, in order of preference, and the unit of their value (None: a size).
GPU_MEMORY_KEYS = (
    ("memory_bytes", 1),
    ("memory_mib", MIB),
    ("memory", None),
    ("memory_total_bytes", 1),  # foundrycloud.platform.nvidia_gpu_info
    ("memory_total_mib", MIB),
)

# Ollama's default context when neither the request, the Modelfile nor OLLAMA_CONTEXT_LENGTH
# sets one (server/routes.go since 0.15.5): by total VRAM minus OLLAMA_GPU_OVERHEAD per GPU,
# with thresholds one GiB under the documented 24/48 GiB.
CONTEXT_TIERS = ((47 * GIB, 262144), (23 * GIB, 32768), (0, 4096))


class BudgetError(Exception):
    """A problem with the task's input or with finding a model's numbers."""


def gpu_memory(entry, index):
    """Bytes of one ``gpus`` entry."""
    if isinstance(entry, dict):
        for key, unit in GPU_MEMORY_KEYS:
            if entry.get(key) is not None:
                return _memory_value(entry[key], unit, "gpus[%d].%s" % (index, key))
        raise BudgetError(
            "gpus[%d]%s: no memory given (memory_bytes, memory_mib, memory, memory_total_bytes or memory_total_mib)"
            % (index, " (%s)" % entry["name"] if entry.get("name") else "")
        )
    return _memory_value(entry, None, "gpus[%d]" % index)


def _memory_value(value, unit, what):
    if unit is None:
        try:
            return parse_size(value, what)
        except (TypeError, ValueError) as exc:
            raise BudgetError(str(exc)) from None
    try:
        number = None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise BudgetError("%s must be a non-negative whole number, got %r" % (what, value))
    return number * unit


def ollama_default_num_ctx(memories, overhead):
    usable = sum(max(memory - overhead, 0) for memory in memories)
    for threshold, num_ctx in CONTEXT_TIERS:
        if usable >= threshold:
            return num_ctx
    return CONTEXT_TIERS[-1][1]


def display_name(text):
    try:
        return ModelName.parse(text).short
    except OllamaError:
        return text  # only acceptable with complete inline metadata; checked where it matters


def clean_metadata(metadata):
    return dict((key, metadata[key]) for key in METADATA_KEYS if metadata.get(key) is not None)


def missing_keys(metadata):
    return [key for key in COMPLETE_KEYS if metadata.get(key) is None]


def model_plan(spec, metadata, default_num_ctx):
    fields = dict((key, metadata.get(key)) for key in METADATA_KEYS)
    fields.update(
        name=display_name(spec["name"]),
        num_ctx=spec["num_ctx"] or default_num_ctx,
        num_parallel=spec["num_parallel"],
        kv_cache_type=spec["kv_cache_type"],
    )
    try:
        return ModelPlan(**fields)
    except (TypeError, ValueError) as exc:
        raise BudgetError("model %s: %s" % (spec["name"], exc)) from None


def node_budget(models, gpus, find_metadata, overhead_per_gpu=0, reserve="10%", flash_attention=False,
                allow_split=False, default_num_ctx=None):
    """The plan of one node. models: entries with name, num_ctx, num_parallel, kv_cache_type (and
    metadata); find_metadata(entry) -> (metadata, source). Raises BudgetError for bad input."""
    memories = [gpu_memory(entry, index) for index, entry in enumerate(gpus)]
    try:
        overhead = parse_size(overhead_per_gpu or 0, "overhead_per_gpu")
    except ValueError as exc:
        raise BudgetError(str(exc)) from None
    default_num_ctx = default_num_ctx or ollama_default_num_ctx(memories, overhead)
    plans, sources, metadata = [], {}, {}
    for spec in models:
        found, source = find_metadata(spec)
        plan = model_plan(spec, found, default_num_ctx)
        plans.append(plan)
        sources[plan.name] = source
        metadata[plan.name] = found
    try:
        result = plan_node(plans, memories, overhead_per_gpu=overhead, reserve=reserve,
                           flash_attention=flash_attention, allow_split=allow_split)
    except ValueError as exc:
        raise BudgetError(str(exc)) from None
    result.update(table=format_table(result), sources=sources, metadata=metadata, default_num_ctx=default_num_ctx)
    return result


def inline_metadata(spec):
    """(metadata, "inline") from an entry's own numbers; BudgetError when they are incomplete."""
    found = clean_metadata(spec.get("metadata") or {})
    if missing_keys(found):
        raise BudgetError("model %s: no complete metadata (missing %s)" % (spec.get("name"), ", ".join(missing_keys(found))))
    return found, "inline"


def overcommit_message(result):
    reasons = []
    if result["unplaced"]:
        reasons.append("not placed: %s" % ", ".join(result["unplaced"]))
    if result["free"] < 0:
        reasons.append("%.2f GiB over the budget" % (-result["free"] / GIB))
    return "the planned models do not fit into the GPU memory (%s)\n%s" % ("; ".join(reasons) or "see table", result["table"])


def with_site_metadata(models, site_metadata):
    """models with each entry's ``metadata`` completed from the site's numbers per model
    (``platform_model_metadata``: model name -> numbers); an entry's own keys win. Names compare
    the way Ollama resolves them (``granite3.2-vision`` is ``granite3.2-vision:latest``)."""
    by_key = {}
    for name, numbers in (site_metadata or {}).items():
        try:
            by_key[ModelName.parse(str(name)).key] = dict(numbers or {})
        except OllamaError:
            continue  # a name Ollama would not accept: the plan names the model entry instead
    result = []
    for entry in models or []:
        entry = dict(entry)
        try:
            site = by_key.get(ModelName.parse(str(entry.get("name"))).key)
        except OllamaError:
            site = None
        if site:
            entry["metadata"] = dict(site, **(entry.get("metadata") or {}))
        result.append(entry)
    return result
