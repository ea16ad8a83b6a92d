# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where every platform service runs, and how each workspace reaches the services it uses.

Seed 000's table is data in the service catalog (``placement: {central, local}`` per entry, one
of required/default/optional/never). The customer inventory chooses within it:

* central hosts (group ``central``) run ``central_services_enabled`` (default: every service the
  catalog places centrally by default whose ``central_group`` is ``central``);
* a service with another ``central_group`` (Ollama: ``gpu_nodes``) runs on every host of it;
* a workspace VM (group ``workspace_vms``) runs ``workspace_local_services`` inside it (default:
  the catalog's local required/default services) and uses ``workspace_central_services`` from
  the central hosts (default: every centrally provided service).

``compute()`` turns that into one result that every consumer reads: services per host, the
endpoint of every service per workspace (local by address, central by DNS name), the settings
that wire a local service to the others (``wiring`` in the catalog), the DNS records and the
Guacamole desktop connections. Problems are collected, each naming the host, the variable and
the service, so validation reports all of them at once before anything is changed.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.foundrycloud.platform.plugins.module_utils import gateway

CENTRAL_GROUP = "central"
WORKSPACE_GROUP = "workspace_vms"
DNS_GROUP = "dns_servers"
FRONT_GROUP = "gateway"   # the inference gateway's nginx is the platform's one TLS front
MONITORING_GROUP = "monitoring"   # Prometheus probes every service's own port from there
ON = ("required", "default")
LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# Accounts Debian (and the packages the platform installs) create themselves: a workspace user of
# that name would take over a system account.
SYSTEM_USERS = frozenset(("root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
                          "www-data", "backup", "list", "irc", "nobody", "systemd-network", "systemd-resolve",
                          "systemd-timesync", "messagebus", "sshd", "xrdp", "_apt", "polkitd", "ceph", "ollama", "docker"))
# Guacamole reaches a workspace desktop here (roles/workspace_desktop), logging in as the user
# with the password kept as desktop_password in namespace workspace-<user>; the user signs in to
# Guacamole itself with guacamole_password of the same namespace (roles/central_services).
DESKTOP_PORT = 3389
DESKTOP_SECRETS = {"desktop_password": {"length": 24}, "guacamole_password": {"length": 24}}


# The only host variables placement reads (the filter and the validation rule read these).
HOST_VARIABLES = (
    "platform_address",
    "ansible_host",
    "central_services_enabled",
    "central_services_settings",
    "workspace_user",
    "workspace_local_services",
    "workspace_central_services",
    "platform_allowed_sources",
)
# platform_allowed_sources: the key that admits its sources to every firewalled service of a host.
ALL_SERVICES = "all"
# Groups whose hosts placement reads, besides each service's central_group.
GROUPS = ("central", "workspace_vms", "gpu_nodes", "dns_servers", "gateway")


def is_zone_name(zone) -> bool:
    """A DNS zone name of lower-case labels (a trailing dot allowed), as the platform's zone must be."""
    if not isinstance(zone, str):
        return False
    labels = zone[:-1].split(".") if zone.endswith(".") else zone.split(".")
    return bool(zone) and all(LABEL.match(label) for label in labels)


def login_problem(user) -> str:
    """Why user cannot be a workspace user's Linux login, or "" when it can."""
    if not isinstance(user, str) or not USER_NAME.match(user):
        return ("%r is not a valid login name (lower-case letters, digits, _ and -, at most 32, not starting with "
                "a digit or -)" % (user,))
    if user in SYSTEM_USERS:
        return "%r is a system account; a workspace user must be a person's own account" % (user,)
    return ""


def read_host_variables(hostvars, hosts, names):
    """host -> {name: value} for the names each host has, from a hostvars-like mapping. A value
    that cannot be evaluated raises PlacementError naming host and variable."""
    values = {}
    for host in hosts:
        try:
            view = hostvars[host]
        except KeyError:
            view = {}
        values[host] = {}
        for name in names:
            try:
                if name in view:
                    values[host][name] = view[name]
            except Exception as exc:  # an undefined variable inside a value
                raise PlacementError("host %s: %s cannot be evaluated: %s" % (host, name, exc)) from None
    return values


class PlacementError(ValueError):
    """Raised by compute(strict=True); the message lists every problem, one per line."""


def default_central_services(catalog):
    """What a central host runs unless its central_services_enabled says otherwise."""
    return sorted(name for name, entry in catalog.items()
                  if entry["placement"]["central"] in ON and entry.get("central_group", CENTRAL_GROUP) == CENTRAL_GROUP
                  and not entry.get("deployed_by"))


def deployable_central_services(catalog):
    """What central_services_enabled may name."""
    return sorted(name for name, entry in catalog.items()
                  if entry["placement"]["central"] != "never" and entry.get("central_group", CENTRAL_GROUP) == CENTRAL_GROUP
                  and not entry.get("deployed_by"))


def default_local_services(catalog):
    return sorted(name for name, entry in catalog.items() if entry["placement"]["local"] in ON)


def host_address(host_vars):
    """The host's internal address as the inventory gives it: platform_address, else an IP
    ansible_host. None when neither is there (the inventory must then say it)."""
    for key in ("platform_address", "ansible_host"):
        value = host_vars.get(key)
        if value:
            try:
                return str(ipaddress.ip_address(str(value).strip()))
            except ValueError:
                if key == "platform_address":
                    return None
    return None


def _published_port(entry):
    """The host port of the entry's endpoint (a container port may be published on another)."""
    endpoint = entry.get("endpoint") or {}
    port = endpoint.get("port")
    container = (entry.get("containers") or {}).get(endpoint.get("container")) or {}
    for item in container.get("ports") or []:
        if isinstance(item, dict) and item.get("container") == port:
            return item.get("host", port)
    return port


def _published_ports(entry):
    """Every host port the entry's containers publish (what a host firewall must guard)."""
    ports = set()
    for container in (entry.get("containers") or {}).values():
        for item in container.get("ports") or []:
            ports.add(item.get("host", item.get("container")) if isinstance(item, dict) else item)
    return sorted(port for port in ports if isinstance(port, int))


def source_problem(value):
    """Why a firewall source is not an IP address or network (CIDR), or None."""
    try:
        ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return "%r is not an IP address or network (CIDR)" % (value,)
    return None


def extra_sources(catalog, host, value, problems):
    """platform_allowed_sources of one host: service (or ``all``: every firewalled service of
    the host) -> addresses or networks admitted to the service's ports on this host besides the
    ones the placement computes. Wrong entries are reported (host, variable, service) and left out."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append("host %s: platform_allowed_sources must map service names to lists of addresses or "
                        "networks, got %r" % (host, value))
        return {}
    result = {}
    for name, sources in sorted(value.items()):
        where = "host %s: platform_allowed_sources.%s" % (host, name)
        if name != ALL_SERVICES and name not in catalog:
            problems.append("%s: %r is not a service of the catalog (known: %s)" % (where, name, ", ".join(sorted(catalog))))
            continue
        if isinstance(sources, str) or not isinstance(sources, list):
            problems.append("%s: must be a list of addresses or networks, got %r" % (where, sources))
            continue
        good = []
        for source in sources:
            problem = source_problem(source)
            if problem:
                problems.append("%s: %s" % (where, problem))
            else:
                network = ipaddress.ip_network(str(source), strict=False)
                single = network.prefixlen == network.max_prefixlen
                good.append(str(network.network_address) if single else str(network))
        result[name] = good
    return result


def _url(entry, host):
    endpoint = entry.get("endpoint") or {}
    return "%s://%s:%s%s" % (endpoint.get("protocol", "http"), host, _published_port(entry), endpoint.get("path", ""))


def _record_type(address):
    return "AAAA" if ":" in address else "A"


def _as_list(value, host, variable, problems):
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        problems.append("host %s: %s must be a list of service names, got %r" % (host, variable, value))
        return []
    return [str(item) for item in value]


def compute(catalog, hosts, groups, zone, workspace_subdomain="ws", strict=False):
    """The placement of the whole inventory.

    catalog: service name -> resolved catalog entry. hosts: host name -> the variables read here
    (platform_address, ansible_host, central_services_enabled, workspace_user,
    workspace_local_services, workspace_central_services). groups: group -> host names.
    """
    problems = []
    zone = str(zone or "").strip().rstrip(".").lower()
    if not is_zone_name(zone):
        problems.append("platform_dns_zone: %r is not a DNS zone name (e.g. localai.internal)" % zone)
    subdomain = str(workspace_subdomain or "").strip(".").lower()
    if subdomain and not all(LABEL.match(label) for label in subdomain.split(".")):
        problems.append("platform_workspace_subdomain: %r is not a DNS name" % workspace_subdomain)
    central_hosts = list(groups.get(CENTRAL_GROUP) or [])
    workspace_hosts = list(groups.get(WORKSPACE_GROUP) or [])
    deployable = deployable_central_services(catalog)

    def vars_of(host):
        return hosts.get(host) or {}

    result_hosts = {}

    def host_entry(host):
        if host not in result_hosts:
            result_hosts[host] = {"address": host_address(vars_of(host)), "central": [], "local": []}
        return result_hosts[host]

    # Central providers.
    providers = dict((name, []) for name in catalog)
    for host in central_hosts:
        enabled = _as_list(vars_of(host).get("central_services_enabled"), host, "central_services_enabled", problems)
        if enabled is None:
            enabled = default_central_services(catalog)
        for name in enabled:
            if name not in deployable:
                problems.append("host %s: central_services_enabled: %r is not a central service of the catalog (known: %s)"
                                % (host, name, ", ".join(deployable)))
                continue
            providers[name].append(host)
            host_entry(host)["central"].append(name)
    for name, entry in sorted(catalog.items()):
        group = entry.get("central_group", CENTRAL_GROUP)
        if group != CENTRAL_GROUP and entry["placement"]["central"] != "never":
            for host in groups.get(group) or []:
                providers[name].append(host)
                host_entry(host)["central"].append(name)

    # Settings of a used service that another service is wired to (e.g. Langfuse's project
    # public key): the catalog default, or what the inventory sets on the first provider. Only
    # these few names are copied, so the placement never carries a site's other settings.
    wired_settings = {}
    for entry in catalog.values():
        for wire in (entry.get("wiring") or {}).values():
            if "setting" in wire:
                wired_settings.setdefault(wire["service"], set()).add(wire["setting"])

    services = {}
    for name, entry in sorted(catalog.items()):
        fqdn = "%s.%s" % (entry["dns_name"], zone)
        site = {}
        if providers[name] and entry.get("central_group", CENTRAL_GROUP) == CENTRAL_GROUP:
            site = (vars_of(sorted(providers[name])[0]).get("central_services_settings") or {}).get(name) or {}
        settings = dict((key, site.get(key, (entry.get("settings") or {}).get(key, "")))
                        for key in sorted(wired_settings.get(name, ())))
        services[name] = {
            "dns_name": entry["dns_name"],
            "fqdn": fqdn,
            "port": _published_port(entry),
            # Every host port its containers publish (a TLS front also listens on 80, to redirect).
            "published_ports": _published_ports(entry) or [_published_port(entry)],
            "placement": dict(entry["placement"]),
            "providers": sorted(set(providers[name])),
            "url": _url(entry, fqdn) if providers[name] else None,
            "settings": settings,
        }

    front = _front(catalog, services, groups, host_entry, problems)

    # Workspaces.
    workspaces = {}
    users = {}
    for host in workspace_hosts:
        hv = vars_of(host)
        user = str(hv.get("workspace_user") or host).strip()
        login = login_problem(user)
        if login:
            problems.append("host %s: workspace_user: %s" % (host, login))
        if user in users:
            problems.append("host %s: workspace_user: %r is also the user of %s (one workspace per user)"
                            % (host, user, users[user]))
        users.setdefault(user, host)
        address = host_address(hv)
        local = _as_list(hv.get("workspace_local_services"), host, "workspace_local_services", problems)
        local = default_local_services(catalog) if local is None else local
        for name in list(local):
            if name not in catalog:
                problems.append("host %s: workspace_local_services: %r is not a service of the catalog (known: %s)"
                                % (host, name, ", ".join(sorted(catalog))))
                local.remove(name)
            elif catalog[name]["placement"]["local"] == "never":
                problems.append("host %s: workspace_local_services: %s may not run inside a workspace VM "
                                "(the catalog places it centrally only)" % (host, name))
                local.remove(name)
        for name, entry in sorted(catalog.items()):
            if entry["placement"]["local"] == "required" and name not in local:
                problems.append("host %s: workspace_local_services: %s must run in every workspace VM "
                                "(catalog placement.local is required)" % (host, name))
        central = _as_list(hv.get("workspace_central_services"), host, "workspace_central_services", problems)
        if central is None:
            central = [name for name in sorted(catalog) if providers[name] and not _for_services_only(catalog[name])]
        else:
            for name in list(central):
                if name not in catalog:
                    problems.append("host %s: workspace_central_services: %r is not a service of the catalog" % (host, name))
                    central.remove(name)
                elif _for_services_only(catalog[name]):
                    clients = sorted(other for other, entry in catalog.items() if name in (entry.get("uses") or {}))
                    problems.append("host %s: workspace_central_services: the central %s serves only the central services "
                                    "that use it (%s); a workspace reaches it through them" % (host, name, ", ".join(clients)))
                    central.remove(name)
                elif not providers[name]:
                    problems.append("host %s: workspace_central_services: %s is used, but no host provides it centrally "
                                    "(%s)" % (host, name, _provider_hint(catalog[name])))
                    central.remove(name)
        fqdn = "%s.%s.%s" % (user, subdomain, zone) if subdomain else "%s.%s" % (user, zone)
        endpoints = {}
        for name in sorted(set(local) | set(central)):
            entry = catalog[name]
            local_url = _url(entry, address or fqdn) if name in local else None
            central_url = services[name]["url"] if name in central else None
            endpoints[name] = {
                "placement": "local" if name in local else "central",
                "url": local_url or central_url,
                "local_url": local_url,
                "central_url": central_url,
                "host": (address or fqdn) if name in local else services[name]["fqdn"],
                "port": 443 if name not in local and services[name].get("front") else services[name]["port"],
                # Where the platform_secret lookup keeps this instance's secrets.
                "secret_namespace": "workspace-%s-%s" % (user, name) if name in local else name,
            }
        for name in local:
            for used, level in sorted((catalog[name].get("uses") or {}).items()):
                if used not in endpoints and level == "required":
                    problems.append("host %s: %s (in workspace_local_services) needs %s, which neither runs in this "
                                    "workspace nor centrally (%s)" % (host, name, used, _provider_hint(catalog.get(used))))
            needs = catalog[name].get("needs_one_of") or []
            if needs and not any(used in endpoints for used in needs):
                problems.append("host %s: %s (in workspace_local_services) needs one of %s, none of which runs in this "
                                "workspace or is used centrally" % (host, name, ", ".join(needs)))
        settings = dict((name, wiring(catalog[name], endpoints, {"user": user, "fqdn": fqdn}, services, catalog)) for name in local)
        workspaces[host] = {
            "user": user,
            "secret_namespace": "workspace-%s" % user,
            "secret_specs": dict((k, dict(v)) for k, v in DESKTOP_SECRETS.items()),
            "fqdn": fqdn,
            "address": address,
            "local": sorted(local),
            "central": sorted(central),
            "endpoints": endpoints,
            "settings": dict((name, values) for name, values in settings.items() if values["values"] or values["secrets"]),
        }
        entry = host_entry(host)
        entry["local"] = sorted(local)
        entry["fqdn"] = fqdn

    # DNS records: services, then hosts. Every name must have an address.
    records = []

    serve_records = bool(groups.get(DNS_GROUP))

    def add_host_record(name, host, why):
        address = host_entry(host)["address"]
        if address is None:
            if not serve_records:
                return   # no DNS server in this inventory: nothing to publish
            problems.append("host %s: no internal address for the DNS record %s.%s (%s): set platform_address, "
                            "or ansible_host to an IP address" % (host, name, zone, why))
            return
        records.append({"name": name, "type": _record_type(address), "value": address})

    for name, service in sorted(services.items()):
        # A service behind the front is reached at the front's hosts, not at its providers.
        for host in front["hosts"] if service.get("front") else service["providers"]:
            add_host_record(service["dns_name"], host, "service %s" % name)
    named_hosts = set(central_hosts) | set(groups.get("gpu_nodes") or []) | set(groups.get(DNS_GROUP) or [])
    service_names = dict((service["dns_name"], name) for name, service in services.items())
    for host in sorted(named_hosts):
        label = host.split(".")[0].lower()
        if not LABEL.match(label):
            problems.append("host %s: the host name is not a DNS label; no record %s.%s" % (host, label, zone))
        elif label in service_names:
            problems.append("host %s: its DNS name %s.%s is the name of service %s; rename the host"
                            % (host, label, zone, service_names[label]))
        else:
            add_host_record(label, host, "host")
    for host in workspace_hosts:
        workspace = workspaces[host]
        relative = workspace["fqdn"][: -len(zone) - 1]
        add_host_record(relative, host, "workspace of %s" % workspace["user"])
    seen = {}
    for record in records:
        key = (record["name"], record["type"], record["value"])
        if key in seen:
            continue
        seen[key] = record
    records = sorted(seen.values(), key=lambda r: (r["name"], r["type"], r["value"]))

    desktops = [
        {"workspace": host, "user": workspaces[host]["user"], "name": "%s desktop" % workspaces[host]["user"],
         "hostname": workspaces[host]["address"] or workspaces[host]["fqdn"], "port": DESKTOP_PORT,
         "secret_namespace": workspaces[host]["secret_namespace"], "secret_specs": workspaces[host]["secret_specs"]}
        for host in workspace_hosts
    ]
    for entry in result_hosts.values():
        entry["central"] = sorted(set(entry["central"]))

    monitors = [host_address(vars_of(host)) for host in groups.get(MONITORING_GROUP) or []]
    sources = allowed_sources(catalog, services, result_hosts, workspaces, front, monitors)
    extras = {}
    # Read where a host provides services centrally (a group-wide setting names services that
    # other hosts provide; those entries do not concern this host).
    for host, entry in result_hosts.items():
        if not entry["central"]:
            continue
        extras[host] = extra_sources(catalog, host, vars_of(host).get("platform_allowed_sources"), problems)
        for name in sorted((set(extras[host]) - {ALL_SERVICES}) & set(entry["central"])):
            if not (services[name].get("front") or catalog[name].get("firewall")):
                problems.append("host %s: platform_allowed_sources.%s: %s is neither behind the TLS front nor "
                                "firewalled (catalog), its port is not restricted; nothing to admit"
                                % (host, name, name))
    result = {
        "zone": zone,
        "workspace_subdomain": subdomain,
        "allowed_sources": sources,
        "firewall": firewall(catalog, services, result_hosts, sources, extras),
        # The hosts that scrape and probe everything: exporters admit only them.
        "monitoring": {"hosts": list(groups.get(MONITORING_GROUP) or []),
                       "addresses": sorted(set(a for a in monitors if a), key=_source_order)},
        "front": front,
        "services": services,
        "hosts": dict(sorted(result_hosts.items())),
        "workspaces": workspaces,
        "dns_records": records,
        "dns_servers": [result_hosts[h]["address"] if h in result_hosts else host_address(vars_of(h))
                        for h in groups.get(DNS_GROUP) or []],
        "desktops": desktops,
        "problems": problems,
    }
    if strict and problems:
        raise PlacementError("\n".join(problems))
    return result


def _for_services_only(entry):
    """The catalog's central_clients: services - no workspace uses the central instance directly
    (Ollama: the workspaces' chat goes through the gateway, which keys, limits and meters it)."""
    return entry.get("central_clients", "all") == "services"


def _upstream(address, port):
    return "[%s]:%s" % (address, port) if ":" in address else "%s:%s" % (address, port)


def _front(catalog, services, groups, host_entry, problems):
    """The gateway's TLS front: one HTTPS route per central service whose catalog entry has
    ``front``, named <dns_name>.<zone>, to the service's providers (their internal address and
    published port). Such a service's URL becomes https://<fqdn><path>/ and its DNS name points
    at the front's hosts. Without a gateway host there is no front: services keep their own URL."""
    hosts = sorted(groups.get(FRONT_GROUP) or [])
    routes = []
    for name, entry in sorted(catalog.items()):
        service = services[name]
        if "front" not in entry or not service["providers"] or not hosts:
            continue
        upstreams = []
        for host in service["providers"]:
            address = host_entry(host)["address"]
            if address is None:
                problems.append("host %s: no internal address for the TLS front to reach service %s: set "
                                "platform_address, or ansible_host to an IP address" % (host, name))
            else:
                upstreams.append(_upstream(address, service["port"]))
        path = str((entry.get("endpoint") or {}).get("path") or "").rstrip("/")
        options = entry["front"] or {}
        routes.append({
            "service": name,
            "fqdn": service["fqdn"],
            "path": path + "/",
            "upstreams": upstreams,
            "websocket": bool(options.get("websocket", False)),
            "max_body_size": options.get("max_body_size", "16m"),
            "read_timeout": int(options.get("read_timeout", 300)),
        })
        service["front"] = True
        service["url"] = "https://%s%s/" % (service["fqdn"], path)
    for host in hosts if routes and groups.get(DNS_GROUP) else []:   # records only where a DNS server serves them
        if host_entry(host)["address"] is None:
            problems.append("host %s: no internal address for the DNS records of the TLS front (%s): set "
                            "platform_address, or ansible_host to an IP address"
                            % (host, ", ".join(route["fqdn"] for route in routes)))
    return {"hosts": hosts if routes else [], "routes": routes}


def allowed_sources(catalog, services, hosts, workspaces, front=None, monitors=()):
    """service -> the addresses that reach its central providers because the placement says so:
    the central providers of every service that uses it (e.g. the gateway, for Ollama), and the
    workspaces that use it centrally; for a service behind the TLS front only the front's hosts.
    The monitoring hosts (``monitors``) probe every service's own port as well.
    Host firewalls allow these besides the site's internal networks; a host without an address is
    left out (it has no DNS record either)."""
    sources = {}
    for name, service in services.items():
        if not service["providers"]:
            continue
        addresses = set()
        for user, entry in catalog.items():
            if name in (entry.get("uses") or {}):
                addresses.update(hosts[host]["address"] for host in services[user]["providers"] if host in hosts)
        for workspace in workspaces.values():
            endpoint = workspace["endpoints"].get(name)
            # Central use includes a local service that also talks to the central one (Open
            # WebUI gets both the VM's and the GPU nodes' Ollama).
            if endpoint and endpoint["central_url"]:
                addresses.add(workspace["address"])
        if service.get("front"):
            # Everyone reaches it through the front (its URL is the front's): only the front.
            addresses = set(hosts[host]["address"] for host in (front or {}).get("hosts", []) if host in hosts)
        addresses.update(monitors)
        addresses.discard(None)
        if addresses:
            sources[name] = sorted(addresses)
    return sources


def firewall(catalog, services, hosts, sources, extras):
    """host -> the host firewall's rules, [{service, ports, sources}]: for every service the host
    provides centrally that is behind the TLS front, or whose catalog entry says ``firewall``,
    its published ports admit only the placement's allowed sources and the host's own
    platform_allowed_sources for it. The other services' ports are left open."""
    rules = {}
    for host, entry in sorted(hosts.items()):
        host_extras = extras.get(host) or {}
        for name in sorted(entry["central"]):
            if not (services[name].get("front") or catalog[name].get("firewall")):
                continue
            admitted = set(sources.get(name, [])) | set(host_extras.get(name, [])) | set(host_extras.get(ALL_SERVICES, []))
            rules.setdefault(host, []).append({
                "service": name,
                "ports": _published_ports(catalog[name]) or [services[name]["port"]],
                "sources": sorted(admitted, key=_source_order),
            })
    return rules


def _source_order(source):
    network = ipaddress.ip_network(source, strict=False)
    return (network.version, network.network_address, network.prefixlen)


def _provider_hint(entry):
    if not entry:
        return "it is not in the catalog"
    group = entry.get("central_group", CENTRAL_GROUP)
    if group == CENTRAL_GROUP:
        return "add it to central_services_enabled of a host in group central"
    return "add a host to group %s" % group


def wiring(entry, endpoints, workspace=None, services=None, catalog=None):
    """Settings of a locally placed service that point at the services it uses, from the
    catalog's ``wiring``: plain values, and secret references ({service, namespace, name}) that
    the role resolves with the platform_secret lookup and hands to the service as the secret of
    the same name (SECRET_<SETTING>), so they never appear as plain settings. An unused optional
    service gives '' (an empty setting, or an empty secret). ``used``/``unused`` give a constant
    depending on whether the service is used; ``format`` a per-workspace value ({user}, {fqdn})."""
    values = {}
    secrets = {}
    for setting, wire in sorted((entry.get("wiring") or {}).items()):
        if "format" in wire:
            values[setting] = wire["format"].format(**(workspace or {"user": "", "fqdn": ""}))
            continue
        endpoint = endpoints.get(wire["service"])
        if "used" in wire:
            values[setting] = wire["used"] if endpoint else wire.get("unused", "")
            continue
        if "setting" in wire:
            used = (services or {}).get(wire["service"]) or {}
            values[setting] = str(used.get("settings", {}).get(wire["setting"], "")) if endpoint else ""
            continue
        if "secret" in wire:
            if endpoint:
                owner = (catalog or {}).get(wire["service"]) or {}
                secrets[setting] = {"service": wire["service"], "namespace": endpoint["secret_namespace"],
                                    "name": wire["secret"],
                                    "spec": dict((owner.get("secrets") or {}).get(wire["secret"]) or {})}
            else:
                secrets[setting] = None
            continue
        if "user_key" in wire:
            # The workspace user's own gateway key, the one the gateway role generates for the user.
            user = (workspace or {}).get("user")
            if endpoint and user:
                secrets[setting] = {"service": wire["service"], "namespace": gateway.KEY_NAMESPACE, "name": user,
                                    "spec": dict(gateway.KEY_SPEC)}
            else:
                secrets[setting] = None
            continue
        kind = wire["value"]
        path = wire.get("path", "")
        if not endpoint:
            values[setting] = ""
        elif kind == "urls":
            urls = [endpoint["local_url"], endpoint["central_url"]]
            values[setting] = wire.get("separator", ";").join(url + path for url in urls if url)
        elif kind == "host":
            values[setting] = endpoint["host"] or ""
        else:
            url = endpoint.get(kind)
            values[setting] = (_explicit_port(url) if wire.get("explicit_port") else url) + path if url else ""
    return {"values": values, "secrets": secrets}


def _explicit_port(url):
    """scheme://host:port of a URL, its port written out and no trailing slash: for clients that
    put in their own default port when the URL has none (qdrant-client takes 6333 even for https)."""
    scheme, rest = url.split("://", 1)
    netloc, slash, path = rest.partition("/")
    if not re.search(r":[0-9]+$", netloc):
        netloc = "%s:%d" % (netloc, 443 if scheme == "https" else 80)
    return "%s://%s%s" % (scheme, netloc, ("/" + path).rstrip("/") if slash else "")


def report(result):
    """The plan as text lines: services per host, endpoints per workspace, DNS records, the
    service ports each host's firewall restricts and to whom."""
    lines = []
    services = sorted(result["services"])
    hosts = result["hosts"]
    width = max([len(h) for h in hosts] + [4])
    lines.append("Placement (C = central instance, L = inside the workspace VM), zone %s" % result["zone"])
    header = "%-*s  %s" % (width, "host", "  ".join("%-10s" % name[:10] for name in services))
    lines.append(header)
    for host, entry in hosts.items():
        cells = []
        for name in services:
            mark = "C" if name in entry["central"] else "L" if name in entry["local"] else "-"
            cells.append("%-10s" % mark)
        lines.append(("%-*s  %s" % (width, host, "  ".join(cells))).rstrip())
    lines.append("")
    for host, workspace in sorted(result["workspaces"].items()):
        address = workspace["address"] or "no address"
        lines.append("Workspace %s (user %s, %s, %s):" % (host, workspace["user"], workspace["fqdn"], address))
        for name, endpoint in sorted(workspace["endpoints"].items()):
            extra = ""
            if endpoint["local_url"] and endpoint["central_url"]:
                extra = " (central: %s)" % endpoint["central_url"]
            lines.append("  %-12s %-7s %s%s" % (name, endpoint["placement"], endpoint["url"], extra))
    if result["workspaces"]:
        lines.append("")
    lines.append("DNS records of %s (served by %s):" % (
        result["zone"], ", ".join(a for a in result["dns_servers"] if a) or "no host of group dns_servers"))
    for record in result["dns_records"]:
        lines.append("  %-24s %-5s %s" % (record["name"], record["type"], record["value"]))
    firewall = result.get("firewall") or {}
    if firewall:
        lines.append("")
        lines.append("Service ports admitted only from (host firewall; loopback and the host's containers always):")
        for host, rules in sorted(firewall.items()):
            for rule in rules:
                ports = ",".join(str(port) for port in rule["ports"])
                sources = ", ".join(rule["sources"]) or "nobody else"
                lines.append("  %-*s  %-10s %-12s %s" % (width, host, rule["service"], ports, sources))
    return lines
