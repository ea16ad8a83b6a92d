# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets the roles generate from their own data (not from the service catalog), each
given once: which names and with which spec (length, chars).

The roles call these functions through filters (plugins/filter/secret_specs.py) when they ask the
platform_secret lookup for their secrets; the secret plan (secret_plan.py, ``./foundry secrets``)
calls the same functions offline. So the plan creates exactly the names and specs a run reads.
Every function takes the data as the role sees it and leaves out what the role would not read."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.module_utils import gateway

# The gateway's generated API keys (roles/inference_gateway, namespace GATEWAY_KEY_NAMESPACE);
# module_utils/gateway.py owns them (the placement wires a workspace user's key with them too).
GATEWAY_KEY_NAMESPACE = gateway.KEY_NAMESPACE
GATEWAY_KEY_SPEC = gateway.KEY_SPEC
# The RADOS gateway users' S3 keys (roles/ceph_resources/tasks/rgw.yml), namespace ceph/rgw/<uid>.
RGW_KEY_SPECS = {"access_key": {"length": 20}, "secret_key": {"length": 40}}
# The Ceph cluster's keys (roles/ceph_cluster), namespace CEPH_NAMESPACE.
CEPH_NAMESPACE = "ceph"
CEPHX = {"chars": "cephx"}
FSID_SPEC = {"chars": "hex", "length": 32}


def _present(entry: Mapping) -> bool:
    """An entry without state, or with state present (the roles' rejectattr('state', 'defined')
    + selectattr('state', 'eq', 'present'): a state of none is neither)."""
    return "state" not in entry or entry["state"] == "present"


def gateway_key_secret_specs(api_keys) -> dict:
    """{name: spec} of the gateway API keys that are generated: the mapping entries of
    ``inference_gateway_api_keys`` with a string name, no ``value`` (a given one wins, even an
    empty one) and state present or unset. Entries the gateway_api_keys filter refuses (no
    mapping, no name) are not generated; anything but a list has none."""
    if not isinstance(api_keys, list):
        return {}
    return dict((key["name"], dict(GATEWAY_KEY_SPEC)) for key in api_keys
                if isinstance(key, Mapping) and isinstance(key.get("name"), str) and "value" not in key
                and _present(key))


def rgw_user_namespace(uid) -> str:
    return "ceph/rgw/%s" % uid


def rgw_user_secret_specs(users) -> dict:
    """{uid: {"namespace": "ceph/rgw/<uid>", "specs": {"access_key": ..., "secret_key": ...}}} of
    the RADOS gateway users that are to exist (``ceph_resources_rgw_users`` entries with a uid and
    state present or unset); a user with state absent keeps no keys to read."""
    if not isinstance(users, list):
        return {}
    return dict((user["uid"], {"namespace": rgw_user_namespace(user["uid"]),
                               "specs": dict((name, dict(spec)) for name, spec in RGW_KEY_SPECS.items())})
                for user in users if isinstance(user, Mapping) and user.get("uid") and _present(user))


def ceph_daemon_id(host: str) -> str:
    """A daemon's id: the host name up to its first dot (mon.ceph-1, client.rgw.ceph-2)."""
    return re.sub(r"^([^.]*).*$", r"\1", host)


def ceph_cluster_entity_kinds(mgr_hosts, mds_hosts, rgw_hosts) -> list:
    """[{"entity": name, "kind": kind}] of every cephx entity whose key the cluster keeps in the
    secrets file, in the order they are imported: client.admin (kind admin), client.bootstrap-osd
    (kind bootstrap-osd), then mgr.<id>, mds.<id> and client.rgw.<id> of the hosts of each daemon
    kind (kinds mgr, mds, rgw). The role attaches the caps of the kind; OSD keys are made by
    ``ceph osd new`` and stay in the cluster."""
    return ([{"entity": "client.admin", "kind": "admin"},
             {"entity": "client.bootstrap-osd", "kind": "bootstrap-osd"}]
            + [{"entity": "mgr." + ceph_daemon_id(host), "kind": "mgr"} for host in mgr_hosts or []]
            + [{"entity": "mds." + ceph_daemon_id(host), "kind": "mds"} for host in mds_hosts or []]
            + [{"entity": "client.rgw." + ceph_daemon_id(host), "kind": "rgw"} for host in rgw_hosts or []])


def ceph_cluster_secret_specs(mgr_hosts, mds_hosts, rgw_hosts) -> dict:
    """{name: spec} of the cluster's secrets (namespace ceph): the fsid (32 hex digits, the UUID
    unless ceph_cluster_fsid is set), the monitors' key mon. and the key of every entity of
    ceph_cluster_entity_kinds."""
    specs = {"fsid": dict(FSID_SPEC), "mon.": dict(CEPHX)}
    for entry in ceph_cluster_entity_kinds(mgr_hosts, mds_hosts, rgw_hosts):
        specs[entry["entity"]] = dict(CEPHX)
    return specs
