# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the gateway's keys with one key per workspace user added."""

from __future__ import annotations

DOCUMENTATION = r"""
name: gateway_workspace_keys
short_description: inference_gateway_api_keys plus one key of kind user per workspace user
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Adds to C(inference_gateway_api_keys) a key of kind C(user) for every workspace user that has
    no entry of its own, named like the user (so the usage rows name the user), with the limits of
    C(inference_gateway_workspace_key). Its value is generated once and kept as secret
    C(gateway-key/<user>), which the user's Open WebUI is wired to.
  - An entry of the inventory with the user's name wins (its own limits, team, or C(state=absent)
    to revoke the user's key). A workspace that leaves the inventory takes its key out of the
    gateway's keys file (refused from the next run on); the kept secret stays.
  - Fails naming the variable for users that cannot name a key and for unknown limit fields; the
    keys themselves are checked by M(foundrycloud.platform.gateway_api_keys).
options:
  _input:
    description: C(inference_gateway_api_keys).
    type: list
    elements: dict
    required: true
  users:
    description: The workspace users (C(inference_gateway_workspace_users)).
    type: list
    elements: str
    required: true
  limits:
    description: C(inference_gateway_workspace_key) - team, models, rpm, tpm, max_budget, budget_period_days.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Every workspace user gets a key of its own
  ansible.builtin.set_fact:
    gateway_keys: >-
      {{ inference_gateway_api_keys | foundrycloud.platform.gateway_workspace_keys(['alice', 'bob'], {'rpm': 30}) }}
"""

RETURN = r"""
_value:
  description: The keys, the inventory's first, then one per user without an entry, sorted by name.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.gateway import GatewayError, with_workspace_keys


def gateway_workspace_keys(keys, users, limits=None):
    try:
        return with_workspace_keys(keys, users, limits)
    except GatewayError as exc:
        raise AnsibleFilterError("gateway_workspace_keys: %s" % exc) from None


class FilterModule:

    def filters(self):
        return {"gateway_workspace_keys": gateway_workspace_keys}
