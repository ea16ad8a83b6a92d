# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DNS rule (inventory_validation/dns.py): forwarders and listen addresses BIND would refuse."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import dns_client_problems
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.dns import (
    check_dns_client,
    check_dns_server,
)
from rule_context import FactVars, make_context


def check(values, hosts=("dns-1",)):
    hostvars = {"dns-1": values, "central-1": {"dns_server_forwarders": ["resolver.example"]}}
    return check_dns_server(make_context(hostvars, role_hosts={"dns_server": list(hosts)}))


def test_forwarders_and_listen_addresses_that_are_names():
    values = {"dns_server_forwarders": ["192.0.2.53", "resolver.example", {"address": "dns.google", "port": 53}],
              "dns_server_listen_addresses": ["10.0.0.53", "ns1.corp.internal"]}
    assert check(values) == [
        "host dns-1: dns_server_forwarders: 'resolver.example' is not an IP address (BIND takes addresses as forwarders)",
        "host dns-1: dns_server_forwarders: 'dns.google' is not an IP address (BIND takes addresses as forwarders)",
        "host dns-1: dns_server_listen_addresses: 'ns1.corp.internal' is not an IP address "
        "(BIND takes addresses as listen addresses)",
    ]


def test_addresses_pass():
    assert check({"dns_server_forwarders": ["192.0.2.53", {"address": "2001:db8::53"}],
                  "dns_server_listen_addresses": ["10.0.0.53", "::1"]}) == []


def test_defaults_and_values_that_need_facts_pass():
    # dns_server_listen_addresses' default is a template (the host's address): not guessed
    assert check({}) == []
    assert check(FactVars({"dns_server_listen_addresses": ["x.example"]}, {"dns_server_forwarders"})) == [
        "host dns-1: dns_server_listen_addresses: 'x.example' is not an IP address "
        "(BIND takes addresses as listen addresses)"]
    assert check({"dns_server_forwarders": ["resolver.example"]}, hosts=()) == []  # central-1 runs no DNS either


# --------------------------------------------------------------------------------------
# Clients: the rule and the role's filter are one function
# --------------------------------------------------------------------------------------


def client(values):
    return check_dns_client(make_context({"ws-1": values, "dns-1": {"dns_client_zone": "Bad Zone"}},
                                         role_hosts={"dns_client": ["ws-1"]}))


@pytest.mark.parametrize(("values", "problem"), [
    ({"dns_client_zone": "Corp Internal"}, "dns_client_zone: 'Corp Internal' is not a DNS zone name"),
    ({"dns_client_zone": "corp..internal"}, "dns_client_zone: 'corp..internal' is not a DNS zone name"),
    ({"dns_client_zone": "-corp.internal"}, "dns_client_zone: '-corp.internal' is not a DNS zone name"),
    ({"dns_client_servers": []}, "dns_client_servers: must list the platform's DNS servers"),
    ({"dns_client_servers": "10.0.0.53"}, "dns_client_servers: must list the platform's DNS servers"),
    ({"dns_client_servers": ["10.0.0.53", "ns1.corp.internal"]},
     "dns_client_servers: 'ns1.corp.internal' is not an IP address (resolved takes addresses only)"),
])
def test_client_problems(values, problem):
    found = client(values)
    assert len(found) == 1 and found[0].startswith("host ws-1: " + problem), found
    assert dns_client_problems(values)[0].startswith(problem)


def test_client_values_that_pass():
    assert client({}) == []   # the role's default zone needs the play; servers come from the placement
    assert client({"dns_client_zone": "corp.internal.", "dns_client_servers": ["10.0.0.53", "2001:db8::53"]}) == []
    assert dns_client_problems({"dns_client_zone": "localai.internal", "dns_client_servers": ["10.0.0.53"]}) == []
