# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workspace VMs that workspace_vms_users will create (inventory_validation/services.py:
planned_workspaces, compute_placement, _planned_problem): placed and checked like the VMs they
will become, their problems said where the group's value is set."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.services import (
    PLANNED,
    _planned_problem,
    check_placement,
    compute_placement,
    planned_workspaces,
)
from rule_context import group_var, make_context

LOCAL = group_var("workspace_vms", "workspace_local_services", ["ollama", "open-webui"], "group_vars/workspace_vms.yml", 2)
KNOWN = "flowise, gateway, gitlab, guacamole, langfuse, monitoring, n8n, ollama, open-webui, qdrant, searxng"


def context(users, files=(LOCAL,), existing=(), **values):
    hostvars = {"localhost": dict(values, workspace_vms_users=users), "central-1": {"ansible_host": "10.0.0.10"}}
    hostvars.update((name, {"workspace_user": name[3:]}) for name in existing)
    groups = {"central": ["central-1"], "workspace_vms": list(existing)}
    return make_context(hostvars, groups=groups, role_hosts={"workspace_vms": ["localhost"]}, files=list(files))


def test_users_without_a_vm_are_planned_with_the_group_values():
    users = [{"user": "alice"}, {"user": "bob", "fixed_ip": "10.20.5.20"}, {"user": "carol", "state": "absent"},
             {"user": "dave"}, {"name": "no-user"}, "erin"]
    files = [LOCAL, group_var("all", "workspace_central_services", ["n8n"]),
             group_var("workspace_vms", "workspace_central_services", "{{ site_central }}"),  # a template: not guessed
             group_var("all", "ollama_port", 1), group_var("gpu_nodes", "workspace_user", "x")]  # not placement values
    values = {"workspace_local_services": ["ollama", "open-webui"], "workspace_central_services": ["n8n"]}
    assert planned_workspaces(context(users, files, existing=["ws-dave"])) == {
        "ws-alice": ("alice", dict(values, workspace_user="alice")),
        "ws-bob": ("bob", dict(values, workspace_user="bob", platform_address="10.20.5.20")),
    }


@pytest.mark.parametrize(("user", "values", "name"), [
    ({"user": "alice"}, {"workspace_vms_name_format": "{user}-desk"}, "alice-desk"),
    ({"user": "alice", "name": "desk-7"}, {}, "desk-7"),
    ({"user": "alice"}, {"workspace_vms_name_format": "{customer}-{user}", "platform_customer": "acme"}, "acme-alice"),
    ({"user": "alice"}, {"workspace_vms_name_format": "{customer}-{user}", "platform_customer": "acme",
                         "workspace_vms_customer": "globex"}, "globex-alice"),
])
def test_the_vm_is_named_as_workspace_vms_names_it(user, values, name):
    assert list(planned_workspaces(context([user], **values))) == [name]
    assert planned_workspaces(context([user], existing=[name], **values)) == {}  # the VM exists already


def test_no_workspace_vms_role_plans_nothing():
    ctx = make_context({"localhost": {"workspace_vms_users": [{"user": "alice"}]}})
    assert planned_workspaces(ctx) == {}


def test_planned_vms_are_placed_like_the_others():
    ctx = context([{"user": "alice"}], existing=["ws-bob"])
    planned = planned_workspaces(ctx)
    placement, catalog = compute_placement(ctx, planned)
    assert sorted(placement["workspaces"]) == ["ws-alice", "ws-bob"]
    assert "ollama" in catalog
    assert sorted(compute_placement(ctx)[0]["workspaces"]) == ["ws-bob"]
    assert ctx.groups["workspace_vms"] == ["ws-bob"]  # the inventory's groups stay as they are


def test_no_placement_when_the_catalog_does_not_resolve():
    hostvars = {"central-1": {"platform_image_overrides": {"no-such-image": {"tag": "1"}}},
                "localhost": {"workspace_vms_users": [{"user": "alice"}]}}
    ctx = make_context(hostvars, groups={"central": ["central-1"]}, role_hosts={"workspace_vms": ["localhost"]})
    assert compute_placement(ctx) is None
    assert check_placement(ctx) == []


def test_a_planned_vms_problem_is_said_for_the_group_where_it_is_set():
    files = [group_var("workspace_vms", "workspace_local_services", ["nope"], "hosts.yml", 30),
             group_var("all", "workspace_local_services", ["ollama"], "group_vars/all.yml", 3)]
    errors = check_placement(context([{"user": "alice"}], files))
    assert errors == ["group workspace_vms: workspace_local_services: 'nope' is not a service of the catalog "
                      "(known: %s) [%s, from workspace_vms_users] (hosts.yml:30)" % (KNOWN, PLANNED % "alice")]


def test_planned_problem_leaves_other_problems_alone():
    ctx = context([{"user": "alice"}], files=[])
    planned = planned_workspaces(ctx)
    assert _planned_problem(ctx, "host ws-alice: workspace_user: 'A' is wrong", planned) == \
        "group workspace_vms: workspace_user: 'A' is wrong [planned VM of user alice, from workspace_vms_users]"
    assert _planned_problem(ctx, "host ws-alicia: workspace_user: 'A' is wrong", planned) == \
        "host ws-alicia: workspace_user: 'A' is wrong"
    assert _planned_problem(ctx, "platform_dns_zone: 'a..b' is not a DNS zone name", planned) == \
        "platform_dns_zone: 'a..b' is not a DNS zone name"


def test_sound_planned_vms_pass():
    assert check_placement(context([{"user": "alice"}, {"user": "bob"}])) == []
