# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory as its files say it: which file and line sets which variable for which group or host.

Ansible's view of an inventory (hostvars) says what each host ends up with, but not where a
value came from, nothing about a group without hosts, and nothing at all about a YAML file it
could not parse (it warns and goes on with an empty inventory). This reader parses the
inventory's own files (YAML inventories, group_vars/ and host_vars/) with line numbers, so the
rules can name the file, check a group that has no hosts yet, and refuse duplicate keys, broken
files and vault files left in clear text.
"""

from __future__ import annotations

import dataclasses
import os
import re

import yaml

VAULT_HEADER = "$ANSIBLE_VAULT;"
YAML_EXTENSIONS = (".yml", ".yaml", ".json")
# Files Ansible skips in an inventory directory (INVENTORY_IGNORE_EXTS) and the vars directories.
IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry")
VARS_DIRECTORIES = ("group_vars", "host_vars")


@dataclasses.dataclass(frozen=True)
class Definition:
    """One variable set in one place: for a group or a host, in a file at a line."""

    scope: str  # "group" or "host"
    name: str  # the group's or host's name
    variable: str
    file: str  # path relative to the inventory's directory when inside it
    line: int
    vaulted: bool = False  # the value is an inline !vault string or the file is vault-encrypted
    value: object = dataclasses.field(default=None, compare=False, hash=False, repr=False)  # as written

    @property
    def where(self) -> str:
        return "%s:%d" % (self.file, self.line) if self.line else self.file


@dataclasses.dataclass
class InventoryFiles:
    root: str = ""  # the first inventory directory, for relative file names
    definitions: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)  # "file:line: what is wrong"
    hosts: set = dataclasses.field(default_factory=set)  # hosts named in the YAML inventory files
    groups: set = dataclasses.field(default_factory=set)  # groups named in them or given group_vars
    clear_files: list = dataclasses.field(default_factory=list)  # vars files not vault-encrypted
    encrypted_files: list = dataclasses.field(default_factory=list)
    parsed_sources: int = 0  # YAML inventory files read
    sources: list = dataclasses.field(default_factory=list)  # the inventory sources given
    unparsed: list = dataclasses.field(default_factory=list)  # files that are not valid YAML

    def parse(self, text: str, label: str):
        """parse_yaml, remembering a file that does not parse."""
        before = len(self.problems)
        data = parse_yaml(text, label, self.problems)
        if data is None and any(": not valid YAML: " in problem for problem in self.problems[before:]):
            self.unparsed.append(label)
        return data

    def relative(self, path: str) -> str:
        if self.root and os.path.abspath(path).startswith(self.root + os.sep):
            return os.path.relpath(path, self.root)
        return path


class _Vaulted(str):
    """An inline !vault value: its text is the ciphertext, never shown."""


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps the line of every mapping key and refuses duplicate keys."""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    mapping = _KeyLines()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key that is not a string", key_node.start_mark) from None
        if key in mapping:
            loader.duplicates.append((str(key), key_node.start_mark.line + 1, mapping.lines[key]))
        mapping[key] = loader.construct_object(value_node, deep=deep)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_vault(loader, node):
    return _Vaulted(loader.construct_scalar(node))


def _construct_unsafe(loader, node):
    return loader.construct_scalar(node)


class _KeyLines(dict):
    """A dict that knows the line of each key."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {}


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("!vault", _construct_vault)
_LineLoader.add_constructor("!unsafe", _construct_unsafe)


def parse_yaml(text: str, label: str, problems: list):
    """Parse YAML text; a syntax error or duplicate key becomes a problem naming label and line."""
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = "%s:%d" % (label, mark.line + 1) if mark else label
        what = " ".join(str(exc.problem or exc.context or "not valid YAML").split())
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line] and "tab" not in what.lower():
            what += " (the line holds a tab: YAML indents with spaces only)"
        problems.append("%s: not valid YAML: %s" % (where, what))
        return None
    except yaml.YAMLError as exc:
        problems.append("%s: not valid YAML: %s" % (label, " ".join(str(exc).split())))
        return None
    finally:
        loader.dispose()
    for key, line, first in loader.duplicates:
        problems.append("%s:%d: %s: duplicate key (first at line %d); YAML keeps only the last value" % (
            label, line, key, first))
    return data


def _read(path: str, files: InventoryFiles, decrypt):
    """The text of a file, decrypted when it is vault-encrypted (None when that is impossible)."""
    label = files.relative(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        files.problems.append("%s: cannot be read: %s" % (label, exc.strerror or exc))
        return None, False
    if raw.lstrip().startswith(VAULT_HEADER.encode()):
        if decrypt is None:
            return None, True
        try:
            return decrypt(raw), True
        except Exception as exc:  # wrong password, broken envelope: Ansible says the same before us
            files.problems.append("%s: cannot be decrypted: %s" % (label, " ".join(str(exc).split())))
            return None, True
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        files.problems.append("%s: not UTF-8 text" % label)
        return None, False


def _add_vars(files: InventoryFiles, scope: str, name: str, data, label: str, vaulted_file: bool, default_line=0):
    if data is None:
        return
    if not isinstance(data, dict):
        files.problems.append("%s: must be a mapping of variables, not %s" % (label, type(data).__name__))
        return
    lines = getattr(data, "lines", {})
    for variable, value in data.items():
        files.definitions.append(Definition(scope, name, str(variable), label, lines.get(variable, default_line),
                                            vaulted_file or isinstance(value, _Vaulted), value))


def _walk_group(files: InventoryFiles, group: str, body, label: str, vaulted: bool):
    files.groups.add(group)
    if body is None:
        return
    if not isinstance(body, dict):
        files.problems.append("%s: group %s: must be a mapping (hosts, children, vars), not %s" % (
            label, group, type(body).__name__))
        return
    lines = getattr(body, "lines", {})
    for key in body:
        if key not in ("hosts", "children", "vars"):
            files.problems.append("%s:%d: group %s: unknown key %s (a group has hosts, children and vars)" % (
                label, lines.get(key, 0), group, key))
    hosts = body.get("hosts")
    if isinstance(hosts, dict):
        for host, host_vars in hosts.items():
            files.hosts.add(str(host))
            _add_vars(files, "host", str(host), host_vars, label, vaulted, hosts.lines.get(host, 0) if hasattr(hosts, "lines") else 0)
    elif hosts is not None:
        files.problems.append("%s:%d: group %s: hosts must be a mapping of host names" % (
            label, lines.get("hosts", 0), group))
    _add_vars(files, "group", group, body.get("vars"), label, vaulted)
    children = body.get("children")
    if isinstance(children, dict):
        for child, child_body in children.items():
            _walk_group(files, str(child), child_body, label, vaulted)
    elif children is not None:
        files.problems.append("%s:%d: group %s: children must be a mapping of group names" % (
            label, lines.get("children", 0), group))


def _inventory_file(files: InventoryFiles, path: str, decrypt):
    if os.path.splitext(path)[1] not in YAML_EXTENSIONS + ("",):
        return  # Ansible's yaml plugin reads no other file (hosts.ini: the ini plugin does)
    label = files.relative(path)
    text, vaulted = _read(path, files, decrypt)
    if text is None:
        return
    stripped = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", ";"))]
    if stripped and re.match(r"^\s*\[[^\]]+\]\s*$", stripped[0]):
        return  # INI inventory: Ansible's own parser checks it
    data = files.parse(text, label)
    if isinstance(data, str):
        return  # INI hosts before the first [group]: a YAML scalar, which Ansible hands to the ini plugin
    files.parsed_sources += 1
    if data is None:
        return
    if not isinstance(data, dict):
        files.problems.append("%s: an inventory file must be a mapping of groups (all: ...)" % label)
        return
    for group, body in data.items():
        _walk_group(files, str(group), body, label, vaulted)


def _vars_files(directory: str):
    """(entity name, file path) for each vars file of group_vars/ or host_vars/, in Ansible's order."""
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return
    for entry in entries:
        path = os.path.join(directory, entry)
        if entry.startswith("."):
            continue
        if os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for filename in sorted(filenames):
                    if filename.startswith(".") or filename.endswith(IGNORED_SUFFIXES):
                        continue
                    if os.path.splitext(filename)[1] in YAML_EXTENSIONS or "." not in filename:
                        yield entry, os.path.join(dirpath, filename)
        else:
            stem, ext = os.path.splitext(entry)
            if ext in YAML_EXTENSIONS or not ext:
                yield (stem if ext else entry), path


def read_inventory(sources, decrypt=None) -> InventoryFiles:
    """Read the inventory sources (files or directories, as ``ansible_inventory_sources`` lists them).

    decrypt(bytes) -> str decrypts a vault-encrypted file (None: such files are noted, not read).
    """
    files = InventoryFiles(sources=[str(source) for source in sources or []])
    for source in sources or []:
        source = os.path.abspath(str(source))
        base = source if os.path.isdir(source) else os.path.dirname(source)
        if not files.root:
            files.root = base
        if os.path.isdir(source):
            for entry in sorted(os.listdir(source)):
                path = os.path.join(source, entry)
                if entry in VARS_DIRECTORIES or entry.startswith(".") or entry.endswith(IGNORED_SUFFIXES):
                    continue
                if os.path.isfile(path) and os.path.splitext(entry)[1] in YAML_EXTENSIONS + ("",):
                    _inventory_file(files, path, decrypt)
        elif os.path.isfile(source):
            _inventory_file(files, source, decrypt)
        for kind in VARS_DIRECTORIES:
            for entity, path in _vars_files(os.path.join(base, kind)):
                label = files.relative(path)
                text, vaulted = _read(path, files, decrypt)
                (files.encrypted_files if vaulted else files.clear_files).append(label)
                if kind == "group_vars":
                    files.groups.add(entity)
                if text is None:
                    continue
                data = files.parse(text, label)
                _add_vars(files, "group" if kind == "group_vars" else "host", entity, data, label, vaulted)
    return files
