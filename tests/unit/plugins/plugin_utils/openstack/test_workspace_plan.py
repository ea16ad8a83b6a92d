# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The workspace VMs' data (openstack/workspace_plan.py): one server per user, problems naming
the user, images and keypairs."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.found_state import images_to_upload
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.openstack.workspace_plan import workspace_plan
from openstack_plan_cases import data

NETWORKS = data()["networks"]
GROUPS_DATA = data()["security_groups"]
DEFAULTS = {"project": "ws", "flavor": "m1.small", "image": "debian-13", "network": "ws-net",
            "security_groups": ["workspace"], "keypair": "deploy", "volume_size": 0, "availability_zone": "",
            "name_format": "ws-{user}", "metadata": {"site": "berlin"}, "customer": "acme"}


def servers(users, **kwargs):
    kwargs.setdefault("networks", NETWORKS)
    kwargs.setdefault("security_groups", GROUPS_DATA)
    return workspace_plan(users, DEFAULTS, **kwargs)


def test_one_server_per_user_with_defaults():
    result = servers([{"user": "alice", "fixed_ip": "10.20.5.11"}, {"user": "bob", "flavor": "m1.large", "state": "absent"}])
    assert result["problems"] == []
    alice, bob = result["servers"]
    assert alice == {
        "user": "alice", "name": "ws-alice", "port_name": "ws-alice-port", "state": "present", "project": "ws",
        "flavor": "m1.small", "image": "debian-13", "network": "ws-net", "keypair": "deploy", "availability_zone": None,
        "volume_size": 0, "security_groups": ["workspace"], "fixed_ip": "10.20.5.11", "subnet": "ws-net-v4",
        "ssh_authorized_keys": [], "metadata": {"customer": "acme", "site": "berlin", "user": "alice"},
    }
    assert bob["state"] == "absent" and bob["flavor"] == "m1.large" and bob["fixed_ip"] is None


def test_metadata_customer_and_user_cannot_be_overridden():
    result = servers([{"user": "alice", "metadata": {"user": "mallory", "team": "ml"}}])
    assert result["servers"][0]["metadata"] == {"customer": "acme", "site": "berlin", "team": "ml", "user": "alice"}


@pytest.mark.parametrize("users, message", [
    ([{"user": "Alice"}], "workspace_vms_users[Alice]: user 'Alice' is not a valid login name"),
    ([{"user": "backup"}], "workspace_vms_users[backup]: user 'backup' is a system account; a workspace user must be "
                           "a person's own account"),
    ([{"user": "alice"}, {"user": "alice"}], "workspace_vms_users[alice]: user alice is declared twice"),
    ([{"user": "alice", "fixed_ip": "10.20.9.1"}], "fixed_ip 10.20.9.1 is in no subnet of network ws-net (10.20.5.0/24)"),
    ([{"user": "alice", "fixed_ip": "10.20.5.0"}], "is the network or broadcast address"),
    ([{"user": "alice", "fixed_ip": "10.20.5.11"}, {"user": "bob", "fixed_ip": "10.20.5.11"}],
     "workspace_vms_users[bob]: fixed_ip 10.20.5.11 is declared twice"),
    ([{"user": "alice", "fixed_ip": "nope"}], "fixed_ip 'nope' is not an IP address"),
    ([{"user": "alice", "network": "other"}], "network 'other' is not in openstack_network_networks"),
    ([{"user": "alice", "security_groups": ["central"]}], "security group 'central' is not in openstack_network_security_groups for project ws"),
    ([{"user": "alice", "flavor_name": "x"}], "unknown key(s) flavor_name"),
    ([{"user": "alice", "volume_size": -1}], "volume_size must be a number of GiB"),
    ([{"user": "alice", "metadata": {"tags": ["a"]}}], "metadata values must be text, got tags"),
    ([{"user": "alice", "name": "ws-bob"}, {"user": "bob"}], "workspace_vms_users[bob]: server name ws-bob is declared twice"),
])
def test_user_problems_are_named(users, message):
    problems = servers(users)["problems"]
    assert any(message in p for p in problems), problems


def test_required_values_without_defaults():
    result = workspace_plan([{"user": "alice"}], {"name_format": "ws-{user}"})
    assert result["problems"] == [
        "workspace_vms_users[alice]: %s is not set (set it here or workspace_vms_%s for every user)" % (key, key)
        for key in ("project", "flavor", "image", "network")]


def test_a_removed_user_needs_only_a_project():
    result = workspace_plan([{"user": "bob", "state": "absent", "project": "ws"}], {})
    assert result["problems"] == []


def test_name_format_with_customer_and_a_bad_format():
    assert servers([{"user": "alice"}], )["servers"][0]["name"] == "ws-alice"
    defaults = dict(DEFAULTS, name_format="{customer}-{user}")
    assert workspace_plan([{"user": "alice"}], defaults)["servers"][0]["name"] == "acme-alice"
    defaults = dict(DEFAULTS, name_format="{who}")
    assert "workspace_vms_name_format: '{who}' cannot be formatted" in workspace_plan([{"user": "alice"}], defaults)["problems"][0]


def test_images_and_keypairs():
    result = servers([], images=[{"name": "debian-13", "url": "https://x/d.qcow2", "checksum": "sha256:ab12"},
                                 {"name": "cirros"}],
                     keypairs=[{"name": "deploy", "public_key": "ssh-ed25519 AAAA x"}, {"name": "old", "state": "absent"}])
    assert result["problems"] == []
    assert [i["upload"] for i in result["images"]] == [True, False]
    assert result["keypairs"][1] == {"name": "old", "state": "absent", "public_key": None, "public_key_file": None}
    read = [{"images": [{"name": "cirros", "id": "i-1"}]}, {"images": []}]
    assert images_to_upload(result["images"], read) == [result["images"][0]]
    assert images_to_upload(result["images"], [{"images": [{"name": "debian-13"}]}]) == []


@pytest.mark.parametrize("images, keypairs, message", [
    ([{"name": "a", "url": "u", "file": "f"}], [], "workspace_vms_images[a]: give url or file, not both"),
    ([{"name": "a", "checksum": "abc"}], [], "checksum must look like sha256:<hex>"),
    ([], [{"name": "k"}], "workspace_vms_keypairs[k]: give exactly one of public_key and public_key_file"),
])
def test_image_and_keypair_problems(images, keypairs, message):
    assert any(message in p for p in servers([], images=images, keypairs=keypairs)["problems"])
