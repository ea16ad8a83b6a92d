# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the model names of one list that another list does not name (Ollama-normalised)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: ollama_models_not_in
short_description: Model names that a second list does not name, compared as Ollama does
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Returns the names of the input list whose normalised form (see
    the C(foundrycloud.platform.ollama_model_key) filter) is not among the normalised names of
    O(planned). Used to find models to prune; the names are returned as given.
options:
  _input:
    description: Model names, e.g. what is present on a node.
    type: list
    elements: str
    required: true
  planned:
    description: Model names to keep.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Remove what is not planned
  foundrycloud.platform.ollama_model:
    name: "{{ item }}"
    state: absent
  loop: "{{ present_names | foundrycloud.platform.ollama_models_not_in(planned_names) }}"
"""

RETURN = r"""
_value:
  description: The input names that O(planned) does not name.
  type: list
  elements: str
"""

from ansible_collections.foundrycloud.platform.plugins.filter.ollama_model_key import ollama_model_key


def ollama_models_not_in(names, planned):
    keep = {ollama_model_key(name) for name in planned}
    return [name for name in names if ollama_model_key(name) not in keep]


class FilterModule:
    def filters(self):
        return {"ollama_models_not_in": ollama_models_not_in}
