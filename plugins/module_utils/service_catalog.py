# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform's service catalog (catalog/ at the collection root) and what is derived from it.

A service is data: containers (Compose-shaped), ports, secrets, settings, volumes, health, DNS
name, placement and backup hooks. This module loads and checks that data, applies a customer's
overrides, resolves image references against one registry, and turns an entry into a Compose
project. The lookup ``service_catalog`` and the filter ``compose_project`` are thin wrappers, so
placement, DNS, gateway routes and firewall rules can derive from the same code later.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
import hashlib
import json
import os
import re

PLACEMENTS = ("required", "default", "optional", "never")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
SETTING_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Keys of a container entry that are ours; everything else is passed to Compose as it is.
PLATFORM_CONTAINER_KEYS = ("image", "ports", "limits", "enabled_when_empty")
DEFAULT_LOGGING = {"driver": "json-file", "options": {"max-size": "20m", "max-file": "5"}}

CATALOG_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "catalog"))


class CatalogError(ValueError):
    """The catalog or an override is wrong; the message names the service and the field."""


def deep_merge(base, override):
    """Dicts merge key by key; anything else (lists included) is replaced by the override."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    merged = copy.deepcopy(base)
    for key, value in override.items():
        merged[key] = deep_merge(merged[key], value) if key in merged else copy.deepcopy(value)
    return merged


def load_yaml(path):
    import yaml  # PyYAML is there wherever Ansible runs (controller side only)

    with open(path) as handle:
        try:
            return yaml.safe_load(handle) or {}
        except yaml.YAMLError as exc:
            raise CatalogError("%s is not valid YAML: %s" % (path, exc)) from None


def load(directory=CATALOG_DIR):
    """(images, services) as stored, services keyed by name."""
    images = load_yaml(os.path.join(directory, "images.yml"))
    services = {}
    service_dir = os.path.join(directory, "services")
    for filename in sorted(os.listdir(service_dir)):
        if filename.endswith(".yml"):
            entry = load_yaml(os.path.join(service_dir, filename))
            name = entry.get("name")
            if name != filename[:-4]:
                raise CatalogError("%s: name must be %r (the file name), got %r" % (filename, filename[:-4], name))
            services[name] = entry
    return images, services


DEFAULT_REGISTRY = "docker.io"


def image_reference(registry, image):
    """<registry>/<repository>:<tag>. An image's own ``registry`` (set by an override) wins; its
    ``upstream_registry`` (e.g. ghcr.io) is used only while the platform registry is the default
    docker.io, because a site mirror serves every image under its one name."""
    ref = "%s:%s" % (image["repository"], image["tag"])
    if image.get("registry") is not None:
        registry = image["registry"]
    elif image.get("upstream_registry") and (registry or "").strip().rstrip("/") == DEFAULT_REGISTRY:
        registry = image["upstream_registry"]
    registry = (registry or "").strip().rstrip("/")
    return "%s/%s" % (registry, ref) if registry else ref


def check_images(images, where="platform_image_overrides"):
    for key, image in images.items():
        if not isinstance(image, dict) or not image.get("repository") or not image.get("tag"):
            raise CatalogError("%s: image %s needs a repository and a tag, got %r" % (where, key, image))
        if str(image["tag"]) == "latest":
            raise CatalogError("%s: image %s: the tag must be pinned, not 'latest'" % (where, key))


def check_service(name, entry, images):
    """Errors name the service and the field, in the terms of the catalog file."""
    where = "service %s" % name
    for side in ("central", "local"):
        value = (entry.get("placement") or {}).get(side)
        if value not in PLACEMENTS:
            raise CatalogError("%s: placement.%s must be one of %s, got %r" % (where, side, ", ".join(PLACEMENTS), value))
    check_placement_fields(name, entry)
    if entry.get("deployed_by") and not entry.get("containers"):
        # Deployed by its own role without Compose (e.g. Ollama, natively on GPU nodes). An entry
        # with deployed_by AND containers (the inference gateway) is a Compose project that its
        # own role deploys, because it needs preparation (certificates, generated configuration).
        endpoint = entry.get("endpoint") or {}
        if not isinstance(endpoint.get("port"), int):
            raise CatalogError("%s: endpoint.port must be a port number" % where)
        return
    containers = entry.get("containers")
    if not isinstance(containers, dict) or not containers:
        raise CatalogError("%s: containers must be a mapping of container name to definition" % where)
    declared_volumes = set(entry.get("volumes") or [])
    for cname, container in containers.items():
        cwhere = "%s: containers.%s" % (where, cname)
        if not isinstance(container, dict):
            raise CatalogError("%s: must be a mapping" % cwhere)
        if container.get("image") not in images:
            raise CatalogError("%s: image %r is not in catalog/images.yml (known: %s)"
                               % (cwhere, container.get("image"), ", ".join(sorted(images))))
        for port in container.get("ports") or []:
            numbers = [port.get("container"), port.get("host", port.get("container"))] if isinstance(port, dict) else [port]
            for number in numbers:
                if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 65536:
                    raise CatalogError("%s: ports: %r is not a port number or {container, host}" % (cwhere, number))
        for volume in container.get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            # Bind mounts: absolute, project-relative, or a host path from a setting (${SETTING_X}).
            if not source.startswith(("/", ".", "${")) and source not in declared_volumes:
                raise CatalogError("%s: volume %r is not declared under volumes: (named volumes must be, "
                                   "so that they are kept and backed up)" % (cwhere, source))
        switch = container.get("enabled_when_empty")
        if switch is not None and switch not in (entry.get("settings") or {}):
            raise CatalogError("%s: enabled_when_empty names %r, which is not a setting" % (cwhere, switch))
    endpoint = entry.get("endpoint") or {}
    if endpoint.get("container") not in containers:
        raise CatalogError("%s: endpoint.container %r is not one of its containers" % (where, endpoint.get("container")))
    for setting in entry.get("settings") or {}:
        if not SETTING_NAME.match(setting):
            raise CatalogError("%s: setting name %r: lower-case letters, digits and _ only" % (where, setting))
    check_backup(name, entry)


BACKUP_KEYS = ("name", "description", "container", "command", "output", "restore", "restore_mode", "volume")
RESTORE_MODES = ("exec", "run")


def check_backup(name, entry):
    """backup: what a backup of the service holds, in the order it is made. A hook is one of
    - a dump: ``command`` run in ``container`` whose standard output is kept as ``output``;
      ``restore`` is the command that reads it back on standard input - in the container started
      alone (``restore_mode: exec``, a database server) or in a one-off container of it with its
      volumes while nothing of the service runs (``run``, a file);
    - a step: ``command`` in ``container`` without ``output`` (it writes into a volume of a later
      hook, e.g. a snapshot);
    - a ``volume`` of the entry, kept as files and put back while the service is stopped."""
    where = "service %s: backup" % name
    hooks = entry.get("backup")
    if hooks is None:
        return
    if not isinstance(hooks, list):
        raise CatalogError("%s: must be a list of hooks" % where)
    seen = set()
    containers = entry.get("containers") or {}
    for index, hook in enumerate(hooks):
        hwhere = "%s[%d]" % (where, index)
        if not isinstance(hook, dict) or not isinstance(hook.get("name"), str) or not SETTING_NAME.match(hook["name"]):
            raise CatalogError("%s: a hook needs a name (lower-case letters, digits and _)" % hwhere)
        hwhere = "%s.%s" % (where, hook["name"])
        if hook["name"] in seen:
            raise CatalogError("%s: the name is used twice" % hwhere)
        seen.add(hook["name"])
        unknown = sorted(set(hook) - set(BACKUP_KEYS))
        if unknown:
            raise CatalogError("%s: unknown key(s) %s (known: %s)" % (hwhere, ", ".join(unknown), ", ".join(BACKUP_KEYS)))
        if "volume" in hook:
            if set(hook) - {"name", "description", "volume"}:
                raise CatalogError("%s: a volume hook has only name, description and volume" % hwhere)
            if hook["volume"] not in (entry.get("volumes") or []):
                raise CatalogError("%s: volume %r is not one of the entry's volumes" % (hwhere, hook["volume"]))
            continue
        if hook.get("container") not in containers:
            raise CatalogError("%s: container %r is not one of the entry's containers" % (hwhere, hook.get("container")))
        if not isinstance(hook.get("command"), list) or not hook["command"] or not all(isinstance(a, str) for a in hook["command"]):
            raise CatalogError("%s: command must be a list of strings" % hwhere)
        if "output" not in hook:
            if "restore" in hook or "restore_mode" in hook:
                raise CatalogError("%s: a step without output has nothing to restore" % hwhere)
            continue
        if not isinstance(hook["output"], str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", hook["output"]):
            raise CatalogError("%s: output must be a file name, got %r" % (hwhere, hook["output"]))
        restore = hook.get("restore")
        if not isinstance(restore, list) or not restore or not all(isinstance(a, str) for a in restore):
            raise CatalogError("%s: a dump needs restore, the command that reads it back on standard input" % hwhere)
        if hook.get("restore_mode", "exec") not in RESTORE_MODES:
            raise CatalogError("%s: restore_mode must be one of %s" % (hwhere, ", ".join(RESTORE_MODES)))


USE_LEVELS = ("required", "optional")
WIRING_VALUES = ("url", "urls", "local_url", "central_url", "host")
CENTRAL_CLIENTS = ("all", "services")
# Services that keep a key per workspace user (kind user, named like the user).
USER_KEY_SERVICES = ("gateway",)
GROUP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


FRONT_FIELDS = {"websocket": bool, "max_body_size": str, "read_timeout": int}


def check_front(name, entry):
    """front: users reach the service's central instance through the gateway's TLS front, at
    https://<dns_name>.<zone>/ (placement.front_routes). Optional fields: websocket (the UI keeps
    a WebSocket open), max_body_size (nginx size, e.g. 64m), read_timeout (seconds)."""
    if "front" not in entry:
        return
    front = entry["front"]
    where = "service %s: front" % name
    if front is None:
        front = entry["front"] = {}
    if not isinstance(front, dict):
        raise CatalogError("%s: must be a mapping (websocket, max_body_size, read_timeout), got %r" % (where, front))
    for field, value in front.items():
        kind = FRONT_FIELDS.get(field)
        if kind is None:
            raise CatalogError("%s: unknown field %r (known: %s)" % (where, field, ", ".join(sorted(FRONT_FIELDS))))
        if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
            raise CatalogError("%s.%s: must be a %s, got %r" % (where, field, kind.__name__, value))
    if entry.get("placement", {}).get("central") == "never":
        raise CatalogError("%s: a service that never runs centrally has nothing to put behind the front" % where)
    if (entry.get("endpoint") or {}).get("protocol", "http") != "http":
        raise CatalogError("%s: the front speaks plain HTTP to the service on the internal network; "
                           "endpoint.protocol must be http" % where)


def is_wired_secret(wire) -> bool:
    """Whether a wiring entry hands over a secret (a used service's secret, or the workspace
    user's own key): SECRET_<SETTING> in the Compose project, never a plain setting."""
    return isinstance(wire, dict) and ("secret" in wire or "user_key" in wire)


def wired_secrets(entry) -> list:
    """The settings names of an entry's wiring that are handed over as secrets."""
    return sorted(setting for setting, wire in (entry.get("wiring") or {}).items() if is_wired_secret(wire))


def check_placement_fields(name, entry):
    """The fields placement reads: dns_name, central_group, front, firewall, uses, wiring."""
    where = "service %s" % name
    dns_name = entry.get("dns_name")
    if not isinstance(dns_name, str) or not re.match(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", dns_name):
        raise CatalogError("%s: dns_name must be one DNS label (a-z, 0-9, -), got %r" % (where, dns_name))
    group = entry.get("central_group", "central")
    if not isinstance(group, str) or not GROUP_NAME.match(group):
        raise CatalogError("%s: central_group must be an inventory group name, got %r" % (where, group))
    check_front(name, entry)
    # firewall: the central instance admits only the hosts the placement says use it (and the
    # inventory's platform_allowed_sources); a service behind the front has it implicitly.
    if not isinstance(entry.get("firewall", False), bool):
        raise CatalogError("%s: firewall must be true or false, got %r" % (where, entry.get("firewall")))
    # central_clients: services - the central instance is for the central services that use it
    # (the gateway, for Ollama); workspaces reach it only through them.
    if entry.get("central_clients", "all") not in CENTRAL_CLIENTS:
        raise CatalogError("%s: central_clients must be one of %s, got %r"
                           % (where, ", ".join(CENTRAL_CLIENTS), entry.get("central_clients")))
    uses = entry.get("uses") or {}
    if not isinstance(uses, dict):
        raise CatalogError("%s: uses must map service names to required/optional" % where)
    for used, level in uses.items():
        if level not in USE_LEVELS:
            raise CatalogError("%s: uses.%s must be one of %s, got %r" % (where, used, ", ".join(USE_LEVELS), level))
    # needs_one_of: optional uses of which at least one must be there (Open WebUI: models from its
    # own Ollama or from the gateway).
    needs = entry.get("needs_one_of")
    if needs is not None and (not isinstance(needs, list) or len(needs) < 2 or any(name not in uses for name in needs)):
        raise CatalogError("%s: needs_one_of must list two or more services of uses, got %r" % (where, needs))
    for setting, wire in (entry.get("wiring") or {}).items():
        wwhere = "%s: wiring.%s" % (where, setting)
        is_secret = is_wired_secret(wire)
        if not is_secret and setting not in (entry.get("settings") or {}):
            raise CatalogError("%s: %r is not a setting of the entry" % (wwhere, setting))
        if is_secret and (setting in (entry.get("settings") or {}) or setting in (entry.get("secrets") or {})):
            raise CatalogError("%s: a wired secret is handed over as SECRET_%s; it may not also be a setting "
                               "or a secret of the entry" % (wwhere, setting.upper()))
        if isinstance(wire, dict) and "format" in wire:
            if set(wire) != {"format"} or not isinstance(wire["format"], str):
                raise CatalogError("%s: format is a string with {user} and {fqdn}, and nothing else" % wwhere)
            continue
        if not isinstance(wire, dict) or wire.get("service") not in uses:
            raise CatalogError("%s: service must be one of the services under uses (%s), got %r"
                               % (wwhere, ", ".join(sorted(uses)) or "none", (wire or {}).get("service") if isinstance(wire, dict) else wire))
        kinds = [key for key in ("value", "secret", "used", "setting", "user_key") if key in wire]
        if len(kinds) != 1:
            raise CatalogError("%s: give exactly one of value (%s), secret (a secret name of %s), setting (a "
                               "setting of %s), used (the value while %s is used; unused: the value otherwise) "
                               "or user_key (the workspace user's own key of %s)"
                               % (wwhere, ", ".join(WIRING_VALUES), wire["service"], wire["service"], wire["service"],
                                  wire["service"]))
        if "value" in wire and wire["value"] not in WIRING_VALUES:
            raise CatalogError("%s: value must be one of %s, got %r" % (wwhere, ", ".join(WIRING_VALUES), wire["value"]))
        if "path" in wire and ("value" not in wire or wire["value"] not in ("url", "urls", "local_url", "central_url")
                               or not isinstance(wire["path"], str) or not wire["path"].startswith("/")):
            raise CatalogError("%s: path (appended to the URL, starting with /) goes with a value that is a URL" % wwhere)
        if "explicit_port" in wire and (wire["explicit_port"] is not True or wire.get("value") not in
                                        ("url", "local_url", "central_url")):
            raise CatalogError("%s: explicit_port: true (the URL with its port written out) goes with a value that is one URL"
                               % wwhere)
        if "user_key" in wire:
            if wire["user_key"] is not True or wire["service"] not in USER_KEY_SERVICES:
                raise CatalogError("%s: user_key: true wires the workspace user's own key of %s, got %r for %s"
                                   % (wwhere, " or ".join(USER_KEY_SERVICES), wire["user_key"], wire["service"]))


def by_name(entries, what):
    """The service_catalog lookup's list of entries as a mapping name -> entry; anything else is
    refused, naming ``what`` (the filter and argument that received it)."""
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and "name" in entry for entry in entries):
        raise CatalogError("%s must be the list the service_catalog lookup returns" % what)
    return dict((entry["name"], entry) for entry in entries)


def resolve(names=None, registry="docker.io", image_overrides=None, service_overrides=None, directory=CATALOG_DIR):
    """The catalog as a list of entries (sorted by name), overrides applied, images resolved."""
    images, services = load(directory)
    for key, override in (image_overrides or {}).items():
        if key not in images:
            raise CatalogError("platform_image_overrides: %r is not an image of the catalog (known: %s)"
                               % (key, ", ".join(sorted(images))))
        images[key] = deep_merge(images[key], override)
    check_images(images)
    for name, override in (service_overrides or {}).items():
        if not isinstance(override, dict):
            raise CatalogError("platform_service_overrides: %s must be a mapping (a partial catalog entry), got %r"
                               % (name, override))
        if name not in services:
            raise CatalogError("platform_service_overrides: %r is not a service of the catalog (known: %s)"
                               % (name, ", ".join(sorted(services))))
        services[name] = deep_merge(services[name], override)
    wanted = sorted(services) if not names else list(names)
    result = []
    for name in wanted:
        if name not in services:
            raise CatalogError("%r is not a service of the catalog (known: %s)" % (name, ", ".join(sorted(services))))
        entry = dict((k, v) for k, v in services[name].items() if not str(k).startswith("x-"))
        check_service(name, entry, images)
        entry.setdefault("containers", {})
        entry.setdefault("central_group", "central")
        entry.setdefault("uses", {})
        entry.setdefault("wiring", {})
        for container in entry["containers"].values():
            image = images[container["image"]]
            container["image_key"] = container["image"]
            container["image"] = image_reference(registry, image)
        for item in entry.get("files") or []:
            item["template_path"] = os.path.join(directory, "templates", item["template"])
        for item in entry.get("generated_files") or []:
            image = images[item["image"]]
            item["image_ref"] = image_reference(registry, image)
        entry.setdefault("secrets", {})
        entry.setdefault("settings", {})
        entry.setdefault("volumes", [])
        result.append(entry)
    return result


def enabled_containers(entry, settings):
    """Container names in use: a container with ``enabled_when_empty: X`` runs only while
    setting X is empty (e.g. the bundled MinIO, unless an external S3 endpoint is set)."""
    names = []
    for name, container in entry["containers"].items():
        switch = container.get("enabled_when_empty")
        if switch is None or not str(settings.get(switch, "") or "").strip():
            names.append(name)
    return names


def plain_copy(value):
    """A copy of nested dicts, lists and scalars as plain Python types. Used instead of
    copy.deepcopy for values that reach a filter from Ansible: deepcopy rebuilds Ansible's lazy
    containers and tagged strings one by one through their reduce protocol, which cost seconds
    per Compose project in a site.yml run (the same values, copied this way, take milliseconds)."""
    if isinstance(value, Mapping):
        return dict((plain_copy(k), plain_copy(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain_copy(v) for v in value]
    if isinstance(value, str):
        return str.__str__(value)
    return value


# Where a container finds the host's CA bundle (ca_bundle of compose_project): the bundle's
# directory, mounted read-only, so a bundle that update-ca-certificates replaces is seen at once.
CONTAINER_CERTS_DIR = "/etc/foundrycloud/host-certs"
CA_BUNDLE_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")


def compose_project(entry, settings=None, project=None, dns_servers=None, ca_bundle=None):
    """The Compose project (a dict) for a resolved catalog entry.

    Values that depend on the site stay Compose variables resolved from the project's .env:
    PLATFORM_BIND_ADDRESS, PLATFORM_FQDN, PLATFORM_URL, PLATFORM_TLS, SETTING_<NAME>, SECRET_<NAME>.
    So this file holds no secret and changes only when the catalog does.

    dns_servers: resolvers for every container (the platform's internal DNS), so containers
    resolve the internal zone even where the host's own resolver is a loopback stub that Docker
    cannot hand on to them.

    ca_bundle: the host's CA bundle (absolute path; it trusts the platform's internal CA where
    internal_ca ran). Its directory is mounted read-only into every container and OpenSSL
    (SSL_CERT_FILE), Python requests (REQUESTS_CA_BUNDLE) and Node (NODE_EXTRA_CA_CERTS) are
    pointed at it, so services verify the TLS front and the gateway. An entry's own value wins.
    """
    settings = dict(entry.get("settings") or {}, **(settings or {}))
    active = enabled_containers(entry, settings)
    services = {}
    for name in active:
        container = entry["containers"][name]
        service = {"image": container["image"]}
        for key, value in container.items():
            if key not in PLATFORM_CONTAINER_KEYS and key != "image_key":
                service[key] = plain_copy(value)
        service.setdefault("restart", "unless-stopped")
        service.setdefault("logging", copy.deepcopy(DEFAULT_LOGGING))
        labels = dict(service.get("labels") or {})
        labels.update({"org.foundrycloud.service": entry["name"], "org.foundrycloud.container": name})
        service["labels"] = labels
        ports = []
        for port in container.get("ports") or []:
            inner, outer = (port["container"], port.get("host", port["container"])) if isinstance(port, dict) else (port, port)
            ports.append("${PLATFORM_BIND_ADDRESS}:%d:%d" % (outer, inner))
        if ports:
            service["ports"] = ports
        if dns_servers:
            service["dns"] = [str(server) for server in dns_servers]
        if ca_bundle:
            _trust_host_bundle(service, str(ca_bundle))
        limits = container.get("limits") or {}
        if limits:
            resources = service.setdefault("deploy", {}).setdefault("resources", {})
            resources["limits"] = dict(resources.get("limits") or {}, **dict((k, str(v)) for k, v in limits.items()))
        depends = service.get("depends_on")
        if isinstance(depends, dict):
            service["depends_on"] = dict((k, v) for k, v in depends.items() if k in active)
        elif isinstance(depends, list):
            service["depends_on"] = [k for k in depends if k in active]
        if "depends_on" in service and not service["depends_on"]:
            del service["depends_on"]
        services[name] = service
    result = {"name": project or entry["name"], "services": services}
    volumes = dict((volume, {"labels": {"org.foundrycloud.service": entry["name"]}}) for volume in entry.get("volumes") or [])
    if volumes:
        result["volumes"] = volumes
    return result


def _trust_host_bundle(service, ca_bundle):
    if not ca_bundle.startswith("/") or ca_bundle.endswith("/"):
        raise CatalogError("ca_bundle must be the absolute path of a file, got %r" % ca_bundle)
    directory, name = ca_bundle.rsplit("/", 1)
    service["volumes"] = list(service.get("volumes") or []) + ["%s:%s:ro" % (directory or "/", CONTAINER_CERTS_DIR)]
    inside = "%s/%s" % (CONTAINER_CERTS_DIR, name)
    environment = service.get("environment")
    if isinstance(environment, list):
        given = set(str(item).split("=", 1)[0] for item in environment)
        service["environment"] = environment + ["%s=%s" % (key, inside) for key in CA_BUNDLE_VARIABLES if key not in given]
    else:
        environment = dict(environment or {})
        for key in CA_BUNDLE_VARIABLES:
            environment.setdefault(key, inside)
        service["environment"] = environment


def env_key(prefix, name):
    return "%s_%s" % (prefix, re.sub(r"[^A-Za-z0-9]", "_", name).upper())


def env_values(platform, settings=None, secrets=None):
    """The .env mapping: PLATFORM_<NAME>, SETTING_<NAME> and SECRET_<NAME> variables."""
    values = {}
    for prefix, source in (("PLATFORM", platform), ("SETTING", settings), ("SECRET", secrets)):
        for name, value in (source or {}).items():
            # Structured settings (lists, mappings) are for the service's templated files only.
            if isinstance(value, (dict, list)):
                continue
            values[env_key(prefix, name)] = value
    return values


def env_file_lines(platform, settings=None, secrets=None):
    """KEY='value' lines; single quotes so Compose takes the value literally (no interpolation)."""
    values = env_values(platform, settings, secrets)
    lines = []
    for key in sorted(values):
        value = values[key]
        value = "" if value is None else ("true" if value else "false") if isinstance(value, bool) else str(value)
        if "'" in value or "\n" in value:
            raise CatalogError("%s: values for the Compose .env file may not contain a single quote or newline" % key)
        lines.append("%s='%s'" % (key, value))
    return lines


def project_layout(entry, project_dir, compose, env, contents, owner="root", group="root"):
    """What the project directory of a service holds, as foundrycloud.platform.file_set takes it.

    compose, env: the rendered compose.yml and .env; contents: the rendered ``files`` of the entry,
    in their order. Returns directories (the project directory root-only, files/ and the
    directories of the files below it readable by the containers' users), files (shown in diffs),
    secret_files (.env and the files marked secret), generated (paths of the generated files),
    check_paths (compose.yml, which tells whether the project existed, and the generated files)
    and restart (path -> containers to restart when that file changes; compose.yml and .env need
    none: Compose recreates what their change affects), fingerprint (sha256 of everything written,
    secrets included) and applied_marker (the file that holds the fingerprint of the last project
    Compose brought up successfully).
    """
    items = list(entry.get("files") or [])
    if len(contents) != len(items):
        raise CatalogError("%s: %d rendered files for %d files of the entry" % (entry.get("name"), len(contents), len(items)))
    root = project_dir.rstrip("/")
    generated = ["%s/files/%s" % (root, item["dest"]) for item in entry.get("generated_files") or []]
    dests = [item["dest"] for item in items] + [item["dest"] for item in entry.get("generated_files") or []]
    directories = [dict(path=root, mode="0700", owner=owner, group=group)]
    subdirs = (["files"] if dests else []) + sorted({"files/" + os.path.dirname(d) for d in dests if os.path.dirname(d)})
    directories += [dict(path="%s/%s" % (root, sub), mode="0755", owner=owner, group=group) for sub in subdirs]
    files = [dict(path=root + "/compose.yml", content=compose, mode="0600", owner=owner, group=group)]
    secret_files = [dict(path=root + "/.env", content=env, mode="0600", owner=owner, group=group, secret=True)]
    restart = {root + "/compose.yml": [], root + "/.env": []}
    for item, content in zip(items, contents):
        path = "%s/files/%s" % (root, item["dest"])
        spec = dict(path=path, content=content, mode=str(item.get("mode", "0644")), owner=owner, group=group)
        if item.get("secret"):
            secret_files.append(dict(spec, secret=True))
        else:
            files.append(spec)
        restart[path] = list(item.get("restart") or [])
    fingerprint = hashlib.sha256(json.dumps([directories, files, secret_files], sort_keys=True).encode("utf-8")).hexdigest()
    return dict(directories=directories, files=files, secret_files=secret_files, generated=generated,
                check_paths=[root + "/compose.yml"] + generated, restart=restart,
                fingerprint=fingerprint, applied_marker=root + "/.applied")


def compose_containers_ready(ps_output, compose):
    """Whether every service of a Compose file has containers, all running and (if checked) healthy.

    ps_output: what ``docker compose ps --all --format json`` printed (one JSON object per line
    since Compose 2.21, one JSON array before); compose: the Compose file's text or mapping.
    Returns (ready, reason): reason names the first service that is missing, stopped or unhealthy.
    Anything unexpected counts as not ready, so the caller runs Compose rather than skip it.
    """
    if isinstance(compose, str):
        import yaml  # only where the caller has the text; PyYAML ships with ansible-core

        compose = yaml.safe_load(compose) or {}
    services = sorted((compose.get("services") or {}) if isinstance(compose, Mapping) else {})
    text = (ps_output or "").strip()
    try:
        if text.startswith("["):
            containers = json.loads(text)
        else:
            containers = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError:
        return False, "docker compose ps printed no JSON"
    if not services:
        return False, "the Compose file names no services"
    by_service = {}
    for container in containers:
        if isinstance(container, Mapping):
            by_service.setdefault(str(container.get("Service", "")), []).append(container)
    for service in services:
        found = by_service.get(service)
        if not found:
            return False, "service %s has no container" % service
        for container in found:
            state, health = container.get("State"), container.get("Health") or ""
            if state != "running" or health not in ("", "healthy"):
                return False, "service %s: container %s is %s%s" % (
                    service, container.get("Name", "?"), state, (", " + health) if health else "")
    return True, "every service is running (and healthy where it has a health check)"
