# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup: a platform secret, generated once into the customer's vault-encrypted secrets file."""

from __future__ import annotations

DOCUMENTATION = r"""
name: platform_secret
short_description: A secret generated once, kept in the customer's vault-encrypted secrets file
version_added: 0.1.0
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
  - A run that may not create secrets (in CI, where C(CI=true), or with C(platform_secrets_create) false)
    fails instead, naming every missing secret; create them first with C(./foundry secrets INVENTORY)
    (the P(foundrycloud.platform.platform_secrets#module) module) and commit the file.
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
        (TOTP keys), C(password) letters, digits and C(-_.) with at least one lower-case letter,
        upper-case letter, digit and punctuation character each (for password rules such as
        Flowise's; as safe as C(alnum)).
      - C(cephx) is a Ceph cephx secret as C(ceph-authtool --gen-print-key) prints it, 40
        characters of base64 (key type AES, creation time, 16 random bytes); O(length) does not
        apply to it.
    type: str
    choices: [alnum, hex, base32, password, cephx]
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

from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.foundrycloud.platform.plugins.plugin_utils import secrets_file


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        wanted = self._wanted(terms)

        store = secrets_file.SecretsFile(self._path(variables), secrets_file.vault_of_this_run(),
                                         self._allow_plaintext(variables))
        create = secrets_file.creation_allowed(self._template_var(variables, "platform_secrets_create"))
        try:
            data, _created = store.ensure(wanted, create=create)
        except secrets_file.SecretsFileError as exc:
            raise AnsibleLookupError("platform_secret: %s" % exc) from None
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
            try:
                wanted.append(secrets_file.checked_spec(self._prefix() + str(name), spec, self.get_option("length"),
                                                        self.get_option("chars")))
            except secrets_file.SecretsFileError as exc:
                raise AnsibleLookupError("platform_secret: %s" % exc) from None
        return wanted

    def _template_var(self, variables, name):
        if name not in variables:
            return None
        try:
            return self._templar.template(variables[name])
        except AnsibleError as exc:
            raise AnsibleLookupError("platform_secret: cannot resolve %s: %s" % (name, exc)) from None

    def _path(self, variables):
        path = secrets_file.secrets_path(self.get_option("file") or self._template_var(variables, "platform_secrets_file"),
                                         variables.get("inventory_dir"))
        if path is None:
            raise AnsibleLookupError("platform_secret: no secrets file: set platform_secrets_file for this inventory")
        return path

    def _allow_plaintext(self, variables):
        option = self.get_option("allow_plaintext")
        if option is None:
            option = self._template_var(variables, "platform_secrets_allow_plaintext")
        return secrets_file.flag(option)
