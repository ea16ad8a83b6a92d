# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Ceph node holds, as JSON, read before the role changes anything (run as
`python3 ceph_node_state.py ID FSID [DEVICE...]` by the ceph_cluster role; changes nothing).

Prints one JSON object:
  mon: the monitor ID has a store; osds: this cluster's OSDs found in /var/lib/ceph/osd
  (id, uuid); devices: per DEVICE whether it exists, which of this cluster's OSDs it is
  (ceph-volume lvm/raw list), another cluster's fsid, and the signatures wipefs finds
  (filesystem, partition table, LVM); configured: daemons of this host existed before.
"""

import glob
import json
import os
import subprocess
import sys


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return None


def run_json(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    if done.returncode != 0:
        return None, (done.stderr or done.stdout).strip()[-500:]
    try:
        return json.loads(done.stdout or "{}"), None
    except ValueError:
        return None, "unexpected output of %s" % " ".join(argv)


def local_osds(fsid):
    osds = []
    for directory in sorted(glob.glob("/var/lib/ceph/osd/ceph-*")):
        whoami = read(os.path.join(directory, "whoami"))
        if whoami is None or not whoami.isdigit():
            continue
        if read(os.path.join(directory, "ceph_fsid")) not in (None, fsid):
            continue
        osds.append({"id": int(whoami), "uuid": read(os.path.join(directory, "fsid")), "path": directory})
    return osds


def volume_osds():
    """{device realpath: (osd id, cluster fsid)} from ceph-volume, lvm and raw."""
    found, errors = {}, []
    lvm, error = run_json(["ceph-volume", "lvm", "list", "--format", "json"])
    if error:
        errors.append("ceph-volume lvm list: %s" % error)
    for osd_id, volumes in (lvm or {}).items():
        for volume in volumes:
            tags = volume.get("tags", {})
            for device in volume.get("devices", []):
                found[os.path.realpath(device)] = (int(osd_id), tags.get("ceph.cluster_fsid"))
    raw, error = run_json(["ceph-volume", "raw", "list", "--format", "json"])
    if error:
        errors.append("ceph-volume raw list: %s" % error)
    for entry in (raw or {}).values():
        if entry.get("device"):
            found[os.path.realpath(entry["device"])] = (int(entry.get("osd_id", -1)), entry.get("ceph_fsid"))
    return found, errors


def device_state(device, fsid, volumes):
    real = os.path.realpath(device)
    state = {"exists": os.path.exists(real), "osd": None, "other_cluster": None, "signatures": []}
    if not state["exists"]:
        return state
    if real in volumes:
        osd_id, cluster = volumes[real]
        if cluster == fsid:
            state["osd"] = osd_id
        else:
            state["other_cluster"] = cluster or "unknown"
    probe, error = run_json(["wipefs", "--no-act", "--json", real])
    if error:
        state["signatures"] = ["unreadable (%s)" % error]
    else:
        state["signatures"] = sorted(set(sig.get("type", "?") for sig in (probe or {}).get("signatures", [])))
    children, _error = run_json(["lsblk", "--json", "--output", "NAME,TYPE", real])
    for disk in (children or {}).get("blockdevices", []):
        if disk.get("children"):
            state["signatures"].append("%d partition(s) or holder(s)" % len(disk["children"]))
    return state


def main(argv):
    daemon_id, fsid, devices = argv[0], argv[1], argv[2:]
    mon_dir = "/var/lib/ceph/mon/ceph-%s" % daemon_id
    state = {
        "mon": os.path.exists(os.path.join(mon_dir, "kv_backend")) or os.path.isdir(os.path.join(mon_dir, "store.db")),
        "osds": local_osds(fsid),
        "devices": {},
        "errors": [],
    }
    keyrings = ["/var/lib/ceph/mgr/ceph-%s/keyring", "/var/lib/ceph/mds/ceph-%s/keyring",
                "/var/lib/ceph/radosgw/ceph-rgw.%s/keyring"]
    # Daemons that ran before this run (a restart applies a changed configuration to them).
    state["configured"] = bool(state["mon"] or state["osds"]
                               or any(os.path.exists(path % daemon_id) for path in keyrings))
    if devices:
        volumes, state["errors"] = volume_osds()
        for device in devices:
            state["devices"][device] = device_state(device, fsid, volumes)
    print(json.dumps(state, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
