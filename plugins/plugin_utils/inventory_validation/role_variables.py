# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the variables of this collection's roles, for the hosts each role runs on: values
against the role's meta/argument_specs.yml and required options set (check 1), and variables
named after the role that the role does not know, probably typos (check 2)."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING, Context, validate_option


def check_argument_specs(ctx: Context) -> list[str]:
    """Check 1: values set in the inventory match the role's meta/argument_specs.yml, and
    required options without a role default are set."""
    errors = []
    for role, hosts in ctx.role_hosts.items():
        spec = ctx.roles[role]
        if spec.options is None:
            continue
        for host in hosts:
            provided = ctx.provided.get((host, role), frozenset())
            for option, option_spec in sorted(spec.options.items()):
                if option in provided:
                    continue  # the playbook sets it (play or role vars)
                if not ctx.vars.has(host, option):
                    if option_spec.get("required") and option not in spec.defaults:
                        errors.append("host %s: %s: required by role %s but not set (the role has no default)"
                                      % (host, option, role))
                    continue
                value = ctx.vars.get(host, option)
                if value is MISSING:
                    continue
                for problem in validate_option(option, option_spec, value):
                    errors.append("host %s: %s: %s" % (host, option, problem))
    return errors


def check_unknown_role_variables(ctx: Context) -> list[str]:
    """Check 2: a variable named <role>_... that the role does not know is probably a typo."""
    errors = []
    all_roles = set(ctx.roles)
    for role, hosts in ctx.role_hosts.items():
        spec = ctx.roles[role]
        if spec.options is None:
            continue
        prefix = role + "_"
        longer = sorted(other + "_" for other in all_roles if other.startswith(prefix))
        known = set(spec.options) | set(spec.defaults)
        # Names an inventory file sets are judged by variables.check_unknown_variables, with the
        # file and a suggestion; this catches what reaches hostvars by other means (inventory plugins).
        in_files = {definition.variable for definition in ctx.files.definitions}
        for host in hosts:
            for name in sorted(ctx.vars.names(host)):
                if not name.startswith(prefix) or name in known or name in in_files:
                    continue
                if any(name.startswith(other) for other in longer):
                    continue
                errors.append("host %s: %s: unknown variable for role %s (typo?)" % (host, name, role))
    return errors
