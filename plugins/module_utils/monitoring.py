# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the platform's monitoring watches, derived from the service catalog and the placement
(issue 20): never listed by hand.

``targets()`` gives Prometheus's scrape jobs and the blackbox exporter's probes:

* ``node``: the node exporter of every platform host (every host of the platform's groups);
* ``ceph``: the Ceph manager's prometheus module on the hosts of ``ceph_mgrs``;
* ``dcgm``: NVIDIA's DCGM exporter on the GPU nodes that run it;
* ``probe``: every service's health endpoint, per host that provides it centrally (direct, at
  the host's address and the published port: a broken front does not hide it), through the TLS
  front for every front route (what users reach), and per workspace for its local services.

The role ``monitoring`` renders these into prometheus.yml; ``./foundry plan`` prints them.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import MONITORING_GROUP, host_address

CEPH_MGR_GROUP = "ceph_mgrs"
GPU_GROUP = "gpu_nodes"
# The groups whose hosts are the platform's: each gets a node exporter. openstack_controllers
# (API endpoints the deploy host talks to) and ceph_clients (hosts of other groups, or the
# customer's) are not.
PLATFORM_GROUPS = ("central", "gpu_nodes", "workspace_vms", "docker_hosts", "dns_servers", "gateway", MONITORING_GROUP,
                   "ceph_mons", CEPH_MGR_GROUP, "ceph_osds", "ceph_mdss", "ceph_rgws")
NODE_EXPORTER_PORT = 9100
CEPH_MGR_PROMETHEUS_PORT = 9283
DCGM_EXPORTER_PORT = 9400
# Blackbox exporter modules (roles/monitoring/templates/blackbox.yml.j2).
PROBE_MODULES = {"http": "http_2xx", "https": "https_2xx"}


PLACEHOLDER = re.compile(r"<<([a-z][a-z0-9_]*)>>")
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
ALERT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class MonitoringError(ValueError):
    """Wrong alert data; the message names the variable and the entry."""


def _target(address, port):
    return "[%s]:%d" % (address, port) if ":" in address else "%s:%d" % (address, port)


def platform_hosts(groups):
    """Every host of the platform's groups, sorted."""
    return sorted(set(host for group in PLATFORM_GROUPS for host in groups.get(group) or []))


def _health_path(entry):
    path = (entry.get("endpoint") or {}).get("health_path") or "/"
    return path if path.startswith("/") else "/" + path


def targets(catalog, placement, hosts, groups, dcgm_hosts=None):
    """{"jobs": {job: [{target, labels}]}, "probes": [{url, module, labels}], "problems": [...]}.

    catalog: service -> resolved catalog entry; placement: platform_placement; hosts: host ->
    variables (platform_address, ansible_host); groups: group -> hosts; dcgm_hosts: the GPU nodes
    that run the DCGM exporter (None: every GPU node)."""
    problems = []
    placed = placement.get("hosts") or {}

    def address_of(host):
        address = (placed.get(host) or {}).get("address") or host_address(hosts.get(host) or {})
        if not address:
            problems.append("host %s: no internal address to monitor it at (set platform_address, or ansible_host "
                            "to an IP address)" % host)
        return address

    jobs = {"node": [], "ceph": [], "dcgm": []}
    for host in platform_hosts(groups):
        address = address_of(host)
        if address:
            jobs["node"].append({"target": _target(address, NODE_EXPORTER_PORT), "labels": {"host": host}})
    for host in sorted(groups.get(CEPH_MGR_GROUP) or []):
        address = address_of(host)
        if address:
            jobs["ceph"].append({"target": _target(address, CEPH_MGR_PROMETHEUS_PORT), "labels": {"host": host}})
    gpu_nodes = sorted(groups.get(GPU_GROUP) or [])
    for host in gpu_nodes if dcgm_hosts is None else sorted(set(dcgm_hosts) & set(gpu_nodes)):
        address = address_of(host)
        if address:
            jobs["dcgm"].append({"target": _target(address, DCGM_EXPORTER_PORT), "labels": {"host": host}})

    probes = []
    services = placement.get("services") or {}
    for name, service in sorted(services.items()):
        entry = catalog.get(name) or {}
        protocol = (entry.get("endpoint") or {}).get("protocol", "http")
        for host in service.get("providers") or []:
            address = address_of(host)
            if address:
                probes.append(_probe("%s://%s%s" % (protocol, _target(address, service["port"]), _health_path(entry)),
                                     protocol, {"service": name, "host": host, "via": "direct"}))
    for route in (placement.get("front") or {}).get("routes") or []:
        entry = catalog.get(route["service"]) or {}
        probes.append(_probe("https://%s%s" % (route["fqdn"], _health_path(entry)), "https",
                             {"service": route["service"], "host": route["fqdn"], "via": "front"}))
    for workspace, data in sorted((placement.get("workspaces") or {}).items()):
        for name, endpoint in sorted((data.get("endpoints") or {}).items()):
            if not endpoint.get("local_url"):
                continue
            entry = catalog.get(name) or {}
            protocol = (entry.get("endpoint") or {}).get("protocol", "http")
            probes.append(_probe(endpoint["local_url"].rstrip("/") + _health_path(entry), protocol,
                                 {"service": name, "host": workspace, "via": "workspace", "user": data.get("user", "")}))
    return {"jobs": jobs, "probes": probes, "problems": sorted(set(problems))}


def _probe(url, protocol, labels):
    return {"url": url, "module": PROBE_MODULES.get(protocol, PROBE_MODULES["http"]), "labels": labels}


def alert_rules(rules, thresholds=None, extra=None, disabled=None):
    """The rule groups Prometheus loads: the platform's (``rules``: catalog/monitoring/alerts.yml,
    its groups and default thresholds) and the inventory's ``extra`` ones, <<name>> replaced by
    the threshold (the inventory's ``thresholds`` over the defaults), the alerts named in
    ``disabled`` left out. Raises MonitoringError naming the variable for wrong data."""
    groups = rules.get("groups") or []
    defaults = rules.get("thresholds") or {}
    if not isinstance(thresholds or {}, dict):
        raise MonitoringError("monitoring_alert_thresholds: must map threshold names to values, got %r" % (thresholds,))
    unknown = sorted(set(thresholds or {}) - set(defaults))
    if unknown:
        raise MonitoringError("monitoring_alert_thresholds: %s %s no threshold of the rules (known: %s)"
                              % (", ".join(unknown), "is" if len(unknown) == 1 else "are", ", ".join(sorted(defaults))))
    thresholds = dict(defaults, **(thresholds or {}))
    for name, value in sorted(thresholds.items()):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise MonitoringError("monitoring_alert_thresholds.%s: must be a number or a duration, got %r" % (name, value))
        if name.endswith("_for") and not DURATION.match(str(value)):
            raise MonitoringError("monitoring_alert_thresholds.%s: %r is not a Prometheus duration (e.g. 5m, 1h30m)"
                                  % (name, value))
    disabled = set(disabled or [])
    result = []
    seen = set()
    known = set()
    for variable, source in (("catalog/monitoring/alerts.yml", groups), ("monitoring_alert_rules_extra", extra or [])):
        if not isinstance(source, list):
            raise MonitoringError("%s: must be a list of rule groups ({name, rules}), got %r" % (variable, source))
        for index, group in enumerate(source):
            where = "%s[%d]" % (variable, index)
            if not isinstance(group, dict) or not group.get("name") or not isinstance(group.get("rules"), list):
                raise MonitoringError("%s: a rule group needs a name and a list of rules" % where)
            if group["name"] in seen:
                raise MonitoringError("%s: rule group %s is there twice (names must be unique)" % (where, group["name"]))
            seen.add(group["name"])
            rules = []
            for r_index, rule in enumerate(group["rules"]):
                r_where = "%s.rules[%d]" % (where, r_index)
                if not isinstance(rule, dict) or not (rule.get("alert") or rule.get("record")) or not rule.get("expr"):
                    raise MonitoringError("%s: a rule needs alert (or record) and expr" % r_where)
                if rule.get("alert") and not ALERT_NAME.match(str(rule["alert"])):
                    raise MonitoringError("%s: alert %r is not a valid name (letters, digits, _)" % (r_where, rule["alert"]))
                known.add(rule.get("alert"))
                if rule.get("alert") in disabled:
                    continue
                rules.append(_fill(copy.deepcopy(rule), thresholds or {}, r_where))
            if rules:
                result.append(dict(group, rules=rules))
    unknown = sorted(disabled - known)
    if unknown:
        raise MonitoringError("monitoring_alert_rules_disabled: %s %s no alert of the rules (known: %s)"
                              % (", ".join(unknown), "is" if len(unknown) == 1 else "are",
                                 ", ".join(sorted(a for a in known if a))))
    return {"groups": result}


def _fill(value, thresholds, where):
    if isinstance(value, dict):
        return dict((key, _fill(item, thresholds, where)) for key, item in value.items())
    if isinstance(value, list):
        return [_fill(item, thresholds, where) for item in value]
    if not isinstance(value, str):
        return value

    def threshold(match):
        name = match.group(1)
        if name not in thresholds:
            raise MonitoringError("%s: <<%s>> is not in monitoring_alert_thresholds (known: %s)"
                                  % (where, name, ", ".join(sorted(thresholds))))
        return str(thresholds[name])

    return PLACEHOLDER.sub(threshold, value)


def report(result):
    """Lines for ./foundry plan: what the monitoring scrapes and probes."""
    lines = ["Monitoring (Prometheus on group %s; targets from the catalog and the placement):" % MONITORING_GROUP]
    for job, items in sorted(result["jobs"].items()):
        if items:
            lines.append("  %-6s %s" % (job, ", ".join("%s (%s)" % (i["labels"]["host"], i["target"]) for i in items)))
    for probe in result["probes"]:
        lines.append("  probe  %-11s %-9s %s" % (probe["labels"]["service"], probe["labels"]["via"], probe["url"]))
    return lines
