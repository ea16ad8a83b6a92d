"""What a re-run of site.yml that changes nothing costs, against a bare fact-gathering play over
the same hosts, measured side by side in one run (scripts/benchmark-rerun is the entry point).

Rounds alternate: facts play, site.yml, facts play, site.yml, ... so both see the same machine
load. Per round the site.yml run is profiled (ansible.posix.profile_tasks); the report gives
both medians, their ratio, the per-role totals and the slowest tasks of the fastest site run,
and says whether every host's recap was changed=0 (a run that changed something is not a
no-op and is reported as such).

With --edit-check it then proves that an edited inventory is still applied on the next run:
each edit of EDITS is given as extra vars, site.yml runs, a probe on the node must show the new
value; then site.yml runs without the edit and the probe must show the old value again.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Edits an operator makes every day, each on a different path through the roles: a catalog
# service's setting (compose_service: .env and container restart), a DNS setting (dns_server:
# zone file and serial), an Ollama setting (ollama: systemd environment and restart).
# probe: a command run on the host (docker exec) whose output must contain `expect` after the
# edit, and `expect_before` before it and after the restoring run.
EDITS = [
    {
        "name": "central service setting (n8n timezone)",
        "extra_vars": {"central_services_settings": {
            "langfuse": {"init_user_email": "ops@lab.localai.internal"},
            "n8n": {"timezone": "America/New_York"}}},
        "host": "fc-lab-central-1",
        "probe": "docker exec $(docker ps -q --filter label=com.docker.compose.project=n8n "
                 "--filter label=com.docker.compose.service=n8n) printenv TZ",
        "expect": "America/New_York",
        "expect_before": "Europe/Berlin",
    },
    {
        "name": "DNS setting (record TTL)",
        "extra_vars": {"dns_server_ttl": 600},
        "host": "fc-lab-dns-1",
        "probe": "dig +noall +answer @127.0.0.1 qdrant.localai.internal A | awk '{print \"ttl=\" $2}'",
        "expect": "ttl=600\n",
        "expect_before": "ttl=3600\n",
    },
    {
        "name": "Ollama setting (keep-alive)",
        "extra_vars": {"ollama_keep_alive": "45m"},
        "host": "fc-lab-gpu-1",
        # what the running server was started with, not only what the file says
        "probe": "tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value ollama)/environ | grep KEEP_ALIVE",
        "expect": "OLLAMA_KEEP_ALIVE=45m",
        "expect_before": "OLLAMA_KEEP_ALIVE=30m",
    },
]

RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+"
                   r"skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)")
# profile_tasks' summary lines: "<role> : <task> ---------- 1.23s"
PROFILE = re.compile(r"^(.*?)\s+-{3,}\s+(\d+\.\d+)s\s*$")


def ansible_env(extra=None):
    env = dict(os.environ)
    env.setdefault("ANSIBLE_CONFIG", os.path.join(ROOT, "ansible.cfg"))
    env.setdefault("ANSIBLE_VAULT_PASSWORD_FILE", os.path.join(ROOT, ".cache", "vault-pass"))
    env.update({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"})
    env.update(extra or {})
    return env


def playbook(args, inventory, path, extra_args=(), env=None, log=None):
    """Runs ansible-playbook; returns (seconds, output, rc)."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, path, *extra_args]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=ansible_env(env), capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    if log:
        with open(log, "w", encoding="utf-8") as handle:
            handle.write(output)
    return seconds, output, proc.returncode


def recap(output):
    hosts = {}
    in_recap = False
    for line in output.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap, hosts = True, {}
            continue
        match = RECAP.match(line.strip()) if in_recap else None
        if match:
            name, ok, changed, unreachable, failed = match.group(1), *map(int, match.groups()[1:5])
            hosts[name] = {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}
    return hosts


def profile(output):
    """Task name -> seconds from profile_tasks' summary (the lines after the last recap)."""
    tail = output[output.rfind("PLAY RECAP"):]
    tasks = []
    for line in tail.splitlines():
        match = PROFILE.match(line.strip())
        if match and not match.group(1).startswith("="):
            tasks.append((match.group(1).strip(), float(match.group(2))))
    return tasks


def role_totals(tasks):
    totals = {}
    for name, secs in tasks:
        role = name.split(" : ", 1)[0] if " : " in name else "(play tasks)"
        totals[role] = totals.get(role, 0.0) + secs
    return sorted(totals.items(), key=lambda kv: -kv[1])


def facts_playbook(hosts, directory):
    path = os.path.join(directory, "facts.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("- name: Bare fact gathering over the hosts site.yml touches\n"
                     f"  hosts: {':'.join(hosts)}\n  gather_facts: true\n  tasks: []\n")
    return path


def probe(host, command):
    proc = subprocess.run(["docker", "exec", host, "bash", "-c", command], capture_output=True, text=True,
                          check=False, timeout=120)
    return proc.stdout + proc.stderr


def edit_check(args, logdir):
    """Each edit: applied on the next run, and undone by the run after it."""
    failures = []
    for number, edit in enumerate(EDITS, 1):
        before = probe(edit["host"], edit["probe"])
        if edit["expect"] in before or (edit["expect_before"] and edit["expect_before"] not in before):
            failures.append(f"{edit['name']}: unexpected state before the edit: {before.strip()!r}")
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(edit["extra_vars"], handle)
        seconds, output, rc = playbook(args, args.inventory, args.playbook, ["-e", "@" + handle.name],
                                       log=os.path.join(logdir, f"edit-{number}.log"))
        os.unlink(handle.name)
        after = probe(edit["host"], edit["probe"])
        applied = rc == 0 and edit["expect"] in after
        changed = sum(h["changed"] for h in recap(output).values())
        print(f"  edit  {edit['name']}: site.yml {seconds:.1f} s, changed={changed}, "
              f"{'applied' if applied else 'NOT applied'} ({after.strip()[:80]!r})")
        seconds, output, rc = playbook(args, args.inventory, args.playbook,
                                       log=os.path.join(logdir, f"edit-{number}-undo.log"))
        undone = probe(edit["host"], edit["probe"])
        restored = rc == 0 and edit["expect"] not in undone and (
            not edit["expect_before"] or edit["expect_before"] in undone)
        print(f"  undo  {edit['name']}: site.yml {seconds:.1f} s, "
              f"{'restored' if restored else 'NOT restored'} ({undone.strip()[:80]!r})")
        if not applied:
            failures.append(f"{edit['name']}: the edit was not applied (rc {rc}); log {logdir}/edit-{number}.log")
        if not restored:
            failures.append(f"{edit['name']}: the restoring run did not restore it; log {logdir}/edit-{number}-undo.log")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--inventory", default="inventories/lab")
    parser.add_argument("--playbook", default="playbooks/site.yml")
    parser.add_argument("--rounds", type=int, default=2, help="facts/site.yml pairs (default 2; 0: only --edit-check)")
    parser.add_argument("--top", type=int, default=10, help="slowest tasks shown (default 10)")
    parser.add_argument("--max-ratio", type=float, default=25.0, help="goal for site.yml / facts (default 25)")
    parser.add_argument("--edit-check", action="store_true", help="then prove that edits are applied")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout instead of the report")
    args = parser.parse_args()
    logdir = os.path.join(ROOT, ".cache", "benchmark-rerun")
    os.makedirs(logdir, exist_ok=True)

    # A first run brings the lab to the inventory's state, so the measured runs are no-ops.
    seconds, output, rc = playbook(args, args.inventory, args.playbook, log=os.path.join(logdir, "settle.log"))
    if rc != 0:
        sys.exit(f"benchmark-rerun: site.yml failed (rc {rc}); see {logdir}/settle.log. Is the lab up (./foundry lab)?")
    hosts = sorted(h for h in recap(output) if h != "localhost")
    if not hosts:
        sys.exit("benchmark-rerun: site.yml touched no host")

    result, failures = {"hosts": hosts}, []
    if args.rounds > 0:
        profile_env = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
                       "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all", "PROFILE_TASKS_SORT_ORDER": "descending"}
        with tempfile.TemporaryDirectory() as tmp:
            facts_pb = facts_playbook(hosts, tmp)
            facts_times, site_runs = [], []
            for number in range(1, args.rounds + 1):
                secs, dummy, rc = playbook(args, args.inventory, facts_pb, log=os.path.join(logdir, f"facts-{number}.log"))
                if rc != 0:
                    sys.exit(f"benchmark-rerun: the facts play failed; see {logdir}/facts-{number}.log")
                facts_times.append(secs)
                secs, out, rc = playbook(args, args.inventory, args.playbook, env=profile_env,
                                         log=os.path.join(logdir, f"site-{number}.log"))
                if rc != 0:
                    sys.exit(f"benchmark-rerun: site.yml failed; see {logdir}/site-{number}.log")
                site_runs.append((secs, out))

        facts = statistics.median(facts_times)
        site = statistics.median(run[0] for run in site_runs)
        fastest = min(site_runs, key=lambda run: run[0])[1]
        tasks = profile(fastest)
        recaps = [recap(run[1]) for run in site_runs]
        changed = {h: r["changed"] for rc_ in recaps for h, r in rc_.items() if r["changed"]}
        host_tasks = sum(r["ok"] for r in recaps[0].values())
        ratio = site / facts
        result.update({
            "rounds": args.rounds, "facts_seconds": [round(t, 1) for t in facts_times],
            "site_seconds": [round(run[0], 1) for run in site_runs], "facts_median": round(facts, 2),
            "site_median": round(site, 2), "ratio": round(ratio, 1), "goal": args.max_ratio,
            "host_tasks_ok": host_tasks, "changed": changed,
            "slowest_tasks": [{"task": n, "seconds": s} for n, s in sorted(tasks, key=lambda t: -t[1])[:args.top]],
            "roles": [{"role": r, "seconds": round(s, 1)} for r, s in role_totals(tasks)],
        })
        if changed:
            failures.append(f"the re-runs were not no-ops: changed tasks on {changed}")
        if ratio > args.max_ratio:
            failures.append(f"ratio {ratio:.1f} is above the goal {args.max_ratio:g}")

        if not args.json:
            print(f"hosts: {', '.join(hosts)} ({args.rounds} rounds, logs in {logdir})")
            print(f"bare fact gathering: {facts:6.1f} s   (runs: {', '.join(f'{t:.1f}' for t in facts_times)})")
            print(f"site.yml re-run:     {site:6.1f} s   (runs: {', '.join(f'{run[0]:.1f}' for run in site_runs)}; "
                  f"{host_tasks} host-tasks ok; changed: {changed or 'none'})")
            print(f"ratio:               {ratio:6.1f}     (goal <= {args.max_ratio:g})")
            print(f"\n{args.top} slowest tasks of the fastest re-run:")
            for entry in result["slowest_tasks"]:
                print(f"  {entry['seconds']:6.2f} s  {entry['task']}")
            print("\ntime per role:")
            for entry in result["roles"]:
                print(f"  {entry['seconds']:6.1f} s  {entry['role']}")
    if args.edit_check:
        if not args.json:
            print("\nedits applied on the next run:")
        edit_failures = edit_check(args, logdir)
        result["edit_check"] = "passed" if not edit_failures else edit_failures
        failures += edit_failures
    if args.json:
        print(json.dumps(result, indent=2))
    for failure in failures:
        print(f"benchmark-rerun: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
