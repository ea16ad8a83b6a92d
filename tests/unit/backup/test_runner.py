# -*- coding: utf-8 -*-
"""The backup runner (roles/backup/files/foundrycloud-backup) with real restic and a local
repository; the docker command line is a stand-in (fake_docker.py) that keeps the "database" and
the volumes as files, so the runner's order of work and its results can be read back. The
molecule scenario runs it against the real engine, PostgreSQL and n8n."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
RUNNER = ROOT / "roles" / "backup" / "files" / "foundrycloud_backup.py"
FAKE_DOCKER = Path(__file__).resolve().parent / "fake_docker.py"

JOB = {
    "service": "n8n", "project": "n8n", "host": "core-1", "max_age_seconds": 108000, "files": [],
    "hooks": [
        {"name": "database", "container": "postgres", "command": ["pg_dump", "-U", "n8n", "--format=custom", "n8n"],
         "output": "n8n.pgdump", "restore": ["pg_restore", "-U", "n8n", "-d", "n8n", "--clean"]},
        {"name": "data", "volume": "data"},
    ],
}


def restic():
    path = shutil.which("restic")
    assert path, "restic not found: scripts/prepare tools installs Debian's restic"
    return path


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A host with the n8n project, its database and its data volume, a local restic repository."""
    docker_root = tmp_path / "docker"
    for path in ("projects/n8n", "volumes/n8n_data/nodes", "volumes-declared/n8n_data"):
        (docker_root / path).mkdir(parents=True)
    (docker_root / "projects/n8n/compose.yml").write_text("services: {}\n")
    (docker_root / "database").write_text("workflow: hello\n")
    (docker_root / "volumes/n8n_data/config").write_text('{"encryptionKey": "kept"}\n')
    (docker_root / "volumes/n8n_data/nodes/package.json").write_text("{}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text('#!/bin/sh\nexec %s %s "$@"\n' % (sys.executable, FAKE_DOCKER))
    (bin_dir / "docker").chmod(0o755)
    config = tmp_path / "etc"
    (config / "jobs").mkdir(parents=True)
    (config / "restic.password").write_text("a password for the test repository\n")
    (config / "restic.env").write_text("RESTIC_REPOSITORY=%s\nRESTIC_PASSWORD_FILE=%s\nRESTIC_CACHE_DIR=%s\n"
                                       % (tmp_path / "repo", config / "restic.password", tmp_path / "cache"))
    (config / "retention.json").write_text(json.dumps({"daily": 7}))
    job = dict(JOB, metrics_dir=str(tmp_path / "metrics"))
    (config / "jobs" / "n8n.json").write_text(json.dumps(job))
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    monkeypatch.setenv("FAKE_DOCKER_ROOT", str(docker_root))
    monkeypatch.setenv("FOUNDRYCLOUD_BACKUP_CONFIG", str(config))
    monkeypatch.setenv("FOUNDRYCLOUD_BACKUP_STATE", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    restic()
    return {"tmp": tmp_path, "docker": docker_root, "config": config, "metrics": tmp_path / "metrics"}


def runner(*args):
    return subprocess.run([sys.executable, str(RUNNER)] + list(args), capture_output=True, text=True, env=os.environ.copy(),
                          check=False)


def calls(site):
    log = site["docker"] / "calls.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def metrics(site):
    values = {}
    for line in (site["metrics"] / "foundrycloud_backup_n8n.prom").read_text().splitlines():
        if not line.startswith("#"):
            name, value = line.split(" ")
            values[name.split("{")[0]] = float(value)
            assert name.endswith('{service="n8n"}')
    return values


def test_a_run_keeps_the_dump_and_the_volume_in_one_snapshot(site):
    result = runner("run", "n8n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("backup of n8n: snapshot ")
    snapshots = json.loads(runner("snapshots", "n8n").stdout)
    assert len(snapshots) == 1
    assert snapshots[0]["hostname"] == "core-1" and snapshots[0]["tags"] == ["service=n8n"]
    assert str(site["docker"] / "volumes/n8n_data") in snapshots[0]["paths"]
    values = metrics(site)
    assert values["foundrycloud_backup_last_run_success"] == 1
    assert values["foundrycloud_backup_max_age_seconds"] == 108000
    assert values["foundrycloud_backup_last_success_timestamp_seconds"] == values["foundrycloud_backup_last_run_timestamp_seconds"]
    # The first run initialised the repository; the dump ran in the postgres container.
    assert (site["tmp"] / "repo" / "config").exists()
    assert ["compose", "--project-directory", str(site["docker"] / "projects/n8n"), "-f",
            str(site["docker"] / "projects/n8n/compose.yml"), "-p", "n8n", "exec", "-T", "postgres",
            "pg_dump", "-U", "n8n", "--format=custom", "n8n"] in calls(site)


def test_a_failed_run_says_so_and_keeps_the_last_success(site):
    assert runner("run", "n8n").returncode == 0
    first = metrics(site)["foundrycloud_backup_last_success_timestamp_seconds"]
    os.environ["FAKE_DOCKER_FAIL"] = "pg_dump"
    try:
        result = runner("run", "n8n")
    finally:
        del os.environ["FAKE_DOCKER_FAIL"]
    assert result.returncode == 1
    assert "foundrycloud-backup: dump database of n8n failed (exit 1): error: pg_dump failed on purpose" in result.stderr
    values = metrics(site)
    assert values["foundrycloud_backup_last_run_success"] == 0
    assert values["foundrycloud_backup_last_success_timestamp_seconds"] == first
    assert len(json.loads(runner("snapshots", "n8n").stdout)) == 1


def test_restore_puts_back_the_database_and_the_volume_in_order(site):
    assert runner("run", "n8n").returncode == 0
    (site["docker"] / "database").write_text("workflow: broken\n")
    shutil.rmtree(site["docker"] / "volumes/n8n_data")        # the volume is lost
    shutil.rmtree(site["docker"] / "projects/n8n")            # with its containers: Docker knows no project n8n
    (site["docker"] / "calls.log").unlink()
    result = runner("restore", "n8n")
    assert result.returncode == 0, result.stderr
    assert (site["docker"] / "database").read_text() == "workflow: hello\n"
    assert (site["docker"] / "volumes/n8n_data/config").read_text() == '{"encryptionKey": "kept"}\n'
    assert (site["docker"] / "volumes/n8n_data/nodes/package.json").exists()
    steps = [c[c.index("n8n") + 1:] for c in calls(site) if c[0] == "compose" and "-p" in c]
    # The project directory came from the snapshot's manifest.
    assert next(c for c in calls(site) if "-p" in c)[2] == str(site["docker"] / "projects/n8n")
    assert steps == [["stop"], ["up", "--no-start"], ["up", "-d", "--wait", "postgres"],
                     ["exec", "-T", "postgres", "pg_restore", "-U", "n8n", "-d", "n8n", "--clean"], ["up", "-d", "--wait"]]


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(site):
    assert runner("run", "n8n").returncode == 0
    (site["docker"] / "database").write_text("workflow: changed\n")
    (site["docker"] / "calls.log").unlink()
    result = runner("restore", "n8n", "latest", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "  stop the containers of project n8n" in result.stdout
    assert "  put back volume data" in result.stdout
    assert "  put back n8n.pgdump with: pg_restore -U n8n -d n8n --clean (in postgres started alone)" in result.stdout
    assert "(dry run: nothing changed)" in result.stdout
    assert (site["docker"] / "database").read_text() == "workflow: changed\n"
    assert calls(site) == []


def test_restore_names_a_missing_snapshot(site):
    assert "n8n on core-1 has no snapshot" in runner("restore", "n8n", "--dry-run").stderr
    assert runner("run", "n8n").returncode == 0
    result = runner("restore", "n8n", "deadbeef", "--dry-run")
    assert result.returncode == 1 and "snapshot 'deadbeef' of n8n: not found (snapshots: " in result.stderr


def test_an_unknown_service_is_named(site):
    result = runner("run", "nope")
    assert result.returncode == 1
    assert "no backup job for nope on this host (jobs: n8n)" in result.stderr


def test_prune_forgets_only_beyond_the_retention(site):
    for attempt in range(2):
        assert runner("run", "n8n").returncode == 0, attempt
    (site["config"] / "retention.json").write_text(json.dumps({"last": 1}))
    assert runner("prune").returncode == 0
    assert len(json.loads(runner("snapshots", "n8n").stdout)) == 1
    (site["config"] / "retention.json").write_text(json.dumps({}))
    result = runner("prune")
    assert result.returncode == 1 and "keeps nothing: refusing to forget every snapshot" in result.stderr
