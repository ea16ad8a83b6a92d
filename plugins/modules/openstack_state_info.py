# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: openstack_state_info
short_description: Read what an OpenStack cloud holds of several kinds in one session
description:
  - Reads projects, networks, subnets, routers, security groups, servers, ports and the other kinds in O(kinds) with one
    connection and one token, and returns them as the C(openstack.cloud) info modules do (one list per kind, each
    resource as openstacksdk's C(to_dict(computed=False))).
  - Roles C(openstack_network) and C(workspace_vms) read the cloud with it once per run and compare it with their plan,
    so that the C(openstack.cloud) modules run only for objects that are missing or differ. One read instead of one
    info module per kind and per user keeps a re-run that changes nothing short at any number of users.
  - Needs an administrator's view (every project's objects). Takes the connection options of the C(openstack.cloud)
    modules (C(cloud), C(auth), ...) but is not in their action group, so C(module_defaults) of
    C(group/openstack.cloud.openstack) do not reach it; pass them, or set C(module_defaults) for this module.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  kinds:
    description:
      - The kinds to read. C(router_ports) are the routers' interface ports, C(rbac_policies) the networks'
        C(access_as_shared) policies, C(quotas) and C(role_assignments) those of O(projects).
    type: list
    elements: str
    required: true
    choices: [domains, projects, role_assignments, quotas, networks, subnets, routers, router_ports, security_groups,
              rbac_policies, floating_ips, servers, ports, keypairs, flavors, images]
  projects:
    description:
      - Names or IDs of the projects whose quotas and role assignments are read; servers and ports are narrowed to them.
      - Without it servers and ports of every project are returned, and no quotas or role assignments.
    type: list
    elements: str
extends_documentation_fragment:
  - foundrycloud.platform.openstack
notes:
  - Reads only; check mode returns the same.
"""

EXAMPLES = r"""
- name: Read the projects, networks and servers of the cloud acme
  foundrycloud.platform.openstack_state_info:
    cloud: acme
    kinds: [projects, networks, servers, ports]
    projects: [acme-workspaces]
  register: acme_cloud

- name: Names of acme's servers
  ansible.builtin.debug:
    msg: "{{ acme_cloud.state.servers | map(attribute='name') | list }}"
"""

RETURN = r"""
state:
  description:
    - One key per kind read. Each is a list of the resources as openstacksdk returns them (C(to_dict(computed=False))),
      except C(quotas), a dict of project ID to a dict of service (C(compute), C(network), C(volume),
      C(load_balancer)) to the quotas and their values, and C(role_assignments), a list of dicts with
      C(project_id), C(user_id), C(user), C(user_domain_id), C(user_domain), C(role_id) and C(role).
  returned: success
  type: dict
  sample:
    projects: [{id: 0c4e939acacf4376bdcd1129f1a054ad, name: acme-workspaces, domain_id: default, is_enabled: true}]
    servers: [{id: 5d1f..., name: ws-alice, status: ACTIVE, metadata: {user: alice}, security_groups: [{name: acme-ws}]}]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.foundrycloud.platform.plugins.module_utils.openstack_client import (
    CONNECTION_ARGUMENT_SPEC, KINDS, connect, read_state)

try:
    import openstack
except ImportError:
    openstack = None
    OPENSTACK_IMPORT_ERROR = traceback.format_exc()
else:
    OPENSTACK_IMPORT_ERROR = None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            kinds=dict(type="list", elements="str", required=True, choices=list(KINDS)),
            projects=dict(type="list", elements="str"),
            **CONNECTION_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    if openstack is None:
        module.fail_json(msg=missing_required_lib("openstacksdk"), exception=OPENSTACK_IMPORT_ERROR)
    try:
        conn = connect(openstack, module.params)
        state = read_state(conn, module.params["kinds"], module.params["projects"])
    except openstack.exceptions.SDKException as exc:
        module.fail_json(msg="OpenStack: %s" % exc)
    module.exit_json(changed=False, state=state)


if __name__ == "__main__":
    main()
