# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup jobs of a host, derived from the service catalog's backup hooks and the placement
(issue 20): every service the host runs (centrally, or inside a workspace) that has hooks gets a
job, run by its own timer; the platform's own files (the secrets file, the CA) get one on the
host the inventory names. The role ``backup`` writes the jobs for ``foundrycloud-backup``."""

from __future__ import annotations

import re

# systemd's shorthands and the interval each stands for.
SCHEDULE_INTERVALS = {"hourly": 3600, "daily": 86400, "weekly": 604800}
DURATION = re.compile(r"^(\d+)([smhdw])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
RETENTION_KEYS = ("last", "hourly", "daily", "weekly", "monthly", "yearly")
PLATFORM_JOB = "platform"
# The repository's password: one per site, generated once into the secrets file. Without it no
# snapshot can be read: the secrets file (in the inventory's repository) must outlive the hosts.
SECRET_NAMESPACE = "backup"
SECRET_SPECS = {"restic_password": {"length": 48}}


class BackupPlanError(ValueError):
    """Wrong backup data; the message names the variable."""


def seconds(value, variable):
    """A duration (``36h``, ``2d``, or seconds) in seconds."""
    if isinstance(value, bool):
        raise BackupPlanError("%s: %r is not a duration (e.g. 36h, 2d)" % (variable, value))
    if isinstance(value, int) and value > 0:
        return value
    match = DURATION.match(str(value).strip())
    if not match or int(match.group(1)) == 0:
        raise BackupPlanError("%s: %r is not a duration (e.g. 36h, 2d)" % (variable, value))
    return int(match.group(1)) * UNITS[match.group(2)]


def max_age(schedule, explicit=None):
    """The age of the last success beyond which the backup counts as too old: given, or the
    schedule's interval plus a quarter of it (at least an hour) for a late or slow run."""
    if explicit not in (None, ""):
        return seconds(explicit, "backup_max_age")
    if schedule not in SCHEDULE_INTERVALS:
        raise BackupPlanError("backup_schedule %r is a calendar expression: set backup_max_age, the age of the last "
                              "success that is still fine (e.g. 36h)" % (schedule,))
    interval = SCHEDULE_INTERVALS[schedule]
    return interval + max(3600, interval // 4)


def retention(value):
    """restic forget's --keep-* counts; refuses a retention that keeps nothing."""
    if not isinstance(value, dict):
        raise BackupPlanError("backup_retention: must map %s to counts, got %r" % (", ".join(RETENTION_KEYS), value))
    unknown = sorted(set(value) - set(RETENTION_KEYS))
    if unknown:
        raise BackupPlanError("backup_retention: unknown key(s) %s (known: %s)" % (", ".join(unknown), ", ".join(RETENTION_KEYS)))
    for key, count in value.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BackupPlanError("backup_retention.%s: must be a count (0 or more), got %r" % (key, count))
    if not any(value.values()):
        raise BackupPlanError("backup_retention: keeps no snapshot at all; a prune would forget every backup")
    return dict((key, value[key]) for key in RETENTION_KEYS if value.get(key))


def jobs(catalog, placement, host, schedule="daily", explicit_max_age=None, platform_files=None):
    """[{service, project, host, hooks, files, max_age_seconds}] of ``host``: its central and
    local services that have backup hooks, and, when ``platform_files`` is given, the job
    ``platform`` for those files."""
    entry = (placement.get("hosts") or {}).get(host) or {}
    age = max_age(schedule, explicit_max_age)
    result = []
    for name in sorted(set(entry.get("central") or []) | set(entry.get("local") or [])):
        hooks = (catalog.get(name) or {}).get("backup") or []
        if hooks:
            result.append({"service": name, "project": name, "host": host, "hooks": hooks, "files": [],
                           "max_age_seconds": age})
    if platform_files:
        result.append({"service": PLATFORM_JOB, "project": "", "host": host, "hooks": [],
                       "files": sorted(platform_files), "max_age_seconds": age})
    return result
