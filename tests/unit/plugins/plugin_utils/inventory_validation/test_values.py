# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading values offline (inventory_validation/values.py): a role's effective value for a host
(role_value) and a host's internal address (host_address)."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import (
    UNKNOWN,
    host_address,
    role_value,
)
from rule_context import FactVars, make_context

DEFAULTS = {
    "web_port": 8080,
    "web_bind": "{{ ansible_host }}",
    "web_nested": {"listen": ["{% if x %}a{% endif %}"]},
    "web_plain": {"listen": ["0.0.0.0"]},
    "web_off": False,
}


@pytest.fixture
def ctx():
    hostvars = {"h": {"web_port": 9090, "web_off": None}, "facts": FactVars({}, {"web_port"}), "bare": {}}
    return make_context(hostvars, roles={"web": DEFAULTS})


def test_the_inventory_value_wins(ctx):
    assert role_value(ctx, "h", "web", "web_port") == 9090
    assert role_value(ctx, "h", "web", "web_off", "fallback") is None  # set to null is a value


def test_a_plain_default_is_used(ctx):
    assert role_value(ctx, "bare", "web", "web_port") == 8080
    assert role_value(ctx, "bare", "web", "web_plain") == {"listen": ["0.0.0.0"]}
    assert role_value(ctx, "bare", "web", "web_off", "fallback") is False


def test_a_templated_default_is_not_guessed(ctx):
    assert role_value(ctx, "bare", "web", "web_bind") is UNKNOWN
    assert role_value(ctx, "bare", "web", "web_nested", []) == []


def test_unevaluable_values_are_unknown_whatever_the_fallback(ctx):
    assert role_value(ctx, "facts", "web", "web_port", 1) is UNKNOWN
    assert ctx.warnings == ["host facts: web_port: could not be evaluated without facts; not checked "
                            "('ansible_facts' is undefined)"]


def test_no_default_or_no_role_gives_the_fallback(ctx):
    assert role_value(ctx, "bare", "web", "web_missing", "fallback") == "fallback"
    assert role_value(ctx, "bare", "no_such_role", "web_port") is UNKNOWN


@pytest.mark.parametrize(("values", "address"), [
    ({"platform_address": "10.0.0.5", "ansible_host": "192.0.2.1"}, "10.0.0.5"),
    ({"platform_address": "", "ansible_host": "192.0.2.1"}, "192.0.2.1"),
    ({"platform_address": "not-an-ip", "ansible_host": "fd00::5"}, "fd00::5"),
    ({"ansible_host": "central-1.example"}, None),
    ({"platform_address": None}, None),
    ({}, None),
])
def test_host_address(values, address):
    ctx = make_context({"h": values})
    assert host_address(ctx, "h") == (ipaddress.ip_address(address) if address else None)


def test_host_address_skips_an_unevaluable_value():
    ctx = make_context({"h": FactVars({"ansible_host": "192.0.2.1"}, {"platform_address"})})
    assert host_address(ctx, "h") == ipaddress.ip_address("192.0.2.1")
