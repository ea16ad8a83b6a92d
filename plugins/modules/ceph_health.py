# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ceph_health
short_description: Wait until a Ceph cluster is healthy and all its placement groups are active+clean
description:
  - Reads C(ceph status -f json) until the cluster passes the health gate, or O(timeout) seconds have passed.
  - The gate passes when the health is C(HEALTH_OK), or C(HEALTH_WARN) with only checks listed in O(allowed_checks) (or
    muted ones); and, with O(require_active_clean), when every placement group is C(active+clean) (scrubbing is fine)
    and none is still being created or of unknown state.
  - Fails when the time is up, with the reasons the gate did not pass (the checks and their messages, the PG states),
    or at once when the Ceph CLI is missing. A cluster that does not answer is asked again until the time is up.
  - Changes nothing.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  timeout:
    description:
      - Seconds to wait for the gate to pass. V(0) reads the status once.
    type: int
    default: 300
  interval:
    description: Seconds between two reads of the status.
    type: int
    default: 5
  allowed_checks:
    description:
      - Health checks that may be present in C(HEALTH_WARN) without failing the gate, for example C(OSDMAP_FLAGS) while
        C(noout) is set on purpose, or C(POOL_NO_REDUNDANCY) on a one-node lab.
      - C(HEALTH_ERR) never passes.
    type: list
    elements: str
    default: []
  require_active_clean:
    description:
      - Also require every placement group to be C(active+clean) and none creating or unknown.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details:
      - The status is read and waited for in check mode too; it changes nothing.
  diff_mode:
    support: none
seealso:
  - name: Ceph health checks
    description: The names of the checks O(allowed_checks) takes.
    link: https://docs.ceph.com/en/reef/rados/operations/health-checks/
extends_documentation_fragment:
  - foundrycloud.platform.ceph
  - action_common_attributes
"""

EXAMPLES = r"""
- name: Wait for HEALTH_OK and all PGs active+clean
  foundrycloud.platform.ceph_health:
    timeout: 600

- name: Health gate during a rolling restart (noout is set on purpose)
  foundrycloud.platform.ceph_health:
    allowed_checks: [OSDMAP_FLAGS]
    timeout: 300
    interval: 3
"""

RETURN = r"""
ok:
  description: Whether the gate passed (always true when the task succeeds).
  returned: always
  type: bool
  sample: true
health:
  description: The cluster's health status at the last read, V(null) if it never answered.
  returned: always
  type: str
  sample: HEALTH_OK
checks:
  description: The health checks present at the last read, name to message.
  returned: always
  type: dict
  sample:
    OSDMAP_FLAGS: noout flag(s) set
reasons:
  description: Why the gate did not pass at the last read; empty when it passed.
  returned: always
  type: list
  elements: str
  sample: ["PGs not active+clean: 8 unknown"]
pgs_by_state:
  description: Number of placement groups per state at the last read.
  returned: always
  type: dict
  sample:
    active+clean: 97
num_pgs:
  description: Number of placement groups.
  returned: always
  type: int
  sample: 97
osds:
  description: Number of OSDs, and how many are up and in.
  returned: always
  type: dict
  sample: {num: 3, up: 3, in: 3}
quorum_names:
  description: Monitors in quorum.
  returned: always
  type: list
  elements: str
  sample: [ceph1, ceph2, ceph3]
fsid:
  description: The cluster's fsid.
  returned: always
  type: str
  sample: af717333-cd05-442f-934a-60d551e62454
waited:
  description: Seconds spent waiting.
  returned: always
  type: float
  sample: 12.5
attempts:
  description: Number of reads of the status.
  returned: always
  type: int
  sample: 3
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ceph import (
    CephError,
    ceph_module,
    health_gate,
    pgs_summary,
)


def summary(status):
    """The return values describing one ``ceph status``."""
    health = status.get("health") or {}
    osdmap = status.get("osdmap") or {}
    osdmap = osdmap.get("osdmap", osdmap)  # older releases nest it once more
    checks = health.get("checks") or {}
    return dict(
        health=health.get("status"),
        checks=dict((name, ((check or {}).get("summary") or {}).get("message", "")) for name, check in checks.items()),
        pgs_by_state=pgs_summary(status),
        num_pgs=(status.get("pgmap") or {}).get("num_pgs", 0),
        osds=dict(num=osdmap.get("num_osds", 0), up=osdmap.get("num_up_osds", 0), **{"in": osdmap.get("num_in_osds", 0)}),
        quorum_names=status.get("quorum_names") or [],
        fsid=status.get("fsid"),
    )


EMPTY = dict(health=None, checks={}, pgs_by_state={}, num_pgs=0, osds=dict(num=0, up=0, **{"in": 0}), quorum_names=[], fsid=None)


def wait(module, cli, timeout, interval, allowed, require_active_clean):
    clock = time.monotonic
    start = clock()
    attempts = 0
    result = dict(EMPTY, ok=False, reasons=[])
    while True:
        attempts += 1
        try:
            status = cli.status()
        except CephError as exc:
            if exc.kind in ("missing_tool", "denied"):
                module.fail_json(msg="Ceph health gate: %s" % exc, **dict(result, attempts=attempts, waited=round(clock() - start, 1)))
            result.update(ok=False, reasons=[str(exc)])
        else:
            ok, reasons = health_gate(status, allowed, require_active_clean)
            result.update(summary(status), ok=ok, reasons=reasons)
            if ok:
                break
        elapsed = clock() - start
        if elapsed + interval > timeout:
            module.fail_json(
                msg="Ceph health gate not passed after %d s: %s" % (round(elapsed), "; ".join(result["reasons"])),
                **dict(result, attempts=attempts, waited=round(elapsed, 1)))
        time.sleep(interval)
    return dict(result, changed=False, attempts=attempts, waited=round(clock() - start, 1))


def main():
    module, cli = ceph_module(AnsibleModule, dict(
        timeout=dict(type="int", default=300),
        interval=dict(type="int", default=5),
        allowed_checks=dict(type="list", elements="str", default=[]),
        require_active_clean=dict(type="bool", default=True),
    ))
    params = module.params
    if params["timeout"] < 0 or params["interval"] < 1:
        module.fail_json(msg="timeout must be 0 or more and interval 1 or more (got timeout=%s, interval=%s)"
                         % (params["timeout"], params["interval"]))
    module.exit_json(**wait(module, cli, params["timeout"], params["interval"], params["allowed_checks"],
                            params["require_active_clean"]))


if __name__ == "__main__":
    main()
