# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: GPUs whose MIG layout differs from the wanted one."""

from __future__ import annotations

DOCUMENTATION = r"""
name: nvidia_gpu_mig_plan
short_description: GPUs whose MIG layout must change
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Compares the MIG devices M(foundrycloud.platform.nvidia_gpu_info) reports per GPU with the wanted
    profiles and returns one entry per GPU to change - C(gpu), C(profiles) (empty turns MIG off),
    C(current) and C(enable). GPUs not named in the wanted list are left alone; profile order does not matter.
  - Fails naming C(nvidia_gpu_mig_profiles) on an unknown GPU index, a repeated index or a malformed profile.
options:
  _input:
    description: The C(gpus) of M(foundrycloud.platform.nvidia_gpu_info).
    type: list
    elements: dict
    required: true
  wanted:
    description: List of C({gpu, profiles}).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the MIG changes for two 3g.40gb instances on GPU 0
  ansible.builtin.debug:
    msg: "{{ gpu_info.gpus | foundrycloud.platform.nvidia_gpu_mig_plan([{'gpu': 0, 'profiles': ['3g.40gb', '3g.40gb']}]) }}"
"""

RETURN = r"""
_value:
  description: The GPUs to change (gpu, profiles, current, enable).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_gpu import PlanError, mig_plan


def nvidia_gpu_mig_plan(gpus, wanted):
    try:
        return mig_plan(gpus, wanted)
    except PlanError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {"nvidia_gpu_mig_plan": nvidia_gpu_mig_plan}
