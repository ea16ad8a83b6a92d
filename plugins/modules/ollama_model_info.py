# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ollama_model_info
short_description: List the models on an Ollama server, the models loaded in memory, and its version
description:
  - Reads C(/api/tags) (models present), C(/api/ps) (models loaded, with the memory they use) and C(/api/version).
  - Changes nothing.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description:
      - Only report this model. Compared as Ollama compares names (case-insensitive, defaults filled in),
        so C(qwen2.5) matches C(qwen2.5:latest).
    type: str
extends_documentation_fragment:
  - foundrycloud.platform.ollama
  - action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
  platform:
    platforms: posix
seealso:
  - module: foundrycloud.platform.ollama_model
"""

EXAMPLES = r"""
- name: What does the GPU node have?
  foundrycloud.platform.ollama_model_info:
  register: ollama

- name: Show the loaded models and their VRAM
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ (item.size_vram / 1024 ** 3) | round(1) }} GiB VRAM, context {{ item.context_length }}"
  loop: "{{ ollama.loaded }}"

- name: Is the coding model there?
  foundrycloud.platform.ollama_model_info:
    name: qwen2.5-coder:7b
  register: coder

- name: Fail when it is missing
  ansible.builtin.assert:
    that: coder.present
"""

RETURN = r"""
version:
  description: Version of the Ollama server.
  returned: always
  type: str
  sample: 0.13.1
models:
  description: Models present on the server (only O(name) if it was given).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name as the server lists it.
      type: str
    size:
      description: Size in bytes.
      type: int
    digest:
      description: Digest of the model's manifest (hex).
      type: str
    details:
      description: Format, family, parameter size and quantization, as Ollama reports them.
      type: dict
    modified_at:
      description: When the model was last pulled or created.
      type: str
  sample:
    - name: qwen2.5-coder:7b
      size: 4683087332
      digest: 2b0496514337a3d5901f1d253d01726c890b721e891335a56d6e08cedf3e2cb0
      details: {format: gguf, family: qwen2, parameter_size: 7.6B, quantization_level: Q4_K_M}
      modified_at: "2026-01-10T09:00:00Z"
loaded:
  description: Models loaded in memory (only O(name) if it was given).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the model.
      type: str
    size:
      description: Memory the loaded model uses in bytes (GPU and CPU).
      type: int
    size_vram:
      description: Part of C(size) in GPU memory, in bytes.
      type: int
    context_length:
      description: Context length the model was loaded with.
      type: int
    expires_at:
      description: When the model will be unloaded if it stays idle.
      type: str
present:
  description: Whether the model O(name) is on the server.
  returned: when O(name) is given
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import (
    ModelName,
    OllamaError,
    client_from_params,
    ollama_argument_spec,
)

MODEL_FIELDS = ("name", "model", "size", "digest", "details", "modified_at")
LOADED_FIELDS = ("name", "model", "size", "size_vram", "context_length", "expires_at", "digest", "details")


def pick(entry, fields):
    return dict((field, entry.get(field)) for field in fields if field in entry)


def only(entries, name):
    """Entries that are ``name``; entries with names Ollama would not accept are skipped."""
    if name is None:
        return entries
    kept = []
    for entry in entries:
        try:
            if ModelName.parse(entry.get("name") or entry.get("model") or "") == name:
                kept.append(entry)
        except OllamaError:
            continue
    return kept


def gather(client, name):
    models = only(client.tags(), name)
    loaded = only(client.ps(), name)
    result = dict(
        changed=False,
        version=client.version(),
        models=[pick(entry, MODEL_FIELDS) for entry in models],
        loaded=[pick(entry, LOADED_FIELDS) for entry in loaded],
    )
    if name is not None:
        result["present"] = bool(models)
    return result


def main():
    module = AnsibleModule(
        argument_spec=ollama_argument_spec(name=dict(type="str")),
        supports_check_mode=True,
    )
    url = module.params["url"]
    try:
        name = ModelName.parse(module.params["name"]) if module.params["name"] is not None else None
        result = gather(client_from_params(module.params), name)
    except OllamaError as exc:
        message = str(exc)
        if url not in message:
            message = "%s (Ollama at %s)" % (message, url)
        module.fail_json(msg=message, url=url)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
