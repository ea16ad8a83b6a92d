# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ollama settings rule (inventory_validation/ollama_settings.py): what roles/ollama's assert
would refuse on the host, refused before the driver and container layers run."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.ollama_settings import (
    check_ollama_settings,
)
from rule_context import FactVars, make_context

CHECKSUM = "sha256:" + "ab" * 32


def check(values, role="ollama"):
    """check_ollama_settings for host gpu-1 running role, with the real ollama role's defaults."""
    role_hosts = {"ollama": [], role: ["gpu-1"]}  # ollama's defaults also for a workspace VM
    return check_ollama_settings(make_context({"gpu-1": values}, role_hosts=role_hosts))


def test_the_role_defaults_pass():
    # ollama_bind_address's default is a template (the host's address): not guessed, not refused
    assert check({}) == []


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", ""])
def test_every_interface_needs_the_switch(bind):
    assert check({"ollama_bind_address": bind}) == [
        "host gpu-1: ollama_bind_address: %r exposes Ollama on every interface; set ollama_allow_bind_all: true "
        "if that is really wanted" % bind]
    assert check({"ollama_bind_address": bind, "ollama_allow_bind_all": True}) == []


def test_quantised_cache_needs_flash_attention():
    assert check({"ollama_kv_cache_type": "q8_0", "ollama_flash_attention": False}) == [
        "host gpu-1: ollama_kv_cache_type: q8_0 needs ollama_flash_attention: true "
        "(Ollama ignores a quantised KV cache otherwise)"]
    assert check({"ollama_kv_cache_type": "q4_0"}) == []  # the role's default turns it on
    assert check({"ollama_kv_cache_type": "f16", "ollama_flash_attention": False}) == []


@pytest.mark.parametrize("checksum", [None, "", "sha256:https://example.com/sha256sum.txt", "sha256:abc"])
def test_a_local_archive_needs_a_literal_checksum(checksum):
    values = {"ollama_archive_src": "/srv/ollama-linux-amd64.tar.zst"}
    if checksum is not None:
        values["ollama_archive_checksum"] = checksum
    assert check(values) == [
        'host gpu-1: ollama_archive_checksum: ollama_archive_src needs a checksum "sha256:<64 hex digits>"']


def test_archive_settings_that_pass():
    assert check({"ollama_archive_src": "/srv/ollama.tar.zst", "ollama_archive_checksum": CHECKSUM}) == []
    assert check({"ollama_archive_src": "/srv/ollama.tar.zst", "ollama_install_method": "container"}) == []
    assert check({"ollama_archive_checksum": "sha256:https://example.com/sha256sum.txt"}) == []  # the download


def test_values_that_need_facts_are_skipped():
    values = FactVars({"ollama_bind_address": "0.0.0.0", "ollama_flash_attention": False,
                       "ollama_archive_src": "/srv/o.tar.zst"},
                      {"ollama_allow_bind_all", "ollama_kv_cache_type", "ollama_archive_checksum"})
    assert check(values) == [
        "host gpu-1: ollama_bind_address: '0.0.0.0' exposes Ollama on every interface; set ollama_allow_bind_all: "
        "true if that is really wanted"]
    assert check(FactVars({}, {"ollama_bind_address"})) == []


def test_workspace_vms_running_ollama_are_checked():
    assert check({"ollama_models": [], "ollama_bind_address": "0.0.0.0"}, role="workspace_stack") != []
    assert check({"ollama_bind_address": "0.0.0.0"}, role="workspace_stack") == []  # no Ollama planned there
