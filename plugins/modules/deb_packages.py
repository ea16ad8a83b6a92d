# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: deb_packages
short_description: Install Debian packages, asking dpkg first
description:
  - Makes sure that every package of O(name) is installed on a Debian or Ubuntu host.
  - Asks C(dpkg-query) first. When every package is installed (at the version a spec names), it
    returns at once, unchanged, without refreshing the package index or loading apt's cache, so a
    re-run costs one short command instead of two runs of M(ansible.builtin.apt).
  - Otherwise it refreshes the package index when it is older than O(cache_valid_time) (also in
    check mode, since the index is metadata, not host state) and hands the whole list to
    M(ansible.builtin.apt) with O(ansible.builtin.apt#module:state=present), whose result it returns.
  - Never removes or upgrades a package that satisfies its spec.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description:
      - Packages to install, as M(ansible.builtin.apt) takes them. C(name=version) pins a version,
        which may end in C(*) (C(docker-ce=5:27.5.*)).
      - Names with an architecture (C(pkg:i386)) or a path to a C(.deb) are always handed to apt.
    type: list
    elements: str
    required: true
    aliases: [pkg]
  update_cache:
    description: Refresh the package index before installing missing packages.
    type: bool
    default: true
  cache_valid_time:
    description:
      - Seconds an index stays fresh enough not to be refreshed before an install.
      - V(0) refreshes it whenever something is installed (e.g. right after a repository was added).
    type: int
    default: 3600
  install_recommends:
    description: Install the packages' recommended packages too.
    type: bool
    default: false
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
    support: full
  bypass_host_loop:
    support: none
  connection:
    support: full
  check_mode:
    support: full
  delegation:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: debian
notes:
  - Runs as an action plugin. It runs C(dpkg-query) through M(ansible.builtin.command), then
    M(ansible.builtin.apt) only when needed.
seealso:
  - module: ansible.builtin.apt
"""

EXAMPLES = r"""
- name: Install BIND 9 and dig
  foundrycloud.platform.deb_packages:
    name: [bind9, bind9-dnsutils]

- name: Install the engine from the repository added just before
  foundrycloud.platform.deb_packages:
    name: [docker-ce=5:27.5.*, docker-ce-cli=5:27.5.*, containerd.io]
    cache_valid_time: "{{ 0 if docker_repo is changed else 3600 }}"
"""

RETURN = r"""
packages:
  description: Installed version of each package asked for, when all were already installed.
  returned: when nothing had to be installed
  type: dict
  sample: {bind9: "1:9.20.11-4", bind9-dnsutils: "1:9.20.11-4"}
missing:
  description: The specs that dpkg did not satisfy, handed to apt.
  returned: when something had to be installed
  type: list
  elements: str
  sample: [bind9]
msg:
  description: What was done.
  returned: always
  type: str
  sample: all 2 packages installed
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    # Never runs in practice: the action plugin of the same name does the work.
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="list", elements="str", required=True, aliases=["pkg"]),
            update_cache=dict(type="bool", default=True),
            cache_valid_time=dict(type="int", default=3600),
            install_recommends=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="foundrycloud.platform.deb_packages runs as an action plugin")


if __name__ == "__main__":
    main()
