# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform_secret lookups an inventory writes itself, found in its files as written.

An inventory may ask for a secret of its own, e.g. a key for a service the platform does not
know: ``lookup('foundrycloud.platform.platform_secret', 'site/smtp_password', length=24)``. The
secret plan (``./foundry secrets``) must create those too, or a CI run (which may not create
secrets) would fail at the lookup, after hosts changed. A name written literally is planned with
the length and chars written beside it; a name or option that is an expression can only be
known in the play, so it is reported (the plan says it as a warning) instead of guessed."""

from __future__ import annotations

import re
from collections.abc import Mapping

LOOKUP = re.compile(r"""(?:lookup|query|q)\(\s*['"](?:foundrycloud\.platform\.)?platform_secret['"]\s*(?P<args>[^)]*)\)""")
LITERAL = re.compile(r"""^\s*(?:'([^'{}~]+)'|"([^"{}~]+)")\s*$""")
KEYWORD = re.compile(r"""^\s*(\w+)\s*=\s*(.+?)\s*$""")
SPEC_OPTIONS = ("length", "chars")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _split_arguments(text: str) -> list:
    """The lookup's arguments after its name, split at top-level commas."""
    parts, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [part for part in (p.strip() for p in parts) if part]


def _literal(text: str):
    match = LITERAL.match(text)
    if match:
        return match.group(1) or match.group(2)
    if re.match(r"^\d+$", text.strip()):
        return int(text)
    return None


def lookups_in(value) -> tuple:
    """(secrets, unplannable): name -> spec for each literal lookup in the value, and the lookups
    whose names or options are expressions (as written)."""
    secrets, unplannable = {}, []
    for text in _strings(value):
        for match in LOOKUP.finditer(text):
            names, spec, plannable = [], {}, True
            for argument in _split_arguments(match.group("args")):
                keyword = KEYWORD.match(argument)
                if keyword and not argument.lstrip().startswith(("'", '"')):
                    option, raw = keyword.group(1), keyword.group(2)
                    if option in SPEC_OPTIONS:
                        literal = _literal(raw)
                        plannable = plannable and literal is not None
                        spec[option] = literal
                    elif option in ("specs", "namespace"):
                        plannable = False   # a mapping of specs: written as an expression or in the play
                    continue
                literal = _literal(argument)
                if isinstance(literal, str):
                    names.append(literal)
                else:
                    plannable = False
            if plannable and names:
                for name in names:
                    secrets.setdefault(name, dict(spec))
            else:
                unplannable.append(match.group(0))
    return secrets, unplannable


def inventory_lookups(definitions) -> tuple:
    """(planned, warnings) over an inventory's definitions (inventory_validation.files):
    planned is name -> (spec, why); warnings name the file and line of each lookup that cannot
    be planned offline."""
    planned, warnings = {}, []
    for definition in definitions:
        if definition.vaulted:
            continue   # a vaulted value holds a secret, not a lookup of one
        secrets, unplannable = lookups_in(definition.value)
        for name, spec in sorted(secrets.items()):
            planned.setdefault(name, (spec, "%s in %s" % (definition.variable, definition.where)))
        for written in unplannable:
            warnings.append("%s: %s: %s names its secret or options by an expression; the secret is not planned "
                            "(write the name, length and chars literally, or create it with ansible-vault edit)"
                            % (definition.where, definition.variable, written))
    return planned, warnings
