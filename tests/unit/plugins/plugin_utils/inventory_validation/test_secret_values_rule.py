# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secret rules (inventory_validation/secret_values.py): vault-named files and the secrets
file are encrypted, and no password, key or token is a literal in a clear file."""

from __future__ import annotations

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import (
    InventoryFiles,
    read_inventory,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.secret_values import (
    HINT,
    check_literal_secrets,
    check_vault_files,
)
from rule_context import FactVars, group_var, make_context

# --------------------------------------------------------------------------------------
# Files meant to hold secrets
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [
    "group_vars/all/vault.yml", "group_vars/all/vault", "group_vars/central/langfuse.vault.yaml",
    "group_vars/all/vault/openstack.yml", "host_vars/gpu-1/vault.json",
])
def test_clear_file_named_as_vault_file(label):
    ctx = make_context({"a": {}}, files=InventoryFiles(clear_files=["group_vars/all/platform.yml", label]))
    assert check_vault_files(ctx) == ["file %s: not vault-encrypted, but its name says it holds secrets; "
                                      "encrypt it with ansible-vault encrypt %s" % (label, label)]


def test_encrypted_and_ordinary_files_pass():
    files = InventoryFiles(clear_files=["group_vars/all/platform.yml", "group_vars/all/vault_refs.yml",
                                        "group_vars/vaulted.yml"],
                           encrypted_files=["group_vars/all/vault.yml"])
    assert check_vault_files(make_context({"a": {}}, files=files)) == []


def test_clear_secrets_file_is_named_once(tmp_path):
    path = tmp_path / "platform.vault.yml"
    path.write_text("---\npostgres/langfuse: not-encrypted\n")
    hostvars = {host: {"platform_secrets_file": str(path)} for host in ("a", "b")}
    assert check_vault_files(make_context(hostvars)) == [
        "host a: platform_secrets_file: %s is not vault-encrypted; encrypt it with ansible-vault encrypt "
        "(the generated secrets are kept only encrypted)" % path]


def test_secrets_files_that_pass(tmp_path):
    encrypted, empty, clear = tmp_path / "encrypted.yml", tmp_path / "empty.yml", tmp_path / "clear.yml"
    encrypted.write_bytes(VaultLib([("default", VaultSecret(b"pw"))]).encrypt("a: 1\n"))
    empty.write_text("")
    clear.write_text("a: 1\n")
    hostvars = {
        "encrypted": {"platform_secrets_file": str(encrypted)},
        "empty": {"platform_secrets_file": str(empty)},
        "not-created-yet": {"platform_secrets_file": str(tmp_path / "missing.yml")},
        "lab": {"platform_secrets_file": str(clear), "platform_secrets_allow_plaintext": True},
        "unevaluable": FactVars({}, {"platform_secrets_file"}),
        "unset": {},
    }
    assert check_vault_files(make_context(hostvars)) == []


# --------------------------------------------------------------------------------------
# Literal secrets
# --------------------------------------------------------------------------------------


ROLES = {"workspace_desktop": [], "openstack_network": []}


def literal(*definitions):
    return check_literal_secrets(make_context({"a": {}}, role_hosts=ROLES, files=list(definitions)))


def test_no_log_option_written_as_literal():
    assert literal(group_var("all", "workspace_desktop_password", "Winter2026!", "group_vars/all/desktop.yml", 4)) == [
        "group all: workspace_desktop_password: a secret written in clear text; %s (group_vars/all/desktop.yml:4)"
        % HINT]


def test_secret_key_inside_a_setting():
    cloud = {"auth": {"auth_url": "https://keystone:5000/v3", "username": "admin", "password": "Sup3rSecret"}}
    settings = {"langfuse": {"s3_endpoint": "http://rgw:7480", "s3_secret_access_key": "AKIAplain"}}
    assert literal(group_var("all", "openstack_cloud", cloud, line=3),
                   group_var("central", "central_services_settings", settings, "group_vars/central.yml", 9),
                   group_var("all", "site_tokens", [{"name": "ci", "api_token": "abc"}], line=12)) == [
        "group all: openstack_cloud: auth.password is a secret written in clear text; %s (group_vars/all.yml:3)"
        % HINT,
        "group central: central_services_settings: langfuse.s3_secret_access_key is a secret written in clear "
        "text; %s (group_vars/central.yml:9)" % HINT,
        "group all: site_tokens: [0].api_token is a secret written in clear text; %s (group_vars/all.yml:12)" % HINT,
    ]


def test_vault_references_vaulted_values_and_non_secrets_pass():
    assert literal(
        group_var("all", "workspace_desktop_password", "{{ vault_desktop_password }}"),
        group_var("all", "workspace_desktop_password", "Winter2026!", vaulted=True),  # an encrypted file
        group_var("all", "workspace_desktop_password", ""),
        group_var("all", "workspace_desktop_password_min_length", 16),
        group_var("all", "openstack_cloud", {"auth": {"password": "{{ vault_os_password }}", "password_file": "/x"}}),
        group_var("all", "openstack_network_cloud", "example-customer"),  # a clouds.yaml name: no_log, raw
    ) == []


def test_a_raw_no_log_option_is_checked_inside_its_dict():
    assert literal(group_var("all", "openstack_network_cloud", {"auth": {"password": "x1"}})) == [
        "group all: openstack_network_cloud: auth.password is a secret written in clear text; %s "
        "(group_vars/all.yml:1)" % HINT]


def test_inline_vault_values_pass(tmp_path):
    ciphertext = VaultLib([("default", VaultSecret(b"pw"))]).encrypt("Sup3rSecret").decode()
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "all.yml").write_text(
        "openstack_cloud:\n  auth:\n    password: !vault |\n%s\n" % "\n".join("      " + line for line in ciphertext.splitlines()))
    files = read_inventory([str(tmp_path)])
    assert files.problems == [] and not files.definitions[0].vaulted  # the dict is not, its password is
    assert check_literal_secrets(make_context({"a": {}}, files=files)) == []
