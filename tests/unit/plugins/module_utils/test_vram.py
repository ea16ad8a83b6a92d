# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VRAM estimator on the real architecture numbers of the models we plan with.

Architecture numbers are the models' GGUF metadata as Ollama serves them; sizes are the model
(+ projector) layer sizes, the same figures as tests/doubles/models.json (exact where the
upstream blob size is known, else the public rounded size). docs/vram-budget.md walks through
the same numbers.
"""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.vram import (
    ModelPlan,
    estimate_model,
    format_table,
    plan_node,
    resolve_reserve,
    split_proportionally,
)

MIB = 2 ** 20
GIB = 2 ** 30
L4 = 24 * GIB  # as the inventory writes it; nvidia-smi says 23034 MiB
RTX_PRO_6000 = 96 * GIB
L40S = 46068 * MIB

QWEN25_7B = dict(name="qwen2.5:7b", architecture="qwen2", size_bytes=4_683_073_952, block_count=28,
                 head_count=28, head_count_kv=4, embedding_length=3584, context_length=32768, vocab_size=152064)
QWEN25VL_7B = dict(name="qwen2.5vl:7b", architecture="qwen25vl", size_bytes=5_970_000_000, block_count=28,
                   head_count=28, head_count_kv=4, embedding_length=3584, context_length=128000, vocab_size=152064)
GRANITE_VISION = dict(name="granite3.2-vision", architecture="granite", size_bytes=1_550_000_000 + 893_000_000,
                      block_count=40, head_count=32, head_count_kv=8, embedding_length=2048, context_length=16384,
                      vocab_size=49156)  # model + projector layer
DEEPSEEK_R1_70B = dict(name="deepseek-r1:70b", architecture="llama", size_bytes=42_520_000_000, block_count=80,
                       head_count=64, head_count_kv=8, embedding_length=8192, context_length=131072, vocab_size=128256)
LLAMA4_SCOUT = dict(name="llama4:scout", architecture="llama4", size_bytes=67_000_000_000, block_count=48,
                    head_count=40, head_count_kv=8, embedding_length=5120, key_length=128, value_length=128,
                    context_length=10485760, vocab_size=202048)
NOMIC_EMBED = dict(name="nomic-embed-text", architecture="nomic-bert", size_bytes=274_290_656, block_count=12,
                   head_count=12, embedding_length=768, context_length=2048, vocab_size=30522, pooling_type=1)
LLAMA31_8B = dict(name="llama3.1:8b", architecture="llama", size_bytes=4_920_738_944, block_count=32,
                  head_count=32, head_count_kv=8, embedding_length=4096, context_length=131072, vocab_size=128256)

SEED = [QWEN25_7B, QWEN25VL_7B, GRANITE_VISION, DEEPSEEK_R1_70B, LLAMA4_SCOUT, NOMIC_EMBED]


def plan(model, **overrides):
    return ModelPlan(**dict(model, **dict({"num_ctx": 4096}, **overrides)))


def seed(names=None, **overrides):
    return [plan(m, **overrides) for m in SEED if names is None or m["name"] in names]


def seed_002(model, **overrides):
    """As inventories/example plans it: num_ctx 8192, num_parallel 2, q8_0 KV, flash attention."""
    return plan(model, **dict(dict(num_ctx=8192, num_parallel=2, kv_cache_type="q8_0"), **overrides))


# --- KV cache ------------------------------------------------------------------------------

def test_qwen25_7b_kv_cache_f16():
    # 28 layers x 4096 tokens x (4 KV heads x 128 + 4 x 128) values x 2 bytes
    assert 28 * 4096 * (4 * 128 + 4 * 128) * 2 == 234_881_024
    estimate = estimate_model(plan(QWEN25_7B), flash_attention=False)
    assert estimate["kv_cache"] == 234_881_024 == 224 * MIB
    assert estimate["effective_ctx"] == 4096
    assert estimate["kv_cache_type"] == "f16"
    assert estimate_model(plan(QWEN25_7B, num_ctx=8192))["kv_cache"] == 2 * 234_881_024


def test_qwen25_7b_totals():
    estimate = estimate_model(plan(QWEN25_7B))
    # qwen2 graph, fully offloaded: max(4 x batch x (embd + vocab), 4 x batch x (1 + 2 embd + ctx + ctx x heads))
    assert estimate["graph"] == max(4 * 512 * (3584 + 152064), 4 * 512 * (1 + 2 * 3584 + 4096 + 4096 * 28)) == 318_767_104
    assert estimate["weights"] == 4_683_073_952
    assert estimate["total"] == 4_683_073_952 + 234_881_024 + 318_767_104
    assert estimate["notes"] == []


def test_llama31_8b_parallel_slots_multiply_context():
    # Ollama clamps num_ctx to the trained context per slot, then allocates num_ctx x num_parallel:
    # 2048 x 64 = 131072 cached tokens, 32 layers x (8 x 128 + 8 x 128) values x 2 bytes = 16 GiB.
    estimate = estimate_model(plan(LLAMA31_8B, num_ctx=2048, num_parallel=64))
    assert estimate["num_ctx"] == 2048
    assert estimate["effective_ctx"] == 131072
    assert estimate["kv_cache"] == 32 * 131072 * 2048 * 2 == 16 * GIB
    # The product may exceed context_length: each slot has its own 2048 tokens.
    wide = estimate_model(plan(LLAMA31_8B, num_ctx=8192, num_parallel=32))
    assert wide["effective_ctx"] == 262144
    assert wide["notes"] == []


def test_num_ctx_is_clamped_to_context_length_before_parallel():
    estimate = estimate_model(plan(LLAMA31_8B, num_ctx=200000, num_parallel=2))
    assert estimate["num_ctx"] == 131072
    assert estimate["effective_ctx"] == 262144
    assert estimate["notes"] == [
        "num_ctx 200000 is larger than the model's context_length 131072; Ollama clamps it to 131072"]


def test_70b_at_128k_q8_0_with_and_without_flash_attention():
    model = plan(DEEPSEEK_R1_70B, num_ctx=131072, kv_cache_type="q8_0")
    elements = 80 * 131072 * (8 * 128 + 8 * 128)
    with_fa = estimate_model(model, flash_attention=True)
    assert with_fa["kv_cache_type"] == "q8_0"
    assert with_fa["kv_cache"] == elements * 34 // 32 == 22_817_013_760  # 21.25 GiB
    assert with_fa["notes"] == []
    without_fa = estimate_model(model, flash_attention=False)
    assert without_fa["kv_cache_type"] == "f16"
    assert without_fa["kv_cache_type_requested"] == "q8_0"
    assert without_fa["kv_cache"] == elements * 2 == 40 * GIB
    assert without_fa["notes"] == ["kv_cache_type q8_0 needs flash attention, which is off; Ollama falls back to f16"]
    assert without_fa["total"] - with_fa["total"] == 40 * GIB - 22_817_013_760


def test_q4_0_kv_cache():
    estimate = estimate_model(plan(DEEPSEEK_R1_70B, num_ctx=131072, kv_cache_type="Q4_0"), flash_attention=True)
    assert estimate["kv_cache"] == 80 * 131072 * 2048 * 18 // 32 == 12_079_595_520


def test_graph_at_long_context_is_ollamas_estimate():
    # Ollama's llama formula grows with ctx x heads (the attention scores of one batch).
    estimate = estimate_model(plan(DEEPSEEK_R1_70B, num_ctx=131072), flash_attention=True)
    assert estimate["graph"] == 4 * 512 * (1 + 4 * 8192 + 131072 * 65) == 17_515_415_552


def test_head_dimensions_from_the_model_win():
    # gemma3-style: 256-wide heads, not embedding_length / head_count (2560 / 8 = 320).
    gemma = dict(name="gemma3:4b", architecture="gemma3", size_bytes=3_300_000_000, block_count=34, head_count=8,
                 head_count_kv=4, embedding_length=2560, key_length=256, value_length=256, context_length=131072,
                 vocab_size=262144)
    assert estimate_model(plan(gemma))["kv_cache"] == 34 * 4096 * (4 * 256 + 4 * 256) * 2
    # Without value_length it defaults to embedding_length / head_count on its own, as in llama.cpp.
    uneven = dict(gemma, value_length=None)
    assert estimate_model(plan(uneven))["kv_cache"] == 34 * 4096 * (4 * 256 + 4 * 320) * 2


def test_quantised_kv_needs_equal_head_dimensions_for_flash_attention():
    mla = dict(QWEN25_7B, name="mla", key_length=192, value_length=128)
    estimate = estimate_model(plan(mla, kv_cache_type="q8_0"), flash_attention=True)
    assert estimate["kv_cache_type"] == "f16"
    assert "does not support" in estimate["notes"][0]


def test_unknown_architecture_uses_ollamas_fallback_graph():
    estimate = estimate_model(plan(QWEN25VL_7B))
    # GQA (28 / 4 = 7) x KV / 6
    assert estimate["graph"] == 7 * 234_881_024 // 6 == 274_027_861
    assert "fallback" in estimate["notes"][0]


def test_unknown_vocab_is_noted():
    estimate = estimate_model(plan(QWEN25_7B, vocab_size=None))
    assert estimate["graph"] == 4 * 512 * (1 + 2 * 3584 + 4096 + 4096 * 28)
    assert any("vocab_size unknown" in note for note in estimate["notes"])


def test_model_plan_validation():
    with pytest.raises(ValueError, match="model x: missing size_bytes, num_ctx"):
        ModelPlan(name="x", block_count=1, head_count=1, embedding_length=64)
    with pytest.raises(ValueError, match="kv_cache_type"):
        plan(QWEN25_7B, kv_cache_type="q5_1")
    with pytest.raises(ValueError, match="num_parallel"):
        plan(QWEN25_7B, num_parallel=0)
    assert ModelPlan(name="x", size_bytes=1, block_count=1, head_count=8, embedding_length=64, num_ctx=1).head_count_kv == 8
    with pytest.raises(TypeError):
        ModelPlan.from_value(["not", "a", "model"])


# --- Placement -----------------------------------------------------------------------------

SEED_KV_4096 = {
    "qwen2.5:7b": 224 * MIB,
    "qwen2.5vl:7b": 224 * MIB,
    "granite3.2-vision": 320 * MIB,  # 40 x 4096 x (8 x 64 x 2) x 2
    "deepseek-r1:70b": 1280 * MIB,
    "llama4:scout": 768 * MIB,
    "nomic-embed-text": 72 * MIB,  # num_ctx clamped to its 2048
}


def by_name(result):
    return {model["name"]: model for model in result["models"]}


def test_seed_models_kv_cache():
    result = plan_node(seed(), [RTX_PRO_6000], flash_attention=True)
    assert {name: m["kv_cache"] for name, m in by_name(result).items()} == SEED_KV_4096


def test_all_seed_models_on_an_l4():
    result = plan_node(seed(), [L4], reserve="10%", flash_attention=True)
    models = by_name(result)
    assert result["fits"] is False
    assert result["unplaced"] == ["deepseek-r1:70b", "llama4:scout"]
    assert result["needs_split"] == []  # one GPU: nothing to split over
    assert models["deepseek-r1:70b"]["status"] == "unplaced"
    assert models["deepseek-r1:70b"]["total"] == 42_520_000_000 + 1280 * MIB + 612_370_432 > L4
    small = ["qwen2.5vl:7b", "qwen2.5:7b", "granite3.2-vision", "nomic-embed-text"]  # largest first
    assert result["placement"][0]["models"] == small
    assert result["placement"][0]["used"] == sum(models[name]["total"] for name in small) == 15_080_242_538
    assert result["placement"][0]["free"] == L4 - result["reserve"] - 15_080_242_538
    assert result["free"] < 0


def test_all_seed_models_on_a_96gb_card_with_a_35_percent_reserve():
    # Everything but scout fits under the 35 % reserve; scout alone (63.5 GiB) is more than the
    # 62.4 GiB left, so it is exactly the model reported as not fitting.
    result = plan_node(seed(), [RTX_PRO_6000], reserve="35%", flash_attention=True)
    assert result["reserve"] == 36_077_725_287  # ceil(96 GiB x 0.35)
    assert result["unplaced"] == ["llama4:scout"]
    assert by_name(result)["llama4:scout"]["total"] == 67_000_000_000 + 768 * MIB + 424_280_064
    gpu = result["placement"][0]
    assert "llama4:scout" not in gpu["models"] and len(gpu["models"]) == 5
    assert gpu["used"] == 59_554_790_250 and gpu["free"] == 7_446_699_567

    without_scout = plan_node(seed([m["name"] for m in SEED if m is not LLAMA4_SCOUT]), [RTX_PRO_6000],
                              reserve="35%", flash_attention=True)
    assert without_scout["fits"] is True
    assert without_scout["free"] == RTX_PRO_6000 - 36_077_725_287 - 59_554_790_250 == 7_446_699_567


def test_seed_002_l4_node():
    # inventories/example host gpu-l4-1: three models, 8192 tokens x 2 slots, q8_0, 10 % reserve.
    result = plan_node([seed_002(QWEN25_7B), seed_002(QWEN25VL_7B), seed_002(GRANITE_VISION)], [L4],
                       reserve="10%", flash_attention=True)
    models = by_name(result)
    # 28 layers x 16384 tokens x 1024 values x 34/32 bytes
    assert models["qwen2.5:7b"]["kv_cache"] == 28 * 16384 * 1024 * 34 // 32 == 499_122_176  # 476 MiB
    assert models["qwen2.5:7b"]["effective_ctx"] == 16384
    assert models["granite3.2-vision"]["kv_cache"] == 680 * MIB
    assert result["fits"] is True
    assert result["total"] == 16_852_774_282  # 15.70 GiB
    assert result["free"] == L4 - 2_576_980_378 - 16_852_774_282 == 6_340_049_116  # 5.90 GiB


def test_seed_002_rtx_pro_6000_node():
    # inventories/example host gpu-rtx6000-1: the 70B and scout together need 109.5 GB of weights
    # alone, more than the card; the plan reports exactly scout as not fitting.
    models = [seed_002(DEEPSEEK_R1_70B), seed_002(LLAMA4_SCOUT, num_ctx=16384),
              seed_002(NOMIC_EMBED, num_ctx=2048), seed_002(QWEN25_7B)]
    result = plan_node(models, [RTX_PRO_6000], reserve="35%", flash_attention=True)
    estimates = by_name(result)
    assert result["fits"] is False
    assert result["unplaced"] == ["llama4:scout"]
    assert estimates["llama4:scout"]["kv_cache"] == 48 * 32768 * 2048 * 34 // 32 == 3264 * MIB
    assert estimates["llama4:scout"]["total"] == 73_215_960_576 > RTX_PRO_6000 - 36_077_725_287
    assert estimates["deepseek-r1:70b"]["kv_cache"] == 2720 * MIB
    # An embedding model never runs with flash attention in Ollama: q8_0 becomes f16.
    assert estimates["nomic-embed-text"]["kv_cache_type"] == "f16"
    assert estimates["nomic-embed-text"]["kv_cache"] == 12 * 4096 * (12 * 64 * 2) * 2 == 144 * MIB
    assert "embedding models" in estimates["nomic-embed-text"]["notes"][0]
    assert result["placement"][0]["models"] == ["deepseek-r1:70b", "qwen2.5:7b", "nomic-embed-text"]
    assert result["placement"][0]["free"] == 12_760_805_913  # 11.88 GiB left under the reserve
    assert "llama4:scout" in format_table(result) and "DOES NOT FIT" in format_table(result)


def test_multi_gpu_first_fit_decreasing():
    small = seed(["qwen2.5:7b", "qwen2.5vl:7b", "granite3.2-vision", "nomic-embed-text"])
    result = plan_node(small, [8 * GIB, 8 * GIB], flash_attention=True)
    # 6.06 GiB -> gpu 0; 4.87 no longer fits there -> gpu 1; 2.76 -> gpu 1; 0.34 -> gpu 0.
    assert [gpu["models"] for gpu in result["placement"]] == [
        ["qwen2.5vl:7b", "nomic-embed-text"],
        ["qwen2.5:7b", "granite3.2-vision"],
    ]
    assert result["fits"] is True
    assert by_name(result)["qwen2.5:7b"]["gpus"] == [1]


def test_model_larger_than_any_gpu_needs_split():
    gpus = [L40S] * 4
    result = plan_node(seed(), gpus, reserve="10%", flash_attention=True)
    assert result["needs_split"] == ["deepseek-r1:70b", "llama4:scout"]
    assert result["unplaced"] == ["deepseek-r1:70b", "llama4:scout"]
    assert result["fits"] is False
    assert result["free"] > 0  # enough memory in total, only not on one GPU
    assert "NEEDS SPLIT" in format_table(result)

    split = plan_node(seed(), gpus, reserve="10%", flash_attention=True, allow_split=True)
    models = by_name(split)
    assert split["fits"] is True and split["needs_split"] == [] and split["unplaced"] == []
    assert models["llama4:scout"]["status"] == "split"
    assert models["llama4:scout"]["gpus"] == [0, 1]
    # every GPU holding a part also holds a (partial-offload) graph
    scout = models["llama4:scout"]
    assert scout["placed_bytes"] == scout["weights"] + scout["kv_cache"] + 2 * scout["graph_partial"]
    assert all(gpu["free"] >= 0 for gpu in split["placement"])


def test_overhead_counted_once_per_gpu_holding_models():
    two = seed(["qwen2.5:7b", "nomic-embed-text"])
    result = plan_node(two, [L4, L4], overhead_per_gpu=512 * MIB, flash_attention=True)
    assert result["overhead"] == 512 * MIB  # both on gpu 0, gpu 1 empty
    assert result["placement"][1]["used"] == 0
    assert result["placement"][0]["used"] == result["total"] + 512 * MIB
    assert result["free"] == 2 * L4 - result["total"] - 512 * MIB


def test_overhead_can_push_a_model_to_the_next_gpu():
    qwen = estimate_model(plan(QWEN25_7B))
    tight = qwen["total"] + 100 * MIB
    result = plan_node([plan(QWEN25_7B)], [tight, 8 * GIB], overhead_per_gpu=200 * MIB)
    assert by_name(result)["qwen2.5:7b"]["gpus"] == [1]
    result = plan_node([plan(QWEN25_7B)], [tight], overhead_per_gpu=200 * MIB)
    assert result["unplaced"] == ["qwen2.5:7b"]


def test_reserve_percent_and_bytes():
    assert resolve_reserve("35%", 96 * GIB) == 36_077_725_287
    assert resolve_reserve(" 12.5 % ", 8 * GIB) == GIB
    assert resolve_reserve("0%", 8 * GIB) == 0
    assert resolve_reserve(2 * GIB, 8 * GIB) == 2 * GIB
    assert resolve_reserve("2GiB", 8 * GIB) == 2 * GIB
    assert resolve_reserve("512 MiB", 8 * GIB) == 512 * MIB
    assert resolve_reserve("1GB", 8 * GIB) == 10 ** 9
    assert resolve_reserve(None, 8 * GIB) == 0
    for bad in ("101%", "-5%", -1, "lots", True):
        with pytest.raises(ValueError):
            resolve_reserve(bad, 8 * GIB)


def test_reserve_shared_by_gpu_size():
    result = plan_node([], [24 * GIB, 48 * GIB], reserve=3 * GIB)
    assert [gpu["reserve"] for gpu in result["placement"]] == [GIB, 2 * GIB]
    result = plan_node([], [L40S] * 3, reserve="10%")
    assert sum(gpu["reserve"] for gpu in result["placement"]) == result["reserve"]
    assert split_proportionally(10, [1, 1, 1]) == [4, 3, 3]  # the rounding remainder goes to the largest
    assert split_proportionally(10, [1, 4]) == [2, 8]
    with pytest.raises(ValueError, match="more than"):
        plan_node([], [GIB], reserve=2 * GIB)


def test_reserve_counts_against_placement():
    # 24 GiB minus 90 % leaves 2.4 GiB: qwen2.5:7b (4.87 GiB) no longer fits.
    result = plan_node([plan(QWEN25_7B)], [L4], reserve="90%")
    assert result["unplaced"] == ["qwen2.5:7b"]
    assert result["fits"] is False


def test_no_gpus():
    result = plan_node(seed(["qwen2.5:7b"]), [])
    assert result["capacity"] == 0 and result["fits"] is False
    assert result["unplaced"] == ["qwen2.5:7b"]
    assert "no GPUs" in result["notes"][-1]


def test_models_as_dicts_and_sizes_as_strings():
    result = plan_node([dict(QWEN25_7B, num_ctx=4096)], ["24GiB"], reserve="10%")
    assert result["capacity"] == L4
    assert result["fits"] is True


def test_format_table():
    result = plan_node(seed(), [RTX_PRO_6000], reserve="35%", flash_attention=True)
    lines = format_table(result).splitlines()
    assert lines[0].split() == ["model", "ctx", "kv", "weights", "kv", "cache", "graph", "total", "where"]
    assert any(line.startswith("qwen2.5:7b") and "4096x1" in line and "gpu 0" in line for line in lines)
    assert lines[-1].startswith("capacity 96.00 GiB, reserve 33.60 GiB")
    assert lines[-1].endswith("DOES NOT FIT")
