# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deb_packages action plugin: dpkg's answer decides whether apt runs at all.

The module executions on the host are recorded instead of run: dpkg-query answers with output
in the format the plugin asks for (as recorded on Debian 13), apt with what it would return.
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail

from action_harness import make_action as harness_action

from ansible_collections.foundrycloud.platform.plugins.action import deb_packages
from ansible_collections.foundrycloud.platform.plugins.action.deb_packages import (
    ActionModule,
    parse_dpkg_query,
    unsatisfied,
)

# dpkg-query -W -f='${Package}\t${Version}\t${db:Status-Abbrev}\n' bind9 bind9-dnsutils nosuch
DPKG_OUTPUT = (
    "bind9\t1:9.20.11-4+deb13u1\tii \n"
    "bind9-dnsutils\t1:9.20.11-4+deb13u1\tii \n"
    "xrdp\t0.10.1-3\trc \n"          # removed, configuration left: not installed
)


def test_parse_keeps_only_installed_packages():
    assert parse_dpkg_query(DPKG_OUTPUT) == {"bind9": "1:9.20.11-4+deb13u1",
                                             "bind9-dnsutils": "1:9.20.11-4+deb13u1"}
    assert parse_dpkg_query("") == {}
    assert parse_dpkg_query("garbage without tabs\n") == {}


@pytest.mark.parametrize("specs, missing", [
    (["bind9", "bind9-dnsutils"], []),
    (["bind9", "xrdp"], ["xrdp"]),
    (["nosuch"], ["nosuch"]),
    (["bind9=1:9.20.11-4+deb13u1"], []),
    (["bind9=1:9.20.*"], []),
    (["bind9=1:9.18.*"], ["bind9=1:9.18.*"]),
    (["bind9:amd64"], ["bind9:amd64"]),           # architecture: apt decides
    (["/tmp/local.deb"], ["/tmp/local.deb"]),
])
def test_unsatisfied(specs, missing):
    assert unsatisfied(specs, parse_dpkg_query(DPKG_OUTPUT)) == missing


def make_action(args, check_mode=False, answers=None):
    return harness_action(ActionModule, args, check_mode,
                          lambda module_name, module_args: answers[module_name](module_args))


def dpkg_answer(output, rc=0):
    return lambda _args: {"rc": rc, "stdout": output, "stderr": ""}


@pytest.fixture(autouse=True)
def no_base_run(monkeypatch):
    # ActionBase.run checks the connection and the become plugin: nothing of that here.
    monkeypatch.setattr(deb_packages.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})


def test_everything_installed_runs_only_dpkg_query():
    action, calls = make_action({"name": ["bind9", "bind9-dnsutils"]},
                                answers={"ansible.builtin.command": dpkg_answer(DPKG_OUTPUT)})
    result = action.run(task_vars={})
    assert result["changed"] is False
    assert result["packages"]["bind9"] == "1:9.20.11-4+deb13u1"
    assert [c[0] for c in calls] == ["ansible.builtin.command"]
    argv = calls[0][1]["argv"]
    assert argv[:2] == ["dpkg-query", "-W"] and argv[3:] == ["bind9", "bind9-dnsutils"]


def test_missing_package_refreshes_then_installs_the_whole_list():
    answers = {"ansible.builtin.command": dpkg_answer("bind9\t1:9.20.11-4\tii \n", rc=1),
               "ansible.builtin.apt": lambda a: ({"changed": False} if "update_cache" in a
                                                 else {"changed": True, "stdout": "installed"})}
    action, calls = make_action({"name": ["bind9", "bind9-dnsutils"], "cache_valid_time": 0}, answers=answers)
    result = action.run(task_vars={})
    assert result["changed"] is True and result["missing"] == ["bind9-dnsutils"]
    assert calls[1] == ("ansible.builtin.apt", {"update_cache": True, "cache_valid_time": 0}, False)
    assert calls[2][1] == {"name": ["bind9", "bind9-dnsutils"], "state": "present", "install_recommends": False}


def test_check_mode_refreshes_the_index_for_real_and_installs_in_check_mode():
    answers = {"ansible.builtin.command": dpkg_answer("", rc=1),
               "ansible.builtin.apt": lambda a: {"changed": "name" in a}}
    action, calls = make_action({"name": ["xrdp"]}, check_mode=True, answers=answers)
    result = action.run(task_vars={})
    assert result["changed"] is True
    assert [(c[0], c[2]) for c in calls] == [
        ("ansible.builtin.command", False),   # the query reads the host in check mode too
        ("ansible.builtin.apt", False),       # the refresh
        ("ansible.builtin.apt", True),    # the install
    ]
    assert action._task.check_mode is True


def test_check_mode_with_everything_installed_asks_only_dpkg():
    action, calls = make_action({"name": ["bind9"]}, check_mode=True,
                                answers={"ansible.builtin.command": dpkg_answer(DPKG_OUTPUT)})
    assert action.run(task_vars={})["changed"] is False
    assert [(c[0], c[2]) for c in calls] == [("ansible.builtin.command", False)]


def test_no_refresh_when_update_cache_is_off():
    answers = {"ansible.builtin.command": dpkg_answer("", rc=1),
               "ansible.builtin.apt": lambda a: {"changed": True}}
    action, calls = make_action({"name": ["xrdp"], "update_cache": False}, answers=answers)
    action.run(task_vars={})
    assert [c[1].get("update_cache") for c in calls[1:]] == [None]


def test_failed_refresh_is_returned_and_nothing_installed():
    answers = {"ansible.builtin.command": dpkg_answer("", rc=1),
               "ansible.builtin.apt": lambda a: {"failed": True, "msg": "Failed to update apt cache"}}
    action, calls = make_action({"name": ["xrdp"]}, answers=answers)
    result = action.run(task_vars={})
    assert result["failed"] and "refreshing the package index failed" in result["msg"]
    assert len(calls) == 2


def test_host_without_dpkg_fails_clearly():
    answers = {"ansible.builtin.command": lambda a: {"failed": True, "msg": "[Errno 2] No such file: dpkg-query"}}
    action, _calls = make_action({"name": ["xrdp"]}, answers=answers)
    with pytest.raises(AnsibleActionFail, match="dpkg-query did not run"):
        action.run(task_vars={})


@pytest.mark.parametrize("args, message", [
    ({}, "name"),
    ({"name": ["  "]}, "at least one package"),
    ({"name": ["x"], "cache_valid_time": "soon"}, "cache_valid_time"),
    ({"name": ["x"], "state": "absent"}, "state"),
])
def test_bad_arguments_are_refused_before_the_host_is_asked(args, message):
    action, calls = make_action(args, answers={})
    with pytest.raises(AnsibleActionFail, match=message):
        action.run(task_vars={})
    assert calls == []
