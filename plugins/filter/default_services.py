# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the services the catalog places centrally or locally by default."""

from __future__ import annotations

DOCUMENTATION = r"""
name: default_services
short_description: The services the catalog runs centrally or inside a workspace unless the inventory says otherwise
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - From the service catalog (seed 000's table as C(placement) per service), the names whose placement on
    the given side is C(required) or C(default). For V(central), only services that the C(central_services)
    role deploys on hosts of group C(central) (not Ollama, which runs on the GPU nodes).
  - The same defaults the C(foundrycloud.platform.platform_placement) filter and the inventory validation use.
options:
  _input:
    description: The catalog entries, as the C(foundrycloud.platform.service_catalog) lookup returns them.
    type: list
    elements: dict
    required: true
  side:
    description: Which side of the placement.
    type: str
    choices: [central, local]
    required: true
"""

EXAMPLES = r"""
- name: What a central host runs by default
  ansible.builtin.debug:
    msg: "{{ query('foundrycloud.platform.service_catalog') | foundrycloud.platform.default_services('central') }}"
"""

RETURN = r"""
_value:
  description: Service names, sorted.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import (
    default_central_services,
    default_local_services,
)


def default_services(catalog, side):
    if not isinstance(catalog, list) or not all(isinstance(entry, dict) and "placement" in entry for entry in catalog):
        raise AnsibleFilterError("default_services: the input must be the list the service_catalog lookup returns")
    entries = dict((entry["name"], entry) for entry in catalog)
    if side == "central":
        return default_central_services(entries)
    if side == "local":
        return default_local_services(entries)
    raise AnsibleFilterError("default_services: side must be central or local, got %r" % (side,))


class FilterModule:

    def filters(self):
        return {"default_services": default_services}
