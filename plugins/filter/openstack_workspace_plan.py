# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: the workspace VMs' data checked and expanded before any API call."""

from __future__ import annotations

DOCUMENTATION = r"""
name: openstack_workspace_plan
short_description: One server per workspace user, checked and expanded before any API call
version_added: 0.4.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - >-
    Checks C(workspace_vms_users) (one entry per user), C(workspace_vms_images) and
    C(workspace_vms_keypairs), fills each user's server from the role's defaults (project, flavor,
    image, network, security groups, keypair), names the server and its port, sets the metadata
    C(customer) and C(user), and finds the subnet of a fixed IP in the network layer's data (a port's
    fixed IP is only idempotent with its subnet).
  - >-
    Problems are returned under C(problems), one line each, starting with the variable and the
    entry (C(workspace_vms_users[alice]: ...)).
  - >-
    The same file holds C(openstack_images_found) (input the C(image_info) results of a loop over
    the images; the names Glance has), C(openstack_images_to_upload) (input the planned images,
    argument those results; the present images with a C(url) or C(file) that Glance lacks) and
    C(openstack_describe) (input a dict, argument a format string with C({key}) fields; one line of
    a report).
  - >-
    Look first, then change - C(openstack_workspace_lookup) (input the plan, arguments the
    C(foundrycloud.platform.openstack_state_info) result's C(state) and C({project name: ID}); per
    server name what the cloud holds - C(network_id), C(subnet_id), C(group_ids), C(port),
    C(server) with their counts - and whether the port and server modules must run,
    C(port_changes) and C(server_changes)) and C(openstack_keypair_changes) (input the planned
    keypairs, argument that state; those the keypair module must create, replace or delete).
options:
  _input:
    description: C(workspace_vms_users).
    type: list
    elements: dict
    required: true
  defaults:
    description: >-
      C(project), C(flavor), C(image), C(network), C(security_groups), C(keypair), C(volume_size),
      C(availability_zone), C(name_format), C(metadata), C(customer).
    type: dict
    required: true
  networks:
    description: The network layer's networks (C(openstack_network_networks)).
    type: list
    elements: dict
    default: []
  images:
    description: C(workspace_vms_images).
    type: list
    elements: dict
    default: []
  keypairs:
    description: C(workspace_vms_keypairs).
    type: list
    elements: dict
    default: []
  security_groups:
    description: The network layer's security groups; when given, a user's groups must be declared there.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Check and expand the users' servers
  ansible.builtin.set_fact:
    workspace_vms_plan: >-
      {{ workspace_vms_users | foundrycloud.platform.openstack_workspace_plan(
           {'project': workspace_vms_project, 'flavor': workspace_vms_flavor, 'image': workspace_vms_image,
            'network': workspace_vms_network, 'customer': platform_customer},
           networks=openstack_network_networks) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    servers:
      description: >-
        Per user - user, name, port_name, state, project, flavor, image, network, fixed_ip, subnet,
        keypair, availability_zone, volume_size, security_groups, metadata, ssh_authorized_keys.
      type: list
    images: {description: "name, state, url, file, checksum, disk_format, container_format, upload, ...", type: list}
    keypairs: {description: "name, state, public_key, public_key_file.", type: list}
    problems: {description: Problems found; empty when the data is valid., type: list}
"""

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
