# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secret plan (plugin_utils/secret_plan.py): every secret a run will read, from the catalog,
the placement, the gateway's keys and the Ceph cluster, with the spec the role creates it with."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.filter.secret_specs import (
    ceph_cluster_secret_specs,
    gateway_key_secret_specs,
    rgw_user_secret_specs,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.secret_plan import secret_plan
from rule_context import FactVars, make_context

CATALOG = dict((entry["name"], entry) for entry in resolve())


def plan(hostvars, groups, role_hosts):
    return secret_plan(make_context(hostvars, groups=groups, role_hosts=role_hosts))


def central_site(**central_vars):
    hostvars = {"core-1": dict({"ansible_host": "10.0.0.10"}, **central_vars)}
    groups = {"central": ["core-1"], "dns_servers": ["core-1"]}
    return plan(hostvars, groups, {"central_services": ["core-1"]})


def test_every_secret_of_each_enabled_central_service_with_its_catalog_spec():
    result = central_site(central_services_enabled=["n8n", "guacamole"])
    expected = {"n8n/%s" % name: spec for name, spec in CATALOG["n8n"]["secrets"].items()}
    expected.update(("guacamole/%s" % name, spec) for name, spec in CATALOG["guacamole"]["secrets"].items())
    assert dict((name, spec) for name, (spec, _why) in result.secrets.items()) == expected
    assert result.secrets["guacamole/admin_totp_key"] == ({"length": 32, "chars": "base32"}, "central service guacamole on core-1")


def test_a_service_that_is_not_enabled_needs_no_secret():
    result = central_site(central_services_enabled=["qdrant"])
    assert sorted(result.secrets) == sorted("qdrant/%s" % name for name in CATALOG["qdrant"]["secrets"])


def workspace_site(workspace_vars, users=None):
    hostvars = {
        "core-1": {"ansible_host": "10.0.0.10", "central_services_enabled": ["qdrant", "langfuse"]},
        "ws-alice": dict({"ansible_host": "10.0.5.11", "workspace_user": "alice"}, **workspace_vars),
        "os-1": {"workspace_vms_users": users or []},
    }
    groups = {"central": ["core-1"], "workspace_vms": ["ws-alice"], "dns_servers": ["core-1"]}
    role_hosts = {"central_services": ["core-1"], "workspace_stack": ["ws-alice"], "workspace_vms": ["os-1"]}
    return plan(hostvars, groups, role_hosts)


def test_a_workspace_has_its_desktop_password_and_its_local_services_own_secrets():
    result = workspace_site({"workspace_local_services": ["ollama", "qdrant"]})
    assert result.secrets["workspace-alice/desktop_password"][0] == {"length": 24}
    # The user's own Guacamole password (issue 19), kept next to the desktop's, same reason.
    assert result.secrets["workspace-alice/guacamole_password"] == ({"length": 24}, "desktop and Guacamole account of alice (ws-alice)")
    for name, spec in CATALOG["qdrant"]["secrets"].items():
        assert result.secrets["workspace-alice-qdrant/%s" % name] == (spec, "qdrant in the workspace of alice")
    assert not [name for name in result.secrets if name.startswith("workspace-alice-ollama/")]


def test_a_workspace_vm_not_created_yet_is_planned_too():
    result = workspace_site({}, users=[{"user": "bob", "fixed_ip": "10.0.5.12"}, {"user": "carol", "state": "absent"}])
    assert "workspace-bob/desktop_password" in result.secrets and "workspace-bob/guacamole_password" in result.secrets
    # A user whose VM is absent gets neither: its Guacamole account is removed (central_services).
    assert not [name for name in result.secrets if name.startswith("workspace-carol/")]


def test_the_gateway_keys_without_a_value_and_its_own_secrets():
    keys = [{"name": "team-ml", "kind": "team"}, {"name": "bench", "value": "sk-given-by-the-site-0123456789"},
            {"name": "old", "state": "absent"}]
    result = plan({"gw-1": {"ansible_host": "10.0.0.20", "inference_gateway_api_keys": keys}},
                  {"gateway": ["gw-1"]}, {"inference_gateway": ["gw-1"]})
    assert sorted(result.secrets) == sorted(["gateway-key/team-ml"] + ["gateway/%s" % name for name in CATALOG["gateway"]["secrets"]])
    assert result.secrets["gateway-key/team-ml"][0] == {"length": 48}


def test_gateway_keys_that_need_the_play_are_said_not_guessed():
    hostvars = {"gw-1": FactVars({}, {"inference_gateway_api_keys"})}
    result = plan(hostvars, {"gateway": ["gw-1"]}, {"inference_gateway": ["gw-1"]})
    assert result.unknown == ["host gw-1: inference_gateway_api_keys needs the play; its keys are not planned"]


def test_the_ceph_cluster_keys_per_daemon_and_the_rgw_users():
    hosts = ["ceph-1.site.example", "ceph-2", "ceph-3"]
    groups = {"ceph_mons": hosts, "ceph_mgrs": hosts[:2], "ceph_osds": hosts, "ceph_mdss": ["ceph-1.site.example"],
              "ceph_rgws": ["ceph-2"]}
    hostvars = dict((host, {}) for host in hosts)
    hostvars["ceph-1.site.example"]["ceph_resources_rgw_users"] = [
        {"uid": "langfuse"}, {"uid": "gone", "state": "absent"}]
    result = plan(hostvars, groups, {"ceph_cluster": hosts, "ceph_resources": ["ceph-1.site.example"]})
    assert sorted(result.secrets) == sorted([
        "ceph/fsid", "ceph/mon.", "ceph/client.admin", "ceph/client.bootstrap-osd", "ceph/mgr.ceph-1", "ceph/mgr.ceph-2",
        "ceph/mds.ceph-1", "ceph/client.rgw.ceph-2", "ceph/rgw/langfuse/access_key", "ceph/rgw/langfuse/secret_key"])
    assert result.secrets["ceph/mgr.ceph-1"][0] == {"chars": "cephx"}
    assert result.secrets["ceph/fsid"][0] == {"chars": "hex", "length": 32}
    assert result.secrets["ceph/rgw/langfuse/secret_key"][0] == {"length": 40}


def test_nothing_to_plan_for_an_inventory_without_those_roles():
    assert plan({"a": {}}, {}, {}).secrets == {}


# The plan and the roles share one piece of code (plugin_utils/secret_specs.py): the plan's
# names and specs are what the roles' filters give for the same data. (That the roles call these
# filters is test_secret_plan_roles.py.)
def specs_under(result, namespace):
    prefix = namespace + "/"
    return dict((name[len(prefix):], spec) for name, (spec, _why) in result.secrets.items() if name.startswith(prefix))


def test_the_planned_gateway_keys_are_what_the_roles_filter_gives():
    keys = [{"name": "team-ml"}, {"name": "ops", "state": "present"}, {"name": "bench", "value": "sk-x" * 8},
            {"name": "old", "state": "absent"}, {"name": "odd", "state": None}, {"name": 7}, "text", {"kind": "user"}]
    result = plan({"gw-1": {"ansible_host": "10.0.0.20", "inference_gateway_api_keys": keys}},
                  {"gateway": ["gw-1"]}, {"inference_gateway": ["gw-1"]})
    assert specs_under(result, "gateway-key") == gateway_key_secret_specs(keys) == {
        "team-ml": {"length": 48}, "ops": {"length": 48}}


def test_the_planned_ceph_secrets_are_what_the_roles_filters_give():
    hosts = ["ceph-1.site.example", "ceph-2", "ceph-3"]
    groups = {"mons": hosts, "managers": hosts, "ceph_osds": hosts, "metadata": ["ceph-3"], "gateways": hosts[:2]}
    hostvars = dict((host, {"ceph_cluster_mon_group": "mons", "ceph_cluster_mgr_group": "managers",
                            "ceph_cluster_mds_group": "metadata", "ceph_cluster_rgw_group": "gateways"}) for host in hosts)
    users = [{"uid": "langfuse"}, {"uid": "backups", "state": "present"}, {"uid": "gone", "state": "absent"}]
    hostvars["ceph-2"]["ceph_resources_rgw_users"] = users
    result = plan(hostvars, groups, {"ceph_cluster": hosts, "ceph_resources": ["ceph-2"]})
    rgw = dict((name, spec) for name, spec in specs_under(result, "ceph").items() if name.startswith("rgw/"))
    cluster = dict((name, spec) for name, spec in specs_under(result, "ceph").items() if not name.startswith("rgw/"))
    assert cluster == ceph_cluster_secret_specs(groups["managers"], groups["metadata"], groups["gateways"])
    assert sorted(cluster) == sorted(["fsid", "mon.", "client.admin", "client.bootstrap-osd", "mgr.ceph-1", "mgr.ceph-2",
                                      "mgr.ceph-3", "mds.ceph-3", "client.rgw.ceph-1", "client.rgw.ceph-2"])
    expected = {}
    for uid, keys in rgw_user_secret_specs(users).items():
        expected.update(("%s/%s" % (keys["namespace"][len("ceph/"):], name), spec) for name, spec in keys["specs"].items())
    assert rgw == expected
    assert sorted(rgw) == ["rgw/backups/access_key", "rgw/backups/secret_key", "rgw/langfuse/access_key", "rgw/langfuse/secret_key"]


def test_the_inventorys_own_literal_lookups_are_planned_and_expressions_are_warned_about():
    from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import Definition

    definitions = [
        Definition("group", "all", "site_smtp_password", "group_vars/all/mail.yml", 4, False,
                   "{{ lookup('foundrycloud.platform.platform_secret', 'site/smtp_password', length=24) }}"),
        Definition("host", "core-1", "site_token", "host_vars/core-1.yml", 2, False,
                   "{{ lookup('foundrycloud.platform.platform_secret', 'site/' ~ inventory_hostname) }}"),
    ]
    hostvars = {"core-1": {"ansible_host": "10.0.0.10", "central_services_enabled": ["qdrant"]}}
    result = secret_plan(make_context(hostvars, groups={"central": ["core-1"]},
                                      role_hosts={"central_services": ["core-1"]}, files=definitions))
    assert result.secrets["site/smtp_password"] == (
        {"length": 24}, "the inventory's own lookup (site_smtp_password in group_vars/all/mail.yml:4)")
    assert [w for w in result.unknown if w.startswith("host_vars/core-1.yml:2: site_token: ")]
