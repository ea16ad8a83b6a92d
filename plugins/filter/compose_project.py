# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: a service catalog entry as a Compose project."""

from __future__ import annotations

DOCUMENTATION = r"""
name: compose_project
short_description: A service catalog entry as a Compose project
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Turns an entry of the service catalog (see the C(foundrycloud.platform.service_catalog)
    lookup) into a Compose project. Containers become services with a restart policy, bounded
    logs, labels naming the platform service, resource limits and ports published on
    C(${PLATFORM_BIND_ADDRESS}).
  - Site values and secrets stay Compose variables (C(PLATFORM_*), C(SETTING_*), C(SECRET_*))
    that the project's C(.env) file defines (filter C(foundrycloud.platform.compose_env_lines)),
    so the Compose file holds no secret and changes only when the catalog does.
  - A container with C(enabled_when_empty) is left out while that setting is set (for example
    the bundled MinIO when an external S3 endpoint is given), and so are dependencies on it.
options:
  _input:
    description: A resolved catalog entry.
    type: dict
    required: true
  settings:
    description: The site's settings of the service; the entry's defaults fill the rest.
    type: dict
    default: {}
  project:
    description: Compose project name; default is the service name.
    type: str
  dns_servers:
    description: DNS servers for every container (the platform's internal DNS); none keeps Docker's default.
    type: list
    elements: str
  ca_bundle:
    description:
      - The host's CA bundle (absolute path), which trusts the platform's internal CA where the
        internal_ca role ran. Its directory is mounted read-only into every container at
        C(/etc/foundrycloud/host-certs), and C(SSL_CERT_FILE), C(REQUESTS_CA_BUNDLE) and
        C(NODE_EXTRA_CA_CERTS) point at it (an entry's own value wins). None leaves the images' own bundles.
    type: str
"""

EXAMPLES = r"""
- name: Render a service's Compose file
  ansible.builtin.copy:
    content: "{{ entry | foundrycloud.platform.compose_project(site_settings) | to_nice_yaml }}"
    dest: /opt/foundrycloud/n8n/compose.yml
    mode: "0600"
"""

RETURN = r"""
_value:
  description: The Compose project (name, services, volumes).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, compose_project


def compose_project_filter(entry, settings=None, project=None, dns_servers=None, ca_bundle=None):
    try:
        return compose_project(entry, settings, project, dns_servers=dns_servers, ca_bundle=ca_bundle)
    except (CatalogError, KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("compose_project: %s is not a resolved catalog entry: %s" % (
            entry.get("name", "the input") if isinstance(entry, dict) else "the input", exc)) from None


class FilterModule:

    def filters(self):
        return {"compose_project": compose_project_filter}
