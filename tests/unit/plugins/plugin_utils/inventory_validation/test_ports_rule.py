# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The port rule (inventory_validation/ports.py, with service_settings.published_ports): one owner per
port and host across the catalog's services and the roles' own ports, and ports in range."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ports import check_ports
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.service_settings import published_ports
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.services import host_catalog
from rule_context import FactVars, make_context

EVERY_ROLE = ("central_services", "inference_gateway", "ollama", "workspace_desktop", "nvidia_gpu", "dns_server",
              "ceph_cluster")


def check(values=None, roles=EVERY_ROLE, groups=None):
    """check_ports for host h running roles, with the role defaults of the real roles."""
    return check_ports(make_context({"h": values or {}}, groups=groups, role_hosts={role: ["h"] for role in roles}))


def test_every_default_port_on_one_host_passes():
    assert check(groups={"ceph_rgws": ["h"]}) == []


def test_two_roles_on_one_port():
    assert check({"ollama_port": 3389}) == [
        "host h: port 3389 is used by ollama_port and workspace_desktop_rdp_port; give one of them another port"]


def test_a_role_port_on_a_central_service_port():
    assert check({"ollama_port": 5678}) == [
        "host h: port 5678 is used by central service n8n and ollama_port; give one of them another port"]


def test_the_gateway_front_and_the_dns_port():
    errors = check({"ceph_cluster_rgw_port": 443, "nvidia_gpu_dcgm_exporter_port": 53}, groups={"ceph_rgws": ["h"]})
    assert errors == [
        "host h: port 443 is used by ceph_cluster_rgw_port and the inference gateway; give one of them another port",
        "host h: port 53 is used by nvidia_gpu_dcgm_exporter_port and the platform DNS (dns_server); "
        "give one of them another port",
    ]


def test_a_port_out_of_range():
    assert check({"ollama_port": 70000}, roles=["ollama"]) == ["host h: ollama_port: 70000 is not a port (1-65535)"]
    assert check({"workspace_desktop_rdp_port": 0}, roles=["workspace_desktop"]) == [
        "host h: workspace_desktop_rdp_port: 0 is not a port (1-65535)"]


def test_what_the_rule_leaves_alone():
    # two catalog services on one port: check_central_services says it, with the fix
    override = {"qdrant": {"containers": {"qdrant": {"ports": [5678]}}}}
    assert check({"platform_service_overrides": override}, roles=["central_services"]) == []
    # ports of roles the host does not run, the RGW port off the RGW hosts, ports that need facts
    assert check({"ollama_port": 3389, "ceph_cluster_rgw_port": 3389}, roles=["workspace_desktop", "ceph_cluster"]) == []
    assert check(FactVars({}, {"ollama_port"}), roles=["ollama", "workspace_desktop"]) == []
    # an override that does not resolve (the catalog refuses a port out of range itself):
    # check_central_services names it
    override = {"n8n": {"containers": {"n8n": {"ports": [70000]}}}}
    assert check({"platform_service_overrides": override, "ollama_port": 5678}) == []


def test_published_ports():
    catalog = host_catalog(make_context({"h": {}}), "h")
    assert published_ports(catalog, ["n8n", "qdrant", "ollama", "no-such-service"]) == {
        5678: ["n8n"], 6333: ["qdrant"], 6334: ["qdrant"]}
    catalog["n8n"]["containers"]["n8n"]["ports"] = [{"container": 5678}, 6333]
    assert published_ports(catalog, ["n8n", "qdrant"]) == {5678: ["n8n"], 6333: ["n8n", "qdrant"], 6334: ["qdrant"]}
