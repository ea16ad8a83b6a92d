# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the lines of a Compose project's .env file."""

from __future__ import annotations

DOCUMENTATION = r"""
name: compose_env_lines
short_description: The lines of a service's Compose .env file
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Returns sorted C(KEY='value') lines defining C(PLATFORM_<NAME>) for each key of the input,
    C(SETTING_<NAME>) for each setting and C(SECRET_<NAME>) for each secret (names upper-cased,
    other characters than letters and digits turned into C(_)).
  - Values are single-quoted so that Compose takes them literally; a value with a single quote or
    a newline is refused. Booleans are written C(true)/C(false).
options:
  _input:
    description: Site values, for example bind_address, fqdn, url, tls.
    type: dict
    required: true
  settings:
    description: The service's settings.
    type: dict
    default: {}
  secrets:
    description: The service's secrets.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Write the .env file
  ansible.builtin.copy:
    content: "{{ {'fqdn': 'n8n.localai.internal'} | foundrycloud.platform.compose_env_lines(settings, secrets) | join('\n') }}\n"
    dest: /opt/foundrycloud/n8n/.env
    mode: "0600"
  no_log: true
"""

RETURN = r"""
_value:
  description: The lines, sorted by variable name.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, env_file_lines


def compose_env_lines(platform, settings=None, secrets=None):
    try:
        return env_file_lines(platform, settings, secrets)
    except (CatalogError, AttributeError) as exc:
        # The message names the variable, never the value (it may be a secret).
        raise AnsibleFilterError("compose_env_lines: %s" % exc) from None


class FilterModule:

    def filters(self):
        return {"compose_env_lines": compose_env_lines}
