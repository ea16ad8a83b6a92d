# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for inventory_validation/engine.py: host patterns, the playbook scan, the result of
a whole validation, extra rules, variables that need facts, role files (no Ansible run needed)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation import rules
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    pattern_names,
    resolve_host_pattern,
    scan_playbooks,
    split_host_pattern,
    validate,
)
from inventory_cases import GROUPS, HOSTVARS, run, with_vars
from rule_context import FactVars as FactDependentVars

# --------------------------------------------------------------------------------------
# Host patterns
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "terms"),
    [
        ("all", ["all"]),
        ("a:b", ["a", "b"]),
        ("a,b", ["a", "b"]),
        ("a:&b:!c", ["a", "&b", "!c"]),
        ("a, &b, !c", ["a", "&b", "!c"]),
        (["a:b", "c"], ["a", "b", "c"]),
        ("web[0:2]:db", ["web[0:2]", "db"]),
        ("", []),
        (None, []),
    ],
)
def test_split_host_pattern(pattern, terms):
    assert split_host_pattern(pattern) == terms


@pytest.mark.parametrize(
    ("pattern", "hosts"),
    [
        ("all", ["app-1", "app-2", "central-1", "edge-1", "lab-1"]),
        ("*", ["app-1", "app-2", "central-1", "edge-1", "lab-1"]),
        ("app_servers", ["app-1", "app-2"]),
        ("edge-1", ["edge-1"]),
        ("app_servers:edge", ["app-1", "app-2", "edge-1"]),
        ("app_servers,central-1", ["app-1", "app-2", "central-1"]),
        ("docker_hosts:&lab", ["lab-1"]),
        ("docker_hosts:!lab", ["central-1"]),
        ("all:!docker_hosts:!edge", ["app-1", "app-2"]),
        # unions first, then intersections, then exclusions, whatever the order written
        ("!lab:docker_hosts:app_servers:&all", ["app-1", "app-2", "central-1"]),
        # only exclusions: start from all
        ("!app_servers", ["central-1", "edge-1", "lab-1"]),
        (["app_servers", "edge"], ["app-1", "app-2", "edge-1"]),
        (["docker_hosts", "!lab"], ["central-1"]),
        ("no_such_group", []),
        ("app-*", ["app-1", "app-2"]),
        ("~^(edge|lab)", ["edge-1", "lab-1"]),
        ("app_servers[0]", ["app-1"]),
        ("app_servers[-1]", ["app-2"]),
        ("docker_hosts[0:1]", ["central-1", "lab-1"]),
    ],
)
def test_resolve_host_pattern(pattern, hosts):
    assert resolve_host_pattern(pattern, GROUPS) == hosts


def test_resolve_host_pattern_without_all_group():
    assert resolve_host_pattern("all:!b", {"a": ["h1"], "b": ["h2"]}) == ["h1"]


def test_pattern_names():
    assert pattern_names("docker_hosts:&central:!lab") == {"docker_hosts", "central", "lab"}
    assert pattern_names(["web[0]", "~re.*", "app-*", "db"]) == {"web", "db"}


# --------------------------------------------------------------------------------------
# Playbooks
# --------------------------------------------------------------------------------------


def test_scan_playbooks_maps_roles_to_patterns(platform):
    scan = scan_playbooks(str(platform / "playbooks" / "site.yml"))
    assert scan.errors == []
    assert scan.role_patterns() == {
        "webapp": {"app_servers"},
        "webapp_gateway": {"edge"},
        "docker_engine": {"docker_hosts:!lab"},
        "geerlingguy.ntp": {"all"},
    }
    # validate.yml is imported by site.yml but never read (it does not even exist here)
    assert all(not f.endswith("validate.yml") for f in scan.files)


def test_scan_playbooks_nested_imports_tasks_and_vars(make_platform):
    layer = """\
- import_playbook: more/inner.yml
- name: Tasks
  hosts: central
  vars:
    webapp_port: 1
  tasks:
    - name: Block
      block:
        - name: Role via task
          ansible.builtin.include_role:
            name: foundrycloud.platform.webapp
          vars:
            webapp_mode: fast
    - name: Other entry point is not main
      ansible.builtin.import_role:
        name: webapp_gateway
        tasks_from: extra
"""
    root = make_platform(layer=layer)
    (root / "playbooks" / "more").mkdir()
    (root / "playbooks" / "more" / "inner.yml").write_text(
        "- name: Inner\n  hosts: edge\n  roles: [{role: webapp, webapp_token: t}]\n"
        "- name: Templated\n  hosts: '{{ target }}'\n  roles: [webapp]\n"
    )
    scan = scan_playbooks(str(root / "playbooks" / "site.yml"))
    assert scan.errors == []
    assert scan.role_patterns() == {"webapp": {"central", "edge"}}
    provided = {use.hosts: use.provided for use in scan.uses}
    assert provided == {
        "edge": frozenset({"webapp_token"}),
        "central": frozenset({"webapp_port", "webapp_mode"}),
    }
    assert any("'{{ target }}' is templated" in warning for warning in scan.warnings)


def test_scan_playbooks_reports_missing_files(make_platform, tmp_path):
    root = make_platform(site="- ansible.builtin.import_playbook: nope.yml\n")
    scan = scan_playbooks(str(root / "playbooks" / "site.yml"))
    assert scan.errors == ["playbook site.yml: imported playbook nope.yml not found"]

    result = validate({}, {"all": []}, site_playbook=str(tmp_path / "missing.yml"),
                      roles_dir=str(root / "roles"))
    assert result["failed"]
    assert result["errors"] == ["playbook %s: not found" % (tmp_path / "missing.yml")]


def test_playbook_vars_satisfy_required_options(make_platform):
    layer = "- name: Web\n  hosts: app_servers\n  roles: [{role: webapp, vars: {webapp_port: 80}}]\n"
    root = make_platform(layer=layer)
    hostvars = copy.deepcopy(HOSTVARS)
    del hostvars["app-2"]["webapp_port"]
    groups = {"all": ["app-2"], "app_servers": ["app-2"]}
    assert run(root, hostvars, groups)["errors"] == []


# --------------------------------------------------------------------------------------
# Whole validation: success
# --------------------------------------------------------------------------------------


def test_valid_inventory_passes(platform):
    result = run(platform)
    assert result["errors"] == []
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["warnings"] == []
    assert result["checked"] == {
        "docker_engine": ["central-1"],
        "webapp": ["app-1", "app-2"],
        "webapp_gateway": ["edge-1"],
    }
    assert result["msg"] == "inventory valid: 5 hosts, 1 layer, 3 roles on 4 (host, role) pairs checked"


def test_rules_are_extensible(platform):
    def no_lab_hosts(context):
        return ["host %s: lab: lab hosts are not allowed here" % host for host in context.groups.get("lab", [])]

    result = run(platform, rules=rules.RULES + [no_lab_hosts])
    assert result["errors"] == ["host lab-1: lab: lab hosts are not allowed here"]
    assert all(callable(rule) for rule in rules.RULES)


# --------------------------------------------------------------------------------------
# Variables that cannot be evaluated offline
# --------------------------------------------------------------------------------------


def test_variables_needing_facts_are_warnings_not_errors(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["app-1"] = FactDependentVars(hostvars["app-1"], {"webapp_mode"})
    hostvars["central-1"] = FactDependentVars(hostvars["central-1"], {"platform_internal_networks", "ansible_host"})
    result = run(platform, hostvars)
    assert result["failed"] is False, result["errors"]
    assert sorted(result["warnings"]) == [
        "host app-1: webapp_mode: could not be evaluated without facts; not checked ('ansible_facts' is undefined)",
        "host central-1: ansible_host: could not be evaluated without facts; not checked "
        "('ansible_facts' is undefined)",
        "host central-1: platform_internal_networks: could not be evaluated without facts; not checked "
        "('ansible_facts' is undefined)",
    ]


def test_unevaluable_required_option_counts_as_set(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["app-2"] = FactDependentVars(hostvars["app-2"], {"webapp_port"})
    result = run(platform, hostvars)
    assert result["errors"] == []
    assert any("host app-2: webapp_port: could not be evaluated" in warning for warning in result["warnings"])


# --------------------------------------------------------------------------------------
# Role files
# --------------------------------------------------------------------------------------


def test_role_without_argument_specs_is_warned_and_skipped(platform):
    (platform / "roles" / "webapp_gateway" / "meta" / "argument_specs.yml").unlink()
    result = run(platform, with_vars("edge-1", webapp_gateway_typo=1))
    assert result["errors"] == []
    assert "role webapp_gateway: no meta/argument_specs.yml; its variables are not checked" in result["warnings"]


def test_broken_argument_specs_are_reported(platform):
    (platform / "roles" / "webapp" / "meta" / "argument_specs.yml").write_text("argument_specs: [\n")
    result = run(platform)
    assert result["failed"]
    assert any(error.startswith("role webapp: webapp/meta/argument_specs.yml: invalid YAML")
               for error in result["errors"])


def test_roles_dir_option(platform, tmp_path):
    other = tmp_path / "elsewhere"
    (platform / "roles").rename(other)
    result = run(platform, roles_dir=str(other))
    assert result["errors"] == []
    assert set(result["checked"]) == {"docker_engine", "webapp", "webapp_gateway"}
