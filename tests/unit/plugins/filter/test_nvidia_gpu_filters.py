# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nvidia_gpu filters: thin wrappers that turn plan errors into filter errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter import (
    nvidia_gpu_detect,
    nvidia_gpu_mig_plan,
    nvidia_gpu_package_plan,
)


def test_package_plan_filter():
    plan = nvidia_gpu_package_plan.FilterModule().filters()["nvidia_gpu_package_plan"](
        "Debian-13", source="upstream", branch="580", kernel="6.12.48+deb13-amd64")
    assert plan["repo_path"] == "debian13/x86_64"
    with pytest.raises(AnsibleFilterError, match="nvidia_gpu_package_plan: nvidia_gpu_driver_branch"):
        nvidia_gpu_package_plan.nvidia_gpu_package_plan("Debian-13", "upstream", "x", kernel="k")


def test_detect_filter():
    found = nvidia_gpu_detect.FilterModule().filters()["nvidia_gpu_detect"](
        [{"address": "0000:01:00.0", "vendor_id": "0x1002", "device_id": "0x744c"}])
    assert found["amd_count"] == 1 and found["nvidia_count"] == 0
    with pytest.raises(AnsibleFilterError, match="list of PCI device mappings"):
        nvidia_gpu_detect.nvidia_gpu_detect("0000:01:00.0")


def test_mig_plan_filter():
    gpus = [{"index": 0, "mig_devices": []}]
    assert nvidia_gpu_mig_plan.FilterModule().filters()["nvidia_gpu_mig_plan"](gpus, []) == []
    with pytest.raises(AnsibleFilterError, match="nvidia_gpu_mig_profiles: GPU 1 does not exist"):
        nvidia_gpu_mig_plan.nvidia_gpu_mig_plan(gpus, [{"gpu": 1, "profiles": []}])
