# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tests of single rules share: make_context() builds the engine.Context a rule gets
straight from data (host variables, groups, the hosts each role runs on, the roles' defaults, the
inventory's files), without a playbook scan; by default with the repository's real roles and
meta/platform_argument_specs.yml. FactVars stands for a host whose variables need facts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    Context,
    HostVarAccess,
    RoleSpec,
    UnevaluableVariable,
    load_platform_options,
    load_role_spec,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import (
    Definition,
    InventoryFiles,
)

REPO_ROOT = Path(__file__).resolve().parents[5]


@functools.lru_cache(maxsize=None)
def _real_role(name: str) -> RoleSpec:
    errors: list = []
    spec = load_role_spec(str(REPO_ROOT / "roles"), name, errors)
    assert errors == [], errors
    return spec


@functools.lru_cache(maxsize=None)
def _real_platform_options() -> tuple:
    errors: list = []
    options = load_platform_options(str(REPO_ROOT), errors)
    assert errors == [], errors
    return tuple(options.items())


def real_platform_options() -> dict:
    return dict(_real_platform_options())


def make_context(hostvars, groups=None, role_hosts=None, roles=None, files=None, platform_options=None) -> Context:
    """A Context as build_context makes it.

    hostvars: host -> variables (a Mapping; FactVars for values that need facts). groups: group ->
    hosts; ``all`` defaults to every host named. role_hosts: role -> the hosts it runs on. roles:
    role -> its defaults (a dict) for made-up roles; every other role of role_hosts is the real one.
    files: the inventory's files (InventoryFiles or a list of Definitions). platform_options:
    default the real platform spec.
    """
    groups = {name: sorted(hosts) for name, hosts in (groups or {}).items()}
    named = set(hostvars) | {host for hosts in groups.values() for host in hosts}
    groups.setdefault("all", sorted(named))
    role_hosts = {role: sorted(hosts) for role, hosts in (role_hosts or {}).items()}
    specs = {role: RoleSpec(role, "", {}, dict(defaults)) for role, defaults in (roles or {}).items()}
    for role in role_hosts:
        if role not in specs:
            specs[role] = _real_role(role)
    if isinstance(files, list):
        files = InventoryFiles(root="/inventory", definitions=files, sources=["/inventory"])
    warnings: list = []
    return Context(
        hosts=sorted(groups["all"]),
        groups=groups,
        vars=HostVarAccess(hostvars, warnings),
        roles=specs,
        role_hosts=role_hosts,
        provided={},
        playbook_groups=set(),
        warnings=warnings,
        files=files if files is not None else InventoryFiles(),
        platform_options=real_platform_options() if platform_options is None else platform_options,
    )


def group_var(group: str, variable: str, value=None, file: str = "group_vars/all.yml", line: int = 1, **kwargs):
    """A Definition of variable for group (the reader's record of one line of a vars file)."""
    return Definition("group", group, variable, file, line, value=value, **kwargs)


def host_var(host: str, variable: str, value=None, file: str = "", line: int = 1, **kwargs):
    return Definition("host", host, variable, file or "host_vars/%s.yml" % host, line, value=value, **kwargs)


class FactVars(Mapping):
    """Behaves like hostvars[host] when some templates need facts."""

    def __init__(self, data, unevaluable):
        self._data = data
        self._unevaluable = set(unevaluable)

    def __getitem__(self, key):
        if key in self._unevaluable:
            raise UnevaluableVariable("'ansible_facts' is undefined")
        return self._data[key]

    def __iter__(self):
        return iter(set(self._data) | self._unevaluable)

    def __len__(self):
        return len(set(self._data) | self._unevaluable)

    def __contains__(self, key):
        return key in self._data or key in self._unevaluable
