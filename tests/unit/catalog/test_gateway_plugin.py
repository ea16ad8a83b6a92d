# -*- coding: utf-8 -*-
"""The gateway's LiteLLM plugin (catalog/templates/gateway/foundrycloud_gateway.py): the parts that
need neither LiteLLM nor PostgreSQL. The auth hook, LiteLLM's limiter and the usage rows are proven
against the real LiteLLM and PostgreSQL in molecule/inference_gateway."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

import jinja2
import pytest

PLUGIN = Path(__file__).resolve().parents[3] / "catalog" / "templates" / "gateway" / "foundrycloud_gateway.py"


@pytest.fixture(scope="module")
def plugin():
    spec = importlib.util.spec_from_file_location("foundrycloud_gateway", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_file_passes_through_the_template_engine_unchanged():
    # compose_service renders catalog files as Jinja templates.
    text = PLUGIN.read_text()
    assert jinja2.Environment(keep_trailing_newline=True).from_string(text).render() == text


def _write(path, keys):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"keys": keys}))
    os.replace(tmp, path)


def _entry(name, key, **limits):
    return dict({"name": name, "sha256": hashlib.sha256(key.encode()).hexdigest()}, **limits)


def test_the_key_store_finds_keys_by_hash_and_rereads_a_changed_file(plugin, tmp_path):
    path = tmp_path / "keys.json"
    _write(path, [_entry("alice", "sk-alice", rpm=5, tpm=100, team="research")])
    store = plugin.KeyStore(str(path))
    found = store.lookup("sk-alice")
    assert (found["name"], found["rpm"], found["tpm"], found["team"], found["budget_period_days"]) == ("alice", 5, 100, "research", 30)
    assert store.lookup("sk-bob") is None and store.lookup("") is None and store.lookup(None) is None
    _write(path, [_entry("bob", "sk-bob")])          # alice revoked, bob added: no restart
    assert store.lookup("sk-alice") is None
    assert store.lookup("sk-bob")["name"] == "bob"


def test_a_broken_keys_file_keeps_the_keys_read_before(plugin, tmp_path, caplog):
    path = tmp_path / "keys.json"
    _write(path, [_entry("alice", "sk-alice")])
    store = plugin.KeyStore(str(path))
    assert store.lookup("sk-alice")
    path.write_text("{not json")
    assert store.lookup("sk-alice")["name"] == "alice"
    assert "not loaded" in caplog.text


def test_a_missing_keys_file_lets_nobody_in(plugin, tmp_path):
    assert plugin.KeyStore(str(tmp_path / "absent.json")).lookup("sk-alice") is None


@pytest.mark.parametrize("document, message", [
    ({"keys": "x"}, "expected"),
    ({"keys": [{"name": "a", "sha256": "short"}]}, "entry 0 needs a name and a 64-character sha256"),
    ({"keys": [_entry("a", "k", colour="red")]}, "key a has unknown fields colour"),
])
def test_parse_keys_names_the_bad_entry(plugin, document, message):
    with pytest.raises(ValueError, match=message):
        plugin.parse_keys(json.dumps(document))


def test_a_usage_row_from_litellms_logging_payload(plugin):
    payload = {
        "id": "chatcmpl-1", "call_type": "acompletion", "model_group": "general", "model": "qwen2.5:7b",
        "api_base": "http://10.0.2.11:11434", "prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42,
        "response_cost": 0.0042, "startTime": 100.0, "endTime": 100.25,
        "metadata": {"user_api_key_alias": "alice", "user_api_key_team_id": "research"},
    }
    row = plugin.usage_row(payload, "success")
    assert row == {"request_id": "chatcmpl-1", "key_name": "alice", "team": "research", "model_group": "general",
                   "model": "qwen2.5:7b", "api_base": "http://10.0.2.11:11434", "call_type": "acompletion",
                   "status": "success", "prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42,
                   "cost": 0.0042, "duration_ms": 250, "error": None}
    # The route LiteLLM called is cut off: the row names the node.
    assert plugin.usage_row(dict(payload, api_base="http://10.0.2.11:11434/api/chat"), "success")["api_base"] == \
        "http://10.0.2.11:11434"
    failed = plugin.usage_row(dict(payload, error_str="connection refused", prompt_tokens=None), "failure")
    assert (failed["error"], failed["prompt_tokens"]) == ("connection refused", 0)
    assert plugin.usage_row(None, "failure")["key_name"] == "unknown"


def test_litellms_health_checks_are_not_usage(plugin):
    assert plugin.is_health_check({"metadata": {"user_api_key_alias": "litellm-internal-health-check"}})
    assert plugin.is_health_check({"metadata": {"user_api_key_user_id": "litellm-internal-health-check"}})
    assert not plugin.is_health_check({"metadata": {"user_api_key_alias": "alice"}})
    assert not plugin.is_health_check(None)
