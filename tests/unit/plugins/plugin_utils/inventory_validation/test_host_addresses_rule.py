# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host address rule (inventory_validation/host_addresses.py): addresses that look like IPs
but are none, a platform_address that is no IP, one address given to two hosts."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.host_addresses import (
    check_host_addresses,
)
from rule_context import FactVars, make_context


def check(hostvars):
    return check_host_addresses(make_context(hostvars))


@pytest.mark.parametrize(("name", "value"), [
    ("ansible_host", "10.0.0.300"),
    ("ansible_host", "10.0.0"),
    ("ansible_host", "fd00::1::2"),
    ("platform_address", "central-1.example"),
])
def test_not_an_ip_address(name, value):
    assert check({"central-1": {name: value}}) == ["host central-1: %s: %r is not an IP address" % (name, value)]


def test_one_address_for_two_hosts_names_both():
    hostvars = {"gpu-1": {"ansible_host": "10.0.0.20"}, "gpu-2": {"ansible_host": "10.0.0.21",
                                                                  "platform_address": "10.0.0.20"}}
    assert check(hostvars) == ["host gpu-1: ansible_host: 10.0.0.20 is also the address of gpu-2",
                               "host gpu-2: platform_address: 10.0.0.20 is also the address of gpu-1"]


def test_three_hosts_on_one_address():
    hostvars = {host: {"ansible_host": "fd00::20"} for host in ("a", "b", "c")}
    assert check(hostvars) == ["host a: ansible_host: fd00::20 is also the address of b, c",
                               "host b: ansible_host: fd00::20 is also the address of a, c",
                               "host c: ansible_host: fd00::20 is also the address of a, b"]


def test_addresses_that_pass():
    assert check({
        "central-1": {"ansible_host": "10.0.0.10", "platform_address": "10.0.0.10"},  # one host, two names
        "gpu-1": {"ansible_host": "gpu-1.example", "platform_address": "10.0.0.20"},  # a DNS name is fine
        "lab-1": {"ansible_host": "127.0.0.1", "ansible_port": 2201},  # loopback: forwarded ports
        "lab-2": {"ansible_host": "127.0.0.1", "ansible_port": 2202},
        "ctl-1": {"ansible_host": "10.0.0.10", "ansible_connection": "local"},  # the controller itself
        "new-1": {"ansible_host": "", "platform_address": None},
        "facts": FactVars({"ansible_host": "10.0.0.30"}, {"platform_address"}),
    }) == []
