# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters central_services_problems, workspace_stack_problems and service_settings_problems:
the roles' own checks, which are the validation's functions (inventory_validation/service_settings)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import (
    central_services_problems,
    service_settings_problems,
    workspace_stack_problems,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation import service_settings

CATALOG = resolve()   # the list the service_catalog lookup returns
BY_NAME = dict((entry["name"], entry) for entry in CATALOG)


def central(**values):
    return central_services_problems(values, CATALOG)


def test_central_right_data_has_no_problem():
    assert central(central_services_enabled=["n8n", "qdrant"], central_services_absent=["langfuse"],
                   central_services_settings={"n8n": {"timezone": "UTC"}},
                   central_services_public_urls={"n8n": "https://flows.example/"}) == []


def test_central_missing_and_empty_values_count_as_none():
    assert central() == []
    assert central(central_services_enabled=["n8n"], central_services_absent=None,
                   central_services_settings=None, central_services_public_urls=None) == []


def test_central_names_each_problem_with_its_variable():
    problems = central(central_services_enabled=["n8n", "qdrnat"], central_services_absent=["n8n", "ollama"],
                       central_services_settings={"n8n": {"timezon": "UTC"}, "langfuse": {}},
                       central_services_public_urls={"n8n": "flows.example", "qdrant": "https://q.example/"})
    assert problems[0].startswith("central_services_enabled: 'qdrnat' is not a central service of the catalog (known: ")
    assert problems[1].startswith("central_services_absent: 'ollama' is not a central service")
    assert problems[2] == "n8n is listed in both central_services_enabled and central_services_absent"
    assert problems[3] == "central_services_settings: langfuse is not in central_services_enabled of this host"
    assert problems[4].startswith("central_services_settings.n8n: unknown setting 'timezon' (known: ")
    assert "timezone" in problems[4]
    assert problems[5] == "central_services_public_urls.n8n: 'flows.example' is not an http(s) URL"
    assert problems[6] == "central_services_public_urls: qdrant is not in central_services_enabled of this host"
    assert len(problems) == 7


def test_central_wrong_types_are_named_not_a_traceback():
    problems = central(central_services_enabled="n8n", central_services_settings=["n8n"],
                       central_services_public_urls="https://x.example/")
    assert "central_services_enabled: must be a list of service names, got 'n8n'" in problems
    assert "central_services_settings: must map service names to settings, got ['n8n']" in problems
    assert "central_services_public_urls: must map service names to URLs, got 'https://x.example/'" in problems


def test_central_two_services_on_one_host_port():
    catalog = [dict(entry) for entry in CATALOG]
    qdrant = next(entry for entry in catalog if entry["name"] == "qdrant")
    qdrant["containers"] = {"qdrant": dict(qdrant["containers"]["qdrant"], ports=[{"container": 6333, "host": 5678}])}
    problems = central_services_problems({"central_services_enabled": ["n8n", "qdrant"]}, catalog)
    assert problems == ["services n8n and qdrant would all publish port 5678 (set a different host port with "
                        "platform_service_overrides)"]


def test_central_catalog_must_be_entries():
    with pytest.raises(AnsibleFilterError, match="central_services_problems: catalog must be the list of catalog entries"):
        central_services_problems({}, ["n8n"])
    with pytest.raises(AnsibleFilterError, match="the input must map variable names"):
        central_services_problems(["n8n"], CATALOG)


def test_workspace_settings_and_limits_of_services_that_do_not_run_here():
    problems = workspace_stack_problems(
        {"workspace_stack_settings": {"open-webui": {}, "qdrant": {"log_levl": "DEBUG"}},
         "workspace_stack_limits": {"qdrant": {"memory": "2g"}, "n8n": {"memory": "1g"}}},
        CATALOG, ["ollama", "qdrant"])
    assert problems == [
        "workspace_stack_settings: open-webui does not run in this workspace (local: ollama, qdrant; see "
        "workspace_local_services)",
        "workspace_stack_settings.qdrant: unknown setting 'log_levl' (known: log_level)",
        "workspace_stack_limits: n8n does not run in this workspace (local: ollama, qdrant; see workspace_local_services)",
    ]


def test_workspace_right_data_and_empty_values():
    assert workspace_stack_problems({"workspace_stack_settings": {"qdrant": {"log_level": "INFO"}},
                                     "workspace_stack_limits": {"qdrant": {"memory": "2g"}}}, CATALOG, ["qdrant"]) == []
    assert workspace_stack_problems({}, CATALOG, []) == []
    assert workspace_stack_problems({"workspace_stack_settings": "qdrant"}, CATALOG, ["qdrant"]) == [
        "workspace_stack_settings: must map service names to values, got 'qdrant'"]
    with pytest.raises(AnsibleFilterError, match="local must be the list"):
        workspace_stack_problems({}, CATALOG, "qdrant")


def test_service_settings_of_one_entry():
    assert service_settings_problems({"timezone": "UTC"}, BY_NAME["n8n"], variable="compose_service_settings") == []
    assert service_settings_problems(None, BY_NAME["n8n"]) == []
    problems = service_settings_problems({"timezon": "UTC"}, BY_NAME["n8n"], variable="compose_service_settings (n8n)")
    assert len(problems) == 1 and problems[0].startswith("compose_service_settings (n8n): unknown setting 'timezon'")
    assert service_settings_problems(["timezone"], BY_NAME["n8n"], variable="x") == [
        "x: must map setting names to values, got ['timezone']"]
    with pytest.raises(AnsibleFilterError, match="entry must be a catalog entry"):
        service_settings_problems({}, {"settings": {}})


def test_every_data_filter_is_offered_and_documented():
    from pathlib import Path
    from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import FilterModule
    import yaml
    names = FilterModule().filters()
    assert sorted(names) == sorted(["ollama_settings_problems", "central_services_problems", "workspace_stack_problems",
                                    "service_settings_problems", "ceph_cluster_problems", "ceph_client_problems",
                                    "dns_client_problems", "service_firewall_problems", "workspace_desktop_problems"])
    directory = Path(__file__).resolve().parents[4] / "plugins" / "filter"
    for name in names:
        documentation = yaml.safe_load((directory / (name + ".yml")).read_text())["DOCUMENTATION"]
        assert documentation["name"] == name


def test_the_central_filter_gives_the_validation_functions_result():
    values = {"central_services_enabled": ["n8n", "qdrnat"], "central_services_absent": ["n8n"]}
    assert central(**values) == service_settings.central_services_problems(
        BY_NAME, values["central_services_enabled"], values["central_services_absent"], None, None)
