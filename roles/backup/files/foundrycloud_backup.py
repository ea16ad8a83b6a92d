# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backups of one platform service on this host, with restic (installed by the backup role).

    foundrycloud-backup run SERVICE              make a backup now (what the timer runs)
    foundrycloud-backup snapshots SERVICE        the service's snapshots, as JSON
    foundrycloud-backup restore SERVICE [SNAPSHOT] [--dry-run]
                                                 put the service back as it was (default: latest)
    foundrycloud-backup prune                    forget snapshots beyond the retention, prune

A service's job (/etc/foundrycloud/backup/jobs/SERVICE.json, written by the role from the
service catalog) lists its hooks in order: a dump (a command whose output is kept as a file), a
step (a command that writes into a volume), a volume (kept as files), and plain host files. The
run stages the dumps and a manifest under the staging directory, then backs up the staging
directory, the volumes' directories and the files in one snapshot tagged service=SERVICE. It
never deletes anything of the service, and never a snapshot (that is `prune`, its own timer).
Each run writes its outcome for the node exporter's textfile collector: the time of the last
success, the age the schedule allows, the last run's result and duration.

restore: restores the snapshot into a scratch directory, stops the service's containers, puts
the volumes back, creates what is missing, starts each dump's container alone (restore_mode
exec: a database server) or a one-off container of it (run: a file) and feeds the dump to its
restore command, then starts the service and waits until it is healthy. --dry-run says what it
would do and changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CONFIG_DIR = os.environ.get("FOUNDRYCLOUD_BACKUP_CONFIG", "/etc/foundrycloud/backup")
STATE_DIR = os.environ.get("FOUNDRYCLOUD_BACKUP_STATE", "/var/lib/foundrycloud/backup")
MANIFEST = "manifest.json"
METRICS = (
    ("foundrycloud_backup_last_success_timestamp_seconds", "gauge", "Time of the last successful backup."),
    ("foundrycloud_backup_max_age_seconds", "gauge", "The age of the last success the schedule allows."),
    ("foundrycloud_backup_last_run_success", "gauge", "1 when the last run succeeded, else 0."),
    ("foundrycloud_backup_last_run_timestamp_seconds", "gauge", "Time the last run ended."),
    ("foundrycloud_backup_last_run_duration_seconds", "gauge", "How long the last run took."),
)


class BackupError(Exception):
    """Says what failed, for the journal and the operator."""


def load_job(service):
    path = os.path.join(CONFIG_DIR, "jobs", "%s.json" % service)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        known = sorted(name[:-5] for name in os.listdir(os.path.join(CONFIG_DIR, "jobs")) if name.endswith(".json"))
        raise BackupError("no backup job for %s on this host (jobs: %s)" % (service, ", ".join(known) or "none")) from None


def restic_env():
    """The environment restic runs with: this process's, plus restic.env (repository, password
    file, S3 keys), which only root can read."""
    env = dict(os.environ)
    with open(os.path.join(CONFIG_DIR, "restic.env"), encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    return env


def run(argv, stdin=None, stdout=None, env=None, what=None):
    """Runs argv; raises BackupError with its message when it fails."""
    result = subprocess.run(argv, stdin=stdin, stdout=stdout if stdout is not None else subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, check=False)
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        # restic says what went wrong on a "Fatal:" line and may add a hint after it.
        fatal = [line for line in lines if line.lower().startswith(("fatal:", "error"))]
        raise BackupError("%s failed (exit %d): %s" % (what or " ".join(argv[:3]), result.returncode,
                                                       (fatal or lines or ["no message"])[-1]))
    return result.stdout.decode("utf-8", "replace") if stdout is None else ""


def project_dir(job):
    """The directory of the service's Compose project, as Docker knows it (compose_service and
    workspace_stack put them in different places)."""
    if "project_dir" not in job:
        out = run(["docker", "compose", "ls", "--all", "--format", "json"], what="docker compose ls")
        found = [item for item in json.loads(out or "[]") if item.get("Name") == job["project"]]
        if not found:
            raise BackupError("Compose project %s is not on this host (is %s deployed here?)" % (job["project"], job["service"]))
        job["project_dir"] = os.path.dirname(found[0]["ConfigFiles"].split(",")[0])
    return job["project_dir"]


def compose(job, *args):
    directory = project_dir(job)
    return ["docker", "compose", "--project-directory", directory, "-f", os.path.join(directory, "compose.yml"),
            "-p", job["project"]] + list(args)


def volume_name(job, volume):
    return "%s_%s" % (job["project"], volume)


def volume_path(job, volume):
    out = run(["docker", "volume", "inspect", "-f", "{{.Mountpoint}}", volume_name(job, volume)],
              what="docker volume inspect %s" % volume_name(job, volume))
    return out.strip()


# --- backup ----------------------------------------------------------------------------------

def backup(job):
    staging = os.path.join(STATE_DIR, "staging", job["service"])
    os.makedirs(staging, mode=0o700, exist_ok=True)
    for name in os.listdir(staging):   # the last run's dumps: this run's replace them
        os.remove(os.path.join(staging, name))
    manifest = {"service": job["service"], "project": job["project"], "hooks": [], "volumes": {},
                "files": list(job.get("files") or []), "project_dir": project_dir(job) if job["project"] else ""}
    paths = [staging]
    for hook in job.get("hooks") or []:
        if "volume" in hook:
            path = volume_path(job, hook["volume"])
            manifest["volumes"][hook["volume"]] = path
            paths.append(path)
        elif "output" in hook:
            target = os.path.join(staging, hook["output"])
            with open(target + ".partial", "wb") as handle:
                run(compose(job, "exec", "-T", hook["container"]) + hook["command"], stdout=handle,
                    what="dump %s of %s" % (hook["name"], job["service"]))
            os.replace(target + ".partial", target)
        else:
            run(compose(job, "exec", "-T", hook["container"]) + hook["command"],
                what="step %s of %s" % (hook["name"], job["service"]))
        manifest["hooks"].append(hook)
    paths.extend(manifest["files"])
    with open(os.path.join(staging, MANIFEST), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    out = run(["restic", "backup", "--json", "--host", job["host"], "--tag", "service=%s" % job["service"]] + paths,
              env=restic_env(), what="restic backup of %s" % job["service"])
    summary = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    summary = [item for item in summary if item.get("message_type") == "summary"]
    return summary[-1] if summary else {}


def repository_exists():
    """Whether the repository is there (restic cat config); an unreachable one is an error."""
    probe = subprocess.run(["restic", "cat", "config"], env=restic_env(), capture_output=True, check=False)
    if probe.returncode == 0:
        return True
    text = probe.stderr.decode("utf-8", "replace")
    if "does not exist" in text or "Is there a repository at the following location" in text:
        return False
    raise BackupError("the repository does not answer: %s" % (text.strip().splitlines() or ["no message"])[0])


def ensure_repository():
    """Initialises the repository the first time."""
    if repository_exists():
        return False
    run(["restic", "init"], env=restic_env(), what="restic init")
    return True


def write_metrics(job, success, started, ended):
    directory = job["metrics_dir"]
    path = os.path.join(directory, "foundrycloud_backup_%s.prom" % job["service"])
    last_success = None
    if success:
        last_success = ended
    else:
        last_success = _previous_success(path)
    labels = 'service="%s"' % job["service"]
    values = {
        "foundrycloud_backup_max_age_seconds": job["max_age_seconds"],
        "foundrycloud_backup_last_run_success": 1 if success else 0,
        "foundrycloud_backup_last_run_timestamp_seconds": int(ended),
        "foundrycloud_backup_last_run_duration_seconds": round(ended - started, 3),
    }
    if last_success is not None:
        values["foundrycloud_backup_last_success_timestamp_seconds"] = int(last_success)
    lines = []
    for name, kind, text in METRICS:
        if name in values:
            lines += ["# HELP %s %s" % (name, text), "# TYPE %s %s" % (name, kind), "%s{%s} %s" % (name, labels, values[name])]
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)


def _previous_success(path):
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("foundrycloud_backup_last_success_timestamp_seconds{"):
                    return float(line.rsplit(" ", 1)[1])
    except (OSError, ValueError):
        pass
    return None


def command_run(service):
    job = load_job(service)
    started = time.time()
    try:
        ensure_repository()
        summary = backup(job)
    except BackupError:
        write_metrics(job, False, started, time.time())
        raise
    write_metrics(job, True, started, time.time())
    print("backup of %s: snapshot %s, %s files, %s bytes added, %.1f s" % (
        service, summary.get("snapshot_id", "?")[:8], summary.get("total_files_processed", "?"),
        summary.get("data_added", "?"), time.time() - started))


# --- snapshots and restore ---------------------------------------------------------------

def snapshots(job):
    if not repository_exists():
        return []
    out = run(["restic", "snapshots", "--json", "--host", job["host"], "--tag", "service=%s" % job["service"]],
              env=restic_env(), what="restic snapshots")
    return sorted(json.loads(out or "[]"), key=lambda item: item["time"])


def pick(job, wanted):
    found = snapshots(job)
    if not found:
        raise BackupError("%s on %s has no snapshot" % (job["service"], job["host"]))
    if wanted in (None, "", "latest"):
        return found[-1]
    matches = [item for item in found if item["id"].startswith(wanted) or item.get("short_id") == wanted]
    if len(matches) != 1:
        raise BackupError("snapshot %r of %s: %s (snapshots: %s)" % (
            wanted, job["service"], "not found" if not matches else "ambiguous",
            ", ".join(item["short_id"] for item in found)))
    return matches[0]


def restore_plan(job, snapshot):
    hooks = job.get("hooks") or []
    lines = ["restore %s on %s from snapshot %s (%s)" % (job["service"], job["host"], snapshot["short_id"], snapshot["time"])]
    if job["project"]:
        lines.append("  stop the containers of project %s" % job["project"])
    lines += ["  put back volume %s" % hook["volume"] for hook in hooks if "volume" in hook]
    for hook in hooks:
        if "output" in hook:
            where = ("in %s started alone" if hook.get("restore_mode", "exec") == "exec" else "in a one-off %s") % hook["container"]
            lines.append("  put back %s with: %s (%s)" % (hook["output"], " ".join(hook["restore"]), where))
    lines += ["  put back file %s" % path for path in job.get("files") or []]
    if job["project"]:
        lines.append("  start %s and wait until it is healthy" % job["project"])
    return lines


def restore(job, snapshot):
    scratch = tempfile.mkdtemp(prefix="restore-%s-" % job["service"], dir=STATE_DIR)
    try:
        run(["restic", "restore", snapshot["id"], "--target", scratch], env=restic_env(), what="restic restore")
        staging = os.path.join(STATE_DIR, "staging", job["service"])
        with open(os.path.join(scratch + staging, MANIFEST), encoding="utf-8") as handle:
            manifest = json.load(handle)
        hooks = manifest["hooks"]
        if job["project"]:
            try:
                project_dir(job)
            except BackupError:
                # Docker knows a project by its containers: after a loss there may be none. The
                # snapshot says where it lived (the directory itself is the role's, not data).
                job["project_dir"] = manifest["project_dir"]
        if job["project"]:
            run(compose(job, "stop"), what="stopping %s" % job["project"])
            # Creates what is missing (a volume lost with its data) without starting anything.
            run(compose(job, "up", "--no-start"), what="creating %s" % job["project"])
        for hook in hooks:
            if "volume" in hook:
                _replace_tree(scratch + manifest["volumes"][hook["volume"]], volume_path(job, hook["volume"]))
        for hook in hooks:
            if "output" not in hook:
                continue
            dump = os.path.join(scratch + staging, hook["output"])
            with open(dump, "rb") as handle:
                if hook.get("restore_mode", "exec") == "exec":
                    run(compose(job, "up", "-d", "--wait", hook["container"]), what="starting %s" % hook["container"])
                    run(compose(job, "exec", "-T", hook["container"]) + hook["restore"], stdin=handle,
                        what="restore %s of %s" % (hook["name"], job["service"]))
                else:
                    run(compose(job, "run", "--rm", "--no-deps", "-T", "--entrypoint", hook["restore"][0],
                                hook["container"]) + hook["restore"][1:], stdin=handle,
                        what="restore %s of %s" % (hook["name"], job["service"]))
        for path in manifest.get("files") or []:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copy2(scratch + path, path)
        if job["project"]:
            run(compose(job, "up", "-d", "--wait"), what="starting %s" % job["project"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _replace_tree(source, target):
    """target's content becomes source's (owners, modes and links kept)."""
    for name in os.listdir(target):
        path = os.path.join(target, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    for root, dirs, files in os.walk(source):
        for name in dirs + files + ["."]:
            origin = os.path.normpath(os.path.join(root, name))
            stat = os.lstat(origin)
            os.lchown(os.path.join(target, os.path.relpath(origin, source)), stat.st_uid, stat.st_gid)


def command_restore(service, wanted, dry_run):
    job = load_job(service)
    snapshot = pick(job, wanted)
    print("\n".join(restore_plan(job, snapshot)))
    if dry_run:
        print("(dry run: nothing changed)")
        return
    restore(job, snapshot)
    print("restored %s from %s" % (service, snapshot["short_id"]))


def command_prune():
    with open(os.path.join(CONFIG_DIR, "retention.json"), encoding="utf-8") as handle:
        retention = json.load(handle)
    argv = ["restic", "forget", "--prune", "--group-by", "host,tags"]
    for key in ("last", "hourly", "daily", "weekly", "monthly", "yearly"):
        if retention.get(key):
            argv += ["--keep-%s" % key, str(int(retention[key]))]
    if len(argv) == 5:
        raise BackupError("retention.json keeps nothing: refusing to forget every snapshot")
    print(run(argv, env=restic_env(), what="restic forget --prune"))


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "run":
            command_run(argv[2])
        elif len(argv) == 3 and argv[1] == "snapshots":
            print(json.dumps(snapshots(load_job(argv[2])), indent=1))
        elif len(argv) >= 3 and argv[1] == "restore":
            rest = [a for a in argv[3:] if a != "--dry-run"]
            if len(rest) > 1:
                raise BackupError("restore SERVICE [SNAPSHOT] [--dry-run]")
            command_restore(argv[2], rest[0] if rest else "latest", "--dry-run" in argv[3:])
        elif len(argv) == 2 and argv[1] == "prune":
            command_prune()
        else:
            sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
            return 2
    except BackupError as exc:
        sys.stderr.write("foundrycloud-backup: %s\n" % exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
