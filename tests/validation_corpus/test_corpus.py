# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validation corpus: realistic mistakes in a copy of inventories/example (cases.yml).

Each case copies inventories/example to a temporary directory, applies its edits and runs
playbooks/validate.yml against the copy, as an operator would:

- a broken case must fail, name what the case's ``expect`` lists (host or group, variable, the
  suggestion) and print no Python traceback; and ``site.yml`` against the same copy must stop in
  its first play: the recap lists localhost only, no other play starts;
- a benign case must pass ``validate.yml``.

A case marked ``pending`` names a mistake that validation does not catch yet: it runs and is
expected to fail (strict xfail), so the day the rule exists the case fails until the marker goes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inventories" / "example"
CASES = yaml.safe_load((Path(__file__).parent / "cases.yml").read_text(encoding="utf-8"))
VAULT_PASSWORD = "corpus-vault-password"
BIN = Path(sys.executable).parent


def _env(tmp: Path) -> dict:
    password_file = tmp / "vault-pass"
    password_file.write_text(VAULT_PASSWORD + "\n", encoding="utf-8")
    env = dict(os.environ)
    # The corpus is about the inventory's data: a CI job (CI=true) would also refuse each copy for
    # the secrets nobody created for it (tests/unit: test_committed_secrets covers that rule).
    env.pop("CI", None)
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_VAULT_PASSWORD_FILE=str(password_file),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"),
        ANSIBLE_RETRY_FILES_ENABLED="0",
    )
    return env


def _apply(inventory: Path, edit: dict, env: dict) -> None:
    path = inventory / edit["file"]
    if "replace" in edit:
        old, new = edit["replace"]
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, "case edit: %r occurs %d times in %s" % (old, text.count(old), edit["file"])
        path.write_text(text.replace(old, new), encoding="utf-8")
    elif "append" in edit:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(edit["append"])
    elif "write" in edit:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edit["write"], encoding="utf-8")
    elif "delete" in edit:
        path.unlink()
    else:
        raise AssertionError("case edit without replace, append, write or delete: %r" % edit)
    if edit.get("encrypt"):
        subprocess.run([str(BIN / "ansible-vault"), "encrypt", str(path)], env=env, check=True,
                       capture_output=True, timeout=60)


def _inventory(tmp: Path, case: dict, env: dict) -> Path:
    inventory = tmp / "customer"
    shutil.copytree(EXAMPLE, inventory)
    for edit in case.get("edits", []):
        _apply(inventory, edit, env)
    return inventory


def _play(playbook: str, inventory: Path, env: dict) -> subprocess.CompletedProcess:
    command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / playbook)]
    return subprocess.run(command, check=False, env=env, cwd=str(ROOT), capture_output=True, text=True, timeout=300)


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason="pending: " + case["pending"])] if case.get("pending") else []
        yield pytest.param(case, id=case["name"], marks=marks)


def test_corpus_is_large_and_named_uniquely():
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    assert sum(1 for case in CASES if case["kind"] == "broken") >= 40
    assert sum(1 for case in CASES if case["kind"] == "benign") >= 8


@pytest.mark.parametrize("case", list(_params()))
def test_case(case, tmp_path):
    env = _env(tmp_path)
    inventory = _inventory(tmp_path, case, env)
    result = _play("validate.yml", inventory, env)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    if case["kind"] == "benign":
        assert result.returncode == 0, output
        return
    assert result.returncode != 0, "validate.yml passed a broken inventory:\n" + output
    missing = [text for text in case["expect"] if text not in output]
    assert not missing, "validate.yml output lacks %s:\n%s" % (missing, output)

    site = _play("site.yml", inventory, env)
    site_output = site.stdout + site.stderr
    assert site.returncode != 0, site_output
    recap = site_output.split("PLAY RECAP", 1)[-1] if "PLAY RECAP" in site_output else ""
    recap_hosts = re.findall(r"^(\S+)\s+: ok=", recap, flags=re.MULTILINE)
    assert recap_hosts in ([], ["localhost"]), "site.yml reached other hosts:\n" + site_output
    plays = re.findall(r"^PLAY \[(.*)\]", site_output, flags=re.MULTILINE)
    assert len(plays) <= 1, "site.yml went past its first play: %s\n%s" % (plays, site_output)
