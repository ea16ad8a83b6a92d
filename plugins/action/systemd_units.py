# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for foundrycloud.platform.systemd_units.

Reads the state of every unit with one C(systemctl show) on the host; only the units that are
not as asked (or whose unit files changed on disk) go through ansible.builtin.systemd_service.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.look_first import execute_read_only, validated_args

ARGUMENT_SPEC = {
    "units": {
        "type": "list", "elements": "dict", "required": True,
        "options": {
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "started", "choices": ["started", "stopped"]},
            "enabled": {"type": "bool"},
            "daemon_reload": {"type": "bool", "default": False},
        },
    },
}

PROPERTIES = "Id,LoadState,ActiveState,UnitFileState,NeedDaemonReload"
# What `systemctl is-enabled` answers with exit status 0 for: nothing to enable.
ENABLED_STATES = {"enabled", "enabled-runtime", "static", "alias", "indirect", "generated"}
RUNNING_STATES = {"active", "activating", "reloading"}
STOPPED_STATES = {"inactive", "failed"}


def parse_show(output, count):
    """`systemctl show -p ... u1 u2` output -> one property dict per unit, in order."""
    blocks = output.strip().split("\n\n") if output.strip() else []
    units = []
    for block in blocks:
        props = {}
        for line in block.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                props[key.strip()] = value.strip()
        units.append(props)
    if len(units) != count:
        raise ValueError("systemctl show answered for %d units, %d were asked" % (len(units), count))
    return units


def pending(unit, props):
    """Why the unit needs systemd_service, or None when it is as asked."""
    if props.get("LoadState") != "loaded":
        return "load state %s" % (props.get("LoadState") or "unknown")
    if unit["daemon_reload"] and props.get("NeedDaemonReload") == "yes":
        return "unit files changed on disk"
    active = props.get("ActiveState", "")
    if unit["state"] == "started" and active not in RUNNING_STATES:
        return "%s, not started" % active
    if unit["state"] == "stopped" and active not in STOPPED_STATES:
        return "%s, not stopped" % active
    file_state = props.get("UnitFileState", "")
    if unit["enabled"] is True and file_state not in ENABLED_STATES:
        return "%s, not enabled" % (file_state or "no unit file state")
    if unit["enabled"] is False and file_state != "disabled" and file_state not in {"static", "masked"}:
        return "%s, not disabled" % file_state
    return None


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        units = validated_args(self, ARGUMENT_SPEC, "systemd_units")["units"]
        if not units:
            raise AnsibleActionFail("systemd_units: units must name at least one unit")
        names = [unit["name"] for unit in units]
        if len(set(names)) != len(names):
            raise AnsibleActionFail("systemd_units: a unit is listed twice in %s" % names)

        show = execute_read_only(self, "ansible.builtin.command",
                                 {"argv": ["systemctl", "show", "--property=" + PROPERTIES, "--"] + names}, task_vars)
        if show.get("rc") != 0:
            raise AnsibleActionFail("systemd_units: systemctl show failed on this host (is it running systemd?): %s"
                                    % (show.get("stderr") or show.get("msg") or show))
        try:
            states = parse_show(show.get("stdout", ""), len(units))
        except ValueError as exc:
            raise AnsibleActionFail("systemd_units: %s" % exc) from None

        acted, reasons, changed = {}, {}, False
        for unit, props in zip(units, states):
            reason = pending(unit, props)
            if reason is None:
                continue
            reasons[unit["name"]] = reason
            args = {"name": unit["name"], "state": unit["state"],
                    "daemon_reload": unit["daemon_reload"] or props.get("NeedDaemonReload") == "yes"}
            if unit["enabled"] is not None:
                args["enabled"] = unit["enabled"]
            outcome = self._execute_module(module_name="ansible.builtin.systemd_service", module_args=args,
                                           task_vars=task_vars)
            acted[unit["name"]] = {k: outcome[k] for k in ("changed", "state", "enabled", "msg") if k in outcome}
            if outcome.get("failed"):
                result.update(failed=True, msg="systemd_units: %s: %s" % (unit["name"], outcome.get("msg", outcome)),
                              units=acted, reasons=reasons)
                return result
            changed = changed or bool(outcome.get("changed"))
        result.update(changed=changed, units=acted, reasons=reasons,
                      msg="%d of %d units needed systemd" % (len(acted), len(units)))
        return result
