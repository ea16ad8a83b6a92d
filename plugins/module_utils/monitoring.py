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
import os
import re

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import MONITORING_GROUP, host_address
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CATALOG_DIR, load_yaml

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
                probe = _probe("%s://%s%s" % (protocol, _target(address, service["port"]), _health_path(entry)),
                               protocol, {"service": name, "host": host, "via": "direct"})
                if protocol == "https":
                    # At the address, the certificate's name is the service's: a module per name.
                    probe["module"] = "%s_%s" % (PROBE_MODULES["https"], name)
                    probe["server_name"] = service["fqdn"]
                probes.append(probe)
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


# Inside the monitoring host's Compose project: the containers reach each other by name.
ALERTMANAGER_ADDRESS = "alertmanager:9093"
BLACKBOX_ADDRESS = "blackbox:9115"
RULES_PATH = "/etc/prometheus/alerts.rules.yml"
RECEIVER_KINDS = ("webhook", "email")
SEVERITIES = ("critical", "warning")


def prometheus_config(result, host, scrape_interval="30s", evaluation_interval="30s"):
    """prometheus.yml of a monitoring host: its own containers, every job of ``targets()`` and
    the probes through the blackbox exporter (module per probe)."""
    def static(targets_and_labels):
        return [{"targets": [target], "labels": labels} for target, labels in targets_and_labels]

    own = {"host": host}
    jobs = [
        {"job_name": "prometheus", "static_configs": static([("127.0.0.1:9090", own)])},
        {"job_name": "alertmanager", "static_configs": static([(ALERTMANAGER_ADDRESS, own)])},
        {"job_name": "blackbox", "static_configs": static([(BLACKBOX_ADDRESS, own)])},
    ]
    for job, items in sorted(result["jobs"].items()):
        if items:
            jobs.append({"job_name": job, "static_configs": static((i["target"], i["labels"]) for i in items)})
    if result["probes"]:
        jobs.append({
            "job_name": "probe",
            "metrics_path": "/probe",
            "static_configs": static((p["url"], dict(p["labels"], __param_module=p["module"])) for p in result["probes"]),
            "relabel_configs": [
                {"source_labels": ["__address__"], "target_label": "__param_target"},
                {"source_labels": ["__param_target"], "target_label": "instance"},
                {"target_label": "__address__", "replacement": BLACKBOX_ADDRESS},
            ],
        })
    return {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval},
        "rule_files": [RULES_PATH],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [ALERTMANAGER_ADDRESS]}]}]},
        "scrape_configs": jobs,
    }


def alertmanager_config(receivers, group_wait="30s", group_interval="5m", repeat_interval="4h"):
    """alertmanager.yml from the inventory's receivers: [{name, severities (default both),
    webhook: {url} | email: {to, from, smarthost, auth_username, auth_password, require_tls}}].
    Every receiver gets the alerts of its severities (and their resolution); with none, alerts
    stay visible in Alertmanager only. Raises MonitoringError naming the entry for wrong data."""
    if not isinstance(receivers, list):
        raise MonitoringError("monitoring_receivers: must be a list of receivers, got %r" % (receivers,))
    configs = [{"name": "platform-default"}]
    routes = []
    seen = set()
    for index, receiver in enumerate(receivers):
        where = "monitoring_receivers[%d]" % index
        if not isinstance(receiver, dict) or not receiver.get("name"):
            raise MonitoringError("%s: a receiver needs a name" % where)
        name = str(receiver["name"])
        where = "monitoring_receivers[%s]" % name
        if name in seen or name == "platform-default":
            raise MonitoringError("%s: the name is taken (names must be unique, platform-default is the platform's)" % where)
        seen.add(name)
        unknown = sorted(set(receiver) - set(("name", "severities") + RECEIVER_KINDS))
        if unknown:
            raise MonitoringError("%s: unknown key(s) %s (known: name, severities, %s)"
                                  % (where, ", ".join(unknown), ", ".join(RECEIVER_KINDS)))
        kinds = [kind for kind in RECEIVER_KINDS if receiver.get(kind)]
        if not kinds:
            raise MonitoringError("%s: give %s" % (where, " or ".join(RECEIVER_KINDS)))
        severities = receiver.get("severities", list(SEVERITIES))
        if not isinstance(severities, list) or not severities or set(severities) - set(SEVERITIES):
            raise MonitoringError("%s: severities must list %s, got %r" % (where, " and/or ".join(SEVERITIES), severities))
        config = {"name": name}
        if receiver.get("webhook"):
            webhook = receiver["webhook"]
            if not isinstance(webhook, dict) or not str(webhook.get("url", "")).startswith(("http://", "https://")):
                raise MonitoringError("%s: webhook.url must be an http(s) URL" % where)
            config["webhook_configs"] = [{"url": webhook["url"], "send_resolved": True}]
        if receiver.get("email"):
            email = receiver["email"]
            missing = [key for key in ("to", "from", "smarthost") if not (isinstance(email, dict) and email.get(key))]
            if missing:
                raise MonitoringError("%s: email needs %s" % (where, ", ".join(missing)))
            extra = sorted(set(email) - {"to", "from", "smarthost", "auth_username", "auth_password", "require_tls"})
            if extra:
                raise MonitoringError("%s: email: unknown key(s) %s" % (where, ", ".join(extra)))
            config["email_configs"] = [dict(email, send_resolved=True)]
        configs.append(config)
        routes.append({"receiver": name, "matchers": ['severity=~"%s"' % "|".join(sorted(severities))],
                       "continue": True})
    return {
        "route": {"receiver": "platform-default", "group_by": ["alertname", "host", "service"],
                  "group_wait": group_wait, "group_interval": group_interval, "repeat_interval": repeat_interval,
                  "routes": routes},
        "receivers": configs,
    }


def blackbox_config(result=None):
    """blackbox.yml: HTTP(S) health checks that need a 2xx answer; HTTPS verified against the
    host's trust store (the platform's CA is in it), redirects followed. A service probed over
    HTTPS at its host's address gets a module that expects the certificate of its name."""
    http = {"prober": "http", "timeout": "10s",
            "http": {"preferred_ip_protocol": "ip4", "follow_redirects": True, "valid_status_codes": []}}
    https = copy.deepcopy(http)
    https["http"]["fail_if_not_ssl"] = True
    modules = {PROBE_MODULES["http"]: http, PROBE_MODULES["https"]: https}
    for probe in (result or {}).get("probes") or []:
        if probe.get("server_name"):
            module = copy.deepcopy(https)
            module["http"]["tls_config"] = {"server_name": probe["server_name"]}
            modules[probe["module"]] = module
    return {"modules": modules}


def load_alert_rules(directory=CATALOG_DIR):
    """The platform's alert rules and their default thresholds (catalog/monitoring/alerts.yml)."""
    return load_yaml(os.path.join(directory, "monitoring", "alerts.yml"))


def configuration(catalog, placement, hosts, groups, host, thresholds=None, rules_extra=None, rules_disabled=None,
                  receivers=None, scrape_interval="30s", evaluation_interval="30s", alertmanager_timing=None,
                  rules=None):
    """Everything the monitoring host ``host`` writes: prometheus.yml, the rules, alertmanager.yml
    and blackbox.yml, with the targets they come from. The GPU nodes whose
    nvidia_gpu_dcgm_exporter is false are not scraped for DCGM."""
    dcgm = [name for name in groups.get(GPU_GROUP) or [] if (hosts.get(name) or {}).get("nvidia_gpu_dcgm_exporter", True)]
    found = targets(catalog, placement, hosts, groups, dcgm_hosts=dcgm)
    return {
        "targets": found,
        "report": report(found),
        "prometheus_config": prometheus_config(found, host, scrape_interval, evaluation_interval),
        "alert_rules": alert_rules(rules if rules is not None else load_alert_rules(), thresholds, rules_extra,
                                   rules_disabled),
        "alertmanager_config": alertmanager_config(receivers or [], **(alertmanager_timing or {})),
        "blackbox_config": blackbox_config(found),
    }


def report(result):
    """Lines for ./foundry plan: what the monitoring scrapes and probes."""
    lines = ["Monitoring (Prometheus on group %s; targets from the catalog and the placement):" % MONITORING_GROUP]
    for job, items in sorted(result["jobs"].items()):
        if items:
            lines.append("  %-6s %s" % (job, ", ".join("%s (%s)" % (i["labels"]["host"], i["target"]) for i in items)))
    for probe in result["probes"]:
        lines.append("  probe  %-11s %-9s %s" % (probe["labels"]["service"], probe["labels"]["via"], probe["url"]))
    return lines
