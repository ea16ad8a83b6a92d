# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The generic part of the offline inventory validation: everything the rules need, no rule.

Everything here is plain Python: it needs no Ansible runtime, only the data an action plugin can
collect on the controller (hostvars, groups, the playbook files and the roles'
meta/argument_specs.yml and defaults/main.yml). It reads YAML, resolves host patterns, scans the
site playbook for which role runs on which hosts, loads the roles' argument specs and defaults,
reads host variables (:class:`HostVarAccess`) and builds the :class:`Context` every rule gets.
The action plugin ``foundrycloud.platform.validate_inventory`` is a thin wrapper around
:func:`validate`, which runs the rules of :data:`.rules.RULES`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import re
from collections.abc import Iterable, Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import (
    InventoryFiles,
    read_inventory,
)

try:  # PyYAML is always there on the controller, where this code runs
    import yaml
except ImportError:  # pragma: no cover - only in minimal (target-side) environments
    yaml = None

# The collection's own site.yml (its roles next to it): what a run of this collection executes,
# wherever the playbook that asks lives.
COLLECTION_SITE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "playbooks", "site.yml")

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
            except KeyError:
                view = {}
            except UnevaluableVariable as exc:
                self._warnings.append("host %s: %s; its variables are not checked" % (host, exc))
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
# Context and messages
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
    # The inventory as its files say it (files.read_inventory): which file and line sets which
    # variable for which group or host; empty when the sources are unknown (unit tests).
    files: InventoryFiles = dataclasses.field(default_factory=InventoryFiles)
    # The platform-wide variables' options (meta/platform_argument_specs.yml, every spec merged).
    platform_options: dict = dataclasses.field(default_factory=dict)
    # decrypt(bytes) -> str with the run's vault password (None without one), for rules that read
    # vault-encrypted files besides the inventory's (the secrets file).
    decrypt: object = None
    # The layer playbooks the site playbook imports (for the summary).
    layers: list = dataclasses.field(default_factory=list)


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


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


PLATFORM_SPEC = os.path.join("meta", "platform_argument_specs.yml")


def load_platform_options(collection_dir: str, errors: list) -> dict:
    """The options of every spec in meta/platform_argument_specs.yml, merged into one mapping."""
    path = os.path.join(collection_dir, PLATFORM_SPEC)
    if not os.path.isfile(path):
        return {}
    try:
        data = load_yaml_file(path)
    except Exception as exc:  # a broken spec file is the collection's bug: say so, check the rest
        errors.append("platform spec %s: %s" % (path, _clean_message(str(exc))))
        return {}
    options = {}
    for spec in ((data or {}).get("argument_specs") or {}).values():
        options.update((spec or {}).get("options") or {})
    return options


def build_context(hostvars: Mapping, groups: Mapping, site_playbook: str, roles_dir: str | None = None,
                  inventory_sources=None, decrypt=None):
    """Collect everything the rules need. Returns (context, errors found while loading).

    inventory_sources: the inventory's files or directories (``ansible_inventory_sources``), read
    for file and line of every variable; decrypt(bytes) -> str opens vault-encrypted files.
    """
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
        files=read_inventory(inventory_sources, decrypt) if inventory_sources else InventoryFiles(),
        platform_options=load_platform_options(os.path.dirname(roles_dir), errors),
        decrypt=decrypt,
        layers=[path for path in scan.files if os.path.abspath(path) != os.path.abspath(site_playbook)],
    )
    return context, errors


_HOST_PROBLEM = re.compile(r"^host (?P<host>\S+): (?P<variable>[A-Za-z_][A-Za-z0-9_]*)(?P<item>\[[^\]]*\])?: (?P<what>.*)$")
_VARIABLE_PROBLEM = re.compile(r"^(?P<variable>[A-Za-z_][A-Za-z0-9_]*)(?P<item>\[[^\]]*\])?: (?P<what>.*)$")


def _effective_definition(ctx: Context, host: str, variable: str):
    """Where host's value of variable comes from, as far as the files tell (Ansible's order:
    host_vars over the host's line in the inventory over group_vars, a smaller group over a
    larger one, all last)."""
    candidates = [d for d in ctx.files.definitions if d.variable == variable and (
        (d.scope == "host" and d.name == host) or (d.scope == "group" and host in ctx.groups.get(d.name, ())))]
    if not candidates:
        return None

    def rank(definition):
        if definition.scope == "host":
            return (2, "host_vars" in definition.file.split("/"), definition.file, definition.line)
        size = len(ctx.groups.get(definition.name, ()))
        return (0 if definition.name == "all" else 1, -size, definition.name, definition.file, definition.line)

    return max(candidates, key=rank)


def attribute(ctx: Context, errors: list) -> list:
    """Fold per-host problems into one line per place that sets the value, naming group or host
    and file: ``group all: platform_internal_networks: ... (group_vars/all/platform.yml:6)``.

    The rules word problems per host; the same problem on every host of a group whose file sets
    the value is one mistake, said once where it can be fixed. Problems whose value no file sets
    (a role default, a computed value) stay as they are.
    """
    if not ctx.files.definitions:
        return errors
    folded: dict = {}
    out = []
    for error in errors:
        match = _HOST_PROBLEM.match(error)
        if match:
            definition = _effective_definition(ctx, match["host"], match["variable"])
            if definition is None or "(%s)" % definition.where in match["what"]:
                out.append(error)  # no file sets it, or the rule named the place already
                continue
            key = (definition, match["variable"] + (match["item"] or ""), match["what"])
            folded.setdefault(key, set()).add(match["host"])
            continue
        match = _VARIABLE_PROBLEM.match(error)
        definitions = [d for d in ctx.files.definitions if match and d.variable == match["variable"]]
        if match and len({(d.scope, d.name, d.file) for d in definitions}) == 1:
            definition = definitions[0]
            out.append("%s %s: %s%s: %s (%s)" % (definition.scope, definition.name, match["variable"], match["item"] or "",
                                                 match["what"], definition.where))
        else:
            out.append(error)
    for (definition, variable, what), hosts in folded.items():
        if definition.scope == "group" and definition.name != "all" and hosts != set(ctx.groups.get(definition.name, ())):
            # only some of the group's hosts have the problem: name them
            for host in sorted(hosts):
                out.append("host %s: %s: %s (%s, group %s)" % (host, variable, what, definition.where, definition.name))
            continue
        out.append("%s %s: %s: %s (%s)" % (definition.scope, definition.name, variable, what, definition.where))
    return out


def validate(hostvars: Mapping, groups: Mapping, site_playbook: str, roles_dir: str | None = None,
             rules: Iterable | None = None, inventory_sources=None, decrypt=None) -> dict:
    """Run every rule and return an action-plugin style result dict.

    ``hostvars`` maps host -> mapping of variables (values may raise UnevaluableVariable
    when read), ``groups`` is the ``groups`` magic variable, ``site_playbook`` the
    playbook that imports the layer playbooks, ``roles_dir`` the collection's roles/
    (default: ``<site_playbook dir>/../roles``).
    """
    if rules is None:
        # Read when called, not at import: the rule modules import this one (package docstring).
        from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.rules import RULES
        rules = RULES
    context, errors = build_context(hostvars, groups, site_playbook, roles_dir, inventory_sources, decrypt)
    if context.files.unparsed:
        # Fix the files first: checks on an inventory Ansible could only read in part would
        # only report the consequences (hosts without addresses, groups without hosts).
        rules = [rule for rule in rules if getattr(rule, "stage", None) == "syntax"]
        context.warnings.append("%s not valid YAML: the other checks run once the file(s) parse"
                                % ", ".join(context.files.unparsed))
    for rule in rules:
        errors.extend(rule(context))

    errors = sorted(set(attribute(context, errors)))
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
        result["msg"] = "inventory valid: %d hosts, %d layer%s, %d roles on %d (host, role) pairs checked" % (
            len(context.hosts), len(context.layers), "" if len(context.layers) == 1 else "s", len(checked), pairs)
    return result
