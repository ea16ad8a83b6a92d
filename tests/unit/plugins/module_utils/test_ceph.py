# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/ceph.py: the CLI client's argv and error sentences, and the pure helpers, against
outputs recorded from a real Ceph 18.2.7 cluster (tests/unit/fixtures/ceph)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils.ceph import (
    CephCli,
    CephError,
    caps_args,
    entity_problem,
    health_gate,
    parse_auth,
    parse_caps,
    pg_state_healthy,
)
from ceph_fake import recorded, recorded_json


class Module:
    """Just enough of AnsibleModule: run_command answers from a list of (rc, out, err)."""

    def __init__(self, *answers, tools=True):
        self.answers = list(answers)
        self.argv = []
        self.tools = tools

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return "/usr/bin/" + name if self.tools else None

    def run_command(self, argv, **kwargs):
        self.argv.append(argv)
        return self.answers.pop(0)


def test_argv_has_connection_options_timeout_guard_and_json():
    module = Module((0, "[]", ""))
    cli = CephCli(module, cluster="prod", user="client.ops", keyring="/etc/ceph/prod.client.ops.keyring", conf="/etc/ceph/prod.conf", timeout=7)
    assert cli.run(["fs", "ls"]) == []
    assert module.argv[0] == ["/usr/bin/timeout", "--kill-after=5", "37", "/usr/bin/ceph", "--cluster", "prod", "--name", "client.ops",
                              "--keyring", "/etc/ceph/prod.client.ops.keyring", "--conf", "/etc/ceph/prod.conf",
                              "--connect-timeout", "7", "fs", "ls", "--format", "json"]


def test_cpp_tools_get_mount_timeouts_instead_of_connect_timeout():
    module = Module(recorded("rgw_user_create"))
    cli = CephCli(module, timeout=9)
    assert cli.run(["user", "info", "--uid", "x"], binary="radosgw-admin")["user_id"] == "langfuse"
    argv = module.argv[0]
    assert "--connect-timeout" not in argv
    assert argv[argv.index("--client-mount-timeout") + 1] == "9" and argv[argv.index("--rados-mon-op-timeout") + 1] == "9"


@pytest.mark.parametrize("fixture, binary", [("unreachable", "ceph"), ("mon_down", "ceph"), ("mon_down_auth", "ceph"),
                                             ("unreachable_rbd", "rbd"), ("unreachable_rgw", "radosgw-admin"), ("no_conf", "ceph"),
                                             ((124, "", ""), "ceph")])
def test_cluster_down_or_timeout_says_not_reachable(fixture, binary):
    answer = recorded(fixture) if isinstance(fixture, str) else fixture
    cli = CephCli(Module(answer), timeout=3)
    with pytest.raises(CephError) as caught:
        cli.run(["status"], binary=binary)
    assert caught.value.kind == "unreachable"
    assert str(caught.value).startswith("cluster not reachable: '%s status' for cluster 'ceph' as client.admin" % binary)
    assert "within 3 s" in str(caught.value)


def test_a_missing_answer_is_not_mistaken_for_a_cluster_that_is_down():
    cli = CephCli(Module(recorded("mon_down_auth")))
    with pytest.raises(CephError) as caught:
        cli.run(["auth", "get", "client.x"], missing_rc=2)
    assert caught.value.kind == "unreachable"
    assert CephCli(Module(recorded("auth_get_missing"))).run(["auth", "get", "client.cinder"], missing_rc=2) is None


@pytest.mark.parametrize("fixture", ["wrong_key", "no_keyring"])
def test_wrong_or_missing_keyring_is_permission_denied(fixture):
    cli = CephCli(Module(recorded(fixture)), keyring="/etc/ceph/ceph.client.admin.keyring")
    with pytest.raises(CephError) as caught:
        cli.run(["status"])
    assert caught.value.kind == "denied"
    assert "permission denied" in str(caught.value) and "(keyring /etc/ceph/ceph.client.admin.keyring)" in str(caught.value)
    assert "RADOS permission denied" in str(caught.value)


def test_a_refused_command_quotes_cephs_error_line():
    cli = CephCli(Module(recorded("pool_rm_refused")))
    with pytest.raises(CephError) as caught:
        cli.run(["osd", "pool", "rm", "images", "images", "--yes-i-really-really-mean-it"], json=False)
    assert caught.value.kind == "refused" and caught.value.rc == 1
    assert str(caught.value) == ("'ceph osd pool rm images images --yes-i-really-really-mean-it' failed (rc=1): Error EPERM: pool "
                                 "deletion is disabled; you must first set the mon_allow_pool_delete config option to true before "
                                 "you can destroy a pool")


@pytest.mark.parametrize("out", ["", "Segmentation fault", "<html>proxy</html>", "{\"half\": "])
def test_garbage_output_is_unexpected_output(out):
    cli = CephCli(Module((0, out, "")))
    with pytest.raises(CephError) as caught:
        cli.run(["status"])
    assert caught.value.kind == "output" and "unexpected output from 'ceph status'" in str(caught.value)


def test_a_warning_line_before_the_json_is_skipped():
    assert CephCli(Module((0, "WARNING: all features enabled\n[1, 2]", ""))).run(["x"]) == [1, 2]


def test_status_with_the_wrong_shape_is_unexpected_output():
    with pytest.raises(CephError, match="no health or pgmap"):
        CephCli(Module((0, json.dumps({"fsid": "x"}), ""))).status()
    with pytest.raises(CephError, match="expected an object"):
        CephCli(Module((0, "[]", ""))).status()


def test_a_missing_cli_says_what_to_install():
    with pytest.raises(CephError) as caught:
        CephCli(Module(tools=False)).run(["status"], binary="radosgw-admin")
    assert caught.value.kind == "missing_tool" and "install ceph-common and radosgw" in str(caught.value)


def test_pools_by_name_from_the_recorded_listing():
    pools = CephCli(Module(recorded("pool_ls_detail"))).pools()
    assert {".rgw.root", ".mgr", "volumes", "images", "cephfs_metadata"} <= set(pools)
    assert pools["volumes"]["application_metadata"] == {"rbd": {}}
    assert pools["images"]["pg_autoscale_mode"] == "off"
    with pytest.raises(CephError, match="an entry without pool_name"):
        CephCli(Module((0, "[{\"pool\": 1}]", ""))).pools()


def test_auth_get_parses_the_recorded_entry_and_none_when_missing():
    entry = CephCli(Module(recorded("auth_get_after_caps"))).auth_get("client.cinder")
    assert entry == {"entity": "client.cinder", "key": "AQD+yAdrVSCAFxAApv7jcZ2fhcHVFOxP8EgCLw==",
                     "caps": {"mon": "profile rbd", "osd": "profile rbd pool=volumes, profile rbd pool=images"}}
    assert CephCli(Module(recorded("auth_get_missing"))).auth_get("client.cinder") is None
    with pytest.raises(CephError, match="expected"):
        parse_auth({"entity": "client.x"})


def test_parse_caps_normalises_whitespace_and_tolerates_no_caps():
    assert parse_caps([{"caps": {"osd": "profile  rbd\tpool=volumes "}}]) == {"osd": "profile rbd pool=volumes"}
    assert parse_caps({"entity": "client.x", "key": "k"}) == {}
    with pytest.raises(CephError):
        parse_caps({"caps": "allow *"})


def test_caps_args_in_a_fixed_order():
    assert caps_args({"osd": "profile rbd", "mgr": "profile rbd", "mon": "profile rbd"}) == [
        "mon", "profile rbd", "osd", "profile rbd", "mgr", "profile rbd"]


@pytest.mark.parametrize("name, ok", [("client.cinder", True), ("client.rgw.node-1", True), ("cinder", False), ("client.", False),
                                      ("client.a b", False), (None, False)])
def test_entity_names(name, ok):
    assert (entity_problem(name) is None) is ok


# -- health gate ----------------------------------------------------------------------------


def test_gate_passes_on_the_recorded_healthy_cluster():
    assert health_gate(recorded_json("status_ok")) == (True, [])


def test_gate_fails_on_a_warning_unless_it_is_allowed():
    # Recorded with noout set, right after pools were created: 8 PGs creating+peering, 8 unknown.
    status = recorded_json("status_warn")
    assert health_gate(status) == (False, ["HEALTH_WARN OSDMAP_FLAGS: noout flag(s) set",
                                           "PGs not active+clean: 8 creating+peering, 8 unknown"])
    assert health_gate(status, ["OSDMAP_FLAGS"]) == (False, ["PGs not active+clean: 8 creating+peering, 8 unknown"])
    assert health_gate(status, ["OSDMAP_FLAGS"], require_active_clean=False) == (True, [])


def test_a_muted_check_does_not_count():
    status = recorded_json("status_warn")
    status["health"]["checks"]["OSDMAP_FLAGS"]["muted"] = True
    assert health_gate(status, require_active_clean=False)[0] is True


def test_gate_fails_while_pgs_are_unknown():
    status = recorded_json("status_pgs_unknown")
    ok, reasons = health_gate(status, ["POOL_APP_NOT_ENABLED"])
    assert not ok and reasons == ["PGs not active+clean: 32 unknown"]
    assert health_gate(status, ["POOL_APP_NOT_ENABLED"], require_active_clean=False) == (True, [])


def test_gate_fails_when_pgs_are_missing_from_the_states_and_on_health_err():
    status = recorded_json("status_ok")
    status["pgmap"]["num_pgs"] += 8
    assert health_gate(status) == (False, ["8 of %d PGs have no reported state yet (creating or unknown)" % status["pgmap"]["num_pgs"]])
    status = recorded_json("status_warn")
    status["health"]["status"] = "HEALTH_ERR"
    assert health_gate(status, ["OSDMAP_FLAGS"])[0] is False
    assert health_gate("garbage") == (False, ["ceph status gave no object"])


@pytest.mark.parametrize("state, healthy", [("active+clean", True), ("active+clean+scrubbing+deep", True),
                                            ("active+undersized+degraded", False), ("creating+peering", False), ("unknown", False),
                                            ("active+clean+remapped", False)])
def test_pg_states(state, healthy):
    assert pg_state_healthy(state) is healthy
