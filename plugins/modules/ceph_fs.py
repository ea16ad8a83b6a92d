# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ceph_fs
short_description: A CephFS filesystem on existing pools, created once and never silently re-pointed
description:
  - Reads the filesystems with C(ceph fs ls -f json) and acts only on the difference. (C(ceph fs new) answers
    success for a filesystem that exists, so the module never relies on it.)
  - A missing filesystem is created with C(ceph fs new) on O(metadata_pool) and the first of O(data_pools); further
    data pools are added with C(ceph fs add_data_pool). The pools must exist (M(foundrycloud.platform.ceph_pool)).
  - An existing filesystem that uses another metadata pool, another default (first) data pool, or data pools not in
    O(data_pools) makes the task fail naming them; nothing is changed. Data pools missing from it are added.
  - Pools that do not exist make the task fail; in check mode only a warning, since an earlier task of the same run
    (M(foundrycloud.platform.ceph_pool)) would create them.
  - O(state=absent) removes the filesystem (C(fs fail), C(fs rm)), and only with O(allow_delete=true); its pools and
    their data stay.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description: Name of the filesystem.
    type: str
    required: true
  metadata_pool:
    description: The metadata pool. Required with O(state=present).
    type: str
  data_pools:
    description: The data pools; the first is the default data pool. Required with O(state=present).
    type: list
    elements: str
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  allow_delete:
    description:
      - The safety catch of O(state=absent); without V(true) an existing filesystem is not removed.
    default: false
    type: bool
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created or changed; RV(commands) lists what would run.
  diff_mode:
    support: full
    details:
      - The filesystem's pools before and after; V({}) for one that does not exist.
notes:
  - A filesystem needs a running MDS (C(ceph-mds)) to be mounted; the module does not check for one.
seealso:
  - module: foundrycloud.platform.ceph_pool
extends_documentation_fragment:
  - foundrycloud.platform.ceph
  - action_common_attributes
"""

EXAMPLES = r"""
- name: Metadata and data pools
  foundrycloud.platform.ceph_pool:
    name: "{{ item }}"
    application: cephfs
    pg_num: 16
  loop: [models_metadata, models_data]

- name: Filesystem for shared AI models
  foundrycloud.platform.ceph_fs:
    name: models
    metadata_pool: models_metadata
    data_pools: [models_data]
"""

RETURN = r"""
filesystem:
  description: The filesystem after the task (predicted in check mode); V(null) when there is none.
  returned: always
  type: dict
  sample: {name: models, metadata_pool: models_metadata, data_pools: [models_data]}
commands:
  description: The Ceph commands run, or in check mode the ones that would run.
  returned: always
  type: list
  elements: str
  sample: ["ceph fs new models models_metadata models_data"]
action:
  description: V(created), V(updated) (data pools added), V(unchanged), V(deleted) or V(already_absent).
  returned: always
  type: str
  sample: created
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ceph import CephError, Refused, outcome, run_ceph_module


def problems(params):
    found = []
    if not params["name"] or not params["name"].replace("-", "").replace("_", "").replace(".", "").isalnum():
        found.append("name %r is not a filesystem name (letters, digits, '.', '_', '-')" % (params["name"],))
    if params["state"] == "present":
        if not params["metadata_pool"]:
            found.append("metadata_pool is required with state=present")
        if not params["data_pools"]:
            found.append("data_pools is required with state=present (a list, the first is the default data pool)")
        elif len(set(params["data_pools"])) != len(params["data_pools"]):
            found.append("data_pools lists a pool twice: %s" % ", ".join(params["data_pools"]))
        elif params["metadata_pool"] in params["data_pools"]:
            found.append("the metadata pool %s cannot also be a data pool" % params["metadata_pool"])
    return found


def read_filesystems(cli):
    listing = cli.expect("ceph fs ls", cli.run(["fs", "ls"]), list, "a list of filesystems")
    filesystems = {}
    for entry in listing:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("data_pools"), list):
            raise CephError("unexpected output from 'ceph fs ls': expected name, metadata_pool and data_pools, got %r" % (entry,),
                            kind="output")
        filesystems[entry["name"]] = dict(name=entry["name"], metadata_pool=entry.get("metadata_pool"),
                                          data_pools=list(entry["data_pools"]))
    return filesystems


def present(cli, params, existing):
    name, metadata, data = params["name"], params["metadata_pool"], params["data_pools"]
    if existing is not None:
        wrong = []
        if existing["metadata_pool"] != metadata:
            wrong.append("metadata pool %s (declared: %s)" % (existing["metadata_pool"], metadata))
        if existing["data_pools"] and existing["data_pools"][0] != data[0]:
            wrong.append("default data pool %s (declared: %s)" % (existing["data_pools"][0], data[0]))
        extra = [pool for pool in existing["data_pools"] if pool not in data]
        if extra:
            wrong.append("data pool(s) %s that are not declared" % ", ".join(extra))
        if wrong:
            raise Refused("filesystem '%s' exists with %s; a filesystem is never re-pointed silently: change data_pools "
                          "or metadata_pool to match, or move the data by hand" % (name, "; ".join(wrong)))
    missing_pools = [pool for pool in [metadata] + data if pool not in cli.pools()]
    if missing_pools:
        message = "pool(s) %s do not exist: create them first (foundrycloud.platform.ceph_pool)" % ", ".join(missing_pools)
        if not cli.module.check_mode:
            raise Refused(message)
        # In check mode an earlier task (ceph_pool) would have created them.
        cli.module.warn("filesystem '%s': %s; check mode assumes an earlier task creates them" % (name, message))
    if existing is None:
        cli.change(["fs", "new", name, metadata, data[0]])
        current = dict(name=name, metadata_pool=metadata, data_pools=[data[0]])
        action = "created"
    else:
        current = dict(existing, data_pools=list(existing["data_pools"]))
        action = "unchanged"
    for pool in data:
        if pool not in current["data_pools"]:
            cli.change(["fs", "add_data_pool", name, pool])
            current["data_pools"].append(pool)
            action = "updated" if action == "unchanged" else action
    return action, current


def ensure(module, cli):
    params = module.params
    name = params["name"]
    existing = read_filesystems(cli).get(name)
    if params["state"] == "present":
        action, after = present(cli, params, existing)
    elif existing is None:
        action, after = "already_absent", None
    elif not params["allow_delete"]:
        raise Refused("refusing to remove filesystem '%s': state=absent needs allow_delete=true as well" % name)
    else:
        cli.change(["fs", "fail", name])
        cli.change(["fs", "rm", name, "--yes-i-really-mean-it"])
        action, after = "deleted", None
    return outcome(module, action, existing, after, filesystem=after)


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    metadata_pool=dict(type="str"),
    data_pools=dict(type="list", elements="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    allow_delete=dict(type="bool", default=False),
)


def main():
    run_ceph_module(AnsibleModule, ARGUMENT_SPEC, "ceph_fs", "name", problems, ensure)


if __name__ == "__main__":
    main()
