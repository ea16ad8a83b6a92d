# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles read exactly the secrets the plan creates: the roles' own templates (inference_gateway
tasks/main.yml, ceph_resources tasks/rgw.yml, ceph_cluster vars/main.yml and tasks/check.yml) are
rendered through Ansible's templar and collection loader, their platform_secret lookups recorded
(name, length, chars), and compared with secret_plan for the same inventory data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar, trust_as_template
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

from ansible_collections.foundrycloud.platform.plugins.plugin_utils import secrets_file as plain_secrets_file
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.secret_plan import secret_plan
from rule_context import make_context

REPO_ROOT = Path(__file__).resolve().parents[5]
COLLECTIONS_DIR = REPO_ROOT / "collections"
ROLES = REPO_ROOT / "roles"


def _collection_modules():
    return dict((key, module) for key, module in sys.modules.items()
                if key == "ansible_collections" or key.startswith("ansible_collections."))


@pytest.fixture(scope="module")
def collection_loader():
    """Ansible's collection loader for this checkout, as ansible-playbook installs it (the plain
    import of the unit tests is set aside and restored, as in test_platform_secret.py)."""
    saved = _collection_modules()
    for key in saved:
        del sys.modules[key]
    init_plugin_loader([str(COLLECTIONS_DIR)])
    yield
    _AnsibleCollectionFinder._remove()
    for key in _collection_modules():
        del sys.modules[key]
    sys.modules.update(saved)


@pytest.fixture
def role_reads(collection_loader, monkeypatch, tmp_path):
    """A function rendering a role's template; returns {name: (length, chars)} of every secret the
    platform_secret lookups asked for (in a throwaway plaintext secrets file)."""
    del collection_loader
    loader = DataLoader()
    # The secrets_file module of the lookup the templar runs (the plugin loader keeps the module it
    # loaded first, which an earlier test's collection loader may have imported).
    lookup = lookup_loader.get("foundrycloud.platform.platform_secret", loader=loader)
    secrets_file = type(lookup).run.__globals__["secrets_file"]
    asked = {}
    ensure = secrets_file.SecretsFile.ensure

    def recording_ensure(self, wanted, create=True):
        asked.update((name, (length, chars)) for name, length, chars in wanted)
        return ensure(self, wanted, create=create)

    monkeypatch.setattr(secrets_file.SecretsFile, "ensure", recording_ensure)
    base = {"platform_secrets_file": str(tmp_path / "secrets" / "platform.vault.yml"),
            "platform_secrets_allow_plaintext": True}

    def render(template, variables):
        templar = Templar(loader=loader, variables=dict(base, **variables))
        return templar.template(trust_as_template(template))

    render.asked = asked
    render.loader = loader
    return render


def _yaml(path, loader):
    return loader.load_from_file(str(path), trusted_as_template=True)


def _task(path, name, loader):
    return next(task for task in _yaml(path, loader) if task.get("name") == name)


def planned(result, *prefixes):
    """{name: (length, chars)} of the plan's secrets under these prefixes, as the lookup checks a spec."""
    return dict((name, plain_secrets_file.checked_spec(name, spec)[1:]) for name, (spec, _why) in result.secrets.items()
                if name.startswith(prefixes))


API_KEYS = [{"name": "team-ml", "kind": "team"}, {"name": "ops", "kind": "user", "state": "present"},
            {"name": "bench", "kind": "tool", "value": "sk-given-by-the-site-0123456789"},
            {"name": "old", "kind": "user", "state": "absent"}]


def test_the_gateway_role_reads_the_planned_api_keys(role_reads):
    # alice and carol work in workspace VMs: each gets a key of her own; the inventory revoked carol's.
    result = secret_plan(make_context(
        {"gw-1": {"ansible_host": "10.0.0.20", "inference_gateway_api_keys": API_KEYS + [{"name": "carol", "state": "absent"}]},
         "ws-1": {"ansible_host": "10.0.5.11", "workspace_user": "alice"},
         "ws-2": {"ansible_host": "10.0.5.12", "workspace_user": "carol"}},
        groups={"gateway": ["gw-1"], "workspace_vms": ["ws-1", "ws-2"]}, role_hosts={"inference_gateway": ["gw-1"]}))
    task = _task(ROLES / "inference_gateway" / "tasks" / "main.yml", "Read or generate the API keys (the inventory's and "
                 "one per workspace user)", role_reads.loader)
    # playbooks/gateway.yml hands the placement's users to the role.
    keys = role_reads(task["vars"]["inference_gateway_keys"], {
        "inference_gateway_api_keys": API_KEYS + [{"name": "carol", "state": "absent"}],
        "inference_gateway_workspace_users": ["alice", "carol"], "inference_gateway_workspace_key": {"rpm": 10}})
    values = role_reads(task["vars"]["inference_gateway_key_values"], {"inference_gateway_keys": keys})
    assert sorted(values) == ["alice", "ops", "team-ml"]
    assert role_reads.asked == planned(result, "gateway-key/") == {
        "gateway-key/alice": (48, "alnum"), "gateway-key/ops": (48, "alnum"), "gateway-key/team-ml": (48, "alnum")}


RGW_USERS = [{"uid": "langfuse", "display_name": "Langfuse", "buckets": ["langfuse"]},
             {"uid": "backups", "display_name": "Backups", "state": "present"},
             {"uid": "gone", "display_name": "Gone", "state": "absent"}]


def test_the_ceph_resources_role_reads_the_planned_s3_keys(role_reads):
    result = secret_plan(make_context({"ceph-1": {"ceph_resources_rgw_users": RGW_USERS}},
                                      groups={"ceph_mons": ["ceph-1"]}, role_hosts={"ceph_resources": ["ceph-1"]}))
    task = _task(ROLES / "ceph_resources" / "tasks" / "rgw.yml", "Generate or read the S3 credentials of the RGW users",
                 role_reads.loader)
    credentials = {}
    for item in role_reads(task["loop"], {"ceph_resources_rgw_users": RGW_USERS}):
        credentials = role_reads(task["ansible.builtin.set_fact"]["ceph_resources_rgw_credentials"],
                                 {"item": item, "ceph_resources_rgw_credentials": credentials})
    assert sorted(credentials) == ["backups", "langfuse"]
    assert sorted(credentials["langfuse"]) == ["access_key", "secret_key"]
    assert len(credentials["langfuse"]["access_key"]) == 20 and len(credentials["langfuse"]["secret_key"]) == 40
    assert role_reads.asked == planned(result, "ceph/rgw/") == {
        "ceph/rgw/langfuse/access_key": (20, "alnum"), "ceph/rgw/langfuse/secret_key": (40, "alnum"),
        "ceph/rgw/backups/access_key": (20, "alnum"), "ceph/rgw/backups/secret_key": (40, "alnum")}


@pytest.mark.parametrize("group_vars,groups", [
    ({}, {"ceph_mgrs": ["ceph-1.site.example", "ceph-2"], "ceph_mdss": ["ceph-1.site.example"], "ceph_rgws": ["ceph-3"]}),
    ({"ceph_cluster_mgr_group": "managers", "ceph_cluster_mds_group": "metadata", "ceph_cluster_rgw_group": "gateways"},
     {"managers": ["ceph-3"], "metadata": [], "gateways": ["ceph-1.site.example", "ceph-2"]}),
    ({}, {}),
])
def test_the_ceph_cluster_role_reads_the_planned_keys(role_reads, group_vars, groups):
    hosts = ["ceph-1.site.example", "ceph-2", "ceph-3"]
    groups = dict(groups, ceph_mons=hosts, ceph_osds=hosts)
    result = secret_plan(make_context(dict((host, dict(group_vars)) for host in hosts), groups=groups,
                                      role_hosts={"ceph_cluster": hosts}))
    variables = dict(_yaml(ROLES / "ceph_cluster" / "defaults" / "main.yml", role_reads.loader))
    variables.update(_yaml(ROLES / "ceph_cluster" / "vars" / "main.yml", role_reads.loader))
    variables.update(group_vars, groups=groups)
    task = _task(ROLES / "ceph_cluster" / "tasks" / "check.yml", "Compute this host's address, daemon types and the cluster's keys",
                 role_reads.loader)
    keys = role_reads(task["ansible.builtin.set_fact"]["ceph_cluster_secrets"], variables)
    assert role_reads.asked == planned(result, "ceph/")
    assert "ceph/fsid" in role_reads.asked and role_reads.asked["ceph/fsid"] == (32, "hex")
    # The entities whose caps the role imports are the planned keys but the fsid and the monitors' key.
    entities = role_reads("{{ ceph_cluster_entities }}", variables)
    assert sorted("ceph/" + entry["entity"] for entry in entities) == sorted(set(planned(result, "ceph/")) - {"ceph/fsid", "ceph/mon."})
    assert sorted(keys) == sorted(name[len("ceph/"):] for name in planned(result, "ceph/"))


def test_the_ceph_cluster_role_gives_each_entity_the_caps_of_its_kind(role_reads):
    variables = dict(_yaml(ROLES / "ceph_cluster" / "defaults" / "main.yml", role_reads.loader))
    variables.update(_yaml(ROLES / "ceph_cluster" / "vars" / "main.yml", role_reads.loader))
    variables["groups"] = {"ceph_mgrs": ["ceph-1"], "ceph_mdss": ["ceph-2.example"], "ceph_rgws": ["ceph-3"]}
    role_vars = yaml.safe_load((ROLES / "ceph_cluster" / "vars" / "main.yml").read_text())
    daemon = role_vars["ceph_cluster_daemon_caps"]
    assert role_reads("{{ ceph_cluster_entities }}", variables) == [
        {"entity": "client.admin", "caps": {"mon": "allow *", "osd": "allow *", "mds": "allow *", "mgr": "allow *"}},
        {"entity": "client.bootstrap-osd", "caps": {"mon": "allow profile bootstrap-osd"}},
        {"entity": "mgr.ceph-1", "caps": daemon["mgr"]},
        {"entity": "mds.ceph-2", "caps": daemon["mds"]},
        {"entity": "client.rgw.ceph-3", "caps": daemon["rgw"]},
    ]
    assert daemon["rgw"] == {"mon": "allow rw", "osd": "allow rwx", "mgr": "allow rw"}   # molecule/ceph/verify.yml
