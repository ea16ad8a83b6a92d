# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reader of the inventory's own files (inventory_validation/files.py): which file and line
sets which variable, broken YAML, duplicate keys, vault-encrypted files and !vault values."""

from __future__ import annotations

import textwrap

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import (
    parse_yaml,
    read_inventory,
)

HOSTS = """\
---
all:
  vars:
    platform_dns_zone: corp.internal
  children:
    central:
      hosts:
        central-1:
          ansible_host: 10.0.0.10
          platform_address: 10.0.0.10
    gpu_nodes:
      hosts:
        gpu-1:
      vars:
        ollama_port: 11434
"""

VAULT = VaultLib([("default", VaultSecret(b"correct horse"))])


def decrypt(raw: bytes) -> str:
    return VAULT.decrypt(raw).decode()


def write(root, files: dict):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode())
    return root


def places(files):
    return {(d.scope, d.name, d.variable, d.file, d.line) for d in files.definitions}


def test_every_variable_with_its_file_and_line(tmp_path):
    write(tmp_path, {
        "hosts.yml": HOSTS,
        "group_vars/all/platform.yml": "---\nplatform_customer: acme\n\nplatform_internal_networks: [10.0.0.0/16]\n",
        "group_vars/all/zz.yaml": "site_note: x\n",
        "group_vars/central.yml": "central_services_enabled: [n8n]\n",
        "group_vars/gpu_nodes": "ollama_models: []\n",  # no extension: read as well
        "host_vars/gpu-1.yml": "---\nansible_host: 10.0.0.20\n",
    })
    files = read_inventory([str(tmp_path)])
    assert files.problems == []
    assert places(files) == {
        ("group", "all", "platform_dns_zone", "hosts.yml", 4),
        ("host", "central-1", "ansible_host", "hosts.yml", 9),
        ("host", "central-1", "platform_address", "hosts.yml", 10),
        ("group", "gpu_nodes", "ollama_port", "hosts.yml", 15),
        ("group", "all", "platform_customer", "group_vars/all/platform.yml", 2),
        ("group", "all", "platform_internal_networks", "group_vars/all/platform.yml", 4),
        ("group", "all", "site_note", "group_vars/all/zz.yaml", 1),
        ("group", "central", "central_services_enabled", "group_vars/central.yml", 1),
        ("group", "gpu_nodes", "ollama_models", "group_vars/gpu_nodes", 1),
        ("host", "gpu-1", "ansible_host", "host_vars/gpu-1.yml", 2),
    }
    assert files.hosts == {"central-1", "gpu-1"}
    assert files.groups == {"all", "central", "gpu_nodes"}
    assert files.parsed_sources == 1
    assert files.root == str(tmp_path)
    assert sorted(files.clear_files) == ["group_vars/all/platform.yml", "group_vars/all/zz.yaml",
                                         "group_vars/central.yml", "group_vars/gpu_nodes", "host_vars/gpu-1.yml"]
    assert files.encrypted_files == []
    assert not any(d.vaulted for d in files.definitions)
    value = next(d.value for d in files.definitions if d.variable == "platform_internal_networks")
    assert value == ["10.0.0.0/16"]


def test_a_file_source_reads_the_vars_directories_beside_it(tmp_path):
    write(tmp_path, {"inv/hosts.yml": HOSTS, "inv/group_vars/all.yml": "platform_customer: acme\n",
                     "inv/other.yml": "all: {vars: {not_read: 1}}\n"})
    files = read_inventory([str(tmp_path / "inv" / "hosts.yml")])
    assert ("group", "all", "platform_customer", "group_vars/all.yml", 1) in places(files)
    assert "not_read" not in {d.variable for d in files.definitions}
    assert files.sources == [str(tmp_path / "inv" / "hosts.yml")]


def test_files_ansible_ignores_are_not_read(tmp_path):
    write(tmp_path, {
        "hosts.yml": HOSTS,
        "README.md": "# not: [yaml\n",
        "hosts.yml.bak": "all: [\n",
        ".hidden.yml": "all: [\n",
        "group_vars/all/notes.txt": "not: [yaml\n",
        "group_vars/all/.swap.yml": "not: [yaml\n",
        "group_vars/all/old.yml~": "not: [yaml\n",
    })
    files = read_inventory([str(tmp_path)])
    assert files.problems == []
    assert files.parsed_sources == 1
    assert files.clear_files == []


# --------------------------------------------------------------------------------------
# YAML that Ansible would not read as written
# --------------------------------------------------------------------------------------


def test_a_tab_names_file_and_line_and_says_tab(tmp_path):
    write(tmp_path, {"hosts.yml": "all:\n  hosts:\n    a: {}\n  vars:\n\tplatform_customer: acme\n"})
    files = read_inventory([str(tmp_path)])
    assert files.problems == ["hosts.yml:5: not valid YAML: found character '\\t' that cannot start any token "
                              "(the line holds a tab: YAML indents with spaces only)"]
    assert files.definitions == [] and files.hosts == set()
    assert files.parsed_sources == 1


def test_broken_indentation_names_file_and_line(tmp_path):
    write(tmp_path, {"hosts.yml": "all:\n  hosts:\n    a:\n      x: 1\n     y: 2\n"})
    assert read_inventory([str(tmp_path)]).problems == [
        "hosts.yml:5: not valid YAML: expected <block end>, but found '<block mapping start>'"]


def test_broken_vars_file_names_its_line(tmp_path):
    write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all.yml": "a: 1\nb: [1, 2\n"})
    problems = read_inventory([str(tmp_path)]).problems
    assert len(problems) == 1 and problems[0].startswith("group_vars/all.yml:3: not valid YAML: ")
    assert "tab" not in problems[0]


def test_duplicate_key_names_both_lines(tmp_path):
    write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all.yml": "ollama_port: 1\nplatform_customer: a\nollama_port: 2\n"})
    files = read_inventory([str(tmp_path)])
    assert files.problems == [
        "group_vars/all.yml:3: ollama_port: duplicate key (first at line 1); YAML keeps only the last value"]
    kept = [d for d in files.definitions if d.variable == "ollama_port" and d.file == "group_vars/all.yml"]
    assert [(d.line, d.value) for d in kept] == [(3, 2)]


def test_parse_yaml_keeps_key_lines():
    problems: list = []
    data = parse_yaml("a:\n  b: 1\n  c: 2\n", "f.yml", problems)
    assert data == {"a": {"b": 1, "c": 2}} and problems == []
    assert data.lines == {"a": 1} and data["a"].lines == {"b": 2, "c": 3}


@pytest.mark.parametrize(("files", "problem"), [
    ({"hosts.yml": "- all\n"}, "hosts.yml: an inventory file must be a mapping of groups (all: ...)"),
    ({"hosts.yml": "all:\n  hosts: [a, b]\n"}, "hosts.yml:2: group all: hosts must be a mapping of host names"),
    ({"hosts.yml": "all:\n  children: [central]\n"},
     "hosts.yml:2: group all: children must be a mapping of group names"),
    ({"hosts.yml": "all:\n  host:\n    a:\n"},
     "hosts.yml:2: group all: unknown key host (a group has hosts, children and vars)"),
    ({"hosts.yml": "all: [a]\n"}, "hosts.yml: group all: must be a mapping (hosts, children, vars), not list"),
    ({"hosts.yml": HOSTS, "group_vars/all.yml": "- a\n"}, "group_vars/all.yml: must be a mapping of variables, not list"),
    ({"hosts.yml": HOSTS, "host_vars/a.yml": b"x: \xff\n"}, "host_vars/a.yml: not UTF-8 text"),
])
def test_wrong_shapes(tmp_path, files, problem):
    write(tmp_path, files)
    assert read_inventory([str(tmp_path)]).problems == [problem]


# --------------------------------------------------------------------------------------
# INI inventories: Ansible's own parser reads them
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "# the site\n[central]\ncentral-1 ansible_host=10.0.0.10\n",
    # ungrouped hosts first: Ansible's yaml plugin refuses it (not a mapping), the ini plugin reads it
    "localhost ansible_connection=local\n[central]\ncentral-1\n",
])
def test_ini_inventory_is_skipped(tmp_path, text):
    write(tmp_path, {"hosts": text, "group_vars/all.yml": "platform_customer: acme\n"})
    files = read_inventory([str(tmp_path)])
    assert files.problems == []
    assert files.parsed_sources == 0 and files.hosts == set()
    assert places(files) == {("group", "all", "platform_customer", "group_vars/all.yml", 1)}


def test_ini_file_given_as_source_is_skipped(tmp_path):
    write(tmp_path, {"hosts.ini": "central-1 ansible_host=10.0.0.10\n"})
    files = read_inventory([str(tmp_path / "hosts.ini")])
    assert files.problems == [] and files.parsed_sources == 0


# --------------------------------------------------------------------------------------
# Vault
# --------------------------------------------------------------------------------------


def test_vault_encrypted_file_is_read_with_decrypt(tmp_path):
    secret = VAULT.encrypt("---\nvault_openstack_password: s3cret\n")
    write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all/vault.yml": secret})
    files = read_inventory([str(tmp_path)], decrypt)
    assert files.encrypted_files == ["group_vars/all/vault.yml"] and files.clear_files == []
    [definition] = [d for d in files.definitions if d.file == "group_vars/all/vault.yml"]
    assert (definition.scope, definition.name, definition.variable, definition.line) == (
        "group", "all", "vault_openstack_password", 2)
    assert definition.vaulted and definition.value == "s3cret"
    assert files.problems == []


def test_vault_encrypted_file_without_decrypt_is_listed_not_read(tmp_path):
    write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all/vault.yml": VAULT.encrypt("vault_x: 1\n")})
    files = read_inventory([str(tmp_path)])
    assert files.encrypted_files == ["group_vars/all/vault.yml"]
    assert "vault_x" not in {d.variable for d in files.definitions}
    assert files.problems == []


def test_vault_file_that_does_not_decrypt_is_a_problem(tmp_path):
    other = VaultLib([("default", VaultSecret(b"another password"))])
    write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all/vault.yml": other.encrypt("vault_x: 1\n")})
    files = read_inventory([str(tmp_path)], decrypt)
    assert len(files.problems) == 1
    assert files.problems[0].startswith("group_vars/all/vault.yml: cannot be decrypted: ")
    assert files.encrypted_files == ["group_vars/all/vault.yml"]


def test_inline_vault_values_are_marked_vaulted(tmp_path):
    ciphertext = VAULT.encrypt("s3cret").decode()
    inline = "openstack_cloud:\n  auth:\n    password: plain\nwebapp_token: !vault |\n%s\n" % textwrap.indent(
        ciphertext, "  ")
    write(tmp_path, {"hosts.yml": HOSTS, "group_vars/all.yml": inline})
    files = read_inventory([str(tmp_path)], decrypt)
    assert files.problems == []
    vaulted = {d.variable: d.vaulted for d in files.definitions if d.file == "group_vars/all.yml"}
    assert vaulted == {"openstack_cloud": False, "webapp_token": True}
    token = next(d for d in files.definitions if d.variable == "webapp_token")
    assert token.line == 4 and token.value.startswith("$ANSIBLE_VAULT;1.1;AES256")
