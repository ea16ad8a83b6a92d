# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end: playbooks/secrets.yml (./foundry secrets) on a copy of the example inventory
creates every planned secret and the CA once, changes nothing when run again, shows names and
never values, and leaves an inventory that a CI validation accepts."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

ROOT = Path(__file__).resolve().parents[4]
PASSWORD = "unit-test-vault-password"


def playbook(name, inventory, password_file, *extra, ci=False):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_VAULT_PASSWORD_FILE=str(password_file))
    env.pop("CI", None)
    if ci:
        env["CI"] = "true"
    binary = Path(sys.executable).with_name("ansible-playbook")
    return subprocess.run([str(binary), "-i", str(inventory), str(ROOT / "playbooks" / name), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def digest(directory: Path) -> dict:
    return dict((str(path.relative_to(directory)), hashlib.sha256(path.read_bytes()).hexdigest())
                for path in sorted(directory.rglob("*")) if path.is_file() and not path.name.startswith("."))


@pytest.fixture
def inventory(tmp_path):
    target = tmp_path / "customer"
    shutil.copytree(ROOT / "inventories" / "example", target)
    password_file = tmp_path / "vault-pass"
    password_file.write_text(PASSWORD + "\n")
    return target, password_file


def stored(path: Path) -> dict:
    raw = path.read_bytes()
    assert raw.startswith(b"$ANSIBLE_VAULT")
    return yaml.safe_load(VaultLib([("default", VaultSecret(PASSWORD.encode()))]).decrypt(raw))


def test_secrets_once_then_nothing_and_ci_accepts_the_inventory(inventory):
    target, password_file = inventory
    secrets = target / "secrets"

    checked = playbook("secrets.yml", target, password_file, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-2000:]
    assert not (secrets / "platform.vault.yml").exists()        # check mode writes no secret
    assert "n8n/encryption_key  (central service n8n on ai-core-1)" in checked.stdout

    ci_before = playbook("validate.yml", target, password_file, ci=True)
    assert ci_before.returncode != 0
    assert "secret n8n/encryption_key (central service n8n on ai-core-1): not in" in ci_before.stdout + ci_before.stderr

    first = playbook("secrets.yml", target, password_file, "--diff")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    data = stored(secrets / "platform.vault.yml")
    expected = {"n8n/encryption_key", "gateway/master_key", "gateway-key/research-team", "ceph/mon.",
                "ceph/rgw/langfuse/secret_key", "workspace-alice/desktop_password", "workspace-alice/guacamole_password",
                "workspace-bob-open-webui/admin_password"}
    assert expected <= set(data)
    assert all(value not in first.stdout for value in data.values())   # names in the diff, never values
    assert (secrets / "ca" / "ca.key").is_file() and (secrets / "ca" / "ca.crt").is_file()
    assert "Skipping" not in first.stderr                              # the secrets are never read as inventory

    before = digest(secrets)
    second = playbook("secrets.yml", target, password_file)
    assert second.returncode == 0
    assert "changed=0" in second.stdout
    assert digest(secrets) == before

    ci_after = playbook("validate.yml", target, password_file, ci=True)
    assert ci_after.returncode == 0, ci_after.stdout[-3000:]
    assert digest(secrets) == before
