# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for module_utils/inventory_rules.py (no Ansible run needed)."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import pytest
import yaml

from ansible_collections.foundrycloud.platform.plugins.module_utils import inventory_rules as rules
from ansible_collections.foundrycloud.platform.plugins.module_utils.inventory_rules import (
    GROUP_CATALOG,
    UnevaluableVariable,
    pattern_names,
    resolve_host_pattern,
    scan_playbooks,
    split_host_pattern,
    validate,
)

GROUPS = {
    "all": ["app-1", "app-2", "edge-1", "central-1", "lab-1"],
    "ungrouped": [],
    "app_servers": ["app-1", "app-2"],
    "edge": ["edge-1"],
    "central": ["central-1"],
    "docker_hosts": ["central-1", "lab-1"],
    "lab": ["lab-1"],
}

HOSTVARS = {
    "app-1": {
        "ansible_host": "192.0.2.11",
        "webapp_port": 8080,
        "webapp_mode": "fast",
        "webapp_listeners": [{"address": "0.0.0.0", "port": 80}],
        # belongs to the longer role webapp_gateway, which app-1 does not run
        "webapp_gateway_url": "https://gw.example",
    },
    "app-2": {"ansible_host": "app-2.example", "webapp_port": "8081"},
    # a var of a role the host does not run (as group_vars/all would set it) is fine
    "edge-1": {"ansible_host": "192.0.2.12", "webapp_gateway_url": "https://gw", "webapp_port": "x"},
    "central-1": {
        "ansible_host": "192.0.2.10",
        "platform_internal_networks": ["192.0.2.0/24", "10.0.0.0/16"],
    },
    # lab is excluded from the docker play (docker_hosts:!lab): a clashing pool is not checked
    "lab-1": {"docker_engine_default_address_pools": [{"base": "192.0.2.0/24", "size": 26}]},
}


@pytest.fixture
def platform(make_platform):
    return make_platform()


def run(root, hostvars=None, groups=None, **kwargs):
    return validate(
        hostvars=copy.deepcopy(HOSTVARS) if hostvars is None else hostvars,
        groups=copy.deepcopy(GROUPS) if groups is None else groups,
        site_playbook=str(root / "playbooks" / "site.yml"),
        **kwargs,
    )


def with_vars(host, **values):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars[host].update(values)
    return hostvars


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
    assert result["msg"] == "inventory valid: 5 hosts, 3 roles, 4 (host, role) pairs checked"


# --------------------------------------------------------------------------------------
# Check 1: argument specs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"webapp_port": "eighty"},
         "host app-1: webapp_port: argument 'webapp_port' is of type str and we were unable to convert to int"),
        ({"webapp_mode": "turbo"},
         "host app-1: webapp_mode: value of webapp_mode must be one of: fast, safe, got: turbo"),
        ({"webapp_listeners": [{"port": 80}]},
         "host app-1: webapp_listeners: missing required arguments: address found in webapp_listeners"),
        ({"webapp_listeners": [{"address": "::", "port": "http"}]},
         "host app-1: webapp_listeners: argument 'port' is of type str found in 'webapp_listeners'"),
        ({"webapp_listeners": [{"address": "::", "prot": 80}]},
         "host app-1: webapp_listeners: unsupported parameter webapp_listeners.prot. "
         "Supported parameters include: address, port."),
        ({"webapp_listeners": "0.0.0.0"},
         "host app-1: webapp_listeners: Elements value for option 'webapp_listeners' is of type str"),
        ({"webapp_enabled": "perhaps"},
         "host app-1: webapp_enabled: argument 'webapp_enabled' is of type str and we were unable to convert "
         "to bool"),
    ],
)
def test_argument_spec_errors_name_host_and_variable(platform, values, expected):
    result = run(platform, with_vars("app-1", **values))
    assert result["failed"] is True
    assert any(error.startswith(expected) for error in result["errors"]), result["errors"]
    assert len(result["errors"]) == 1, result["errors"]


def test_required_option_without_default_is_reported(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    del hostvars["app-2"]["webapp_port"]
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host app-2: webapp_port: required by role webapp but not set (the role has no default)"
    ]


def test_required_option_with_role_default_is_not_reported(platform):
    # webapp_token is required but has a key in defaults/main.yml (a template, not evaluated)
    result = run(platform)
    assert not any("webapp_token" in error for error in result["errors"])


def test_no_log_values_are_masked(platform):
    result = run(platform, with_vars("app-1", webapp_pin="s3cr3t-value"))
    assert result["failed"]
    assert result["errors"][0].startswith("host app-1: webapp_pin: argument 'webapp_pin' is of type str")
    assert all("s3cr3t-value" not in error for error in result["errors"])
    assert "s3cr3t-value" not in result["msg"]


def test_hosts_that_do_not_run_the_role_are_not_checked(platform):
    # edge-1 sets webapp_port: "x" but only runs webapp_gateway; lab-1 is excluded from docker
    result = run(platform)
    assert not any(error.startswith(("host edge-1:", "host lab-1:")) for error in result["errors"])


def test_every_problem_on_every_host_is_reported_sorted(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["app-1"]["webapp_mode"] = "turbo"
    hostvars["app-2"]["webapp_mode"] = "turbo"
    del hostvars["app-2"]["webapp_port"]
    result = run(platform, hostvars)
    assert result["errors"] == sorted(result["errors"])
    assert [error.split(":")[0:2] for error in result["errors"]] == [
        ["host app-1", " webapp_mode"],
        ["host app-2", " webapp_mode"],
        ["host app-2", " webapp_port"],
    ]
    lines = result["msg"].splitlines()
    assert lines[0] == "inventory validation failed: 3 problem(s)"
    assert lines[1:] == result["errors"]


# --------------------------------------------------------------------------------------
# Check 2: unknown role variables
# --------------------------------------------------------------------------------------


def test_unknown_role_variable_is_reported(platform):
    result = run(platform, with_vars("app-2", webapp_prot=8080))
    assert result["errors"] == ["host app-2: webapp_prot: unknown variable for role webapp (typo?)"]


def test_unknown_variable_of_longer_role_is_reported_for_that_role(platform):
    result = run(platform, with_vars("edge-1", webapp_gateway_uri="https://gw"))
    assert result["errors"] == [
        "host edge-1: webapp_gateway_uri: unknown variable for role webapp_gateway (typo?)"
    ]


def test_role_variable_prefixes_that_are_not_typos(platform):
    # webapp_gateway_* on a webapp host: belongs to the longer role, not a webapp typo.
    # webapp_internal_cache: not in the spec but set in the role's defaults/main.yml.
    # webapp_prot on edge-1: edge-1 does not run webapp (group_vars/all may set it).
    hostvars = with_vars("app-1", webapp_gateway_anything=1, webapp_internal_cache="/tmp")
    hostvars["edge-1"]["webapp_prot"] = 1
    assert run(platform, hostvars)["errors"] == []


# --------------------------------------------------------------------------------------
# Check 3: unknown groups
# --------------------------------------------------------------------------------------


def test_unknown_group_is_reported(platform):
    groups = copy.deepcopy(GROUPS)
    groups["storage"] = ["lab-1", "app-2"]
    result = run(platform, groups=groups)
    assert len(result["errors"]) == 1
    error = result["errors"][0]
    assert error.startswith("group storage: unknown group (hosts: app-2, lab-1); known: ")
    assert error.endswith("; add it to platform_extra_groups if it is site-specific")
    known = error.split("; known: ")[1].split(";")[0].split(", ")
    assert set(GROUP_CATALOG) <= set(known)
    assert "app_servers" in known  # named in a layer playbook


def test_empty_unknown_group_is_reported(platform):
    groups = dict(GROUPS, storage=[])
    assert run(platform, groups=groups)["errors"][0].startswith("group storage: unknown group (hosts: none)")


def test_catalog_playbook_and_extra_groups_are_accepted(platform):
    groups = dict(GROUPS, storage=["lab-1"], backup=["app-1"], gpu_nodes=[], ceph_osds=["lab-1"])
    hostvars = with_vars("lab-1", platform_extra_groups=["storage"])
    hostvars["app-1"]["platform_extra_groups"] = ["backup"]  # union over all hosts
    result = run(platform, hostvars, groups)
    assert result["errors"] == []


def test_platform_extra_groups_must_be_a_list(platform):
    groups = dict(GROUPS, storage=["lab-1"])
    result = run(platform, with_vars("lab-1", platform_extra_groups="storage"), groups)
    assert "host lab-1: platform_extra_groups: must be a list of group names, got 'storage'" in result["errors"]
    assert any(error.startswith("group storage: unknown group") for error in result["errors"])


def test_group_catalog_is_complete():
    for group in ("central", "gpu_nodes", "workspace_vms", "docker_hosts", "dns_servers", "gateway",
                  "monitoring", "ceph_mons", "ceph_mgrs", "ceph_osds", "ceph_mdss", "ceph_rgws",
                  "ceph_clients", "openstack_controllers", "lab"):
        assert GROUP_CATALOG[group].strip()


# --------------------------------------------------------------------------------------
# Check 4: Docker address pools
# --------------------------------------------------------------------------------------


def test_default_pool_overlapping_internal_network_is_reported(platform):
    result = run(platform, with_vars("central-1", platform_internal_networks=["10.203.4.0/24"]))
    assert result["errors"] == [
        "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) "
        "overlaps platform_internal_networks 10.203.4.0/24"
    ]


def test_host_pool_overlapping_internal_network_is_reported(platform):
    hostvars = with_vars("central-1", docker_engine_default_address_pools=[{"base": "10.0.128.0/17", "size": 24}])
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host central-1: docker_engine_default_address_pools: 10.0.128.0/17 "
        "overlaps platform_internal_networks 10.0.0.0/16"
    ]


def test_pool_containing_any_hosts_address_is_reported(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["app-1"]["ansible_host"] = "10.203.7.9"  # another host
    hostvars["central-1"]["docker_engine_bip"] = "192.168.77.1/24"
    hostvars["lab-1"]["ansible_host"] = "192.168.77.20"
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host central-1: docker_engine_bip: 192.168.77.1/24 (network 192.168.77.0/24) "
        "contains ansible_host 192.168.77.20 of host lab-1",
        "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) "
        "contains ansible_host 10.203.7.9 of host app-1",
    ]


def test_host_named_by_ip_counts_as_address(platform):
    groups = copy.deepcopy(GROUPS)
    groups["all"].append("10.203.1.1")
    groups["lab"].append("10.203.1.1")
    result = run(platform, groups=groups)
    assert result["errors"] == [
        "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) "
        "contains ansible_host 10.203.1.1 of host 10.203.1.1"
    ]


def test_bip_overlapping_internal_network_is_reported(platform):
    result = run(platform, with_vars("central-1", docker_engine_bip="10.0.5.1/24"))
    assert result["errors"] == [
        "host central-1: docker_engine_bip: 10.0.5.1/24 (network 10.0.5.0/24) "
        "overlaps platform_internal_networks 10.0.0.0/16"
    ]


def test_invalid_cidrs_are_reported(platform):
    hostvars = with_vars(
        "central-1",
        platform_internal_networks=["10.0.0.0/33", "192.0.2.0/24"],
        docker_engine_default_address_pools=[{"base": "10.300.0.0/16", "size": 24},
                                             {"base": "172.30.0.0/16", "size": 12}],
        docker_engine_bip="not-an-address",
    )
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host central-1: docker_engine_bip: 'not-an-address' is not a valid address/prefix (e.g. 10.202.0.1/24)",
        "host central-1: docker_engine_default_address_pools: base '10.300.0.0/16' is not a valid CIDR",
        "host central-1: docker_engine_default_address_pools: size 12 does not fit base 172.30.0.0/16 "
        "(must be between 16 and 32)",
        "host central-1: platform_internal_networks: '10.0.0.0/33' is not a valid CIDR",
    ]


def test_internal_networks_must_be_a_list(platform):
    result = run(platform, with_vars("central-1", platform_internal_networks="10.0.0.0/8"))
    assert result["errors"] == [
        "host central-1: platform_internal_networks: must be a list of CIDRs, got '10.0.0.0/8'"
    ]


def test_non_clashing_pools_pass(platform):
    hostvars = with_vars(
        "central-1",
        platform_internal_networks=["10.0.0.0/16", "fd00::/64"],
        docker_engine_default_address_pools=[{"base": "172.31.0.0/16", "size": 24}],
        docker_engine_bip="172.30.0.1/24",
        ansible_host="central.example",  # host names are not addresses
    )
    assert run(platform, hostvars)["errors"] == []


def test_rules_are_extensible(platform):
    def no_lab_hosts(context):
        return ["host %s: lab: lab hosts are not allowed here" % host for host in context.groups.get("lab", [])]

    result = run(platform, rules=rules.RULES + [no_lab_hosts])
    assert result["errors"] == ["host lab-1: lab: lab hosts are not allowed here"]
    assert all(callable(rule) for rule in rules.RULES)


# --------------------------------------------------------------------------------------
# Variables that cannot be evaluated offline
# --------------------------------------------------------------------------------------


class FactDependentVars(Mapping):
    """Behaves like hostvars[host] when some templates need facts."""

    def __init__(self, data, unevaluable):
        self._data = data
        self._unevaluable = set(unevaluable)

    def __getitem__(self, key):
        if key in self._unevaluable:
            raise UnevaluableVariable("'ansible_facts' is undefined")
        return self._data[key]

    def __iter__(self):
        return iter(set(self._data) | self._unevaluable)

    def __len__(self):
        return len(set(self._data) | self._unevaluable)

    def __contains__(self, key):
        return key in self._data or key in self._unevaluable


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


# --------------------------------------------------------------------------------------
# Drift: the real roles/docker_engine
# --------------------------------------------------------------------------------------


def test_real_docker_engine_spec(make_platform, repo_root):
    root = make_platform(docker="real")
    good = copy.deepcopy(HOSTVARS)
    good["central-1"].update(
        docker_engine_source="distro",
        docker_engine_log_max_file="3",
        docker_engine_registry_mirrors=["https://mirror.example"],
        docker_engine_default_address_pools=[{"base": "172.31.0.0/16", "size": 24}],
        docker_engine_bip="172.30.0.1/24",
        docker_engine_daemon_options={"debug": True},
    )
    result = run(root, good)
    assert result["errors"] == []
    assert result["checked"]["docker_engine"] == ["central-1"]

    bad = copy.deepcopy(HOSTVARS)
    bad["central-1"].update(
        platform_internal_networks=["10.203.0.0/24"],  # clashes with the role's default pool
        docker_engine_source="snap",
        docker_engine_compose="maybe",
        docker_engine_insecure_registry=["r:5000"],
        docker_engine_default_address_pools_extra=[],
    )
    errors = run(root, bad)["errors"]
    assert "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 (role default) " \
           "overlaps platform_internal_networks 10.203.0.0/24" in errors
    assert "host central-1: docker_engine_source: value of docker_engine_source must be one of: upstream, " \
           "distro, got: snap" in errors
    assert any(error.startswith("host central-1: docker_engine_compose: ") for error in errors)
    assert "host central-1: docker_engine_insecure_registry: unknown variable for role docker_engine (typo?)" \
        in errors
    assert "host central-1: docker_engine_default_address_pools_extra: unknown variable for role " \
           "docker_engine (typo?)" in errors
    assert len(errors) == 5, errors


def test_real_docker_engine_default_pool_is_literal(repo_root):
    """The address-pool rule falls back to this literal default (spec/defaults agreement for
    every role: tests/unit/roles/test_role_contracts.py)."""
    defaults = yaml.safe_load((repo_root / "roles" / "docker_engine" / "defaults" / "main.yml").read_text())
    assert defaults["docker_engine_default_address_pools"][0]["base"]


def test_host_named_like_a_catalog_group(platform):
    groups = copy.deepcopy(GROUPS)
    groups["all"].append("gateway")
    groups["gateway"] = ["gateway"]
    assert run(platform, groups=groups)["errors"] == []
