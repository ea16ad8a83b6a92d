# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VRAM estimate for Ollama models and their placement on a node's GPUs. Pure arithmetic.

The estimate follows what Ollama itself computes before it loads a model (``llm/memory.go``,
``llm/server.go`` and ``GraphSize`` in ``fs/ggml/ggml.go``); docs/vram-budget.md explains every
term, where it comes from and what is left out. All sizes are bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

# Bytes per cached element as (numerator, denominator): ggml's q8_0 block is 32 values in
# 34 bytes (32 int8 + an f16 scale), q4_0 is 32 values in 18 bytes (16 bytes of nibbles + scale).
KV_BYTES_PER_ELEMENT = {
    "f16": (2, 1),
    "q8_0": (34, 32),
    "q4_0": (18, 32),
}
QUANTIZED_KV_TYPES = ("q8_0", "q4_0")

# Ollama's default num_batch; the graph is sized for one batch of this many tokens.
DEFAULT_NUM_BATCH = 512

_REQUIRED_FIELDS = ("size_bytes", "block_count", "head_count", "embedding_length", "num_ctx")

_SIZE_UNITS = {
    "": 1, "b": 1,
    "kb": 10 ** 3, "mb": 10 ** 6, "gb": 10 ** 9, "tb": 10 ** 12,
    "k": 2 ** 10, "m": 2 ** 20, "g": 2 ** 30, "t": 2 ** 40,
    "kib": 2 ** 10, "mib": 2 ** 20, "gib": 2 ** 30, "tib": 2 ** 40,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")

MIB = 2 ** 20
GIB = 2 ** 30


@dataclass
class ModelPlan:
    """One model as it is planned: its architecture numbers and how it will be run.

    The fields after ``head_count`` have defaults only so that they can be given by keyword in
    any order; ``size_bytes``, ``block_count``, ``head_count``, ``embedding_length`` and
    ``num_ctx`` are required (checked on creation).
    """

    name: str
    size_bytes: int = None
    block_count: int = None
    head_count: int = None
    head_count_kv: int = None
    embedding_length: int = None
    key_length: int = None
    value_length: int = None
    context_length: int = None
    vocab_size: int = None
    num_ctx: int = None
    num_parallel: int = 1
    kv_cache_type: str = "f16"
    architecture: str = None
    num_batch: int = DEFAULT_NUM_BATCH
    pooling_type: int = None  # set for embedding models (GGUF <arch>.pooling_type)

    def __post_init__(self):
        missing = [field for field in _REQUIRED_FIELDS if getattr(self, field) is None]
        if missing:
            raise ValueError("model %s: missing %s" % (self.name, ", ".join(missing)))
        for field in ("block_count", "head_count", "embedding_length", "num_ctx", "num_parallel", "num_batch"):
            if int(getattr(self, field)) < 1:
                raise ValueError("model %s: %s must be at least 1, got %r" % (self.name, field, getattr(self, field)))
        if int(self.size_bytes) < 0:
            raise ValueError("model %s: size_bytes must not be negative" % self.name)
        if self.head_count_kv is None:
            self.head_count_kv = self.head_count  # llama.cpp: no GQA unless the model says so
        self.kv_cache_type = (self.kv_cache_type or "f16").lower()
        if self.kv_cache_type not in KV_BYTES_PER_ELEMENT:
            raise ValueError("model %s: kv_cache_type must be one of %s, got %r"
                             % (self.name, ", ".join(KV_BYTES_PER_ELEMENT), self.kv_cache_type))

    @classmethod
    def from_value(cls, value):
        """Accept a ModelPlan or a dict of its fields (unknown keys are an error)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            return cls(**value)
        raise TypeError("a model must be a ModelPlan or a dict, got %s" % type(value).__name__)


def _ceil_div(numerator, denominator):
    return -(-numerator // denominator)


def head_dimensions(plan):
    """(key_length, value_length) per head.

    Like llama.cpp and Ollama, each defaults to embedding_length / head_count on its own.
    """
    default = plan.embedding_length // plan.head_count
    return plan.key_length or default, plan.value_length or default


def context_window(plan):
    """(num_ctx after Ollama's clamp to the trained context, notes)."""
    if plan.context_length and plan.num_ctx > plan.context_length:
        note = ("num_ctx %d is larger than the model's context_length %d; Ollama clamps it to %d"
                % (plan.num_ctx, plan.context_length, plan.context_length))
        return plan.context_length, [note]
    return plan.num_ctx, []


def effective_kv_type(plan, flash_attention):
    """The KV cache type Ollama will actually use, and why it differs from the request."""
    requested = plan.kv_cache_type
    if requested not in QUANTIZED_KV_TYPES:
        return requested, []
    if not flash_attention:
        return "f16", ["kv_cache_type %s needs flash attention, which is off; Ollama falls back to f16" % requested]
    if plan.pooling_type is not None:
        return "f16", ["kv_cache_type %s needs flash attention, which Ollama does not use for embedding "
                       "models; it falls back to f16" % requested]
    key_length, value_length = head_dimensions(plan)
    if key_length != value_length:
        return "f16", ["kv_cache_type %s needs flash attention, which this model does not support "
                       "(key_length %d != value_length %d); Ollama falls back to f16"
                       % (requested, key_length, value_length)]
    return requested, []


def kv_cache_bytes(plan, effective_ctx, kv_type):
    """K and V for every layer and every cached token of every parallel slot."""
    key_length, value_length = head_dimensions(plan)
    elements = plan.block_count * effective_ctx * plan.head_count_kv * (key_length + value_length)
    numerator, denominator = KV_BYTES_PER_ELEMENT[kv_type]
    return _ceil_div(elements * numerator, denominator)


# Compute-graph size, per architecture family, as Ollama's GraphSize estimates it. Each function
# gets the numbers as plain ints and returns (full_offload, partial_offload) in bytes.
# batch: tokens per batch; ctx: cached tokens (num_ctx x num_parallel); heads/heads_kv: attention
# heads; embd: embedding length; head_dim: embd / heads; key_dim: key_length; vocab: vocabulary.

def _graph_llama(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = max(4 * batch * (1 + 4 * embd + ctx * (1 + heads)),
               4 * batch * (embd + vocab))
    partial = 4 * batch * embd + max(
        4 * batch * (1 + embd + max(ctx, embd)) + embd * embd * 9 // 16
        + 4 * ctx * (batch * heads + head_dim * heads_kv),
        4 * batch * (embd + vocab) + embd * vocab * 105 // 128)
    return full, partial


def _graph_qwen2(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = max(4 * batch * (embd + vocab),
               4 * batch * (1 + 2 * embd + ctx + ctx * heads))
    partial = max(4 * batch * (embd + vocab) + embd * vocab * 105 // 128,
                  4 * (batch * (1 + 2 * embd + ctx * (1 + heads)) + embd * (1 + ctx)))
    return full, partial


def _graph_gemma(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = max(4 * batch * (embd + vocab),
               4 * batch * (2 + ctx + ctx * heads + 2 * embd + 2 * key_dim * heads))
    partial = max(4 * embd * batch + embd * vocab * 105 // 128 + 4 * vocab * batch,
                  4 * batch * (2 * embd + 1 + 2 * key_dim * heads + ctx + ctx * heads)
                  + 4 * key_dim * ctx * 8 + embd * key_dim * heads * 9 // 16)
    return full, partial


def _graph_gemma3n(*args):
    full, partial = _graph_gemma(*args)
    return 4 * full, 4 * partial


def _graph_command_r(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = max(4 * batch * (embd + vocab),
               4 * batch * (2 + 4 * embd + ctx * (1 + heads)))
    partial = max(4 * batch * (embd + vocab) + embd * vocab * 105 // 128,
                  4 * batch * (1 + 2 * embd + ctx * (1 + heads)) + 4 * embd * ctx + embd * embd * 9 // 16)
    return full, partial


def _graph_phi2(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = max(4 * batch * (embd + vocab),
               4 * batch * (1 + 4 * embd + ctx + ctx * heads))
    partial = max(4 * batch * (2 * embd + vocab) + embd * vocab * 105 // 128,
                  4 * batch * (2 + 3 * embd + ctx + ctx * heads))
    return full, partial


def _graph_stablelm(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = 4 * batch * (ctx * (1 + heads) + 3 * embd + 2)
    return full, max(4 * batch * (vocab + 2 * embd), full)


def _graph_deepseek2(batch, ctx, heads, heads_kv, embd, head_dim, key_dim, vocab):
    full = max(4 * batch * (3 * embd + vocab),
               4 * batch * (3 * embd + 2 + ctx * (1 + heads_kv) + 2 * key_dim * heads_kv))
    partial = max(4 * batch * (3 * embd + vocab) + embd * vocab * 105 // 128,
                  4 * batch * (2 * embd + 1 + 2 * key_dim * heads_kv + ctx + ctx * heads_kv)
                  + 4 * key_dim * ctx * heads_kv + embd * key_dim * heads_kv * 9 // 16)
    return full, partial


GRAPH_FAMILIES = {
    "llama": _graph_llama,
    "llama4": _graph_llama,
    "qwen2": _graph_qwen2,
    "gemma": _graph_gemma,
    "gemma2": _graph_gemma,
    "gemma3": _graph_gemma,
    "gemma3n": _graph_gemma3n,
    "command-r": _graph_command_r,
    "phi2": _graph_phi2,
    "stablelm": _graph_stablelm,
    "deepseek2": _graph_deepseek2,
}


def graph_bytes(plan, num_ctx, effective_ctx, kv_cache):
    """(full_offload, partial_offload, notes) for the model's architecture family."""
    family = GRAPH_FAMILIES.get((plan.architecture or "").lower())
    if family is None:
        # Ollama's fallback for architectures GraphSize does not know: GQA x KV / 6.
        gqa = max(plan.head_count // max(plan.head_count_kv, 1), 1)
        fallback = gqa * kv_cache // 6
        note = "no graph formula for architecture %s; using Ollama's fallback GQA x KV / 6" % (plan.architecture or "(unknown)")
        return fallback, fallback, [note]
    notes = []
    vocab = plan.vocab_size or 0
    if not plan.vocab_size:
        notes.append("vocab_size unknown: the output layer's share of the graph is left out")
    key_length, _value_length = head_dimensions(plan)
    batch = min(num_ctx, plan.num_batch)
    full, partial = family(batch, effective_ctx, plan.head_count, plan.head_count_kv,
                           plan.embedding_length, plan.embedding_length // plan.head_count, key_length, vocab)
    return full, partial, notes


def estimate_model(plan, flash_attention=False):
    """Weights, KV cache and compute graph of one model held whole on one GPU."""
    plan = ModelPlan.from_value(plan)
    num_ctx, notes = context_window(plan)
    effective_ctx = num_ctx * plan.num_parallel
    kv_type, kv_notes = effective_kv_type(plan, flash_attention)
    kv_cache = kv_cache_bytes(plan, effective_ctx, kv_type)
    graph_full, graph_partial, graph_notes = graph_bytes(plan, num_ctx, effective_ctx, kv_cache)
    weights = int(plan.size_bytes)
    return {
        "name": plan.name,
        "weights": weights,
        "kv_cache": kv_cache,
        "graph": graph_full,
        "graph_partial": graph_partial,
        "total": weights + kv_cache + graph_full,
        "num_ctx": num_ctx,
        "num_parallel": plan.num_parallel,
        "effective_ctx": effective_ctx,
        "kv_cache_type": kv_type,
        "kv_cache_type_requested": plan.kv_cache_type,
        "notes": notes + kv_notes + graph_notes,
    }


def parse_size(value, what="size"):
    """Bytes from an int or a string such as "512MiB", "24GiB" or "80GB"."""
    if isinstance(value, bool):
        raise ValueError("%s must be a number of bytes, got %r" % (what, value))
    if isinstance(value, int):
        if value < 0:
            raise ValueError("%s must not be negative, got %d" % (what, value))
        return value
    if isinstance(value, float) and value >= 0:
        return int(value)
    match = _SIZE_RE.match(str(value))
    if not match or match.group(2).lower() not in _SIZE_UNITS:
        raise ValueError("%s must be bytes or a size such as 24GiB, got %r" % (what, value))
    return int(Fraction(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def resolve_reserve(reserve, capacity):
    """Bytes held back from ``capacity``: ``reserve`` is bytes, a size, or "NN%" of capacity."""
    if reserve is None:
        return 0
    if isinstance(reserve, str):
        match = _PERCENT_RE.match(reserve)
        if match:
            percent = Fraction(match.group(1))
            if percent > 100:
                raise ValueError("reserve must be at most 100%%, got %r" % reserve)
            return _ceil_div(capacity * percent.numerator, 100 * percent.denominator)
    return parse_size(reserve, "reserve")


def split_proportionally(amount, weights):
    """Share ``amount`` out in proportion to ``weights``; the shares add up exactly."""
    total = sum(weights)
    if not total:
        return [0] * len(weights)
    shares = [amount * weight // total for weight in weights]
    if shares:
        largest = max(range(len(weights)), key=lambda i: weights[i])
        shares[largest] += amount - sum(shares)
    return shares


class _Gpu:
    def __init__(self, index, memory, reserve):
        self.index = index
        self.memory = memory
        self.reserve = reserve
        self.models = []
        self.model_bytes = 0

    def overhead_if_new(self, overhead):
        return 0 if self.models else overhead

    def room(self, overhead):
        """Bytes a new model could take here, after the reserve and (first time) the overhead."""
        return self.memory - self.reserve - self.model_bytes - self.overhead_if_new(overhead)

    def add(self, name, size):
        self.models.append(name)
        self.model_bytes += size

    def report(self, overhead):
        used = self.model_bytes + (overhead if self.models else 0)
        return {
            "index": self.index,
            "memory": self.memory,
            "reserve": self.reserve,
            "models": list(self.models),
            "used": used,
            "free": self.memory - self.reserve - used,
        }


def _place_whole(gpus, estimate, overhead):
    """First fit: the lowest-indexed GPU with room for the whole model."""
    for gpu in gpus:
        if estimate["total"] <= gpu.room(overhead):
            gpu.add(estimate["name"], estimate["total"])
            return [gpu.index]
    return None


def _split_shares(gpus, estimate, overhead):
    """How the model's weights and KV would be spread over GPUs, or None if even that fails.

    Like Ollama's multi-GPU layout, every GPU holding part of the model also needs the
    (partial-offload) graph; GPUs are filled in index order.
    """
    remaining = estimate["weights"] + estimate["kv_cache"]
    shares = []
    for gpu in gpus:
        room = gpu.room(overhead) - estimate["graph_partial"]
        if room <= 0 or remaining <= 0:
            continue
        part = min(room, remaining)
        shares.append((gpu, part + estimate["graph_partial"]))
        remaining -= part
    if remaining > 0 or len(shares) < 2:
        return None
    return shares


def _place(gpus, estimate, overhead, allow_split):
    """Place one model; return (status, gpu indices, bytes placed)."""
    placed_on = _place_whole(gpus, estimate, overhead)
    if placed_on is not None:
        return "placed", placed_on, estimate["total"]
    shares = _split_shares(gpus, estimate, overhead)
    if shares is None:
        return "unplaced", [], estimate["total"]
    if not allow_split:
        return "needs_split", [], estimate["total"]
    for gpu, size in shares:
        gpu.add(estimate["name"], size)
    return "split", [gpu.index for gpu, _size in shares], sum(size for _gpu, size in shares)


def plan_node(models, gpus, overhead_per_gpu=0, reserve=0, flash_attention=False, allow_split=False):
    """Estimate every model and place them on the GPUs, largest first (first-fit decreasing).

    ``gpus``: memory of each GPU in bytes. ``reserve``: bytes, a size or "NN%" of the total,
    held back and shared among the GPUs in proportion to their memory. ``overhead_per_gpu``
    (OLLAMA_GPU_OVERHEAD) is counted once on every GPU that holds a model. A model is kept whole
    on one GPU; one that only fits spread over several is ``needs_split`` (not placed) unless
    ``allow_split``.
    """
    plans = [ModelPlan.from_value(model) for model in models]
    memories = [parse_size(memory, "GPU memory") for memory in gpus]
    overhead = parse_size(overhead_per_gpu or 0, "overhead_per_gpu")
    capacity = sum(memories)
    reserve_bytes = resolve_reserve(reserve, capacity)
    if reserve_bytes > capacity:
        raise ValueError("reserve of %d bytes is more than the %d bytes of GPU memory" % (reserve_bytes, capacity))
    nodes = [_Gpu(i, memory, share)
             for i, (memory, share) in enumerate(zip(memories, split_proportionally(reserve_bytes, memories)))]

    estimates = [estimate_model(plan, flash_attention) for plan in plans]
    order = sorted(range(len(estimates)), key=lambda i: -estimates[i]["total"])
    for i in order:
        status, indices, placed = _place(nodes, estimates[i], overhead, allow_split)
        estimates[i].update(status=status, gpus=indices, placed_bytes=placed)
    return _summary(estimates, nodes, capacity, reserve_bytes, overhead)


def _summary(estimates, nodes, capacity, reserve_bytes, overhead):
    total = sum(estimate["placed_bytes"] for estimate in estimates)
    overheads = overhead * sum(1 for node in nodes if node.models)
    free = capacity - reserve_bytes - total - overheads
    unplaced = [e["name"] for e in estimates if e["status"] in ("unplaced", "needs_split")]
    notes = ["%s: %s" % (e["name"], note) for e in estimates for note in e["notes"]]
    if not nodes:
        notes.append("no GPUs: nothing can be placed")
    return {
        "models": estimates,
        "total": total,
        "capacity": capacity,
        "reserve": reserve_bytes,
        "overhead": overheads,
        "free": free,
        "fits": free >= 0 and not unplaced,
        "placement": [node.report(overhead) for node in nodes],
        "unplaced": unplaced,
        "needs_split": [e["name"] for e in estimates if e["status"] == "needs_split"],
        "notes": notes,
    }


def _gib(value):
    return "%.2f" % (value / GIB)


def format_table(result):
    """A fixed-width table of a plan_node result (sizes in GiB), for reports and errors."""
    rows = [("model", "ctx", "kv", "weights", "kv cache", "graph", "total", "where")]
    for model in result["models"]:
        rows.append((
            model["name"],
            "%dx%d" % (model["num_ctx"], model["num_parallel"]),
            model["kv_cache_type"],
            _gib(model["weights"]),
            _gib(model["kv_cache"]),
            _gib(model["graph"]),
            _gib(model["placed_bytes"]),
            _where(model),
        ))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = [_format_row(row, widths) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.extend(_gpu_lines(result))
    lines.append(
        "capacity %s GiB, reserve %s GiB, overhead %s GiB, models %s GiB, free %s GiB: %s"
        % (_gib(result["capacity"]), _gib(result["reserve"]), _gib(result["overhead"]),
           _gib(result["total"]), _gib(result["free"]), "fits" if result["fits"] else "DOES NOT FIT"))
    return "\n".join(lines)


def _where(model):
    status = model.get("status", "placed")
    if status == "placed":
        return "gpu %s" % model["gpus"][0]
    if status == "split":
        return "split over gpus %s" % ",".join(str(i) for i in model["gpus"])
    if status == "needs_split":
        return "NEEDS SPLIT (larger than any one GPU)"
    return "DOES NOT FIT"


def _format_row(row, widths):
    cells = []
    for i, (cell, width) in enumerate(zip(row, widths)):
        # Names and places read left to right; numbers line up on the right.
        cells.append(str(cell).ljust(width) if i in (0, 2, len(row) - 1) else str(cell).rjust(width))
    return "  ".join(cells).rstrip()


def _gpu_lines(result):
    lines = []
    for gpu in result["placement"]:
        lines.append("gpu %d: %s GiB, reserve %s GiB, used %s GiB, free %s GiB: %s"
                     % (gpu["index"], _gib(gpu["memory"]), _gib(gpu["reserve"]), _gib(gpu["used"]),
                        _gib(gpu["free"]), ", ".join(gpu["models"]) or "-"))
    return lines
