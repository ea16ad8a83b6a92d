# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the inventory's files themselves: every file parses (Ansible goes on with an empty
inventory when a YAML inventory file does not), no key is written twice, and there are hosts."""

from __future__ import annotations


# A file that does not parse makes every other judgement unreliable (its hosts have no
# variables, its groups no hosts): engine.validate then runs only the rules marked SYNTAX.
SYNTAX = "syntax"


def check_inventory_files(ctx) -> list[str]:
    """Files Ansible could not read as intended: broken YAML, duplicate keys, wrong shapes."""
    return ["file %s" % problem for problem in ctx.files.problems]


def check_inventory_has_hosts(ctx) -> list[str]:
    """An inventory without hosts deploys nothing: refuse it rather than pass it green."""
    if ctx.hosts or not ctx.files.sources:
        return []  # hosts, or no inventory to judge (a caller that passes none)
    where = " (parsed %d YAML inventory file(s): see the problems above)" % ctx.files.parsed_sources \
        if ctx.files.problems else ""
    return ["inventory: no hosts; Ansible found none in the inventory's sources%s" % where]


check_inventory_files.stage = SYNTAX
check_inventory_has_hosts.stage = SYNTAX
