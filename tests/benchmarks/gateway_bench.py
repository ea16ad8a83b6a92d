# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: what the inference gateway adds to a model call, against calling Ollama directly.

Not a test and not production code: the collection never imports it. Python 3 standard library
only (it runs inside the lab's Debian node containers, which have nothing but python3).

Both targets get the same OpenAI-compatible request (Ollama serves /v1/chat/completions itself)::

    POST /v1/chat/completions
    {"model": M, "messages": [{"role": "user", "content": "benchmark"}], "stream": false, "max_tokens": 16}

``M`` is the internal Ollama name for the direct target (``--direct-model``) and the external
name for the gateway (``--gateway-model``); the gateway also gets ``Authorization: Bearer KEY``.

Method (also printed with the results):

* warm-up: ``--warmup`` requests per target, not measured (model load, first connections);
* phases, interleaved so that both targets see the same conditions: sequential latency (one
  keep-alive connection, ``--requests`` requests one after the other) for direct then gateway,
  then concurrent throughput (``--concurrency`` threads, one keep-alive connection each, sharing
  ``--requests`` requests) for direct then gateway; that round runs ``--rounds`` times (default
  2), the target order swapped in every other round, and each figure is the better round (lower
  sequential p50, higher throughput). Connections (and TLS handshakes) are opened before the
  clock starts, so the figures are steady-state keep-alive ones.
* errors: every measured request that did not give HTTP 200 with a chat completion body, over all
  rounds; more than 1% on a target makes the exit status 1.

Usage (scripts/benchmark-gateway runs it so inside the lab's central node)::

    python3 gateway_bench.py --direct http://172.30.99.20:11434 --direct-model qwen2.5:7b \\
        --gateway https://llm.localai.internal --gateway-address 172.30.99.10 \\
        --gateway-model poweron-text-general [--requests 200] [--concurrency 8] [--json]

The key comes from ``--key`` or, better (not visible in ps), the environment variable
GATEWAY_BENCH_KEY. Exit status: 0 measured, 1 a target unreachable or above 1% errors, 2 usage.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

PATH = "/v1/chat/completions"
PROMPT = "benchmark"
MAX_TOKENS = 16
ERROR_LIMIT = 0.01  # more than this share of failed requests on a target: exit 1
KEY_ENV = "GATEWAY_BENCH_KEY"
SAMPLE_CHARS = 300  # of an error body, in messages


class Unreachable(Exception):
    """A target that cannot be used at all (connection refused, TLS, DNS, first request refused)."""


# -- connections -----------------------------------------------------------------------------
class Target:
    """One side of the comparison: where to connect, what to send."""

    def __init__(self, name: str, url: str, model: str, key: str | None, address: str | None,
                 cafile: str | None, timeout: float):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"--{name}: {url!r} is not an http:// or https:// URL")
        self.name = name
        self.url = url
        self.scheme = parsed.scheme
        self.host = parsed.hostname
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.path = parsed.path.rstrip("/") + PATH
        self.model = model
        self.address = address
        self.timeout = timeout
        self.key = key
        self.context = None
        if self.scheme == "https":
            # The system trust store, or only the given CA file; host name checked against the URL's.
            self.context = ssl.create_default_context(cafile=cafile)
        self.body = json.dumps(
            {"model": model, "messages": [{"role": "user", "content": PROMPT}], "stream": False, "max_tokens": MAX_TOKENS}
        ).encode()
        self.headers = {"Content-Type": "application/json", "Accept": "application/json", "Connection": "keep-alive"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self.connects = 0  # connections opened (TLS handshakes for https), for the keep-alive check
        self._lock = threading.Lock()

    def where(self) -> str:
        via = f" via {self.address}:{self.port}" if self.address else ""
        return f"{self.url}{via}"

    def connection(self) -> http.client.HTTPConnection:
        target = self
        base = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection

        class Connection(base):
            # Connect to --gateway-address when given; Host header and TLS SNI / certificate
            # check stay the URL's host name (http.client sends Host from self.host).
            def connect(self):
                sock = socket.create_connection((target.address or self.host, self.port), self.timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if target.context is not None:
                    try:
                        sock = target.context.wrap_socket(sock, server_hostname=self.host)
                    except BaseException:
                        sock.close()
                        raise
                self.sock = sock
                with target._lock:
                    target.connects += 1

        if base is http.client.HTTPSConnection:
            return Connection(self.host, self.port, timeout=self.timeout, context=self.context)
        return Connection(self.host, self.port, timeout=self.timeout)

    def redact(self, text: str) -> str:
        return text.replace(self.key, "***") if self.key else text


class Outcome:
    """What one request gave: seconds, and an error kind (None: a chat completion)."""

    __slots__ = ("seconds", "error", "detail")

    def __init__(self, seconds: float, error: str | None = None, detail: str = ""):
        self.seconds = seconds
        self.error = error
        self.detail = detail


def one_request(target: Target, conn: http.client.HTTPConnection) -> Outcome:
    """POST the chat completion on conn (reconnecting once when a kept-alive connection went stale)."""
    started = time.perf_counter()
    for attempt in (1, 2):
        reused = conn.sock is not None
        try:
            conn.request("POST", target.path, body=target.body, headers=target.headers)
            resp = conn.getresponse()
            data = resp.read()
            break
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            conn.close()
            if attempt == 1 and reused:  # the server closed an idle keep-alive connection: usual
                continue
            return Outcome(time.perf_counter() - started, "connection", f"{type(exc).__name__}: {exc}")
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            kind = "timeout" if isinstance(exc, (socket.timeout, TimeoutError)) else "tls" if isinstance(exc, ssl.SSLError) else "connection"
            return Outcome(time.perf_counter() - started, kind, f"{type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started
    if resp.status != 200:
        return Outcome(elapsed, f"HTTP {resp.status}", data[:SAMPLE_CHARS].decode("utf-8", "replace"))
    try:
        reply = json.loads(data)
        if not isinstance(reply, dict) or not reply.get("choices"):
            raise ValueError("no choices")
    except ValueError:
        return Outcome(elapsed, "bad body", data[:SAMPLE_CHARS].decode("utf-8", "replace"))
    return Outcome(elapsed)


def open_connection(target: Target) -> http.client.HTTPConnection:
    """A connected (for https: handshaken) connection; Unreachable with the reason when it cannot be."""
    conn = target.connection()
    try:
        conn.connect()
    except ssl.SSLCertVerificationError as exc:
        raise Unreachable(f"{target.name}: TLS verification of {target.host} failed at {target.where()}: "
                          f"{exc.verify_message or exc} (the CA is not trusted here? --cafile FILE)") from None
    except (OSError, ssl.SSLError) as exc:
        raise Unreachable(f"{target.name}: cannot connect to {target.where()}: {exc}") from None
    return conn


# -- statistics ------------------------------------------------------------------------------
def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); values sorted ascending."""
    if not sorted_values:
        return float("nan")
    rank = (len(sorted_values) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def summary(outcomes: list[Outcome], wall: float) -> dict:
    ok = sorted(o.seconds * 1000 for o in outcomes if o.error is None)
    errors: dict[str, int] = {}
    for o in outcomes:
        if o.error is not None:
            errors[o.error] = errors.get(o.error, 0) + 1
    return {
        "requests": len(outcomes),
        "ok": len(ok),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "seconds": round(wall, 4),
        "requests_per_second": round(len(ok) / wall, 2) if wall > 0 else 0.0,
        "p50_ms": round(percentile(ok, 50), 3) if ok else None,
        "p95_ms": round(percentile(ok, 95), 3) if ok else None,
        "p99_ms": round(percentile(ok, 99), 3) if ok else None,
        "mean_ms": round(sum(ok) / len(ok), 3) if ok else None,
        "min_ms": round(ok[0], 3) if ok else None,
        "max_ms": round(ok[-1], 3) if ok else None,
    }


# -- phases ----------------------------------------------------------------------------------
class Recorder:
    """Error samples across phases, one per kind (for the report)."""

    def __init__(self):
        self.samples: dict[str, dict[str, str]] = {}

    def note(self, target: Target, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            if o.error is not None:
                self.samples.setdefault(target.name, {}).setdefault(o.error, target.redact(o.detail))


def sequential(target: Target, requests: int) -> tuple[list[Outcome], float]:
    conn = open_connection(target)
    try:
        outcomes = []
        started = time.perf_counter()
        for _unused in range(requests):
            outcomes.append(one_request(target, conn))
        return outcomes, time.perf_counter() - started
    finally:
        conn.close()


def concurrent(target: Target, requests: int, threads: int) -> tuple[list[Outcome], float]:
    threads = max(1, min(threads, requests))
    conns = [open_connection(target) for _unused in range(threads)]
    per_thread: list[list[Outcome]] = [[] for _unused in range(threads)]
    remaining = [requests]
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        conn, out = conns[index], per_thread[index]
        start.wait()
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            out.append(one_request(target, conn))

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    start.wait()
    started = time.perf_counter()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return [o for out in per_thread for o in out], wall


def preflight(target: Target) -> None:
    """One request: Unreachable unless the target answers it with a chat completion."""
    conn = open_connection(target)
    try:
        outcome = one_request(target, conn)
    finally:
        conn.close()
    if outcome.error is None:
        return
    hint = ""
    if outcome.error == "HTTP 401":
        hint = " (key refused: wrong or missing key)"
    elif outcome.error == "HTTP 429":
        hint = " (rate limit or budget of the key)"
    elif outcome.error in ("HTTP 400", "HTTP 404"):
        hint = f" (is model {target.model!r} known there?)"
    raise Unreachable(f"{target.name}: the first request to {target.where()} failed: {outcome.error}{hint}: "
                      f"{target.redact(outcome.detail).strip()}")


def progress(enabled: bool, text: str) -> None:
    if enabled:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def run(args, targets: list[Target]) -> dict:
    show = not args.quiet
    problems = []
    for target in targets:
        try:
            preflight(target)
        except Unreachable as exc:
            problems.append(str(exc))
    if problems:
        raise Unreachable("\n".join(problems))
    for target in targets:
        if args.warmup:
            progress(show, f"warm-up: {args.warmup} requests to {target.name}")
            sequential(target, args.warmup)
    # Connections a run opens when every kept-alive connection holds: preflight, warm-up, then per
    # round one sequential and one per thread. More means the server (or a proxy) closed some.
    planned = 1 + (1 if args.warmup else 0) + args.rounds * (1 + max(1, min(args.concurrency, args.requests)))

    recorder = Recorder()
    rounds: dict[str, dict[str, list[dict]]] = {t.name: {"sequential": [], "concurrent": []} for t in targets}
    measured: dict[str, list[Outcome]] = {t.name: [] for t in targets}
    for number in range(1, args.rounds + 1):
        order = targets if number % 2 else list(reversed(targets))
        for phase in ("sequential", "concurrent"):
            for target in order:
                if phase == "sequential":
                    outcomes, wall = sequential(target, args.requests)
                else:
                    outcomes, wall = concurrent(target, args.requests, args.concurrency)
                recorder.note(target, outcomes)
                measured[target.name].extend(outcomes)
                result = summary(outcomes, wall)
                result["round"] = number
                rounds[target.name][phase].append(result)
                progress(show, f"round {number}: {target.name:<8} {phase:<10} p50 {fmt(result['p50_ms'])} ms, "
                               f"{result['requests_per_second']:.1f} req/s, {result['errors']} errors")

    report = {"method": method_text(args), "settings": settings(args, targets), "targets": {}}
    for target in targets:
        seq_best = min(rounds[target.name]["sequential"], key=lambda r: (r["p50_ms"] is None, r["p50_ms"] or 0))
        conc_best = max(rounds[target.name]["concurrent"], key=lambda r: r["requests_per_second"])
        every = measured[target.name]
        failed = sum(1 for o in every if o.error is not None)
        by_kind: dict[str, int] = {}
        for o in every:
            if o.error is not None:
                by_kind[o.error] = by_kind.get(o.error, 0) + 1
        report["targets"][target.name] = {
            "url": target.url,
            "address": target.address,
            "model": target.model,
            "sequential": seq_best,
            "concurrent": conc_best,
            "rounds": rounds[target.name],
            "measured_requests": len(every),
            "errors": failed,
            "error_rate": round(failed / len(every), 4) if every else 0.0,
            "errors_by_kind": by_kind,
            "error_samples": recorder.samples.get(target.name, {}),
            "connections_opened": target.connects,
            "reconnects": max(0, target.connects - planned),
        }
    report["comparison"] = compare(report["targets"])
    over = [name for name, t in report["targets"].items() if t["error_rate"] > ERROR_LIMIT]
    report["ok"] = not over
    report["problems"] = [f"{name}: {report['targets'][name]['errors']} of {report['targets'][name]['measured_requests']} "
                          f"measured requests failed (more than {ERROR_LIMIT:.0%})" for name in over]
    return report


def compare(targets: dict) -> dict:
    direct, gateway = targets["direct"], targets["gateway"]
    out: dict[str, float | None] = {}
    for p in ("p50", "p95", "p99", "mean"):
        d, g = direct["sequential"][f"{p}_ms"], gateway["sequential"][f"{p}_ms"]
        out[f"added_latency_{p}_ms"] = round(g - d, 3) if d is not None and g is not None else None
        out[f"latency_ratio_{p}"] = round(g / d, 3) if d and g is not None else None
    d, g = direct["concurrent"]["requests_per_second"], gateway["concurrent"]["requests_per_second"]
    out["throughput_ratio"] = round(g / d, 3) if d else None
    return out


def method_text(args) -> str:
    return (f"{args.warmup} warm-up requests per target; then {args.rounds} rounds of: sequential latency "
            f"(1 keep-alive connection, {args.requests} requests) direct and gateway, then concurrent throughput "
            f"({args.concurrency} threads with a keep-alive connection each, {args.requests} requests in all) "
            f"direct and gateway; target order swapped every other round; connections opened before the clock "
            f"starts; each figure is the better round (lower sequential p50, higher req/s); errors count over "
            f"all rounds")


def settings(args, targets: list[Target]) -> dict:
    return {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "rounds": args.rounds,
        "request": {"path": PATH, "messages": [{"role": "user", "content": PROMPT}], "stream": False, "max_tokens": MAX_TOKENS},
    }


# -- output ----------------------------------------------------------------------------------
def fmt(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def text_report(report: dict) -> str:
    lines = [f"method: {report['method']}", ""]
    head = f"{'target':<8} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'mean ms':>9} {'req/s':>9} {'errors':>14}"
    lines += [head, "-" * len(head)]
    for name, t in report["targets"].items():
        s, c = t["sequential"], t["concurrent"]
        errors = f"{t['errors']}/{t['measured_requests']}"
        lines.append(f"{name:<8} {fmt(s['p50_ms'], 2):>9} {fmt(s['p95_ms'], 2):>9} {fmt(s['p99_ms'], 2):>9} "
                     f"{fmt(s['mean_ms'], 2):>9} {fmt(c['requests_per_second']):>9} {errors:>14}")
    lines.append("")
    for name, t in report["targets"].items():
        lines.append(f"{name}: {t['url']}{' via ' + t['address'] if t['address'] else ''}, model {t['model']}, "
                     f"{t['connections_opened']} connections opened, {t['reconnects']} of them reconnects")
        for kind, sample in sorted(t["error_samples"].items()):
            lines.append(f"  {t['errors_by_kind'].get(kind, 0)} x {kind}: {' '.join(sample.split())[:200]}")
    cmp_ = report["comparison"]
    lines.append("")
    lines.append(f"added latency p50: {fmt(cmp_['added_latency_p50_ms'], 2)} ms "
                 f"(gateway/direct = {fmt(cmp_['latency_ratio_p50'], 2)}×)")
    lines.append(f"added latency p95: {fmt(cmp_['added_latency_p95_ms'], 2)} ms "
                 f"(gateway/direct = {fmt(cmp_['latency_ratio_p95'], 2)}×)")
    lines.append(f"throughput ratio gateway/direct = {fmt(cmp_['throughput_ratio'], 2)}")
    for problem in report["problems"]:
        lines.append(f"FAILED: {problem}")
    return "\n".join(lines)


# -- command line ----------------------------------------------------------------------------
def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Latency and throughput of the inference gateway against Ollama directly, side by side.",
        epilog=f"The gateway key: --key, or the environment variable {KEY_ENV} (not visible in ps).",
    )
    parser.add_argument("--direct", required=True, metavar="URL", help="Ollama base URL, e.g. http://172.30.99.20:11434")
    parser.add_argument("--direct-model", required=True, metavar="NAME", help="internal Ollama model, e.g. qwen2.5:7b")
    parser.add_argument("--gateway", required=True, metavar="URL", help="gateway base URL, e.g. https://llm.localai.internal")
    parser.add_argument("--gateway-address", metavar="IP",
                        help="connect to this address instead of resolving the URL's host (Host and TLS name stay the URL's)")
    parser.add_argument("--gateway-model", metavar="NAME", help="external model name (default: --direct-model)")
    parser.add_argument("--cafile", metavar="FILE", help="trust only this CA file for https (default: the system trust store)")
    parser.add_argument("--key", help=f"Bearer key of the gateway (default: ${KEY_ENV})")
    parser.add_argument("--requests", type=positive, default=200, metavar="N", help="requests per phase (default 200)")
    parser.add_argument("--concurrency", type=positive, default=8, metavar="C", help="threads of the throughput phase (default 8)")
    parser.add_argument("--warmup", type=not_negative, default=10, metavar="N", help="unmeasured requests per target first (default 10)")
    parser.add_argument("--rounds", type=positive, default=2, metavar="N", help="times each phase runs, the better one counts (default 2)")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="S", help="seconds per request (default 120)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    key = args.key or os.environ.get(KEY_ENV) or None
    try:
        targets = [
            Target("direct", args.direct, args.direct_model, None, None, args.cafile, args.timeout),
            Target("gateway", args.gateway, args.gateway_model or args.direct_model, key, args.gateway_address,
                   args.cafile, args.timeout),
        ]
    except (ValueError, OSError, ssl.SSLError) as exc:
        print(f"gateway_bench: {exc}", file=sys.stderr)
        return 2
    if targets[1].scheme == "https" and not key:
        progress(not args.quiet, f"note: no gateway key (--key or {KEY_ENV}); the gateway will likely answer 401")
    try:
        report = run(args, targets)
    except Unreachable as exc:
        if args.json:
            print(json.dumps({"ok": False, "problems": str(exc).splitlines()}, indent=2))
        print(f"gateway_bench: cannot benchmark:\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("gateway_bench: interrupted", file=sys.stderr)
        return 130
    print(json.dumps(report, indent=2) if args.json else text_report(report))
    if not report["ok"]:
        for problem in report["problems"]:
            print(f"gateway_bench: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
