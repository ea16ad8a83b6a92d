# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: a placement as the lines of the plan report."""

from __future__ import annotations

DOCUMENTATION = r"""
name: placement_report
short_description: The placement as readable lines for the plan report
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Turns the result of C(foundrycloud.platform.platform_placement) into text lines - a table of the
    services per host (C for a central instance, L for one inside a workspace VM), the endpoint of every
    service per workspace, and the DNS records of the internal zone. C(playbooks/plan.yml) prints them.
options:
  _input:
    description: A C(foundrycloud.platform.platform_placement) result.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Print the placement
  ansible.builtin.debug:
    msg: "{{ platform_placement | foundrycloud.platform.placement_report }}"
"""

RETURN = r"""
_value:
  description: Lines of text.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import report


def placement_report(result):
    try:
        return report(result)
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("placement_report: the input is not a platform_placement result (%s)" % exc) from None


class FilterModule:

    def filters(self):
        return {"placement_report": placement_report}
