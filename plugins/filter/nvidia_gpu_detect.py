# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: PCI GPU devices split into NVIDIA (managed) and AMD (reported)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nvidia_gpu_detect
short_description: Split PCI GPU devices into NVIDIA and AMD, with a one-line summary
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Takes the C(pci_devices) list of M(foundrycloud.platform.nvidia_gpu_info) (or a list of the same
    shape) and returns C(nvidia), C(amd), C(nvidia_count), C(amd_count) and C(summary), exactly as that
    module's C(detection) return value.
options:
  _input:
    description: PCI devices (address, vendor_id, device_id, class, driver, name).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Count the NVIDIA GPUs the PCI bus has
  ansible.builtin.debug:
    msg: "{{ (gpu_info.pci_devices | foundrycloud.platform.nvidia_gpu_detect).nvidia_count }}"
"""

RETURN = r"""
_value:
  description: The detection (nvidia, amd, nvidia_count, amd_count, summary).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_smi import detect


def nvidia_gpu_detect(devices):
    if not isinstance(devices, list) or not all(isinstance(d, dict) for d in devices):
        raise AnsibleFilterError("nvidia_gpu_detect: expects a list of PCI device mappings")
    return detect(devices)


class FilterModule:
    def filters(self):
        return {"nvidia_gpu_detect": nvidia_gpu_detect}
