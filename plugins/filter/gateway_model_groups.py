# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the inference gateway's model groups, from the inventory."""

from __future__ import annotations

DOCUMENTATION = r"""
name: gateway_model_groups
short_description: LiteLLM model groups from platform_model_mapping and the GPU nodes' model plans
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - C(platform_model_mapping) (external name to internal Ollama model) is the one place of model name resolution.
    Every host of group C(gpu_nodes) whose C(ollama_models) plans the internal model serves the external name, so
    each model group gets one deployment per such node; a mapped model that no node plans is not offered.
  - Fallback chains name external models tried in order when a model group fails; targets that are not offered are left out.
  - Returns LiteLLM's C(model_list) and C(fallbacks), and what is offered where.
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  groups:
    description: C(groups).
    type: dict
    required: true
  mapping:
    description: C(platform_model_mapping) - external name to an Ollama model name, or to C({model, mode}) with mode C(chat) or C(embedding).
    type: dict
    required: true
  fallbacks:
    description: C(platform_model_fallbacks) - external name to the list of external names tried in order.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The gateway's model list
  ansible.builtin.set_fact:
    gateway_models: >-
      {{ hostvars | foundrycloud.platform.gateway_model_groups(groups, platform_model_mapping,
                                                               platform_model_fallbacks | default({})) }}
"""

RETURN = r"""
_value:
  description: The model groups.
  type: dict
  contains:
    model_list: {description: "LiteLLM deployments: model_name (external), litellm_params (model, api_base), model_info (id, mode).", type: list}
    fallbacks: {description: "LiteLLM fallbacks: a list of {external: [external, ...]}.", type: list}
    offered: {description: External name to the GPU nodes that serve it., type: dict}
    not_offered: {description: External name to the reason it is not offered., type: dict}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.gateway import GatewayError, gpu_nodes, model_groups
from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import (
    PlacementError,
    host_address,
    read_host_variables,
)

HOST_VARIABLES = ("platform_address", "ansible_host", "ollama_port", "ollama_models")


def gateway_model_groups(hostvars, groups, mapping, fallbacks=None):
    names = list((groups or {}).get("gpu_nodes") or [])
    try:
        hosts = read_host_variables(hostvars, names, HOST_VARIABLES)
    except PlacementError as exc:
        raise AnsibleFilterError("gateway_model_groups: %s" % exc) from None
    try:
        return model_groups(mapping, gpu_nodes(hosts, names, host_address), fallbacks or {})
    except GatewayError as exc:
        raise AnsibleFilterError("gateway_model_groups: %s" % exc) from None


class FilterModule:

    def filters(self):
        return {"gateway_model_groups": gateway_model_groups}
