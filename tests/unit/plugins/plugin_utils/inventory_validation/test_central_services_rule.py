# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The central services rule: what central_services would refuse mid-run is refused up front."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import validate

REPO_ROOT = Path(__file__).resolve().parents[5]

LAYER = """\
---
- name: Central services
  hosts: central
  roles:
    - foundrycloud.platform.central_services
"""

GROUPS = {"all": ["central-1", "gpu-1"], "ungrouped": [], "central": ["central-1"], "gpu_nodes": ["gpu-1"]}


@pytest.fixture
def platform(make_platform):
    root = make_platform(layer=LAYER, docker=None)
    (root / "roles" / "central_services").symlink_to(REPO_ROOT / "roles" / "central_services", target_is_directory=True)
    return root


def run(root, **central_vars):
    hostvars = {"central-1": central_vars, "gpu-1": {"central_services_enabled": ["nonsense"]}}
    return validate(hostvars=hostvars, groups=GROUPS, site_playbook=str(root / "playbooks" / "site.yml"))["errors"]


def test_defaults_pass_and_hosts_without_the_role_are_not_checked(platform):
    assert run(platform) == []


def test_a_full_site_configuration_passes(platform):
    assert run(platform, central_services_enabled=["qdrant", "n8n"], central_services_absent=["langfuse"],
               central_services_settings={"n8n": {"timezone": "UTC"}},
               central_services_public_urls={"n8n": "https://flows.customer.example/"},
               platform_image_registry="registry.customer.example:5000") == []


def test_unknown_service_is_named_with_host_and_variable(platform):
    errors = run(platform, central_services_enabled=["qdrant", "qdrnat"])
    assert errors == ["host central-1: central_services_enabled: 'qdrnat' is not a central service of the catalog "
                      "(known: flowise, gitlab, guacamole, langfuse, n8n, open-webui, qdrant, searxng)"]


def test_service_both_enabled_and_absent(platform):
    errors = run(platform, central_services_enabled=["n8n"], central_services_absent=["n8n"])
    assert errors == ["host central-1: n8n is listed in both central_services_enabled and central_services_absent"]


def test_settings_of_a_service_the_host_does_not_run(platform):
    errors = run(platform, central_services_enabled=["qdrant"], central_services_settings={"n8n": {"timezone": "UTC"}})
    assert errors == ["host central-1: central_services_settings: n8n is not in central_services_enabled of this host"]


def test_unknown_setting_lists_the_known_ones(platform):
    errors = run(platform, central_services_settings={"langfuse": {"s3_endpoitn": "http://rgw:7480"}})
    assert len(errors) == 1
    assert errors[0].startswith("host central-1: central_services_settings.langfuse: unknown setting 's3_endpoitn' (known: ")
    assert "s3_endpoint" in errors[0]


def test_public_url_must_be_http(platform):
    errors = run(platform, central_services_public_urls={"n8n": "n8n.customer.example"})
    assert errors == ["host central-1: central_services_public_urls.n8n: 'n8n.customer.example' is not an http(s) URL"]


def test_image_override_of_an_unknown_image(platform):
    errors = run(platform, platform_image_overrides={"postgress": {"tag": "17.7"}})
    assert len(errors) == 1 and errors[0].startswith("host central-1: platform_image_overrides: 'postgress' is not an image")


def test_latest_tag_is_refused(platform):
    errors = run(platform, platform_image_overrides={"postgres": {"tag": "latest"}})
    assert errors == ["host central-1: platform_image_overrides: image postgres: the tag must be pinned, not 'latest'"]


def test_two_services_on_one_port(platform):
    override = {"qdrant": {"containers": {"qdrant": {"ports": [5678]}}}}
    errors = run(platform, platform_service_overrides=override)
    assert errors == ["host central-1: services n8n and qdrant would all publish port 5678 (set a different host "
                      "port with platform_service_overrides)"]
