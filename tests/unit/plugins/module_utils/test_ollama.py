# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import (
    OLLAMA_COMMON_ARGS,
    ModelName,
    NDJSONStream,
    OllamaClient,
    OllamaConnectionError,
    OllamaHTTPError,
    OllamaNameError,
    OllamaProtocolError,
    OllamaPullError,
    RegistryClient,
    client_from_params,
    find_model,
    ollama_argument_spec,
)
# The fixtures are used by name, which linters cannot see.
from ollama_http_fixtures import (  # noqa: F401 pylint: disable=unused-import
    MIB,
    PullReply,
    closed_port_url,
    no_backoff,
    ollama_server,
    padded_gguf,
    qwen_gguf,
    registry_server,
)

# ------------------------------------------------------------------------------------------
# ModelName
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, full, short",
    [
        ("qwen2.5", "registry.ollama.ai/library/qwen2.5:latest", "qwen2.5:latest"),
        ("qwen2.5:7b", "registry.ollama.ai/library/qwen2.5:7b", "qwen2.5:7b"),
        ("library/qwen2.5:7b", "registry.ollama.ai/library/qwen2.5:7b", "qwen2.5:7b"),
        ("registry.ollama.ai/library/qwen2.5:7b", "registry.ollama.ai/library/qwen2.5:7b", "qwen2.5:7b"),
        ("jmorgan/tiny", "registry.ollama.ai/jmorgan/tiny:latest", "jmorgan/tiny:latest"),
        ("hf.co/bartowski/Qwen2.5-7B-GGUF:Q4_K_M", "hf.co/bartowski/Qwen2.5-7B-GGUF:Q4_K_M", "hf.co/bartowski/Qwen2.5-7B-GGUF:Q4_K_M"),
        ("registry.lab:5000/team/coder:v1.2", "registry.lab:5000/team/coder:v1.2", "registry.lab:5000/team/coder:v1.2"),
        ("https://registry.lab/team/coder", "registry.lab/team/coder:latest", "registry.lab/team/coder:latest"),
    ],
)
def test_model_name_normalises_like_ollama(text, full, short):
    name = ModelName.parse(text)
    assert name.full == full
    assert name.short == short
    assert str(name) == short


def test_model_name_parts_and_paths():
    name = ModelName.parse("team/coder:v1")
    assert (name.host, name.namespace, name.model, name.tag) == ("registry.ollama.ai", "team", "coder", "v1")
    assert name.manifest_path == "v2/team/coder/manifests/v1"
    assert name.blob_path("sha256:ab") == "v2/team/coder/blobs/sha256:ab"


def test_model_name_comparison_ignores_case_and_defaults():
    assert ModelName.parse("Qwen2.5:7B") == ModelName.parse("registry.ollama.ai/library/qwen2.5:7b")
    assert ModelName.parse("Qwen2.5:7B") == "qwen2.5:7b"
    assert ModelName.parse("qwen2.5") != "qwen2.5:7b"
    assert ModelName.parse("qwen2.5").key == "registry.ollama.ai/library/qwen2.5:latest"
    assert len({ModelName.parse("A:b"), ModelName.parse("a:B")}) == 1
    # The display keeps the case that was written.
    assert ModelName.parse("Qwen2.5:7B").short == "Qwen2.5:7B"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "empty"),
        ("qwen 2.5", "the model 'qwen 2.5'"),
        ("qwen2.5:7b ", "the tag '7b '"),
        ("a:b:c", "the model 'a:b'"),
        ("..", "the model '..'"),
        ("../etc/passwd", "the host '..'"),
        ("library/../x", "the namespace '..'"),
        ("ns/", "the model is empty"),
        ("qwen2.5:", "the tag is empty"),
        ("/qwen", "the namespace is empty"),
        ("my.ns/model", "the namespace 'my.ns'"),
        ("a/b/c/d", "the host 'a/b'"),
        ("-model", "the model '-model'"),
        ("m" * 81, "longer than 80"),
    ],
)
def test_model_name_rejects_invalid_names(text, problem):
    with pytest.raises(OllamaNameError) as error:
        ModelName.parse(text)
    assert "invalid model name %r" % text in str(error.value)
    assert problem in str(error.value)


def test_model_name_rejects_non_strings():
    with pytest.raises(OllamaNameError):
        ModelName.parse(None)


def test_find_model_matches_normalised_names():
    models = [{"name": "llama3.2:latest"}, {"name": "Qwen2.5:7B", "model": "Qwen2.5:7B"}, {"name": "not valid!"}]
    assert find_model(models, "registry.ollama.ai/library/qwen2.5:7b")["name"] == "Qwen2.5:7B"
    assert find_model(models, "llama3.2")["name"] == "llama3.2:latest"
    assert find_model(models, "llama3.2:1b") is None


# ------------------------------------------------------------------------------------------
# NDJSONStream
# ------------------------------------------------------------------------------------------


def test_ndjson_lines_split_across_chunks():
    body = b'{"status":"pulling manifest"}\n{"status":"pulling abc","total":10,"completed":5}\n\n{"status":"success"}\n'
    stream = NDJSONStream()
    objects = []
    for index in range(len(body)):
        objects.extend(stream.feed(body[index:index + 1]))
    objects.extend(stream.close())
    assert [o["status"] for o in objects] == ["pulling manifest", "pulling abc", "success"]
    assert objects[1]["completed"] == 5


def test_ndjson_last_line_without_newline_is_parsed_on_close():
    stream = NDJSONStream()
    assert stream.feed(b'{"status":"a"}\n{"status":"b"}') == [{"status": "a"}]
    assert stream.pending
    assert stream.close() == [{"status": "b"}]
    assert not stream.pending


@pytest.mark.parametrize("line", [b"<html>bad gateway</html>\n", b"[1, 2]\n", b'"text"\n', b"\xff\xfe\n"])
def test_ndjson_garbage_lines_raise_protocol_errors(line):
    stream = NDJSONStream(source="http://x/api/pull")
    with pytest.raises(OllamaProtocolError) as error:
        stream.feed(b'{"status":"ok"}\n' + line)
    assert error.value.url == "http://x/api/pull"


def test_ndjson_error_object_raises_pull_error():
    stream = NDJSONStream()
    with pytest.raises(OllamaPullError, match="file does not exist"):
        stream.feed(b'{"status":"pulling manifest"}\n{"error":"pull model manifest: file does not exist"}\n')


def test_ndjson_refuses_endless_lines():
    stream = NDJSONStream()
    with pytest.raises(OllamaProtocolError, match="without a newline"):
        stream.feed(b"x" * (MIB + 1))


# ------------------------------------------------------------------------------------------
# OllamaClient: simple endpoints
# ------------------------------------------------------------------------------------------


def client(server, **kwargs):
    kwargs.setdefault("timeout", 5)
    return OllamaClient(server.url, **kwargs)


def test_version_tags_ps_show(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    ollama_server.loaded = [{"name": "qwen2.5:7b", "size": 6, "size_vram": 6, "context_length": 4096}]
    ollama_server.shows[ModelName.parse("qwen2.5:7b").key] = {"model_info": {"general.architecture": "qwen2"}}
    api = client(ollama_server)
    assert api.version() == "0.13.1"
    assert [m["name"] for m in api.tags()] == ["qwen2.5:7b"]
    assert api.ps()[0]["size_vram"] == 6
    assert api.show("Qwen2.5:7B")["model_info"]["general.architecture"] == "qwen2"
    assert ollama_server.requests_to("POST", "/api/show")[0].body == {"model": "Qwen2.5:7B"}
    assert api.find("qwen2.5:7b")["name"] == "qwen2.5:7b"
    assert api.find("qwen2.5:14b") is None


def test_headers_and_bearer_token_are_sent(ollama_server):
    client(ollama_server, headers={"X-Tenant": "lab"}, bearer_token="s3cret").tags()
    headers = ollama_server.requests[0].headers
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["X-Tenant"] == "lab"


def test_non_json_body_is_a_protocol_error_naming_the_url(ollama_server):
    ollama_server.overrides[("GET", "/api/tags")] = (200, b"<html>login required</html>")
    with pytest.raises(OllamaProtocolError) as error:
        client(ollama_server).tags()
    assert ollama_server.url + "/api/tags" in str(error.value)
    assert "not JSON" in str(error.value)


@pytest.mark.parametrize("body", [b'{"models": {"a": 1}}', b'{"models": ["a"]}', b"[]"])
def test_wrong_shape_is_a_protocol_error(ollama_server, body):
    ollama_server.overrides[("GET", "/api/tags")] = (200, body)
    with pytest.raises(OllamaProtocolError, match=ollama_server.url):
        client(ollama_server).tags()


def test_null_model_list_means_empty(ollama_server):
    ollama_server.overrides[("GET", "/api/ps")] = (200, b'{"models": null}')
    assert client(ollama_server).ps() == []


def test_version_without_version_field(ollama_server):
    ollama_server.overrides[("GET", "/api/version")] = (200, b'{"v": 1}')
    with pytest.raises(OllamaProtocolError, match="/api/version"):
        client(ollama_server).version()


def test_connection_refused_names_the_url_and_is_retried():
    url = closed_port_url()
    with no_backoff() as delays:
        with pytest.raises(OllamaConnectionError) as error:
            OllamaClient(url, timeout=2, retries=2).tags()
    assert url + "/api/tags" in str(error.value)
    assert "gave up after 3 attempts" in str(error.value)
    assert delays == [2.0, 4.0]


def test_server_errors_on_simple_calls_are_retried(ollama_server):
    ollama_server.overrides[("GET", "/api/tags")] = (503, b'{"error":"busy"}')
    with no_backoff():
        with pytest.raises(OllamaHTTPError) as error:
            client(ollama_server, retries=1).tags()
    assert error.value.status == 503
    assert "busy" in str(error.value)
    assert len(ollama_server.requests_to("GET", "/api/tags")) == 2


def test_delete_true_then_false_on_404(ollama_server):
    ollama_server.add_model("qwen2.5:7b")
    api = client(ollama_server)
    assert api.delete("qwen2.5:7b") is True
    assert api.delete("qwen2.5:7b") is False
    assert [r.body for r in ollama_server.requests_to("DELETE", "/api/delete")] == [{"model": "qwen2.5:7b"}] * 2


def test_delete_other_errors_name_model_and_url(ollama_server):
    ollama_server.overrides[("DELETE", "/api/delete")] = (400, b'{"error":"invalid model name"}')
    with pytest.raises(OllamaHTTPError) as error:
        client(ollama_server).delete("qwen2.5:7b")
    assert "qwen2.5:7b" in str(error.value) and ollama_server.url in str(error.value)
    assert len(ollama_server.requests) == 1


def test_invalid_settings_are_rejected():
    with pytest.raises(Exception, match="invalid URL"):
        OllamaClient("127.0.0.1:11434")
    with pytest.raises(Exception, match="timeout"):
        OllamaClient(timeout=0)
    with pytest.raises(Exception, match="retries"):
        OllamaClient(retries=-1)


# ------------------------------------------------------------------------------------------
# OllamaClient.pull
# ------------------------------------------------------------------------------------------


def test_pull_streams_and_summarises(ollama_server):
    entry = ollama_server.make_available("qwen2.5:7b")
    ollama_server.pull_replies = [PullReply(chunk_size=7)]  # NDJSON split over many HTTP chunks
    summary = client(ollama_server).pull("qwen2.5:7b")
    assert ollama_server.requests_to("POST", "/api/pull")[0].body == {"model": "qwen2.5:7b", "insecure": False, "stream": True}
    assert summary["status"] == "success"
    assert summary["attempts"] == 1
    assert summary["digest"] == entry["digest"]
    assert summary["size"] == entry["size"]
    assert summary["total"] == summary["completed"] == 4683073184
    assert summary["seconds"] >= 0


def test_pull_insecure_flag_is_sent(ollama_server):
    ollama_server.make_available("registry.lab:5000/team/coder:v1")
    client(ollama_server).pull("registry.lab:5000/team/coder:v1", insecure=True)
    assert ollama_server.requests_to("POST", "/api/pull")[0].body["insecure"] is True


def test_pull_unknown_model_fails_at_once(ollama_server):
    with no_backoff() as delays:
        with pytest.raises(OllamaPullError) as error:
            client(ollama_server).pull("qwen9:404b")
    message = str(error.value)
    assert "file does not exist" in message
    assert "qwen9:404b" in message
    assert ollama_server.url + "/api/pull" in message
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 1
    assert delays == []


def test_pull_error_line_mid_stream_is_not_retried(ollama_server):
    lines = [{"status": "pulling manifest"}, {"status": "pulling x", "digest": "sha256:1", "total": 9}, {"error": "disk full"}]
    ollama_server.pull_replies = [PullReply(lines=lines)]
    with no_backoff():
        with pytest.raises(OllamaPullError, match="disk full"):
            client(ollama_server).pull("qwen2.5:7b")
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 1


def test_pull_garbage_line_is_a_protocol_error(ollama_server):
    ollama_server.pull_replies = [PullReply(lines=[{"status": "pulling manifest"}, b"<html>proxy error</html>\n"])]
    with pytest.raises(OllamaProtocolError) as error:
        client(ollama_server).pull("qwen2.5:7b")
    assert "qwen2.5:7b" in str(error.value) and "proxy error" in str(error.value)


def test_pull_http_500_then_success(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    ollama_server.pull_replies = [PullReply(status=500)]
    with no_backoff() as delays:
        summary = client(ollama_server).pull("qwen2.5:7b")
    assert summary["attempts"] == 2
    assert delays == [2.0]
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 2


def test_pull_http_4xx_is_not_retried(ollama_server):
    ollama_server.pull_replies = [PullReply(status=400, body={"error": "invalid model name"})]
    with no_backoff():
        with pytest.raises(OllamaHTTPError) as error:
            client(ollama_server).pull("qwen2.5:7b")
    assert error.value.status == 400
    assert "invalid model name" in str(error.value)
    assert len(ollama_server.requests_to("POST", "/api/pull")) == 1


def test_pull_dropped_connection_resumes(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    partial = ollama_server.progress_lines(ollama_server.available[ModelName.parse("qwen2.5:7b").key])[:3]
    ollama_server.pull_replies = [PullReply(lines=partial, drop_after=3)]
    with no_backoff():
        summary = client(ollama_server).pull("qwen2.5:7b")
    assert summary["attempts"] == 2
    assert summary["status"] == "success"
    # A resumed pull is just the same POST again: Ollama continues from its partial blobs.
    bodies = [r.body for r in ollama_server.requests_to("POST", "/api/pull")]
    assert bodies == [bodies[0], bodies[0]]


def test_pull_stream_ending_without_success_is_retried(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    ollama_server.pull_replies = [PullReply(lines=[{"status": "pulling manifest"}])]
    with no_backoff():
        assert client(ollama_server).pull("qwen2.5:7b")["attempts"] == 2


def test_pull_stream_cut_mid_line_is_retried(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    ollama_server.pull_replies = [PullReply(lines=[{"status": "pulling manifest"}], raw=b'{"status":"pull')]
    with no_backoff():
        assert client(ollama_server).pull("qwen2.5:7b")["attempts"] == 2


def test_pull_stalled_stream_times_out_and_retries(ollama_server):
    ollama_server.make_available("qwen2.5:7b")
    ollama_server.pull_replies = [PullReply(lines=[{"status": "pulling manifest"}, {"status": "success"}], stall_after=1, stall_seconds=2.0)]
    with no_backoff():
        summary = client(ollama_server, timeout=0.4).pull("qwen2.5:7b")
    assert summary["attempts"] == 2
    assert summary["status"] == "success"


def test_pull_gives_up_after_retries(ollama_server):
    ollama_server.pull_replies = [PullReply(status=502)] * 3
    with no_backoff() as delays:
        with pytest.raises(OllamaHTTPError) as error:
            client(ollama_server, retries=2, backoff=0.5).pull("qwen2.5:7b")
    assert delays == [0.5, 1.0]
    assert "gave up after 3 attempts" in str(error.value)
    assert "qwen2.5:7b" in str(error.value)


def test_pull_connection_refused_names_model_and_url():
    url = closed_port_url()
    with no_backoff():
        with pytest.raises(OllamaConnectionError) as error:
            OllamaClient(url, retries=1).pull("qwen2.5:7b")
    assert "qwen2.5:7b" in str(error.value)
    assert url + "/api/pull" in str(error.value)


# ------------------------------------------------------------------------------------------
# RegistryClient
# ------------------------------------------------------------------------------------------


def test_registry_manifest_digest_is_the_sha256_of_the_body(registry_server, qwen_gguf):
    digest = registry_server.add_model("qwen2.5:7b", qwen_gguf)
    manifest = RegistryClient(registry_server.url).manifest("qwen2.5:7b")
    assert manifest["digest"] == digest
    assert manifest["url"] == registry_server.url + "/v2/library/qwen2.5/manifests/7b"
    request = registry_server.requests[0]
    assert request.headers["Accept"] == "application/vnd.docker.distribution.manifest.v2+json"


def test_registry_manifest_digest_as_ollama_stores_it(registry_server, qwen_gguf):
    served_compact = registry_server.add_model("qwen2.5:7b", qwen_gguf)
    path = "/v2/library/qwen2.5/manifests/7b"
    # The same manifest with whitespace and an extra field: Ollama re-encodes it when it stores it.
    body = json.loads(registry_server.manifests[path])
    body["annotations"] = {"org.example": "x"}
    registry_server.manifests[path] = json.dumps(body, indent=2).encode()
    manifest = RegistryClient(registry_server.url).manifest("qwen2.5:7b")
    assert manifest["digest"] == "sha256:" + hashlib.sha256(registry_server.manifests[path]).hexdigest()
    assert manifest["ollama_digest"] == served_compact != manifest["digest"]


def test_registry_metadata_reads_only_the_header(registry_server, qwen_gguf):
    projector = b"\0" * 1000
    digest = registry_server.add_model("qwen2.5vl:7b", qwen_gguf, projector_bytes=projector)
    meta = RegistryClient(registry_server.url).model_metadata("qwen2.5vl:7b")
    assert meta["architecture"] == "qwen2"
    assert (meta["block_count"], meta["head_count"], meta["head_count_kv"]) == (28, 28, 4)
    assert (meta["embedding_length"], meta["context_length"], meta["vocab_size"]) == (3584, 32768, 3000)
    assert meta["size_bytes"] == len(qwen_gguf) + len(projector)
    assert meta["digest"] == digest
    assert meta["source"] == "registry"
    assert registry_server.range_requests() == ["bytes=0-%d" % (MIB - 1)]
    assert registry_server.bytes_sent == meta["header_bytes_read"] == MIB < len(qwen_gguf)


def test_registry_metadata_grows_the_range_when_needed(registry_server, padded_gguf):
    registry_server.add_model("llama3.1:8b", padded_gguf)
    meta = RegistryClient(registry_server.url).model_metadata("llama3.1:8b")
    assert (meta["architecture"], meta["block_count"], meta["context_length"]) == ("llama", 32, 131072)
    ranges = registry_server.range_requests()
    assert len(ranges) == 2
    assert ranges[0] == "bytes=0-%d" % (MIB - 1)
    second_end = int(ranges[1].rsplit("-", 1)[1])
    assert MIB < second_end + 1 < len(padded_gguf)
    assert registry_server.bytes_sent < len(padded_gguf)


def test_registry_without_range_support_is_read_only_partly(registry_server, qwen_gguf):
    registry_server.ignore_range = True
    registry_server.add_model("qwen2.5:7b", qwen_gguf)
    meta = RegistryClient(registry_server.url).model_metadata("qwen2.5:7b")
    assert meta["block_count"] == 28
    assert meta["header_bytes_read"] == MIB


def test_registry_unknown_model(registry_server):
    with pytest.raises(OllamaHTTPError) as error:
        RegistryClient(registry_server.url).model_metadata("qwen9:404b")
    assert str(error.value).startswith("model qwen9:404b not found in registry %s" % registry_server.url)
    assert error.value.status == 404


def test_registry_blob_that_is_not_gguf(registry_server):
    registry_server.add_model("broken:1b", b"PK\x03\x04 this is a zip file" * 10)
    with pytest.raises(OllamaProtocolError) as error:
        RegistryClient(registry_server.url).model_metadata("broken:1b")
    assert "broken:1b" in str(error.value) and registry_server.url in str(error.value)


def test_registry_manifest_without_model_layer(registry_server):
    raw = json.dumps({"schemaVersion": 2, "layers": []}).encode()
    registry_server.manifests["/v2/library/empty/manifests/latest"] = raw
    with pytest.raises(OllamaProtocolError, match="has no layer of type application/vnd.ollama.image.model"):
        RegistryClient(registry_server.url).model_metadata("empty")
    assert hashlib.sha256(raw).hexdigest()  # the manifest itself was fine


def test_registry_url_defaults_to_the_model_host():
    assert RegistryClient().base_for(ModelName.parse("qwen2.5")) == "https://registry.ollama.ai"
    assert RegistryClient(insecure=True).base_for(ModelName.parse("lab:5000/a/b")) == "http://lab:5000"
    assert RegistryClient("http://mirror:8080/").base_for(ModelName.parse("qwen2.5")) == "http://mirror:8080"


# ------------------------------------------------------------------------------------------
# Argument spec
# ------------------------------------------------------------------------------------------


def test_common_args_and_client_from_params():
    assert set(OLLAMA_COMMON_ARGS) == {"url", "headers", "bearer_token", "timeout", "validate_certs", "retries"}
    assert OLLAMA_COMMON_ARGS["bearer_token"]["no_log"] is True
    spec = ollama_argument_spec(name=dict(type="str"))
    spec["headers"]["default"]["x"] = 1
    assert OLLAMA_COMMON_ARGS["headers"]["default"] == {}
    params = {key: value.get("default") for key, value in OLLAMA_COMMON_ARGS.items()}
    api = client_from_params(params)
    assert api.url == "http://127.0.0.1:11434" and api.retries == 3
