# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users install it: built, installed into an empty collections path, used
from a directory outside the checkout.

``ansible-galaxy collection build`` makes the tarball from this checkout (galaxy.yml's
build_ignore decides what ships), ``ansible-galaxy collection install --no-deps`` puts it into an
empty ``<tmp>/collections`` (the dependencies come with the ``ansible`` package of the venv,
found on sys.path), and a user's site directory ``<tmp>/site`` gets the example inventory from
the *installed* collection, an ansible.cfg with nothing but ``[inventory] ignore_patterns``, and
its own playbook that calls ``foundrycloud.platform.validate_inventory`` without arguments. Nothing
here reads the checkout's ansible.cfg or its collections/ symlink: every command runs in
``<tmp>/site`` with ANSIBLE_CONFIG and ANSIBLE_COLLECTIONS_PATH pointing into ``<tmp>``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 120

# What ships, and what must not.
SHIPPED_TOP_LEVEL = {
    "CHANGELOG.md", "FILES.json", "LICENSE", "MANIFEST.json", "README.md", "catalog", "changelogs", "docs",
    "execution-environment.yml", "inventories", "meta", "playbooks", "plugins", "requirements.yml", "roles",
}
NOT_SHIPPED = ("tests/", "molecule/", "scripts/", ".ci/", ".config/", ".cache/", ".venv/", "collections/",
               "inventories/lab/", "playbooks/lab/", ".gitlab-ci.yml", "Makefile", "foundry", "ansible.cfg",
               "changelogs/fragments", "changelogs/.plugin-cache.yaml")

USER_PLAYBOOK = """\
---
- name: Check our inventory with the platform's validation
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Validate the inventory
      foundrycloud.platform.validate_inventory:
"""


def _tool(name):
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name)


def _run(args, cwd, env):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(tmp root, env, tarball) with the built collection installed into <tmp>/collections."""
    root = tmp_path_factory.mktemp("installed_collection")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ANSIBLE_") and key not in ("CI", "PYTHONPATH")}
    env.update(ANSIBLE_CONFIG=str(root / "site" / "ansible.cfg"), ANSIBLE_HOME=str(root / "home"),
               ANSIBLE_COLLECTIONS_PATH=str(root / "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", PYTHONWARNINGS="ignore")
    site = root / "site"
    site.mkdir()
    (site / "ansible.cfg").write_text("[inventory]\nignore_patterns = ^secrets$\n")

    build = _run([_tool("ansible-galaxy"), "collection", "build", "--output-path", str(root / "dist"), str(REPO)],
                 cwd=site, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    tarball = root / "dist" / ("foundrycloud-platform-%s.tar.gz" % version)
    assert tarball.is_file(), build.stdout

    install = _run([_tool("ansible-galaxy"), "collection", "install", str(tarball), "-p", str(root / "collections"),
                    "--no-deps"], cwd=site, env=env)
    assert install.returncode == 0, install.stdout + install.stderr

    installed_dir = root / "collections" / "ansible_collections" / "foundrycloud" / "platform"
    shutil.copytree(installed_dir / "inventories" / "example", site / "inventory")
    (site / "validate.yml").write_text(USER_PLAYBOOK)
    return root, env, tarball


def test_the_tarball_ships_what_users_need(installed):
    tarball = installed[2]
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    assert {name.split("/")[0] for name in names} == SHIPPED_TOP_LEVEL
    assert [name for name in names if name.startswith(NOT_SHIPPED) or name in NOT_SHIPPED] == []
    assert "inventories/example/hosts.yml" in names and "catalog/images.yml" in names
    assert "playbooks/site.yml" in names and "playbooks/tasks/placement.yml" in names
    assert "changelogs/changelog.yaml" in names
    info = manifest["collection_info"]
    assert info["license"] == ["GPL-3.0-or-later"] and not info["license_file"]


def test_the_installed_copy_is_the_one_used(installed):
    root, env = installed[:2]
    site = root / "site"
    listing = _run([_tool("ansible-galaxy"), "collection", "list", "foundrycloud.platform", "--format", "json"],
                   cwd=site, env=env)
    assert listing.returncode == 0, listing.stderr
    assert list(json.loads(listing.stdout)) == [str(root / "collections" / "ansible_collections")]

    doc = _run([_tool("ansible-doc"), "-t", "module", "--json", "foundrycloud.platform.validate_inventory"],
               cwd=site, env=env)
    assert doc.returncode == 0, doc.stderr
    filename = json.loads(doc.stdout)["foundrycloud.platform.validate_inventory"]["doc"]["filename"]
    assert filename.startswith(str(root / "collections") + os.sep), filename


def test_the_user_playbook_validates_the_example_inventory(installed):
    root, env = installed[:2]
    site = root / "site"
    result = _run([_tool("ansible-playbook"), "-i", "inventory", "validate.yml"], cwd=site, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: [localhost]" in result.stdout

    broken = site / "inventory-misspelt"
    shutil.copytree(site / "inventory", broken)
    platform = broken / "group_vars" / "all" / "platform.yml"
    text = platform.read_text()
    assert "\nplatform_dns_zone:" in text
    platform.write_text(text.replace("\nplatform_dns_zone:", "\nplatform_dns_zon:"))
    result = _run([_tool("ansible-playbook"), "-i", broken.name, "validate.yml"], cwd=site, env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "platform_dns_zon: unknown variable" in output, output
    assert "did you mean platform_dns_zone" in output, output


def test_the_collection_plan_playbook_runs_by_fqcn(installed):
    root, env = installed[:2]
    site = root / "site"
    result = _run([_tool("ansible-playbook"), "foundrycloud.platform.plan", "-e", "plan_vram_offline=true",
                   "-i", "inventory"], cwd=site, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The collection's own task file, from the installed copy.
    assert "included: %s" % (root / "collections" / "ansible_collections" / "foundrycloud" / "platform" / "playbooks"
                             / "tasks" / "placement.yml") in output
    # The plan: placement table, DNS records, the VRAM plan of both GPU nodes of the example.
    assert "Placement (C = central instance, L = inside the workspace VM), zone localai.internal" in output
    assert "DNS records of localai.internal" in output
    assert "gpu-l4-1: fits" in output and "gpu-rtx6000-1: fits" in output
    # Nothing came from the checkout.
    for part in ("collections", "playbooks", "roles", "plugins", "catalog"):
        assert str(REPO / part) not in output, output
