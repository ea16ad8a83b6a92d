# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on secrets in the inventory: they live only in vault-encrypted files.

- a vars file named as a vault file (``vault.yml``, ``*.vault.yml``, ``vault/...``) must be
  vault-encrypted, and so must the platform's secrets file once it exists;
- a password, key or token must not be written as a literal in a clear file: an option the
  roles mark ``no_log``, and any key named like a secret inside a setting's value
  (``openstack_cloud.auth.password``, ``central_services_settings.langfuse.s3_secret_access_key``)
  must be a ``!vault`` value or a reference to a variable of a vault file (``{{ vault_... }}``).
"""

from __future__ import annotations

import os
import re

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.files import VAULT_HEADER

# Keys whose value is a secret wherever they appear inside a setting.
SECRET_KEY = re.compile(r"(^|_)(password|passwd|passphrase|secret|secret_key|secret_access_key|token|api_key|"
                        r"private_key|client_secret|master_key)$")
VAULT_FILE = re.compile(r"(^|/)(vault(\.ya?ml|\.json)?|[^/]*\.vault\.ya?ml|vault/.*)$")
HINT = "move it to a vault-encrypted file (ansible-vault encrypt) and refer to it as {{ vault_... }}"


def _is_literal(value) -> bool:
    return isinstance(value, str) and type(value).__name__ != "_Vaulted" and bool(value.strip()) and "{{" not in value


def _secret_paths(value, path=""):
    """(dotted path, value) of every secret-named key with a literal value inside value."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = "%s.%s" % (path, key) if path else str(key)
            if SECRET_KEY.search(str(key).lower()) and _is_literal(item):
                yield here, item
            else:
                yield from _secret_paths(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secret_paths(item, "%s[%d]" % (path, index))


def check_vault_files(ctx) -> list[str]:
    """Files that are meant to hold secrets are vault-encrypted."""
    errors = []
    for label in ctx.files.clear_files:
        if VAULT_FILE.search(label.replace(os.sep, "/")):
            errors.append("file %s: not vault-encrypted, but its name says it holds secrets; "
                          "encrypt it with ansible-vault encrypt %s" % (label, label))
    checked = set()
    for host in ctx.hosts:
        path = ctx.vars.get(host, "platform_secrets_file", "")
        if path is MISSING or not isinstance(path, str) or not path or path in checked:
            continue
        checked.add(path)
        if ctx.vars.get(host, "platform_secrets_allow_plaintext", False) is True:
            continue
        try:
            with open(path, "rb") as handle:
                head = handle.read(64)
        except OSError:
            continue  # not created yet: the first run creates it encrypted
        if head.strip() and not head.lstrip().startswith(VAULT_HEADER.encode()):
            errors.append("host %s: platform_secrets_file: %s is not vault-encrypted; encrypt it with "
                          "ansible-vault encrypt (the generated secrets are kept only encrypted)" % (host, path))
    return errors


def _secret_option(option) -> bool:
    return bool(option.get("no_log")) and option.get("type") != "raw"


def check_literal_secrets(ctx) -> list[str]:
    """Passwords, keys and tokens are not written as literals in clear files."""
    # A raw option may hold a name, not a secret (openstack_network_cloud: a clouds.yaml cloud);
    # its secrets are the secret-named keys of its dict form.
    no_log = set()
    for spec in ctx.roles.values():
        no_log |= {name for name, option in (spec.options or {}).items() if _secret_option(option)}
    no_log |= {name for name, option in ctx.platform_options.items() if _secret_option(option)}
    errors = []
    for definition in ctx.files.definitions:
        if definition.vaulted:
            continue
        value = definition.value
        if definition.variable in no_log and not isinstance(value, (dict, list)) and _is_literal(value):
            errors.append("%s %s: %s: a secret written in clear text; %s (%s)" % (
                definition.scope, definition.name, definition.variable, HINT, definition.where))
            continue
        for path, _secret in _secret_paths(value):
            errors.append("%s %s: %s: %s is a secret written in clear text; %s (%s)" % (
                definition.scope, definition.name, definition.variable, path, HINT, definition.where))
    return errors
