# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ceph_pool
short_description: Create a replicated Ceph pool, keep its size, PG count and application as declared
description:
  - Reads the pools with C(ceph osd pool ls detail -f json) and acts only on the difference.
    (C(ceph osd pool create) answers success for a pool that exists, so the module never relies on it.)
  - A missing pool is created (replicated) with O(pg_num) and O(autoscale_mode), then given O(size), O(min_size)
    and its O(application). A pool for RBD gets C(rbd pool init) once, when it does not carry the C(rbd) application yet.
  - An existing pool keeps its data; only O(size), O(min_size), O(pg_num) and O(autoscale_mode) are changed in place
    when they differ, and a missing application is enabled. Options left out are not compared.
  - A pool that already carries another application is not given a second one; the task fails and names both.
  - O(state=absent) deletes the pool and all its data, and only with O(allow_delete=true). It sets
    C(mon_allow_pool_delete) for the deletion and sets it back to false afterwards when it was false before.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description: Name of the pool.
    type: str
    required: true
  state:
    description:
      - V(present) creates the pool if missing and corrects its settings; V(absent) deletes it (needs O(allow_delete)).
    type: str
    choices: [present, absent]
    default: present
  application:
    description:
      - The application the pool is for, V(rbd), V(cephfs), V(rgw) or another name.
      - V(rbd) pools are initialised with C(rbd pool init). CephFS pools get their C(cephfs) application from
        C(ceph fs new) as well; setting it here first does no harm.
    type: str
  size:
    description: Number of replicas. V(1) is only accepted for labs (Ceph asks to confirm it, and the module does).
    type: int
  min_size:
    description: Replicas that must be available for I/O. Set after O(size) (changing the size resets it in Ceph).
    type: int
  pg_num:
    description:
      - Number of placement groups. Not together with O(autoscale_mode=on), where the autoscaler owns it.
      - A change of an existing pool is applied by Ceph gradually (splitting or merging PGs); data stays.
    type: int
  autoscale_mode:
    description: The PG autoscaler mode of the pool.
    type: str
    choices: ['on', 'off', warn]
  rbd_init:
    description: Run C(rbd pool init) for a pool whose O(application) is V(rbd) and that does not carry it yet.
    type: bool
    default: true
  allow_delete:
    description:
      - Must be V(true) for O(state=absent) to delete an existing pool. A safety catch, so that a mistyped
        O(state) never deletes data.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created, changed or deleted; RV(commands) lists what would run.
  diff_mode:
    support: full
    details:
      - The pool's name, size, min_size, pg_num, autoscale mode and applications before and after; V({}) for no pool.
notes:
  - Erasure-coded pools, CRUSH rules and quotas are not managed.
seealso:
  - module: foundrycloud.platform.ceph_fs
  - name: Ceph pools
    description: Pool settings and their meaning.
    link: https://docs.ceph.com/en/reef/rados/operations/pools/
extends_documentation_fragment:
  - foundrycloud.platform.ceph
  - action_common_attributes
"""

EXAMPLES = r"""
- name: RBD pool for Cinder volumes
  foundrycloud.platform.ceph_pool:
    name: volumes
    application: rbd
    size: 3
    min_size: 2
    pg_num: 32
    autoscale_mode: "off"

- name: Pool whose PG count the autoscaler manages
  foundrycloud.platform.ceph_pool:
    name: backups
    application: rbd
    autoscale_mode: "on"

- name: Delete a pool nobody uses any more (all its data is lost)
  foundrycloud.platform.ceph_pool:
    name: old-images
    state: absent
    allow_delete: true
"""

RETURN = r"""
pool:
  description: The pool after the task (predicted in check mode); V(null) when it does not exist.
  returned: always
  type: dict
  sample:
    name: volumes
    size: 3
    min_size: 2
    pg_num: 32
    pg_autoscale_mode: "off"
    applications: [rbd]
action:
  description: V(created), V(updated), V(unchanged), V(deleted) or V(already_absent) (what would be done in check mode).
  returned: always
  type: str
  sample: created
commands:
  description: The Ceph commands run, or in check mode the ones that would run.
  returned: always
  type: list
  elements: str
  sample: ["ceph osd pool create volumes 32 32 replicated --autoscale-mode=off", "ceph osd pool set volumes size 3"]
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ceph import Refused, outcome, run_ceph_module

POOL_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
MAX_PG_NUM = 32768


def problems(params):
    name = params["name"]
    found = []
    if not name or not POOL_NAME.match(name):
        found.append("name %r is not a pool name (letters, digits, '.', '_', '-')" % (name,))
    for key, low, high in (("size", 1, 10), ("min_size", 1, 10), ("pg_num", 1, MAX_PG_NUM)):
        value = params[key]
        if value is not None and not low <= value <= high:
            found.append("%s must be between %d and %d, got %d" % (key, low, high, value))
    if params["size"] and params["min_size"] and params["min_size"] > params["size"]:
        found.append("min_size (%d) must not be larger than size (%d)" % (params["min_size"], params["size"]))
    if params["pg_num"] is not None and params["autoscale_mode"] == "on":
        found.append("pg_num and autoscale_mode=on exclude each other: the autoscaler would change pg_num back")
    if params["application"] is not None and not POOL_NAME.match(params["application"]):
        found.append("application %r is not an application name" % (params["application"],))
    return found


def view(pool):
    """What the module compares and reports of a pool from ``osd pool ls detail``."""
    if pool is None:
        return None
    return dict(name=pool["pool_name"], size=pool.get("size"), min_size=pool.get("min_size"),
                pg_num=pool.get("pg_num_target", pool.get("pg_num")), pg_autoscale_mode=pool.get("pg_autoscale_mode"),
                applications=sorted(pool.get("application_metadata") or {}))


def set_value(cli, name, key, value):
    args = ["osd", "pool", "set", name, key, str(value)]
    if key == "size" and value == 1:
        args.append("--yes-i-really-mean-it")
    cli.change(args)


def ensure_application(cli, params, current):
    name, app = params["name"], params["application"]
    if app is None or app in current["applications"]:
        return
    if current["applications"]:
        raise Refused("pool '%s' already carries application(s) %s; not adding '%s' (a pool serves one application; "
                      "use another pool, or change it by hand if this is really meant)"
                      % (name, ", ".join(current["applications"]), app))
    if app == "rbd" and params["rbd_init"]:
        cli.change(["pool", "init", name], binary="rbd")
    else:
        cli.change(["osd", "pool", "application", "enable", name, app])
    current["applications"] = sorted(current["applications"] + [app])


def present(cli, params, existing):
    name = params["name"]
    wanted = dict((key, params[key]) for key in ("size", "min_size", "pg_num") if params[key] is not None)
    if params["autoscale_mode"] is not None:
        wanted["pg_autoscale_mode"] = params["autoscale_mode"]
    if existing is None:
        args = ["osd", "pool", "create", name]
        if params["pg_num"] is not None:
            args += [params["pg_num"], params["pg_num"], "replicated"]
        if params["autoscale_mode"] is not None:
            args.append("--autoscale-mode=%s" % params["autoscale_mode"])
        cli.change(args)
        after = dict(name=name, size=None, min_size=None, pg_num=params["pg_num"], pg_autoscale_mode=params["autoscale_mode"],
                     applications=[])
        if cli.module.check_mode:
            current = after
        else:
            current = view(cli.pools().get(name))
            if current is None:
                raise Refused("pool '%s' is not listed after 'ceph osd pool create'" % name)
        action = "created"
    else:
        current = view(existing)
        action = "unchanged"
    before = dict(current)
    for key in ("size", "min_size", "pg_num", "pg_autoscale_mode"):
        if key in wanted and current.get(key) != wanted[key]:
            # size first: Ceph resets min_size when the size changes.
            set_value(cli, name, key, wanted[key])
            current[key] = wanted[key]
            if key == "size" and "min_size" not in wanted:
                current["min_size"] = wanted[key] - wanted[key] // 2
    ensure_application(cli, params, current)
    if action == "unchanged" and current != before:
        action = "updated"
    return action, (None if existing is None else view(existing)), current


def absent(cli, params, existing):
    name = params["name"]
    if existing is None:
        return "already_absent", None, None
    if not params["allow_delete"]:
        raise Refused("refusing to delete pool '%s' and all its data: state=absent needs allow_delete=true as well" % name)
    if cli.module.check_mode:
        cli.changes += ["ceph config set mon mon_allow_pool_delete true",
                        "ceph osd pool rm %s %s --yes-i-really-really-mean-it" % (name, name)]
        return "deleted", view(existing), None
    allowed = cli.run(["config", "get", "mon", "mon_allow_pool_delete"])
    allowed = allowed is True or str(allowed).lower() == "true"
    if not allowed:
        cli.change(["config", "set", "mon", "mon_allow_pool_delete", "true"])
    try:
        cli.change(["osd", "pool", "rm", name, name, "--yes-i-really-really-mean-it"])
    finally:
        if not allowed:
            cli.change(["config", "set", "mon", "mon_allow_pool_delete", "false"])
    return "deleted", view(existing), None


def ensure(module, cli):
    params = module.params
    existing = cli.pools().get(params["name"])
    handler = present if params["state"] == "present" else absent
    action, before, after = handler(cli, params, existing)
    return outcome(module, action, before, after, pool=after)


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    application=dict(type="str"),
    size=dict(type="int"),
    min_size=dict(type="int"),
    pg_num=dict(type="int"),
    autoscale_mode=dict(type="str", choices=["on", "off", "warn"]),
    rbd_init=dict(type="bool", default=True),
    allow_delete=dict(type="bool", default=False),
)


def main():
    run_ceph_module(AnsibleModule, ARGUMENT_SPEC, "ceph_pool", "name", problems, ensure)


if __name__ == "__main__":
    main()
