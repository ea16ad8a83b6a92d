# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nvidia_gpu_info through its main(): nvidia-smi is faked at run_command, /sys at a tmp tree."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.foundrycloud.platform.plugins.modules import nvidia_gpu_info

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nvidia_smi"
SMI = "/usr/bin/nvidia-smi"
DRIVER_FAILURE = (FIXTURES / "driver_failure.txt").read_text()


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture
def sysfs(tmp_path, monkeypatch):
    """An empty fake /sys/bus/pci/devices; add devices with the returned function."""
    root = tmp_path / "sys" / "bus" / "pci" / "devices"
    root.mkdir(parents=True)
    drivers = tmp_path / "sys" / "bus" / "pci" / "drivers"
    monkeypatch.setattr(nvidia_gpu_info, "SYSFS_PCI_DEVICES", str(root))

    def add(address, vendor, device, pci_class, driver=None):
        path = root / address
        path.mkdir()
        (path / "vendor").write_text(vendor + "\n")
        (path / "device").write_text(device + "\n")
        (path / "class").write_text(pci_class + "\n")
        if driver:
            (drivers / driver).mkdir(parents=True, exist_ok=True)
            os.symlink(drivers / driver, path / "driver")

    return add


@pytest.fixture
def smi(monkeypatch):
    """Fake nvidia-smi: ``smi.responses`` maps an argv marker to (rc, out, err); calls are recorded."""

    class Fake:
        binary = SMI
        responses = {}
        calls = []

        lspci = None  # no lspci unless a test sets its path and responses["lspci"]

        def get_bin_path(self, module, name, required=False, opt_dirs=None):
            if name == "lspci":
                return self.lspci
            assert name == "nvidia-smi"
            return self.binary

        def run_command(self, module, args, **kwargs):
            self.calls.append(list(args))
            if args[0] == self.lspci:
                return self.responses["lspci"]
            key = args[1]
            if key not in self.responses and key.startswith("--query-gpu"):
                key = "query"
            return self.responses[key]

    fake = Fake()
    fake.responses = {}
    fake.calls = []

    def get_bin_path(module, *args, **kwargs):
        return fake.get_bin_path(module, *args, **kwargs)

    def run_command(module, *args, **kwargs):
        return fake.run_command(module, *args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", get_bin_path)
    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    return fake


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    def exit_json(self, **kwargs):
        raise ExitJson(kwargs)

    def fail_json(self, **kwargs):
        raise FailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


def run_module(args=None, check_mode=False):
    args = dict(args or {})
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(ExitJson) as result:
            nvidia_gpu_info.main()
    return result.value.args[0]


def test_l4_host(smi, sysfs):
    sysfs("0000:00:02.0", "0x1234", "0x1111", "0x030000", driver="bochs-drm")  # other vendor: ignored
    sysfs("0000:00:1f.0", "0x10de", "0x27b8", "0x068000")  # NVIDIA, but not a display controller
    sysfs("0000:01:00.0", "0x10de", "0x27b8", "0x030200", driver="nvidia")
    smi.responses = {"query": (0, fixture("l4.query.txt"), ""), "-L": (0, fixture("l4.list.txt"), "")}

    result = run_module()

    assert result["changed"] is False
    assert result["gpu_count"] == 1
    assert result["reason"] == ""
    (gpu,) = result["gpus"]
    assert gpu["name"] == "NVIDIA L4"
    assert gpu["memory_total_mib"] == 23034
    assert gpu["memory_total_bytes"] == 23034 * 1024 * 1024
    assert gpu["compute_cap"] == "8.9"
    assert result["ansible_facts"] == {"foundrycloud_gpus": result["gpus"]}
    assert result["pci_devices"] == [{
        "address": "0000:01:00.0", "vendor": "NVIDIA", "vendor_id": "0x10de", "device_id": "0x27b8",
        "class": "0x030200", "driver": "nvidia", "name": None,
    }]
    assert result["detection"]["nvidia_count"] == 1 and result["detection"]["amd_count"] == 0
    assert smi.calls[0] == [SMI, "--query-gpu=index,name,uuid,memory.total,memory.used,driver_version,compute_cap",
                            "--format=csv,noheader,nounits"]
    assert smi.calls[1] == [SMI, "-L"]
    json.dumps(result)  # everything the module returns must serialise


def test_a100_with_mig_in_check_mode(smi, sysfs):
    smi.responses = {"query": (0, fixture("a100_mig.query.txt"), ""), "-L": (0, fixture("a100_mig.list.txt"), "")}
    result = run_module(check_mode=True)
    (gpu,) = result["gpus"]
    assert gpu["memory_total_mib"] == 81920
    assert [m["profile"] for m in gpu["mig_devices"]] == ["3g.40gb", "2g.20gb", "1g.10gb", "1g.10gb"]
    assert result["changed"] is False


def test_four_gpus_and_failed_listing_keeps_gpus(smi, sysfs):
    smi.responses = {"query": (0, fixture("4x_l40s.query.txt"), ""), "-L": (1, "", "listing failed")}
    result = run_module()
    assert result["gpu_count"] == 4
    assert result["reason"] == ""
    assert all(g["mig_devices"] == [] for g in result["gpus"])


def test_nvidia_smi_not_found_but_gpu_on_pci(smi, sysfs):
    smi.binary = None
    sysfs("0000:41:00.0", "0x10de", "0x2bb1", "0x030200")  # no driver bound
    sysfs("0000:c1:00.0", "0x1002", "0x74a1", "0x038000", driver="amdgpu")
    result = run_module()
    assert result["gpus"] == []
    assert result["gpu_count"] == 0
    assert result["reason"] == "nvidia-smi not found"
    assert result["ansible_facts"] == {"foundrycloud_gpus": []}
    assert [(d["address"], d["vendor"], d["device_id"], d["driver"]) for d in result["pci_devices"]] == [
        ("0000:41:00.0", "NVIDIA", "0x2bb1", None),
        ("0000:c1:00.0", "AMD", "0x74a1", "amdgpu"),
    ]
    assert smi.calls == []


def test_driver_failure(smi, sysfs):
    sysfs("0000:01:00.0", "0x10de", "0x2330", "0x030200")
    # nvidia-smi prints this message on stdout and exits 9.
    smi.responses = {"query": (9, DRIVER_FAILURE, "")}
    result = run_module()
    assert result["gpus"] == []
    assert result["reason"] == (
        "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running."
    )
    assert [d["device_id"] for d in result["pci_devices"]] == ["0x2330"]
    assert [c[1] for c in smi.calls] == ["--query-gpu=index,name,uuid,memory.total,memory.used,driver_version,compute_cap"]


def test_failure_reason_prefers_stderr(smi, sysfs):
    smi.responses = {"query": (2, "", "\nFailed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54\n")}
    result = run_module()
    assert result["reason"] == "nvidia-smi failed: Failed to initialize NVML: Driver/library version mismatch"


def test_no_devices_found(smi, sysfs):
    smi.responses = {"query": (6, "No devices were found\n", "")}
    assert run_module()["reason"] == "nvidia-smi failed: No devices were found"
    smi.responses = {"query": (0, "\n", "")}
    assert run_module()["reason"] == "nvidia-smi reported no GPUs"


def test_old_driver_without_compute_cap_is_asked_again(smi, sysfs):
    old = "0, Tesla T4, GPU-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b, 15360, 0, 470.256.02\n"
    smi.responses = {
        "--query-gpu=index,name,uuid,memory.total,memory.used,driver_version,compute_cap":
            (2, 'Field "compute_cap" is not a valid field to query.\n', ""),
        "--query-gpu=index,name,uuid,memory.total,memory.used,driver_version": (0, old, ""),
        "-L": (0, "GPU 0: Tesla T4 (UUID: GPU-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b)\n", ""),
    }
    result = run_module()
    (gpu,) = result["gpus"]
    assert gpu["name"] == "Tesla T4"
    assert gpu["memory_total_mib"] == 15360
    assert gpu["compute_cap"] is None


def test_explicit_path_that_does_not_exist(smi, sysfs, tmp_path):
    missing = tmp_path / "nvidia-smi"
    result = run_module({"nvidia_smi_path": str(missing)})
    assert result["reason"] == "nvidia-smi not found at %s" % missing
    assert smi.calls == []


def test_explicit_path_is_used(smi, sysfs, tmp_path):
    binary = tmp_path / "nvidia-smi"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    smi.responses = {"query": (0, fixture("h100_80gb_hbm3.query.txt"), ""), "-L": (0, fixture("h100_80gb_hbm3.list.txt"), "")}
    result = run_module({"nvidia_smi_path": str(binary)})
    assert result["gpus"][0]["name"] == "NVIDIA H100 80GB HBM3"
    assert smi.calls[0][0] == str(binary)


def test_no_sysfs(smi, monkeypatch, tmp_path):
    monkeypatch.setattr(nvidia_gpu_info, "SYSFS_PCI_DEVICES", str(tmp_path / "absent"))
    smi.binary = None
    assert run_module()["pci_devices"] == []


def test_bad_option_fails(smi, sysfs):
    with patch_module_args({"no_such_option": 1}):
        with pytest.raises(FailJson) as failure:
            nvidia_gpu_info.main()
    assert "no_such_option" in failure.value.args[0]["msg"]


LSPCI = Path(__file__).resolve().parents[2] / "fixtures" / "lspci"


def test_lspci_names_the_sysfs_devices(smi, sysfs):
    sysfs("0000:01:00.0", "0x10de", "0x27b8", "0x030200", driver="nvidia")
    smi.lspci = "/usr/bin/lspci"
    smi.responses = {"lspci": (0, (LSPCI / "l4_server.txt").read_text(), ""), "query": (0, fixture("l4.query.txt"), ""),
                     "-L": (0, fixture("l4.list.txt"), "")}

    result = run_module()

    (device,) = result["pci_devices"]
    assert device["name"] == "NVIDIA Corporation AD104GL [L4]"
    assert device["driver"] == "nvidia"  # from /sys, not lspci
    assert smi.calls[-1] == ["/usr/bin/lspci", "-Dnnk"]


def test_lspci_stands_in_when_sys_shows_nothing(smi, sysfs):
    smi.binary = None
    smi.lspci = "/usr/bin/lspci"
    smi.responses = {"lspci": (0, (LSPCI / "mixed_nvidia_amd.txt").read_text(), "")}

    result = run_module()

    assert result["gpu_count"] == 0
    assert [d["address"] for d in result["pci_devices"]] == ["0000:41:00.0", "0000:c1:00.0"]
    assert result["detection"]["nvidia_count"] == 1
    assert result["detection"]["amd_count"] == 1
    assert "AMD" in result["detection"]["summary"]
