# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters: the workspace VMs' data checked and expanded before any API call; helpers for the role.

Each filter's documentation is the .yml file of its name next to this one."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.changes import (
    keypair_changes,
    workspace_lookup,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.found_state import (
    images_found,
    images_to_upload,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.workspace_plan import workspace_plan


def openstack_workspace_plan(users, defaults, networks=None, images=None, keypairs=None, security_groups=None):
    if not isinstance(defaults, dict):
        raise AnsibleFilterError("openstack_workspace_plan: defaults must be a dict")
    return workspace_plan(users, defaults, networks=networks, images=images, keypairs=keypairs,
                          security_groups=security_groups)


def openstack_describe(item, template):
    """template.format(**item): one line per item for reports and error messages."""
    try:
        return str(template).format(**dict(item))
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise AnsibleFilterError("openstack_describe: %r: %s" % (template, exc)) from None


def openstack_images_to_upload(images, read_results):
    return images_to_upload(images or [], read_results or [])


def openstack_images_found(read_results):
    return sorted(images_found(read_results or []))


def openstack_workspace_lookup(plan, state, project_ids):
    return workspace_lookup(plan, state or {}, project_ids or {})


def openstack_keypair_changes(keypairs, state):
    return keypair_changes(keypairs or [], state or {})


class FilterModule:

    def filters(self):
        return {
            "openstack_workspace_plan": openstack_workspace_plan,
            "openstack_images_to_upload": openstack_images_to_upload,
            "openstack_images_found": openstack_images_found,
            "openstack_describe": openstack_describe,
            "openstack_workspace_lookup": openstack_workspace_lookup,
            "openstack_keypair_changes": openstack_keypair_changes,
        }
