# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: what is wrong with the gateway's public names (ACME)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: gateway_public_name_problems
short_description: What is wrong with inference_gateway_public_names
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - The check the inference_gateway role and C(./foundry validate) make before anything changes.
  - Refuses a service the front does not serve here, a name that is not a DNS name or lies in the
    internal zone (its names keep the internal CA), a name given twice, and public names without
    C(inference_gateway_acme_terms_agreed=true).
options:
  _input:
    description: C(inference_gateway_public_names).
    type: dict
    required: true
  services:
    description: The services the front serves here (C(gateway) and the routes' services).
    type: list
    elements: str
    required: true
  zone:
    description: The internal DNS zone.
    type: str
    required: true
  terms_agreed:
    description: C(inference_gateway_acme_terms_agreed).
    type: bool
    required: true
"""

EXAMPLES = r"""
- name: Refuse a public name inside the internal zone
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ {'n8n': 'n8n.localai.internal'} | foundrycloud.platform.gateway_public_name_problems(
           ['gateway', 'n8n'], 'localai.internal', true) }}
"""

RETURN = r"""
_value:
  description: One sentence per problem, naming the variable and the service; empty when the data is right.
  type: list
  elements: str
"""

from ansible_collections.foundrycloud.platform.plugins.module_utils.gateway import public_name_problems


def gateway_public_name_problems(public_names, services, zone, terms_agreed):
    return public_name_problems(public_names, list(services or []), zone, terms_agreed)


class FilterModule:

    def filters(self):
        return {"gateway_public_name_problems": gateway_public_name_problems}
