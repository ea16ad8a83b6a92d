# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The customer's secrets file: one vault-encrypted YAML mapping of secret name to value, kept
with the inventory. Shared by the platform_secret lookup (a role's secrets, created on first
use outside CI), the platform_secrets action (``./foundry secrets``: every secret the inventory
will need, created at once) and the validation (which refuses a CI run that would create one).

Secrets are created once and never regenerated; nothing here ever removes a name."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import re
import secrets
import string
import struct
import tempfile
import time

import yaml
from ansible.parsing.vault import VaultLib, VaultSecretsContext, is_encrypted

ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "base32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    # For password rules that demand every class (Flowise: lower, upper, digit, special): URL
    # unreserved punctuation only, so the value is safe in URLs, shell words, YAML and .env files.
    "password": string.ascii_letters + string.digits + "-_.",
}
# Alphabets whose every value holds at least one character of each of these classes.
CLASSES = {
    "password": (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_."),
}
# Not an alphabet: a cephx secret has a fixed binary layout (see cephx_key).
CEPHX = "cephx"
CHARS = list(ALPHABETS) + [CEPHX]
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")
DEFAULT_LENGTH = 32
DEFAULT_CHARS = "alnum"
HEADER = (
    "# FoundryCloud platform secrets of this inventory: generated once, reused by every run.\n"
    "# Edit with ansible-vault; a changed value is rolled out by the next run.\n"
)
NO_CREATE_HINT = ("create them before the run with ./foundry secrets INVENTORY and commit the secrets file "
                  "(docs/customer-inventory.md); a CI run never creates secrets, they would be lost with its workspace")


def secrets_path(configured, inventory_dir):
    """The secrets file: platform_secrets_file when set, else <inventory_dir>/secrets/platform.vault.yml;
    None when neither is known."""
    if not configured:
        if not inventory_dir:
            return None
        configured = os.path.join(str(inventory_dir), "secrets", "platform.vault.yml")
    return os.path.abspath(os.path.expanduser(str(configured)))


def flag(value) -> bool:
    """A boolean variable as YAML or a template may give it (true, "yes", "False", ...)."""
    return bool(value) and str(value).strip().lower() not in ("false", "no", "0", "off")


def vault_of_this_run():
    """A VaultLib with the vault secrets this Ansible run was given (--vault-password-file,
    ANSIBLE_VAULT_PASSWORD_FILE, vault ids), or None without any."""
    context = VaultSecretsContext.current(optional=True)
    found = list(context.secrets) if context is not None else []
    return VaultLib(found) if found else None


class SecretsFileError(Exception):
    """A problem with the secrets file or a secret's spec; the message never holds a value."""


def creation_allowed(setting, environ=None) -> bool:
    """Whether a missing secret may be created: platform_secrets_create when the inventory sets it,
    else not in CI (CI=true, as GitLab and most CI systems set it), else yes."""
    if setting is not None and setting != "":
        if isinstance(setting, bool):
            return setting
        return str(setting).strip().lower() in ("true", "yes", "1", "on")
    environ = os.environ if environ is None else environ
    return str(environ.get("CI", "")).strip().lower() not in ("true", "1", "yes")


def cephx_key(now=None) -> str:
    """A cephx secret as Ceph encodes it (CryptoKey::encode): le16 type 1 (AES), the creation
    time as le32 seconds and le32 nanoseconds, le16 length 16, 16 random bytes; base64."""
    now = time.time() if now is None else now
    seconds = int(now)
    nanoseconds = int((now - seconds) * 1e9)
    raw = struct.pack("<HIIH", 1, seconds, nanoseconds, 16) + secrets.token_bytes(16)
    return base64.b64encode(raw).decode("ascii")


def generate(length: int, chars: str) -> str:
    if chars == CEPHX:
        return cephx_key()
    alphabet = ALPHABETS[chars]
    while True:
        value = "".join(secrets.choice(alphabet) for _unused in range(length))
        # Drawn again until every class is in it: uniform over the values that qualify.
        if all(set(value) & set(members) for members in CLASSES.get(chars, ())):
            return value


def checked_spec(name: str, spec, length=DEFAULT_LENGTH, chars=DEFAULT_CHARS) -> tuple:
    """(name, length, chars) of one secret, every part checked before anything is written."""
    spec = spec or {}
    if not isinstance(spec, dict):
        raise SecretsFileError("the spec of %s must be a mapping, got %r" % (name, spec))
    length = spec.get("length", length)
    chars = spec.get("chars", chars)
    if not NAME.match(name):
        raise SecretsFileError("%r is not a valid secret name (letters, digits, _ . / -)" % (name,))
    if not isinstance(length, int) or isinstance(length, bool) or length < 16:
        raise SecretsFileError("%s: length must be an integer of at least 16, got %r" % (name, length))
    if chars not in CHARS:
        raise SecretsFileError("%s: chars must be one of %s, got %r" % (name, ", ".join(CHARS), chars))
    return name, length, chars


class SecretsFile:
    """The secrets file: read (decrypting), add names, write back (encrypting) atomically.

    vault: an object with encrypt(bytes) -> bytes and decrypt(bytes) -> bytes (a VaultLib), or
    None when the run has no vault password."""

    def __init__(self, path: str, vault, allow_plaintext: bool):
        self.path = path
        self.vault = vault
        self.allow_plaintext = allow_plaintext

    @contextlib.contextmanager
    def locked(self):
        """Serialise writers (forks, hosts, the action) with a lock file next to the secrets file."""
        directory, base = os.path.split(self.path)
        os.makedirs(directory or ".", mode=0o700, exist_ok=True)
        lock = os.open(os.path.join(directory, ".%s.lock" % base), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield self
        finally:
            os.close(lock)  # releases the lock

    def read(self) -> dict:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return {}
        if is_encrypted(raw):
            if self.vault is None:
                raise SecretsFileError("%s is vault-encrypted but Ansible has no vault password "
                                       "(give --vault-password-file or set ANSIBLE_VAULT_PASSWORD_FILE)" % self.path)
            raw = self.vault.decrypt(raw)
        try:
            data = yaml.safe_load(raw.decode("utf-8") if isinstance(raw, bytes) else raw) or {}
        except yaml.YAMLError as exc:
            # PyYAML quotes the offending line, which may hold a secret: report the position only.
            mark = getattr(exc, "problem_mark", None)
            where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
            raise SecretsFileError("%s is not valid YAML%s (%s)"
                                   % (self.path, where, getattr(exc, "problem", None) or "parse error")) from None
        if not isinstance(data, dict):
            raise SecretsFileError("%s must hold a mapping of secret name to value, got %s" % (self.path, type(data).__name__))
        return data

    def write(self, data: dict) -> None:
        text = HEADER + yaml.safe_dump(data, default_flow_style=False, sort_keys=True)
        if self.vault is not None:
            payload = self.vault.encrypt(text.encode("utf-8"))
        elif self.allow_plaintext:
            payload = text.encode("utf-8")
        else:
            raise SecretsFileError(
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

    def ensure(self, wanted, create=True) -> tuple:
        """Read under the lock and add the missing secrets of wanted [(name, length, chars)].
        Returns (data, created names). With create false, a missing name is an error naming each."""
        with self.locked():
            data = self.read()
            missing = [(name, length, chars) for name, length, chars in wanted if name not in data]
            if missing and not create:
                raise SecretsFileError("%d secret(s) missing from %s: %s; %s"
                                       % (len(missing), self.path, ", ".join(name for name, _l, _c in missing),
                                          NO_CREATE_HINT))
            for name, length, chars in missing:
                data[name] = generate(length, chars)
            if missing:
                self.write(data)
        for name, _length, _chars in wanted:
            if not isinstance(data[name], str) or not data[name]:
                raise SecretsFileError("%s: the secret %s must be a non-empty string" % (self.path, name))
        return data, [name for name, _length, _chars in missing]
