# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ceph_auth
short_description: A cephx client with exactly the declared capabilities; returns its key, never regenerates it
description:
  - Reads the entity with C(ceph auth get -f json) and acts only on the difference.
  - A missing entity is created with C(ceph auth get-or-create) and O(caps); Ceph generates its key.
  - Without O(caps), the entity must exist already; the module then only returns its key and caps (how a client
    host fetches a keyring that the cluster's resources role declared), and fails if it is missing (in check mode
    it only warns and returns no key, since an earlier task of the same run would create it).
  - An existing entity keeps its key. When its capabilities differ from O(caps) (someone changed them by hand, or the
    data changed), they are set to O(caps) with C(ceph auth caps). (C(get-or-create) alone fails when the caps differ.)
  - O(caps) is the whole set; a service missing from it loses its capability.
  - Returns the key, so tasks that register the result should use C(no_log).
  - O(state=absent) removes the entity; C(client.admin) and C(mon.) are never removed.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description: The entity, for example C(client.cinder).
    type: str
    required: true
  caps:
    description:
      - "Capabilities per service (C(mon), C(osd), C(mds), C(mgr)), for example
        C({mon: 'profile rbd', osd: 'profile rbd pool=volumes'})."
      - Left out, the caps are not compared and a missing entity is an error (see above).
      - Whitespace inside a capability string is not significant.
    type: dict
  state:
    description: V(present) creates the entity or corrects its caps; V(absent) removes it (and its key).
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created or changed; RV(key) is V(null) for an entity that would be created.
  diff_mode:
    support: full
    details:
      - The entity and its caps before and after (never the key); V({}) for an entity that does not exist.
seealso:
  - module: foundrycloud.platform.ceph_pool
  - name: Ceph user management
    description: Capabilities and profiles.
    link: https://docs.ceph.com/en/reef/rados/operations/user-management/
extends_documentation_fragment:
  - foundrycloud.platform.ceph
  - action_common_attributes
"""

EXAMPLES = r"""
- name: Cinder's client
  foundrycloud.platform.ceph_auth:
    name: client.cinder
    caps:
      mon: profile rbd
      osd: profile rbd pool=volumes, profile rbd pool=vms, profile rbd-read-only pool=images
      mgr: profile rbd pool=volumes, profile rbd pool=vms
  register: cinder
  no_log: true

- name: Keyring file for it
  ansible.builtin.copy:
    dest: /etc/ceph/ceph.client.cinder.keyring
    content: "[client.cinder]\n\tkey = {{ cinder.key }}\n"
    mode: "0600"
  no_log: true
"""

RETURN = r"""
entity:
  description: The entity name.
  returned: always
  type: str
  sample: client.cinder
key:
  description: The entity's cephx key; V(null) when it does not exist (or, in check mode, would be created).
  returned: always
  type: str
  sample: AQD+yAdrVSCAFxAApv7jcZ2fhcHVFOxP8EgCLw==
caps:
  description: The caps after the task (predicted in check mode); V({}) when the entity does not exist.
  returned: always
  type: dict
  sample: {mon: profile rbd, osd: profile rbd pool=volumes}
action:
  description: V(created), V(caps_updated), V(unchanged), V(deleted) or V(already_absent).
  returned: always
  type: str
  sample: caps_updated
commands:
  description: The Ceph commands run, or in check mode the ones that would run.
  returned: always
  type: list
  elements: str
  sample: ["ceph auth caps client.cinder mon profile rbd osd profile rbd pool=volumes"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ceph import (
    CAP_SERVICES,
    Refused,
    caps_args,
    entity_problem,
    normalize_cap,
    outcome,
    parse_auth,
    run_ceph_module,
)

PROTECTED = ("client.admin", "mon.")


def problems(params):
    found = []
    problem = entity_problem(params["name"])
    if problem:
        found.append("name: %s" % problem)
    caps = params["caps"]
    if params["state"] == "present":
        if caps is not None and not caps:
            found.append("caps must name at least one service (a dict of mon/osd/mds/mgr to a capability string)")
        for service, value in (caps or {}).items():
            if service not in CAP_SERVICES:
                found.append("caps.%s: unknown service (one of %s)" % (service, ", ".join(CAP_SERVICES)))
            elif not isinstance(value, str) or not value.strip():
                found.append("caps.%s must be a non-empty string, got %r" % (service, value))
    elif params["name"] in PROTECTED:
        found.append("%s is never removed by this module" % params["name"])
    return found


def shown(entry):
    return None if entry is None else dict(entity=entry["entity"], caps=entry["caps"])


def ensure(module, cli):
    params = module.params
    name = params["name"]
    existing = cli.auth_get(name)
    if params["state"] == "absent":
        if existing is None:
            action, after = "already_absent", None
        else:
            cli.change(["auth", "rm", name])
            action, after = "deleted", None
    elif params["caps"] is None:
        if existing is None and not module.check_mode:
            raise Refused("%s does not exist; give caps to create it" % name)
        if existing is None:
            # In check mode an earlier task (the resources role) would have created it.
            module.warn("%s does not exist; check mode assumes an earlier task creates it (its key is not known yet)" % name)
        after, action = existing, "unchanged"
    else:
        wanted = dict((service, normalize_cap(value)) for service, value in params["caps"].items())
        if existing is None:
            answer = cli.change(["auth", "get-or-create", name] + caps_args(wanted), json=True)
            after = parse_auth(answer, name) if answer is not None else dict(entity=name, key=None, caps=wanted)
            action = "created"
        elif existing["caps"] != wanted:
            cli.change(["auth", "caps", name] + caps_args(wanted))
            after = dict(existing, caps=wanted)
            action = "caps_updated"
        else:
            after, action = existing, "unchanged"
    return outcome(module, action, shown(existing), shown(after), entity=name,
                   key=after["key"] if after else None, caps=after["caps"] if after else {})


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    caps=dict(type="dict"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    run_ceph_module(AnsibleModule, ARGUMENT_SPEC, "ceph_auth", "name", problems, ensure)


if __name__ == "__main__":
    main()
