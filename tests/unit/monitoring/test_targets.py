# -*- coding: utf-8 -*-
"""Monitoring targets (module_utils/monitoring.py): every host, every service's health endpoint,
the exporters of Ceph and the GPU nodes, all derived from the catalog and the placement."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils import monitoring as mon
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement as pl
from monitoring_cases import CATALOG, place, site, targets


def test_every_platform_host_has_a_node_exporter_target():
    hosts, groups = site()
    result = targets(hosts, groups)
    assert result["problems"] == []
    assert [(t["labels"]["host"], t["target"]) for t in result["jobs"]["node"]] == [
        ("ceph-1", "10.0.3.11:9100"), ("ceph-2", "10.0.3.12:9100"), ("core-1", "10.0.1.10:9100"),
        ("dns-1", "10.0.0.53:9100"), ("gpu-1", "10.0.2.10:9100"), ("ws-alice", "10.0.5.11:9100"),
        ("ws-bob", "10.0.5.12:9100")]   # not the deploy host (openstack_controllers only)


def test_ceph_managers_and_gpu_exporters():
    hosts, groups = site()
    result = targets(hosts, groups)
    assert [t["target"] for t in result["jobs"]["ceph"]] == ["10.0.3.11:9283", "10.0.3.12:9283"]
    assert [t["target"] for t in result["jobs"]["dcgm"]] == ["10.0.2.10:9400"]
    assert targets(hosts, groups, dcgm_hosts=[])["jobs"]["dcgm"] == []


def test_every_central_service_is_probed_directly_and_through_the_front():
    hosts, groups = site()
    result = targets(hosts, groups)
    probes = dict(((p["labels"]["service"], p["labels"]["via"], p["labels"]["host"]), p) for p in result["probes"])
    placement = place(hosts, groups)
    central = [(name, host) for name, service in placement["services"].items() for host in service["providers"]]
    assert sorted((key[0], key[2]) for key in probes if key[1] == "direct") == sorted(central)
    assert probes[("qdrant", "direct", "core-1")]["url"] == "http://10.0.1.10:6333/readyz"
    assert probes[("ollama", "direct", "gpu-1")]["url"] == "http://10.0.2.10:11434" + CATALOG["ollama"]["endpoint"]["health_path"]
    # At the address, the gateway's certificate names llm.<zone>: its own module expects that name.
    assert probes[("gateway", "direct", "core-1")] == {
        "url": "https://10.0.1.10:443/health/liveliness", "module": "https_2xx_gateway", "server_name": "llm.localai.internal",
        "labels": {"service": "gateway", "host": "core-1", "via": "direct"}}
    # Every route of the front, at the name users reach.
    fronted = sorted(route["service"] for route in placement["front"]["routes"])
    assert fronted and sorted(key[0] for key in probes if key[1] == "front") == fronted
    assert probes[("langfuse", "front", "langfuse.localai.internal")]["url"] == \
        "https://langfuse.localai.internal/api/public/health"
    assert probes[("langfuse", "front", "langfuse.localai.internal")]["module"] == "https_2xx"


def test_the_local_services_of_every_workspace_are_probed():
    hosts, groups = site()
    result = targets(hosts, groups)
    local = sorted((p["labels"]["host"], p["labels"]["service"], p["url"]) for p in result["probes"]
                   if p["labels"]["via"] == "workspace")
    health = dict((name, CATALOG[name]["endpoint"].get("health_path", "/")) for name in ("ollama", "qdrant", "open-webui"))
    assert local == [
        ("ws-alice", "ollama", "http://10.0.5.11:11434" + health["ollama"]),
        ("ws-alice", "open-webui", "http://10.0.5.11:%d%s" % (pl._published_port(CATALOG["open-webui"]), health["open-webui"])),
        ("ws-bob", "ollama", "http://10.0.5.12:11434" + health["ollama"]),
        ("ws-bob", "qdrant", "http://10.0.5.12:6333" + health["qdrant"]),
    ]
    assert all(p["labels"]["user"] in ("alice", "bob") for p in result["probes"] if p["labels"]["via"] == "workspace")


def test_a_host_without_address_is_named():
    hosts, groups = site()
    hosts["ceph-2"] = {"ansible_host": "ceph-2.example.org"}
    result = targets(hosts, groups)
    assert result["problems"] == ["host ceph-2: no internal address to monitor it at (set platform_address, or "
                                  "ansible_host to an IP address)"]
    assert [t["labels"]["host"] for t in result["jobs"]["ceph"]] == ["ceph-1"]


def test_the_monitoring_hosts_reach_every_restricted_port():
    """The host firewall admits Prometheus to the ports it probes directly (issue 20), besides the
    front (fronted services) and the gateway (Ollama)."""
    hosts, groups = site()
    hosts["mon-1"] = {"platform_address": "10.0.1.20"}
    groups["monitoring"] = ["mon-1"]
    placement = place(hosts, groups)
    rules = dict((rule["service"], rule["sources"]) for rule in placement["firewall"]["core-1"])
    assert rules["qdrant"] == ["10.0.1.10", "10.0.1.20"]
    assert dict((r["service"], r["sources"]) for r in placement["firewall"]["gpu-1"])["ollama"] == ["10.0.1.10", "10.0.1.20"]
    # Prometheus and Alertmanager themselves: the monitoring hosts only, no workspace.
    assert dict((r["service"], (r["ports"], r["sources"])) for r in placement["firewall"]["mon-1"])["monitoring"] == \
        ([9090, 9093], ["10.0.1.20"])
    assert "monitoring" not in placement["workspaces"]["ws-alice"]["endpoints"] or \
        placement["workspaces"]["ws-alice"]["endpoints"]["monitoring"]["central_url"] is None
    # Without a monitoring host, only the front.
    del groups["monitoring"]
    assert dict((r["service"], r["sources"]) for r in place(hosts, groups)["firewall"]["core-1"])["qdrant"] == ["10.0.1.10"]


def test_the_report_lists_jobs_and_probes():
    hosts, groups = site()
    lines = mon.report(targets(hosts, groups))
    assert lines[0].startswith("Monitoring (Prometheus on group monitoring")
    assert "  ceph   ceph-1 (10.0.3.11:9283), ceph-2 (10.0.3.12:9283)" in lines
    assert any(line.split()[:3] == ["probe", "qdrant", "front"] for line in lines)
