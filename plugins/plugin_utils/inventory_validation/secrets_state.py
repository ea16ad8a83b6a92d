# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on the secrets file and the CA as state the operator keeps with the inventory.

The file must not lie where Ansible reads it as inventory. And for runs that must not create secrets (CI, or platform_secrets_create: false): every
secret the run will read (plugin_utils.secret_plan) is already in the inventory's secrets file,
and the internal CA exists. A pipeline's workspace is thrown away: a secret or CA made there
would be lost, and the next pipeline would make new ones for a running platform."""

from __future__ import annotations

import os
import re

from ansible import constants as C

from ansible_collections.foundrycloud.platform.plugins.plugin_utils import secrets_file
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.secret_plan import secret_plan


class _Decrypting:
    """What SecretsFile needs of a vault, from the validation's decrypt(bytes) -> str."""

    def __init__(self, decrypt):
        self._decrypt = decrypt

    def decrypt(self, data: bytes) -> bytes:
        return self._decrypt(data).encode("utf-8")


def _value(ctx, host, name):
    value = ctx.vars.get(host, name, MISSING)
    return None if value is MISSING else value


def secrets_path(ctx, host):
    """platform_secrets_file as the host's lookups see it (the lookup's default when unset), or None."""
    return secrets_file.secrets_path(_value(ctx, host, "platform_secrets_file"), _value(ctx, host, "inventory_dir"))


def _ignored_by_ansible(name: str) -> bool:
    """Whether Ansible skips this entry of an inventory directory (manager.IGNORED, from the config)."""
    patterns = [r"^\.", "^host_vars$", "^group_vars$", "^vars_plugins$"] + list(C.INVENTORY_IGNORE_PATTERNS or [])
    patterns += ["%s$" % re.escape(ext) for ext in C.INVENTORY_IGNORE_EXTS or []]
    return any(re.search(pattern, name) for pattern in patterns)


def check_secrets_location(ctx) -> list[str]:
    """The secrets file (and the CA next to it) inside an inventory directory that Ansible reads
    file by file, subdirectories included: it would parse the secrets as groups."""
    if not ctx.hosts:
        return []
    path = secrets_path(ctx, ctx.hosts[0])
    errors = []
    for source in ctx.files.sources:
        source = os.path.abspath(source)
        if not path or not os.path.isdir(source) or not path.startswith(source + os.sep):
            continue
        parts = os.path.relpath(path, source).split(os.sep)
        if not any(_ignored_by_ansible(part) for part in parts):
            errors.append(
                "platform_secrets_file: %s lies in the inventory directory %s, where Ansible reads every file as "
                "inventory (the secrets would become groups): keep it in a directory Ansible ignores, e.g. "
                "[inventory] ignore_patterns = ^secrets$ in ansible.cfg as this project's has "
                "(ANSIBLE_INVENTORY_IGNORE_REGEX), or outside the inventory" % (path, source))
    return errors


def check_committed_secrets(ctx) -> list[str]:
    if not ctx.hosts:
        return []
    host = ctx.hosts[0]
    if secrets_file.creation_allowed(_value(ctx, host, "platform_secrets_create")):
        return []
    path = secrets_path(ctx, host)
    if path is None:
        return ["platform_secrets_file: not set and the inventory directory is unknown; set it for this inventory"]
    plan = secret_plan(ctx)
    store = secrets_file.SecretsFile(path, _Decrypting(ctx.decrypt) if ctx.decrypt else None, allow_plaintext=False)
    try:
        existing = store.read()
    except secrets_file.SecretsFileError as exc:
        return ["platform_secrets_file: %s" % exc]
    errors = ["secret %s (%s): not in %s" % (name, why, path)
              for name, (_spec, why) in sorted(plan.secrets.items()) if name not in existing]
    if ctx.role_hosts.get("internal_ca"):
        directory = _value(ctx, host, "internal_ca_directory") or os.path.join(os.path.dirname(path), "ca")
        for name in ("ca.key", "ca.crt"):
            if not os.path.isfile(os.path.join(str(directory), name)):
                errors.append("internal_ca_directory: the internal CA's %s is not in %s" % (name, directory))
    if errors:
        errors.append("this run may not create secrets (%s): %s" % (
            "platform_secrets_create: false" if _value(ctx, host, "platform_secrets_create") not in (None, "")
            else "CI=true", secrets_file.NO_CREATE_HINT))
    return errors
