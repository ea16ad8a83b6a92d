# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup platform_secret, driven as Ansible drives it: loaded through lookup_loader with a
DataLoader that holds (or lacks) a vault secret, against secrets files in tmp_path."""

from __future__ import annotations

import base64
import multiprocessing
import os
import re
import stat
import struct
import sys
import time
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret, VaultSecretsContext
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar, trust_as_template
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

COLLECTIONS_DIR = Path(__file__).resolve().parents[4] / "collections"
PASSWORD = b"unit-test-vault-password"
NAME = "foundrycloud.platform.platform_secret"


def _collection_modules():
    return dict((key, module) for key, module in sys.modules.items()
                if key == "ansible_collections" or key.startswith("ansible_collections."))


@pytest.fixture(scope="module", autouse=True)
def collection_loader():
    """Ansible's collection loader for this checkout, as ansible-playbook installs it.

    The unit tests' conftest imports the checkout as a plain package; the collection loader
    needs its own import of ansible_collections, so the plain one is set aside and restored."""
    saved = _collection_modules()
    for key in saved:
        del sys.modules[key]
    init_plugin_loader([str(COLLECTIONS_DIR)])
    yield
    _AnsibleCollectionFinder._remove()
    for key in _collection_modules():
        del sys.modules[key]
    sys.modules.update(saved)


class WithVault:
    """The lookup as ansible-playbook runs it: the vault secrets of the run (VaultSecretsContext,
    which the CLI initialises once per process) are this lookup's, set again on every call."""

    def __init__(self, plugin, vault_secrets):
        self._plugin = plugin
        self._context = VaultSecretsContext(vault_secrets) if vault_secrets else None

    def run(self, *args, **kwargs):
        VaultSecretsContext._current = self._context   # pylint: disable=protected-access
        try:
            return self._plugin.run(*args, **kwargs)
        finally:
            VaultSecretsContext._current = None   # pylint: disable=protected-access

    def __getattr__(self, name):
        return getattr(self._plugin, name)


def make_lookup(vault=True, variables=None):
    loader = DataLoader()
    vault_secrets = [("default", VaultSecret(PASSWORD))] if vault else []
    templar = Templar(loader=loader, variables=variables or {})
    return WithVault(lookup_loader.get(NAME, loader=loader, templar=templar), vault_secrets)


@pytest.fixture
def lookup():
    return make_lookup()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "inventory" / "secrets" / "platform.vault.yml"


def read_secrets(path):
    raw = path.read_bytes()
    assert raw.startswith(b"$ANSIBLE_VAULT"), raw[:40]
    data = yaml.safe_load(VaultLib([("default", VaultSecret(PASSWORD))]).decrypt(raw))
    assert isinstance(data, dict)
    return data


def write_encrypted(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(VaultLib([("default", VaultSecret(PASSWORD))]).encrypt(yaml.safe_dump(data).encode()))


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(directory):
    return sorted(entry.name for entry in Path(directory).glob(".platform-secrets.*"))


# ---------------------------------------------------------------------------------------------
# Generate once, reuse


def test_the_lookup_loads_through_ansible(lookup):
    assert lookup.ansible_name == NAME


def test_first_call_generates_and_writes_an_encrypted_file(lookup, path):
    values = lookup.run(["n8n/encryption_key"], {}, file=str(path))
    assert len(values) == 1 and re.match(r"^[A-Za-z0-9]{32}$", values[0])
    assert path.read_bytes().startswith(b"$ANSIBLE_VAULT;")
    assert values[0].encode() not in path.read_bytes()
    assert read_secrets(path) == {"n8n/encryption_key": values[0]}
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert leftovers(path.parent) == []


def test_the_file_starts_with_the_header_once_decrypted(lookup, path):
    lookup.run(["a"], {}, file=str(path))
    text = VaultLib([("default", VaultSecret(PASSWORD))]).decrypt(path.read_bytes()).decode()
    assert text.startswith("# FoundryCloud platform secrets")


def test_second_call_returns_the_same_value_without_rewriting(lookup, path):
    first = lookup.run(["n8n/db_password"], {}, file=str(path))
    before = os.stat(path)
    content = path.read_bytes()
    second = make_lookup().run(["n8n/db_password"], {}, file=str(path))
    after = os.stat(path)
    assert second == first
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
    assert path.read_bytes() == content


def test_a_new_name_is_added_and_old_values_stay(lookup, path):
    first = lookup.run(["a/one"], {}, file=str(path))[0]
    both = lookup.run(["a/one", "b/two"], {}, file=str(path))
    assert both[0] == first and both[1] != first
    assert read_secrets(path) == {"a/one": first, "b/two": both[1]}
    assert lookup.run(["b/two", "a/one"], {}, file=str(path)) == [both[1], first]


def test_a_stored_value_is_never_regenerated_whatever_is_asked(lookup, path):
    write_encrypted(path, {"kept": "operator-chosen-value"})
    assert lookup.run(["kept"], {}, file=str(path), length=64, chars="hex") == ["operator-chosen-value"]


def test_values_of_a_run_are_not_the_same(lookup, path):
    values = lookup.run(["x1", "x2", "x3"], {}, file=str(path))
    assert len(set(values)) == 3


@pytest.mark.parametrize(("chars", "length", "pattern"), [
    ("hex", 64, r"^[0-9a-f]{64}$"),
    ("base32", 32, r"^[A-Z2-7]{32}$"),
    ("alnum", 16, r"^[A-Za-z0-9]{16}$"),
    ("alnum", 100, r"^[A-Za-z0-9]{100}$"),
    ("password", 16, r"^[A-Za-z0-9._-]{16}$"),
])
def test_chars_and_length(lookup, path, chars, length, pattern):
    value = lookup.run(["key"], {}, file=str(path), chars=chars, length=length)[0]
    assert re.match(pattern, value), value


def _decode_cephx(value):
    raw = base64.b64decode(value, validate=True)
    assert len(raw) == 28
    return struct.unpack("<HIIH", raw[:12]) + (raw[12:],)


def test_cephx_is_a_key_in_cephs_keyring_format(lookup, path):
    before = int(time.time())
    value = lookup.run(["ceph/mon_key"], {}, file=str(path), chars="cephx")[0]
    assert re.match(r"^[A-Za-z0-9+/]{38}==$", value), value
    key_type, seconds, nanoseconds, length, secret = _decode_cephx(value)
    assert (key_type, length) == (1, 16)   # CEPH_CRYPTO_AES, 16 bytes of secret
    assert before <= seconds <= time.time() + 1
    assert 0 <= nanoseconds < 10 ** 9
    assert len(secret) == 16
    assert read_secrets(path) == {"ceph/mon_key": value}


def test_cephx_ignores_length_and_is_stored_once(lookup, path):
    first = lookup.run(["k"], {}, file=str(path), chars="cephx", length=64)[0]
    assert len(first) == 40
    assert lookup.run(["k"], {}, file=str(path), chars="cephx")[0] == first


def test_cephx_keys_differ_and_come_through_specs(lookup, path):
    keys = lookup.run([], {}, file=str(path), namespace="ceph",
                      specs={"admin": {"chars": "cephx"}, "osd": {"chars": "cephx"}})[0]
    assert keys["admin"] != keys["osd"]
    assert _decode_cephx(keys["admin"])[4] != _decode_cephx(keys["osd"])[4]


def test_default_is_32_alnum(lookup, path):
    assert re.match(r"^[A-Za-z0-9]{32}$", lookup.run(["key"], {}, file=str(path))[0])


@pytest.mark.parametrize(("chars", "alphabet"), [
    ("hex", "0123456789abcdef"),
    ("base32", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
    ("alnum", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
    ("password", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
])
def test_the_whole_alphabet_is_used(lookup, path, chars, alphabet):
    value = lookup.run(["long"], {}, file=str(path), chars=chars, length=4096)[0]
    assert set(value) == set(alphabet)


def test_a_password_has_every_class_even_at_the_shortest_length(lookup, path):
    # At length 16 a plain draw lacks punctuation (3 of 65 characters) about half the time.
    values = lookup.run(["p%d" % i for i in range(200)], {}, file=str(path), chars="password", length=16)
    for value in values:
        assert re.search("[a-z]", value) and re.search("[A-Z]", value), value
        assert re.search("[0-9]", value) and re.search("[._-]", value), value


def test_specs_with_namespace_return_one_dict_and_store_prefixed_names(lookup, path):
    specs = {"db_password": {"length": 20}, "encryption_key": {"length": 64, "chars": "hex"}, "plain": None}
    result = lookup.run([], {}, file=str(path), specs=specs, namespace="n8n")
    assert len(result) == 1
    values = result[0]
    assert set(values) == {"db_password", "encryption_key", "plain"}
    assert re.match(r"^[A-Za-z0-9]{20}$", values["db_password"])
    assert re.match(r"^[0-9a-f]{64}$", values["encryption_key"])
    assert re.match(r"^[A-Za-z0-9]{32}$", values["plain"])
    assert read_secrets(path) == {"n8n/db_password": values["db_password"],
                                  "n8n/encryption_key": values["encryption_key"],
                                  "n8n/plain": values["plain"]}
    assert lookup.run([], {}, file=str(path), specs=specs, namespace="n8n") == [values]
    assert lookup.run(["n8n/encryption_key"], {}, file=str(path)) == [values["encryption_key"]]


def test_specs_without_namespace_store_bare_names(lookup, path):
    values = lookup.run([], {}, file=str(path), specs={"token": {"length": 16}})[0]
    assert read_secrets(path) == {"token": values["token"]}


def test_specs_of_the_catalog_are_accepted(lookup, path):
    from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve

    for entry in resolve():
        values = lookup.run([], {}, file=str(path), specs=entry["secrets"], namespace=entry["name"])[0]
        assert set(values) == set(entry["secrets"])
    assert len(read_secrets(path)) == sum(len(entry["secrets"]) for entry in resolve())


# ---------------------------------------------------------------------------------------------
# Where the file is


def test_the_file_comes_from_platform_secrets_file(lookup, path):
    value = lookup.run(["a"], {"platform_secrets_file": str(path)})[0]
    assert read_secrets(path) == {"a": value}


def test_platform_secrets_file_is_templated(path):
    variables = {"inventory_base": str(path.parent),
                 "platform_secrets_file": trust_as_template("{{ inventory_base }}/from-template.vault.yml")}
    value = make_lookup(variables=variables).run(["a"], variables)[0]
    assert read_secrets(path.parent / "from-template.vault.yml") == {"a": value}


def test_the_default_file_is_under_inventory_dir(lookup, tmp_path):
    value = lookup.run(["a"], {"inventory_dir": str(tmp_path / "inv")})[0]
    assert read_secrets(tmp_path / "inv" / "secrets" / "platform.vault.yml") == {"a": value}


def test_no_file_at_all_is_a_clear_error(lookup):
    with pytest.raises(AnsibleLookupError, match="set platform_secrets_file"):
        lookup.run(["a"], {})


# ---------------------------------------------------------------------------------------------
# Refusals: before anything is written


def test_names_and_specs_together_are_refused(lookup, path):
    with pytest.raises(AnsibleLookupError, match="names or specs, not both"):
        lookup.run(["a"], {}, file=str(path), specs={"b": {}})
    assert not path.parent.exists()


@pytest.mark.parametrize("terms", [
    ["bad name"], ["/absolute"], ["-dash"], ["a:b"], [""], ["a\nb"], ["good", "bad name"], ["üml"],
])
def test_bad_names_are_refused_before_anything_is_written(lookup, path, terms):
    with pytest.raises(AnsibleLookupError, match="is not a valid secret name"):
        lookup.run(terms, {}, file=str(path))
    assert not path.exists()
    assert not path.parent.exists()


def test_a_bad_namespace_is_refused(lookup, path):
    with pytest.raises(AnsibleLookupError, match="is not a valid secret name"):
        lookup.run([], {}, file=str(path), specs={"a": {}}, namespace="../x y")
    assert not path.parent.exists()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"length": 15}, r"length must be an integer of at least 16, got 15"),
    ({"length": 0}, r"length must be an integer of at least 16, got 0"),
    ({"specs": {"a": {"length": 8}}}, r"a: length must be an integer of at least 16, got 8"),
    ({"specs": {"a": {"length": "32"}}}, r"a: length must be an integer of at least 16, got '32'"),
    ({"specs": {"a": {"chars": "octal"}}}, r"a: chars must be one of alnum, hex, base32, password, cephx, got 'octal'"),
    ({"specs": {"a": "long"}}, r"the spec of a must be a mapping"),
    ({"specs": {"good": {}, "bad": {"length": 4}}}, r"bad: length must be"),
])
def test_bad_lengths_and_alphabets_are_refused_before_anything_is_written(lookup, path, kwargs, message):
    terms = [] if "specs" in kwargs else ["a"]
    with pytest.raises(AnsibleLookupError, match=message):
        lookup.run(terms, {}, file=str(path), **kwargs)
    assert not path.exists()
    assert not path.parent.exists()


def test_an_unknown_chars_option_is_refused_before_anything_is_written(lookup, path):
    with pytest.raises(AnsibleError, match="octal"):
        lookup.run(["a"], {}, file=str(path), chars="octal")
    assert not path.parent.exists()


def test_an_existing_file_is_untouched_by_a_refused_request(lookup, path):
    lookup.run(["a"], {}, file=str(path))
    content = path.read_bytes()
    with pytest.raises(AnsibleLookupError):
        lookup.run(["b", "c d"], {}, file=str(path))
    assert path.read_bytes() == content


# ---------------------------------------------------------------------------------------------
# Vault password or not


def test_without_a_vault_password_nothing_is_written_in_clear_text(path):
    with pytest.raises(AnsibleLookupError, match=r"no vault password to encrypt it with") as caught:
        make_lookup(vault=False).run(["a"], {}, file=str(path))
    assert str(path) in str(caught.value)
    assert not path.exists()
    assert leftovers(path.parent) == []


@pytest.mark.parametrize("value", [False, "false", "no", "0"])
def test_allow_plaintext_false_values_still_refuse(path, value):
    with pytest.raises(AnsibleLookupError, match=r"no vault password"):
        make_lookup(vault=False).run(["a"], {"platform_secrets_allow_plaintext": value}, file=str(path))
    assert not path.exists()


def test_allow_plaintext_writes_a_0600_plaintext_file(path):
    value = make_lookup(vault=False).run(["lab/a"], {}, file=str(path), allow_plaintext=True)[0]
    raw = path.read_bytes()
    assert not raw.startswith(b"$ANSIBLE_VAULT")
    assert yaml.safe_load(raw) == {"lab/a": value}
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert make_lookup(vault=False).run(["lab/a"], {}, file=str(path)) == [value]


def test_allow_plaintext_from_the_variable(path):
    variables = {"platform_secrets_allow_plaintext": True}
    value = make_lookup(vault=False).run(["a"], variables, file=str(path))[0]
    assert yaml.safe_load(path.read_bytes()) == {"a": value}


def test_with_a_vault_password_allow_plaintext_still_encrypts(lookup, path):
    lookup.run(["a"], {}, file=str(path), allow_plaintext=True)
    assert path.read_bytes().startswith(b"$ANSIBLE_VAULT")


def test_an_encrypted_file_without_a_vault_password_is_a_clear_error(lookup, path):
    lookup.run(["a"], {}, file=str(path))
    content = path.read_bytes()
    with pytest.raises(AnsibleLookupError, match=r"is vault-encrypted but Ansible has no vault password") as caught:
        make_lookup(vault=False).run(["a"], {}, file=str(path), allow_plaintext=True)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_a_corrupt_file_is_an_error_naming_the_path(lookup, path):
    path.parent.mkdir(parents=True)
    path.write_text("a: [unclosed\n")
    with pytest.raises(AnsibleLookupError, match=re.escape(str(path)) + " is not valid YAML"):
        lookup.run(["a"], {}, file=str(path))
    assert path.read_text() == "a: [unclosed\n"


def test_a_file_that_is_not_a_mapping_is_an_error_naming_the_path(lookup, path):
    write_encrypted(path, ["a", "b"])
    with pytest.raises(AnsibleLookupError, match=re.escape(str(path)) + " must hold a mapping of secret name to value, got list"):
        lookup.run(["a"], {}, file=str(path))


# ---------------------------------------------------------------------------------------------
# Values never in messages


@pytest.mark.parametrize("stored", [987654321987, "", None, ["Sup3rS3cretInAList"]])
def test_a_stored_value_that_is_not_a_non_empty_string_is_named_not_shown(lookup, path, stored):
    write_encrypted(path, {"n8n/db": stored})
    with pytest.raises(AnsibleLookupError, match=r"the secret n8n/db must be a non-empty string") as caught:
        lookup.run(["n8n/db"], {}, file=str(path))
    assert "987654321987" not in str(caught.value) and "Sup3rS3cret" not in str(caught.value)


def test_a_corrupt_encrypted_file_does_not_show_its_values(lookup, path):
    """PyYAML's messages quote the offending line; here that line holds a secret."""
    path.parent.mkdir(parents=True)
    text = "n8n/encryption_key: 0a1b2c3d4e5f60718293a4b5c6d7e8f9\nn8n/db: Sup3rS3cretValue: x\n"
    path.write_bytes(VaultLib([("default", VaultSecret(PASSWORD))]).encrypt(text.encode()))
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run(["n8n/db"], {}, file=str(path))
    message = str(caught.value)
    assert str(path) in message and "not valid YAML" in message
    assert "Sup3rS3cretValue" not in message
    assert "0a1b2c3d4e5f60718293a4b5c6d7e8f9" not in message


def test_generated_values_are_not_in_refusal_messages(lookup, path):
    value = lookup.run(["known"], {}, file=str(path))[0]
    for terms, kwargs in ((["known", "bad name"], {}), (["known"], {"length": 8}), (["known"], {"specs": {"a": {}}})):
        with pytest.raises(AnsibleLookupError) as caught:
            lookup.run(terms, {}, file=str(path), **kwargs)
        assert value not in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Concurrency: forks and hosts agree on one value


def _ask(index, path, names, barrier, results):
    try:
        lookup = make_lookup()
        barrier.wait(timeout=30)
        results.put((index, lookup.run(names, {}, file=str(path))))
    except BaseException as exc:  # reported to the parent
        results.put((index, "ERROR %s: %s" % (type(exc).__name__, exc)))


def _run_concurrently(path, names_per_process):
    """The answers of processes started together, in the order of names_per_process."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(names_per_process))
    results = context.Queue()
    processes = [context.Process(target=_ask, args=(index, path, names, barrier, results))
                 for index, names in enumerate(names_per_process)]
    for process in processes:
        process.start()
    answers = dict(results.get(timeout=60) for _unused in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    answers = [answers[index] for index in range(len(processes))]
    for answer in answers:
        assert not isinstance(answer, str), answer
    return answers


def test_processes_asking_for_the_same_new_name_at_once_get_the_same_value(path):
    answers = _run_concurrently(path, [["shared/new"]] * 8)
    values = set(answer[0] for answer in answers)
    assert len(values) == 1
    assert read_secrets(path) == {"shared/new": values.pop()}
    assert leftovers(path.parent) == []


def test_processes_adding_different_names_at_once_lose_none(path):
    names = [["host-%d/key" % number, "shared/key"] for number in range(8)]
    answers = _run_concurrently(path, names)
    assert len(set(answer[1] for answer in answers)) == 1
    got = dict(pair for wanted, answer in zip(names, answers) for pair in zip(wanted, answer))
    assert len(got) == 9
    assert read_secrets(path) == got


# ---------------------------------------------------------------------------------------------
# CI: secrets are created before the pipeline (./foundry secrets), never inside it


def test_in_ci_a_missing_secret_is_refused_naming_each_and_nothing_is_written(lookup, path, monkeypatch):
    write_encrypted(path, {"n8n/encryption_key": "k" * 64})
    before = path.read_bytes()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AnsibleLookupError) as caught:
        lookup.run([], {}, file=str(path), namespace="n8n", specs={"encryption_key": {}, "db_password": {}, "admin": {}})
    message = str(caught.value)
    assert "2 secret(s) missing from %s: n8n/db_password, n8n/admin" % path in message
    assert "./foundry secrets" in message
    assert path.read_bytes() == before


def test_in_ci_existing_secrets_are_read(lookup, path, monkeypatch):
    write_encrypted(path, {"n8n/encryption_key": "k" * 64})
    monkeypatch.setenv("CI", "true")
    assert lookup.run(["n8n/encryption_key"], {}, file=str(path)) == ["k" * 64]


@pytest.mark.parametrize(("ci", "setting", "creates"), [
    ("true", True, True), ("true", "yes", True), ("", False, False), ("false", None, True), ("true", None, False)])
def test_platform_secrets_create_decides_over_ci(lookup, path, monkeypatch, ci, setting, creates):
    monkeypatch.setenv("CI", ci)
    variables = {} if setting is None else {"platform_secrets_create": setting}
    if creates:
        assert len(lookup.run(["a"], variables, file=str(path))[0]) == 32
    else:
        with pytest.raises(AnsibleLookupError, match=r"1 secret\(s\) missing .*: a; create them before the run"):
            lookup.run(["a"], variables, file=str(path))
        assert not path.exists()
