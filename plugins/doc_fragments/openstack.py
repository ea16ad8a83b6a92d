# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by the OpenStack modules (CONNECTION_ARGUMENT_SPEC in
    # module_utils/openstack_client.py), the same as those of the openstack.cloud modules.
    DOCUMENTATION = r"""
options:
  cloud:
    description: The name of a cloud in C(clouds.yaml), or a dict with the settings of such an entry.
    type: raw
  auth:
    description: Authentication settings (C(auth_url), C(username), C(password), C(project_id), ...); merged over the cloud's.
    type: dict
  auth_type:
    description: Authentication plugin, e.g. C(password) or C(v3applicationcredential).
    type: str
  region_name:
    description: Region.
    type: str
  interface:
    description: Endpoint interface.
    type: str
    choices: [public, internal, admin]
    default: public
  validate_certs:
    description: Verify TLS certificates.
    type: bool
  ca_cert:
    description: CA bundle for TLS verification.
    type: str
  client_cert:
    description: Client certificate for TLS.
    type: str
  client_key:
    description: Key of O(client_cert).
    type: str
  api_timeout:
    description: Seconds before an API request times out.
    type: int
requirements:
  - openstacksdk
"""
