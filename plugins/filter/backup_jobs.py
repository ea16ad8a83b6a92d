# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: a host's backup jobs, from the service catalog's backup hooks and the placement."""

from __future__ import annotations

DOCUMENTATION = r"""
name: backup_jobs
short_description: A host's backup jobs, derived from the service catalog and the placement
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Every service the placement puts on the host (centrally or inside a workspace) whose catalog
    entry has C(backup) hooks gets a job - its hooks in order, the age its last success may
    reach, where its result is written for the node exporter.
  - With O(platform_files), the job C(platform) backs up those files of the host.
  - Checks the schedule, the maximum age and the retention; wrong values fail naming the variable.
options:
  _input:
    description: The catalog entries, as the C(foundrycloud.platform.service_catalog) lookup returns them.
    type: list
    elements: dict
    required: true
  placement:
    description: C(platform_placement).
    type: dict
    required: true
  host:
    description: The host.
    type: str
    required: true
  schedule:
    description: C(backup_schedule) - hourly, daily, weekly or a calendar expression.
    type: str
    default: daily
  max_age:
    description: C(backup_max_age) - required for a calendar expression.
    type: raw
  retention:
    description: C(backup_retention).
    type: dict
    default: {daily: 7, weekly: 4, monthly: 6}
  platform_files:
    description: Paths on the host of the platform's own files to back up (job C(platform)).
    type: list
    elements: str
    default: []
  metrics_directory:
    description: The node exporter's textfile directory.
    type: str
    default: /var/lib/prometheus/node-exporter
"""

EXAMPLES = r"""
- name: Compute the host's backup jobs
  ansible.builtin.set_fact:
    backup_computed: >-
      {{ query('foundrycloud.platform.service_catalog')
         | foundrycloud.platform.backup_jobs(platform_placement, inventory_hostname, schedule='daily') }}
"""

RETURN = r"""
_value:
  description: The jobs and the retention.
  type: dict
  contains:
    jobs: {description: "[{service, project, host, hooks, files, max_age_seconds, metrics_dir}]", type: list}
    secret: {description: "The repository password's namespace and specs, for the platform_secret lookup.", type: dict}
    retention: {description: restic forget's --keep-* counts., type: dict}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.backup import (
    SECRET_NAMESPACE,
    SECRET_SPECS,
    BackupPlanError,
    jobs,
    retention as keep,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, by_name


def backup_jobs(catalog, placement, host, schedule="daily", max_age=None, retention=None, platform_files=None,
                metrics_directory="/var/lib/prometheus/node-exporter"):
    try:
        found = jobs(by_name(catalog, "backup_jobs: the input"), placement, host, schedule, max_age,
                     platform_files or [])
        kept = keep(retention if retention is not None else {"daily": 7, "weekly": 4, "monthly": 6})
    except CatalogError as exc:
        raise AnsibleFilterError(str(exc)) from None
    except BackupPlanError as exc:
        raise AnsibleFilterError("host %s: %s" % (host, exc)) from None
    for job in found:
        job["metrics_dir"] = metrics_directory
    return {"jobs": found, "retention": kept, "secret": {"namespace": SECRET_NAMESPACE, "specs": SECRET_SPECS}}


class FilterModule:

    def filters(self):
        return {"backup_jobs": backup_jobs}
