# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: an Ollama model name in the normalised form the modules compare with."""

from __future__ import annotations

DOCUMENTATION = r"""
name: ollama_model_key
short_description: Normalise an Ollama model name for comparison
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Returns the full, lower-cased name Ollama resolves a model name to
    (C(qwen2.5:7b) becomes C(registry.ollama.ai/library/qwen2.5:7b), C(nomic-embed-text)
    becomes C(registry.ollama.ai/library/nomic-embed-text:latest)), so that names written
    differently compare equal.
options:
  _input:
    description: A model name as Ollama accepts it.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show the full name Ollama resolves a short name to
  ansible.builtin.debug:
    msg: "{{ 'qwen2.5:7b' | foundrycloud.platform.ollama_model_key }}"
"""

RETURN = r"""
_value:
  description: The normalised name.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName


def ollama_model_key(name):
    try:
        return ModelName.parse(str(name)).key
    except ValueError as exc:
        raise AnsibleFilterError("ollama_model_key: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"ollama_model_key": ollama_model_key}
