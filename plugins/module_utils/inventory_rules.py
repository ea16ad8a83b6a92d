# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline checks of a customer inventory against the platform's roles and playbooks.

Everything here is plain Python: it needs no Ansible runtime, only the data an action
plugin can collect on the controller (hostvars, groups, the playbook files and the
roles' meta/argument_specs.yml and defaults/main.yml). The action plugin
``foundrycloud.platform.validate_inventory`` is a thin wrapper around :func:`validate`.

Checks are functions ``rule(context) -> list[str]`` listed in :data:`RULES`; every
string they return is one problem. A new check is a new function appended to RULES.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import ipaddress
import os
import re
from collections.abc import Iterable, Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import ModelName
from ansible_collections.foundrycloud.platform.plugins.module_utils import placement
from ansible_collections.foundrycloud.platform.plugins.module_utils import gateway
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import CatalogError
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve as resolve_catalog

try:  # PyYAML is always there on the controller, where this code runs
    import yaml
except ImportError:  # pragma: no cover - only in minimal (target-side) environments
    yaml = None

# Groups the platform's playbooks and docs know about. A customer inventory may only use
# these, groups named literally in a layer playbook's `hosts:`, and the groups listed in
# `platform_extra_groups` (set it in group_vars/all for site-specific groups).
GROUP_CATALOG: dict[str, str] = {
    "central": "Central server: gateway, DNS, monitoring and the shared AI services.",
    "gpu_nodes": "Bare-metal GPU servers that run the inference services.",
    "workspace_vms": "Per-user workspace VMs created in OpenStack.",
    "docker_hosts": "Hosts that get Docker Engine for containerised services.",
    "dns_servers": "Authoritative/recursive DNS for the platform's domains.",
    "gateway": "The inference gateway: TLS, API keys, limits and usage in front of the GPU nodes' models.",
    "monitoring": "Prometheus, Grafana and log collection.",
    "ceph_mons": "Ceph monitors.",
    "ceph_mgrs": "Ceph managers.",
    "ceph_osds": "Ceph OSD (storage) nodes.",
    "ceph_mdss": "Ceph metadata servers (CephFS).",
    "ceph_rgws": "Ceph RADOS gateways (S3).",
    "ceph_clients": "Hosts that mount or use Ceph storage.",
    "openstack_controllers": "OpenStack control plane nodes.",
    "lab": "Lab and test hosts; never production.",
}

# Groups every inventory has.
BUILTIN_GROUPS = frozenset({"all", "ungrouped"})

# This collection's prefix for fully qualified role names.
COLLECTION_PREFIX = "foundrycloud.platform."

# Playbooks that a site playbook imports but that are not layers (never scanned for roles).
SKIPPED_PLAYBOOKS = frozenset({"validate.yml", "validate.yaml"})

_IMPORT_PLAYBOOK_KEYS = ("ansible.builtin.import_playbook", "ansible.legacy.import_playbook", "import_playbook")
_ROLE_TASK_KEYS = tuple(
    prefix + action
    for action in ("import_role", "include_role")
    for prefix in ("ansible.builtin.", "ansible.legacy.", "")
)
_BLOCK_KEYS = ("block", "rescue", "always")
_TASK_LIST_KEYS = ("pre_tasks", "tasks", "post_tasks", "handlers")

NOT_EVALUATED = "could not be evaluated without facts; not checked"


class UnevaluableVariable(Exception):
    """Raised by a hostvars view when a variable's value cannot be computed offline
    (its template refers to facts or to something else only known at run time)."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()
"""Returned by :meth:`HostVarAccess.get` for variables that are unset or not evaluable."""


# --------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------


def _construct_tagged_scalar(loader, node):
    if isinstance(node, yaml.ScalarNode):
        return str(loader.construct_scalar(node))
    return "<%s>" % node.tag


@functools.lru_cache(maxsize=None)
def _loader():
    """A SafeLoader that also accepts Ansible's tags (their values are kept as plain strings)."""
    if yaml is None:
        raise ValueError("PyYAML is required to read playbooks and roles")
    loader = type("InventoryRulesLoader", (yaml.SafeLoader,), {})
    for tag in ("!unsafe", "!vault", "!vault-encrypted"):
        loader.add_constructor(tag, _construct_tagged_scalar)
    return loader


def load_yaml_file(path: str):
    """Parse a YAML file; raise ValueError with a short message on failure."""
    loader = _loader()
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except OSError as exc:
        raise ValueError("cannot read: %s" % (exc.strerror or exc)) from exc
    except yaml.YAMLError as exc:
        raise ValueError("invalid YAML: %s" % " ".join(str(exc).split())) from exc


def _is_templated(value) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


# --------------------------------------------------------------------------------------
# Host patterns
# --------------------------------------------------------------------------------------


def split_host_pattern(pattern) -> list[str]:
    """Split a host pattern into terms, like Ansible does.

    A list is split element by element. A string containing a comma is split on commas
    only; otherwise it is split on colons outside of square brackets (so subscripts such
    as ``web[0:2]`` stay whole).
    """
    if pattern is None:
        return []
    if isinstance(pattern, (list, tuple)):
        terms: list[str] = []
        for item in pattern:
            terms.extend(split_host_pattern(item))
        return terms
    text = str(pattern).strip()
    if not text:
        return []
    if "," in text:
        pieces = text.split(",")
    else:
        pieces, current, depth = [], "", 0
        for char in text:
            if char == "[":
                depth += 1
            elif char == "]":
                depth = max(depth - 1, 0)
            if char == ":" and depth == 0:
                pieces.append(current)
                current = ""
            else:
                current += char
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


_SUBSCRIPT = re.compile(r"^(?P<name>.+?)\[(?P<start>-?\d*)(?::(?P<end>-?\d*))?\]$")


def _match_term(term: str, groups: Mapping[str, Iterable[str]], all_hosts: list[str]) -> list[str]:
    """Hosts matched by one pattern term (without its & or ! prefix), in inventory order."""
    if term in ("all", "*"):
        return list(all_hosts)
    if term in groups:
        return list(groups[term])
    if term in all_hosts:
        return [term]

    subscript = _SUBSCRIPT.match(term)
    if subscript and not term.startswith("~"):
        hosts = _match_term(subscript.group("name"), groups, all_hosts)
        start, end = subscript.group("start"), subscript.group("end")
        if end is None:  # name[i]
            if start in ("", "-"):
                return []
            index = int(start)
            return [hosts[index]] if -len(hosts) <= index < len(hosts) else []
        # name[a:b], end inclusive as in Ansible
        first = int(start) if start not in ("", "-") else 0
        last = int(end) if end not in ("", "-") else len(hosts) - 1
        if last < 0:
            last += len(hosts)
        if first < 0:
            first += len(hosts)
        return hosts[max(first, 0):last + 1]

    names = list(groups) + list(all_hosts)
    if term.startswith("~"):
        try:
            regex = re.compile(term[1:])
        except re.error:
            return []
        matched_names = [name for name in names if regex.search(name)]
    elif any(char in term for char in "*?["):
        matched_names = [name for name in names if fnmatch.fnmatchcase(name, term)]
    else:
        return []
    result: list[str] = []
    for name in matched_names:
        for host in groups[name] if name in groups else [name]:
            if host not in result:
                result.append(host)
    return result


def resolve_host_pattern(pattern, groups: Mapping[str, Iterable[str]]) -> list[str]:
    """Resolve an Ansible host pattern against ``groups`` (the ``groups`` magic variable).

    Supports ``all``/``*``, group and host names, unions (``a:b``, ``a,b``, lists),
    intersections (``a:&b``), exclusions (``a:!b``), wildcards, ``~regex`` and subscripts
    (``group[0]``, ``group[0:2]``). As in Ansible, unions are applied first, then
    intersections, then exclusions; a pattern with only ``&``/``!`` terms starts from
    ``all``. Unknown names match nothing. Returns sorted host names.
    """
    groups = {name: list(hosts or []) for name, hosts in groups.items()}
    if "all" in groups:
        all_hosts = list(groups["all"])
    else:
        all_hosts = []
        for hosts in groups.values():
            all_hosts.extend(host for host in hosts if host not in all_hosts)

    terms = split_host_pattern(pattern)
    regular = [term for term in terms if term[0] not in "&!"]
    intersect = [term[1:] for term in terms if term[0] == "&"]
    exclude = [term[1:] for term in terms if term[0] == "!"]
    if terms and not regular:
        regular = ["all"]

    selected: list[str] = []
    for term in regular:
        selected.extend(host for host in _match_term(term, groups, all_hosts) if host not in selected)
    for term in intersect:
        keep = set(_match_term(term, groups, all_hosts))
        selected = [host for host in selected if host in keep]
    for term in exclude:
        drop = set(_match_term(term, groups, all_hosts))
        selected = [host for host in selected if host not in drop]
    return sorted(selected)


def pattern_names(pattern) -> set[str]:
    """Plain names (group or host names) that a host pattern mentions literally."""
    names = set()
    for term in split_host_pattern(pattern):
        term = term.lstrip("&!")
        subscript = _SUBSCRIPT.match(term)
        if subscript:
            term = subscript.group("name")
        if term and not term.startswith("~") and not any(char in term for char in "*?[]{}"):
            names.add(term)
    return names


# --------------------------------------------------------------------------------------
# Playbooks: which role runs on which host pattern
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RoleUse:
    """One place where a playbook applies a role."""

    role: str
    hosts: object  # the play's `hosts:` (string or list)
    provided: frozenset = frozenset()  # variables the playbook itself sets (play/role vars)
    source: str = ""  # playbook file, relative to the site playbook's directory


@dataclasses.dataclass
class PlaybookScan:
    uses: list = dataclasses.field(default_factory=list)
    patterns: list = dataclasses.field(default_factory=list)  # every play's hosts pattern
    errors: list = dataclasses.field(default_factory=list)
    warnings: list = dataclasses.field(default_factory=list)
    files: list = dataclasses.field(default_factory=list)

    def role_patterns(self) -> dict[str, set]:
        """role -> set of host patterns (list patterns are joined with ',')."""
        result: dict[str, set] = {}
        for use in self.uses:
            hosts = use.hosts
            if isinstance(hosts, (list, tuple)):
                hosts = ",".join(str(item) for item in hosts)
            result.setdefault(use.role, set()).add(str(hosts))
        return result


def normalise_role_name(name) -> str | None:
    if not isinstance(name, str) or not name.strip() or _is_templated(name):
        return None
    name = name.strip()
    if name.startswith(COLLECTION_PREFIX):
        name = name[len(COLLECTION_PREFIX):]
    return name


def _keys(value) -> set[str]:
    return {str(key) for key in value} if isinstance(value, Mapping) else set()


def _role_tasks(tasks, play_vars: set, hosts, source: str, scan: PlaybookScan) -> None:
    if not isinstance(tasks, list):
        return
    for task in tasks:
        if not isinstance(task, Mapping):
            continue
        for key in _BLOCK_KEYS:
            if key in task:
                _role_tasks(task[key], play_vars | _keys(task.get("vars")), hosts, source, scan)
        for key in _ROLE_TASK_KEYS:
            if key not in task:
                continue
            args = task[key]
            if isinstance(args, str):  # free-form "name=foo"
                args = dict(item.split("=", 1) for item in args.split() if "=" in item)
            if not isinstance(args, Mapping):
                continue
            if args.get("tasks_from", "main") not in ("main", "main.yml", "main.yaml"):
                continue  # another entry point; its spec is not argument_specs.main
            role = normalise_role_name(args.get("name"))
            if role is None:
                scan.warnings.append(
                    "playbook %s: %s with name %r cannot be resolved offline; not checked"
                    % (source, key, args.get("name")))
                continue
            provided = play_vars | _keys(task.get("vars"))
            scan.uses.append(RoleUse(role, hosts, frozenset(provided), source))


def _scan_play(play: Mapping, source: str, scan: PlaybookScan) -> None:
    hosts = play.get("hosts")
    if hosts is None:
        scan.errors.append("playbook %s: play %r has no hosts" % (source, play.get("name", "")))
        return
    if _is_templated(hosts) or (isinstance(hosts, list) and any(_is_templated(item) for item in hosts)):
        scan.warnings.append("playbook %s: hosts pattern %r is templated; its roles are not checked"
                             % (source, hosts))
        return
    scan.patterns.append(hosts)
    play_vars = _keys(play.get("vars"))
    roles = play.get("roles") or []
    if not isinstance(roles, list):
        scan.errors.append("playbook %s: play %r: roles must be a list" % (source, play.get("name", "")))
        roles = []
    for entry in roles:
        if isinstance(entry, Mapping):
            raw_name = entry.get("role", entry.get("name"))
            provided = play_vars | _keys(entry.get("vars")) | (_keys(entry) - {"role", "name", "vars"})
        else:
            raw_name, provided = entry, play_vars
        role = normalise_role_name(raw_name)
        if role is None:
            scan.warnings.append("playbook %s: role %r cannot be resolved offline; not checked"
                                 % (source, raw_name))
            continue
        scan.uses.append(RoleUse(role, hosts, frozenset(provided), source))
    for key in _TASK_LIST_KEYS:
        _role_tasks(play.get(key), play_vars, hosts, source, scan)


def _resolve_import(value: str, base_dir: str) -> str | None:
    candidates = [value if os.path.isabs(value) else os.path.join(base_dir, value)]
    if value.startswith(COLLECTION_PREFIX):
        short = value[len(COLLECTION_PREFIX):]
        candidates += [os.path.join(base_dir, short + ext) for ext in ("", ".yml", ".yaml")]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    return None


def scan_playbooks(site_playbook: str) -> PlaybookScan:
    """Read the site playbook and the playbooks it imports (recursively).

    Returns the roles each play applies with its hosts pattern. Imported playbooks named
    in :data:`SKIPPED_PLAYBOOKS` (validate.yml) are not read.
    """
    scan = PlaybookScan()
    site_playbook = os.path.normpath(os.path.abspath(site_playbook))
    base = os.path.dirname(site_playbook)

    def relname(path: str) -> str:
        return os.path.relpath(path, base)

    def visit(path: str) -> None:
        if path in scan.files:
            return
        scan.files.append(path)
        source = relname(path)
        if not os.path.isfile(path):
            scan.errors.append("playbook %s: not found" % path)
            return
        try:
            data = load_yaml_file(path)
        except ValueError as exc:
            scan.errors.append("playbook %s: %s" % (source, exc))
            return
        if data is None:
            return
        if not isinstance(data, list):
            scan.errors.append("playbook %s: must be a list of plays" % source)
            return
        for entry in data:
            if not isinstance(entry, Mapping):
                scan.errors.append("playbook %s: entry %r is not a play" % (source, entry))
                continue
            import_key = next((key for key in _IMPORT_PLAYBOOK_KEYS if key in entry), None)
            if import_key is not None:
                target = entry[import_key]
                if not isinstance(target, str) or _is_templated(target):
                    scan.warnings.append("playbook %s: import_playbook %r cannot be resolved offline; not checked"
                                         % (source, target))
                    continue
                name = os.path.basename(target)
                if name in SKIPPED_PLAYBOOKS or target == COLLECTION_PREFIX + "validate":
                    continue
                resolved = _resolve_import(target, os.path.dirname(path))
                if resolved is None:
                    scan.errors.append("playbook %s: imported playbook %s not found" % (source, target))
                    continue
                visit(resolved)
                continue
            _scan_play(entry, source, scan)

    visit(site_playbook)
    return scan


# --------------------------------------------------------------------------------------
# Roles: argument specs and defaults
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class RoleSpec:
    name: str
    path: str
    options: dict | None  # None: the role has no argument spec
    defaults: dict


def list_roles(roles_dir: str) -> set[str]:
    if not roles_dir or not os.path.isdir(roles_dir):
        return set()
    return {name for name in os.listdir(roles_dir) if os.path.isdir(os.path.join(roles_dir, name))}


def _first_file(directory: str, stem: str) -> str | None:
    for ext in (".yml", ".yaml"):
        candidate = os.path.join(directory, stem + ext)
        if os.path.isfile(candidate):
            return candidate
    return None


def load_role_spec(roles_dir: str, role: str, errors: list) -> RoleSpec:
    """Load roles/<role>/meta/argument_specs.yml (entry point main) and defaults/main.yml.

    Problems with the files are appended to ``errors``. Defaults are read literally,
    never templated.
    """
    path = os.path.join(roles_dir, role)
    options = None
    meta_dir = os.path.join(path, "meta")
    spec_file = _first_file(meta_dir, "argument_specs")
    main_file = _first_file(meta_dir, "main")
    for candidate in (spec_file, main_file):
        if candidate is None:
            continue
        label = os.path.relpath(candidate, roles_dir)
        try:
            data = load_yaml_file(candidate) or {}
        except ValueError as exc:
            errors.append("role %s: %s: %s" % (role, label, exc))
            options = {}
            break
        specs = data.get("argument_specs") if isinstance(data, Mapping) else None
        if specs is None:
            continue
        main = specs.get("main") if isinstance(specs, Mapping) else None
        if not isinstance(main, Mapping):
            errors.append("role %s: %s: argument_specs has no entry point main" % (role, label))
            options = {}
            break
        options = main.get("options") or {}
        if not isinstance(options, Mapping) or not all(isinstance(v, Mapping) for v in options.values()):
            errors.append("role %s: %s: argument_specs.main.options must map names to specs" % (role, label))
            options = {}
        options = dict(options)
        break

    defaults: dict = {}
    defaults_dir = os.path.join(path, "defaults")
    files = []
    single = _first_file(defaults_dir, "main")
    if single:
        files.append(single)
    elif os.path.isdir(os.path.join(defaults_dir, "main")):
        directory = os.path.join(defaults_dir, "main")
        files = [os.path.join(directory, name) for name in sorted(os.listdir(directory))
                 if name.endswith((".yml", ".yaml"))]
    for candidate in files:
        label = os.path.relpath(candidate, roles_dir)
        try:
            data = load_yaml_file(candidate)
        except ValueError as exc:
            errors.append("role %s: %s: %s" % (role, label, exc))
            continue
        if data is None:
            continue
        if not isinstance(data, Mapping):
            errors.append("role %s: %s: must be a mapping of variables" % (role, label))
            continue
        defaults.update(data)
    return RoleSpec(role, path, options, defaults)


# --------------------------------------------------------------------------------------
# Host variables
# --------------------------------------------------------------------------------------


class HostVarAccess:
    """Reads host variables through a ``hostvars``-like mapping (host -> mapping of vars).

    Values are read lazily and cached. A variable whose value raises
    :class:`UnevaluableVariable` (e.g. its template needs facts) yields a warning and is
    treated as not checkable (:data:`MISSING`), but still counts as *set*.
    """

    def __init__(self, hostvars: Mapping, warnings: list):
        self._hostvars = hostvars
        self._warnings = warnings
        self._cache: dict = {}
        self._views: dict = {}

    def _view(self, host: str):
        if host not in self._views:
            try:
                view = self._hostvars[host] if host in self._hostvars else {}
            except (KeyError, UnevaluableVariable):
                view = {}
            self._views[host] = view if isinstance(view, Mapping) else {}
        return self._views[host]

    def names(self, host: str) -> set[str]:
        return {str(name) for name in self._view(host)}

    def has(self, host: str, name: str) -> bool:
        return name in self._view(host)

    def get(self, host: str, name: str, default=MISSING):
        """The value of ``name`` for ``host``; ``default`` if unset, MISSING if not evaluable."""
        key = (host, name)
        if key not in self._cache:
            view = self._view(host)
            if name not in view:
                return default
            try:
                self._cache[key] = view[name]
            except UnevaluableVariable as exc:
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                self._warnings.append("host %s: %s: %s%s" % (
                    host, name, NOT_EVALUATED, " (%s)" % detail if detail else ""))
                self._cache[key] = MISSING
        return self._cache[key]


# --------------------------------------------------------------------------------------
# Context and rules
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    hosts: list  # every inventory host, sorted
    groups: dict  # group -> hosts
    vars: HostVarAccess
    roles: dict  # role -> RoleSpec, for every role in roles_dir
    role_hosts: dict  # role -> sorted hosts it runs on (only roles in roles_dir)
    provided: dict  # (host, role) -> variables the playbooks set themselves
    playbook_groups: set  # names used literally in layer playbook host patterns
    warnings: list


def _clean_message(message: str) -> str:
    message = re.sub(r"<class '([\w.]+)'>", r"\1", message)
    return " ".join(message.split())


def _mask(message: str, value) -> str:
    secrets: list[str] = []

    def walk(item):
        if isinstance(item, Mapping):
            for sub in item.values():
                walk(sub)
        elif isinstance(item, (list, tuple, set)):
            for sub in item:
                walk(sub)
        elif item is not None and not isinstance(item, bool):
            text = str(item)
            if len(text) >= 3:
                secrets.append(text)

    walk(value)
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "********")
    return message


def validate_option(name: str, spec: Mapping, value) -> list[str]:
    """Validate one variable against its option spec; return readable problems."""
    try:
        result = ArgumentSpecValidator({name: dict(spec)}).validate({name: value})
    except Exception as exc:  # a broken spec must not abort the whole validation
        return ["cannot validate against the role's argument spec: %s" % _clean_message(str(exc))]
    problems = []
    errors = list(result.errors.errors)
    if any(type(err).__name__ != "NoLogError" for err in errors):
        errors = [err for err in errors if type(err).__name__ != "NoLogError"]
    for err in errors:
        message = _clean_message(err.msg)
        if type(err).__name__ == "UnsupportedError":
            message = "unsupported parameter " + message
        if spec.get("no_log"):
            message = _mask(message, value)
        if message not in problems:
            problems.append(message)
    return problems


def check_argument_specs(ctx: Context) -> list[str]:
    """Check 1: values set in the inventory match the role's meta/argument_specs.yml, and
    required options without a role default are set."""
    errors = []
    for role, hosts in ctx.role_hosts.items():
        spec = ctx.roles[role]
        if spec.options is None:
            continue
        for host in hosts:
            provided = ctx.provided.get((host, role), frozenset())
            for option, option_spec in sorted(spec.options.items()):
                if option in provided:
                    continue  # the playbook sets it (play or role vars)
                if not ctx.vars.has(host, option):
                    if option_spec.get("required") and option not in spec.defaults:
                        errors.append("host %s: %s: required by role %s but not set (the role has no default)"
                                      % (host, option, role))
                    continue
                value = ctx.vars.get(host, option)
                if value is MISSING:
                    continue
                for problem in validate_option(option, option_spec, value):
                    errors.append("host %s: %s: %s" % (host, option, problem))
    return errors


def check_unknown_role_variables(ctx: Context) -> list[str]:
    """Check 2: a variable named <role>_... that the role does not know is probably a typo."""
    errors = []
    all_roles = set(ctx.roles)
    for role, hosts in ctx.role_hosts.items():
        spec = ctx.roles[role]
        if spec.options is None:
            continue
        prefix = role + "_"
        longer = sorted(other + "_" for other in all_roles if other.startswith(prefix))
        known = set(spec.options) | set(spec.defaults)
        for host in hosts:
            for name in sorted(ctx.vars.names(host)):
                if not name.startswith(prefix) or name in known:
                    continue
                if any(name.startswith(other) for other in longer):
                    continue
                errors.append("host %s: %s: unknown variable for role %s (typo?)" % (host, name, role))
    return errors


def extra_groups(ctx: Context, errors: list | None = None) -> set[str]:
    """Union of ``platform_extra_groups`` over all hosts."""
    result: set[str] = set()
    for host in ctx.hosts:
        value = ctx.vars.get(host, "platform_extra_groups", None)
        if value is MISSING or value is None:
            continue
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or \
                not all(isinstance(item, str) for item in value):
            if errors is not None:
                errors.append("host %s: platform_extra_groups: must be a list of group names, got %r"
                              % (host, value))
            continue
        result.update(value)
    return result


def check_unknown_groups(ctx: Context) -> list[str]:
    """Check 3: every group is in the catalog, in platform_extra_groups or in a layer playbook."""
    errors: list[str] = []
    # a layer playbook's pattern may also name hosts; those are not groups
    known = set(GROUP_CATALOG) | extra_groups(ctx, errors) | (set(ctx.playbook_groups) - set(ctx.hosts))
    known_text = ", ".join(sorted(known))
    for group in sorted(ctx.groups):
        if group in BUILTIN_GROUPS or group in known:
            continue
        members = ", ".join(sorted(ctx.groups[group] or [])) or "none"
        errors.append("group %s: unknown group (hosts: %s); known: %s; add it to platform_extra_groups "
                      "if it is site-specific" % (group, members, known_text))
    return errors


def _network(text, interface: bool = False):
    """Parse a CIDR; with interface=True an address with prefix (10.0.0.1/24) is allowed."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError
    if interface:
        return ipaddress.ip_interface(text.strip()).network
    return ipaddress.ip_network(text.strip(), strict=False)


def _host_addresses(ctx: Context) -> list:
    """(address, host) for every inventory host whose ansible_host (or name) is an IP literal."""
    result = []
    for host in ctx.hosts:
        address = ctx.vars.get(host, "ansible_host", None)
        if address is MISSING:
            continue
        if address is None:
            address = host
        try:
            result.append((ipaddress.ip_address(str(address).strip()), host))
        except ValueError:
            continue
    return result


def check_docker_address_pools(ctx: Context) -> list[str]:
    """Check 4: Docker's address pools and bridge must not clash with customer networks
    (platform_internal_networks of the host) or with any inventory host's address."""
    role = "docker_engine"
    if role not in ctx.role_hosts:
        return []
    errors: list[str] = []
    defaults = ctx.roles[role].defaults
    addresses = _host_addresses(ctx)
    for host in ctx.role_hosts[role]:
        provided = ctx.provided.get((host, role), frozenset())
        internal = []
        networks = ctx.vars.get(host, "platform_internal_networks", None)
        if networks is not MISSING and networks is not None:
            if isinstance(networks, str) or not isinstance(networks, (list, tuple)):
                errors.append("host %s: platform_internal_networks: must be a list of CIDRs, got %r"
                              % (host, networks))
                networks = []
            for item in networks:
                try:
                    internal.append(_network(item))
                except ValueError:
                    errors.append("host %s: platform_internal_networks: %r is not a valid CIDR" % (host, item))

        candidates = []  # (variable, label, network)
        variable = "docker_engine_default_address_pools"
        if variable not in provided:
            suffix = ""
            if ctx.vars.has(host, variable):
                pools = ctx.vars.get(host, variable)
            else:
                pools, suffix = defaults.get(variable, MISSING), " (role default)"
                if _is_templated(pools):
                    pools = MISSING
            if pools is not MISSING and isinstance(pools, (list, tuple)):
                for pool in pools:
                    if not isinstance(pool, Mapping) or "base" not in pool:
                        continue  # shape problems are reported by the argument spec check
                    base = pool.get("base")
                    try:
                        network = _network(base)
                    except ValueError:
                        errors.append("host %s: %s: base %r is not a valid CIDR%s" % (host, variable, base, suffix))
                        continue
                    size = pool.get("size")
                    try:
                        size = int(size)
                    except (TypeError, ValueError):
                        size = None
                    if size is not None and not network.prefixlen <= size <= network.max_prefixlen:
                        errors.append("host %s: %s: size %s does not fit base %s (must be between %d and %d)%s"
                                      % (host, variable, size, network, network.prefixlen,
                                         network.max_prefixlen, suffix))
                    candidates.append((variable, "%s%s" % (network, suffix), network))

        variable = "docker_engine_bip"
        if variable not in provided:
            if ctx.vars.has(host, variable):
                bip, suffix = ctx.vars.get(host, variable), ""
            else:
                bip, suffix = defaults.get(variable, MISSING), " (role default)"
                if _is_templated(bip):
                    bip = MISSING
            if bip is not MISSING and bip not in (None, ""):
                try:
                    network = _network(bip, interface=True)
                except ValueError:
                    errors.append("host %s: %s: %r is not a valid address/prefix (e.g. 10.202.0.1/24)%s"
                                  % (host, variable, bip, suffix))
                else:
                    candidates.append((variable, "%s (network %s)%s" % (bip, network, suffix), network))

        for variable, label, network in candidates:
            for other in internal:
                if network.version == other.version and network.overlaps(other):
                    errors.append("host %s: %s: %s overlaps platform_internal_networks %s"
                                  % (host, variable, label, other))
            for address, owner in addresses:
                if address.version == network.version and address in network:
                    errors.append("host %s: %s: %s contains ansible_host %s of host %s"
                                  % (host, variable, label, address, owner))
    return errors


# A rule is a function rule(context: Context) -> list[str] of problems.
def _model_key(name):
    """Ollama's normalised model name, or None when the name is invalid."""
    try:
        return ModelName.parse(str(name)).key
    except ValueError:
        return None


def check_model_mapping(ctx: Context) -> list[str]:
    """External model names (platform_model_mapping) must map to a model that at least one
    host running the ollama role plans in ollama_models; the gateway could not serve it
    otherwise."""
    variable = "platform_model_mapping"
    errors: list[str] = []
    mappings = {}
    for host in ctx.hosts:
        value = ctx.vars.get(host, variable, None)
        if value is None or value is MISSING:
            continue
        if not isinstance(value, Mapping):
            errors.append("host %s: %s: must be a dict of external name -> Ollama model, got %r"
                          % (host, variable, value))
            continue
        # A value is a model name, or {model, mode} (mode chat or embedding, for the gateway).
        mappings[host] = {str(k): str(v.get("model") if isinstance(v, Mapping) else v) for k, v in value.items()}
    if not mappings:
        return errors

    planned: dict = {}  # model key -> hosts planning it
    for host in ctx.role_hosts.get("ollama", []):
        models = ctx.vars.get(host, "ollama_models", [])
        if models is MISSING or not isinstance(models, (list, tuple)):
            continue
        for model in models:
            if isinstance(model, Mapping) and model.get("name"):
                planned.setdefault(_model_key(model["name"]), []).append(host)

    reported = set()
    for host, mapping in sorted(mappings.items()):
        for external, internal in sorted(mapping.items()):
            key = _model_key(internal)
            if key is None:
                problem = "%s: %s -> %r is not a valid Ollama model name" % (variable, external, internal)
            elif key not in planned:
                problem = ("%s: %s -> %s, but no host that runs the ollama role plans %s in ollama_models"
                           % (variable, external, internal, internal))
            else:
                continue
            if problem not in reported:  # group_vars/all repeats the same mapping on every host
                reported.add(problem)
                errors.append("host %s: %s" % (host, problem))
    return errors


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


RULES: list = [
    check_argument_specs,
    check_unknown_role_variables,
    check_unknown_groups,
    check_docker_address_pools,
    check_model_mapping,
    check_central_services,
    check_placement,
    check_gateway,
]
"""Every check, in order. Append new cross-host rules here."""


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def build_context(hostvars: Mapping, groups: Mapping, site_playbook: str, roles_dir: str | None = None):
    """Collect everything the rules need. Returns (context, errors found while loading)."""
    warnings: list[str] = []
    errors: list[str] = []
    groups = {str(name): sorted({str(host) for host in (hosts or [])}) for name, hosts in groups.items()}
    if "all" in groups:
        hosts = sorted(groups["all"])
    else:
        hosts = sorted({host for members in groups.values() for host in members} | {str(h) for h in hostvars})

    site_playbook = os.path.abspath(site_playbook)
    if roles_dir is None:
        roles_dir = os.path.join(os.path.dirname(site_playbook), "..", "roles")
    roles_dir = os.path.normpath(os.path.abspath(roles_dir))

    scan = scan_playbooks(site_playbook)
    errors.extend(scan.errors)
    warnings.extend(scan.warnings)

    available = list_roles(roles_dir)
    if not available:
        errors.append("roles directory %s: not found or empty" % roles_dir)
    roles = {name: load_role_spec(roles_dir, name, errors) for name in sorted(available)}

    role_hosts: dict[str, list] = {}
    provided: dict[tuple, frozenset] = {}
    for use in scan.uses:
        if use.role not in roles:
            continue
        matched = resolve_host_pattern(use.hosts, groups)
        current = set(role_hosts.get(use.role, []))
        role_hosts[use.role] = sorted(current | set(matched))
        for host in matched:
            key = (host, use.role)
            # a variable counts as provided only if every play running the role on this host sets it
            provided[key] = provided[key] & use.provided if key in provided else use.provided
    for role in sorted(role_hosts):
        if roles[role].options is None:
            warnings.append("role %s: no meta/argument_specs.yml; its variables are not checked" % role)

    playbook_groups = set()
    for pattern in scan.patterns:
        playbook_groups |= pattern_names(pattern)

    context = Context(
        hosts=hosts,
        groups=groups,
        vars=HostVarAccess(hostvars, warnings),
        roles=roles,
        role_hosts=role_hosts,
        provided=provided,
        playbook_groups=playbook_groups,
        warnings=warnings,
    )
    return context, errors


def validate(hostvars: Mapping, groups: Mapping, site_playbook: str, roles_dir: str | None = None,
             rules: Iterable | None = None) -> dict:
    """Run every rule and return an action-plugin style result dict.

    ``hostvars`` maps host -> mapping of variables (values may raise UnevaluableVariable
    when read), ``groups`` is the ``groups`` magic variable, ``site_playbook`` the
    playbook that imports the layer playbooks, ``roles_dir`` the collection's roles/
    (default: ``<site_playbook dir>/../roles``).
    """
    context, errors = build_context(hostvars, groups, site_playbook, roles_dir)
    for rule in RULES if rules is None else rules:
        errors.extend(rule(context))

    errors = sorted(set(errors))
    warnings = sorted(set(context.warnings))
    checked = {role: list(hosts) for role, hosts in sorted(context.role_hosts.items())}
    pairs = sum(len(hosts) for hosts in checked.values())
    result = {
        "changed": False,
        "failed": bool(errors),
        "errors": errors,
        "warnings": warnings,
        "checked": checked,
    }
    if errors:
        result["msg"] = "\n".join(["inventory validation failed: %d problem(s)" % len(errors)] + errors)
    else:
        result["msg"] = "inventory valid: %d hosts, %d roles, %d (host, role) pairs checked" % (
            len(context.hosts), len(checked), pairs)
    return result
