# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ceph_rgw_user
short_description: A Ceph Object Gateway (S3) user; returns its S3 keys, keeps existing ones
description:
  - Reads the user with C(radosgw-admin user info) (which exits with 22 when the user is missing) and acts only on
    the difference.
  - A missing user is created with C(radosgw-admin user create); RGW generates an S3 key pair unless O(access_key) and
    O(secret_key) are given.
  - An existing user keeps its keys. Its display name and bucket limit are corrected with C(radosgw-admin user modify);
    a declared key pair that the user lacks (or whose secret differs) is set with C(radosgw-admin key create).
  - Returns the S3 access and secret key, so tasks that register the result should use C(no_log).
  - O(state=absent) removes the user (C(radosgw-admin user rm)); RGW refuses while the user still owns buckets, and
    the task fails with its message. Objects are never purged by this module.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  uid:
    description: The user's ID.
    type: str
    required: true
  display_name:
    description: Display name. Required to create a user; compared when given.
    type: str
  max_buckets:
    description: Maximum number of buckets the user may own (V(0) means unlimited in RGW).
    type: int
  access_key:
    description: An S3 access key the user must have (for example one kept in the vault). Needs O(secret_key).
    type: str
  secret_key:
    description: The S3 secret key for O(access_key).
    type: str
  state:
    description: V(present) creates or corrects the user, V(absent) removes it.
    choices: [present, absent]
    default: present
    type: str
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created or changed; the keys of a user that would be created are V(null) (or the declared ones).
  diff_mode:
    support: full
    details:
      - The user's ID, display name, bucket limit and access key IDs before and after (never secrets).
requirements:
  - C(radosgw-admin) (package C(radosgw)) on the target host.
seealso:
  - name: RGW admin guide
    description: Users, keys and quotas.
    link: https://docs.ceph.com/en/reef/radosgw/admin/
extends_documentation_fragment:
  - foundrycloud.platform.ceph
  - action_common_attributes
"""

EXAMPLES = r"""
- name: S3 user for Langfuse's blob storage
  foundrycloud.platform.ceph_rgw_user:
    uid: langfuse
    display_name: Langfuse blob storage
    max_buckets: 10
  register: langfuse_s3
  no_log: true

- name: S3 user with keys from the customer's vault
  foundrycloud.platform.ceph_rgw_user:
    uid: backups
    display_name: Backups
    access_key: "{{ backups_s3_access_key }}"
    secret_key: "{{ backups_s3_secret_key }}"
  no_log: true
"""

RETURN = r"""
user:
  description: The user after the task (predicted in check mode), without secrets; V(null) when absent.
  returned: always
  type: dict
  sample: {uid: langfuse, display_name: Langfuse, max_buckets: 10, suspended: false, access_keys: [VKH964NTCGCESFPBDPZ4]}
access_key:
  description: The S3 access key (the declared one, else the user's first); V(null) when unknown.
  returned: always
  type: str
  sample: VKH964NTCGCESFPBDPZ4
secret_key:
  description: The secret key of RV(access_key); V(null) when unknown.
  returned: always
  type: str
action:
  description: V(created), V(updated), V(unchanged), V(deleted) or V(already_absent).
  returned: always
  type: str
  sample: created
commands:
  description: The radosgw-admin commands run (or that would run), secrets masked.
  returned: always
  type: list
  elements: str
  sample: ["radosgw-admin user create --uid langfuse --display-name Langfuse --max-buckets 10"]
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ceph import EINVAL, CephError, Refused, outcome, run_ceph_module

UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
RGW = "radosgw-admin"
MASK = "********"


def problems(params):
    found = []
    if not params["uid"] or not UID.match(params["uid"]):
        found.append("uid %r is not a user ID (letters, digits, '_', '.', '@', '-')" % (params["uid"],))
    if (params["access_key"] is None) != (params["secret_key"] is None):
        found.append("access_key and secret_key go together")
    if params["max_buckets"] is not None and params["max_buckets"] < 0:
        found.append("max_buckets must be 0 or more, got %d" % params["max_buckets"])
    if params["display_name"] is not None and not params["display_name"].strip():
        found.append("display_name must not be empty")
    return found


def read_user(cli, uid):
    info = cli.run(["user", "info", "--uid", uid], binary=RGW, missing_rc=EINVAL)
    if info is None:
        return None
    if not isinstance(info, dict) or info.get("user_id") != uid or not isinstance(info.get("keys"), list):
        raise CephError("unexpected output from 'radosgw-admin user info --uid %s': expected the user with user_id and keys" % uid,
                        kind="output")
    return info


def view(info):
    if info is None:
        return None
    return dict(uid=info["user_id"], display_name=info.get("display_name"), max_buckets=info.get("max_buckets"),
                suspended=bool(info.get("suspended")), access_keys=[k.get("access_key") for k in info["keys"]])


def secret_of(info, access_key):
    for key in (info or {}).get("keys", []):
        if access_key is None or key.get("access_key") == access_key:
            return key.get("access_key"), key.get("secret_key")
    return None, None


def key_args(params):
    """(argv part, the same for display) for a declared key pair."""
    if params["access_key"] is None:
        return [], []
    return (["--access-key", params["access_key"], "--secret-key", params["secret_key"]],
            ["--access-key", params["access_key"], "--secret-key", MASK])


def change(cli, verb, uid, options, shown_options):
    args = verb.split() + ["--uid", uid] + options
    return cli.change(args, binary=RGW, json=True, shown=cli.describe(verb.split() + ["--uid", uid] + shown_options, RGW))


def present(cli, params, existing):
    uid = params["uid"]
    keys, shown_keys = key_args(params)
    settings = []
    if params["max_buckets"] is not None:
        settings += ["--max-buckets", str(params["max_buckets"])]
    if existing is None:
        if not params["display_name"]:
            raise Refused("display_name is required to create user '%s'" % uid)
        options = ["--display-name", params["display_name"]] + settings
        info = change(cli, "user create", uid, options + keys, options + shown_keys)
        if info is None:  # check mode
            info = dict(user_id=uid, display_name=params["display_name"], max_buckets=params["max_buckets"], suspended=0,
                        keys=[dict(access_key=params["access_key"], secret_key=params["secret_key"])] if keys else [])
        return "created", info
    info = existing
    action = "unchanged"
    modify = []
    if params["display_name"] is not None and existing.get("display_name") != params["display_name"]:
        modify += ["--display-name", params["display_name"]]
    if params["max_buckets"] is not None and existing.get("max_buckets") != params["max_buckets"]:
        modify += ["--max-buckets", str(params["max_buckets"])]
    if modify:
        info = change(cli, "user modify", uid, modify, modify) or dict(
            existing, display_name=params["display_name"] or existing.get("display_name"),
            max_buckets=params["max_buckets"] if params["max_buckets"] is not None else existing.get("max_buckets"))
        action = "updated"
    if keys and secret_of(info, params["access_key"]) != (params["access_key"], params["secret_key"]):
        others = [k for k in info["keys"] if k.get("access_key") != params["access_key"]]
        info = change(cli, "key create", uid, ["--key-type", "s3"] + keys, ["--key-type", "s3"] + shown_keys) or dict(
            info, keys=others + [dict(access_key=params["access_key"], secret_key=params["secret_key"])])
        action = "updated"
    return action, info


def ensure(module, cli):
    params = module.params
    uid = params["uid"]
    existing = read_user(cli, uid)
    if params["state"] == "present":
        action, info = present(cli, params, existing)
    elif existing is None:
        action, info = "already_absent", None
    else:
        cli.change(["user", "rm", "--uid", uid], binary=RGW)
        action, info = "deleted", None
    access_key, secret_key = secret_of(info, params["access_key"]) if info else (None, None)
    return outcome(module, action, view(existing), view(info), user=view(info), access_key=access_key, secret_key=secret_key)


ARGUMENT_SPEC = dict(
    uid=dict(type="str", required=True),
    display_name=dict(type="str"),
    max_buckets=dict(type="int"),
    access_key=dict(type="str", no_log=False),
    secret_key=dict(type="str", no_log=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    run_ceph_module(AnsibleModule, ARGUMENT_SPEC, "ceph_rgw_user", "uid", problems, ensure)


if __name__ == "__main__":
    main()
