# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the backups: the schedule, the age that counts as too old and the retention of every
host of the backup role, checked with the functions the role's filter runs (module_utils/
backup.py)."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils.backup import BackupPlanError, max_age, retention
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value


def check_backup(ctx) -> list[str]:
    errors = []
    for host in ctx.role_hosts.get("backup", []):
        schedule = role_value(ctx, host, "backup", "backup_schedule")
        age = role_value(ctx, host, "backup", "backup_max_age", "")
        kept = role_value(ctx, host, "backup", "backup_retention")
        try:
            if UNKNOWN not in (schedule, age):
                max_age(schedule, age)
            if kept is not UNKNOWN:
                retention(kept)
        except BackupPlanError as exc:
            errors.append("host %s: %s" % (host, exc))
    return errors
