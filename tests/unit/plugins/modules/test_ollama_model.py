# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import ollama_model
# The fixtures are used by name, which linters cannot see.
from ollama_http_fixtures import (  # noqa: F401 pylint: disable=unused-import
    PullReply,
    closed_port_url,
    digest_of,
    no_backoff,
    ollama_server,
    qwen_gguf,
    registry_server,
    run_module,
)


def run(server, check_mode=False, diff=False, **args):
    args.setdefault("url", server.url if server else closed_port_url())
    args.setdefault("timeout", 5)
    with no_backoff():
        return run_module(ollama_model, args, check_mode=check_mode, diff=diff)


def writes(server):
    """Requests that would change the server."""
    return [r for r in server.requests if r.method in ("POST", "DELETE") and r.path != "/api/show"]


# state=present ---------------------------------------------------------------------------


def test_present_pulls_a_missing_model(ollama_server):
    entry = ollama_server.make_available("qwen2.5-coder:7b")
    result = run(ollama_server, name="qwen2.5-coder:7b")
    assert not result.failed, result.result
    assert result["changed"] is True
    assert result["action"] == "pulled"
    assert result["name"] == "qwen2.5-coder:7b"
    assert result["digest"] == entry["digest"]
    assert result["size"] == entry["size"]
    assert result["pull"]["attempts"] == 1
    assert result["pull"]["status"] == "success"
    assert result["pull"]["bytes"] == 4683073184
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 1


@pytest.mark.parametrize("wanted, listed", [
    ("qwen2.5-coder:7b", "qwen2.5-coder:7b"),
    ("Qwen2.5-Coder:7B", "qwen2.5-coder:7b"),
    ("registry.ollama.ai/library/qwen2.5-coder:7b", "qwen2.5-coder:7b"),
    ("llama3.2", "llama3.2:latest"),
    ("team/coder", "team/coder:latest"),
])
def test_present_makes_no_pull_request_when_listed(ollama_server, wanted, listed):
    entry = ollama_server.add_model(listed)
    result = run(ollama_server, name=wanted)
    assert result["changed"] is False
    assert result["action"] == "already_present"
    assert result["digest"] == entry["digest"]
    assert writes(ollama_server) == []


def test_present_check_mode_predicts_without_pulling(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    result = run(ollama_server, check_mode=True, diff=True, name="qwen2.5:7b")
    assert result["changed"] is True
    assert result["action"] == "pulled"
    assert result["digest"] is None
    assert writes(ollama_server) == []
    assert result["diff"]["before"] == {"models": []}
    assert result["diff"]["after"] == {"models": ["qwen2.5:7b"]}


def test_diff_lists_models_before_and_after(ollama_server):
    ollama_server.add_model("llama3.2:latest")
    ollama_server.make_available("qwen2.5:7b")
    result = run(ollama_server, diff=True, name="qwen2.5:7b")
    assert result["diff"]["before"] == {"models": ["llama3.2:latest"]}
    assert result["diff"]["after"] == {"models": ["llama3.2:latest", "qwen2.5:7b"]}
    assert ollama_server.url in result["diff"]["before_header"]


def test_no_diff_unless_asked(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    assert "diff" not in run(ollama_server, name="qwen2.5:7b").result


# state=latest ----------------------------------------------------------------------------


def test_latest_with_a_new_digest_is_updated(ollama_server):
    old = ollama_server.add_model("qwen2.5:7b", digest=digest_of("v1"))
    new = ollama_server.make_available("qwen2.5:7b", digest=digest_of("v2"))
    result = run(ollama_server, name="qwen2.5:7b", state="latest")
    assert result["changed"] is True
    assert result["action"] == "updated"
    assert result["digest"] == new["digest"] != old["digest"]
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 1


def test_latest_with_the_same_digest_is_unchanged(ollama_server):
    ollama_server.add_model("qwen2.5:7b", digest=digest_of("v1"))
    ollama_server.make_available("qwen2.5:7b", digest=digest_of("v1"))
    result = run(ollama_server, diff=True, name="qwen2.5:7b", state="latest")
    assert result["changed"] is False
    assert result["action"] == "unchanged"
    assert result["pull"]["attempts"] == 1
    assert result["diff"]["before"] == result["diff"]["after"]


def test_latest_pulls_a_missing_model(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    result = run(ollama_server, name="qwen2.5:7b", state="latest")
    assert (result["changed"], result["action"]) == (True, "pulled")


def registry_model(registry_server, gguf_bytes):
    """A model whose registry is the local double (reached over plain HTTP, hence insecure)."""
    host = registry_server.url[len("http://"):]
    name = "%s/library/qwen2.5:7b" % host
    return name, registry_server.add_model(name, gguf_bytes)


def test_latest_check_mode_same_digest_as_registry(ollama_server, registry_server, qwen_gguf):
    name, digest = registry_model(registry_server, qwen_gguf)
    ollama_server.add_model(name, digest=digest)
    result = run(ollama_server, check_mode=True, name=name, state="latest", insecure=True)
    assert result["changed"] is False
    assert result["action"] == "unchanged"
    assert result["registry_digest"] == digest[len("sha256:"):]
    assert writes(ollama_server) == []
    assert registry_server.requests[0].path == "/v2/library/qwen2.5/manifests/7b"


def test_latest_check_mode_new_digest_in_registry(ollama_server, registry_server, qwen_gguf):
    name, digest = registry_model(registry_server, qwen_gguf)
    ollama_server.add_model(name, digest=digest_of("older"))
    result = run(ollama_server, check_mode=True, name=name, state="latest", insecure=True)
    assert result["changed"] is True
    assert result["action"] == "updated"
    assert result["digest"] == digest[len("sha256:"):]
    assert writes(ollama_server) == []


def test_latest_check_mode_compares_the_digest_ollama_stores(ollama_server, registry_server, qwen_gguf):
    name, stored = registry_model(registry_server, qwen_gguf)
    path = "/v2/library/qwen2.5/manifests/7b"
    registry_server.manifests[path] = registry_server.manifests[path].replace(b",", b", ")  # served differently
    ollama_server.add_model(name, digest=stored)
    result = run(ollama_server, check_mode=True, name=name, state="latest", insecure=True)
    assert (result["changed"], result["action"]) == (False, "unchanged")


def test_latest_check_mode_registry_unreachable_reports_changed_with_warning(ollama_server):
    name = closed_port_url()[len("http://"):] + "/library/qwen2.5:7b"
    ollama_server.add_model(name)
    result = run(ollama_server, check_mode=True, name=name, state="latest", insecure=True, retries=0)
    assert result["changed"] is True
    assert result["action"] == "updated"
    assert any("cannot be ruled out" in w for w in result["warnings"])
    assert writes(ollama_server) == []


# state=absent ----------------------------------------------------------------------------


def test_absent_deletes(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    ollama_server.add_model("llama3.2:latest")
    result = run(ollama_server, diff=True, name="Qwen2.5:7b", state="absent")
    assert (result["changed"], result["action"]) == (True, "deleted")
    assert ollama_server.requests_to("DELETE", "/api/delete")[0].body == {"model": "Qwen2.5:7b"}
    assert result["diff"]["before"] == {"models": ["llama3.2:latest", "qwen2.5:7b"]}
    assert result["diff"]["after"] == {"models": ["llama3.2:latest"]}
    assert [m["name"] for m in ollama_server.models] == ["llama3.2:latest"]


def test_absent_when_missing_sends_nothing(ollama_server):
    result = run(ollama_server, name="qwen2.5:7b", state="absent")
    assert (result["changed"], result["action"]) == (False, "already_absent")
    assert writes(ollama_server) == []


def test_absent_404_on_delete_means_already_absent(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    ollama_server.overrides[("DELETE", "/api/delete")] = (404, b'{"error":"model \'qwen2.5:7b\' not found"}')
    result = run(ollama_server, name="qwen2.5:7b", state="absent")
    assert not result.failed
    assert (result["changed"], result["action"]) == (False, "already_absent")


def test_absent_check_mode_sends_no_delete(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    result = run(ollama_server, check_mode=True, diff=True, name="qwen2.5:7b", state="absent")
    assert (result["changed"], result["action"]) == (True, "deleted")
    assert writes(ollama_server) == []
    assert result["diff"]["after"] == {"models": []}
    assert len(ollama_server.models) == 1


# failures --------------------------------------------------------------------------------


def test_unknown_model_fails_once_naming_model_and_url(ollama_server):
    result = run(ollama_server, name="qwen9:404b")
    assert result.failed
    assert "qwen9:404b" in result["msg"]
    assert ollama_server.url in result["msg"]
    assert "file does not exist" in result["msg"]
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 1


def test_connection_refused_names_model_and_url():
    url = closed_port_url()
    result = run(None, url=url, name="qwen2.5:7b", retries=1)
    assert result.failed
    assert "qwen2.5:7b" in result["msg"]
    assert url in result["msg"]


def test_invalid_name_fails_before_any_request(ollama_server):
    result = run(ollama_server, name="qwen 2.5")
    assert result.failed
    assert "invalid model name 'qwen 2.5'" in result["msg"]
    assert ollama_server.url in result["msg"]
    assert ollama_server.requests == []


def test_pull_retried_after_server_error(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    ollama_server.pull_replies = [PullReply(status=500)]
    result = run(ollama_server, name="qwen2.5:7b")
    assert result["action"] == "pulled"
    assert result["pull"]["attempts"] == 2


def test_bearer_token_is_sent_and_hidden(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    result = run(ollama_server, name="qwen2.5:7b", bearer_token="t0ken-value")
    assert ollama_server.requests[0].headers["Authorization"] == "Bearer t0ken-value"
    assert "t0ken-value" not in repr(result.result)
