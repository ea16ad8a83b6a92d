# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName
from ansible_collections.foundrycloud.platform.plugins.modules import vram_budget
# The fixtures are used by name, which linters cannot see.
from ollama_http_fixtures import (  # noqa: F401 pylint: disable=unused-import
    closed_port_url,
    no_backoff,
    ollama_server,
    qwen_gguf,
    registry_server,
    run_module,
)

GIB = 1024 ** 3

QWEN = {
    "size_bytes": 4683087332,
    "architecture": "qwen2",
    "block_count": 28,
    "head_count": 28,
    "head_count_kv": 4,
    "embedding_length": 3584,
    "context_length": 32768,
    "vocab_size": 152064,
}

QWEN_SHOW = {
    "details": {"family": "qwen2", "parameter_size": "7.6B"},
    "model_info": {
        "general.architecture": "qwen2",
        "general.parameter_count": 7615616512,
        "qwen2.block_count": 28,
        "qwen2.attention.head_count": 28,
        "qwen2.attention.head_count_kv": 4,
        "qwen2.embedding_length": 3584,
        "qwen2.context_length": 32768,
        "tokenizer.ggml.tokens": None,  # /api/show leaves the big arrays out unless verbose
        "tokenizer.ggml.merges": None,
    },
}


def run(check_mode=False, **args):
    args.setdefault("timeout", 5)
    with no_backoff():
        return run_module(vram_budget, args, check_mode=check_mode)


def model(name="qwen2.5:7b", **kwargs):
    entry = {"name": name}
    entry.update(kwargs)
    return entry


def by_name(result, name):
    return next(m for m in result["models"] if m["name"] == name)


# inline metadata -------------------------------------------------------------------------


def test_inline_metadata_only_needs_no_network():
    result = run(url=closed_port_url(), gpus=["24GiB"], models=[model(num_ctx=4096, metadata=QWEN)], metadata_sources=["inline"])
    assert not result.failed, result.result
    assert result["changed"] is False
    assert result["fits"] is True
    assert result["sources"] == {"qwen2.5:7b": "inline"}
    qwen = by_name(result, "qwen2.5:7b")
    # 28 blocks x 4096 tokens x 4 kv heads x (128 + 128) x 2 bytes (f16)
    assert qwen["kv_cache"] == 234881024
    assert qwen["weights"] == QWEN["size_bytes"]
    assert result["capacity"] == 24 * GIB
    assert result["reserve"] == -(-24 * GIB // 10)  # the default reserve, 10 %, rounded up
    assert "qwen2.5:7b" in result["table"]
    assert result["warnings"] == []


def test_complete_inline_metadata_is_not_looked_up(ollama_server, registry_server):
    result = run(url=ollama_server.url, registry_url=registry_server.url, gpus=[{"memory_mib": 24576}],
                 models=[model(metadata=QWEN)])
    assert result["sources"] == {"qwen2.5:7b": "inline"}
    assert ollama_server.requests == [] and registry_server.requests == []


def test_inline_metadata_for_a_name_that_is_not_an_ollama_name():
    result = run(gpus=["24GiB"], models=[model(name="our coder (not published yet)", metadata=QWEN)], metadata_sources=["inline"])
    assert result["sources"] == {"our coder (not published yet)": "inline"}


# /api/show -------------------------------------------------------------------------------


def test_metadata_from_the_server(ollama_server, registry_server):
    entry = ollama_server.add_model("qwen2.5:7b", size=4683087332)
    ollama_server.shows[ModelName.parse("qwen2.5:7b").key] = QWEN_SHOW
    result = run(url=ollama_server.url, registry_url=registry_server.url, gpus=["24GiB"], models=[model(num_ctx=4096)])
    assert not result.failed, result.result
    assert result["sources"] == {"qwen2.5:7b": "server"}
    assert result["metadata"]["qwen2.5:7b"]["size_bytes"] == entry["size"]
    assert result["metadata"]["qwen2.5:7b"]["block_count"] == 28
    assert result["metadata"]["qwen2.5:7b"]["vocab_size"] is None
    assert by_name(result, "qwen2.5:7b")["kv_cache"] == 234881024
    assert ollama_server.requests_to("POST", "/api/show")[0].body == {"model": "qwen2.5:7b"}
    assert registry_server.requests == []


def test_partial_inline_metadata_wins_over_the_server(ollama_server):
    ollama_server.add_model("qwen2.5:7b", size=4683087332)
    ollama_server.shows[ModelName.parse("qwen2.5:7b").key] = QWEN_SHOW
    result = run(url=ollama_server.url, gpus=["24GiB"], models=[model(metadata={"size_bytes": 6 * GIB})],
                 metadata_sources=["inline", "server"])
    assert result["sources"] == {"qwen2.5:7b": "inline+server"}
    assert by_name(result, "qwen2.5:7b")["weights"] == 6 * GIB


# registry --------------------------------------------------------------------------------


def test_metadata_from_the_registry_reads_only_the_header(ollama_server, registry_server, qwen_gguf):
    registry_server.add_model("qwen2.5:7b", qwen_gguf)
    result = run(url=ollama_server.url, registry_url=registry_server.url, gpus=["24GiB"], models=[model(num_ctx=4096)])
    assert not result.failed, result.result
    assert result["sources"] == {"qwen2.5:7b": "registry"}
    meta = result["metadata"]["qwen2.5:7b"]
    assert (meta["block_count"], meta["head_count_kv"], meta["vocab_size"]) == (28, 4, 3000)
    assert meta["size_bytes"] == len(qwen_gguf)
    assert registry_server.bytes_sent < len(qwen_gguf)
    assert all(r.method == "GET" for r in registry_server.requests)
    # The server was asked first (it does not have the model), and nothing was pulled.
    assert [r.path for r in ollama_server.requests] == ["/api/tags"]


def test_unreachable_server_falls_back_to_the_registry_with_a_warning(registry_server, qwen_gguf):
    registry_server.add_model("qwen2.5:7b", qwen_gguf)
    url = closed_port_url()
    result = run(url=url, retries=0, registry_url=registry_server.url, gpus=["24GiB"],
                 models=[model(), model(name="qwen2.5:7b-copy", metadata=QWEN)])
    assert result["sources"]["qwen2.5:7b"] == "registry"
    assert len([w for w in result["warnings"] if url in w]) == 1


def test_no_source_has_the_model(ollama_server, registry_server):
    result = run(url=ollama_server.url, registry_url=registry_server.url, gpus=["24GiB"], models=[model(name="qwen9:404b")])
    assert result.failed
    message = result["msg"]
    assert message.startswith("model qwen9:404b: no complete metadata")
    assert "not on the server at %s" % ollama_server.url in message
    assert "not found in registry %s" % registry_server.url in message


# the verdict -----------------------------------------------------------------------------


def test_overcommit_fails_with_the_table():
    result = run(gpus=["8GiB"], models=[model(num_ctx=32768, num_parallel=4, metadata=QWEN)], metadata_sources=["inline"])
    assert result.failed
    assert result["msg"].startswith("the planned models do not fit into the GPU memory (not placed: qwen2.5:7b")
    assert "DOES NOT FIT" in result["msg"]
    assert "qwen2.5:7b" in result["msg"].split("\n", 1)[1]
    assert result["fits"] is False
    assert result["unplaced"] == ["qwen2.5:7b"]


def test_overcommit_can_be_reported_without_failing():
    result = run(gpus=["8GiB"], models=[model(num_ctx=32768, num_parallel=4, metadata=QWEN)], metadata_sources=["inline"],
                 fail_on_overcommit=False)
    assert not result.failed
    assert result["fits"] is False
    assert any("do not fit" in w for w in result["warnings"])


def test_allow_split():
    big = dict(QWEN, size_bytes=30 * GIB)
    args = dict(gpus=["24GiB", "24GiB"], models=[model(num_ctx=4096, metadata=big)], metadata_sources=["inline"], reserve=0)
    refused = run(**args)
    assert refused.failed and refused["needs_split"] == ["qwen2.5:7b"]
    accepted = run(allow_split=True, **args)
    assert not accepted.failed, accepted.result
    assert by_name(accepted, "qwen2.5:7b")["status"] == "split"


def test_check_mode_runs_the_same_and_only_reads(ollama_server, registry_server, qwen_gguf):
    ollama_server.add_model("qwen2.5:7b")
    ollama_server.shows[ModelName.parse("qwen2.5:7b").key] = QWEN_SHOW
    registry_server.add_model("llama3.2:3b", qwen_gguf)
    args = dict(url=ollama_server.url, registry_url=registry_server.url, gpus=["24GiB"],
                models=[model(num_ctx=4096), model(name="llama3.2:3b", num_ctx=4096)])
    normal = run(**args)
    checked = run(check_mode=True, **args)
    for key in ("fits", "models", "sources", "table", "placement"):
        assert checked[key] == normal[key]
    assert {(r.method, r.path) for r in ollama_server.requests} == {("GET", "/api/tags"), ("POST", "/api/show")}


# inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("gpus, default_num_ctx", [
    (["16GiB"], 4096),
    (["24GiB"], 32768),
    ([{"memory_total_mib": 23034, "name": "NVIDIA L4"}], 4096),  # an L4 reports 22.5 GiB, under the 23 GiB threshold
    (["24GiB", "24GiB"], 262144),
    (["96GB"], 262144),
])
def test_default_num_ctx_follows_ollama(gpus, default_num_ctx):
    result = run(gpus=gpus, models=[model(metadata=QWEN)], metadata_sources=["inline"], fail_on_overcommit=False)
    assert result["default_num_ctx"] == default_num_ctx
    assert by_name(result, "qwen2.5:7b")["num_ctx"] == min(default_num_ctx, QWEN["context_length"])


def test_overhead_lowers_the_default_tier_and_default_num_ctx_wins():
    result = run(gpus=["24GiB"], overhead_per_gpu="2GiB", models=[model(metadata=QWEN)], metadata_sources=["inline"])
    assert result["default_num_ctx"] == 4096
    result = run(gpus=["24GiB"], default_num_ctx=8192, models=[model(metadata=QWEN)], metadata_sources=["inline"])
    assert by_name(result, "qwen2.5:7b")["num_ctx"] == 8192


def test_gpu_memory_forms():
    gpus = [24 * GIB, "24GiB", {"memory": "24 GiB"}, {"memory_bytes": 24 * GIB}, {"memory_mib": 24576},
            {"memory_total_bytes": 24 * GIB, "memory_total_mib": 1}, {"memory_total_mib": 24576}]
    result = run(gpus=gpus, models=[model(metadata=QWEN)], metadata_sources=["inline"])
    assert [gpu["memory"] for gpu in result["placement"]] == [24 * GIB] * len(gpus)
    assert run(gpus=["96GB"], models=[model(metadata=QWEN)], metadata_sources=["inline"])["capacity"] == 96 * 10 ** 9


@pytest.mark.parametrize("gpu, problem", [
    ({"name": "NVIDIA L4", "memory_total_mib": None}, "gpus[0] (NVIDIA L4): no memory given"),
    ("lots", "gpus[0] must be bytes or a size"),
    ({"memory_mib": "many"}, "gpus[0].memory_mib"),
])
def test_bad_gpu_entries(gpu, problem):
    result = run(gpus=[gpu], models=[model(metadata=QWEN)], metadata_sources=["inline"])
    assert result.failed
    assert problem in result["msg"]


def test_kv_cache_type_falls_back_without_flash_attention():
    result = run(gpus=["24GiB"], models=[model(num_ctx=4096, kv_cache_type="q8_0", metadata=QWEN)], metadata_sources=["inline"])
    assert by_name(result, "qwen2.5:7b")["kv_cache_type"] == "f16"
    with_fa = run(gpus=["24GiB"], flash_attention=True, models=[model(num_ctx=4096, kv_cache_type="q8_0", metadata=QWEN)],
                  metadata_sources=["inline"])
    assert by_name(with_fa, "qwen2.5:7b")["kv_cache_type"] == "q8_0"
