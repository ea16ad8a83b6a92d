# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs an action plugin with its module executions on the host recorded instead of run."""

from __future__ import annotations

from unittest import mock

from ansible.playbook.task import Task


def make_action(action_class, args, check_mode=False, answer=None):
    """answer(module_name, module_args) -> the module's result. Returns the action and the list
    of calls as (module_name, module_args, check_mode the module ran in)."""
    task = Task()
    task.args = args
    task.check_mode = check_mode
    action = action_class(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None,
                          shared_loader_obj=None)
    calls = []

    def execute(module_name=None, module_args=None, task_vars=None, **_kwargs):
        calls.append((module_name, dict(module_args), task.check_mode))
        return dict(answer(module_name, module_args))

    action._execute_module = execute
    return action, calls
