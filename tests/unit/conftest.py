# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the checkout importable as ansible_collections.foundrycloud.platform.

collections/ansible_collections/foundrycloud/platform is a symlink to the repository root,
so putting <repo>/collections on sys.path is all the unit tests need.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_DIR = REPO_ROOT / "collections"

if str(COLLECTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_DIR))


@pytest.fixture(autouse=True)
def not_in_ci(monkeypatch):
    """Unit tests do not depend on the environment they run in: a CI job sets CI=true, which turns
    secret creation off (plugin_utils.secrets_file.creation_allowed). Tests of that set it themselves."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# A tiny role with the kinds of options the real roles use: required without default,
# typed, choices, list of dicts with nested options, no_log.
WEBAPP_SPEC = """\
---
argument_specs:
  main:
    short_description: Test role.
    options:
      webapp_port:
        type: int
        required: true
        description: Port, required and without default.
      webapp_mode:
        type: str
        choices: [fast, safe]
        default: safe
        description: Mode.
      webapp_listeners:
        type: list
        elements: dict
        default: []
        description: Listeners.
        options:
          address:
            type: str
            required: true
            description: Address.
          port:
            type: int
            description: Port.
      webapp_token:
        type: str
        required: true
        no_log: true
        description: Secret, required but defaulted in defaults/main.yml.
      webapp_pin:
        type: int
        default: 0
        no_log: true
        description: Secret number.
      webapp_enabled:
        type: bool
        default: true
        description: Switch.
"""

WEBAPP_DEFAULTS = """\
---
webapp_mode: safe
webapp_listeners: []
webapp_token: "{{ lookup('ansible.builtin.env', 'WEBAPP_TOKEN') }}"
webapp_enabled: true
webapp_pin: 0
webapp_internal_cache: /var/cache/webapp
"""

WEBAPP_GATEWAY_SPEC = """\
---
argument_specs:
  main:
    short_description: Role whose name starts with another role's name.
    options:
      webapp_gateway_url:
        type: str
        description: URL.
"""

DOCKER_SPEC = """\
---
argument_specs:
  main:
    short_description: Minimal docker_engine for rule tests.
    options:
      docker_engine_default_address_pools:
        type: list
        elements: dict
        default: [{base: 10.203.0.0/16, size: 24}]
        description: Pools.
        options:
          base: {type: str, required: true, description: CIDR.}
          size: {type: int, required: true, description: Prefix length.}
      docker_engine_bip:
        type: str
        default: ""
        description: Bridge address.
"""

DOCKER_DEFAULTS = """\
---
docker_engine_default_address_pools:
  - base: 10.203.0.0/16
    size: 24
docker_engine_bip: ""
"""

SITE = """\
---
- name: Validate first
  ansible.builtin.import_playbook: validate.yml
- name: Services
  ansible.builtin.import_playbook: layer.yml
"""

LAYER = """\
---
- name: Web applications
  hosts: app_servers
  roles:
    - foundrycloud.platform.webapp
- name: Gateways
  hosts: [edge]
  roles:
    - role: webapp_gateway
- name: Docker
  hosts: docker_hosts:!lab
  roles:
    - name: foundrycloud.platform.docker_engine
- name: Something outside this collection
  hosts: all
  roles:
    - geerlingguy.ntp
"""


@pytest.fixture
def make_platform(tmp_path):
    """Write playbooks/{site,layer}.yml and roles/ into tmp_path; return the root.

    ``docker`` may be "fixture" (a minimal docker_engine role), "real" (a symlink to the
    repository's roles/docker_engine) or None.
    """

    def factory(layer: str = LAYER, docker: str | None = "fixture", site: str = SITE) -> Path:
        root = tmp_path / "platform"
        (root / "playbooks").mkdir(parents=True)
        (root / "playbooks" / "site.yml").write_text(site)
        (root / "playbooks" / "layer.yml").write_text(layer)
        roles = root / "roles"
        for name, spec, defaults in (
            ("webapp", WEBAPP_SPEC, WEBAPP_DEFAULTS),
            ("webapp_gateway", WEBAPP_GATEWAY_SPEC, None),
        ):
            (roles / name / "meta").mkdir(parents=True)
            (roles / name / "meta" / "argument_specs.yml").write_text(spec)
            if defaults is not None:
                (roles / name / "defaults").mkdir()
                (roles / name / "defaults" / "main.yml").write_text(defaults)
        if docker == "fixture":
            (roles / "docker_engine" / "meta").mkdir(parents=True)
            (roles / "docker_engine" / "meta" / "argument_specs.yml").write_text(DOCKER_SPEC)
            (roles / "docker_engine" / "defaults").mkdir()
            (roles / "docker_engine" / "defaults" / "main.yml").write_text(DOCKER_DEFAULTS)
        elif docker == "real":
            (roles / "docker_engine").symlink_to(REPO_ROOT / "roles" / "docker_engine", target_is_directory=True)
        return root

    return factory
