# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ollama test doubles (tests/doubles/) against each other, over real HTTP on 127.0.0.1.

The registry fixtures are built with the venv (gguf package); the registry double and the
Ollama server double then run as ``python -I -S`` subprocesses, i.e. with the standard library
only, and the server double is started from the release archive that
build_ollama_archive.py makes, as ``bin/ollama serve``. Checks use plain urllib.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

DOUBLES = Path(__file__).resolve().parents[1] / "doubles"
VERSION = "0.12.6"
TIMEOUT = 15
NODE = "node-a"


# -- helpers -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method: str, url: str, body=None, headers=None, timeout: float = TIMEOUT):
    """(status, headers, body bytes) of one request; HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def call_json(method: str, url: str, body=None, **kwargs):
    status, _headers, raw = call(method, url, body, **kwargs)
    return status, (json.loads(raw) if raw else None)


def pull(base: str, model: str, timeout: float = TIMEOUT, **extra) -> tuple[list[dict], Exception | None]:
    """The NDJSON lines of a streamed pull, and the exception that cut the stream, if any."""
    req = urllib.request.Request(
        f"{base}/api/pull", data=json.dumps({"model": model, **extra}).encode(), method="POST"
    )
    lines: list[dict] = []
    pending = b""
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/x-ndjson"
        # read1(), not line iteration: http.client's readline() ends quietly on a chunked
        # body cut short, read1() raises IncompleteRead.
        try:
            while True:
                data = resp.read1(65536)
                if not data:
                    break
                pending += data
                *complete, pending = pending.split(b"\n")
                lines.extend(json.loads(line) for line in complete if line.strip())
        except (http.client.IncompleteRead, ConnectionError, socket.timeout, TimeoutError) as exc:
            return lines, exc
    assert not pending.strip(), f"unterminated line {pending!r}"
    return lines, None


def ndjson(raw: bytes) -> list[dict]:
    assert raw.endswith(b"\n"), raw[-80:]
    return [json.loads(line) for line in raw.split(b"\n") if line.strip()]


def sse_events(raw: bytes) -> list[str]:
    """The data: payloads of a server-sent event stream, in order."""
    text = raw.decode()
    assert text.endswith("\n\n"), text[-80:]
    events = [event for event in text.split("\n\n") if event]
    assert all(event.startswith("data: ") and "\n" not in event for event in events), events
    return [event[len("data: ") :] for event in events]


def ensure_pulled(base: str, model: str) -> None:
    """Tests share one server; this lets a test run alone (pytest -k) too."""
    lines, broken = pull(base, model)
    assert broken is None and lines[-1] == {"status": "success"}, lines


def wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url}: process exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{url} did not come up:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fixtures_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("registry-fixtures")
    result = subprocess.run(
        [sys.executable, str(DOUBLES / "build_registry_fixtures.py"), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"build_registry_fixtures.py failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="module")
def catalog(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "catalog.json").read_text())


@contextlib.contextmanager
def running_double(argv, port, health_path, log_dir, env=None):
    """Start a double on 127.0.0.1:port, yield its base URL once it answers, stop it after."""
    log = log_dir / "double.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-I", "-S", *argv], env=env, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}{health_path}", proc, log)
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def registry(fixtures_dir, tmp_path_factory):
    port = free_port()
    argv = [str(DOUBLES / "ollama_registry.py"), "--listen", f"127.0.0.1:{port}", "--fixtures", str(fixtures_dir)]
    with running_double(argv, port, "/v2/", tmp_path_factory.mktemp("registry-log")) as base:
        yield base


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(DOUBLES / "build_ollama_archive.py"), "--output-dir", str(out), "--arch", "amd64"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    path_line, checksum_line = result.stdout.strip().splitlines()
    archive = Path(path_line)
    assert archive.name == "ollama-linux-amd64.tgz"
    assert checksum_line == "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    root = out / "root"
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(root, filter="data")
        else:  # Python before 3.11.4
            tar.extractall(root)  # noqa: S202 - our own archive
    return root


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ollama-models")


@pytest.fixture(scope="module")
def server(archive_dir, registry, models_dir, tmp_path_factory):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(models_dir.parent),
        "OLLAMA_HOST": f"http://127.0.0.1:{port}",
        "OLLAMA_MODELS": str(models_dir),
        "OLLAMA_DOUBLE_REGISTRY": registry,
        "OLLAMA_DOUBLE_FAULTS": json.dumps({"fail_status_once": {"llama3.1:8b": 503}}),
        "OLLAMA_DOUBLE_NODE": NODE,
    }
    argv = [str(archive_dir / "bin" / "ollama"), "serve"]
    with running_double(argv, port, "/", tmp_path_factory.mktemp("ollama-log"), env=env) as base:
        yield base


# -- the Ollama server double -------------------------------------------------------------------
def test_archive_layout_and_version(archive_dir):
    binary = archive_dir / "bin" / "ollama"
    assert binary.stat().st_mode & 0o777 == 0o755
    assert binary.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    assert (archive_dir / "lib" / "ollama" / "README").is_file()
    first_doc_line = binary.read_text().split('"""', 2)[1].splitlines()[0]
    assert first_doc_line.startswith("Test double of the Ollama server")
    for argv in ([sys.executable, "-I", "-S", str(binary), "--version"], [sys.executable, "-I", "-S", str(binary), "-v"]):
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True).stdout
        assert out == f"ollama version is {VERSION}\n"
    python3 = shutil.which("python3")
    if python3:  # through the shebang, as the role runs it
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
        assert out == f"ollama version is {VERSION}\n"


def test_root_version_and_unknown_path(server):
    status, headers, body = call("GET", f"{server}/")
    assert (status, body) == (200, b"Ollama is running")
    status, _headers, body = call("HEAD", f"{server}/")
    assert (status, body) == (200, b"")
    assert call_json("GET", f"{server}/api/version") == (200, {"version": VERSION})
    status, _headers, body = call("GET", f"{server}/api/nothing")
    assert (status, body) == (404, b"404 page not found")


def test_pull_qwen_lists_it_with_a_sparse_blob(server, catalog, models_dir):
    assert call_json("GET", f"{server}/api/tags") == (200, {"models": []})
    assert call_json("GET", f"{server}/api/ps") == (200, {"models": []})

    entry = catalog["qwen2.5:7b"]
    lines, broken = pull(server, "qwen2.5:7b")
    assert broken is None
    statuses = [line.get("status") for line in lines]
    assert statuses[0] == "pulling manifest"
    assert statuses[-3:] == ["verifying sha256 digest", "writing manifest", "success"]
    assert not any("error" in line for line in lines)
    model_digest = entry["model_digest"]
    progress = [line for line in lines if line.get("digest") == model_digest]
    assert len(progress) >= 3
    assert all(line["status"] == f"pulling {model_digest[7:19]}" for line in progress)
    assert all(line["total"] == entry["model_size"] == 4683073952 for line in progress)
    assert [line["completed"] for line in progress] == sorted(line["completed"] for line in progress)
    assert progress[-1]["completed"] == entry["model_size"]
    pulled_layers = {line["digest"] for line in lines if "digest" in line}
    assert pulled_layers == {desc["digest"] for desc in entry["layers"].values()} | {entry["config_digest"]}

    blob = models_dir / "blobs" / ("sha256-" + model_digest[7:])
    info = blob.stat()
    assert info.st_size == entry["model_size"]
    assert info.st_blocks * 512 < 64 * 1024 * 1024, "the model blob should be sparse"
    with open(blob, "rb") as fh:
        assert fh.read(4) == b"GGUF"
    manifest = models_dir / "manifests" / "registry.ollama.ai" / "library" / "qwen2.5" / "7b"
    assert "sha256:" + hashlib.sha256(manifest.read_bytes()).hexdigest() == entry["manifest_digest"]

    status, tags = call_json("GET", f"{server}/api/tags")
    assert status == 200
    [model] = tags["models"]
    assert model["name"] == model["model"] == "qwen2.5:7b"
    assert model["digest"] == entry["manifest_digest"][7:]
    assert model["size"] == entry["total_size"]
    assert model["details"] == {
        "parent_model": "",
        "format": "gguf",
        "family": "qwen2",
        "families": ["qwen2"],
        "parameter_size": "7.6B",
        "quantization_level": "Q4_K_M",
    }
    assert "modified_at" in model


def test_show_reads_the_gguf_header(server):
    ensure_pulled(server, "qwen2.5:7b")
    status, show = call_json("POST", f"{server}/api/show", {"model": "qwen2.5:7b"})
    assert status == 200, show
    info = show["model_info"]
    assert info["general.architecture"] == "qwen2"
    assert info["qwen2.block_count"] == 28
    assert info["qwen2.attention.head_count"] == 28
    assert info["qwen2.attention.head_count_kv"] == 4
    assert info["qwen2.embedding_length"] == 3584
    assert info["qwen2.context_length"] == 32768
    assert info["tokenizer.ggml.tokens"] == []
    assert show["details"]["family"] == "qwen2"
    assert "tools" in show["capabilities"] and "completion" in show["capabilities"]
    assert "projector_info" not in show
    assert show["modelfile"].startswith('# Modelfile generated by "ollama show"')
    assert 'stop                           "<|im_end|>"' in show["parameters"]

    status, verbose = call_json("POST", f"{server}/api/show", {"name": "qwen2.5:7b", "verbose": True})
    assert status == 200
    assert len(verbose["model_info"]["tokenizer.ggml.tokens"]) == 152064

    status, error = call_json("POST", f"{server}/api/show", {"model": "nope:1b"})
    assert (status, error) == (404, {"error": "model 'nope:1b' not found"})


def test_projector_model(server):
    lines, broken = pull(server, "granite3.2-vision")
    assert broken is None and lines[-1] == {"status": "success"}
    status, show = call_json("POST", f"{server}/api/show", {"model": "granite3.2-vision:latest"})
    assert status == 200
    assert show["model_info"]["granite.block_count"] == 40
    assert show["projector_info"]["general.architecture"] == "clip"
    assert show["projector_info"]["clip.vision.block_count"] == 27
    assert "vision" in show["capabilities"]


def test_pull_unknown_model(server):
    lines, broken = pull(server, "nope:1b")
    assert broken is None
    assert lines[0] == {"status": "pulling manifest"}
    assert lines[-1] == {"error": "pull model manifest: file does not exist"}
    status, body = call_json("POST", f"{server}/api/pull", {"model": "nope:1b", "stream": False})
    assert (status, body) == (500, {"error": "pull model manifest: file does not exist"})


def test_drop_once_then_resume(server, catalog, models_dir):
    entry = catalog["fc-tiny:1m"]
    size = entry["model_size"]
    status, faults = call_json("POST", f"{server}/_double/faults", {"drop_once": ["fc-tiny:1m"]})
    assert status == 200 and faults["drop_once"] == ["registry.ollama.ai/library/fc-tiny:1m"]

    lines, broken = pull(server, "fc-tiny:1m")
    assert broken is not None, f"the stream should have been cut, got {lines}"
    assert lines and lines[-1]["completed"] == size // 2
    assert not any(line.get("status") == "success" for line in lines)
    partial = models_dir / "blobs" / ("sha256-" + entry["model_digest"][7:] + "-partial")
    assert partial.stat().st_size == size // 2

    lines, broken = pull(server, "fc-tiny:1m")
    assert broken is None and lines[-1] == {"status": "success"}
    model_lines = [line for line in lines if line.get("digest") == entry["model_digest"]]
    assert model_lines[0]["completed"] == size // 2 > 0
    assert not partial.exists()
    assert (models_dir / "blobs" / ("sha256-" + entry["model_digest"][7:])).stat().st_size == size

    stats = call_json("GET", f"{server}/_double/stats")[1]
    assert stats["pulls"]["fc-tiny:1m"] == 2
    assert {"method": "POST", "path": "/api/pull", "model": "fc-tiny:1m"} in stats["requests"]


def test_stall_once(server, catalog):
    call_json("POST", f"{server}/_double/faults", {"stall_once": ["nomic-embed-text"], "stall_seconds": 6})
    lines, broken = pull(server, "nomic-embed-text", timeout=0.7)
    assert isinstance(broken, (socket.timeout, TimeoutError)), (lines, broken)
    entry = catalog["nomic-embed-text:latest"]
    assert lines[-1]["completed"] == entry["model_size"] // 2
    # the retry is not held up by the stalled connection and resumes from the partial blob
    started = time.monotonic()
    lines, broken = pull(server, "nomic-embed-text:latest")
    assert broken is None and lines[-1] == {"status": "success"}
    assert time.monotonic() - started < 5
    model_lines = [line for line in lines if line.get("digest") == entry["model_digest"]]
    assert model_lines[0]["completed"] == entry["model_size"] // 2
    status, show = call_json("POST", f"{server}/api/show", {"model": "nomic-embed-text"})
    assert show["capabilities"] == ["embedding"]


def test_fail_status_once_from_the_environment(server):
    status, faults = call_json("GET", f"{server}/_double/faults")
    assert faults["fail_status_once"] == {"registry.ollama.ai/library/llama3.1:8b": 503}
    status, body = call_json("POST", f"{server}/api/pull", {"model": "llama3.1:8b"})
    assert status == 503 and "error" in body
    lines, broken = pull(server, "llama3.1:8b")
    assert broken is None and lines[-1] == {"status": "success"}


def test_load_and_unload(server):
    ensure_pulled(server, "qwen2.5:7b")
    status, body = call_json("POST", f"{server}/api/generate", {"model": "qwen2.5:7b"})
    assert status == 200 and body["done_reason"] == "load"
    status, ps = call_json("GET", f"{server}/api/ps")
    assert [m["name"] for m in ps["models"]] == ["qwen2.5:7b"]
    assert ps["models"][0]["size_vram"] > 0 and "expires_at" in ps["models"][0]
    status, body = call_json("POST", f"{server}/api/generate", {"model": "qwen2.5:7b", "keep_alive": 0})
    assert body["done_reason"] == "unload"
    assert call_json("GET", f"{server}/api/ps") == (200, {"models": []})
    status, body = call_json("POST", f"{server}/api/chat", {"model": "qwen2.5:7b", "messages": []})
    assert status == 200 and body["done_reason"] == "load" and body["message"] == {"role": "assistant", "content": ""}
    status, body = call_json("POST", f"{server}/api/chat", {"model": "qwen2.5:7b", "messages": [], "keep_alive": 0})
    assert status == 200 and body["done_reason"] == "unload"
    assert call_json("GET", f"{server}/api/ps") == (200, {"models": []})
    # a prompt now gets text (no more HTTP 501), and loads the model as Ollama does
    status, body = call_json("POST", f"{server}/api/generate", {"model": "qwen2.5:7b", "prompt": "hi", "stream": False})
    assert status == 200 and body["response"] == f"[{NODE}] echo: hi"
    assert [m["name"] for m in call_json("GET", f"{server}/api/ps")[1]["models"]] == ["qwen2.5:7b"]
    call_json("POST", f"{server}/api/generate", {"model": "qwen2.5:7b", "keep_alive": 0})


# -- generated text, embeddings, the OpenAI-compatible routes --------------------------------------
DURATIONS = ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")


def assert_metrics(body: dict, prompt_words: int, reply_words: int) -> None:
    assert body["prompt_eval_count"] == prompt_words
    assert body["eval_count"] == reply_words
    for key in DURATIONS:
        assert isinstance(body[key], int) and body[key] > 0, (key, body)
    assert body["total_duration"] >= body["load_duration"] + body["prompt_eval_duration"] + body["eval_duration"]
    assert body["total_duration"] < 10**10  # "small plausible numbers", in nanoseconds


def test_chat_reply_names_the_node_and_counts_words(server):
    ensure_pulled(server, "qwen2.5:7b")
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "first question here"},
        {"role": "assistant", "content": "an earlier answer"},
        {"role": "user", "content": "  what   is\nthe answer "},
    ]
    status, body = call_json("POST", f"{server}/api/chat", {"model": "qwen2.5:7b", "messages": messages, "stream": False})
    assert status == 200, body
    assert body["model"] == "qwen2.5:7b"
    assert body["message"] == {"role": "assistant", "content": f"[{NODE}] echo: what is the answer"}
    assert body["done"] is True and body["done_reason"] == "stop"
    assert body["created_at"].endswith("Z")
    assert_metrics(body, prompt_words=3 + 3 + 3 + 4, reply_words=5)
    # deterministic: the same request gives the same text and counts
    again = call_json("POST", f"{server}/api/chat", {"model": "qwen2.5:7b", "messages": messages, "stream": False})[1]
    assert again["message"] == body["message"]
    assert (again["prompt_eval_count"], again["eval_count"]) == (body["prompt_eval_count"], body["eval_count"])


def test_generate_reply_num_predict_and_the_32_word_cut(server):
    ensure_pulled(server, "qwen2.5:7b")
    words = [f"w{i}" for i in range(40)]
    status, body = call_json(
        "POST", f"{server}/api/generate", {"model": "qwen2.5:7b", "prompt": " ".join(words), "stream": False}
    )
    assert status == 200, body
    assert body["response"] == f"[{NODE}] echo: " + " ".join(words[:32])
    assert body["done_reason"] == "stop"
    assert_metrics(body, prompt_words=40, reply_words=33)
    assert "message" not in body

    status, body = call_json(
        "POST",
        f"{server}/api/generate",
        {"model": "qwen2.5:7b", "prompt": "one two three four", "system": "be brief", "options": {"num_predict": 3}, "stream": False},
    )
    assert status == 200, body
    assert body["response"] == f"[{NODE}] echo: one two"
    assert body["done_reason"] == "length"
    assert_metrics(body, prompt_words=4 + 2, reply_words=3)

    # whitespace only is still a prompt: the reply is just the tag, the prompt counts as 1
    status, body = call_json("POST", f"{server}/api/generate", {"model": "qwen2.5:7b", "prompt": "   ", "stream": False})
    assert status == 200 and body["response"] == f"[{NODE}] echo:"
    assert_metrics(body, prompt_words=1, reply_words=1)


def test_streaming_is_the_default_one_chunk_per_word(server):
    ensure_pulled(server, "qwen2.5:7b")
    for path, key in (("/api/chat", "message"), ("/api/generate", "response")):
        body = {"model": "qwen2.5:7b"}
        if key == "message":
            body["messages"] = [{"role": "user", "content": "stream these three"}]
        else:
            body["prompt"] = "stream these three"
        status, headers, raw = call("POST", f"{server}{path}", body)
        assert status == 200
        assert headers["Content-Type"] == "application/x-ndjson"
        chunks = ndjson(raw)
        *parts, last = chunks
        assert len(parts) == 4  # "[node] echo:", " stream", " these", " three"
        assert all(chunk["done"] is False and chunk["model"] == "qwen2.5:7b" for chunk in parts)
        if key == "message":
            assert all(chunk["message"]["role"] == "assistant" for chunk in chunks)
            texts = [chunk["message"]["content"] for chunk in parts]
            assert last["message"] == {"role": "assistant", "content": ""}
        else:
            texts = [chunk["response"] for chunk in parts]
            assert last["response"] == ""
        assert texts[0] == f"[{NODE}] echo:"
        assert "".join(texts) == f"[{NODE}] echo: stream these three"
        assert last["done"] is True and last["done_reason"] == "stop"
        assert_metrics(last, prompt_words=3, reply_words=4)
        assert all("eval_count" not in chunk for chunk in parts)


def test_generation_needs_a_pulled_model(server):
    expected = 'model "nope:1b" not found, try pulling it first'
    for path, body in (
        ("/api/chat", {"messages": [{"role": "user", "content": "hi"}]}),
        ("/api/chat", {"messages": [{"role": "user", "content": "hi"}], "stream": False}),
        ("/api/generate", {"prompt": "hi"}),
        ("/api/embed", {"input": ["hi"]}),
        ("/api/embeddings", {"prompt": "hi"}),
    ):
        assert call_json("POST", f"{server}{path}", {"model": "nope:1b", **body}) == (404, {"error": expected}), path
    for path, body in (("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}]}), ("/v1/embeddings", {"input": "hi"})):
        status, error = call_json("POST", f"{server}{path}", {"model": "nope:1b", **body})
        assert (status, error) == (404, {"error": {"message": expected, "type": "not_found_error", "param": None, "code": None}})
    status, error = call_json("POST", f"{server}/api/chat", {"messages": [{"role": "user", "content": "hi"}]})
    assert (status, error) == (400, {"error": "model is required"})


def test_litellm_style_requests(server):
    """What LiteLLM sends: ollama_chat -> POST /api/chat, stream false, options; reads
    message.content, prompt_eval_count, eval_count. Embeddings (provider ollama) -> POST
    /api/embed with a list input; reads embeddings."""
    ensure_pulled(server, "qwen2.5:7b")
    ensure_pulled(server, "nomic-embed-text")
    request = {
        "model": "qwen2.5:7b",
        "messages": [{"role": "user", "content": "Say hello to the gateway"}],
        "options": {"temperature": 0.2, "num_predict": 256, "top_p": 0.9},
        "stream": False,
    }
    status, headers, raw = call("POST", f"{server}/api/chat", request, headers={"Content-Type": "application/json"})
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    body = json.loads(raw)
    assert body["message"]["content"] == f"[{NODE}] echo: Say hello to the gateway"
    assert (body["prompt_eval_count"], body["eval_count"]) == (5, 6)

    request = {"model": "nomic-embed-text", "input": ["first text", "second text"], "options": {}}
    status, body = call_json("POST", f"{server}/api/embed", request)
    assert status == 200, body
    assert body["model"] == "nomic-embed-text"
    vectors = body["embeddings"]
    assert len(vectors) == 2 and all(len(vector) == 8 for vector in vectors)
    assert all(isinstance(value, float) for vector in vectors for value in vector)
    assert all(abs(sum(v * v for v in vector) - 1.0) < 1e-5 for vector in vectors)
    assert vectors[0] != vectors[1]
    assert body["prompt_eval_count"] == 4
    assert body["total_duration"] >= body["load_duration"] > 0
    # the same text gives the same vector, alone or in a list, in /api/embeddings as well
    status, single = call_json("POST", f"{server}/api/embed", {"model": "nomic-embed-text:latest", "input": "first text"})
    assert status == 200 and single["embeddings"] == [vectors[0]]
    status, old = call_json("POST", f"{server}/api/embeddings", {"model": "nomic-embed-text", "prompt": "first text"})
    assert (status, old) == (200, {"embedding": vectors[0]})
    # another model, another vector; dimensions shortens (and renormalizes)
    other = call_json("POST", f"{server}/api/embed", {"model": "qwen2.5:7b", "input": "first text"})[1]
    assert len(other["embeddings"][0]) == 8 and other["embeddings"][0] != vectors[0]
    short = call_json("POST", f"{server}/api/embed", {"model": "nomic-embed-text", "input": "first text", "dimensions": 4})[1]
    assert len(short["embeddings"][0]) == 4 and abs(sum(v * v for v in short["embeddings"][0]) - 1.0) < 1e-5
    # empty input / prompt only loads the model; a wrong input type is refused
    assert call_json("POST", f"{server}/api/embed", {"model": "nomic-embed-text"}) == (200, {"model": "nomic-embed-text", "embeddings": []})
    assert call_json("POST", f"{server}/api/embeddings", {"model": "nomic-embed-text"}) == (200, {"embedding": []})
    assert call_json("POST", f"{server}/api/embed", {"model": "nomic-embed-text", "input": [1, 2]}) == (400, {"error": "invalid input type"})


def test_openai_chat_completion(server):
    ensure_pulled(server, "qwen2.5:7b")
    request = {
        "model": "qwen2.5:7b",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "text", "text": "from openai"}]},
        ],
    }
    status, body = call_json("POST", f"{server}/v1/chat/completions", request)
    assert status == 200, body
    assert body["id"].startswith("chatcmpl-")
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int) and abs(body["created"] - time.time()) < 60
    assert body["model"] == "qwen2.5:7b" and body["system_fingerprint"] == "fp_ollama"
    assert body["choices"] == [
        {"index": 0, "message": {"role": "assistant", "content": f"[{NODE}] echo: hello from openai"}, "finish_reason": "stop"}
    ]
    assert body["usage"] == {"prompt_tokens": 3 + 3, "completion_tokens": 4, "total_tokens": 10}

    status, body = call_json("POST", f"{server}/v1/chat/completions", {**request, "max_tokens": 2})
    assert status == 200
    assert body["choices"][0]["message"]["content"] == f"[{NODE}] echo: hello"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 2

    status, _headers, raw = call("POST", f"{server}/v1/chat/completions", None, headers={"Content-Type": "application/json"})
    error = json.loads(raw)["error"]
    assert status == 400 and error["type"] == "invalid_request_error" and error["message"]


def test_openai_chat_streaming_sse(server):
    ensure_pulled(server, "qwen2.5:7b")
    request = {"model": "qwen2.5:7b", "messages": [{"role": "user", "content": "stream me please"}], "stream": True}
    for include_usage in (False, True):
        body = {**request, "stream_options": {"include_usage": True}} if include_usage else request
        status, headers, raw = call("POST", f"{server}/v1/chat/completions", body)
        assert status == 200
        assert headers["Content-Type"] == "text/event-stream"
        events = sse_events(raw)
        assert events[-1] == "[DONE]"
        chunks = [json.loads(event) for event in events[:-1]]
        assert len({chunk["id"] for chunk in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")
        assert all(chunk["object"] == "chat.completion.chunk" and chunk["model"] == "qwen2.5:7b" for chunk in chunks)
        if include_usage:
            *chunks, usage = chunks
            assert usage["choices"] == []
            assert usage["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
        else:
            assert all("usage" not in chunk for chunk in chunks)
        *words, last = chunks
        assert len(words) == 4
        assert all(chunk["choices"][0]["finish_reason"] is None for chunk in words)
        assert all(chunk["choices"][0]["delta"]["role"] == "assistant" for chunk in chunks)
        assert "".join(chunk["choices"][0]["delta"]["content"] for chunk in words) == f"[{NODE}] echo: stream me please"
        assert last["choices"][0]["delta"]["content"] == "" and last["choices"][0]["finish_reason"] == "stop"


def test_openai_models_and_embeddings(server, models_dir):
    ensure_pulled(server, "qwen2.5:7b")
    ensure_pulled(server, "nomic-embed-text")
    status, listing = call_json("GET", f"{server}/v1/models")
    assert status == 200 and listing["object"] == "list"
    ids = [model["id"] for model in listing["data"]]
    assert {"qwen2.5:7b", "nomic-embed-text:latest"} <= set(ids)
    assert ids == [m["name"] for m in call_json("GET", f"{server}/api/tags")[1]["models"]]
    qwen = next(model for model in listing["data"] if model["id"] == "qwen2.5:7b")
    assert qwen["object"] == "model" and qwen["owned_by"] == "library" and isinstance(qwen["created"], int)
    assert call_json("GET", f"{server}/v1/models/qwen2.5:7b") == (200, qwen)
    status, error = call_json("GET", f"{server}/v1/models/nope:1b")
    assert status == 404 and error["error"]["type"] == "not_found_error"

    status, body = call_json("POST", f"{server}/v1/embeddings", {"model": "nomic-embed-text", "input": ["first text", "more words here"]})
    assert status == 200, body
    assert body["object"] == "list" and body["model"] == "nomic-embed-text"
    assert [item["index"] for item in body["data"]] == [0, 1]
    assert all(item["object"] == "embedding" and len(item["embedding"]) == 8 for item in body["data"])
    assert body["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    native = call_json("POST", f"{server}/api/embed", {"model": "nomic-embed-text", "input": "first text"})[1]
    assert body["data"][0]["embedding"] == native["embeddings"][0]
    status, encoded = call_json("POST", f"{server}/v1/embeddings", {"model": "nomic-embed-text", "input": "first text", "encoding_format": "base64"})
    assert status == 200
    floats = struct.unpack("<8f", base64.b64decode(encoded["data"][0]["embedding"]))
    assert all(abs(a - b) < 1e-6 for a, b in zip(floats, native["embeddings"][0]))


def test_stats_count_what_the_node_served(server):
    ensure_pulled(server, "qwen2.5:7b")
    assert call("DELETE", f"{server}/_double/stats")[0] == 200
    chat = {"model": "qwen2.5:7b", "messages": [{"role": "user", "content": "count me"}], "stream": False}
    for _attempt in range(3):
        assert call_json("POST", f"{server}/api/chat", chat)[0] == 200
    assert call_json("POST", f"{server}/v1/chat/completions", chat)[0] == 200
    assert call_json("POST", f"{server}/api/embed", {"model": "qwen2.5:7b", "input": "x"})[0] == 200
    stats = call_json("GET", f"{server}/_double/stats")[1]
    assert stats["node"] == NODE
    assert stats["requests"] == [
        *[{"method": "POST", "path": "/api/chat", "model": "qwen2.5:7b"}] * 3,
        {"method": "POST", "path": "/v1/chat/completions", "model": "qwen2.5:7b"},
        {"method": "POST", "path": "/api/embed", "model": "qwen2.5:7b"},
    ]


def test_latency_knob_and_default_node_name(archive_dir, models_dir, server, tmp_path):
    ensure_pulled(server, "qwen2.5:7b")  # models_dir is shared: the second server sees the model
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(models_dir.parent),
        "OLLAMA_HOST": f"127.0.0.1:{port}",
        "OLLAMA_MODELS": str(models_dir),
        "OLLAMA_DOUBLE_LATENCY_MS": "400",
    }
    argv = [str(archive_dir / "bin" / "ollama"), "serve"]
    with running_double(argv, port, "/", tmp_path, env=env) as slow:
        chat = {"model": "qwen2.5:7b", "messages": [{"role": "user", "content": "slowly"}], "stream": False}
        started = time.monotonic()
        status, body = call_json("POST", f"{slow}/api/chat", chat)
        elapsed = time.monotonic() - started
        assert status == 200 and elapsed >= 0.4
        assert body["total_duration"] >= 400_000_000
        assert body["message"]["content"] == f"[{socket.gethostname()}] echo: slowly"
        assert call_json("GET", f"{slow}/_double/stats")[1]["node"] == socket.gethostname()
        started = time.monotonic()
        assert call_json("GET", f"{slow}/api/tags")[0] == 200
        assert time.monotonic() - started < 0.4, "only generations and embeddings wait"
    result = subprocess.run(
        [sys.executable, "-I", "-S", *argv],
        env={**env, "OLLAMA_DOUBLE_LATENCY_MS": "soon"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1 and "OLLAMA_DOUBLE_LATENCY_MS is not valid" in result.stderr


def test_delete(server, catalog, models_dir):
    ensure_pulled(server, "fc-tiny:1m")
    blob = models_dir / "blobs" / ("sha256-" + catalog["fc-tiny:1m"]["model_digest"][7:])
    assert blob.exists()
    status, _headers, body = call("DELETE", f"{server}/api/delete", {"model": "fc-tiny:1m"})
    assert (status, body) == (200, b"")
    assert not blob.exists()
    assert "fc-tiny:1m" not in [m["name"] for m in call_json("GET", f"{server}/api/tags")[1]["models"]]
    status, body = call_json("DELETE", f"{server}/api/delete", {"model": "fc-tiny:1m"})
    assert (status, body) == (404, {"error": "model 'fc-tiny:1m' not found"})


def test_pull_from_another_host_insecure(server, registry):
    name = f"{registry.removeprefix('http://')}/library/fc-tiny:1m"
    lines, broken = pull(server, name, insecure=True)
    assert broken is None and lines[-1] == {"status": "success"}, lines
    names = [m["name"] for m in call_json("GET", f"{server}/api/tags")[1]["models"]]
    assert name in names


# -- the registry double ------------------------------------------------------------------------
def test_registry_range_request(registry, catalog):
    entry = catalog["qwen2.5:7b"]
    url = f"{registry}/v2/library/qwen2.5/blobs/{entry['model_digest']}"
    call("DELETE", f"{registry}/_double/stats")
    status, headers, body = call("GET", url, headers={"Range": "bytes=0-99"})
    assert status == 206
    assert len(body) == 100 and body.startswith(b"GGUF")
    assert headers["Content-Range"] == f"bytes 0-99/{entry['model_size']}"
    assert headers["Docker-Content-Digest"] == entry["model_digest"]
    status, headers, body = call("GET", url, headers={"Range": "bytes=4000000000-4000000009"})
    assert (status, body) == (206, bytes(10))
    status, headers, _body = call("HEAD", url)
    assert status == 200 and int(headers["Content-Length"]) == entry["model_size"]
    assert int(headers["X-Double-Header-Length"]) == entry["header_length"]
    status, _headers, _body = call("GET", url, headers={"Range": f"bytes={entry['model_size']}-"})
    assert status == 416
    requests = call_json("GET", f"{registry}/_double/stats")[1]["requests"]
    # recorded when each response ends, so the order of back-to-back requests can vary
    assert {(r["range"], r["bytes"]) for r in requests[:2]} == {("bytes=0-99", 100), ("bytes=4000000000-4000000009", 10)}

    status, _headers, body = call("GET", f"{registry}/v2/library/qwen2.5/blobs/sha256:{'0' * 64}")
    assert status == 404 and json.loads(body)["errors"][0]["code"] == "BLOB_UNKNOWN"


def test_registry_manifests(registry, catalog):
    entry = catalog["qwen2.5:7b"]
    status, headers, body = call("GET", f"{registry}/v2/library/qwen2.5/manifests/7b")
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert headers["Docker-Content-Digest"] == entry["manifest_digest"]
    assert "sha256:" + hashlib.sha256(body).hexdigest() == entry["manifest_digest"]
    manifest = json.loads(body)
    assert manifest["layers"][0]["mediaType"] == "application/vnd.ollama.image.model"
    assert call("GET", f"{registry}/v2/")[0] == 200
    status, _headers, body = call("GET", f"{registry}/v2/library/nope/manifests/1b")
    assert status == 404
    assert json.loads(body) == {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": None}]}


def test_bump_changes_the_manifest_digest(registry, server, catalog):
    entry = catalog["qwen2.5:7b"]
    url = f"{registry}/v2/library/qwen2.5/manifests/7b"
    before = call("HEAD", url)[1]["Docker-Content-Digest"]
    status, bumped = call_json("POST", f"{registry}/_double/bump/library/qwen2.5/7b")
    assert status == 200
    after = call("HEAD", url)[1]["Docker-Content-Digest"]
    assert before == entry["manifest_digest"] != after == bumped["manifest_digest"]
    assert call("HEAD", f"{registry}/v2/library/qwen2.5/manifests/latest")[1]["Docker-Content-Digest"] == before
    status, _headers, config = call("GET", f"{registry}/v2/library/qwen2.5/blobs/{bumped['config_digest']}")
    assert status == 200 and json.loads(config)["double_revision"] == 1

    # what `state: latest` relies on: pulling again brings the new manifest
    lines, broken = pull(server, "qwen2.5:7b")
    assert broken is None and lines[-1] == {"status": "success"}
    tags = {m["name"]: m for m in call_json("GET", f"{server}/api/tags")[1]["models"]}
    assert tags["qwen2.5:7b"]["digest"] == after[7:]
