# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nvidia_docker_runtime
short_description: Merge the NVIDIA container runtime into Docker's daemon.json
description:
  - Adds the NVIDIA runtime to C(runtimes) in Docker's C(daemon.json) and, as asked, makes it the
    default runtime, sets the cgroup driver in C(exec-opts) and turns on CDI in C(features).
  - Merges, never overwrites - every other key, every other runtime, every other C(exec-opts)
    entry and every other feature stay as they are, so C(docker_engine) and operators keep theirs.
  - Compares parsed JSON, not text; writes (sorted keys, two-space indent) only when the content
    differs. Does not restart Docker; notify a handler when it reports a change.
  - Fails, changing nothing, when the file is not a JSON object.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  path:
    description: The daemon.json file; created (and its directory) when missing.
    type: path
    default: /etc/docker/daemon.json
  runtime_name:
    description: Name of the runtime entry.
    type: str
    default: nvidia
  runtime_path:
    description: Path of the runtime binary.
    type: path
    default: /usr/bin/nvidia-container-runtime
  default_runtime:
    description:
      - Make the runtime Docker's C(default-runtime).
      - When false, a C(default-runtime) naming this runtime is removed; one naming another runtime stays.
    type: bool
    default: false
  cgroup_driver:
    description:
      - Cgroup driver for containers (C(native.cgroupdriver=) in C(exec-opts)); other C(exec-opts) entries stay.
      - Empty leaves C(exec-opts) alone.
    type: str
    choices: ['', cgroupfs, systemd]
    default: ''
  cdi:
    description: Turn on CDI device injection (C(features.cdi)) for Docker 25 to 28.1; false leaves the key alone.
    type: bool
    default: false
extends_documentation_fragment:
  - action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: Add the NVIDIA runtime, cgroupfs driver and CDI
  foundrycloud.platform.nvidia_docker_runtime:
    cgroup_driver: cgroupfs
    cdi: true
  notify: Restart docker
"""

RETURN = r"""
config:
  description: The merged daemon.json content.
  returned: always
  type: dict
  sample: {"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}, "exec-opts": ["native.cgroupdriver=cgroupfs"]}
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.nvidia_gpu import merge_docker_daemon


def render(config):
    return json.dumps(config, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/docker/daemon.json"),
            runtime_name=dict(type="str", default="nvidia"),
            runtime_path=dict(type="path", default="/usr/bin/nvidia-container-runtime"),
            default_runtime=dict(type="bool", default=False),
            cgroup_driver=dict(type="str", default="", choices=["", "cgroupfs", "systemd"]),
            cdi=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    before_text = ""
    current = {}
    if os.path.exists(path):
        with open(path) as handle:
            before_text = handle.read()
        if before_text.strip():
            try:
                current = json.loads(before_text)
            except ValueError as exc:
                module.fail_json(msg="%s is not valid JSON (%s); fix or remove it, nothing was changed" % (path, exc))
    try:
        wanted = merge_docker_daemon(
            current,
            runtime_name=module.params["runtime_name"],
            runtime_path=module.params["runtime_path"],
            default_runtime=module.params["default_runtime"],
            cgroup_driver=module.params["cgroup_driver"],
            cdi=module.params["cdi"],
        )
    except ValueError as exc:
        module.fail_json(msg="%s: %s; nothing was changed" % (path, exc))
    changed = wanted != current or not os.path.exists(path)
    result = dict(changed=changed, config=wanted)
    if changed:
        result["diff"] = dict(before=before_text, after=render(wanted), before_header=path, after_header=path)
        if not module.check_mode:
            directory = os.path.dirname(path)
            if directory and not os.path.isdir(directory):
                os.makedirs(directory, 0o755)
            tmp = os.path.join(module.tmpdir, "daemon.json")
            with open(tmp, "w") as handle:
                handle.write(render(wanted))
            module.atomic_move(tmp, path)
            os.chmod(path, 0o644)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
