# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is wrong with the service choice and settings of one host, from the service catalog:
the central services (``central_services_*``), the services of one workspace
(``workspace_stack_*``) and the settings of one Compose service (``compose_service_settings``).

``./foundry validate`` runs these offline for every host; the roles run the same functions on the
host's final values (filters ``central_services_problems``, ``workspace_stack_problems``,
``service_settings_problems``), so both refuse exactly the same data. Each problem is one sentence
``<variable>: <what is wrong>``; the caller names the host."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.foundrycloud.platform.plugins.module_utils import placement
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation import directory

URL = re.compile(r"^https?://[^/\s]+")
# Structured settings with rules of their own: service -> setting -> check(value, variable).
SETTING_CHECKS = {"guacamole": {"directory": directory.directory_problems}}


def unknown_settings(entry: Mapping, values, variable: str) -> list[str]:
    """Setting names that the catalog entry does not declare."""
    if values is None:
        return []
    if not isinstance(values, Mapping):
        return ["%s: must map setting names to values, got %r" % (variable, values)]
    known = entry.get("settings") or {}
    return ["%s: unknown setting %r (known: %s)" % (variable, key, ", ".join(sorted(known)) or "none")
            for key in sorted(values) if key not in known]


def published_ports(catalog: Mapping, services) -> dict:
    """Host port -> the services (of those named) whose containers publish it."""
    published: dict = {}
    for service in services:
        for container in (catalog.get(service) or {}).get("containers", {}).values():
            for port in container.get("ports") or []:
                number = port.get("host", port.get("container")) if isinstance(port, Mapping) else port
                published.setdefault(number, []).append(service)
    return published


def central_services_problems(catalog: Mapping, enabled, absent, settings, public_urls) -> list[str]:
    """catalog: name -> entry as the host resolves it (registry and overrides applied)."""
    problems: list[str] = []
    central = placement.deployable_central_services(catalog)
    # An empty YAML value (``central_services_absent:``) means none.
    enabled, absent = [] if enabled is None else enabled, [] if absent is None else absent
    settings, public_urls = settings or {}, public_urls or {}
    for variable, names in (("central_services_enabled", enabled), ("central_services_absent", absent)):
        if not isinstance(names, list):
            problems.append("%s: must be a list of service names, got %r" % (variable, names))
            continue
        problems.extend("%s: %r is not a central service of the catalog (known: %s)" % (variable, name, ", ".join(central))
                        for name in names if name not in central)
    enabled = enabled if isinstance(enabled, list) else []
    absent = absent if isinstance(absent, list) else []
    problems.extend("%s is listed in both central_services_enabled and central_services_absent" % name
                    for name in sorted(set(map(str, enabled)) & set(map(str, absent))))
    if not isinstance(settings, Mapping):
        problems.append("central_services_settings: must map service names to settings, got %r" % (settings,))
        settings = {}
    for service, values in sorted(settings.items()):
        if service not in enabled:
            problems.append("central_services_settings: %s is not in central_services_enabled of this host" % service)
        elif service in catalog:
            problems.extend(unknown_settings(catalog[service], values, "central_services_settings.%s" % service))
            for setting, check in sorted(SETTING_CHECKS.get(service, {}).items()):
                if isinstance(values, Mapping) and setting in values:
                    problems.extend(check(values[setting], "central_services_settings.%s.%s" % (service, setting)))
    if not isinstance(public_urls, Mapping):
        problems.append("central_services_public_urls: must map service names to URLs, got %r" % (public_urls,))
        public_urls = {}
    for service, url in sorted(public_urls.items()):
        if service not in enabled:
            problems.append("central_services_public_urls: %s is not in central_services_enabled of this host" % service)
        elif not URL.match(str(url)):
            problems.append("central_services_public_urls.%s: %r is not an http(s) URL" % (service, url))
    for number, services in sorted(published_ports(catalog, [name for name in enabled if name in central]).items(),
                                   key=lambda item: str(item[0])):
        if len(services) > 1:
            problems.append("services %s would all publish port %s (set a different host port with "
                            "platform_service_overrides)" % (" and ".join(services), number))
    return problems


def workspace_stack_problems(catalog: Mapping, local, settings, limits) -> list[str]:
    """local: the services the placement runs in this workspace."""
    problems: list[str] = []
    for variable, values in (("workspace_stack_settings", settings or {}), ("workspace_stack_limits", limits or {})):
        if not isinstance(values, Mapping):
            problems.append("%s: must map service names to values, got %r" % (variable, values))
            continue
        for service in sorted(values):
            if service not in local:
                problems.append("%s: %s does not run in this workspace (local: %s; see workspace_local_services)"
                                % (variable, service, ", ".join(local) or "nothing"))
            elif variable == "workspace_stack_settings" and service in catalog:
                problems.extend(unknown_settings(catalog[service], values[service], "%s.%s" % (variable, service)))
    return problems


def catalog_by_name(catalog, caller: str) -> dict:
    """The catalog (list of entries, as the service_catalog lookup returns it, or name -> entry) by name."""
    if isinstance(catalog, Mapping):
        return dict(catalog)
    if isinstance(catalog, list) and all(isinstance(entry, Mapping) and "name" in entry for entry in catalog):
        return dict((entry["name"], entry) for entry in catalog)
    raise ValueError("%s: catalog must be the list of catalog entries "
                     "(query('foundrycloud.platform.service_catalog'))" % caller)
