# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters gateway_key_secret_specs, rgw_user_secret_specs, ceph_cluster_entity_kinds and
ceph_cluster_secret_specs: the secrets the roles generate from their own data, given once in
plugin_utils/secret_specs.py (the secret plan uses the same functions, test_secret_plan.py)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.secret_specs import (
    FilterModule,
    ceph_cluster_entity_kinds,
    ceph_cluster_secret_specs,
    gateway_key_secret_specs,
    rgw_user_secret_specs,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils import secret_specs


def test_the_filters_are_offered():
    assert sorted(FilterModule().filters()) == ["ceph_cluster_entity_kinds", "ceph_cluster_secret_specs",
                                                "gateway_key_secret_specs", "rgw_user_secret_specs"]


# The selection the inference_gateway role made in Jinja before this filter: mapping entries
# with a string name and no value, without state or with state present.
GATEWAY_KEYS = [
    {"name": "team-ml", "kind": "team"},
    {"name": "ops", "state": "present"},
    {"name": "bench", "value": "sk-given-by-the-site-0123456789"},
    {"name": "empty-value", "value": ""},            # a given value, even empty, is not generated
    {"name": "none-value", "value": None},
    {"name": "old", "state": "absent"},
    {"name": "no-state", "state": None},             # neither unset nor present
    {"name": 42},                                    # not a string name: gateway_api_keys refuses it
    {"kind": "user"},
    "not-a-mapping",
    {"name": "team-ml", "kind": "user"},             # twice: one secret
]


def test_gateway_keys_without_a_value_that_are_present_are_generated_with_48_characters():
    assert gateway_key_secret_specs(GATEWAY_KEYS) == {"team-ml": {"length": 48}, "ops": {"length": 48}}


@pytest.mark.parametrize("keys", [[], None, {"name": "x"}, "x"])
def test_no_gateway_key_to_generate(keys):
    assert gateway_key_secret_specs(keys) == {}


def test_a_gateway_spec_is_a_copy_each_time():
    specs = gateway_key_secret_specs([{"name": "a"}, {"name": "b"}])
    specs["a"]["length"] = 1
    assert specs["b"] == {"length": 48} and secret_specs.GATEWAY_KEY_SPEC == {"length": 48}


RGW_KEYS = {"access_key": {"length": 20}, "secret_key": {"length": 40}}


def test_rgw_users_that_are_to_exist_with_their_namespace_and_key_specs():
    users = [{"uid": "langfuse", "display_name": "Langfuse", "buckets": ["langfuse"]},
             {"uid": "backups", "state": "present"},
             {"uid": "gone", "state": "absent"},
             {"display_name": "no uid"},
             "not-a-mapping"]
    assert rgw_user_secret_specs(users) == {
        "langfuse": {"namespace": "ceph/rgw/langfuse", "specs": RGW_KEYS},
        "backups": {"namespace": "ceph/rgw/backups", "specs": RGW_KEYS},
    }


@pytest.mark.parametrize("users", [[], None, {"uid": "x"}])
def test_no_rgw_user_keys(users):
    assert rgw_user_secret_specs(users) == {}


def test_the_ceph_entities_per_daemon_kind_in_import_order():
    assert ceph_cluster_entity_kinds(["ceph-1.site.example", "ceph-2"], ["ceph-1.site.example"], ["ceph-2"]) == [
        {"entity": "client.admin", "kind": "admin"},
        {"entity": "client.bootstrap-osd", "kind": "bootstrap-osd"},
        {"entity": "mgr.ceph-1", "kind": "mgr"},
        {"entity": "mgr.ceph-2", "kind": "mgr"},
        {"entity": "mds.ceph-1", "kind": "mds"},
        {"entity": "client.rgw.ceph-2", "kind": "rgw"},
    ]
    assert ceph_cluster_entity_kinds([], [], []) == [{"entity": "client.admin", "kind": "admin"},
                                                     {"entity": "client.bootstrap-osd", "kind": "bootstrap-osd"}]


def test_the_ceph_secrets_are_the_fsid_the_monitor_key_and_every_entity_key():
    specs = ceph_cluster_secret_specs(["ceph-1", "ceph-2"], ["ceph-1"], ["ceph-3.example"])
    assert specs == {
        "fsid": {"chars": "hex", "length": 32},
        "mon.": {"chars": "cephx"},
        "client.admin": {"chars": "cephx"},
        "client.bootstrap-osd": {"chars": "cephx"},
        "mgr.ceph-1": {"chars": "cephx"},
        "mgr.ceph-2": {"chars": "cephx"},
        "mds.ceph-1": {"chars": "cephx"},
        "client.rgw.ceph-3": {"chars": "cephx"},
    }
    entities = [entry["entity"] for entry in ceph_cluster_entity_kinds(["ceph-1", "ceph-2"], ["ceph-1"], ["ceph-3.example"])]
    assert sorted(specs) == sorted(["fsid", "mon."] + entities)


@pytest.mark.parametrize("function", [ceph_cluster_entity_kinds, ceph_cluster_secret_specs])
@pytest.mark.parametrize("arguments,wrong", [
    (("ceph-1", [], []), "mgr_hosts"),
    (([], None, []), "mds_hosts"),
    (([], [], [1]), "rgw_hosts"),
])
def test_ceph_host_lists_must_be_lists_of_names(function, arguments, wrong):
    with pytest.raises(AnsibleFilterError, match="%s: %s must be a list of host names" % (function.__name__, wrong)):
        function(*arguments)
