# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the nvidia_gpu role, as plain functions so that they are unit-tested.

- :func:`package_plan`: which repository path and which packages a host gets, per
  distribution and source;
- :func:`reboot_decision`: reboot, report a pending reboot, or leave the host alone;
- :func:`merge_docker_daemon`: the NVIDIA runtime merged into a daemon.json document
  without touching anyone else's keys;
- :func:`mig_plan`: which GPUs need their MIG layout changed.

Parsing nvidia-smi and lspci output lives in ``nvidia_smi``; nothing here runs a command.
"""

from __future__ import annotations

import re
from collections import Counter

# Where each supported platform's packages come from. NVIDIA's CUDA repository names its
# directories debian12, debian13, ubuntu2204, ubuntu2404; its architectures x86_64 and sbsa.
PLATFORMS = {
    "Debian-12": {"family": "debian", "repo": "debian12", "distro_branch": "535"},
    "Debian-13": {"family": "debian", "repo": "debian13", "distro_branch": "550"},
    "Ubuntu-22": {"family": "ubuntu", "repo": "ubuntu2204", "distro_branch": None},
    "Ubuntu-24": {"family": "ubuntu", "repo": "ubuntu2404", "distro_branch": None},
}
REPO_ARCH = {"x86_64": "x86_64", "aarch64": "sbsa", "arm64": "sbsa", "amd64": "x86_64"}
SOURCES = ("upstream", "distro")

_BRANCH = re.compile(r"^[0-9]{3}$")
_CUDA_VERSION = re.compile(r"^([0-9]{2})\.([0-9]{1,2})$")


class PlanError(ValueError):
    """Input the plan cannot be made from; the message names the variable."""


def package_plan(platform, source, branch, open_kernel_modules=True, kernel_module=True, kernel="",
                 cuda=True, cuda_version="12.8", arch="x86_64"):
    """Packages and repository path for one host.

    ``platform`` is ``<distribution>-<major version>`` as Ansible's facts give them
    (``Debian-13``). Returns a dict:

    - ``repo_path``: ``<distro>/<arch>`` below NVIDIA's CUDA repository (upstream), else None;
    - ``branch``: the driver branch the host gets (for ``distro`` on Debian: the release's);
    - ``pin``: the branch to pin with apt preferences (upstream only), else None;
    - ``driver``: driver packages (kernel module, headers, userland, persistence daemon);
    - ``cuda``: CUDA toolkit packages;
    - ``notes``: what the plan decided on its own, for the run's output.
    """
    if platform not in PLATFORMS:
        raise PlanError("%s is not supported (Debian 12/13, Ubuntu 22.04/24.04)" % platform)
    if source not in SOURCES:
        raise PlanError("nvidia_gpu_source must be one of %s, not %r" % (", ".join(SOURCES), source))
    branch = str(branch or "")
    if not _BRANCH.match(branch):
        raise PlanError("nvidia_gpu_driver_branch must be a driver branch such as 580, not %r" % branch)
    match = _CUDA_VERSION.match(str(cuda_version or ""))
    if cuda and not match:
        raise PlanError("nvidia_gpu_cuda_version must be <major>.<minor> such as 12.8, not %r" % cuda_version)
    if kernel_module and not kernel:
        raise PlanError("the running kernel's release is needed for its headers (ansible_facts['kernel'])")
    info = PLATFORMS[platform]
    notes = []
    if source == "distro" and info["distro_branch"] and info["distro_branch"] != branch:
        notes.append("%s non-free carries driver branch %s only; nvidia_gpu_driver_branch %s does not apply "
                     "to source distro" % (platform.replace("-", " "), info["distro_branch"], branch))
        branch = info["distro_branch"]
    if info["family"] == "debian":
        driver = _debian_driver(source, open_kernel_modules, kernel_module)
    else:
        driver = _ubuntu_driver(branch, open_kernel_modules, kernel_module)
    if kernel_module:
        driver.append("linux-headers-%s" % kernel)
    cuda_packages = []
    if cuda:
        cuda_packages = (["cuda-toolkit-%s-%s" % match.groups()] if source == "upstream" else ["nvidia-cuda-toolkit"])
    upstream = source == "upstream"
    return {
        "repo_path": "%s/%s" % (info["repo"], REPO_ARCH.get(arch, arch)) if upstream else None,
        "branch": branch,
        "pin": branch if upstream else None,
        "driver": driver,
        "cuda": cuda_packages,
        "notes": notes,
    }


def _debian_driver(source, open_modules, kernel_module):
    # Userland that needs no kernel module to install: nvidia-smi, libcuda, NVML, the
    # persistence daemon. The kernel module comes as DKMS source built for the running kernel.
    userland = ["nvidia-smi", "libcuda1", "libnvidia-ml1", "nvidia-persistenced"]
    if not kernel_module:
        return userland
    if source == "upstream":
        # NVIDIA's repository: the headless compute driver and the module flavour.
        return ["nvidia-driver-cuda", "nvidia-kernel-open-dkms" if open_modules else "nvidia-kernel-dkms",
                "nvidia-persistenced"]
    # Debian non-free calls the open flavour nvidia-open-kernel-dkms; it needs the GSP firmware.
    module = ["nvidia-open-kernel-dkms", "firmware-nvidia-gsp"] if open_modules else ["nvidia-kernel-dkms"]
    return module + userland


def _ubuntu_driver(branch, open_modules, kernel_module):
    # Ubuntu's (and NVIDIA's Ubuntu repository's) names carry the branch; the headless
    # metapackage brings the DKMS module and nvidia-compute-utils (persistence daemon).
    suffix = "-open" if open_modules else ""
    if kernel_module:
        return ["nvidia-headless-%s%s" % (branch, suffix), "nvidia-utils-%s" % branch]
    return ["libnvidia-compute-%s" % branch, "nvidia-compute-utils-%s" % branch, "nvidia-utils-%s" % branch]


# --- reboot decision -----------------------------------------------------------------------

ACTIONS = ("none", "reboot", "pending", "refused", "unexplained")


def reboot_decision(gpu_present, driver_changed, state, allow_reboot, control_node):
    """Reboot, report, or do nothing.

    ``driver_changed``: this run changed the driver packages or the nouveau blacklist.
    ``state``: what the host says now -
      ``loaded_version`` (the nvidia module in the running kernel, None when none is loaded),
      ``installed_version`` (the module on disk for the running kernel, None when unknown),
      ``changed_since_boot`` (driver packages changed after the last boot: an earlier run
      changed them and did not reboot), ``nouveau_loaded``, ``nvidia_smi_error`` (the first
      line nvidia-smi printed when it failed, e.g. ``Failed to initialize NVML:
      Driver/library version mismatch``; None when it worked or is missing).

    A reboot is *needed* when nouveau is loaded, no nvidia module is loaded, the loaded
    module is not the installed one, or nvidia-smi reports a driver/library version mismatch. The driver *changed* when this run or an earlier one
    since the last boot changed it. Actions:

    - ``none``: no reboot is needed (a working node: re-runs end here and never reboot);
    - ``reboot``: needed, changed, allowed, and not the control node;
    - ``pending``: needed and changed, but ``allow_reboot`` is false;
    - ``refused``: needed and changed, but this host is the control node;
    - ``unexplained``: needed, but the driver did not change since the last boot; a reboot
      is not the fix for that, so none is done and the GPU check reports the host.
    """
    state = state or {}
    loaded = state.get("loaded_version") or None
    installed = state.get("installed_version") or None
    reasons = []
    if state.get("nouveau_loaded"):
        reasons.append("nouveau is loaded (blacklisted; it leaves at the next boot)")
    if loaded is None:
        reasons.append("no NVIDIA kernel module is loaded")
    elif installed is not None and loaded != installed:
        reasons.append("kernel module %s is loaded but %s is installed" % (loaded, installed))
    smi_error = state.get("nvidia_smi_error") or ""
    if "version mismatch" in smi_error.lower() and loaded is not None:
        reasons.append("nvidia-smi: %s" % smi_error)
    changed = bool(driver_changed or state.get("changed_since_boot"))
    needed = bool(gpu_present and reasons)
    if not needed:
        action = "none"
    elif not changed:
        action = "unexplained"
    elif control_node:
        action = "refused"
    elif not allow_reboot:
        action = "pending"
    else:
        action = "reboot"
    return {
        "action": action,
        "reboot_needed": needed,
        "driver_changed": changed,
        "reasons": reasons if gpu_present else [],
        "message": _decision_message(action, reasons),
    }


def _decision_message(action, reasons):
    why = "; ".join(reasons)
    return {
        "none": "no reboot needed",
        "reboot": "rebooting: the driver changed and %s" % why,
        "pending": "reboot pending: the driver changed and %s; set nvidia_gpu_allow_reboot: true "
                   "(one node at a time) or reboot this host yourself, then run again" % why,
        "refused": "reboot needed (%s) but this host is the control node, which is never rebooted by "
                   "the playbook; reboot it yourself, then run again" % why,
        "unexplained": "the driver did not change since the last boot, yet %s: not rebooting "
                       "(check dkms status, Secure Boot module signing, dmesg)" % why,
    }[action]


# --- Docker daemon.json ------------------------------------------------------------------

CGROUP_DRIVER_OPT = "native.cgroupdriver="


def merge_docker_daemon(current, runtime_name="nvidia", runtime_path="/usr/bin/nvidia-container-runtime",
                        default_runtime=False, cgroup_driver="", cdi=False):
    """``current`` (a parsed daemon.json) with the NVIDIA runtime merged in; a new dict.

    Only these keys are touched, each merged rather than replaced:
    ``runtimes`` (our entry; other runtimes stay), ``default-runtime`` (set when
    ``default_runtime``; removed when false only if it names our runtime), ``exec-opts``
    (the ``native.cgroupdriver=`` entry when ``cgroup_driver`` is set; other options stay)
    and ``features`` (``cdi: true`` when ``cdi``; other features stay). Every other key of
    the file is returned unchanged.
    """
    if not isinstance(current, dict):
        raise ValueError("daemon.json does not hold a JSON object")
    result = dict(current)
    runtimes = _or_empty(result.get("runtimes"), {})
    if not isinstance(runtimes, dict):
        raise ValueError("daemon.json key runtimes is not an object")
    runtimes = dict(runtimes)
    runtimes[runtime_name] = dict(runtimes.get(runtime_name) or {}, path=runtime_path)
    result["runtimes"] = runtimes
    if default_runtime:
        result["default-runtime"] = runtime_name
    elif result.get("default-runtime") == runtime_name:
        del result["default-runtime"]
    if cgroup_driver:
        options = _or_empty(result.get("exec-opts"), [])
        if not isinstance(options, list):
            raise ValueError("daemon.json key exec-opts is not a list")
        options = [o for o in options if not str(o).startswith(CGROUP_DRIVER_OPT)]
        result["exec-opts"] = options + [CGROUP_DRIVER_OPT + cgroup_driver]
    if cdi:
        features = _or_empty(result.get("features"), {})
        if not isinstance(features, dict):
            raise ValueError("daemon.json key features is not an object")
        result["features"] = dict(features, cdi=True)
    return result


def _or_empty(value, empty):
    """A missing or null key counts as empty; an empty value of the wrong type does not."""
    return empty if value is None else value


# --- MIG ---------------------------------------------------------------------------------

_MIG_PROFILE = re.compile(r"^[1-8]g\.[0-9]+gb(\+me)?$")


def mig_plan(gpus, wanted):
    """GPUs whose MIG layout differs from ``wanted``.

    ``gpus``: nvidia_gpu_info's list (index, mig_devices with profile). ``wanted``: a list of
    {gpu: index, profiles: [profile, ...]} (an empty list turns MIG off on that GPU).
    Returns a list of {gpu, profiles, current, enable}: ``enable`` true when MIG must be
    switched on (no MIG device yet), ``profiles`` empty when MIG must be switched off.
    GPUs not named in ``wanted`` are left alone. Order of profiles does not matter.
    """
    by_index = dict((gpu["index"], gpu) for gpu in gpus or [])
    seen = set()
    plan = []
    for entry in wanted or []:
        index = entry.get("gpu")
        profiles = [str(p) for p in entry.get("profiles") or []]
        if not isinstance(index, int) or isinstance(index, bool) or index in seen:
            raise PlanError("nvidia_gpu_mig_profiles: gpu must be a GPU index, once each (got %r)" % (index,))
        seen.add(index)
        bad = [p for p in profiles if not _MIG_PROFILE.match(p)]
        if bad:
            raise PlanError("nvidia_gpu_mig_profiles: GPU %d: %s is not a MIG profile such as 1g.10gb"
                            % (index, ", ".join(bad)))
        if index not in by_index:
            raise PlanError("nvidia_gpu_mig_profiles: GPU %d does not exist (nvidia-smi lists %s)"
                            % (index, sorted(by_index) or "none"))
        current = [d.get("profile") for d in by_index[index].get("mig_devices") or []]
        if Counter(current) != Counter(profiles):
            plan.append({"gpu": index, "profiles": profiles, "current": current, "enable": not current and bool(profiles)})
    return plan
