# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side helpers shared by the action plugins that look at the host before they act
(deb_packages, systemd_units)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator


def validated_args(action, spec, plugin):
    """The task's arguments checked against spec (types, defaults, choices), or a failure that
    names the plugin before the host is asked anything."""
    validation = ArgumentSpecValidator(spec).validate(action._task.args)
    if validation.error_messages:
        raise AnsibleActionFail("%s: %s" % (plugin, "; ".join(validation.error_messages)))
    return validation.validated_parameters


def execute_read_only(action, module_name, module_args, task_vars):
    """Run a module that only reads the host (a query, a package-index refresh) for real, also
    in check mode: check mode must see the host as it is to tell what would change (the command
    module would skip the query in check mode and answer with nothing)."""
    check_mode = action._task.check_mode
    action._task.check_mode = False
    try:
        return action._execute_module(module_name=module_name, module_args=module_args, task_vars=task_vars)
    finally:
        action._task.check_mode = check_mode
