# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter: what a monitoring host's Prometheus, Alertmanager and blackbox exporter are configured with."""

from __future__ import annotations

DOCUMENTATION = r"""
name: monitoring_config
short_description: The monitoring host's configuration, derived from the catalog and the placement
version_added: 0.1.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Computes the scrape jobs and health probes of the whole platform - the node exporter of every
    platform host, the Ceph managers' prometheus module, the GPU nodes' DCGM exporter (unless their
    C(nvidia_gpu_dcgm_exporter) is false), every central service's health endpoint directly and
    through the TLS front, and every workspace's local services - and renders them with the alert
    rules (C(catalog/monitoring/alerts.yml)) and the receivers into the files the C(monitoring)
    role writes.
  - Wrong thresholds, rules or receivers fail with a message that names the variable and the entry.
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  groups:
    description: C(groups).
    type: dict
    required: true
  catalog:
    description: The catalog entries, as the C(foundrycloud.platform.service_catalog) lookup returns them.
    type: list
    elements: dict
    required: true
  placement:
    description: C(platform_placement).
    type: dict
    required: true
  host:
    description: The monitoring host (its own containers are labelled with it).
    type: str
    required: true
  thresholds:
    description: Alert thresholds by name over the rules' defaults (C(monitoring_alert_thresholds)).
    type: dict
    default: {}
  rules_extra:
    description: More rule groups (C(monitoring_alert_rules_extra)).
    type: list
    elements: dict
    default: []
  rules_disabled:
    description: Alerts left out, by name (C(monitoring_alert_rules_disabled)).
    type: list
    elements: str
    default: []
  receivers:
    description: Alert receivers (C(monitoring_receivers)).
    type: list
    elements: dict
    default: []
  scrape_interval:
    description: How often Prometheus scrapes and probes.
    type: str
    default: 30s
  evaluation_interval:
    description: How often Prometheus evaluates the rules.
    type: str
    default: 30s
  alertmanager_timing:
    description: C(group_wait), C(group_interval), C(repeat_interval) of Alertmanager's route.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Compute the monitoring configuration
  ansible.builtin.set_fact:
    monitoring_computed: >-
      {{ hostvars | foundrycloud.platform.monitoring_config(groups, query('foundrycloud.platform.service_catalog'),
                                                           platform_placement, inventory_hostname,
                                                           receivers=monitoring_receivers) }}
"""

RETURN = r"""
_value:
  description: The configuration.
  type: dict
  contains:
    targets: {description: "jobs (job -> [{target, labels}]), probes ([{url, module, labels}]), problems.", type: dict}
    report: {description: "Lines for C(./foundry plan): the scrape targets per job and every probe.", type: list}
    prometheus_config: {description: prometheus.yml as data., type: dict}
    alert_rules: {description: The rules file as data (groups)., type: dict}
    alertmanager_config: {description: alertmanager.yml as data., type: dict}
    blackbox_config: {description: blackbox.yml as data., type: dict}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.module_utils.monitoring import (
    MonitoringError,
    configuration,
    platform_hosts,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import PlacementError, read_host_variables
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError, by_name

HOST_VARIABLES = ("platform_address", "ansible_host", "nvidia_gpu_dcgm_exporter")


def monitoring_config(hostvars, groups, catalog, placement, host, thresholds=None, rules_extra=None, rules_disabled=None,
                      receivers=None, scrape_interval="30s", evaluation_interval="30s", alertmanager_timing=None):
    try:
        entries = by_name(catalog, "monitoring_config: catalog")
    except CatalogError as exc:
        raise AnsibleFilterError(str(exc)) from None
    try:
        hosts = read_host_variables(hostvars, platform_hosts(groups), HOST_VARIABLES)
        result = configuration(entries, placement, hosts, dict(groups), host,
                               thresholds=thresholds, rules_extra=rules_extra, rules_disabled=rules_disabled,
                               receivers=receivers, scrape_interval=scrape_interval,
                               evaluation_interval=evaluation_interval, alertmanager_timing=alertmanager_timing)
    except (MonitoringError, PlacementError) as exc:
        raise AnsibleFilterError("host %s: %s" % (host, exc)) from None
    if result["targets"]["problems"]:
        raise AnsibleFilterError("host %s: the monitoring cannot reach every host:\n%s"
                                 % (host, "\n".join(result["targets"]["problems"])))
    return result


class FilterModule:

    def filters(self):
        return {"monitoring_config": monitoring_config}
