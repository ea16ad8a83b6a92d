# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the platform's services, from the service catalog: what central_services,
the placement (``platform_placement``) and inference_gateway would refuse half-way through a run,
refused before it starts."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.module_utils import gateway
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve as resolve_catalog
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation import service_settings
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING, Context


def _role_value(ctx: Context, host: str, name: str, default):
    value = ctx.vars.get(host, name, default)
    return default if value is MISSING else value


def check_central_services(ctx: Context) -> list[str]:
    """What central_services would refuse half-way through a run, refused before it starts:
    services the catalog does not offer centrally, settings and URLs of services the host does
    not run, setting names the catalog does not know, image/service overrides that do not
    resolve, and two services of one host publishing the same port."""
    errors: list[str] = []
    for host in ctx.role_hosts.get("central_services", []):
        try:
            catalog = _resolve_catalog(ctx, host)
        except CatalogError as exc:
            errors.append("host %s: %s" % (host, exc))
            continue
        enabled = enabled_central_services(ctx, host, catalog)
        errors.extend("host %s: %s" % (host, problem) for problem in service_settings.central_services_problems(
            catalog, enabled, _role_value(ctx, host, "central_services_absent", []),
            _role_value(ctx, host, "central_services_settings", {}), _role_value(ctx, host, "central_services_public_urls", {})))
    return errors


def host_catalog(ctx: Context, host: str):
    """The catalog as host sees it (its registry and overrides), name -> entry; None when an
    override does not resolve (check_central_services names it)."""
    try:
        return _resolve_catalog(ctx, host)
    except CatalogError:
        return None


def _resolve_catalog(ctx: Context, host: str) -> dict:
    return dict((entry["name"], entry) for entry in resolve_catalog(
        registry=_role_value(ctx, host, "platform_image_registry", "docker.io"),
        image_overrides=_role_value(ctx, host, "platform_image_overrides", {}),
        service_overrides=_role_value(ctx, host, "platform_service_overrides", {})))


def enabled_central_services(ctx: Context, host: str, catalog) -> list:
    enabled = _role_value(ctx, host, "central_services_enabled", None)
    return placement.default_central_services(catalog) if enabled in (None, MISSING) else list(enabled or [])


PLANNED = "planned VM of user %s"


def planned_workspaces(ctx: Context) -> dict:
    """The workspace VMs that workspace_vms_users will add to group workspace_vms and that are not
    in the inventory yet: VM name -> the placement's host variables, as group_vars of all and
    workspace_vms set them (plain values only: a template needs the play) plus the user's data."""
    existing = set(ctx.groups.get("workspace_vms", []))
    group_values: dict = {}
    for scope in ("all", "workspace_vms"):
        for definition in ctx.files.definitions:
            if definition.scope == "group" and definition.name == scope and definition.variable in placement.HOST_VARIABLES:
                if not (isinstance(definition.value, str) and "{{" in definition.value):
                    group_values[definition.variable] = definition.value
    planned = {}
    for host in ctx.role_hosts.get("workspace_vms", []):
        users = _role_value(ctx, host, "workspace_vms_users", [])
        name_format = _role_value(ctx, host, "workspace_vms_name_format", "ws-{user}")
        customer = _role_value(ctx, host, "workspace_vms_customer", _role_value(ctx, host, "platform_customer", ""))
        for user in users if isinstance(users, list) else []:
            if not isinstance(user, Mapping) or not isinstance(user.get("user"), str) or user.get("state") == "absent":
                continue   # check_workspace_vms names a broken entry
            try:  # as workspace_plan names the server
                name = user.get("name") or str(name_format).format(user=user["user"], customer=customer or "")
            except (KeyError, IndexError, ValueError):
                name = "ws-" + user["user"]
            if name in existing:
                continue
            values = dict(group_values, workspace_user=user["user"])
            if user.get("fixed_ip"):
                values["platform_address"] = user["fixed_ip"]
            planned[name] = (user["user"], values)
    return planned


def compute_placement(ctx: Context, planned=None):
    """(placement, catalog) as the platform_placement filter computes them for the plays, or None
    when the catalog does not resolve. planned: planned_workspaces(ctx), placed like the VMs they
    will become."""
    first = sorted(ctx.hosts)[0] if ctx.hosts else None
    catalog = host_catalog(ctx, first)
    if catalog is None:
        return None
    hosts = {}
    for group in placement.GROUPS:
        for host in ctx.groups.get(group, []):
            values = dict((name, ctx.vars.get(host, name)) for name in placement.HOST_VARIABLES)
            hosts[host] = dict((name, value) for name, value in values.items() if value is not MISSING)
    groups = ctx.groups
    if planned:
        groups = dict(ctx.groups)
        for group in ("all", "workspace_vms"):
            groups[group] = sorted(set(groups.get(group, [])) | set(planned))
        hosts.update((name, values) for name, (_user, values) in planned.items())
    zone = _role_value(ctx, first, "platform_dns_zone", "localai.internal")
    subdomain = _role_value(ctx, first, "platform_workspace_subdomain", "ws")
    return placement.compute(catalog, hosts, groups, zone, workspace_subdomain=subdomain), catalog


def _planned_problem(ctx: Context, problem: str, planned: dict):
    """A placement problem of a planned VM, said for group workspace_vms where its value is set."""
    for name, (user, _values) in planned.items():
        prefix = "host %s: " % name
        if not problem.startswith(prefix):
            continue
        rest = problem[len(prefix):]
        variable = rest.split(":", 1)[0]
        # the place whose value the VM gets: workspace_vms over all, as planned_workspaces reads them
        where = [d for scope in ("all", "workspace_vms") for d in ctx.files.definitions
                 if d.scope == "group" and d.name == scope and d.variable == variable]
        place = " (%s)" % where[-1].where if where else ""
        return "group workspace_vms: %s [%s, from workspace_vms_users]%s" % (rest, PLANNED % user, place)
    return problem


def check_placement(ctx: Context) -> list[str]:
    """Seed 000's placement, as the inventory chooses it: a service placed where the catalog
    forbids it, a workspace that uses a central service no host provides, a host without the
    address its DNS record needs. Same code as the platform_placement filter the plays use."""
    hosts_in_play = set(ctx.groups.get("central", [])) | set(ctx.groups.get("workspace_vms", []))
    if not hosts_in_play and not ctx.role_hosts.get("workspace_vms"):
        return []
    planned = planned_workspaces(ctx)
    computed = compute_placement(ctx, planned)
    if computed is None:
        return []   # check_central_services names the override that does not resolve
    result, catalog = computed
    # The central services rule reports these with more detail.
    errors = [_planned_problem(ctx, problem, planned) for problem in result["problems"]
              if "central_services_enabled:" not in problem]
    for host, workspace in sorted(result["workspaces"].items()):
        errors.extend("host %s: %s" % (host, problem) for problem in service_settings.workspace_stack_problems(
            catalog, workspace["local"], _role_value(ctx, host, "workspace_stack_settings", {}),
            _role_value(ctx, host, "workspace_stack_limits", {})))
    return errors


def check_gateway(ctx: Context) -> list[str]:
    """What inference_gateway would refuse, refused before any host changes: wrong API key
    entries (names, kinds, limits, budgets, models that are not external names), the limits of the
    workspace users' keys, public names the front cannot serve or order, and model mapping entries
    whose mode or costs are wrong."""
    errors: list[str] = []
    computed = compute_placement(ctx, planned_workspaces(ctx)) if ctx.role_hosts.get("inference_gateway") else None
    users = sorted(w["user"] for w in computed[0]["workspaces"].values()) if computed else []
    routes = [route["service"] for route in computed[0]["front"]["routes"]] if computed else []
    for host in ctx.role_hosts.get("inference_gateway", []):
        mapping = _role_value(ctx, host, "inference_gateway_model_mapping", None)
        if mapping is None:
            mapping = _role_value(ctx, host, "platform_model_mapping", {})
        if not isinstance(mapping, Mapping):
            continue   # check_model_mapping names it
        try:
            gateway.model_groups(dict(mapping), [])
        except gateway.GatewayError as exc:
            errors.append("host %s: %s" % (host, exc))
        keys = _role_value(ctx, host, "inference_gateway_api_keys", [])
        limits = _role_value(ctx, host, "inference_gateway_workspace_key", {})
        if isinstance(keys, list):
            # The workspace users' keys with the limits of inference_gateway_workspace_key, as the role adds them.
            try:
                keys = gateway.with_workspace_keys(keys, users, limits)
            except gateway.GatewayError as exc:
                errors.extend("host %s: %s" % (host, line) for line in str(exc).splitlines())
        errors.extend("host %s: %s" % (host, problem) for problem in gateway.check_api_keys(keys, mapping))
        public_names = _role_value(ctx, host, "inference_gateway_public_names", {})
        if public_names:
            errors.extend("host %s: %s" % (host, problem) for problem in gateway.public_name_problems(
                public_names, ["gateway"] + routes, computed[0]["zone"] if computed else "",
                _role_value(ctx, host, "inference_gateway_acme_terms_agreed", False)))
    return errors
