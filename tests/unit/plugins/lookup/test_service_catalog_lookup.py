# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lookup service_catalog: a thin wrapper of module_utils/service_catalog.resolve(), loaded
through lookup_loader; options fall back to the inventory variables."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar, trust_as_template
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

REPO_ROOT = Path(__file__).resolve().parents[4]
COLLECTIONS_DIR = REPO_ROOT / "collections"
IMAGES = yaml.safe_load((REPO_ROOT / "catalog" / "images.yml").read_text())
SERVICES = sorted(path.stem for path in (REPO_ROOT / "catalog" / "services").glob("*.yml"))
NAME = "foundrycloud.platform.service_catalog"


def _collection_modules():
    return dict((key, module) for key, module in sys.modules.items()
                if key == "ansible_collections" or key.startswith("ansible_collections."))


@pytest.fixture(scope="module", autouse=True)
def collection_loader():
    """Ansible's collection loader for this checkout (see test_platform_secret.py)."""
    saved = _collection_modules()
    for key in saved:
        del sys.modules[key]
    init_plugin_loader([str(COLLECTIONS_DIR)])
    yield
    _AnsibleCollectionFinder._remove()
    for key in _collection_modules():
        del sys.modules[key]
    sys.modules.update(saved)


def run(terms=(), variables=None, **kwargs):
    variables = variables or {}
    loader = DataLoader()
    lookup = lookup_loader.get(NAME, loader=loader, templar=Templar(loader=loader, variables=variables))
    return lookup.run(list(terms), variables, **kwargs)


def image(entry, container):
    return entry["containers"][container]["image"]


def postgres(registry):
    ref = "%s:%s" % (IMAGES["postgres"]["repository"], IMAGES["postgres"]["tag"])
    return "%s/%s" % (registry, ref) if registry else ref


def test_all_services_sorted_with_docker_io_by_default():
    entries = run()
    assert [entry["name"] for entry in entries] == SERVICES
    assert image(entries[SERVICES.index("n8n")], "postgres") == postgres("docker.io")


def test_terms_select_services():
    assert [entry["name"] for entry in run(["qdrant", "n8n"])] == ["qdrant", "n8n"]


def test_platform_image_registry_is_honoured():
    entry = run(["n8n"], {"platform_image_registry": "mirror.foundrycloud.test"})[0]
    assert image(entry, "postgres") == postgres("mirror.foundrycloud.test")
    assert entry["containers"]["postgres"]["image_key"] == "postgres"


def test_platform_image_registry_is_templated():
    variables = {"site_mirror": "mirror.example:5000", "platform_image_registry": trust_as_template("{{ site_mirror }}")}
    assert image(run(["n8n"], variables)[0], "postgres") == postgres("mirror.example:5000")


def test_an_empty_platform_image_registry_means_no_registry():
    assert image(run(["n8n"], {"platform_image_registry": ""})[0], "postgres") == postgres("")
    assert image(run(["n8n"], registry="")[0], "postgres") == postgres("")


def test_the_registry_option_wins_over_the_variable():
    entry = run(["n8n"], {"platform_image_registry": "mirror.example"}, registry="other.example")[0]
    assert image(entry, "postgres") == postgres("other.example")


def test_platform_image_overrides_are_honoured():
    variables = {"platform_image_registry": "mirror.example",
                 "platform_image_overrides": {"postgres": {"tag": "16.10", "registry": "pg.example"}}}
    entry = run(["n8n"], variables)[0]
    assert image(entry, "postgres") == "pg.example/%s:16.10" % IMAGES["postgres"]["repository"]
    assert image(entry, "n8n").startswith("mirror.example/")
    entry = run(["n8n"], variables, image_overrides={"postgres": {"tag": "15.0"}})[0]
    assert image(entry, "postgres") == "mirror.example/%s:15.0" % IMAGES["postgres"]["repository"]


def test_platform_service_overrides_are_honoured():
    variables = {"platform_service_overrides": {"n8n": {"settings": {"timezone": "UTC"},
                                                        "containers": {"n8n": {"limits": {"memory": "4g"}}}}}}
    entry = run(["n8n"], variables)[0]
    assert entry["settings"]["timezone"] == "UTC"
    assert entry["containers"]["n8n"]["limits"] == {"memory": "4g"}
    assert run(["n8n"], variables, service_overrides={})[0]["settings"]["timezone"] != "UTC"


@pytest.mark.parametrize(("terms", "variables", "message"), [
    (["nope"], {}, r"^service catalog: 'nope' is not a service of the catalog"),
    ([], {"platform_image_overrides": {"postgress": {"tag": "1"}}}, r"^service catalog: platform_image_overrides: 'postgress'"),
    ([], {"platform_image_overrides": {"postgres": {"tag": "latest"}}}, r"^service catalog: platform_image_overrides: image postgres"),
    ([], {"platform_service_overrides": {"n8m": {}}}, r"^service catalog: platform_service_overrides: 'n8m'"),
    (["n8n"], {"platform_service_overrides": {"n8n": {"placement": {"central": "always"}}}},
     r"^service catalog: service n8n: placement\.central must be one of"),
])
def test_catalog_errors_become_lookup_errors_with_the_message(terms, variables, message):
    with pytest.raises(AnsibleLookupError, match=message):
        run(terms, variables)
