# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nvidia_gpu role's decisions: PCI detection on recorded lspci output, package plans,
the reboot decision (driver versions from recorded nvidia-smi output), daemon.json merge, MIG."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.foundrycloud.platform.plugins.module_utils import nvidia_gpu, nvidia_smi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def lspci(name):
    return nvidia_smi.parse_lspci((FIXTURES / "lspci" / (name + ".txt")).read_text())


def smi(name):
    return (FIXTURES / "nvidia_smi" / name).read_text()


# --- detection -----------------------------------------------------------------------------

def test_l4_server_with_bmc_graphics():
    devices = lspci("l4_server")
    assert devices == [{
        "address": "0000:01:00.0", "vendor": "NVIDIA", "vendor_id": "0x10de", "device_id": "0x27b8",
        "class": "0x0302", "driver": "nvidia", "name": "NVIDIA Corporation AD104GL [L4]",
    }]
    found = nvidia_smi.detect(devices)
    assert (found["nvidia_count"], found["amd_count"]) == (1, 0)
    assert found["summary"] == "1 NVIDIA (0000:01:00.0 10de:27b8 NVIDIA Corporation AD104GL [L4])"


def test_home_lab_node_reports_amd_next_to_nvidia():
    found = nvidia_smi.detect(lspci("mixed_nvidia_amd"))
    assert [d["address"] for d in found["nvidia"]] == ["0000:41:00.0"]  # its audio function is not a GPU
    assert found["nvidia"][0]["driver"] == "nouveau"
    assert [d["device_id"] for d in found["amd"]] == ["0x744c"]
    assert found["amd"][0]["name"].startswith("Advanced Micro Devices, Inc. [AMD/ATI] Navi 31")
    assert "1 AMD (0000:c1:00.0 1002:744c" in found["summary"]


def test_nvswitches_are_not_gpus_and_addresses_get_their_domain():
    found = nvidia_smi.detect(lspci("hgx_h100_nvswitch"))
    assert found["nvidia_count"] == 2
    assert [d["address"] for d in found["nvidia"]] == ["0000:18:00.0", "0000:2a:00.0"]
    assert {d["name"] for d in found["nvidia"]} == {"NVIDIA Corporation GH100[H100 SXM5 80GB]"}
    assert all(d["driver"] is None for d in found["nvidia"])  # no -k in this recording


def test_workstation_without_domain_or_drivers():
    found = nvidia_smi.detect(lspci("rtx6000_ada_workstation"))
    assert found["nvidia_count"] == 1 and found["amd_count"] == 0  # Intel iGPU ignored
    assert found["nvidia"][0]["class"] == "0x0300"


def test_amd_only_node_is_reported_not_ignored():
    found = nvidia_smi.detect(lspci("amd_instinct_only"))
    assert found["nvidia_count"] == 0
    assert found["amd_count"] == 2
    assert found["amd"][0]["class"] == "0x0380"
    assert found["summary"].startswith("2 AMD (0000:03:00.0 1002:740f")


def test_vm_without_gpu():
    assert lspci("vm_no_gpu") == []
    assert nvidia_smi.detect([])["summary"] == "no NVIDIA or AMD GPU on the PCI bus"


def test_sysfs_style_ids_are_normalised():
    device = nvidia_smi.pci_device("01:00.0", "10DE", "27B8", "030200")
    assert device["address"] == "0000:01:00.0"
    assert (device["vendor_id"], device["device_id"], device["class"]) == ("0x10de", "0x27b8", "0x030200")
    assert nvidia_smi.pci_device("0000:01:00.1", "0x10de", "0x22ba", "0x040300") is None


# --- package plan --------------------------------------------------------------------------

KERNEL = "6.12.48+deb13-amd64"


@pytest.mark.parametrize("platform, repo_path", [
    ("Debian-12", "debian12/x86_64"), ("Debian-13", "debian13/x86_64"),
    ("Ubuntu-22", "ubuntu2204/x86_64"), ("Ubuntu-24", "ubuntu2404/x86_64"),
])
def test_upstream_repo_path_and_pin(platform, repo_path):
    plan = nvidia_gpu.package_plan(platform, "upstream", "580", kernel=KERNEL)
    assert plan["repo_path"] == repo_path
    assert plan["pin"] == plan["branch"] == "580"
    assert plan["cuda"] == ["cuda-toolkit-12-8"]
    assert plan["driver"][-1] == "linux-headers-" + KERNEL


def test_upstream_debian_open_and_proprietary():
    assert nvidia_gpu.package_plan("Debian-13", "upstream", "580", kernel=KERNEL)["driver"] == [
        "nvidia-driver-cuda", "nvidia-kernel-open-dkms", "nvidia-persistenced", "linux-headers-" + KERNEL]
    assert nvidia_gpu.package_plan("Debian-12", "upstream", "570", open_kernel_modules=False, kernel=KERNEL)["driver"][:2] == [
        "nvidia-driver-cuda", "nvidia-kernel-dkms"]


def test_upstream_ubuntu_names_carry_the_branch():
    plan = nvidia_gpu.package_plan("Ubuntu-24", "upstream", "570", kernel="6.8.0-45-generic", cuda_version="12.9",
                                   arch="aarch64")
    assert plan["repo_path"] == "ubuntu2404/sbsa"
    assert plan["driver"] == ["nvidia-headless-570-open", "nvidia-utils-570", "linux-headers-6.8.0-45-generic"]
    assert plan["cuda"] == ["cuda-toolkit-12-9"]


@pytest.mark.parametrize("platform, branch", [("Debian-12", "535"), ("Debian-13", "550")])
def test_distro_debian_takes_the_release_branch_and_says_so(platform, branch):
    plan = nvidia_gpu.package_plan(platform, "distro", "580", kernel=KERNEL)
    assert plan["repo_path"] is None and plan["pin"] is None
    assert plan["branch"] == branch
    assert "carries driver branch %s only" % branch in plan["notes"][0]
    assert plan["driver"] == ["nvidia-open-kernel-dkms", "firmware-nvidia-gsp", "nvidia-smi", "libcuda1",
                              "libnvidia-ml1", "nvidia-persistenced", "linux-headers-" + KERNEL]
    assert plan["cuda"] == ["nvidia-cuda-toolkit"]


def test_distro_debian_matching_branch_has_no_note():
    assert nvidia_gpu.package_plan("Debian-13", "distro", "550", kernel=KERNEL)["notes"] == []


def test_userland_only_needs_no_kernel_and_installs_no_module():
    plan = nvidia_gpu.package_plan("Debian-13", "distro", "550", kernel_module=False, cuda=False)
    assert plan["driver"] == ["nvidia-smi", "libcuda1", "libnvidia-ml1", "nvidia-persistenced"]
    assert plan["cuda"] == []
    ubuntu = nvidia_gpu.package_plan("Ubuntu-22", "distro", "570", kernel_module=False)
    assert ubuntu["driver"] == ["libnvidia-compute-570", "nvidia-compute-utils-570", "nvidia-utils-570"]


@pytest.mark.parametrize("args, message", [
    (("Debian-11", "upstream", "580"), "Debian-11 is not supported"),
    (("Debian-13", "nvidia", "580"), "nvidia_gpu_source must be one of"),
    (("Debian-13", "upstream", "58"), "nvidia_gpu_driver_branch must be a driver branch"),
    (("Debian-13", "upstream", "latest"), "nvidia_gpu_driver_branch"),
])
def test_plan_refuses_bad_input(args, message):
    with pytest.raises(nvidia_gpu.PlanError, match=message):
        nvidia_gpu.package_plan(*args, kernel=KERNEL)


def test_plan_refuses_bad_cuda_version_and_missing_kernel():
    with pytest.raises(nvidia_gpu.PlanError, match="nvidia_gpu_cuda_version"):
        nvidia_gpu.package_plan("Debian-13", "upstream", "580", kernel=KERNEL, cuda_version="12")
    assert nvidia_gpu.package_plan("Debian-13", "upstream", "580", kernel=KERNEL, cuda=False, cuda_version="x")["cuda"] == []
    with pytest.raises(nvidia_gpu.PlanError, match="running kernel"):
        nvidia_gpu.package_plan("Debian-13", "upstream", "580")


# --- reboot decision -----------------------------------------------------------------------
# The versions come from recorded nvidia-smi output, as the driver reports itself.

L4_DRIVER = nvidia_smi.parse_query(smi("l4.query.txt"))[0]["driver_version"]          # 535.183.01
H100_DRIVER = nvidia_smi.parse_query(smi("h100_80gb_hbm3.query.txt"))[0]["driver_version"]  # 550.54.15

WORKING = {"loaded_version": L4_DRIVER, "installed_version": L4_DRIVER, "changed_since_boot": False,
           "nouveau_loaded": False, "nvidia_smi_error": None}
UPGRADED = dict(WORKING, installed_version=H100_DRIVER,
                nvidia_smi_error=nvidia_smi.first_line(smi("version_mismatch.txt")))
FRESH = dict(WORKING, loaded_version=None, installed_version=H100_DRIVER, nouveau_loaded=True,
             nvidia_smi_error=nvidia_smi.first_line(smi("driver_failure.txt")))


def decide(state, changed=True, allowed=True, control=False, gpu=True):
    return nvidia_gpu.reboot_decision(gpu, changed, state, allowed, control)


def test_rerun_on_a_working_node_never_reboots():
    for changed in (False, True):  # e.g. only CUDA or the blacklist file changed
        result = decide(WORKING, changed=changed)
        assert result["action"] == "none" and result["reboot_needed"] is False


def test_upgrade_changed_needed_allowed_reboots():
    result = decide(UPGRADED)
    assert result["action"] == "reboot"
    assert result["reasons"] == [
        "kernel module 535.183.01 is loaded but 550.54.15 is installed",
        "nvidia-smi: Failed to initialize NVML: Driver/library version mismatch",
    ]


def test_not_allowed_is_pending_with_the_reasons():
    result = decide(UPGRADED, allowed=False)
    assert result["action"] == "pending"
    assert result["message"].startswith("reboot pending: the driver changed and kernel module 535.183.01")
    assert "nvidia_gpu_allow_reboot: true" in result["message"]


def test_first_install_with_nouveau_reboots_when_allowed():
    result = decide(FRESH)
    assert result["action"] == "reboot"
    assert result["reasons"] == ["nouveau is loaded (blacklisted; it leaves at the next boot)",
                                 "no NVIDIA kernel module is loaded"]


def test_an_earlier_run_changed_the_driver_and_this_one_may_reboot():
    result = decide(dict(UPGRADED, changed_since_boot=True), changed=False)
    assert result["action"] == "reboot" and result["driver_changed"] is True


def test_needed_but_nothing_changed_is_not_a_reason_to_reboot():
    result = decide(dict(FRESH, nouveau_loaded=False), changed=False)
    assert result["action"] == "unexplained"
    assert "dkms status" in result["message"]


def test_control_node_is_never_rebooted():
    result = decide(UPGRADED, control=True)
    assert result["action"] == "refused"
    assert "control node" in result["message"]


def test_no_gpu_no_reboot():
    result = decide(FRESH, gpu=False)
    assert result == {"action": "none", "reboot_needed": False, "driver_changed": True, "reasons": [],
                      "message": "no reboot needed"}


def test_unknown_installed_version_trusts_the_loaded_module():
    assert decide(dict(WORKING, installed_version=None))["action"] == "none"


# --- daemon.json ---------------------------------------------------------------------------

ENGINE = {  # what docker_engine writes, plus an operator's runtime and options
    "log-driver": "json-file", "log-opts": {"max-file": "5", "max-size": "50m"},
    "default-address-pools": [{"base": "10.203.0.0/16", "size": 24}], "live-restore": True,
    "runtimes": {"fc-test": {"path": "/usr/bin/runc"}},
    "exec-opts": ["native.umask=normal", "native.cgroupdriver=systemd"],
    "features": {"containerd-snapshotter": False},
}


def test_merge_keeps_everything_else():
    merged = nvidia_gpu.merge_docker_daemon(ENGINE, cgroup_driver="cgroupfs", cdi=True)
    for key in ("log-driver", "log-opts", "default-address-pools", "live-restore"):
        assert merged[key] == ENGINE[key]
    assert merged["runtimes"] == {"fc-test": {"path": "/usr/bin/runc"},
                                  "nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}
    assert merged["exec-opts"] == ["native.umask=normal", "native.cgroupdriver=cgroupfs"]
    assert merged["features"] == {"containerd-snapshotter": False, "cdi": True}
    assert "default-runtime" not in merged
    assert ENGINE["exec-opts"][1] == "native.cgroupdriver=systemd"  # input untouched


def test_merge_is_idempotent():
    once = nvidia_gpu.merge_docker_daemon(ENGINE, default_runtime=True, cgroup_driver="cgroupfs", cdi=True)
    assert nvidia_gpu.merge_docker_daemon(once, default_runtime=True, cgroup_driver="cgroupfs", cdi=True) == once


def test_default_runtime_set_and_taken_back_only_if_ours():
    assert nvidia_gpu.merge_docker_daemon({}, default_runtime=True)["default-runtime"] == "nvidia"
    assert "default-runtime" not in nvidia_gpu.merge_docker_daemon({"default-runtime": "nvidia"})
    assert nvidia_gpu.merge_docker_daemon({"default-runtime": "crun"})["default-runtime"] == "crun"


def test_empty_cgroup_driver_and_no_cdi_leave_those_keys_alone():
    merged = nvidia_gpu.merge_docker_daemon(ENGINE)
    assert merged["exec-opts"] == ENGINE["exec-opts"] and merged["features"] == ENGINE["features"]
    assert "exec-opts" not in nvidia_gpu.merge_docker_daemon({}) and "features" not in nvidia_gpu.merge_docker_daemon({})


def test_existing_nvidia_entry_keeps_its_runtime_args():
    merged = nvidia_gpu.merge_docker_daemon({"runtimes": {"nvidia": {"path": "/old", "runtimeArgs": ["--debug"]}}})
    assert merged["runtimes"]["nvidia"] == {"path": "/usr/bin/nvidia-container-runtime", "runtimeArgs": ["--debug"]}


@pytest.mark.parametrize("current, message", [
    ([], "not hold a JSON object"), ({"runtimes": []}, "runtimes"), ({"exec-opts": "x"}, "exec-opts"),
    ({"features": ["cdi"]}, "features"),
])
def test_merge_refuses_malformed_documents(current, message):
    with pytest.raises(ValueError, match=message):
        nvidia_gpu.merge_docker_daemon(current, cgroup_driver="cgroupfs", cdi=True)


# --- MIG -----------------------------------------------------------------------------------

def a100():
    gpus = nvidia_smi.parse_query(smi("a100_mig.query.txt"))
    return nvidia_smi.attach_mig_devices(gpus, nvidia_smi.parse_list(smi("a100_mig.list.txt")))


def test_mig_layout_already_there_is_left_alone():
    current = [d["profile"] for d in a100()[0]["mig_devices"]]
    assert nvidia_gpu.mig_plan(a100(), [{"gpu": 0, "profiles": list(reversed(current))}]) == []
    assert nvidia_gpu.mig_plan(a100(), []) == []


def test_mig_layout_change_and_switch_off():
    current = [d["profile"] for d in a100()[0]["mig_devices"]]
    assert nvidia_gpu.mig_plan(a100(), [{"gpu": 0, "profiles": ["7g.80gb"]}]) == [
        {"gpu": 0, "profiles": ["7g.80gb"], "current": current, "enable": False}]
    assert nvidia_gpu.mig_plan(a100(), [{"gpu": 0, "profiles": []}])[0]["profiles"] == []


def test_mig_enable_on_a_gpu_without_mig():
    gpus = nvidia_smi.parse_query(smi("l4.query.txt"))
    assert nvidia_gpu.mig_plan(gpus, [{"gpu": 0, "profiles": ["1g.6gb"]}])[0]["enable"] is True


@pytest.mark.parametrize("wanted, message", [
    ([{"gpu": 3, "profiles": ["1g.10gb"]}], "GPU 3 does not exist"),
    ([{"gpu": 0, "profiles": ["big"]}], "big is not a MIG profile"),
    ([{"gpu": 0, "profiles": []}, {"gpu": 0, "profiles": []}], "once each"),
    ([{"gpu": "0", "profiles": []}], "must be a GPU index"),
])
def test_mig_refuses_bad_layouts(wanted, message):
    with pytest.raises(nvidia_gpu.PlanError, match=message):
        nvidia_gpu.mig_plan(a100(), wanted)
