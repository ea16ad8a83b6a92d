# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the platform's services, from the service catalog: what central_services,
the placement (``platform_placement``) and inference_gateway would refuse half-way through a run,
refused before it starts."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.module_utils import gateway
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve as resolve_catalog
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
            catalog = dict((entry["name"], entry) for entry in resolve_catalog(
                registry=_role_value(ctx, host, "platform_image_registry", "docker.io"),
                image_overrides=_role_value(ctx, host, "platform_image_overrides", {}),
                service_overrides=_role_value(ctx, host, "platform_service_overrides", {})))
        except CatalogError as exc:
            errors.append("host %s: %s" % (host, exc))
            continue
        central = placement.deployable_central_services(catalog)
        enabled = _role_value(ctx, host, "central_services_enabled", None)
        enabled = placement.default_central_services(catalog) if enabled in (None, MISSING) else list(enabled or [])
        absent = list(_role_value(ctx, host, "central_services_absent", []) or [])
        for variable, names in (("central_services_enabled", enabled), ("central_services_absent", absent)):
            for name in names:
                if name not in central:
                    errors.append("host %s: %s: %r is not a central service of the catalog (known: %s)"
                                  % (host, variable, name, ", ".join(central)))
        for name in sorted(set(enabled) & set(absent)):
            errors.append("host %s: %s is listed in both central_services_enabled and central_services_absent" % (host, name))
        settings = _role_value(ctx, host, "central_services_settings", {}) or {}
        if not isinstance(settings, Mapping):
            errors.append("host %s: central_services_settings: must map service names to settings, got %r" % (host, settings))
            settings = {}
        for service, values in sorted(settings.items()):
            if service not in enabled:
                errors.append("host %s: central_services_settings: %s is not in central_services_enabled of this host"
                              % (host, service))
                continue
            known = catalog[service]["settings"] if service in catalog else {}
            for key in sorted(values or {}):
                if key not in known:
                    errors.append("host %s: central_services_settings.%s: unknown setting %r (known: %s)"
                                  % (host, service, key, ", ".join(sorted(known)) or "none"))
        urls = _role_value(ctx, host, "central_services_public_urls", {}) or {}
        for service, url in sorted(urls.items()) if isinstance(urls, Mapping) else []:
            if service not in enabled:
                errors.append("host %s: central_services_public_urls: %s is not in central_services_enabled of this host"
                              % (host, service))
            elif not re.match(r"^https?://[^/\s]+", str(url)):
                errors.append("host %s: central_services_public_urls.%s: %r is not an http(s) URL" % (host, service, url))
        published = published_ports(catalog, enabled)
        for number, services in sorted(published.items()):
            if len(services) > 1:
                errors.append("host %s: services %s would all publish port %s (set a different host port with "
                              "platform_service_overrides)" % (host, " and ".join(services), number))
    return errors


def published_ports(catalog, services) -> dict:
    """Host port -> the services (of those named) whose containers publish it."""
    published: dict = {}
    for service in services:
        for container in catalog.get(service, {}).get("containers", {}).values():
            for port in container.get("ports") or []:
                number = port.get("host", port.get("container")) if isinstance(port, Mapping) else port
                published.setdefault(number, []).append(service)
    return published


def host_catalog(ctx: Context, host: str):
    """The catalog as host sees it (its registry and overrides), name -> entry; None when an
    override does not resolve (check_central_services names it)."""
    try:
        return dict((entry["name"], entry) for entry in resolve_catalog(
            registry=_role_value(ctx, host, "platform_image_registry", "docker.io"),
            image_overrides=_role_value(ctx, host, "platform_image_overrides", {}),
            service_overrides=_role_value(ctx, host, "platform_service_overrides", {})))
    except CatalogError:
        return None


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
        for variable in ("workspace_stack_settings", "workspace_stack_limits"):
            values = _role_value(ctx, host, variable, {})
            if not isinstance(values, Mapping):
                continue   # the argument spec check names the type
            for service in sorted(values):
                if service not in workspace["local"]:
                    errors.append("host %s: %s: %s does not run in this workspace (local: %s; see workspace_local_services)"
                                  % (host, variable, service, ", ".join(workspace["local"]) or "nothing"))
                elif variable == "workspace_stack_settings":
                    known = catalog[service]["settings"]
                    for key in sorted(values[service] or {}):
                        if key not in known:
                            errors.append("host %s: workspace_stack_settings.%s: unknown setting %r (known: %s)"
                                          % (host, service, key, ", ".join(sorted(known)) or "none"))
    return errors


def check_gateway(ctx: Context) -> list[str]:
    """What inference_gateway would refuse, refused before any host changes: wrong API key
    entries (names, kinds, limits, budgets, models that are not external names) and model mapping
    entries whose mode or costs are wrong."""
    errors: list[str] = []
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
        errors.extend("host %s: %s" % (host, problem) for problem in gateway.check_api_keys(keys, mapping))
    return errors
