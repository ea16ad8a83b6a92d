# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: ollama_models entries completed with the site's model numbers (platform_model_metadata)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: ollama_models_with_metadata
short_description: Complete ollama_models entries with the site's numbers per model
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Gives every entry of a model list the numbers the VRAM plan needs (C(size_bytes),
    C(block_count), C(head_count), ...) from a mapping of model name to numbers, usually
    C(platform_model_metadata). An entry's own C(metadata) keys win.
  - Names compare the way Ollama resolves them (C(granite3.2-vision) is C(granite3.2-vision:latest)).
  - With the numbers inline, C(./foundry plan), the offline validation and the ollama role plan a
    GPU node without asking a server or the registry.
options:
  _input:
    description: The model entries (C(ollama_models)).
    type: list
    elements: dict
    required: true
  metadata:
    description: Model name to numbers.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan with the site's model numbers
  ansible.builtin.debug:
    msg: "{{ ollama_models | foundrycloud.platform.ollama_models_with_metadata(platform_model_metadata | default({})) }}"
"""

RETURN = r"""
_value:
  description: The entries, each with C(metadata) completed where the mapping knows its model.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.vram_plan import with_site_metadata


def ollama_models_with_metadata(models, metadata):
    if not isinstance(metadata, dict):
        raise AnsibleFilterError("ollama_models_with_metadata: the metadata must map model names to numbers, got %r"
                                 % type(metadata).__name__)
    if not isinstance(models, list) or not all(isinstance(entry, dict) for entry in models):
        raise AnsibleFilterError("ollama_models_with_metadata: the input must be a list of model entries (dicts)")
    return with_site_metadata(models, metadata)


class FilterModule:

    def filters(self):
        return {"ollama_models_with_metadata": ollama_models_with_metadata}
