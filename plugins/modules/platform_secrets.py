# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: platform_secrets
short_description: Create every secret an inventory's run will need, before the run
description:
  - Plans, offline and on the controller only, every secret the platform's roles will read through the
    P(foundrycloud.platform.platform_secret#lookup) lookup for this inventory. These are the secrets of
    each enabled central service, of each workspace (the desktop password and its local services, for
    VMs that C(workspace_vms_users) will create too), the gateway's own secrets and its API keys without
    a value, the Ceph cluster's keys per daemon and the RADOS gateway users' S3 keys.
  - Adds the missing ones to the inventory's vault-encrypted secrets file, with the same generator, lock
    and file format as the lookup; an existing secret is never changed. Run it (C(./foundry secrets
    INVENTORY)) before a pipeline deploys, and commit the file with the inventory. A CI run never creates
    secrets (the validation refuses it, naming each missing one).
  - Never returns or shows a secret's value, in the result, the diff or the log.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  file:
    description: The secrets file. Default is the variable C(platform_secrets_file), else C(<inventory_dir>/secrets/platform.vault.yml).
    type: path
  site_playbook:
    description: The site playbook whose layers decide which role runs where. Default is the collection's own.
    type: path
  allow_plaintext:
    description:
      - Write an unencrypted file (mode 0600) when Ansible has no vault password. Default is the variable
        C(platform_secrets_allow_plaintext), else false. Labs and tests only.
    type: bool
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Says which secrets would be created; writes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The names of the secrets that are (or would be) created, with why; never a value.
notes:
  - Runs as an action plugin on the controller; it never connects to an inventory host.
seealso:
  - plugin: foundrycloud.platform.platform_secret
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Create every secret the inventory will need
  foundrycloud.platform.platform_secrets:
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
file:
  description: The secrets file.
  returned: always
  type: str
planned:
  description: How many secrets the inventory's run will read.
  returned: always
  type: int
created:
  description: The names of the secrets created (in check mode, that would be created).
  returned: always
  type: list
  elements: str
  sample: [n8n/encryption_key, workspace-alice/desktop_password]
reasons:
  description: For each created name, which service or part of the platform needs it.
  returned: always
  type: dict
  sample: {"n8n/encryption_key": "central service n8n on ai-core-1"}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Never runs in practice: the action plugin of the same name does all the work on the controller.
    module = AnsibleModule(
        argument_spec=dict(
            file=dict(type="path"),
            site_playbook=dict(type="path"),
            allow_plaintext=dict(type="bool"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="foundrycloud.platform.platform_secrets runs as an action plugin on the controller")


if __name__ == "__main__":
    main()
