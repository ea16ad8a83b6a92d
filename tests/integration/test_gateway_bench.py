# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway benchmark (tests/benchmarks/gateway_bench.py) runs, measures and reports.

Not a benchmark of anything: one Ollama server double on 127.0.0.1 is both the "direct" and the
"gateway" target, so that the script cannot silently rot. The script runs as ``python -I -S``
(standard library only, as in the lab's node containers); the double gets its model from the
registry double, as in tests/integration/test_doubles.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
DOUBLES = TESTS / "doubles"
BENCH = TESTS / "benchmarks" / "gateway_bench.py"
MODEL = "fc-tiny:1m"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(method: str, url: str, body=None, timeout: float = 30):
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=timeout) as resp:
        return json.loads(resp.read())


@contextlib.contextmanager
def running(argv, base: str, log: Path, env=None):
    """A double as ``python -I -S`` until the with block ends, once base answers."""
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-I", "-S", *argv], env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{argv[0]} exited with {proc.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{base} did not come up:\n{log.read_text()}")
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def ollama(tmp_path_factory):
    """Base URL of an Ollama server double that has pulled MODEL."""
    work = tmp_path_factory.mktemp("gateway-bench")
    built = subprocess.run(
        [sys.executable, str(DOUBLES / "build_registry_fixtures.py"), "--output", str(work / "fixtures"), "--only", MODEL],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert built.returncode == 0, f"build_registry_fixtures.py failed:\n{built.stdout}\n{built.stderr}"
    registry_port, ollama_port = free_port(), free_port()
    registry_argv = [str(DOUBLES / "ollama_registry.py"), "--listen", f"127.0.0.1:{registry_port}",
                     "--fixtures", str(work / "fixtures")]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "OLLAMA_HOST": f"127.0.0.1:{ollama_port}",
        "OLLAMA_MODELS": str(work / "models"),
        "OLLAMA_DOUBLE_REGISTRY": f"http://127.0.0.1:{registry_port}",
        "OLLAMA_DOUBLE_NODE": "bench",
    }
    with running(registry_argv, f"http://127.0.0.1:{registry_port}/v2/", work / "registry.log"):
        with running([str(DOUBLES / "ollama_server.py"), "serve"], f"http://127.0.0.1:{ollama_port}/",
                     work / "ollama.log", env=env) as base:
            assert fetch("POST", f"{base}api/pull", {"model": MODEL, "stream": False}) == {"status": "success"}
            yield base.rstrip("/")


def bench(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_BENCH_KEY"}
    return subprocess.run([sys.executable, "-I", "-S", str(BENCH), *args], capture_output=True, text=True,
                          timeout=300, check=False, env=env)


def test_both_targets_measured_as_json(ollama):
    port = ollama.rsplit(":", 1)[1]
    fetch("DELETE", f"{ollama}/_double/stats")
    result = bench(
        "--direct", ollama, "--direct-model", MODEL,
        # A name nobody resolves, reached through --gateway-address: the address override works.
        "--gateway", f"http://gateway.bench.invalid:{port}", "--gateway-address", "127.0.0.1",
        "--gateway-model", MODEL, "--key", "sk-not-checked-by-ollama",
        "--requests", "20", "--concurrency", "2", "--warmup", "2", "--json",
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert set(report["targets"]) == {"direct", "gateway"}
    for name, target in report["targets"].items():
        assert target["errors"] == 0 and target["error_rate"] == 0, (name, target)
        assert target["measured_requests"] == 2 * 2 * 20, (name, target)  # 2 rounds, 2 phases
        assert target["reconnects"] == 0, (name, target)  # keep-alive held
        for phase in ("sequential", "concurrent"):
            figures = target[phase]
            assert figures["ok"] == 20 and figures["requests_per_second"] > 0, (name, phase, figures)
            assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], (name, phase, figures)
            assert figures["mean_ms"] > 0, (name, phase, figures)
        assert len(target["rounds"]["sequential"]) == len(target["rounds"]["concurrent"]) == 2
    assert report["targets"]["gateway"]["address"] == "127.0.0.1"
    comparison = report["comparison"]
    assert comparison["throughput_ratio"] > 0 and comparison["latency_ratio_p50"] > 0
    assert isinstance(comparison["added_latency_p50_ms"], float)
    assert "2 rounds" in report["method"]
    # Every request reached the double: preflight 1, warm-up 2 and 80 measured, per target.
    served = [r for r in fetch("GET", f"{ollama}/_double/stats")["requests"] if r["path"] == "/v1/chat/completions"]
    assert len(served) == 2 * (1 + 2 + 80) and {r["model"] for r in served} == {MODEL}


def test_table_and_ratio_lines(ollama):
    result = bench("--direct", ollama, "--direct-model", MODEL, "--gateway", ollama,
                   "--requests", "4", "--concurrency", "2", "--warmup", "0", "--rounds", "1", "--quiet")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    lines = result.stdout.splitlines()
    assert any(line.split()[:7] == ["target", "p50", "ms", "p95", "ms", "p99", "ms"] for line in lines), result.stdout
    assert [line.split()[0] for line in lines if line.startswith(("direct ", "gateway "))] == ["direct", "gateway"]
    assert any(line.startswith("added latency p50: ") and "gateway/direct = " in line for line in lines), result.stdout
    assert any(line.startswith("throughput ratio gateway/direct = ") for line in lines), result.stdout
    assert result.stderr == ""


def test_unreachable_and_refused_targets_fail_clearly(ollama):
    closed = free_port()
    result = bench("--direct", ollama, "--direct-model", "no-such-model:1b",
                   "--gateway", f"http://127.0.0.1:{closed}", "--gateway-model", "x", "--quiet")
    assert result.returncode == 1
    assert "direct: the first request to" in result.stderr and "HTTP 404" in result.stderr, result.stderr
    assert f"gateway: cannot connect to http://127.0.0.1:{closed}" in result.stderr, result.stderr
