# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the NVIDIA driver and CUDA packages (and repository path) for one host."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nvidia_gpu_package_plan
short_description: NVIDIA driver, CUDA packages and repository path for a platform and source
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Returns the plan the C(nvidia_gpu) role installs - C(repo_path) below NVIDIA's CUDA repository
    (source C(upstream)), the driver C(branch) and the branch to C(pin), the C(driver) and C(cuda)
    package lists and C(notes) on what the plan decided by itself.
  - Fails with a message naming the role variable on input it cannot plan for.
options:
  _input:
    description: C(<distribution>-<major version>), e.g. C(Debian-13) or C(Ubuntu-24).
    type: str
    required: true
  source:
    description: C(upstream) (NVIDIA's repository) or C(distro).
    type: str
    required: true
  branch:
    description: Driver branch, e.g. C(580).
    type: str
    required: true
  open_kernel_modules:
    description: Open kernel modules rather than the proprietary ones.
    type: bool
    default: true
  kernel_module:
    description: Install the kernel module (and the running kernel's headers).
    type: bool
    default: true
  kernel:
    description: The running kernel's release (for its headers package).
    type: str
    default: ""
  cuda:
    description: Install the CUDA toolkit.
    type: bool
    default: true
  cuda_version:
    description: CUDA version C(<major>.<minor>) (source C(upstream)).
    type: str
    default: "12.8"
  arch:
    description: Machine architecture as Ansible's facts give it.
    type: str
    default: x86_64
"""

EXAMPLES = r"""
- name: Show what a Debian 13 host would get from NVIDIA's repository
  ansible.builtin.debug:
    msg: "{{ 'Debian-13' | foundrycloud.platform.nvidia_gpu_package_plan(source='upstream', branch='580', kernel='6.12.48+deb13-amd64') }}"
"""

RETURN = r"""
_value:
  description: The plan (repo_path, branch, pin, driver, cuda, notes).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_gpu import PlanError, package_plan


def nvidia_gpu_package_plan(platform, source, branch, open_kernel_modules=True, kernel_module=True, kernel="",
                            cuda=True, cuda_version="12.8", arch="x86_64"):
    try:
        return package_plan(platform, source, branch, open_kernel_modules=open_kernel_modules,
                            kernel_module=kernel_module, kernel=kernel, cuda=cuda,
                            cuda_version=cuda_version, arch=arch)
    except PlanError as exc:
        raise AnsibleFilterError("nvidia_gpu_package_plan: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"nvidia_gpu_package_plan": nvidia_gpu_package_plan}
