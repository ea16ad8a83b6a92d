# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: whether this run may create a missing secret or the internal CA."""

from __future__ import annotations

DOCUMENTATION = r"""
name: secrets_creation_allowed
short_description: Whether this run may create a missing secret or the internal CA
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - The rule the P(foundrycloud.platform.platform_secret#lookup) lookup, the validation and the
    internal_ca role share. The inventory's C(platform_secrets_create) decides when it is set;
    unset, a run may create secrets except in CI, where the controller's environment variable
    C(CI) is C(true) (a pipeline's workspace is thrown away with what it created).
options:
  _input:
    description: The value of C(platform_secrets_create); C(none) or empty when the inventory does not set it.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Create the key only where a run may create secrets
  ansible.builtin.assert:
    that: platform_secrets_create | default(none) | foundrycloud.platform.secrets_creation_allowed
"""

RETURN = r"""
_value:
  description: True when a missing secret may be created.
  type: bool
"""

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.secrets_file import creation_allowed


def secrets_creation_allowed(setting):
    return creation_allowed(setting)


class FilterModule:

    def filters(self):
        return {"secrets_creation_allowed": secrets_creation_allowed}
