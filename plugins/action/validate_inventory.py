# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for foundrycloud.platform.validate_inventory.

Runs only on the controller: it reads hostvars, groups and the playbook/role files and
hands them to plugin_utils.inventory_validation. It never connects to a host and never
executes a module.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import COLLECTION_SITE, validate
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.hostvars_view import (
    HostVarsView,
    inventory_groups,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.secrets_file import vault_of_this_run


def _decrypt_with(vault):
    """decrypt(bytes) -> str with the vault secrets this run was given; None without any."""
    if vault is None:
        return None
    return lambda data: to_text(vault.decrypt(data))


class ActionModule(ActionBase):
    """Validate the inventory offline."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    _ARGUMENT_SPEC = dict(
        site_playbook=dict(type="path"),
        roles_dir=dict(type="path"),
    )

    def run(self, tmp=None, task_vars=None):
        if task_vars is None:
            task_vars = {}
        result = super().run(tmp, task_vars)
        del tmp

        _validation, args = self.validate_argument_spec(argument_spec=self._ARGUMENT_SPEC)

        site_playbook = args.get("site_playbook") or COLLECTION_SITE
        roles_dir = args.get("roles_dir") or None

        groups, hosts = inventory_groups(task_vars)

        sources = [str(source) for source in task_vars.get("ansible_inventory_sources") or []]
        outcome = validate(
            hostvars=HostVarsView(task_vars.get("hostvars") or {}, hosts),
            groups=groups,
            site_playbook=str(site_playbook),
            roles_dir=str(roles_dir) if roles_dir else None,
            inventory_sources=sources,
            decrypt=_decrypt_with(vault_of_this_run()),
        )

        warnings = outcome.pop("warnings", [])
        if warnings:
            result.setdefault("warnings", []).extend(warnings)
        result.update(outcome)
        return result
