# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline checks of a customer inventory against the platform's roles and playbooks.

Controller-only code: the action plugin ``foundrycloud.platform.validate_inventory`` calls
``engine.validate``; nothing here runs on a managed host. One rule family per module:

* ``engine``: the generic part. YAML loading, host patterns, the playbook scan (which role
  runs on which hosts), the roles' argument specs and defaults, ``HostVarAccess``,
  ``Context``, message helpers (``validate_option``), ``build_context`` and ``validate``.
* ``role_variables``: values against the roles' argument specs, unknown role variables.
* ``groups``: ``GROUP_CATALOG``, unknown groups, ``platform_extra_groups``.
* ``docker_networks``: Docker's address pools and bridge against the customer's networks.
* ``model_mapping``: ``platform_model_mapping`` against the models the Ollama hosts plan.
* ``services``: central services, placement and the inference gateway.
* ``rules``: ``RULES``, every rule in the order ``validate`` runs them.

Imports go one way: the rule families import ``engine``, ``rules`` imports the families, and
``engine.validate`` reads ``rules.RULES`` when it is called (not at import time, so there is
no import cycle). This file imports nothing.

Adding a rule: a rule is a function ``rule(context) -> list[str]``; ``context`` is an
``engine.Context`` (hosts, groups, host variables through ``context.vars.get(host, name)``,
the roles' argument specs and defaults, ``context.role_hosts``: the hosts each role runs on).
Every string it returns is one problem, worded ``host <host>: <variable>: <problem>``. Write it
in the module of its family (or a new module for a new family), append it to ``RULES`` in
``rules.py``, and add a failing and a passing case to the family's tests under
``tests/unit/plugins/plugin_utils/inventory_validation/``.
"""
