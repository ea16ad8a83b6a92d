"""Test client of molecule/inference_gateway (not production code): sends the requests described
on stdin to the gateway through TLS, verified against the system trust store, and prints what came
back as JSON, one entry per request: {id, status, body, node, seconds}. ``node`` is the GPU node
that the Ollama double names in its reply ("[fc-gw-gpu-a] echo: ...").

stdin: {"base": "https://llm.localai.internal", "requests": [
          {"id", "path", "key"?, "header"?: [name, value], "body"?, "sleep_before"?,
           "repeat"?: N,                 # N requests, each reported
           "concurrency"?: C,            # ... sent by C threads at once
           "until_node"?: NAME, "timeout"?: S}]}   # send the batch once a second until NAME
                                                   # answers one of its requests
"""
import concurrent.futures
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


def send_batch(base, spec):
    """repeat requests, by concurrency threads at once."""
    count = spec.get("repeat", 1)
    if spec.get("concurrency", 1) > 1:
        with concurrent.futures.ThreadPoolExecutor(spec["concurrency"]) as pool:
            return list(pool.map(lambda index: send(base, spec), range(count)))
    return [send(base, spec) for index in range(count)]


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
                batch = send_batch(plan["base"], spec)
                tries.append([answer["node"] for answer in batch])
                hits = [answer for answer in batch if answer["node"] == spec["until_node"]]
                if hits or time.monotonic() > deadline:
                    break
                time.sleep(1)
            answer = hits[0] if hits else batch[-1]
            answer["tries"] = tries
            answer["waited"] = round(time.monotonic() - started, 3)
            results.append(answer)
            continue
        results.extend(send_batch(plan["base"], spec))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
