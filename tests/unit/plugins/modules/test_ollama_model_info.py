# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.modules import ollama_model_info
# The fixtures are used by name, which linters cannot see.
from ollama_http_fixtures import closed_port_url, no_backoff, ollama_server, run_module  # noqa: F401 pylint: disable=unused-import

LOADED = {
    "name": "qwen2.5:7b",
    "model": "qwen2.5:7b",
    "size": 6654289920,
    "size_vram": 6654289920,
    "digest": "abc",
    "details": {"family": "qwen2"},
    "expires_at": "2026-01-10T09:05:00Z",
    "context_length": 4096,
}


def run(server, check_mode=False, **args):
    args.setdefault("url", server.url)
    with no_backoff():
        return run_module(ollama_model_info, args, check_mode=check_mode)


def test_lists_models_loaded_and_version(ollama_server):
    qwen = ollama_server.add_model("qwen2.5:7b")
    ollama_server.add_model("llama3.2:latest")
    ollama_server.loaded = [LOADED]
    result = run(ollama_server)
    assert not result.failed, result.result
    assert result["changed"] is False
    assert result["version"] == "0.13.1"
    assert [m["name"] for m in result["models"]] == ["qwen2.5:7b", "llama3.2:latest"]
    assert result["models"][0] == {key: qwen[key] for key in ("name", "model", "size", "digest", "details", "modified_at")}
    assert result["loaded"][0]["size_vram"] == 6654289920
    assert result["loaded"][0]["context_length"] == 4096
    assert result["loaded"][0]["expires_at"] == "2026-01-10T09:05:00Z"
    assert "present" not in result.result


def test_name_filter_uses_ollama_normalisation(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    ollama_server.add_model("llama3.2:latest")
    ollama_server.loaded = [LOADED]
    result = run(ollama_server, name="llama3.2")
    assert [m["name"] for m in result["models"]] == ["llama3.2:latest"]
    assert result["loaded"] == []
    assert result["present"] is True
    result = run(ollama_server, name="Qwen2.5:7B")
    assert result["loaded"][0]["name"] == "qwen2.5:7b"


def test_missing_model_is_not_present(ollama_server):
    result = run(ollama_server, name="mistral:7b")
    assert result["present"] is False
    assert result["models"] == []


def test_check_mode_reads_the_same(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    result = run(ollama_server, check_mode=True)
    assert [m["name"] for m in result["models"]] == ["qwen2.5:7b"]
    assert all(r.method == "GET" for r in ollama_server.requests)


def test_garbage_answer_fails_naming_the_url(ollama_server):
    ollama_server.overrides[("GET", "/api/ps")] = (200, b"not json at all")
    result = run(ollama_server)
    assert result.failed
    assert ollama_server.url + "/api/ps" in result["msg"]


def test_unreachable_server_fails_naming_the_url():
    url = closed_port_url()
    with no_backoff():
        result = run_module(ollama_model_info, {"url": url, "retries": 0})
    assert result.failed
    assert url in result["msg"]


def test_invalid_name_filter(ollama_server):
    result = run(ollama_server, name="a:b:c")
    assert result.failed
    assert "invalid model name 'a:b:c'" in result["msg"]
