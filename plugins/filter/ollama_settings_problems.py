# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: what is wrong with one node's Ollama settings (the validation's own rule)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: ollama_settings_problems
short_description: What is wrong with one node's Ollama settings
version_added: 0.2.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - The check C(./foundry validate) makes offline, for the ollama role to make again on the host's
    final values, so both refuse exactly the same settings.
  - Refuses binding to every address (C(0.0.0.0), C(::), empty) without C(ollama_allow_bind_all), a
    quantised KV cache without flash attention, and a local archive without a C(sha256:) checksum.
options:
  _input:
    description: >-
      The settings by variable name: C(ollama_bind_address), C(ollama_allow_bind_all), C(ollama_kv_cache_type),
      C(ollama_flash_attention), C(ollama_install_method), C(ollama_archive_src), C(ollama_archive_checksum).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse settings Ollama would misuse
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ {'ollama_bind_address': '0.0.0.0'} | foundrycloud.platform.ollama_settings_problems }}"
"""

RETURN = r"""
_value:
  description: "One sentence per problem, C(<variable>: <what is wrong>); empty when the settings are right."
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ollama_settings import (
    settings_problems,
)


def ollama_settings_problems(values):
    if not isinstance(values, dict):
        raise AnsibleFilterError("ollama_settings_problems: the input must map setting names to values")
    return settings_problems(values)


class FilterModule:

    def filters(self):
        return {"ollama_settings_problems": ollama_settings_problems}
