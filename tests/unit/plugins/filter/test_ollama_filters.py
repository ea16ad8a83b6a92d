# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ollama_model_key, ollama_models_not_in and ollama_settings_problems."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.ollama_model_key import (
    FilterModule as KeyFilters,
    ollama_model_key,
)
from ansible_collections.foundrycloud.platform.plugins.filter.ollama_models_not_in import (
    FilterModule as NotInFilters,
    ollama_models_not_in,
)
from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import ollama_settings_problems


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("qwen2.5:7b", "registry.ollama.ai/library/qwen2.5:7b"),
        ("Nomic-Embed-Text", "registry.ollama.ai/library/nomic-embed-text:latest"),
        ("team/coder:v1", "registry.ollama.ai/team/coder:v1"),
        ("registry.lab:5000/team/coder:v1", "registry.lab:5000/team/coder:v1"),
    ],
)
def test_key_is_the_full_lower_cased_name(name, key):
    assert ollama_model_key(name) == key


def test_invalid_name_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match="ollama_model_key"):
        ollama_model_key("qwen 2.5:7b")


def test_not_in_compares_normalised_names_and_returns_them_as_given():
    present = ["qwen2.5:7b", "nomic-embed-text:latest", "granite3.2-vision:latest"]
    planned = ["Qwen2.5:7b", "nomic-embed-text"]
    assert ollama_models_not_in(present, planned) == ["granite3.2-vision:latest"]


def test_not_in_with_everything_planned_is_empty():
    assert ollama_models_not_in(["qwen2.5:7b"], ["registry.ollama.ai/library/qwen2.5:7b"]) == []


def test_not_in_refuses_an_invalid_planned_name():
    with pytest.raises(AnsibleFilterError):
        ollama_models_not_in(["qwen2.5:7b"], ["a:b:c"])


def test_filters_are_registered_under_their_names():
    assert KeyFilters().filters() == {"ollama_model_key": ollama_model_key}
    assert NotInFilters().filters() == {"ollama_models_not_in": ollama_models_not_in}


GOOD_SETTINGS = {"ollama_bind_address": "10.0.0.5", "ollama_allow_bind_all": False, "ollama_kv_cache_type": "q8_0",
                 "ollama_flash_attention": True, "ollama_install_method": "archive", "ollama_archive_src": "",
                 "ollama_archive_checksum": ""}


@pytest.mark.parametrize("change, problem", [
    ({"ollama_bind_address": "0.0.0.0"}, "ollama_bind_address: '0.0.0.0' exposes Ollama on every interface"),
    ({"ollama_bind_address": "::"}, "ollama_bind_address: '::' exposes Ollama"),
    ({"ollama_flash_attention": False}, "ollama_kv_cache_type: q8_0 needs ollama_flash_attention: true"),
    ({"ollama_archive_src": "/srv/ollama.tgz", "ollama_archive_checksum": "md5:abc"},
     'ollama_archive_checksum: ollama_archive_src needs a checksum "sha256:<64 hex digits>"'),
])
def test_settings_problems_are_the_validations(change, problem):
    [found] = ollama_settings_problems(dict(GOOD_SETTINGS, **change))
    assert found.startswith(problem), found


def test_settings_that_are_right_or_opted_in_pass():
    assert ollama_settings_problems(GOOD_SETTINGS) == []
    assert ollama_settings_problems(dict(GOOD_SETTINGS, ollama_bind_address="0.0.0.0", ollama_allow_bind_all=True)) == []
    assert ollama_settings_problems(dict(GOOD_SETTINGS, ollama_kv_cache_type="f16", ollama_flash_attention=False)) == []
    assert ollama_settings_problems(dict(GOOD_SETTINGS, ollama_install_method="container", ollama_archive_src="/x")) == []
    assert ollama_settings_problems(dict(GOOD_SETTINGS, ollama_archive_src="/srv/o.tgz",
                                         ollama_archive_checksum="sha256:" + "a" * 64)) == []
    with pytest.raises(AnsibleFilterError, match="^ollama_settings_problems: "):
        ollama_settings_problems(["0.0.0.0"])
