# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The play's hostvars as the offline rules read them (the validate_inventory and platform_secrets
actions): plain Python values, templated on read, a value that needs the host raising
UnevaluableVariable instead of failing the task."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import UnevaluableVariable


def native(value):
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
        return {native(key): native(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [native(item) for item in value]
    return value


class HostView(Mapping):
    """One host's variables; reading a value templates it, failures become UnevaluableVariable."""

    def __init__(self, host_vars):
        self._vars = host_vars

    def __getitem__(self, key):
        if key not in self._vars:
            raise KeyError(key)
        try:
            return native(self._vars[key])
        except Exception as exc:  # any templating problem: undefined facts, lookups, filters ...
            message = getattr(exc, "message", None) or str(exc)
            raise UnevaluableVariable(" ".join(str(message).split())) from exc

    def __contains__(self, key):
        return key in self._vars

    def __iter__(self):
        return iter(self._vars)

    def __len__(self):
        return len(self._vars)


class HostVarsView(Mapping):
    def __init__(self, hostvars, hosts):
        self._hostvars = hostvars
        self._hosts = list(hosts)

    def __getitem__(self, host):
        if host not in self._hosts:
            raise KeyError(host)
        try:
            return HostView(self._hostvars[host])
        except Exception as exc:  # a vars file Ansible cannot load: the files rule names file and line
            message = getattr(exc, "message", None) or str(exc)
            raise UnevaluableVariable("its variables cannot be loaded: %s" % " ".join(str(message).split())) from exc

    def __contains__(self, host):
        return host in self._hosts

    def __iter__(self):
        return iter(self._hosts)

    def __len__(self):
        return len(self._hosts)


def inventory_groups(task_vars) -> tuple:
    """(groups as plain lists, every host) from a task's variables."""
    groups = task_vars.get("groups") or {}
    groups = {str(name): [str(host) for host in (hosts or [])] for name, hosts in groups.items()}
    hosts = groups.get("all") or [str(host) for host in task_vars.get("hostvars") or {}]
    return groups, hosts
