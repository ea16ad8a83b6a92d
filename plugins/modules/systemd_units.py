# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: systemd_units
short_description: Keep several systemd units started or stopped and enabled, looking first
description:
  - Reads the state of every unit of O(units) with one C(systemctl show) on the host (also in
    check mode, since it only reads).
  - Only a unit that is not as asked (not loaded, not started or stopped, not enabled or disabled,
    or whose unit files changed on disk while O(units[].daemon_reload) is set) is handed to
    M(ansible.builtin.systemd_service), whose changes and failures it reports.
  - A re-run with every unit as asked costs one short command instead of one
    M(ansible.builtin.systemd_service) run per unit, and no C(daemon-reload).
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  units:
    description: The units, in the order they are acted on.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Unit name, with its suffix when it is not a service (C(dbus.socket)).
        type: str
        required: true
      state:
        description: Whether the unit must run.
        type: str
        choices: [started, stopped]
        default: started
      enabled:
        description: Whether the unit starts at boot; unset leaves that alone.
        type: bool
      daemon_reload:
        description:
          - Reload systemd first when the unit's files changed on disk (systemd says
            C(NeedDaemonReload=yes)), and whenever the unit is acted on.
        type: bool
        default: false
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.conn
  - action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: full
  bypass_host_loop:
    support: none
  connection:
    support: full
  check_mode:
    support: full
  delegation:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Runs as an action plugin. It runs C(systemctl show) through M(ansible.builtin.command), then
    M(ansible.builtin.systemd_service) for the units that need it.
  - Restarts stay handlers with M(ansible.builtin.systemd_service) and C(state=restarted).
seealso:
  - module: ansible.builtin.systemd_service
"""

EXAMPLES = r"""
- name: Start the system bus and systemd-resolved
  foundrycloud.platform.systemd_units:
    units:
      - name: dbus.socket
      - {name: systemd-resolved, enabled: true}
      - {name: foundrycloud-dns-routing.service, enabled: true, daemon_reload: true}
"""

RETURN = r"""
units:
  description: What M(ansible.builtin.systemd_service) returned for each unit that needed it.
  returned: always
  type: dict
  sample: {systemd-resolved: {changed: true, state: started, enabled: true}}
reasons:
  description: Why each of those units needed it.
  returned: always
  type: dict
  sample: {systemd-resolved: "inactive, not started"}
msg:
  description: How many units needed systemd.
  returned: always
  type: str
  sample: 0 of 3 units needed systemd
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Never runs in practice: the action plugin of the same name does the work.
    module = AnsibleModule(
        argument_spec=dict(
            units=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                state=dict(type="str", default="started", choices=["started", "stopped"]),
                enabled=dict(type="bool"),
                daemon_reload=dict(type="bool", default=False),
            )),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="foundrycloud.platform.systemd_units runs as an action plugin")


if __name__ == "__main__":
    main()
