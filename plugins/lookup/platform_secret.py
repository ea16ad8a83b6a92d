# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup: a platform secret, generated once into the customer's vault-encrypted secrets file."""

from __future__ import annotations

DOCUMENTATION = r"""
name: platform_secret
short_description: A secret generated once, kept in the customer's vault-encrypted secrets file
version_added: 0.2.0
author: FoundryCloud Platform engineers (!UNKNOWN)
description:
  - Returns the value stored under each name in the customer's secrets file. A name that is not
    there yet gets a random value, which is written to the file before it is returned, so every
    later run and every host gets the same value. Nothing regenerates a stored value; changing a
    secret is an operator's edit of the file (C(ansible-vault edit FILE)).
  - The file is one YAML mapping of name to value, encrypted as a whole with the vault password
    Ansible was given (C(--vault-password-file), C(ANSIBLE_VAULT_PASSWORD_FILE) or a vault id).
    Without a vault password the lookup refuses to write secrets in clear text, unless
    O(allow_plaintext) is set (labs and tests only).
  - Like C(ansible.builtin.password), the file is written even under C(--check); a generated
    secret is not a change on any host, and check mode then shows the values the real run uses.
  - Concurrent lookups (forks, several hosts) are serialised with a lock file next to the secrets
    file and re-read it under the lock, so they agree on one value.
options:
  _terms:
    description: Secret names, for example C(n8n/encryption_key). Not together with O(specs).
    type: list
    elements: str
  specs:
    description:
      - Several secrets at once, each with its own O(length) and O(chars), as a catalog entry
        declares them (C(secrets) of C(catalog/services/*.yml)). The lookup then returns one
        dictionary of name to value. The stored names are C(<namespace>/<name>).
    type: dict
  namespace:
    description: Prefix of the stored names of O(specs), usually the service name.
    type: str
  file:
    description:
      - The secrets file. Default is the variable C(platform_secrets_file), else
        C(<inventory_dir>/secrets/platform.vault.yml).
    type: path
  length:
    description: Length of a generated value, in characters of O(chars).
    type: int
    default: 32
  chars:
    description:
      - Alphabet of a generated value. C(alnum) is ASCII letters and digits (safe in URLs, shell
        and YAML), C(hex) lower-case hex digits, C(base32) RFC 4648 upper-case letters and 2-7
        (TOTP keys).
      - C(cephx) is a Ceph cephx secret as C(ceph-authtool --gen-print-key) prints it, 40
        characters of base64 (key type AES, creation time, 16 random bytes); O(length) does not
        apply to it.
    type: str
    choices: [alnum, hex, base32, cephx]
    default: alnum
  allow_plaintext:
    description:
      - Write an unencrypted file (mode 0600) when Ansible has no vault password. Default is the
        variable C(platform_secrets_allow_plaintext), else false. Not for customer sites.
    type: bool
"""

EXAMPLES = r"""
- name: n8n's credential encryption key (a changed key makes every stored credential unreadable)
  ansible.builtin.set_fact:
    n8n_key: "{{ lookup('foundrycloud.platform.platform_secret', 'n8n/encryption_key', length=64, chars='hex') }}"
  no_log: true

- name: The Ceph monitors' shared key, in the keyring format Ceph reads
  ansible.builtin.set_fact:
    mon_key: "{{ lookup('foundrycloud.platform.platform_secret', 'ceph/mon_key', chars='cephx') }}"
  no_log: true

- name: All secrets of a catalog entry, as a dictionary
  ansible.builtin.set_fact:
    service_secrets: >-
      {{ lookup('foundrycloud.platform.platform_secret', specs={'db_password': {'length': 32}},
                namespace='n8n') }}
  no_log: true
"""

RETURN = r"""
_raw:
  description: The values, in the order of the names; with O(specs), one dictionary of name to value.
  type: list
  elements: raw
"""

import base64
import fcntl
import os
import re
import secrets
import string
import struct
import tempfile
import time

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.parsing.vault import VaultLib, is_encrypted
from ansible.plugins.lookup import LookupBase

import yaml

ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "base32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
}
# Not an alphabet: a cephx secret has a fixed binary layout (see cephx_key).
CEPHX = "cephx"
CHARS = list(ALPHABETS) + [CEPHX]
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")
HEADER = (
    "# FoundryCloud platform secrets of this inventory: generated once, reused by every run.\n"
    "# Edit with ansible-vault; a changed value is rolled out by the next run.\n"
)


def cephx_key(now=None):
    """A cephx secret as Ceph encodes it (CryptoKey::encode): le16 type 1 (AES), the creation
    time as le32 seconds and le32 nanoseconds, le16 length 16, 16 random bytes; base64."""
    now = time.time() if now is None else now
    seconds = int(now)
    nanoseconds = int((now - seconds) * 1e9)
    raw = struct.pack("<HIIH", 1, seconds, nanoseconds, 16) + secrets.token_bytes(16)
    return base64.b64encode(raw).decode("ascii")


def generate(length, chars):
    if chars == CEPHX:
        return cephx_key()
    alphabet = ALPHABETS[chars]
    return "".join(secrets.choice(alphabet) for _unused in range(length))


class SecretsFile:
    """The secrets file: read (decrypting), add names, write back (encrypting) atomically."""

    def __init__(self, path, vault_secrets, allow_plaintext):
        self.path = path
        self.vault = VaultLib(vault_secrets or [])
        self.can_encrypt = bool(vault_secrets)
        self.allow_plaintext = allow_plaintext

    def read(self):
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return {}
        if is_encrypted(raw):
            if not self.can_encrypt:
                raise AnsibleLookupError("%s is vault-encrypted but Ansible has no vault password "
                                         "(give --vault-password-file or set ANSIBLE_VAULT_PASSWORD_FILE)" % self.path)
            raw = self.vault.decrypt(raw)
        try:
            data = yaml.safe_load(to_text(raw)) or {}
        except yaml.YAMLError as exc:
            # PyYAML quotes the offending line, which may hold a secret: report the position only.
            mark = getattr(exc, "problem_mark", None)
            where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
            raise AnsibleLookupError("%s is not valid YAML%s (%s)"
                                     % (self.path, where, getattr(exc, "problem", None) or "parse error")) from None
        if not isinstance(data, dict):
            raise AnsibleLookupError("%s must hold a mapping of secret name to value, got %s" % (self.path, type(data).__name__))
        return data

    def write(self, data):
        text = HEADER + yaml.safe_dump(data, default_flow_style=False, sort_keys=True)
        if self.can_encrypt:
            payload = self.vault.encrypt(to_bytes(text))
        elif self.allow_plaintext:
            payload = to_bytes(text)
        else:
            raise AnsibleLookupError(
                "cannot store new secrets in %s: Ansible has no vault password to encrypt it with. Give one "
                "(--vault-password-file, ANSIBLE_VAULT_PASSWORD_FILE); platform_secrets_allow_plaintext: true "
                "is for labs and tests only" % self.path)
        directory = os.path.dirname(self.path) or "."
        os.makedirs(directory, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".platform-secrets.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        wanted = self._wanted(terms)

        store = SecretsFile(self._path(variables), self._loader._vault.secrets, self._allow_plaintext(variables))
        directory, base = os.path.split(store.path)
        os.makedirs(directory or ".", mode=0o700, exist_ok=True)
        lock = os.open(os.path.join(directory, ".%s.lock" % base), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = store.read()
            missing = [(name, length, chars) for name, length, chars in wanted if name not in data]
            for name, length, chars in missing:
                data[name] = generate(length, chars)
            if missing:
                store.write(data)
        finally:
            os.close(lock)  # releases the lock
        for name, _length, _chars in wanted:
            if not isinstance(data[name], str) or not data[name]:
                raise AnsibleLookupError("%s: the secret %s must be a non-empty string" % (store.path, name))
        if self.get_option("specs") is not None:
            prefix = len(self._prefix())
            return [dict((name[prefix:], data[name]) for name, _length, _chars in wanted)]
        return [data[name] for name, _length, _chars in wanted]

    def _prefix(self):
        namespace = self.get_option("namespace")
        return "%s/" % namespace if namespace else ""

    def _wanted(self, terms):
        """[(stored name, length, chars)], every part checked before anything is written."""
        specs = self.get_option("specs")
        if specs is not None and terms:
            raise AnsibleLookupError("platform_secret: give names or specs, not both")
        if specs is None:
            specs = dict((name, {}) for name in terms)
        wanted = []
        for name, spec in specs.items():
            spec = spec or {}
            if not isinstance(spec, dict):
                raise AnsibleLookupError("platform_secret: the spec of %s must be a mapping, got %r" % (name, spec))
            full = self._prefix() + str(name)
            length = spec.get("length", self.get_option("length"))
            chars = spec.get("chars", self.get_option("chars"))
            if not NAME.match(full):
                raise AnsibleLookupError("platform_secret: %r is not a valid secret name (letters, digits, _ . / -)" % (full,))
            if not isinstance(length, int) or length < 16:
                raise AnsibleLookupError("platform_secret: %s: length must be an integer of at least 16, got %r" % (full, length))
            if chars not in CHARS:
                raise AnsibleLookupError("platform_secret: %s: chars must be one of %s, got %r" % (full, ", ".join(CHARS), chars))
            wanted.append((full, length, chars))
        return wanted

    def _template_var(self, variables, name):
        if name not in variables:
            return None
        try:
            return self._templar.template(variables[name])
        except AnsibleError as exc:
            raise AnsibleLookupError("platform_secret: cannot resolve %s: %s" % (name, exc)) from None

    def _path(self, variables):
        path = self.get_option("file") or self._template_var(variables, "platform_secrets_file")
        if not path:
            inventory_dir = variables.get("inventory_dir")
            if not inventory_dir:
                raise AnsibleLookupError("platform_secret: no secrets file: set platform_secrets_file for this inventory")
            path = os.path.join(inventory_dir, "secrets", "platform.vault.yml")
        return os.path.abspath(os.path.expanduser(str(path)))

    def _allow_plaintext(self, variables):
        option = self.get_option("allow_plaintext")
        if option is None:
            option = self._template_var(variables, "platform_secrets_allow_plaintext")
        return bool(option) and str(option).lower() not in ("false", "no", "0")
