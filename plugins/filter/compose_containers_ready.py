# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: whether a Compose project's containers are all up, from `docker compose ps` output."""

from __future__ import annotations

DOCUMENTATION = r"""
name: compose_containers_ready
short_description: Whether every service of a Compose project runs, from C(docker compose ps) output
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Reads what C(docker compose ps --all --format json) printed (one JSON object per line, or one
    JSON array from Compose before 2.21) and the project's Compose file.
  - True when every service of the Compose file has at least one container and every container is
    running and, where it has a health check, healthy. Anything else (no JSON, a missing service, a
    stopped, restarting, starting or unhealthy container) is false.
  - The compose_service role uses it to leave out C(docker compose up --wait) on a re-run whose
    project files are unchanged and already applied.
options:
  _input:
    description: The standard output of C(docker compose ps --all --format json).
    type: str
    required: true
  compose:
    description: The Compose file (its text, or the parsed mapping).
    type: raw
    required: true
  reason:
    description: Return C([ready, reason]) instead of only the boolean; the reason names the first service that is not ready.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Skip Compose when the project runs as written
  ansible.builtin.debug:
    msg: "{{ ps.stdout | foundrycloud.platform.compose_containers_ready(lookup('ansible.builtin.file', 'compose.yml')) }}"
"""

RETURN = r"""
_value:
  description: Whether the project is up; with O(reason), a list of that boolean and a sentence.
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import compose_containers_ready as _ready


def compose_containers_ready(ps_output, compose, reason=False):
    try:
        ready, why = _ready(ps_output, compose)
    except Exception as exc:  # a Compose file that is not YAML
        raise AnsibleFilterError("compose_containers_ready: %s" % exc) from None
    return [ready, why] if reason else ready


class FilterModule:

    def filters(self):
        return {"compose_containers_ready": compose_containers_ready}
