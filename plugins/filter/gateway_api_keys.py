# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the inference gateway's keys file entries (hashes and limits, never a key)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: gateway_api_keys
short_description: The gateway's keys file entries from inference_gateway_api_keys and the kept key values
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Checks C(inference_gateway_api_keys) (name, kind, team, models, rpm, tpm, max_budget,
    budget_period_days, state, value) and fails naming every wrong entry and field.
  - Returns, for every key whose state is C(present), its SHA-256 hash with its limits, sorted by name.
    Keys with state C(absent) are left out, so the gateway refuses them (revocation).
options:
  _input:
    description: C(inference_gateway_api_keys).
    type: list
    elements: dict
    required: true
  values:
    description: Key name to key value (the kept secrets); an entry's own C(value) wins.
    type: dict
    required: true
  mapping:
    description: C(platform_model_mapping); the models a key may use must be its external names.
    type: dict
    required: true
  defaults:
    description: >-
      The limits of keys that do not set them - C(rpm), C(tpm), C(budget_period_days) (the
      C(inference_gateway_default_*) settings), each a whole number above 0 or none. Another name
      or value fails. Without C(budget_period_days) a key's budget period is 30 days.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Keys file entries
  ansible.builtin.set_fact:
    gateway_key_entries: "{{ inference_gateway_api_keys | foundrycloud.platform.gateway_api_keys(key_values, platform_model_mapping) }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: "Entries {name, sha256, kind, team, models, rpm, tpm, max_budget, budget_period_days}."
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.gateway import GatewayError, check_api_keys, key_file_entries


def gateway_api_keys(keys, values, mapping, defaults=None):
    errors = check_api_keys(keys, mapping)
    for name in sorted(defaults or {}):
        value = (defaults or {})[name]
        if name not in ("rpm", "tpm", "budget_period_days"):
            errors.append("defaults: unknown limit %r" % name)
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            errors.append("inference_gateway_default_%s must be a whole number > 0, got %r" % (name, value))
    if errors:
        raise AnsibleFilterError("gateway_api_keys:\n" + "\n".join(errors))
    try:
        return key_file_entries(keys, values or {}, defaults or {})
    except GatewayError as exc:
        raise AnsibleFilterError("gateway_api_keys: %s" % exc) from None


class FilterModule:

    def filters(self):
        return {"gateway_api_keys": gateway_api_keys}
