# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Ceph 18 cluster behind ``module.run_command`` for the Ceph module tests.

It answers the commands the modules send (``ceph``, ``rbd``, ``radosgw-admin``) from a small
state (pools, auth entities, filesystems, RGW users, config) with the output shapes, exit codes
and error lines recorded from a real Ceph 18.2.7 cluster (tests/unit/fixtures/ceph/*.json,
see the README.md there). ``fake.fail_next(prefix, fixture)`` makes the next command starting
with ``prefix`` answer a recorded failure instead (cluster down, timeout, garbage).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ollama_http_fixtures import run_module

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ceph"
BINARIES = {"/usr/bin/ceph": "ceph", "/usr/bin/rbd": "rbd", "/usr/bin/radosgw-admin": "radosgw-admin"}
# Connection options the client adds, with the number of values each takes.
CONNECTION_OPTIONS = {"--cluster": 1, "--name": 1, "--keyring": 1, "--conf": 1, "--connect-timeout": 1,
                      "--client-mount-timeout": 1, "--rados-mon-op-timeout": 1}


def recorded(name):
    """(rc, stdout, stderr) of a recorded command."""
    data = json.loads((FIXTURES / (name + ".json")).read_text())
    return data["rc"], data["stdout"], data["stderr"]


def recorded_json(name):
    return json.loads(recorded(name)[1])


POOL_TEMPLATE = [p for p in recorded_json("pool_ls_detail") if p["pool_name"] == "volumes"][0]
RGW_USER_TEMPLATE = recorded_json("rgw_user_create")


class FakeCeph:
    def __init__(self):
        self.pools = {}
        self.auth = {}
        self.filesystems = []
        self.rgw_users = {}
        self.config = {}
        self.rbd_initialised = set()
        self.calls = []
        self.failures = []
        self.status_sequence = []
        self.next_pool_id = 1
        self.key_counter = 0

    # -- set-up helpers --------------------------------------------------------------------------
    def add_pool(self, name, size=3, min_size=2, pg_num=32, autoscale="off", applications=None):
        pool = copy.deepcopy(POOL_TEMPLATE)
        pool.update(pool_id=self.next_pool_id, pool_name=name, size=size, min_size=min_size, pg_num=pg_num,
                    pg_num_target=pg_num, pg_placement_num=pg_num, pg_placement_num_target=pg_num,
                    pg_autoscale_mode=autoscale, application_metadata=dict((a, {}) for a in (applications or [])),
                    flags_names="hashpspool")
        self.next_pool_id += 1
        self.pools[name] = pool
        return pool

    def add_auth(self, entity, caps, key=None):
        self.key_counter += 1
        self.auth[entity] = {"entity": entity, "key": key or "AQD+yAdrVSCAFxAApv7jcZ2fhcHVFOxP8EgC%04d==" % self.key_counter,
                             "caps": dict(caps)}
        return self.auth[entity]

    def add_fs(self, name, metadata_pool, data_pools):
        for pool in [metadata_pool] + list(data_pools):
            if pool not in self.pools:
                self.add_pool(pool)
        self.filesystems.append({"name": name, "metadata_pool": metadata_pool, "metadata_pool_id": self.pools[metadata_pool]["pool_id"],
                                 "data_pool_ids": [self.pools[p]["pool_id"] for p in data_pools], "data_pools": list(data_pools)})

    def add_rgw_user(self, uid, display_name, max_buckets=1000, keys=None):
        user = copy.deepcopy(RGW_USER_TEMPLATE)
        self.key_counter += 1
        user.update(user_id=uid, display_name=display_name, max_buckets=max_buckets,
                    keys=keys if keys is not None else [{"user": uid, "access_key": "AK%018d" % self.key_counter,
                                                         "secret_key": "SK%038d" % self.key_counter}])
        self.rgw_users[uid] = user
        return user

    def fail_next(self, prefix, answer, times=1):
        """The next ``times`` commands starting with ``prefix`` (a string) get ``answer`` (fixture name or (rc, out, err))."""
        if isinstance(answer, str):
            answer = recorded(answer)
        self.failures.extend([(prefix, answer)] * times)

    # -- what modules see ------------------------------------------------------------------------
    def get_bin_path(self, name, required=False, opt_dirs=None):
        if name == "timeout":
            return "/usr/bin/timeout"
        return "/usr/bin/" + name

    def writes(self):
        reads = ("status", "osd pool ls", "auth get ", "fs ls", "radosgw-admin user info", "config get")
        return [c for c in self.calls if not c.startswith(reads) or c.startswith("auth get-or-create")]

    def run_command(self, argv, data=None, binary_data=False, check_rc=False, **kwargs):
        argv = list(argv)
        if argv[0] == "/usr/bin/timeout":
            argv = argv[3:]
        binary = BINARIES[argv[0]]
        args = []
        rest = argv[1:]
        index = 0
        while index < len(rest):
            if rest[index] in CONNECTION_OPTIONS:
                index += 1 + CONNECTION_OPTIONS[rest[index]]
                continue
            args.append(rest[index])
            index += 1
        json_out = False
        if args[-2:] == ["--format", "json"]:
            args = args[:-2]
            json_out = True
        line = " ".join(args)
        self.calls.append(line if binary == "ceph" else "%s %s" % (binary, line))
        for number, (prefix, answer) in enumerate(self.failures):
            if self.calls[-1].startswith(prefix):
                del self.failures[number]
                return answer
        handler = getattr(self, "do_" + binary.replace("-", "_"))
        rc, out, err = handler(args, data)
        if rc == 0 and not json_out and out and binary == "ceph":
            out = ""
        return rc, out, err

    # -- ceph --------------------------------------------------------------------------------
    def do_ceph(self, args, data):
        head = " ".join(args[:3])
        if args == ["status"]:
            if self.status_sequence:
                return recorded(self.status_sequence.pop(0))
            return recorded("status_ok")
        if args[:4] == ["osd", "pool", "ls", "detail"]:
            return 0, json.dumps(list(self.pools.values())), ""
        if head == "osd pool create":
            return self.pool_create(args[3:])
        if head == "osd pool set":
            return self.pool_set(args[3], args[4], args[5], args[6:])
        if args[:4] == ["osd", "pool", "application", "enable"]:
            return self.app_enable(args[4], args[5], args[6:])
        if head == "osd pool rm":
            return self.pool_rm(args[3:])
        if args[:2] == ["auth", "get"]:
            entry = self.auth.get(args[2])
            if entry is None:
                return 2, "", "Error ENOENT: failed to find %s in keyring" % args[2]
            return 0, json.dumps([entry]), ""
        if args[:2] == ["auth", "get-or-create"]:
            return self.auth_get_or_create(args[2], args[3:])
        if args[:2] == ["auth", "caps"]:
            if args[2] not in self.auth:
                return 2, "", "Error ENOENT: couldn't find entity '%s'" % args[2]
            self.auth[args[2]]["caps"] = dict(zip(args[3::2], args[4::2]))
            return 0, "", "updated caps for %s" % args[2]
        if args[:2] == ["auth", "rm"]:
            self.auth.pop(args[2], None)
            return 0, "", ""
        if args[:2] == ["fs", "ls"]:
            return 0, json.dumps(self.filesystems), ""
        if args[:2] == ["fs", "new"]:
            return self.fs_new(args[2], args[3], args[4])
        if args[:2] == ["fs", "add_data_pool"]:
            fs = [f for f in self.filesystems if f["name"] == args[2]][0]
            fs["data_pools"].append(args[3])
            fs["data_pool_ids"].append(self.pools[args[3]]["pool_id"])
            return 0, "", "added data pool %d to fsmap" % self.pools[args[3]]["pool_id"]
        if args[:2] == ["fs", "fail"]:
            return 0, "", "%s marked not joinable; MDS cannot join the cluster. All MDS ranks marked failed." % args[2]
        if args[:2] == ["fs", "rm"]:
            self.filesystems = [f for f in self.filesystems if f["name"] != args[2]]
            return 0, "", ""
        if args[:3] == ["config", "get", "mon"]:
            return 0, json.dumps(self.config.get(args[3], False)), ""
        if args[:3] == ["config", "set", "mon"]:
            self.config[args[3]] = args[4] == "true"
            return 0, "", ""
        if args[:3] == ["config", "rm", "mon"]:
            self.config.pop(args[3], None)
            return 0, "", ""
        raise AssertionError("the fake does not know: ceph %s" % " ".join(args))

    def pool_create(self, args):
        name = args[0]
        if name in self.pools:
            return 0, "", "pool '%s' already exists" % name
        pg_num = int(args[1])
        autoscale = [a.split("=", 1)[1] for a in args if a.startswith("--autoscale-mode=")]
        self.add_pool(name, size=3, min_size=2, pg_num=pg_num, autoscale=autoscale[0] if autoscale else "on")
        return 0, "", "pool '%s' created" % name

    def pool_set(self, name, key, value, extra):
        pool = self.pools.get(name)
        if pool is None:
            return 2, "", "Error ENOENT: unrecognized pool '%s'" % name
        if key == "size":
            if value == "1" and "--yes-i-really-mean-it" not in extra:
                return recorded("pool_set_size")
            pool["size"] = int(value)
            pool["min_size"] = int(value) - int(value) // 2
        elif key == "min_size":
            pool["min_size"] = int(value)
        elif key == "pg_num":
            pool["pg_num_target"] = int(value)
        elif key == "pg_autoscale_mode":
            pool["pg_autoscale_mode"] = value
        else:
            raise AssertionError("the fake does not know pool key %s" % key)
        return 0, "", "set pool %d %s to %s" % (pool["pool_id"], key, value)

    def app_enable(self, name, app, extra):
        pool = self.pools[name]
        if pool["application_metadata"] and app not in pool["application_metadata"] and "--yes-i-really-mean-it" not in extra:
            return recorded("app_enable_custom")
        pool["application_metadata"].setdefault(app, {})
        return 0, "", "enabled application '%s' on pool '%s'" % (app, name)

    def pool_rm(self, args):
        if not self.config.get("mon_allow_pool_delete"):
            return recorded("pool_rm_refused")
        self.pools.pop(args[0], None)
        return 0, "", "pool '%s' removed" % args[0]

    def auth_get_or_create(self, entity, caps_args):
        caps = dict(zip(caps_args[::2], caps_args[1::2]))
        entry = self.auth.get(entity)
        if entry is not None and entry["caps"] != caps:
            service = sorted(set(caps) ^ set(entry["caps"]) | set(s for s in caps if caps.get(s) != entry["caps"].get(s)))[0]
            return 22, "", "Error EINVAL: key for %s exists but cap %s does not match" % (entity, service)
        entry = entry or self.add_auth(entity, caps)
        return 0, json.dumps([entry]), ""

    def fs_new(self, name, metadata, data):
        if any(f["name"] == name for f in self.filesystems):
            return 0, "", "filesystem '%s' already exists" % name
        self.add_fs(name, metadata, [data])
        self.pools[metadata]["application_metadata"]["cephfs"] = {"metadata": name}
        self.pools[data]["application_metadata"]["cephfs"] = {"data": name}
        return 0, "", "new fs with metadata pool %d and data pool %d" % (self.pools[metadata]["pool_id"], self.pools[data]["pool_id"])

    # -- rbd ---------------------------------------------------------------------------------
    def do_rbd(self, args, data):
        if args[:2] == ["pool", "init"]:
            self.rbd_initialised.add(args[2])
            self.pools[args[2]]["application_metadata"].setdefault("rbd", {})
            return 0, "", ""
        raise AssertionError("the fake does not know: rbd %s" % " ".join(args))

    # -- radosgw-admin -----------------------------------------------------------------------
    def do_radosgw_admin(self, args, data):
        options = dict(zip(args[2::2], args[3::2]))
        uid = options.get("--uid")
        user = self.rgw_users.get(uid)
        verb = " ".join(args[:2])
        if verb == "user info":
            if user is None:
                return recorded("rgw_user_info_missing")
            return 0, json.dumps(user, indent=4), ""
        if verb == "user create":
            if user is not None:
                return recorded("rgw_user_create_again")
            user = self.add_rgw_user(uid, options["--display-name"], int(options.get("--max-buckets", 1000)))
            if "--access-key" in options:
                user["keys"] = [{"user": uid, "access_key": options["--access-key"], "secret_key": options["--secret-key"]}]
            return 0, json.dumps(user, indent=4), ""
        if verb == "user modify":
            if "--display-name" in options:
                user["display_name"] = options["--display-name"]
            if "--max-buckets" in options:
                user["max_buckets"] = int(options["--max-buckets"])
            return 0, json.dumps(user, indent=4), ""
        if verb == "key create":
            user["keys"].append({"user": uid, "access_key": options["--access-key"], "secret_key": options["--secret-key"]})
            return 0, json.dumps(user, indent=4), ""
        if verb == "user rm":
            self.rgw_users.pop(uid, None)
            return 0, "", ""
        raise AssertionError("the fake does not know: radosgw-admin %s" % " ".join(args))


def install(monkeypatch, fake=None):
    """Route AnsibleModule.run_command and get_bin_path of every module to a FakeCeph."""
    from ansible.module_utils import basic

    fake = fake or FakeCeph()
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, *a, **k: fake.run_command(*a, **k))
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, *a, **k: fake.get_bin_path(name, *a, **k))
    return fake


@pytest.fixture
def ceph(monkeypatch):
    """A FakeCeph behind every module (import this fixture into a test module)."""
    return install(monkeypatch)


def runner(module):
    """run(check_mode=False, diff=False, **args) for one module's main()."""

    def run(check_mode=False, diff=False, **args):
        return run_module(module, args, check_mode=check_mode, diff=diff)

    return run
