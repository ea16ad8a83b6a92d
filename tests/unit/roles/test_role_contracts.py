# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Contracts every role keeps (the brief's "every role" rules), checked for all roles at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
ROLES = sorted(p.name for p in (REPO_ROOT / "roles").iterdir() if p.is_dir())


def _yaml(path):
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("role", ROLES)
def test_argument_spec_documents_exactly_the_defaults(role):
    """Every default is documented with a type and a description, and every documented
    option has a default, so validate.yml sees the same variables as the role. A role with
    several entry points (internal_ca: main, certificate) documents each option in one of them."""
    options = {}
    for entry in _yaml(REPO_ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"].values():
        options.update(entry.get("options") or {})
    defaults = _yaml(REPO_ROOT / "roles" / role / "defaults" / "main.yml")
    assert set(options) == set(defaults)
    for name, spec in options.items():
        assert spec.get("type"), "%s: %s has no type" % (role, name)
        assert spec.get("description"), "%s: %s has no description" % (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_variables_are_prefixed_with_the_role_name(role):
    role_dir = REPO_ROOT / "roles" / role
    names = set(_yaml(role_dir / "defaults" / "main.yml") or {})
    if (role_dir / "vars" / "main.yml").exists():
        names |= set(_yaml(role_dir / "vars" / "main.yml") or {})
    assert [n for n in names if not n.startswith(role + "_")] == []


# Roles proven together in one scenario of another name (the issue names the scenario).
SCENARIO_OF = {"openstack_network": "openstack", "workspace_vms": "openstack",
               "ceph_cluster": "ceph", "ceph_resources": "ceph", "ceph_client": "ceph",
               # Table "services" (n8n only from the front) there; table "ollama" in molecule/ollama.
               "service_firewall": "inference_gateway",
               # The central host is the monitoring host there: the services it watches are real (issue 20).
               "monitoring": "central_services", "monitoring_agent": "central_services",
               "backup": "central_services"}


@pytest.mark.parametrize("role", ROLES)
def test_role_has_a_molecule_scenario(role):
    assert (REPO_ROOT / "molecule" / SCENARIO_OF.get(role, role) / "molecule.yml").exists()
