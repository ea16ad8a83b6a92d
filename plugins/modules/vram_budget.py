# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vram_budget
short_description: Check that a node's planned Ollama models fit into its GPU memory
description:
  - Estimates the GPU memory each planned model needs (weights, KV cache, compute graph) the way Ollama
    estimates it, places the models on the node's GPUs and fails when they do not fit.
    The arithmetic and its limits are described in C(docs/vram-budget.md).
  - "The architecture numbers of each model come from the first source in O(metadata_sources) that has them:
    V(inline) (the O(models[].metadata) given in the task), V(server) (C(/api/show) on the Ollama server,
    for models it already has) or V(registry) (the model's manifest and the first bytes of its GGUF file,
    read with HTTP range requests)."
  - No model weights are downloaded and nothing is changed; the module runs the same way in check mode.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  gpus:
    description:
      - The node's GPUs, one entry per GPU.
      - "Each entry is a dict with the memory as C(memory_bytes), C(memory_mib) or C(memory)
        (a size such as V(24GiB) or V(96GB)), or just that size. The C(gpus) list returned by
        M(foundrycloud.platform.nvidia_gpu_info) can be passed as it is (its C(memory_total_bytes) /
        C(memory_total_mib) are understood)."
      - "Sizes: V(GiB)/V(MiB) and bare V(G)/V(M) are powers of 1024; V(GB)/V(MB) are powers of 1000."
      - For MIG slices, list each slice with its memory.
    type: list
    elements: raw
    required: true
  models:
    description: The models planned for the node.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Model name as Ollama takes it, for example V(qwen2.5:7b).
        type: str
        required: true
      num_ctx:
        description:
          - Context length per request slot.
          - "When omitted: O(default_num_ctx) if set, otherwise Ollama's own default, which depends on the node's
            total GPU memory minus O(overhead_per_gpu) per GPU (Ollama 0.15.5 and later): 4096 below 23 GiB,
            32768 below 47 GiB, 262144 from 47 GiB. The estimate clamps it to the model's trained context length, as Ollama does."
          - A C(PARAMETER num_ctx) in the model's Modelfile also overrides Ollama's default; set O(models[].num_ctx) to match.
        type: int
      num_parallel:
        description: Request slots (C(OLLAMA_NUM_PARALLEL)); each gets a full context of KV cache.
        type: int
        default: 1
      kv_cache_type:
        description:
          - C(OLLAMA_KV_CACHE_TYPE). Quantised types are only used with O(flash_attention); otherwise Ollama falls back to V(f16).
        type: str
        choices: [f16, q8_0, q4_0]
        default: f16
      metadata:
        description:
          - The model's numbers, for a model that neither the server nor a reachable registry has (for example
            a model to be imported later, or an offline site).
          - "Keys (GGUF names without the architecture prefix): C(size_bytes) (model plus projector layers),
            C(architecture), C(block_count), C(head_count), C(head_count_kv), C(embedding_length), C(key_length),
            C(value_length), C(context_length), C(vocab_size), C(pooling_type)."
          - C(size_bytes), C(block_count), C(head_count), C(embedding_length) and C(context_length) make it
            complete. Incomplete metadata is completed from the next source; the values given here win.
        type: dict
  flash_attention:
    description: Whether the server runs with C(OLLAMA_FLASH_ATTENTION=1).
    type: bool
    default: false
  overhead_per_gpu:
    description: C(OLLAMA_GPU_OVERHEAD) of the server, bytes or a size; counted on every GPU that holds a model.
    type: raw
    default: 0
  reserve:
    description:
      - Memory held back for what the estimate leaves out (CUDA context, buffers, other processes),
        as bytes, a size such as V(4GiB), or a percentage of the total GPU memory such as V(10%).
    type: raw
    default: 10%
  default_num_ctx:
    description:
      - The server's C(OLLAMA_CONTEXT_LENGTH), if it sets one; used for models without O(models[].num_ctx).
    type: int
  fail_on_overcommit:
    description:
      - Fail when the models do not fit (the message contains the table). With V(false), report C(fits=false) and a warning.
    type: bool
    default: true
  allow_split:
    description:
      - Accept a model that fits on no single GPU but on several together (Ollama then splits its layers).
        Otherwise such a model counts as not fitting.
    type: bool
    default: false
  metadata_sources:
    description:
      - Where to look for each model's numbers, in order.
      - V(server) asks the Ollama server at O(url) for models it has. V(registry) reads the manifest and the GGUF
        header from the model's registry (C(https://<host>) of the model name, or O(registry_url)); only a few MiB are read.
      - Leave out V(server) or V(registry) to keep the check offline.
    type: list
    elements: str
    choices: [inline, server, registry]
    default: [inline, server, registry]
  registry_url:
    description:
      - Registry to read manifests and GGUF headers from instead of the one in the model's name, for example a mirror.
      - The Ollama server's O(headers) and O(bearer_token) are not sent to it.
    type: str
extends_documentation_fragment:
  - foundrycloud.platform.ollama
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The O(url), O(headers), O(bearer_token), O(timeout), O(validate_certs) and O(retries) options apply to the
    Ollama server; O(timeout), O(validate_certs) and O(retries) also to the registry.
  - If the server cannot be reached, the check goes on with the other sources and warns.
seealso:
  - module: foundrycloud.platform.nvidia_gpu_info
  - module: foundrycloud.platform.ollama_model
"""

EXAMPLES = r"""
- name: Read the GPUs
  foundrycloud.platform.nvidia_gpu_info:
  register: gpu_facts

- name: Check the plan before pulling anything
  foundrycloud.platform.vram_budget:
    gpus: "{{ gpu_facts.gpus }}"
    models:
      - name: qwen2.5:7b
        num_ctx: 8192
        num_parallel: 2
        kv_cache_type: q8_0
      - name: nomic-embed-text
        num_ctx: 2048
    flash_attention: true
    reserve: 10%

- name: Plan a model that no server or registry has yet (numbers from its GGUF header)
  foundrycloud.platform.vram_budget:
    gpus:
      - memory: 48GiB
      - memory_mib: 46068
    models:
      - name: registry.lab.internal:5000/team/coder-ft:v1
        num_ctx: 16384
        metadata:
          size_bytes: 19851336256
          architecture: qwen2
          block_count: 64
          head_count: 40
          head_count_kv: 8
          embedding_length: 5120
          context_length: 32768
          vocab_size: 152064
    metadata_sources: [inline]
    allow_split: true
    reserve: 4GiB

- name: Report only, do not fail
  foundrycloud.platform.vram_budget:
    gpus: ["24GiB"]
    models:
      - name: llama3.1:8b
    fail_on_overcommit: false
  register: budget

- name: Show the table
  ansible.builtin.debug:
    msg: "{{ budget.table }}"
"""

RETURN = r"""
fits:
  description: Whether every model was placed and the total stays within capacity minus reserve and overheads.
  returned: always
  type: bool
table:
  description: The per-model breakdown, per-GPU use and the summary, as a fixed-width table (sizes in GiB).
  returned: always
  type: str
models:
  description:
    - One entry per model with C(name), C(weights), C(kv_cache), C(graph), C(total) (bytes), C(num_ctx) (after the clamp),
      C(num_parallel), C(effective_ctx), C(kv_cache_type) (the one Ollama will use), C(status)
      (V(placed), V(split), V(needs_split) or V(unplaced)), C(gpus) and C(notes).
  returned: always
  type: list
  elements: dict
sources:
  description: Where each model's numbers came from, V(inline), V(server), V(registry), or V(inline+server) / V(inline+registry).
  returned: always
  type: dict
  sample: {"qwen2.5:7b": server, "team/coder-ft:v1": inline}
metadata:
  description: The numbers used for each model.
  returned: always
  type: dict
default_num_ctx:
  description: Context length used for models without O(models[].num_ctx).
  returned: always
  type: int
  sample: 32768
total:
  description: Bytes the placed models take (without overheads).
  returned: always
  type: int
capacity:
  description: Total GPU memory in bytes.
  returned: always
  type: int
reserve:
  description: Reserved bytes.
  returned: always
  type: int
overhead:
  description: Per-GPU overhead bytes, summed over the GPUs used.
  returned: always
  type: int
free:
  description: Capacity minus reserve, models and overheads, in bytes (negative when overcommitted).
  returned: always
  type: int
placement:
  description: Per GPU C(index), C(memory), C(reserve), C(models), C(used), C(free).
  returned: always
  type: list
  elements: dict
unplaced:
  description: Models that could not be placed (including those that need a split when O(allow_split=false)).
  returned: always
  type: list
  elements: str
needs_split:
  description: Models that only fit spread over several GPUs.
  returned: always
  type: list
  elements: str
notes:
  description: Remarks of the estimator, such as a clamped context or a KV cache type falling back to f16.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.gguf import architecture
from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import (
    ModelName,
    OllamaError,
    RegistryClient,
    client_from_params,
    find_model,
    ollama_argument_spec,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.vram_plan import (
    COMPLETE_KEYS,
    BudgetError,
    clean_metadata,
    missing_keys,
    node_budget,
    overcommit_message,
)

# --------------------------------------------------------------------------------------------
# Metadata sources
# --------------------------------------------------------------------------------------------


def metadata_from_kv(kv):
    """architecture() plus pooling_type, which marks embedding models (no flash attention)."""
    result = architecture(kv)
    arch = result.get("architecture")
    pooling = kv.get("%s.pooling_type" % arch) if arch else None
    if isinstance(pooling, int) and not isinstance(pooling, bool):
        result["pooling_type"] = pooling
    return result


def show_model_info(show):
    """GGUF-style keys from /api/show, without the arrays Ollama empties unless asked to be verbose."""
    info = show.get("model_info")
    if not isinstance(info, dict):
        return {}
    return dict((key, value) for key, value in info.items() if value not in (None, [], {}))


class MetadataFinder:
    """Finds each model's numbers in the configured sources; remembers why sources failed."""

    def __init__(self, module):
        self.module = module
        self.sources = module.params["metadata_sources"]
        self.client = client_from_params(module.params) if "server" in self.sources else None
        self.registry = None
        if "registry" in self.sources:
            self.registry = RegistryClient(
                base_url=module.params["registry_url"],
                timeout=module.params["timeout"],
                validate_certs=module.params["validate_certs"],
                retries=module.params["retries"],
            )
        self._tags = None
        self._server_problem = None
        self.warnings = []

    def find(self, spec):
        """(metadata, source) for one ``models`` entry."""
        inline = clean_metadata(spec.get("metadata") or {}) if "inline" in self.sources else {}
        problems = []
        if inline and not missing_keys(inline):
            return inline, "inline"
        if inline:
            problems.append("inline: missing %s" % ", ".join(missing_keys(inline)))
        elif "inline" in self.sources:
            problems.append("inline: no metadata given")
        for source in self.sources:
            if source == "inline":
                continue
            found, problem = self._fetch(source, spec["name"])
            if found is None:
                problems.append("%s: %s" % (source, problem))
                continue
            merged = dict(found)
            merged.update(inline)
            if not missing_keys(merged):
                return merged, ("inline+%s" % source) if inline else source
            problems.append("%s: missing %s" % (source, ", ".join(missing_keys(merged))))
        raise BudgetError(
            "model %s: no complete metadata (%s needed); %s"
            % (spec["name"], ", ".join(COMPLETE_KEYS), "; ".join(problems))
        )

    def _fetch(self, source, name_text):
        try:
            name = ModelName.parse(name_text)
        except OllamaError as exc:
            return None, str(exc)
        try:
            if source == "server":
                return self._from_server(name)
            return self.registry.model_metadata(name), None
        except OllamaError as exc:
            return None, str(exc)

    def _from_server(self, name):
        tags = self._server_tags()
        if tags is None:
            return None, self._server_problem
        entry = find_model(tags, name)
        if entry is None:
            return None, "model %s is not on the server at %s" % (name, self.client.url)
        metadata = metadata_from_kv(show_model_info(self.client.show(name)))
        metadata["size_bytes"] = entry.get("size")
        metadata["digest"] = entry.get("digest")
        return metadata, None

    def _server_tags(self):
        """The server's model list, fetched once; None (and one warning) if it cannot be read."""
        if self._tags is None and self._server_problem is None:
            try:
                self._tags = self.client.tags()
            except OllamaError as exc:
                self._server_problem = str(exc)
                self.warnings.append("Ollama server not usable as a metadata source: %s" % exc)
        return self._tags


# --------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------


def budget(module):
    params = module.params
    finder = MetadataFinder(module)
    result = node_budget(params["models"], params["gpus"], finder.find, overhead_per_gpu=params["overhead_per_gpu"],
                         reserve=params["reserve"], flash_attention=params["flash_attention"],
                         allow_split=params["allow_split"], default_num_ctx=params["default_num_ctx"])
    return result, finder.warnings


def main():
    module = AnsibleModule(
        argument_spec=ollama_argument_spec(
            gpus=dict(type="list", elements="raw", required=True),
            models=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    name=dict(type="str", required=True),
                    num_ctx=dict(type="int"),
                    num_parallel=dict(type="int", default=1),
                    kv_cache_type=dict(type="str", default="f16", choices=["f16", "q8_0", "q4_0"]),
                    metadata=dict(type="dict"),
                ),
            ),
            flash_attention=dict(type="bool", default=False),
            overhead_per_gpu=dict(type="raw", default=0),
            reserve=dict(type="raw", default="10%"),
            default_num_ctx=dict(type="int"),
            fail_on_overcommit=dict(type="bool", default=True),
            allow_split=dict(type="bool", default=False),
            metadata_sources=dict(type="list", elements="str", choices=["inline", "server", "registry"],
                                  default=["inline", "server", "registry"]),
            registry_url=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    try:
        result, warnings = budget(module)
    except (BudgetError, OllamaError) as exc:
        module.fail_json(msg=str(exc))
    for warning in warnings:
        module.warn(warning)
    if not result["fits"]:
        if module.params["fail_on_overcommit"]:
            module.fail_json(msg=overcommit_message(result), changed=False, **result)
        module.warn(overcommit_message(result).split("\n", 1)[0])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
