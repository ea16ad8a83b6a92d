#!/usr/bin/env python3
"""Test client of molecule/inference_gateway (not production code): sends the requests described
on stdin to the gateway through TLS, verified against the system trust store, and prints what came
back as JSON, one entry per request: {id, status, body, node, seconds}. ``node`` is the GPU node
that the Ollama double names in its reply ("[fc-gw-gpu-a] echo: ...").

stdin: {"base": "https://llm.localai.internal", "requests": [
          {"id", "path", "key"?, "header"?: [name, value], "body"?, "sleep_before"?,
           "repeat"?: N,                 # N requests, each reported
           "until_node"?: NAME, "timeout"?: S}]}   # repeat once a second until NAME answers
"""
import json
import re
import sys
import time
import urllib.error
import urllib.request

NODE = re.compile(r"^\[([^\]]+)\]")


def send(base, spec):
    headers = {"content-type": "application/json"}
    if spec.get("key"):
        headers["Authorization"] = "Bearer " + spec["key"]
    if spec.get("header"):
        headers[spec["header"][0]] = spec["header"][1]
    data = json.dumps(spec["body"]).encode() if "body" in spec else None
    request = urllib.request.Request(base + spec["path"], data=data, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    seconds = round(time.monotonic() - started, 3)
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw.decode("utf-8", "replace")
    node = None
    if isinstance(body, dict) and body.get("choices"):
        match = NODE.match(body["choices"][0].get("message", {}).get("content") or "")
        node = match.group(1) if match else None
    return {"id": spec["id"], "status": status, "body": body, "node": node, "seconds": seconds}


def main():
    plan = json.load(sys.stdin)
    results = []
    for spec in plan["requests"]:
        time.sleep(spec.get("sleep_before", 0))
        if spec.get("until_node"):
            deadline = time.monotonic() + spec.get("timeout", 60)
            started = time.monotonic()
            tries = []
            while True:
                answer = send(plan["base"], spec)
                tries.append(answer["node"])
                if answer["node"] == spec["until_node"] or time.monotonic() > deadline:
                    break
                time.sleep(1)
            answer["tries"] = tries
            answer["waited"] = round(time.monotonic() - started, 3)
            results.append(answer)
            continue
        for _ in range(spec.get("repeat", 1)):
            results.append(send(plan["base"], spec))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
