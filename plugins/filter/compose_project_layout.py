# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: what a service's Compose project directory holds, for foundrycloud.platform.file_set."""

from __future__ import annotations

DOCUMENTATION = r"""
name: compose_project_layout
short_description: The directories and files of a service's Compose project, for file_set
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - From a resolved catalog entry and the rendered C(compose.yml), C(.env) and files of the entry,
    returns what M(foundrycloud.platform.file_set) writes, split into what diffs may show and what
    holds secrets.
  - The project directory is root-only (C(0700)); C(files/) and the directories below it are
    C(0755), so that containers' own users can read their mounted files.
options:
  _input:
    description: The resolved catalog entry (what the C(service_catalog) lookup returns).
    type: dict
    required: true
  project_dir:
    description: The project directory on the host.
    type: str
    required: true
  compose:
    description: The rendered C(compose.yml).
    type: str
    required: true
  env:
    description: The rendered C(.env).
    type: str
    required: true
  contents:
    description: The rendered C(files) of the entry, in their order.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Render the project on the controller
  ansible.builtin.set_fact:
    layout: >-
      {{ entry | foundrycloud.platform.compose_project_layout('/opt/foundrycloud/n8n',
           lookup('ansible.builtin.template', 'compose.yml.j2'), lookup('ansible.builtin.template', 'env.j2')) }}
  no_log: true
"""

RETURN = r"""
_value:
  description: >-
    directories, files, secret_files (lists of file_set entries), generated (paths of the
    generated files), check_paths, restart (file path to the containers to restart when it changes).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, project_layout


def compose_project_layout(entry, project_dir, compose, env, contents=None):
    try:
        return project_layout(entry, project_dir, compose, env, list(contents or []))
    except (CatalogError, AttributeError, KeyError, TypeError) as exc:
        raise AnsibleFilterError("compose_project_layout: %s" % exc) from None


class FilterModule:

    def filters(self):
        return {"compose_project_layout": compose_project_layout}
