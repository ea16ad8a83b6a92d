# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every filter the collection offers has its own documentation page.

A filter file with one filter may carry DOCUMENTATION/EXAMPLES/RETURN inline; a file with several
carries none, and each of its filters is documented by ``plugins/filter/<filter name>.yml``
(ansible-doc looks for that file when the .py has no DOCUMENTATION). The pages' options are the
filter function's arguments (``_input`` the first), so the documentation cannot drift from the code.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[4]
FILTER_DIR = REPO / "plugins" / "filter"
PACKAGE = "ansible_collections.foundrycloud.platform.plugins.filter"
FQCN = "foundrycloud.platform"


def _version(text):
    return tuple(int(part) for part in str(text).split("."))


GALAXY_VERSION = _version(yaml.safe_load((REPO / "galaxy.yml").read_text())["version"])


def _filter_modules():
    """{file stem: (python module, {filter name: function})} of every plugins/filter/*.py."""
    result = {}
    for path in sorted(FILTER_DIR.glob("*.py")):
        module = importlib.import_module("%s.%s" % (PACKAGE, path.stem))
        assert hasattr(module, "FilterModule"), "%s has no FilterModule" % path.name
        result[path.stem] = (module, module.FilterModule().filters())
    return result


MODULES = _filter_modules()
FILTERS = sorted((name, stem, function) for stem, entry in MODULES.items() for name, function in entry[1].items())
FILTER_NAMES = [entry[0] for entry in FILTERS]


def _docs(name, stem):
    """(DOCUMENTATION, EXAMPLES, RETURN, where) of a filter: inline when the .py documents exactly
    this filter, else <name>.yml."""
    module = MODULES[stem][0]
    inline = getattr(module, "DOCUMENTATION", None)
    if inline is not None and yaml.safe_load(inline).get("name") == name:
        return (yaml.safe_load(inline), getattr(module, "EXAMPLES", None),
                yaml.safe_load(getattr(module, "RETURN", "") or "null"), "%s.py" % stem)
    sidecar = FILTER_DIR / ("%s.yml" % name)
    assert sidecar.is_file(), "filter %s (in %s.py) has no documentation: neither inline nor %s" % (name, stem, sidecar.name)
    data = yaml.safe_load(sidecar.read_text())
    return data.get("DOCUMENTATION"), data.get("EXAMPLES"), data.get("RETURN"), sidecar.name


def test_the_filters_are_found():
    assert len(FILTER_NAMES) == len(set(FILTER_NAMES)), "a filter name is offered by two files"
    # The multi-filter files this test was written for.
    assert len(MODULES["openstack_network_plan"][1]) == 14
    assert len(MODULES["openstack_workspace_plan"][1]) == 6
    assert len(MODULES["dns_zone"][1]) == 3


@pytest.mark.parametrize("name,stem,function", FILTERS, ids=FILTER_NAMES)
def test_every_filter_has_its_own_page(name, stem, function):
    doc, examples, returns, where = _docs(name, stem)
    assert isinstance(doc, dict), "%s: DOCUMENTATION is not a mapping" % where
    assert doc.get("name") == name, "%s documents %r, not %r" % (where, doc.get("name"), name)
    assert doc.get("short_description"), "%s: no short_description" % where
    assert doc.get("description"), "%s: no description" % where
    assert _version(doc.get("version_added")) <= GALAXY_VERSION, \
        "%s: version_added %s is newer than galaxy.yml's version" % (where, doc.get("version_added"))

    options = doc.get("options") or {}
    assert "_input" in options, "%s: no options._input" % where
    for option, spec in options.items():
        assert spec.get("description") and spec.get("type"), "%s: option %s needs description and type" % (where, option)

    # The options are the function's arguments after the input, no more, no fewer.
    parameters = list(inspect.signature(function).parameters.values())
    arguments = {p.name for p in parameters[1:] if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    assert set(options) - {"_input"} == arguments, "%s: options %s, but %s() takes %s" % (
        where, sorted(set(options) - {"_input"}), function.__name__, sorted(arguments))
    for p in parameters[1:]:
        if p.default is inspect.Parameter.empty:
            assert options[p.name].get("required") is True, "%s: %s has no default, document it required" % (where, p.name)
        else:
            assert not options[p.name].get("required"), "%s: %s has a default, so it is not required" % (where, p.name)

    assert isinstance(returns, dict) and "_value" in returns, "%s: no RETURN._value" % where
    assert returns["_value"].get("description") and returns["_value"].get("type"), "%s: RETURN._value needs description and type" % where

    assert examples and re.search(r"\b%s\.%s\b" % (re.escape(FQCN), re.escape(name)), examples), \
        "%s: EXAMPLES do not use %s.%s" % (where, FQCN, name)
    yaml.safe_load(examples)  # the examples are YAML tasks


@pytest.mark.parametrize("stem", sorted(stem for stem, entry in MODULES.items() if len(entry[1]) > 1))
def test_a_file_with_several_filters_documents_none_inline(stem):
    module = MODULES[stem][0]
    for attribute in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
        assert getattr(module, attribute, None) is None, \
            "%s.py offers %d filters; its %s would be shown for all of them: use <name>.yml" % (
                stem, len(MODULES[stem][1]), attribute)


def test_every_documentation_file_belongs_to_a_filter():
    orphans = sorted(path.name for path in FILTER_DIR.glob("*.yml") if path.stem not in FILTER_NAMES)
    assert orphans == []
    for path in FILTER_DIR.glob("*.yml"):
        data = yaml.safe_load(path.read_text())
        assert set(data) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}, path.name
        assert data["DOCUMENTATION"]["name"] == path.stem, path.name


def test_ansible_doc_shows_each_filter_its_own_page(tmp_path):
    """What users see: one ansible-doc call for all filters, each answered with its own page."""
    ansible_doc = Path(sys.executable).with_name("ansible-doc")
    if not ansible_doc.exists():
        ansible_doc = shutil.which("ansible-doc")
    if not ansible_doc:
        pytest.skip("ansible-doc not installed")
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = dict(os.environ, ANSIBLE_CONFIG=str(config), ANSIBLE_COLLECTIONS_PATH=str(REPO / "collections"),
               ANSIBLE_HOME=str(tmp_path / "home"), PYTHONWARNINGS="ignore")
    names = ["%s.%s" % (FQCN, name) for name in FILTER_NAMES]
    result = subprocess.run([str(ansible_doc), "-t", "filter", "--json"] + names, env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout)
    assert sorted(pages) == sorted(names)
    for fqcn, page in pages.items():
        doc = page["doc"]
        assert doc["name"] == fqcn.rsplit(".", 1)[1], "%s shows the page of %s (%s)" % (fqcn, doc["name"], doc["filename"])
        assert "_value" in (page.get("return") or {}), fqcn
