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
        published: dict = {}
        for service in enabled:
            for container in catalog.get(service, {}).get("containers", {}).values():
                for port in container.get("ports") or []:
                    number = port.get("host", port.get("container")) if isinstance(port, Mapping) else port
                    published.setdefault(number, []).append(service)
        for number, services in sorted(published.items()):
            if len(services) > 1:
                errors.append("host %s: services %s would all publish port %s (set a different host port with "
                              "platform_service_overrides)" % (host, " and ".join(services), number))
    return errors


def check_placement(ctx: Context) -> list[str]:
    """Seed 000's placement, as the inventory chooses it: a service placed where the catalog
    forbids it, a workspace that uses a central service no host provides, a host without the
    address its DNS record needs. Same code as the platform_placement filter the plays use."""
    hosts_in_play = set(ctx.groups.get("central", [])) | set(ctx.groups.get("workspace_vms", []))
    if not hosts_in_play:
        return []
    first = sorted(ctx.hosts)[0] if ctx.hosts else None
    try:
        catalog = dict((entry["name"], entry) for entry in resolve_catalog(
            registry=_role_value(ctx, first, "platform_image_registry", "docker.io"),
            image_overrides=_role_value(ctx, first, "platform_image_overrides", {}),
            service_overrides=_role_value(ctx, first, "platform_service_overrides", {})))
    except CatalogError:
        return []   # check_central_services names the override that does not resolve
    hosts = {}
    for group in placement.GROUPS:
        for host in ctx.groups.get(group, []):
            values = dict((name, ctx.vars.get(host, name)) for name in placement.HOST_VARIABLES)
            hosts[host] = dict((name, value) for name, value in values.items() if value is not MISSING)
    zone = _role_value(ctx, first, "platform_dns_zone", "localai.internal")
    subdomain = _role_value(ctx, first, "platform_workspace_subdomain", "ws")
    result = placement.compute(catalog, hosts, ctx.groups, zone, workspace_subdomain=subdomain)
    # The central services rule reports these with more detail.
    errors = [problem for problem in result["problems"] if "central_services_enabled:" not in problem]
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
