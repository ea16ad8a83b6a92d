# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for foundrycloud.platform.validate_inventory.

Runs only on the controller: it reads hostvars, groups and the playbook/role files and
hands them to plugin_utils.inventory_validation. It never connects to a host and never
executes a module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    UnevaluableVariable,
    validate,
)


def _native(value):
    """Deep-copy a templated value into plain Python types (str, int, list, dict ...).

    Reading the items of lazily templated containers renders them; errors propagate.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return {_native(key): _native(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_native(item) for item in value]
    return value


class _HostView(Mapping):
    """One host's variables; reading a value templates it, failures become UnevaluableVariable."""

    def __init__(self, host_vars):
        self._vars = host_vars

    def __getitem__(self, key):
        if key not in self._vars:
            raise KeyError(key)
        try:
            return _native(self._vars[key])
        except Exception as exc:  # any templating problem: undefined facts, lookups, filters ...
            message = getattr(exc, "message", None) or str(exc)
            raise UnevaluableVariable(" ".join(str(message).split())) from exc

    def __contains__(self, key):
        return key in self._vars

    def __iter__(self):
        return iter(self._vars)

    def __len__(self):
        return len(self._vars)


class _HostVarsView(Mapping):
    def __init__(self, hostvars, hosts):
        self._hostvars = hostvars
        self._hosts = list(hosts)

    def __getitem__(self, host):
        if host not in self._hosts:
            raise KeyError(host)
        try:
            return _HostView(self._hostvars[host])
        except Exception as exc:  # a vars file Ansible cannot load: the files rule names file and line
            message = getattr(exc, "message", None) or str(exc)
            raise UnevaluableVariable("its variables cannot be loaded: %s" % " ".join(str(message).split())) from exc

    def __contains__(self, host):
        return host in self._hosts

    def __iter__(self):
        return iter(self._hosts)

    def __len__(self):
        return len(self._hosts)


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

    def _decrypt(self, data: bytes) -> str:
        """A vault-encrypted inventory file's text, with the vault secrets this run was given."""
        return to_text(self._loader._vault.decrypt(data))  # pylint: disable=protected-access

    def run(self, tmp=None, task_vars=None):
        if task_vars is None:
            task_vars = {}
        result = super().run(tmp, task_vars)
        del tmp

        _validation, args = self.validate_argument_spec(argument_spec=self._ARGUMENT_SPEC)

        site_playbook = args.get("site_playbook")
        if not site_playbook:
            playbook_dir = task_vars.get("playbook_dir")
            if not playbook_dir:
                raise AnsibleError("validate_inventory: playbook_dir is unknown; set site_playbook")
            site_playbook = os.path.join(str(playbook_dir), "site.yml")
        roles_dir = args.get("roles_dir") or None

        groups = task_vars.get("groups") or {}
        groups = {str(name): [str(host) for host in (hosts or [])] for name, hosts in groups.items()}
        hostvars = task_vars.get("hostvars") or {}
        hosts = groups.get("all") or [str(host) for host in hostvars]

        sources = [str(source) for source in task_vars.get("ansible_inventory_sources") or []]
        outcome = validate(
            hostvars=_HostVarsView(hostvars, hosts),
            groups=groups,
            site_playbook=str(site_playbook),
            roles_dir=str(roles_dir) if roles_dir else None,
            inventory_sources=sources,
            decrypt=self._decrypt,
        )

        warnings = outcome.pop("warnings", [])
        if warnings:
            result.setdefault("warnings", []).extend(warnings)
        result.update(outcome)
        return result
