# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: validate_inventory
short_description: Check a customer inventory offline against the platform's roles and rules
description:
  - Checks the inventory without connecting to or changing any host; runs only on the controller.
  - Reads the site playbook and the layer playbooks it imports to learn which role runs on which hosts.
  - For every (host, role) pair, validates the variables set in the inventory against the role's
    C(meta/argument_specs.yml) (types, choices, list elements, nested options) and reports required
    options that are neither set nor defaulted in the role's C(defaults/main.yml).
  - Reports variables named C(<role>_...) that the role does not know (typos) on hosts that run the role.
  - Reports inventory groups that are neither in the platform's group catalog, nor named in a layer
    playbook's C(hosts), nor listed in C(platform_extra_groups).
  - Runs cross-host rules, e.g. Docker's address pools and bridge must not overlap
    C(platform_internal_networks) or contain any inventory host's C(ansible_host).
  - "Collects every problem on every host and fails once with all of them, one line per problem in the
    form C(host <host>: <variable>: <problem>) or C(group <group>: <problem>)."
  - Variables whose templates cannot be evaluated without facts are reported as warnings and not checked.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  site_playbook:
    description:
      - The site playbook. Its C(import_playbook) entries name the layer playbooks (relative to it);
        C(validate.yml) is skipped.
      - Defaults to the collection's own C(playbooks/site.yml) (and its roles), so a site's own playbook that
        calls this module checks the inventory against what the collection runs.
    type: path
  roles_dir:
    description:
      - Directory with the collection's roles. Only roles found here are checked.
      - Defaults to C(../roles) relative to O(site_playbook).
    type: path
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.conn
  - action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: none
  bypass_host_loop:
    support: none
  connection:
    support: none
  check_mode:
    support: full
  delegation:
    support: none
  diff_mode:
    support: none
  platform:
    platforms: all
notes:
  - Run it through C(playbooks/validate.yml), which targets C(localhost) only; C(site.yml) imports it first.
  - Site-specific groups go into C(platform_extra_groups), a list set in C(group_vars/all).
seealso:
  - module: ansible.builtin.validate_argument_spec
"""

EXAMPLES = r"""
- name: Validate the inventory without contacting any host
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Check the inventory against the platform's roles and rules
      foundrycloud.platform.validate_inventory:

- name: Validate against another site playbook and roles directory
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Check the inventory
      foundrycloud.platform.validate_inventory:
        site_playbook: /srv/platform/playbooks/site.yml
        roles_dir: /srv/platform/roles
"""

RETURN = r"""
msg:
  description:
    - "Summary. On failure the first line reads 'inventory validation failed: N problem(s)', followed by one line per problem."
  returned: always
  type: str
  sample: "inventory valid: 12 hosts, 9 roles, 41 (host, role) pairs checked"
errors:
  description: Every problem found, sorted.
  returned: always
  type: list
  elements: str
  sample:
    - "group storage: unknown group (hosts: st-1); known: central, gpu_nodes; add it to platform_extra_groups if it is site-specific"
    - "host central-1: docker_engine_default_address_pools: 10.203.0.0/16 overlaps platform_internal_networks 10.203.4.0/24"
checked:
  description: For each role of the collection that a layer playbook applies, the hosts it was checked for.
  returned: always
  type: dict
  sample:
    docker_engine: [central-1, gpu-1]
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Never runs in practice: the action plugin of the same name does all the work on the controller.
    module = AnsibleModule(
        argument_spec=dict(
            site_playbook=dict(type="path"),
            roles_dir=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="foundrycloud.platform.validate_inventory runs as an action plugin on the controller")


if __name__ == "__main__":
    main()
