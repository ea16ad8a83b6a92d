# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules on the inventory's files (inventory_validation/file_rules.py): every file parses,
and an inventory that Ansible read as empty is refused, not passed green."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import validate
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.file_rules import (
    check_inventory_files,
    check_inventory_has_hosts,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import InventoryFiles
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.role_variables import (
    check_argument_specs,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.rules import RULES
from inventory_cases import HOSTVARS, run
from rule_context import make_context

TAB = "file hosts.yml:3: not valid YAML: found character '\\t' that cannot start any token " \
      "(the line holds a tab: YAML indents with spaces only)"


def test_every_file_problem_is_an_error():
    files = InventoryFiles(problems=["hosts.yml:3: x: duplicate key (first at line 2); YAML keeps only the last value"])
    assert check_inventory_files(make_context({"a": {}}, files=files)) == [
        "file hosts.yml:3: x: duplicate key (first at line 2); YAML keeps only the last value"]
    assert check_inventory_files(make_context({"a": {}}, files=InventoryFiles())) == []


def test_no_hosts_after_a_broken_file_points_at_it():
    files = InventoryFiles(problems=["hosts.yml:3: not valid YAML: ..."], parsed_sources=1, sources=["inv"])
    assert check_inventory_has_hosts(make_context({}, files=files)) == [
        "inventory: no hosts; Ansible found none in the inventory's sources "
        "(parsed 1 YAML inventory file(s): see the problems above)"]


def test_no_hosts_in_sound_files():
    files = InventoryFiles(parsed_sources=1, sources=["inv"])
    assert check_inventory_has_hosts(make_context({}, files=files)) == [
        "inventory: no hosts; Ansible found none in the inventory's sources"]


def test_hosts_or_no_sources_pass():
    assert check_inventory_has_hosts(make_context({"a": {}}, files=InventoryFiles(sources=["inv"]))) == []
    assert check_inventory_has_hosts(make_context({}, files=InventoryFiles())) == []  # a caller without sources


def test_validate_reads_the_sources_it_is_given(platform, tmp_path):
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "hosts.yml").write_text("all:\n  hosts:\n\tcentral-1: {}\n")
    result = validate({}, {"all": [], "ungrouped": []}, site_playbook=str(platform / "playbooks" / "site.yml"),
                      rules=[check_inventory_files, check_inventory_has_hosts],
                      inventory_sources=[str(tmp_path / "inv")])
    assert result["errors"] == [
        TAB,
        "inventory: no hosts; Ansible found none in the inventory's sources "
        "(parsed 1 YAML inventory file(s): see the problems above)",
    ]
    assert result["failed"] is True


def test_a_file_that_does_not_parse_stops_the_other_checks(platform, tmp_path):
    """Checks on an inventory Ansible read only in part would report consequences, not the cause."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text("all:\n  children:\n    app_servers:\n      hosts:\n        app-1:\n")
    (inventory / "group_vars" / "app_servers.yml").write_text("---\nwebapp_port: 8080\n\twebapp_mode: slow\n")
    hostvars = {"app-1": dict(HOSTVARS["app-1"], webapp_mode="slow")}  # what a wrong value would give
    groups = {"all": ["app-1"], "app_servers": ["app-1"]}
    result = run(platform, hostvars, groups, rules=[*RULES, check_argument_specs], inventory_sources=[str(inventory)])
    assert len(result["errors"]) == 1 and result["errors"][0].startswith(
        "file group_vars/app_servers.yml:3: not valid YAML: "), result["errors"]
    assert any("the other checks run once the file(s) parse" in warning for warning in result["warnings"])
