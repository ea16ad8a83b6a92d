# -*- coding: utf-8 -*-
"""A host's backup jobs from the catalog's hooks and the placement (module_utils/backup.py), the
schedule's allowed age and the retention; the catalog's hooks are checked when it loads."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils import backup as bk
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement as pl
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, check_backup, resolve

CATALOG = dict((entry["name"], entry) for entry in resolve(registry="docker.io"))
HOSTS = {
    "core-1": {"platform_address": "10.0.1.10", "central_services_enabled": ["qdrant", "n8n", "guacamole"]},
    "gpu-1": {"ansible_host": "10.0.2.10"},
    "ws-alice": {"platform_address": "10.0.5.11", "workspace_user": "alice"},
}
GROUPS = {"central": ["core-1"], "gpu_nodes": ["gpu-1"], "workspace_vms": ["ws-alice"], "gateway": ["core-1"]}
PLACEMENT = pl.compute(CATALOG, HOSTS, GROUPS, "localai.internal")


def test_every_service_with_hooks_on_the_host_gets_a_job():
    jobs = bk.jobs(CATALOG, PLACEMENT, "core-1")
    assert [job["service"] for job in jobs] == ["gateway", "guacamole", "n8n", "qdrant"]
    n8n = next(job for job in jobs if job["service"] == "n8n")
    assert n8n["project"] == "n8n" and n8n["host"] == "core-1" and n8n["max_age_seconds"] == 30 * 3600
    assert [hook["name"] for hook in n8n["hooks"]] == ["database", "data"]
    assert n8n["hooks"][0]["restore"][0] == "pg_restore"


def test_a_workspace_backs_up_its_local_services():
    jobs = bk.jobs(CATALOG, PLACEMENT, "ws-alice")
    assert [job["service"] for job in jobs] == ["open-webui"]
    assert jobs[0]["hooks"][0]["restore_mode"] == "run"


def test_a_host_without_data_has_no_job_and_the_platform_job_goes_where_asked():
    assert bk.jobs(CATALOG, PLACEMENT, "gpu-1") == []
    jobs = bk.jobs(CATALOG, PLACEMENT, "gpu-1", platform_files=["/var/lib/x/platform.vault.yml", "/var/lib/x/ca.crt"])
    assert jobs == [{"service": "platform", "project": "", "host": "gpu-1", "hooks": [],
                     "files": ["/var/lib/x/ca.crt", "/var/lib/x/platform.vault.yml"], "max_age_seconds": 30 * 3600}]


@pytest.mark.parametrize("schedule, explicit, expected", [
    ("hourly", None, 7200), ("daily", "", 108000), ("weekly", None, 604800 + 151200),
    ("*-*-* 02:00:00", "26h", 93600), ("daily", 3600, 3600), ("daily", "2d", 172800),
])
def test_the_allowed_age(schedule, explicit, expected):
    assert bk.max_age(schedule, explicit) == expected


@pytest.mark.parametrize("call, message", [
    (lambda: bk.max_age("*-*-* 02:00:00"), "backup_schedule '*-*-* 02:00:00' is a calendar expression: set backup_max_age"),
    (lambda: bk.max_age("daily", "a day"), "backup_max_age: 'a day' is not a duration"),
    (lambda: bk.max_age("daily", True), "backup_max_age: True is not a duration"),
    (lambda: bk.retention({"daily": 0}), "backup_retention: keeps no snapshot at all"),
    (lambda: bk.retention({"dayly": 7}), "backup_retention: unknown key(s) dayly"),
    (lambda: bk.retention({"daily": -1}), "backup_retention.daily: must be a count"),
    (lambda: bk.retention([7]), "backup_retention: must map"),
])
def test_wrong_values_are_named(call, message):
    with pytest.raises(bk.BackupPlanError) as error:
        call()
    assert message in str(error.value)


def test_retention_keeps_the_given_counts_in_restics_order():
    assert bk.retention({"monthly": 6, "daily": 7, "weekly": 0}) == {"daily": 7, "monthly": 6}


@pytest.mark.parametrize("hooks, message", [
    ("nope", "backup: must be a list of hooks"),
    ([{"name": "db", "container": "postgres", "command": ["pg_dump"], "output": "x.dump"}], "a dump needs restore"),
    ([{"name": "db", "container": "nope", "command": ["pg_dump"]}], "container 'nope' is not one of the entry's containers"),
    ([{"name": "db", "volume": "nope"}], "volume 'nope' is not one of the entry's volumes"),
    ([{"name": "db", "volume": "data", "command": ["x"]}], "a volume hook has only name, description and volume"),
    ([{"name": "db", "container": "postgres", "command": ["x"], "restore": ["y"]}], "a step without output has nothing to restore"),
    ([{"name": "db", "container": "postgres", "command": ["x"], "output": "a/b", "restore": ["y"]}], "output must be a file name"),
    ([{"name": "db", "container": "postgres", "command": ["x"], "output": "d", "restore": ["y"], "restore_mode": "copy"}],
     "restore_mode must be one of exec, run"),
    ([{"name": "db", "volume": "data"}, {"name": "db", "volume": "data"}], "backup.db: the name is used twice"),
    ([{"name": "db", "volume": "data", "when": "daily"}], "unknown key(s) when"),
])
def test_wrong_hooks_are_named(hooks, message):
    entry = copy.deepcopy(CATALOG["n8n"])
    entry["backup"] = hooks
    with pytest.raises(CatalogError) as error:
        check_backup("n8n", entry)
    assert message in str(error.value) and str(error.value).startswith("service n8n: backup")
