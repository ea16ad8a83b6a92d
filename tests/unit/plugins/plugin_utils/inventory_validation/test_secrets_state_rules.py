# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets-state rules (inventory_validation/secrets_state.py): a run that may not create
secrets (CI) finds every planned secret and the CA, and the file never lies where Ansible reads
it as inventory."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import InventoryFiles
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.secrets_state import (
    check_committed_secrets,
    check_secrets_location,
)
from rule_context import make_context

VAULT = VaultLib([("default", VaultSecret(b"unit-test-password"))])
QDRANT = ["qdrant/api_key", "qdrant/read_only_api_key"]


def decrypt(data: bytes) -> str:
    return VAULT.decrypt(data).decode("utf-8")


def site(tmp_path, stored, ca=True, **central_vars):
    """An inventory in tmp_path/inv whose central host runs qdrant; stored: the secrets file's names."""
    path = tmp_path / "inv" / "secrets" / "platform.vault.yml"
    path.parent.mkdir(parents=True)
    if stored is not None:
        path.write_bytes(VAULT.encrypt(yaml.safe_dump(dict((name, "x" * 32) for name in stored)).encode()))
    if ca:
        (path.parent / "ca").mkdir()
        for name in ("ca.key", "ca.crt"):
            (path.parent / "ca" / name).write_text("-----BEGIN-----\n")
    hostvars = {"core-1": dict({"ansible_host": "10.0.0.10", "central_services_enabled": ["qdrant"],
                                "platform_secrets_file": str(path)}, **central_vars)}
    ctx = make_context(hostvars, groups={"central": ["core-1"]},
                       role_hosts={"central_services": ["core-1"], "internal_ca": ["core-1"]})
    return dataclasses.replace(ctx, decrypt=decrypt), path


def test_outside_ci_nothing_is_required(tmp_path):
    ctx, _path = site(tmp_path, stored=None, ca=False)
    assert check_committed_secrets(ctx) == []


def test_in_ci_every_planned_secret_and_the_ca_are_there(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    ctx, _path = site(tmp_path, stored=QDRANT + ["left/over"])
    assert check_committed_secrets(ctx) == []


def test_in_ci_each_missing_secret_and_ca_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    ctx, path = site(tmp_path, stored=QDRANT[:1], ca=False)
    errors = check_committed_secrets(ctx)
    assert errors[0] == "secret qdrant/read_only_api_key (central service qdrant on core-1): not in %s" % path
    assert errors[1] == "internal_ca_directory: the internal CA's ca.key is not in %s" % (path.parent / "ca")
    assert errors[2] == "internal_ca_directory: the internal CA's ca.crt is not in %s" % (path.parent / "ca")
    assert errors[3].startswith("this run may not create secrets (CI=true): create them before the run with "
                                "./foundry secrets INVENTORY")
    assert len(errors) == 4


def test_a_missing_file_means_every_secret_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    ctx, _path = site(tmp_path, stored=None)
    assert [error.split(" ")[1] for error in check_committed_secrets(ctx)[:-1]] == QDRANT


@pytest.mark.parametrize(("ci", "setting", "required"), [("", False, True), ("true", True, False), ("true", "no", True)])
def test_platform_secrets_create_decides_over_ci(tmp_path, monkeypatch, ci, setting, required):
    monkeypatch.setenv("CI", ci)
    ctx, _path = site(tmp_path, stored=[], platform_secrets_create=setting)
    errors = check_committed_secrets(ctx)
    assert bool(errors) == required
    if required and ci != "true":
        assert errors[-1].startswith("this run may not create secrets (platform_secrets_create: false)")


def test_a_file_that_cannot_be_read_is_one_problem(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    ctx, path = site(tmp_path, stored=[])
    ctx = dataclasses.replace(ctx, decrypt=None)
    assert check_committed_secrets(ctx) == [
        "platform_secrets_file: %s is vault-encrypted but Ansible has no vault password (give --vault-password-file "
        "or set ANSIBLE_VAULT_PASSWORD_FILE)" % path]


def with_sources(ctx, *sources):
    return dataclasses.replace(ctx, files=InventoryFiles(sources=[str(source) for source in sources]))


def test_secrets_in_an_ignored_directory_of_the_inventory_pass(tmp_path, monkeypatch):
    monkeypatch.setattr("ansible.constants.INVENTORY_IGNORE_PATTERNS", ["^secrets$"])
    ctx, _path = site(tmp_path, stored=[])
    assert check_secrets_location(with_sources(ctx, tmp_path / "inv")) == []


def test_secrets_where_ansible_reads_them_as_inventory_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("ansible.constants.INVENTORY_IGNORE_PATTERNS", [])
    ctx, path = site(tmp_path, stored=[])
    errors = check_secrets_location(with_sources(ctx, tmp_path / "inv"))
    assert len(errors) == 1
    assert errors[0].startswith("platform_secrets_file: %s lies in the inventory directory %s, where Ansible reads "
                                "every file as inventory" % (path, tmp_path / "inv"))
    # an inventory given as a file, or a hidden directory, is not read that way
    assert check_secrets_location(with_sources(ctx, tmp_path / "inv" / "hosts.yml")) == []
    hidden = tmp_path / "inv" / ".secrets" / "platform.vault.yml"
    ctx = make_context({"core-1": {"platform_secrets_file": str(hidden)}})
    assert check_secrets_location(with_sources(ctx, tmp_path / "inv")) == []
