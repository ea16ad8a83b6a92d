# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on one host's service firewall (role service_firewall, filter
service_firewall_problems). The inventory's own part, platform_allowed_sources, is checked with
the placement that turns it into these rules."""

from __future__ import annotations

import re

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import source_problem
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN

NAME = re.compile(r"^[a-z0-9_]{1,40}$")
INTERFACE = re.compile(r"^[A-Za-z0-9_.:-]{1,15}\*?$")


def rule_problems(index, rule):
    where = "service_firewall_rules[%d]" % index
    if not isinstance(rule, dict):
        return ["%s: must be a mapping {service, ports, sources}, got %r" % (where, rule)]
    problems = []
    service = rule.get("service")
    if not isinstance(service, str) or not re.match(r"^[a-z0-9][a-z0-9-]*$", service):
        problems.append("%s: service must be a service name (a-z, 0-9, -), got %r" % (where, service))
    else:
        where = "%s (%s)" % (where, service)
    unknown = sorted(set(rule) - {"service", "ports", "sources"})
    if unknown:
        problems.append("%s: unknown fields %s (known: service, ports, sources)" % (where, ", ".join(unknown)))
    ports = rule.get("ports")
    if not isinstance(ports, list) or not ports:
        problems.append("%s: ports must be a non-empty list of TCP ports, got %r" % (where, ports))
    else:
        problems.extend("%s: ports: %r is not a port number (1-65535)" % (where, port) for port in ports
                        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536)
    sources = rule.get("sources")
    if isinstance(sources, str) or not isinstance(sources, list):
        problems.append("%s: sources must be a list of addresses or networks, got %r" % (where, sources))
    else:
        for source in sources:
            problem = source_problem(source)
            if problem:
                problems.append("%s: sources: %s" % (where, problem))
    return problems


def firewall_problems(values) -> list[str]:
    """What is wrong with service_firewall_name, service_firewall_rules and
    service_firewall_local_interfaces (a missing one is not judged)."""
    problems = []
    name = values.get("service_firewall_name", UNKNOWN)
    if name is not UNKNOWN and (not isinstance(name, str) or not NAME.match(name)):
        problems.append("service_firewall_name: %r must be lower-case letters, digits and _ (it names the nftables "
                        "table foundrycloud_<name>)" % (name,))
    rules = values.get("service_firewall_rules", UNKNOWN)
    if rules is not UNKNOWN:
        if not isinstance(rules, list):
            problems.append("service_firewall_rules: must be a list of {service, ports, sources}, got %r" % (rules,))
        else:
            for index, rule in enumerate(rules):
                problems.extend(rule_problems(index, rule))
            ports = {}
            for rule in rules:
                for port in rule.get("ports") or [] if isinstance(rule, dict) and isinstance(rule.get("ports"), list) else []:
                    ports.setdefault(port, []).append(str(rule.get("service")))
            problems.extend("service_firewall_rules: port %s is in the rules of %s; one service per port" % (port, " and ".join(names))
                            for port, names in sorted(ports.items(), key=lambda item: str(item[0])) if len(names) > 1)
    interfaces = values.get("service_firewall_local_interfaces", UNKNOWN)
    if interfaces is not UNKNOWN:
        if isinstance(interfaces, str) or not isinstance(interfaces, list):
            problems.append("service_firewall_local_interfaces: must be a list of interface names, got %r" % (interfaces,))
        else:
            problems.extend("service_firewall_local_interfaces: %r is not an interface name (at most 15 characters, "
                            "may end with *)" % (interface,) for interface in interfaces
                            if not isinstance(interface, str) or not INTERFACE.match(interface))
    return problems
