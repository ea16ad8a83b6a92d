# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every secret an inventory's run will ask the platform_secret lookup for, computed offline from
the same data the roles use: the service catalog, the placement (central services, each
workspace's user and local services, the services they are wired to), the gateway's API keys,
the Ceph cluster's daemons and RADOS gateway users.

``./foundry secrets`` creates the missing ones into the inventory's secrets file once; in CI the
validation refuses a run that would have to create one (a pipeline's workspace is thrown away,
so a secret generated there would be lost and the next pipeline would make another). The
secrets a role derives from its own data (the gateway's API keys, the Ceph cluster's keys, the RADOS
gateway users' S3 keys) are named and specified by secret_specs.py, whose functions the roles call
through filters; the catalog's secrets are the catalog entries' own. So what is planned here is
what the roles read."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils import backup, gateway
from ansible_collections.foundrycloud.platform.plugins.plugin_utils import inventory_secret_lookups, secret_specs
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation import services
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.values import UNKNOWN, role_value


class SecretPlan:
    """name -> (spec, why); the first reason given for a name is kept."""

    def __init__(self):
        self.secrets: dict = {}
        self.unknown: list = []   # what could not be planned offline, said as a warning

    def add(self, namespace: str, specs, why: str) -> None:
        for name, spec in sorted((specs or {}).items()):
            self.secrets.setdefault("%s/%s" % (namespace, name), (dict(spec or {}), why))

    def as_dict(self) -> dict:
        return dict((name, {"spec": spec, "why": why}) for name, (spec, why) in sorted(self.secrets.items()))


def _central_services(ctx, plan: SecretPlan) -> None:
    for host in ctx.role_hosts.get("central_services", []):
        catalog = services.host_catalog(ctx, host)
        if catalog is None:
            continue   # validation names the override that does not resolve
        for name in services.enabled_central_services(ctx, host, catalog):
            if name in catalog:
                plan.add(name, catalog[name].get("secrets"), "central service %s on %s" % (name, host))


def _workspaces(ctx, plan: SecretPlan) -> None:
    if not ctx.role_hosts.get("workspace_stack") and not ctx.role_hosts.get("central_services"):
        return
    computed = services.compute_placement(ctx, services.planned_workspaces(ctx))
    if computed is None:
        return
    result, catalog = computed
    for host, workspace in sorted(result["workspaces"].items()):
        user = workspace["user"]
        plan.add(workspace["secret_namespace"], workspace["secret_specs"], "desktop and Guacamole account of %s (%s)" % (user, host))
        for name in workspace["local"]:
            entry = catalog.get(name) or {}
            if entry.get("deployed_by"):
                continue   # a role of its own (ollama) keeps no catalog secrets here
            plan.add(workspace["endpoints"][name]["secret_namespace"], entry.get("secrets"),
                     "%s in the workspace of %s" % (name, user))
            # secrets of the services it is wired to, with the owner's spec (workspace_stack/tasks/service.yml)
            for reference in (workspace["settings"].get(name, {}).get("secrets") or {}).values():
                if reference:
                    plan.add(reference["namespace"], {reference["name"]: reference["spec"]},
                             "%s, used by %s in the workspace of %s" % (reference["service"], name, user))


def _workspace_users(ctx) -> list:
    computed = services.compute_placement(ctx, services.planned_workspaces(ctx))
    if computed is None:
        return []
    return sorted(workspace["user"] for workspace in computed[0]["workspaces"].values())


def _gateway(ctx, plan: SecretPlan) -> None:
    for host in ctx.role_hosts.get("inference_gateway", []):
        catalog = services.host_catalog(ctx, host)
        if catalog is not None and "gateway" in catalog:
            plan.add("gateway", catalog["gateway"].get("secrets"), "the inference gateway on %s" % host)
        keys = role_value(ctx, host, "inference_gateway", "inference_gateway_api_keys", [])
        if keys is UNKNOWN:
            plan.unknown.append("host %s: inference_gateway_api_keys needs the play; its keys are not planned" % host)
            continue
        limits = role_value(ctx, host, "inference_gateway", "inference_gateway_workspace_key", {})
        try:
            # playbooks/gateway.yml gives the role the placement's workspace users.
            keys = gateway.with_workspace_keys(keys, _workspace_users(ctx), None if limits is UNKNOWN else limits)
        except gateway.GatewayError:
            pass   # the validation names it; the inventory's own keys are still planned
        for name, spec in secret_specs.gateway_key_secret_specs(keys).items():
            plan.add(secret_specs.GATEWAY_KEY_NAMESPACE, {name: spec}, "gateway API key %s" % name)


def _ceph(ctx, plan: SecretPlan) -> None:
    hosts = ctx.role_hosts.get("ceph_cluster", [])
    if hosts:
        first = hosts[0]

        def group(name, default):
            return ctx.groups.get(role_value(ctx, first, "ceph_cluster", name, default), [])

        plan.add(secret_specs.CEPH_NAMESPACE,
                 secret_specs.ceph_cluster_secret_specs(group("ceph_cluster_mgr_group", "ceph_mgrs"),
                                                        group("ceph_cluster_mds_group", "ceph_mdss"),
                                                        group("ceph_cluster_rgw_group", "ceph_rgws")),
                 "the Ceph cluster")
    for host in ctx.role_hosts.get("ceph_resources", []):
        users = role_value(ctx, host, "ceph_resources", "ceph_resources_rgw_users", [])
        if users is UNKNOWN:
            plan.unknown.append("host %s: ceph_resources_rgw_users needs the play; its S3 keys are not planned" % host)
            continue
        for uid, keys in secret_specs.rgw_user_secret_specs(users).items():
            plan.add(keys["namespace"], keys["specs"], "RADOS gateway user %s" % uid)


def _backup(ctx, plan: SecretPlan) -> None:
    hosts = ctx.role_hosts.get("backup", [])
    if hosts:
        plan.add(backup.SECRET_NAMESPACE, backup.SECRET_SPECS, "the backup repository's password (%s)" % ", ".join(hosts))


def _inventory_lookups(ctx, plan: SecretPlan) -> None:
    """The platform_secret lookups the inventory writes itself (not a role's)."""
    planned, warnings = inventory_secret_lookups.inventory_lookups(ctx.files.definitions)
    for name, (spec, why) in sorted(planned.items()):
        namespace, _sep, short = name.rpartition("/")
        if namespace:
            plan.add(namespace, {short: spec}, "the inventory's own lookup (%s)" % why)
        else:
            plan.secrets.setdefault(name, (dict(spec), "the inventory's own lookup (%s)" % why))
    plan.unknown.extend(warnings)


PLANNERS = (_central_services, _workspaces, _gateway, _ceph, _backup, _inventory_lookups)


def secret_plan(ctx) -> SecretPlan:
    """Every secret the inventory's run will read, with the spec it is created with and why."""
    plan = SecretPlan()
    for planner in PLANNERS:
        planner(ctx, plan)
    return plan
