# -*- coding: utf-8 -*-
"""The platform_secret lookups an inventory writes itself: planned when written literally,
reported with file and line when they are expressions."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_secret_lookups import (
    inventory_lookups,
    lookups_in,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import Definition


@pytest.mark.parametrize("written, planned", [
    ("{{ lookup('foundrycloud.platform.platform_secret', 'site/smtp_password', length=24) }}",
     {"site/smtp_password": {"length": 24}}),
    ('{{ lookup("foundrycloud.platform.platform_secret", "site/token", chars="hex", length=64) }}',
     {"site/token": {"chars": "hex", "length": 64}}),
    ("{{ query('foundrycloud.platform.platform_secret', 'a/one', 'a/two') | first }}",
     {"a/one": {}, "a/two": {}}),
    ("{{ lookup('platform_secret', 'short/name') }}", {"short/name": {}}),
    ("plain text without a lookup", {}),
])
def test_literal_lookups_are_planned_with_their_spec(written, planned):
    secrets, unplannable = lookups_in({"nested": [written]})
    assert secrets == planned
    assert unplannable == []


@pytest.mark.parametrize("written", [
    "{{ lookup('foundrycloud.platform.platform_secret', 'site/' ~ inventory_hostname) }}",
    "{{ lookup('foundrycloud.platform.platform_secret', secret_name) }}",
    "{{ lookup('foundrycloud.platform.platform_secret', 'site/key', length=key_length) }}",
    "{{ lookup('foundrycloud.platform.platform_secret', specs=my_specs, namespace='x') }}",
])
def test_expressions_are_reported_not_guessed(written):
    secrets, unplannable = lookups_in(written)
    assert secrets == {}
    assert len(unplannable) == 1 and "platform_secret" in unplannable[0]


def test_inventory_lookups_say_where_and_skip_vaulted_values():
    definitions = [
        Definition("group", "all", "site_smtp", "group_vars/all/mail.yml", 3, False,
                   {"password": "{{ lookup('foundrycloud.platform.platform_secret', 'site/smtp', length=20) }}"}),
        Definition("host", "core-1", "site_key", "host_vars/core-1.yml", 7, False,
                   "{{ lookup('foundrycloud.platform.platform_secret', 'site/' ~ inventory_hostname) }}"),
        Definition("group", "all", "vaulted", "group_vars/all/vault.yml", 1, True,
                   "{{ lookup('foundrycloud.platform.platform_secret', 'never/read') }}"),
    ]
    planned, warnings = inventory_lookups(definitions)
    assert planned == {"site/smtp": ({"length": 20}, "site_smtp in group_vars/all/mail.yml:3")}
    assert len(warnings) == 1 and warnings[0].startswith("host_vars/core-1.yml:7: site_key: ")
