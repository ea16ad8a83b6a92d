# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on variable names and the platform-wide variables.

Every name an inventory file sets must be known: an option or default of a role, a platform
variable of meta/platform_argument_specs.yml, an Ansible connection or magic variable, a
``vault_``/``site_`` name, or listed in ``platform_extra_variables``. An unknown name is refused
with the nearest known names ("did you mean"), wherever it is set, whether or not the host runs
the role its prefix suggests.
"""

from __future__ import annotations

import difflib
import ipaddress

from ansible.vars.reserved import get_reserved_names

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    MISSING,
    validate_option,
)

# Names the customer owns: references into vault files and site-specific helpers.
OWN_PREFIXES = ("vault_", "site_")
# Magic variables an inventory may legitimately carry (besides ansible_*).
MAGIC_NAMES = frozenset(get_reserved_names()) | frozenset({
    "inventory_hostname", "inventory_hostname_short", "group_names", "groups", "hostvars", "inventory_dir",
    "inventory_file", "playbook_dir", "role_path", "omit",
})


def known_names(ctx) -> set:
    names = set(ctx.platform_options)
    for spec in ctx.roles.values():
        names |= set(spec.options or {}) | set(spec.defaults or {})
    return names


def suggestions(name: str, known, limit: int = 2) -> list:
    """The known names nearest to name: close spellings, and names that end with it
    (``gateway_api_keys`` -> ``inference_gateway_api_keys``)."""
    close = difflib.get_close_matches(name, sorted(known), n=limit, cutoff=0.75)
    longer = sorted(other for other in known if other.endswith("_" + name))
    ordered = []
    for candidate in longer + close:
        if candidate not in ordered:
            ordered.append(candidate)
    return ordered[:limit]


def _did_you_mean(names) -> str:
    return "did you mean %s?" % " or ".join(names) if names else "no role or platform variable of that name"


def check_unknown_variables(ctx) -> list[str]:
    """Every variable an inventory file sets must be known to a role, the platform or Ansible."""
    known = known_names(ctx)
    extra = set()
    for host in ctx.hosts:
        value = ctx.vars.get(host, "platform_extra_variables", [])
        if isinstance(value, list):
            extra |= {str(item) for item in value}
    errors = []
    for definition in ctx.files.definitions:
        name = definition.variable
        if (name in known or name in extra or name.startswith("ansible_") or name in MAGIC_NAMES
                or name.startswith(OWN_PREFIXES)):
            continue
        errors.append("%s %s: %s: unknown variable; %s (%s)" % (
            definition.scope, definition.name, name, _did_you_mean(suggestions(name, known)), definition.where))
    return errors


def check_platform_variables(ctx) -> list[str]:
    """The platform-wide variables match meta/platform_argument_specs.yml on every host."""
    errors = []
    for host in ctx.hosts:
        for name, spec in sorted(ctx.platform_options.items()):
            if not ctx.vars.has(host, name):
                continue
            value = ctx.vars.get(host, name)
            if value is MISSING:
                continue
            problems = validate_option(name, spec, value)
            if not problems and name == "platform_internal_networks":
                problems = list(_network_problems(value))
            for problem in problems:
                errors.append("host %s: %s: %s" % (host, name, problem))
    return errors


def _network_problems(values):
    if not isinstance(values, list):  # the spec takes a string as a one-element list; the roles do not
        yield "must be a list of CIDRs, got %r" % (values,)
        return
    for value in values:
        try:
            ipaddress.ip_network(str(value), strict=True)
        except ValueError:
            try:
                network = ipaddress.ip_network(str(value), strict=False)
            except ValueError:
                yield "%r is not a network in CIDR notation (e.g. 10.20.0.0/16)" % (value,)
            else:
                yield "%s has host bits set; the network is %s" % (value, network)
