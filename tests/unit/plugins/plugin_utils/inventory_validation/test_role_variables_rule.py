# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role variable rules (inventory_validation/role_variables.py): values against the role's
argument spec, required options, masked secrets, unknown role variables."""

from __future__ import annotations

import copy

import pytest

from inventory_cases import HOSTVARS, run, with_vars

# --------------------------------------------------------------------------------------
# Check 1: argument specs
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"webapp_port": "eighty"},
         "host app-1: webapp_port: argument 'webapp_port' is of type str and we were unable to convert to int"),
        ({"webapp_mode": "turbo"},
         "host app-1: webapp_mode: value of webapp_mode must be one of: fast, safe, got: turbo"),
        ({"webapp_listeners": [{"port": 80}]},
         "host app-1: webapp_listeners: missing required arguments: address found in webapp_listeners"),
        ({"webapp_listeners": [{"address": "::", "port": "http"}]},
         "host app-1: webapp_listeners: argument 'port' is of type str found in 'webapp_listeners'"),
        ({"webapp_listeners": [{"address": "::", "prot": 80}]},
         "host app-1: webapp_listeners: unsupported parameter webapp_listeners.prot. "
         "Supported parameters include: address, port."),
        ({"webapp_listeners": "0.0.0.0"},
         "host app-1: webapp_listeners: Elements value for option 'webapp_listeners' is of type str"),
        ({"webapp_enabled": "perhaps"},
         "host app-1: webapp_enabled: argument 'webapp_enabled' is of type str and we were unable to convert "
         "to bool"),
    ],
)
def test_argument_spec_errors_name_host_and_variable(platform, values, expected):
    result = run(platform, with_vars("app-1", **values))
    assert result["failed"] is True
    assert any(error.startswith(expected) for error in result["errors"]), result["errors"]
    assert len(result["errors"]) == 1, result["errors"]


def test_required_option_without_default_is_reported(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    del hostvars["app-2"]["webapp_port"]
    result = run(platform, hostvars)
    assert result["errors"] == [
        "host app-2: webapp_port: required by role webapp but not set (the role has no default)"
    ]


def test_required_option_with_role_default_is_not_reported(platform):
    # webapp_token is required but has a key in defaults/main.yml (a template, not evaluated)
    result = run(platform)
    assert not any("webapp_token" in error for error in result["errors"])


def test_no_log_values_are_masked(platform):
    result = run(platform, with_vars("app-1", webapp_pin="s3cr3t-value"))
    assert result["failed"]
    assert result["errors"][0].startswith("host app-1: webapp_pin: argument 'webapp_pin' is of type str")
    assert all("s3cr3t-value" not in error for error in result["errors"])
    assert "s3cr3t-value" not in result["msg"]


def test_hosts_that_do_not_run_the_role_are_not_checked(platform):
    # edge-1 sets webapp_port: "x" but only runs webapp_gateway; lab-1 is excluded from docker
    result = run(platform)
    assert not any(error.startswith(("host edge-1:", "host lab-1:")) for error in result["errors"])


def test_every_problem_on_every_host_is_reported_sorted(platform):
    hostvars = copy.deepcopy(HOSTVARS)
    hostvars["app-1"]["webapp_mode"] = "turbo"
    hostvars["app-2"]["webapp_mode"] = "turbo"
    del hostvars["app-2"]["webapp_port"]
    result = run(platform, hostvars)
    assert result["errors"] == sorted(result["errors"])
    assert [error.split(":")[0:2] for error in result["errors"]] == [
        ["host app-1", " webapp_mode"],
        ["host app-2", " webapp_mode"],
        ["host app-2", " webapp_port"],
    ]
    lines = result["msg"].splitlines()
    assert lines[0] == "inventory validation failed: 3 problem(s)"
    assert lines[1:] == result["errors"]


# --------------------------------------------------------------------------------------
# Check 2: unknown role variables
# --------------------------------------------------------------------------------------


def test_unknown_role_variable_is_reported(platform):
    result = run(platform, with_vars("app-2", webapp_prot=8080))
    assert result["errors"] == ["host app-2: webapp_prot: unknown variable for role webapp (typo?)"]


def test_unknown_variable_of_longer_role_is_reported_for_that_role(platform):
    result = run(platform, with_vars("edge-1", webapp_gateway_uri="https://gw"))
    assert result["errors"] == [
        "host edge-1: webapp_gateway_uri: unknown variable for role webapp_gateway (typo?)"
    ]


def test_role_variable_prefixes_that_are_not_typos(platform):
    # webapp_gateway_* on a webapp host: belongs to the longer role, not a webapp typo.
    # webapp_internal_cache: not in the spec but set in the role's defaults/main.yml.
    # webapp_prot on edge-1: edge-1 does not run webapp (group_vars/all may set it).
    hostvars = with_vars("app-1", webapp_gateway_anything=1, webapp_internal_cache="/tmp")
    hostvars["edge-1"]["webapp_prot"] = 1
    assert run(platform, hostvars)["errors"] == []
