# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nvidia_gpu_info
short_description: Report the NVIDIA GPUs of a host, their memory and MIG devices
description:
  - Runs C(nvidia-smi) to list the host's NVIDIA GPUs with their memory, driver version, compute
    capability and MIG devices, and sets them as the fact C(foundrycloud_gpus).
  - Never fails because a host has no GPU, no driver or no C(nvidia-smi); it returns an empty
    list and says why in RV(reason). It fails only on invalid options.
  - Also lists the display controllers from NVIDIA and AMD found on the PCI bus (from C(/sys), named by
    C(lspci -Dnnk) where C(lspci) is installed, or from C(lspci) alone where C(/sys) shows none), so that a
    GPU whose driver is missing is still visible in RV(pci_devices) and counted in RV(detection).
  - Changes nothing on the host.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  nvidia_smi_path:
    description:
      - Path of the C(nvidia-smi) binary.
      - By default it is looked up in the E(PATH) and the usual system directories.
    type: path
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: posix
notes:
  - Memory comes from C(nvidia-smi --query-gpu) in MiB; RV(gpus[].memory_total_bytes) is that times 1048576.
  - On a GPU with MIG enabled, RV(gpus[].mig_devices) lists the MIG devices from C(nvidia-smi -L);
    a workload sees a MIG device, not the whole GPU.
seealso:
  - name: nvidia-smi documentation
    description: The query fields this module reads.
    link: https://docs.nvidia.com/deploy/nvidia-smi/index.html
"""

EXAMPLES = r"""
- name: Gather GPU facts
  foundrycloud.platform.nvidia_gpu_info:
  register: gpu_info

- name: Say why there are no GPUs
  ansible.builtin.debug:
    msg: "No usable GPU: {{ gpu_info.reason }} (PCI devices: {{ gpu_info.pci_devices | map(attribute='address') | list }})"
  when: gpu_info.gpu_count == 0

- name: Total GPU memory in GiB
  ansible.builtin.debug:
    msg: "{{ (ansible_facts['foundrycloud_gpus'] | map(attribute='memory_total_bytes') | sum) / 1073741824 }}"

- name: Use an nvidia-smi outside the PATH
  foundrycloud.platform.nvidia_gpu_info:
    nvidia_smi_path: /usr/local/nvidia/bin/nvidia-smi
"""

RETURN = r"""
gpus:
  description: The GPUs C(nvidia-smi) reports, in its order. Empty when there is none or C(nvidia-smi) cannot run.
  returned: always
  type: list
  elements: dict
  contains:
    index:
      description: The GPU's index as C(nvidia-smi) numbers it.
      type: int
      sample: 0
    name:
      description: Product name.
      type: str
      sample: NVIDIA L4
    uuid:
      description: The GPU's UUID.
      type: str
      sample: GPU-5f8a0a5e-1c2b-4a4f-9f0e-6b1f2c3d4e5f
    memory_total_mib:
      description: Total memory in MiB; null when C(nvidia-smi) has no value.
      type: int
      sample: 23034
    memory_total_bytes:
      description: Total memory in bytes (RV(gpus[].memory_total_mib) times 1048576).
      type: int
      sample: 24152899584
    memory_used_mib:
      description: Memory in use in MiB; null when C(nvidia-smi) has no value.
      type: int
      sample: 0
    driver_version:
      description: Version of the NVIDIA driver.
      type: str
      sample: 550.54.15
    compute_cap:
      description: CUDA compute capability; null when the driver is too old to report it.
      type: str
      sample: "8.9"
    mig_devices:
      description: MIG devices on this GPU; empty when MIG is off.
      type: list
      elements: dict
      contains:
        profile:
          description: MIG profile.
          type: str
          sample: 1g.10gb
        device:
          description: MIG device number on this GPU.
          type: int
          sample: 0
        uuid:
          description: The MIG device's UUID (what C(CUDA_VISIBLE_DEVICES) takes).
          type: str
          sample: MIG-c7384736-a75d-5afc-978f-d2f1294409fd
        memory_gb:
          description: Nominal memory of the profile in GB (10 for C(1g.10gb)).
          type: int
          sample: 10
  sample:
    - index: 0
      name: NVIDIA L4
      uuid: GPU-5f8a0a5e-1c2b-4a4f-9f0e-6b1f2c3d4e5f
      memory_total_mib: 23034
      memory_total_bytes: 24152899584
      memory_used_mib: 0
      driver_version: 550.54.15
      compute_cap: "8.9"
      mig_devices: []
gpu_count:
  description: Number of GPUs in RV(gpus).
  returned: always
  type: int
  sample: 1
reason:
  description:
    - "Why RV(gpus) is empty, for example C(nvidia-smi not found) or
      C(nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. ...)."
    - Empty when GPUs were found.
  returned: always
  type: str
  sample: nvidia-smi not found
pci_devices:
  description:
    - Display controllers (PCI class 0x03) from NVIDIA and AMD on the PCI bus, whether or not a
      driver is loaded. Empty where C(/sys/bus/pci) cannot be read.
  returned: always
  type: list
  elements: dict
  contains:
    address:
      description: PCI address.
      type: str
      sample: "0000:01:00.0"
    vendor:
      description: Vendor name.
      type: str
      sample: NVIDIA
    vendor_id:
      description: PCI vendor ID.
      type: str
      sample: "0x10de"
    device_id:
      description: PCI device ID.
      type: str
      sample: "0x27b8"
    class:
      description: PCI class code.
      type: str
      sample: "0x030200"
    driver:
      description: Kernel driver bound to the device; null when none is.
      type: str
      sample: nvidia
    name:
      description: Device name as C(lspci) prints it; null without C(lspci).
      type: str
      sample: NVIDIA Corporation AD104GL [L4]
detection:
  description: The PCI devices split by vendor; NVIDIA GPUs are what the C(nvidia_gpu) role manages, AMD GPUs are reported only.
  returned: always
  type: dict
  contains:
    nvidia:
      description: NVIDIA entries of RV(pci_devices).
      type: list
      elements: dict
    amd:
      description: AMD entries of RV(pci_devices).
      type: list
      elements: dict
    nvidia_count:
      description: Number of NVIDIA GPUs on the PCI bus.
      type: int
      sample: 1
    amd_count:
      description: Number of AMD GPUs on the PCI bus.
      type: int
      sample: 0
    summary:
      description: One line for messages.
      type: str
      sample: 1 NVIDIA (0000:01:00.0 10de:27b8 NVIDIA Corporation AD104GL [L4])
ansible_facts:
  description: Facts set by this module.
  returned: always
  type: dict
  contains:
    foundrycloud_gpus:
      description: The same list as RV(gpus).
      type: list
      elements: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_smi import (
    QUERY_FIELDS,
    attach_mig_devices,
    detect,
    first_line,
    parse_list,
    parse_lspci,
    parse_query,
    pci_device,
    query_command,
)

# Where PCI devices are listed; tests point this at a fake tree.
SYSFS_PCI_DEVICES = "/sys/bus/pci/devices"


def find_nvidia_smi(module):
    """Path of nvidia-smi, or (None, reason)."""
    path = module.params["nvidia_smi_path"]
    if path:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path, ""
        return None, "nvidia-smi not found at %s" % path
    path = module.get_bin_path("nvidia-smi", opt_dirs=["/usr/bin", "/usr/local/nvidia/bin", "/usr/local/bin"])
    if not path:
        return None, "nvidia-smi not found"
    return path, ""


def query_gpus(module, binary):
    """(gpus, reason) from the GPU query; drivers too old for compute_cap are asked without it."""
    fields = QUERY_FIELDS
    rc, out, err = module.run_command(query_command(binary, fields))
    if rc != 0 and "compute_cap" in (out + err):
        fields = tuple(field for field in QUERY_FIELDS if field != "compute_cap")
        rc, out, err = module.run_command(query_command(binary, fields))
    if rc != 0:
        return [], "nvidia-smi failed: %s" % (first_line(err, out) or "exit code %d" % rc)
    gpus = parse_query(out, fields)
    if not gpus:
        return [], "nvidia-smi reported no GPUs"
    return gpus, ""


def add_mig_devices(module, binary, gpus):
    # The listing is extra detail; without it the GPUs are still right, so errors are ignored.
    rc, out, _err = module.run_command([binary, "-L"])
    if rc == 0:
        attach_mig_devices(gpus, parse_list(out))
    return gpus


def _read_sysfs(device_dir, name):
    try:
        with open(os.path.join(device_dir, name)) as handle:
            return handle.read().strip().lower()
    except (IOError, OSError):
        return None


def pci_display_devices(root=None):
    """NVIDIA and AMD display controllers on the PCI bus, driver or not."""
    root = root or SYSFS_PCI_DEVICES
    try:
        addresses = sorted(os.listdir(root))
    except (IOError, OSError):
        return []
    devices = []
    for address in addresses:
        device = _pci_device(os.path.join(root, address), address)
        if device:
            devices.append(device)
    return devices


def _pci_device(device_dir, address):
    driver_link = os.path.join(device_dir, "driver")
    return pci_device(
        address,
        _read_sysfs(device_dir, "vendor"),
        _read_sysfs(device_dir, "device"),
        _read_sysfs(device_dir, "class"),
        driver=os.path.basename(os.path.realpath(driver_link)) if os.path.exists(driver_link) else None,
    )


def lspci_devices(module):
    """GPUs as ``lspci -Dnnk`` lists them (with their names); [] without lspci."""
    lspci = module.get_bin_path("lspci", opt_dirs=["/usr/bin", "/usr/sbin", "/sbin"])
    if not lspci:
        return []
    rc, out, _err = module.run_command([lspci, "-Dnnk"])
    return parse_lspci(out) if rc == 0 else []


def pci_gpus(module):
    """/sys is the source (it needs no tool); lspci adds the names, or stands in where /sys shows nothing."""
    devices = pci_display_devices()
    listed = lspci_devices(module)
    if not devices:
        return listed
    names = dict((device["address"], device["name"]) for device in listed)
    for device in devices:
        device["name"] = names.get(device["address"])
    return devices


def gather(module):
    """Everything the module returns."""
    binary, reason = find_nvidia_smi(module)
    gpus = []
    if binary:
        gpus, reason = query_gpus(module, binary)
        if gpus:
            add_mig_devices(module, binary, gpus)
    pci_devices = pci_gpus(module)
    return {
        "changed": False,
        "gpus": gpus,
        "gpu_count": len(gpus),
        "reason": reason,
        "pci_devices": pci_devices,
        "detection": detect(pci_devices),
        "ansible_facts": {"foundrycloud_gpus": gpus},
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            nvidia_smi_path=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**gather(module))


if __name__ == "__main__":
    main()
