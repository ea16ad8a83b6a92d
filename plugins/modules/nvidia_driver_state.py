# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nvidia_driver_state
short_description: Decide whether a GPU node needs a reboot for its NVIDIA driver
description:
  - Reads the NVIDIA kernel module the running kernel has loaded (C(/sys/module/nvidia/version)),
    the one installed for it (C(modinfo -F version nvidia)), whether nouveau is loaded, what
    C(nvidia-smi -L) says when it fails (a driver/library version mismatch after an upgrade), and whether
    the driver packages changed after the last boot (their dpkg file lists against the boot time).
  - From that and its options it decides, with the rules of the C(nvidia_gpu) role, whether to
    reboot, to report a pending reboot, or to do nothing. See RV(decision).
  - Changes nothing on the host; the reboot itself is the role's C(ansible.builtin.reboot) task.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  packages:
    description:
      - Driver packages whose installation time counts as a driver change (dpkg names).
    type: list
    elements: str
    default: []
  gpu_present:
    description: Whether the host has an NVIDIA GPU on its PCI bus. Without one no reboot is ever needed.
    type: bool
    required: true
  driver_changed:
    description: Whether this run changed the driver packages or the nouveau blacklist.
    type: bool
    default: false
  allow_reboot:
    description: Whether a reboot is allowed.
    type: bool
    default: false
  control_node:
    description: Whether this host is the control node (never rebooted).
    type: bool
    default: false
  state_override:
    description:
      - Values that replace what was read from the host (keys as in RV(state)).
      - For tests on machines without an NVIDIA kernel module; leave empty in production.
    type: dict
    default: {}
extends_documentation_fragment:
  - action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: debian
notes:
  - The rules are those of C(reboot_decision) in the collection's C(nvidia_gpu) module_utils.
"""

EXAMPLES = r"""
- name: Decide about a reboot after installing the driver
  foundrycloud.platform.nvidia_driver_state:
    packages: [nvidia-driver-cuda, nvidia-kernel-open-dkms]
    gpu_present: true
    driver_changed: "{{ driver_install is changed }}"
    allow_reboot: false
  register: driver_state

- name: Reboot one node at a time
  ansible.builtin.reboot:
  when: driver_state.decision.action == 'reboot'
  throttle: 1
"""

RETURN = r"""
state:
  description: What the host says (after O(state_override)).
  returned: always
  type: dict
  contains:
    loaded_version:
      description: Version of the loaded nvidia module; null when none is loaded.
      type: str
      sample: 580.95.05
    installed_version:
      description: Version of the nvidia module installed for the running kernel; null when there is none or modinfo is missing.
      type: str
      sample: 580.95.05
    changed_since_boot:
      description: Whether a driver package was installed or upgraded after the last boot.
      type: bool
    nouveau_loaded:
      description: Whether the nouveau module is loaded.
      type: bool
    nvidia_smi_error:
      description: First line of C(nvidia-smi -L) when it failed; null when it worked or is not installed.
      type: str
      sample: "Failed to initialize NVML: Driver/library version mismatch"
decision:
  description: What to do.
  returned: always
  type: dict
  contains:
    action:
      description: C(none), C(reboot), C(pending), C(refused) (control node) or C(unexplained) (a reboot looks needed but nothing changed).
      type: str
      sample: pending
    reboot_needed:
      description: Whether the running kernel lacks the installed driver.
      type: bool
    driver_changed:
      description: Whether the driver changed in this run or since the last boot.
      type: bool
    reasons:
      description: Why a reboot is needed.
      type: list
      elements: str
    message:
      description: One line for the run's output.
      type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_gpu import reboot_decision
from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_smi import first_line

STATE_KEYS = ("loaded_version", "installed_version", "changed_since_boot", "nouveau_loaded", "nvidia_smi_error")

# Tests point these at a fake tree.
SYS_MODULE = "/sys/module"
DPKG_INFO = "/var/lib/dpkg/info"
PROC_STAT = "/proc/stat"


def _read(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def boot_time():
    """Seconds since the epoch at boot (btime in /proc/stat), or None."""
    for line in (_read(PROC_STAT) or "").splitlines():
        if line.startswith("btime "):
            return int(line.split()[1])
    return None


def installed_module_version(module):
    modinfo = module.get_bin_path("modinfo", opt_dirs=["/usr/sbin", "/sbin"])
    if not modinfo:
        return None
    rc, out, _err = module.run_command([modinfo, "-F", "version", "nvidia"])
    out = out.strip()
    return out.splitlines()[0].strip() if rc == 0 and out else None


def nvidia_smi_error(module):
    smi = module.get_bin_path("nvidia-smi", opt_dirs=["/usr/bin", "/usr/local/nvidia/bin"])
    if not smi:
        return None
    rc, out, err = module.run_command([smi, "-L"])
    return None if rc == 0 else (first_line(out, err) or "exit code %d" % rc)


def package_mtime(names):
    """Newest modification time of the dpkg file lists of these packages, or None."""
    newest = None
    try:
        entries = os.listdir(DPKG_INFO)
    except (IOError, OSError):
        return None
    wanted = set(names)
    for entry in entries:
        if not entry.endswith(".list"):
            continue
        package = entry[:-len(".list")].split(":", 1)[0]
        if package in wanted:
            mtime = os.path.getmtime(os.path.join(DPKG_INFO, entry))
            newest = mtime if newest is None else max(newest, mtime)
    return newest


def read_state(module):
    booted = boot_time()
    changed_at = package_mtime(module.params["packages"])
    return {
        "loaded_version": _read(os.path.join(SYS_MODULE, "nvidia", "version")) or None,
        "installed_version": installed_module_version(module),
        "changed_since_boot": bool(booted is not None and changed_at is not None and changed_at > booted),
        "nouveau_loaded": os.path.isdir(os.path.join(SYS_MODULE, "nouveau")),
        "nvidia_smi_error": nvidia_smi_error(module),
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            packages=dict(type="list", elements="str", default=[]),
            gpu_present=dict(type="bool", required=True),
            driver_changed=dict(type="bool", default=False),
            allow_reboot=dict(type="bool", default=False),
            control_node=dict(type="bool", default=False),
            state_override=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    unknown = sorted(set(module.params["state_override"]) - set(STATE_KEYS))
    if unknown:
        module.fail_json(msg="state_override: unknown keys %s" % ", ".join(unknown))
    state = read_state(module)
    state.update(module.params["state_override"])
    decision = reboot_decision(
        module.params["gpu_present"], module.params["driver_changed"], state,
        module.params["allow_reboot"], module.params["control_node"],
    )
    module.exit_json(changed=False, state=state, decision=decision)


if __name__ == "__main__":
    main()
