# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The systemd_units action plugin: one systemctl show decides which units need systemd_service.

The module executions on the host are recorded instead of run; systemctl's answers are in the
format systemd 257 (Debian 13) prints for `systemctl show --property=... u1 u2`.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail

from action_harness import make_action as harness_action

from ansible_collections.foundrycloud.platform.plugins.action import systemd_units
from ansible_collections.foundrycloud.platform.plugins.action.systemd_units import ActionModule, parse_show

RUNNING = "Id={0}\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=no\n"
SOCKET = "Id=dbus.socket\nLoadState=loaded\nActiveState=active\nUnitFileState=static\nNeedDaemonReload=no\n"
STOPPED = "Id={0}\nLoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\nNeedDaemonReload=no\n"
RELOAD = "Id={0}\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=yes\n"
MISSING = "Id={0}\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\nNeedDaemonReload=no\n"


def show(*blocks):
    return "\n".join(blocks)


def make_action(args, check_mode=False, stdout="", rc=0, systemd=None):
    def answer(module_name, module_args):
        if module_name == "ansible.builtin.command":
            return {"rc": rc, "stdout": stdout, "stderr": "" if rc == 0 else "System has not been booted with systemd"}
        return (systemd or (lambda a: {"changed": True, "state": a["state"]}))(module_args)

    return harness_action(ActionModule, args, check_mode, answer)


@pytest.fixture(autouse=True)
def no_base_run(monkeypatch):
    monkeypatch.setattr(systemd_units.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})


def test_parse_show_keeps_the_order_and_checks_the_count():
    states = parse_show(show(SOCKET, RUNNING.format("systemd-resolved.service")), 2)
    assert [s["Id"] for s in states] == ["dbus.socket", "systemd-resolved.service"]
    with pytest.raises(ValueError, match="answered for 1 units, 2 were asked"):
        parse_show(SOCKET, 2)


def test_units_as_asked_cost_one_query_and_change_nothing():
    units = [{"name": "dbus.socket"}, {"name": "systemd-resolved", "enabled": True, "daemon_reload": True}]
    action, calls = make_action({"units": units}, stdout=show(SOCKET, RUNNING.format("systemd-resolved.service")))
    result = action.run(task_vars={})
    assert result["changed"] is False and result["units"] == {}
    assert len(calls) == 1
    assert calls[0][1]["argv"][:2] == ["systemctl", "show"] and calls[0][1]["argv"][-2:] == ["dbus.socket", "systemd-resolved"]


def test_only_the_units_that_differ_go_to_systemd_service():
    units = [{"name": "xrdp-sesman", "enabled": True}, {"name": "xrdp", "enabled": True}]
    action, calls = make_action({"units": units}, stdout=show(RUNNING.format("xrdp-sesman.service"),
                                                              STOPPED.format("xrdp.service")))
    result = action.run(task_vars={})
    assert result["changed"] is True and list(result["units"]) == ["xrdp"]
    assert result["reasons"] == {"xrdp": "inactive, not started"}
    assert calls[1] == ("ansible.builtin.systemd_service",
                        {"name": "xrdp", "state": "started", "daemon_reload": False, "enabled": True}, False)


def test_changed_unit_files_get_a_daemon_reload_only_when_asked():
    units = [{"name": "ollama", "daemon_reload": True}]
    action, calls = make_action({"units": units}, stdout=RELOAD.format("ollama.service"))
    action.run(task_vars={})
    assert calls[1][1] == {"name": "ollama", "state": "started", "daemon_reload": True}
    action, calls = make_action({"units": [{"name": "ollama"}]}, stdout=RELOAD.format("ollama.service"))
    action.run(task_vars={})
    assert len(calls) == 1


def test_check_mode_reads_for_real_and_acts_in_check_mode():
    action, calls = make_action({"units": [{"name": "xrdp", "enabled": True}]}, check_mode=True,
                                stdout=STOPPED.format("xrdp.service"))
    assert action.run(task_vars={})["changed"] is True
    assert [(c[0], c[2]) for c in calls] == [
        ("ansible.builtin.command", False),
        ("ansible.builtin.systemd_service", True),
    ]


def test_a_missing_unit_is_handed_on_and_its_failure_reported():
    def failing(_args):
        return {"failed": True, "msg": "Could not find the requested service nosuch: host"}

    action, calls = make_action({"units": [{"name": "nosuch"}]}, stdout=MISSING.format("nosuch.service"),
                                systemd=failing)
    result = action.run(task_vars={})
    assert result["failed"] and "nosuch: Could not find the requested service" in result["msg"]
    assert result["reasons"] == {"nosuch": "load state not-found"}


def test_stopped_and_disabled():
    units = [{"name": "apache2", "state": "stopped", "enabled": False}]
    action, calls = make_action({"units": units}, stdout=STOPPED.format("apache2.service"))
    assert action.run(task_vars={})["changed"] is False and len(calls) == 1
    action, calls = make_action({"units": units}, stdout=RUNNING.format("apache2.service"))
    assert action.run(task_vars={})["reasons"] == {"apache2": "active, not stopped"}


def test_host_without_systemd_fails_clearly():
    action, _calls = make_action({"units": [{"name": "xrdp"}]}, rc=1)
    with pytest.raises(AnsibleActionFail, match="systemctl show failed.*booted with systemd"):
        action.run(task_vars={})


@pytest.mark.parametrize("args, message", [
    ({}, "units"),
    ({"units": []}, "at least one unit"),
    ({"units": [{"name": "a"}, {"name": "a"}]}, "listed twice"),
    ({"units": [{"name": "a", "state": "restarted"}]}, "state"),
    ({"units": [{"state": "started"}]}, "name"),
])
def test_bad_arguments_are_refused_before_the_host_is_asked(args, message):
    action, calls = make_action(args)
    with pytest.raises(AnsibleActionFail, match=message):
        action.run(task_vars={})
    assert calls == []
