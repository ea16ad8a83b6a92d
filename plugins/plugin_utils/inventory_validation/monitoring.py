# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the monitoring layer: the alert thresholds, the customer's rules and the receivers of
every monitoring host, checked with the functions the monitoring role runs (module_utils/
monitoring.py), and the node exporter's extra sources. (Without a monitoring host the layer is
off: playbooks/monitoring.yml installs no exporter.)"""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils.monitoring import (
    MonitoringError,
    alert_rules,
    alertmanager_config,
    load_alert_rules,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import source_problem
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value


def check_monitoring(ctx) -> list[str]:
    errors = []
    rules = None
    for host in ctx.role_hosts.get("monitoring", []):
        values = dict((name, role_value(ctx, host, "monitoring", name)) for name in (
            "monitoring_alert_thresholds", "monitoring_alert_rules_extra", "monitoring_alert_rules_disabled",
            "monitoring_receivers"))
        if UNKNOWN in values.values():
            continue
        rules = rules or load_alert_rules()
        try:
            alert_rules(rules, values["monitoring_alert_thresholds"], values["monitoring_alert_rules_extra"],
                        values["monitoring_alert_rules_disabled"])
            alertmanager_config(values["monitoring_receivers"])
        except MonitoringError as exc:
            errors.append("host %s: %s" % (host, exc))
    for host in ctx.role_hosts.get("monitoring_agent", []):
        sources = role_value(ctx, host, "monitoring_agent", "monitoring_agent_extra_sources", [])
        if sources is UNKNOWN:
            continue
        if not isinstance(sources, list):
            errors.append("host %s: monitoring_agent_extra_sources: must be a list of addresses or networks, got %r"
                          % (host, sources))
            continue
        errors.extend("host %s: monitoring_agent_extra_sources: %s" % (host, problem)
                      for problem in map(source_problem, sources) if problem)
    return errors
