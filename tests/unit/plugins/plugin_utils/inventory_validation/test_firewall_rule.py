# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service_firewall role's check of its rules (filter service_firewall_problems)."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import service_firewall_problems

GOOD = [{"service": "n8n", "ports": [5678], "sources": ["10.0.1.20", "fd00::/64", "10.9.0.0/24"]},
        {"service": "qdrant", "ports": [6333, 6334], "sources": []}]


def test_right_rules_have_no_problems():
    assert service_firewall_problems({"service_firewall_name": "services", "service_firewall_rules": GOOD,
                                      "service_firewall_local_interfaces": ["lo", "docker0", "br-*"]}) == []
    assert service_firewall_problems({}) == []   # nothing given, nothing judged


def test_each_wrong_field_is_named_with_its_rule():
    rules = [
        {"service": "n8n", "ports": [0, "5678"], "sources": ["gw-1", "10.0.0.0/33"], "proto": "udp"},
        {"service": "Qdrant", "ports": [], "sources": "10.0.0.1"},
        "n8n:5678",
    ]
    assert service_firewall_problems({"service_firewall_rules": rules}) == [
        "service_firewall_rules[0] (n8n): unknown fields proto (known: service, ports, sources)",
        "service_firewall_rules[0] (n8n): ports: 0 is not a port number (1-65535)",
        "service_firewall_rules[0] (n8n): ports: '5678' is not a port number (1-65535)",
        "service_firewall_rules[0] (n8n): sources: 'gw-1' is not an IP address or network (CIDR)",
        "service_firewall_rules[0] (n8n): sources: '10.0.0.0/33' is not an IP address or network (CIDR)",
        "service_firewall_rules[1]: service must be a service name (a-z, 0-9, -), got 'Qdrant'",
        "service_firewall_rules[1]: ports must be a non-empty list of TCP ports, got []",
        "service_firewall_rules[1]: sources must be a list of addresses or networks, got '10.0.0.1'",
        "service_firewall_rules[2]: must be a mapping {service, ports, sources}, got 'n8n:5678'",
    ]


def test_a_port_in_two_rules_the_name_and_interfaces_are_checked():
    rules = [{"service": "n8n", "ports": [5678], "sources": []}, {"service": "flowise", "ports": [5678], "sources": []}]
    assert service_firewall_problems({"service_firewall_name": "Services-1", "service_firewall_rules": rules,
                                      "service_firewall_local_interfaces": ["lo", "a-very-long-interface-name", 7]}) == [
        "service_firewall_name: 'Services-1' must be lower-case letters, digits and _ (it names the nftables table "
        "foundrycloud_<name>)",
        "service_firewall_rules: port 5678 is in the rules of n8n and flowise; one service per port",
        "service_firewall_local_interfaces: 'a-very-long-interface-name' is not an interface name (at most 15 "
        "characters, may end with *)",
        "service_firewall_local_interfaces: 7 is not an interface name (at most 15 characters, may end with *)",
    ]
    assert service_firewall_problems({"service_firewall_rules": {"n8n": [5678]}}) == [
        "service_firewall_rules: must be a list of {service, ports, sources}, got {'n8n': [5678]}"]
