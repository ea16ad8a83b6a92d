# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""openstack_server_resize: which flavor a server has, against an openstacksdk double."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.foundrycloud.platform.plugins.modules import openstack_server_resize as mod


class Exit(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class Compute:
    def __init__(self, status="ACTIVE", flavor="m1.small"):
        self.server = {"id": "s1", "name": "ws-alice", "status": status, "flavor": {"original_name": flavor}, "task_state": None}
        self.calls = []

    def find_server(self, name, ignore_missing=True):
        return self.server if name in ("ws-alice", "s1") else None

    def get_server(self, server):
        return dict(self.server)

    def find_flavor(self, name, ignore_missing=True):
        flavors = {"m1.small": "f1", "m1.large": "f2"}
        return type("Flavor", (), {"id": flavors[name], "name": name})() if name in flavors else None

    def resize_server(self, server, flavor_id):
        self.calls.append(("resize", flavor_id))
        self.server.update(status="VERIFY_RESIZE", flavor={"original_name": "m1.large"})

    def server_actions(self, server_id):
        return [{"action": "resize", "message": "Error", "request_id": "req-1"}]

    def get_server_action(self, request_id, server_id):
        return {"events": [{"event": "cold_migrate", "result": "Error"}]}

    def confirm_server_resize(self, server):
        self.calls.append(("confirm",))
        self.server.update(status="ACTIVE")


def exit_json(self, **result):
    raise Exit(result)


def fail_json(self, **result):
    raise Exit(dict(result, failed=True))


@pytest.fixture
def run(monkeypatch):
    def runner(compute, check_mode=False, **params):
        args = dict(name="ws-alice", flavor="m1.large", cloud="test", _ansible_check_mode=check_mode)
        args.update(params)
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
        monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
        monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
        conn = type("Conn", (), {"compute": compute})()
        monkeypatch.setattr(mod, "connect", lambda openstack, params: conn)
        monkeypatch.setattr(mod.time, "sleep", lambda seconds: None)
        with pytest.raises(Exit) as result:
            mod.main()
        return result.value.result
    return runner


def test_flavor_matches_by_name_original_name_or_id():
    flavor = {"id": "f2", "name": "m1.large"}
    assert mod.flavor_matches({"original_name": "m1.large"}, flavor)
    assert mod.flavor_matches({"id": "f2"}, flavor)
    assert not mod.flavor_matches({"original_name": "m1.small", "id": "f1"}, flavor)
    assert mod.flavor_label({"id": "f1"}) == "f1"


def test_resize_and_confirm(run):
    compute = Compute()
    result = run(compute)
    assert result["changed"] is True and result["previous_flavor"] == "m1.small"
    assert compute.calls == [("resize", "f2"), ("confirm",)]
    assert result["server"]["flavor"] == "m1.large" and result["server"]["status"] == "ACTIVE"


def test_same_flavor_changes_nothing(run):
    compute = Compute(flavor="m1.large")
    assert run(compute)["changed"] is False and compute.calls == []


def test_check_mode_reports_without_calling(run):
    compute = Compute()
    assert run(compute, check_mode=True)["changed"] is True and compute.calls == []


def test_a_resize_waiting_for_confirmation_is_confirmed(run):
    compute = Compute(status="VERIFY_RESIZE", flavor="m1.large")
    assert run(compute)["changed"] is True and compute.calls == [("confirm",)]


def test_missing_server_or_flavor_fails(run):
    assert "server ws-bob not found" in run(Compute(), name="ws-bob")["msg"]
    assert "flavor m1.huge not found" in run(Compute(), flavor="m1.huge")["msg"]
    assert "it can be resized when ACTIVE or SHUTOFF" in run(Compute(status="BUILD"))["msg"]


def test_connect_passes_the_connection_options(monkeypatch):
    calls = []
    monkeypatch.setattr(mod.openstack, "connect", lambda **kwargs: calls.append(kwargs))
    mod.connect(mod.openstack, {"cloud": "acme", "auth": {"project_id": "p1"}, "auth_type": None, "region_name": None,
                                "interface": "public", "validate_certs": False, "ca_cert": None})
    mod.connect(mod.openstack, {"cloud": {"auth": {"auth_url": "x"}}, "auth": None})
    assert calls == [{"cloud": "acme", "auth": {"project_id": "p1"}, "interface": "public", "verify": False},
                     {"auth": {"auth_url": "x"}}]


def test_a_server_that_goes_to_error_fails(run):
    compute = Compute()
    compute.resize_server = lambda server, flavor_id: compute.server.update(status="ERROR", fault={"message": "no host"})
    assert "went to ERROR: no host" in run(compute)["msg"]


def test_a_resize_nova_gives_up_fails_with_its_reason(run):
    compute = Compute()
    compute.resize_server = lambda server, flavor_id: None   # back to ACTIVE at once, as after NoValidHost
    message = run(compute)["msg"]
    assert "is ACTIVE again without reaching VERIFY_RESIZE: Nova gave up - resize Error (cold_migrate: Error)" in message
