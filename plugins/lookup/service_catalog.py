# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup: entries of the platform's service catalog, with the inventory's overrides applied."""

from __future__ import annotations

DOCUMENTATION = r"""
name: service_catalog
short_description: Services of the platform catalog, overrides applied and images resolved
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Returns entries of the collection's service catalog (C(catalog/services/*.yml)), one per
    service, sorted by name. Each entry is data, e.g. containers (Compose-shaped), ports,
    secrets, settings, volumes, health check, DNS name, placement and backup hooks; see
    C(docs/development/central-services-internals.md).
  - Image references are resolved to C(<registry>/<repository>:<tag>) from C(catalog/images.yml)
    with one registry for all images (an air-gapped site's mirror). The catalog's image key
    stays available as C(image_key).
  - Every consumer (roles, placement, DNS, gateway, firewall, plan) reads services through this
    lookup, so nothing re-derives them by hand.
options:
  _terms:
    description: Service names; none means all services.
    type: list
    elements: str
  registry:
    description:
      - Registry prepended to every image. Default is the variable C(platform_image_registry),
        else C(docker.io). An empty string means none (images as named locally).
    type: str
  image_overrides:
    description:
      - Per image key, a partial C({registry, repository, tag}) replacing the catalog's. Default
        is the variable C(platform_image_overrides).
    type: dict
  service_overrides:
    description:
      - Per service, a partial entry deep-merged onto the catalog's (dicts merge, lists are
        replaced). Default is the variable C(platform_service_overrides).
    type: dict
"""

EXAMPLES = r"""
- name: Every service, for the plan report
  ansible.builtin.set_fact:
    services: "{{ query('foundrycloud.platform.service_catalog') }}"

- name: One service
  ansible.builtin.debug:
    msg: "{{ query('foundrycloud.platform.service_catalog', 'n8n') | first }}"
"""

RETURN = r"""
_raw:
  description: One catalog entry per service (dicts).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, resolve


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        variables = variables or {}
        self.set_options(var_options=variables, direct=kwargs)

        def option(name, variable, default):
            value = self.get_option(name)
            if value is None and variable in variables:
                value = self._templar.template(variables[variable])
            return default if value is None else value

        try:
            return resolve(
                names=terms or None,
                registry=option("registry", "platform_image_registry", "docker.io"),
                image_overrides=option("image_overrides", "platform_image_overrides", {}),
                service_overrides=option("service_overrides", "platform_service_overrides", {}),
            )
        except CatalogError as exc:
            raise AnsibleLookupError("service catalog: %s" % exc) from None
