# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""openstack_state_info and module_utils/openstack_client.read_state against an openstacksdk
double: one list per kind, quotas and role assignments of the named projects only, servers and
ports queried per project, the module's messages for bad input and an unreachable cloud."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.foundrycloud.platform.plugins.module_utils import openstack_client as client
from ansible_collections.foundrycloud.platform.plugins.modules import openstack_state_info as mod


class Resource(dict):
    def to_dict(self, computed=True):
        assert computed is False
        return dict(self)


class Service:
    """One openstacksdk proxy: each method returns its canned resources and records the query."""

    def __init__(self, calls, **methods):
        self._calls = calls
        self._methods = methods

    def __getattr__(self, name):
        if name not in self._methods:
            raise AttributeError(name)

        def call(*args, **query):
            self._calls.append((name, args, query))
            result = self._methods[name]
            return result(*args, **query) if callable(result) else [Resource(r) for r in result]
        return call


class Conn:
    def __init__(self, services=("network", "compute")):
        self.calls = []
        self.services = services
        projects = [{"id": "p1", "name": "acme-ws"}, {"id": "p2", "name": "acme-svc"}, {"id": "p3", "name": "other"}]
        self.identity = Service(self.calls, projects=projects, domains=[{"id": "default", "name": "Default"}],
                                role_assignments=lambda **q: [Resource(
                                    {"user": {"id": "u1", "name": "admin", "domain": {"id": "default", "name": "Default"}},
                                     "role": {"id": "r1", "name": "member"}, "scope": {"project": {"id": q["scope_project_id"]}}}),
                                    Resource({"group": {"id": "g1"}, "role": {"id": "r1", "name": "member"}})])
        self.network = Service(self.calls, networks=[{"id": "n1", "name": "acme-ws"}], subnets=[], routers=[],
                               security_groups=[], rbac_policies=[], ips=[],
                               ports=lambda **q: [Resource({"id": "port-" + q.get("project_id", "all"),
                                                            "project_id": q.get("project_id")})],
                               get_quota=lambda pid: Resource({"id": pid, "networks": 4, "name": None}))
        self.compute = Service(self.calls, keypairs=[], flavors=[{"id": "f1", "name": "m1.small"}],
                               servers=lambda **q: [Resource({"id": "v-" + q.get("project_id", "all"),
                                                              "project_id": q.get("project_id")})],
                               get_quota_set=lambda pid: Resource({"id": pid, "cores": 8, "location": {"x": 1}}))
        self.image = Service(self.calls, images=[{"id": "i1", "name": "debian"}])

    def has_service(self, name):
        return name in self.services


def test_reads_each_kind_once_and_narrows_to_the_projects():
    conn = Conn()
    state = client.read_state(conn, ["projects", "quotas", "role_assignments", "servers", "ports", "networks", "flavors"],
                              ["acme-ws", "p2"])
    assert [p["name"] for p in state["projects"]] == ["acme-ws", "acme-svc", "other"]
    assert state["quotas"] == {"p1": {"network": {"networks": 4}, "compute": {"cores": 8}},
                               "p2": {"network": {"networks": 4}, "compute": {"cores": 8}}}
    assert [a["project_id"] for a in state["role_assignments"]] == ["p1", "p2"]   # the group's assignment is left out
    assert state["role_assignments"][0] == {"project_id": "p1", "user_id": "u1", "user": "admin", "user_domain_id": "default",
                                            "user_domain": "Default", "role_id": "r1", "role": "member"}
    assert [s["id"] for s in state["servers"]] == ["v-p1", "v-p2"]
    assert [p["id"] for p in state["ports"]] == ["port-p1", "port-p2"]
    assert state["flavors"] == [{"id": "f1", "name": "m1.small"}]
    assert [c[0] for c in conn.calls].count("projects") == 1
    assert ("servers", (), {"details": True, "all_projects": True, "project_id": "p1"}) in conn.calls


def test_without_projects_servers_and_ports_of_every_project_and_no_quotas():
    conn = Conn()
    state = client.read_state(conn, ["servers", "ports", "quotas"])
    assert state["ports"] == [{"id": "port-all", "project_id": None}]
    assert state["quotas"] == {}


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind.*volumes"):
        client.read_state(Conn(), ["networks", "volumes"])


def test_connect_passes_the_connection_options_on():
    seen = {}

    class Sdk:
        @staticmethod
        def connect(**kwargs):
            seen.update(kwargs)
            return "conn"
    assert client.connect(Sdk, {"cloud": "acme", "auth": {"project_id": "p1"}, "interface": "internal",
                                "validate_certs": False, "ca_cert": "/ca.pem", "api_timeout": 30}) == "conn"
    assert seen == {"cloud": "acme", "auth": {"project_id": "p1"}, "interface": "internal", "verify": False,
                    "cacert": "/ca.pem", "api_timeout": 30}


class Exit(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def exit_json(self, **result):
    raise Exit(result)


def fail_json(self, **result):
    raise Exit(dict(result, failed=True))


def run_module(monkeypatch, args, conn=None, error=None):
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def connect(openstack, params):
        if error:
            raise error
        return conn
    monkeypatch.setattr(mod, "connect", connect)
    with pytest.raises(Exit) as caught:
        mod.main()
    return caught.value.result


def test_module_returns_the_state_unchanged(monkeypatch):
    pytest.importorskip("openstack")
    result = run_module(monkeypatch, {"cloud": "acme", "kinds": ["networks", "images"]}, conn=Conn())
    assert result["changed"] is False
    assert result["state"] == {"networks": [{"id": "n1", "name": "acme-ws"}], "images": [{"id": "i1", "name": "debian"}]}


def test_module_names_a_wrong_kind(monkeypatch):
    pytest.importorskip("openstack")
    result = run_module(monkeypatch, {"cloud": "acme", "kinds": ["networks", "volume"]}, conn=Conn())
    assert result["failed"] and "kinds" in result["msg"] and "volume" in result["msg"]


def test_module_reports_an_unreachable_cloud(monkeypatch):
    openstack = pytest.importorskip("openstack")
    result = run_module(monkeypatch, {"cloud": "acme", "kinds": ["networks"]},
                        error=openstack.exceptions.SDKException("Unable to establish connection to http://127.0.0.1:5000"))
    assert result["failed"] and result["msg"] == "OpenStack: Unable to establish connection to http://127.0.0.1:5000"
