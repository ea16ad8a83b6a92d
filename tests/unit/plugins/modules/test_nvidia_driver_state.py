# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nvidia_driver_state through its main(): /sys, dpkg and /proc/stat are a tmp tree, modinfo and nvidia-smi fakes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ansible.module_utils import basic

from ansible_collections.foundrycloud.platform.plugins.modules import nvidia_driver_state

from ollama_http_fixtures import run_module

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nvidia_smi"
BOOT = 1_780_000_000


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A fake host: set .loaded, .nouveau, .modinfo, .smi (rc, out) and .packages {name: mtime}."""
    sys_module = tmp_path / "sys" / "module"
    dpkg = tmp_path / "dpkg"
    sys_module.mkdir(parents=True)
    dpkg.mkdir()
    stat = tmp_path / "stat"
    stat.write_text("cpu  1 2 3\nbtime %d\nprocesses 5\n" % BOOT)
    monkeypatch.setattr(nvidia_driver_state, "SYS_MODULE", str(sys_module))
    monkeypatch.setattr(nvidia_driver_state, "DPKG_INFO", str(dpkg))
    monkeypatch.setattr(nvidia_driver_state, "PROC_STAT", str(stat))

    class Host:
        modinfo = None  # version string, or None for "no module installed"
        smi = None  # (rc, out) or None for "no nvidia-smi"
        calls = []

        def load(self, name, version=None):
            (sys_module / name).mkdir()
            if version:
                (sys_module / name / "version").write_text(version + "\n")

        def package(self, name, mtime):
            path = dpkg / name
            path.write_text("/usr/bin/x\n")
            os.utime(path, (mtime, mtime))

    fake = Host()
    fake.calls = []

    def get_bin_path(module, name, *args, **kwargs):
        return {"modinfo": "/sbin/modinfo", "nvidia-smi": "/usr/bin/nvidia-smi" if fake.smi else None}[name]

    def run_command(module, args, **kwargs):
        fake.calls.append(list(args))
        if args[0] == "/sbin/modinfo":
            return (0, fake.modinfo + "\n", "") if fake.modinfo else (1, "", "modinfo: ERROR: Module nvidia not found.\n")
        return fake.smi[0], fake.smi[1], ""

    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", get_bin_path)
    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    return fake


def run(**args):
    args.setdefault("gpu_present", True)
    # It only reads: check mode gives the same answer.
    return run_module(nvidia_driver_state, args, check_mode=True).result


def test_working_node_rerun(host):
    host.load("nvidia", "580.95.05")
    host.modinfo = "580.95.05"
    host.smi = (0, (FIXTURES / "l4.list.txt").read_text())
    host.package("nvidia-driver-cuda.list", BOOT - 86400)
    result = run(packages=["nvidia-driver-cuda"], allow_reboot=True)
    assert result["changed"] is False
    assert result["state"] == {"loaded_version": "580.95.05", "installed_version": "580.95.05",
                               "changed_since_boot": False, "nouveau_loaded": False, "nvidia_smi_error": None}
    assert result["decision"]["action"] == "none"


def test_upgraded_but_not_rebooted_is_pending(host):
    host.load("nvidia", "570.172.08")
    host.modinfo = "580.95.05"
    host.smi = (18, (FIXTURES / "version_mismatch.txt").read_text())
    host.package("nvidia-driver-cuda:amd64.list", BOOT + 600)  # arch-qualified dpkg name
    host.package("unrelated.list", BOOT + 900)
    result = run(packages=["nvidia-driver-cuda"], driver_changed=False, allow_reboot=False)
    assert result["state"]["changed_since_boot"] is True
    assert result["state"]["nvidia_smi_error"] == "Failed to initialize NVML: Driver/library version mismatch"
    assert result["decision"]["action"] == "pending"
    assert host.calls == [["/sbin/modinfo", "-F", "version", "nvidia"], ["/usr/bin/nvidia-smi", "-L"]]


def test_fresh_install_with_nouveau_reboots_when_allowed(host):
    host.load("nouveau")
    host.smi = (9, (FIXTURES / "driver_failure.txt").read_text())
    result = run(packages=["nvidia-driver-cuda"], driver_changed=True, allow_reboot=True)
    assert result["state"]["loaded_version"] is None and result["state"]["nouveau_loaded"] is True
    assert result["decision"]["action"] == "reboot"


def test_control_node_refused(host):
    result = run(driver_changed=True, allow_reboot=True, control_node=True)
    assert result["decision"]["action"] == "refused"


def test_override_replaces_what_was_read(host):
    result = run(driver_changed=False, allow_reboot=True,
                 state_override={"loaded_version": "1", "installed_version": "1"})
    assert result["state"]["loaded_version"] == "1"
    assert result["decision"]["action"] == "none"


def test_override_with_unknown_key_fails(host):
    failure = run(state_override={"loaded": "1"})
    assert failure["failed"] is True
    assert "unknown keys loaded" in failure["msg"]
