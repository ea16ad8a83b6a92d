# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end tests of the validate_inventory action plugin through playbooks/validate.yml.

Each test copies the repository's playbooks/validate.yml next to a temporary site.yml and
roles/, then runs ansible-playbook from the repository root (its ansible.cfg maps this
checkout as foundrycloud.platform). Inventory hosts use ssh with documentation-range
addresses (192.0.2.0/24): the play targets localhost only, so they are never contacted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HOSTS = """\
all:
  vars:
    ansible_connection: ssh
    ansible_user: nobody
  children:
    app_servers:
      hosts:
        app-1: {ansible_host: 192.0.2.11}
        app-2: {ansible_host: 192.0.2.12}
    edge:
      hosts:
        edge-1: {ansible_host: 192.0.2.13}
    central:
      hosts:
        central-1: {ansible_host: 192.0.2.10}
    docker_hosts:
      hosts:
        central-1:
        lab-1: {ansible_host: 192.0.2.14}
    lab:
      hosts:
        lab-1:
"""

GROUP_VARS_ALL = """\
webapp_port: 8080
webapp_listeners:
  - address: 0.0.0.0
    port: 80
webapp_gateway_url: https://gateway.example
platform_internal_networks:
  - 192.0.2.0/24
  - 10.0.0.0/16
"""


def ansible_playbook() -> str:
    candidate = Path(sys.executable).with_name("ansible-playbook")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ansible-playbook")
    if not found:
        pytest.skip("ansible-playbook not found")
    return found


@pytest.fixture
def platform(make_platform, repo_root):
    """A temporary collection tree whose playbooks/validate.yml is the repository's."""

    def factory(**kwargs) -> Path:
        root = make_platform(**kwargs)
        shutil.copy(repo_root / "playbooks" / "validate.yml", root / "playbooks" / "validate.yml")
        # the platform-wide variables' spec belongs to the collection, like its roles
        (root / "meta").mkdir()
        shutil.copy(repo_root / "meta" / "platform_argument_specs.yml", root / "meta" / "platform_argument_specs.yml")
        return root

    return factory


@pytest.fixture
def inventory(tmp_path):
    count = iter(range(1000))

    def factory(hosts: str = HOSTS, group_vars: dict | None = None, host_vars: dict | None = None) -> Path:
        directory = tmp_path / ("inventory-%d" % next(count))
        (directory / "group_vars").mkdir(parents=True)
        (directory / "host_vars").mkdir()
        (directory / "hosts.yml").write_text(hosts)
        for name, text in {"all": GROUP_VARS_ALL, **(group_vars or {})}.items():
            (directory / "group_vars" / (name + ".yml")).write_text(text)
        for name, text in (host_vars or {}).items():
            (directory / "host_vars" / (name + ".yml")).write_text(text)
        return directory / "hosts.yml"

    return factory


FAKE_SSH = """#!/bin/sh
# Stands in for ssh: records that something tried to connect, then fails.
echo "$@" >> "$(dirname "$0")/ssh-calls"
exit 255
"""


def run_validate(repo_root: Path, root: Path, inventory: Path, tmp_path: Path, *extra: str):
    fake_ssh = tmp_path / "bin" / "ssh"
    if not fake_ssh.exists():
        fake_ssh.parent.mkdir()
        fake_ssh.write_text(FAKE_SSH)
        fake_ssh.chmod(0o755)
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(repo_root / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"),
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_CALLBACK_RESULT_FORMAT="yaml",
        ANSIBLE_SSH_EXECUTABLE=str(fake_ssh),
    )
    completed = subprocess.run(
        [ansible_playbook(), "-i", str(inventory), str(root / "playbooks" / "validate.yml"), *extra],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr


def recap_hosts(output: str) -> list[str]:
    recap = output.split("PLAY RECAP", 1)[1]
    return [line.split()[0] for line in recap.splitlines()[1:] if ":" in line and "ok=" in line]


def test_validate_playbook_is_offline_and_lint_style(repo_root):
    plays = yaml.safe_load((repo_root / "playbooks" / "validate.yml").read_text())
    assert len(plays) == 1
    play = plays[0]
    assert play["name"]
    assert play["hosts"] == "localhost"
    assert play["connection"] == "local"
    assert play["gather_facts"] is False
    # the check, then the one-line summary: nothing that could reach a host
    assert len(play["tasks"]) == 2
    task, summary = play["tasks"]
    assert task["name"] and summary["name"]
    assert "foundrycloud.platform.validate_inventory" in task
    assert set(summary) == {"name", "ansible.builtin.debug"}


def test_valid_inventory_passes_without_contacting_hosts(repo_root, platform, inventory, tmp_path):
    root = platform()
    rc, output = run_validate(repo_root, root, inventory(), tmp_path, "-v")
    assert rc == 0, output
    assert "inventory valid: 5 hosts, 1 layer, 3 roles on 4 (host, role) pairs checked" in output
    # only the controller ran anything; ssh hosts at 192.0.2.x were never contacted
    assert recap_hosts(output) == ["localhost"]
    assert "UNREACHABLE" not in output
    assert "unreachable=0" in output and "failed=0" in output
    assert not (tmp_path / "bin" / "ssh-calls").exists(), "an inventory host was contacted"


def test_check_mode_also_validates(repo_root, platform, inventory, tmp_path):
    rc, output = run_validate(repo_root, platform(), inventory(), tmp_path, "--check", "-v")
    assert rc == 0, output
    assert "inventory valid:" in output


def test_all_problems_are_reported_at_once(repo_root, platform, inventory, tmp_path):
    root = platform()
    hosts = HOSTS + "    storage:\n      hosts:\n        storage-1: {ansible_host: 192.0.2.30}\n"
    inv = inventory(
        hosts=hosts,
        group_vars={"app_servers": "webapp_mode: turbo\n"},
        host_vars={
            "app-2": "webapp_prot: 8081\nwebapp_listeners: [{port: 80}]\n",
            "central-1": "docker_engine_default_address_pools: [{base: 10.0.128.0/17, size: 24}]\n",
        },
    )
    rc, output = run_validate(repo_root, root, inv, tmp_path)
    assert rc != 0, output
    # One problem per place to fix: webapp_mode is wrong on app-1 and app-2 because group_vars of
    # their group sets it, so it is one line for the group, naming the file and line.
    assert "inventory validation failed: 5 problem(s)" in output
    expected = [
        "group app_servers: webapp_mode: value of webapp_mode must be one of: fast, safe, got: turbo "
        "(group_vars/app_servers.yml:1)",
        "group storage: unknown group (hosts: storage-1); known: ",
        "host app-2: webapp_listeners: missing required arguments: address found in webapp_listeners "
        "(host_vars/app-2.yml:2)",
        "host app-2: webapp_prot: unknown variable; did you mean webapp_port",
        "host central-1: docker_engine_default_address_pools: 10.0.128.0/17 "
        "overlaps platform_internal_networks 10.0.0.0/16 (host_vars/central-1.yml:1)",
    ]
    message = output.split("inventory validation failed: 5 problem(s)\n", 1)[1]
    lines = message.splitlines()[:5]
    assert len(lines) == len(expected), output
    for line, start in zip(lines, expected):
        assert line.startswith(start), (line, output)
    assert "add it to platform_extra_groups if it is site-specific" in lines[1]
    assert lines[3].endswith("(host_vars/app-2.yml:1)") and lines[3].count("(host_vars/") == 1, lines[3]
    assert recap_hosts(output) == ["localhost"]
    assert not (tmp_path / "bin" / "ssh-calls").exists(), "an inventory host was contacted"


def test_required_variable_missing(repo_root, platform, inventory, tmp_path):
    inv = inventory(host_vars={"app-1": "webapp_port: 9000\n"},
                    group_vars={"all": GROUP_VARS_ALL.replace("webapp_port: 8080\n", "")})
    rc, output = run_validate(repo_root, platform(), inv, tmp_path)
    assert rc != 0, output
    assert "inventory validation failed: 1 problem(s)" in output
    assert "host app-2: webapp_port: required by role webapp but not set (the role has no default)" in output


def test_site_specific_group_allowed_via_platform_extra_groups(repo_root, platform, inventory, tmp_path):
    hosts = HOSTS + "    storage:\n      hosts:\n        storage-1: {ansible_host: 192.0.2.30}\n"
    inv = inventory(hosts=hosts, group_vars={"all": GROUP_VARS_ALL + "platform_extra_groups: [storage]\n"})
    rc, output = run_validate(repo_root, platform(), inv, tmp_path, "-v")
    assert rc == 0, output
    assert "inventory valid: 6 hosts" in output


def test_fact_templates_are_warnings(repo_root, platform, inventory, tmp_path):
    inv = inventory(host_vars={
        "app-1": "webapp_mode: \"{{ 'fast' if ansible_facts['memtotal_mb'] > 4096 else 'safe' }}\"\n",
        "app-2": "webapp_mode: \"{{ 'fa' ~ 'st' }}\"\n",  # templates without facts are evaluated
    })
    rc, output = run_validate(repo_root, platform(), inv, tmp_path)
    assert rc == 0, output
    assert "host app-1: webapp_mode: could not be evaluated without facts; not checked" in output
    assert "host app-2: webapp_mode" not in output


def test_templated_invalid_value_is_checked(repo_root, platform, inventory, tmp_path):
    inv = inventory(host_vars={"app-2": "webapp_mode: \"{{ 'tur' ~ 'bo' }}\"\n"})
    rc, output = run_validate(repo_root, platform(), inv, tmp_path)
    assert rc != 0, output
    assert "host app-2: webapp_mode: value of webapp_mode must be one of: fast, safe, got: turbo" in output


def test_real_docker_engine_role(repo_root, platform, inventory, tmp_path):
    root = platform(docker="real")
    ok = inventory(host_vars={"central-1": "docker_engine_source: distro\n"})
    rc, output = run_validate(repo_root, root, ok, tmp_path)
    assert rc == 0, output

    bad = inventory(host_vars={"central-1": "docker_engine_bip: 10.0.7.1/24\ndocker_engine_log_max_file: lots\n"})
    rc, output = run_validate(repo_root, root, bad, tmp_path)
    assert rc != 0, output
    assert "host central-1: docker_engine_bip: 10.0.7.1/24 (network 10.0.7.0/24) " \
           "overlaps platform_internal_networks 10.0.0.0/16" in output
    assert "host central-1: docker_engine_log_max_file: argument 'docker_engine_log_max_file' is of type str" \
        in output


def test_missing_site_playbook_fails(repo_root, platform, inventory, tmp_path):
    root = platform()
    (root / "playbooks" / "site.yml").unlink()
    rc, output = run_validate(repo_root, root, inventory(), tmp_path)
    assert rc != 0, output
    assert "playbook %s: not found" % (root / "playbooks" / "site.yml") in output
