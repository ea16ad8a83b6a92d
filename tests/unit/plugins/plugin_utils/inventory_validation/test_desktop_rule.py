# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desktop rule (inventory_validation/desktop.py) and the role's filter over the same function."""

from __future__ import annotations

import pytest

from ansible_collections.foundrycloud.platform.plugins.filter.data_problems import workspace_desktop_problems
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.desktop import (
    check_workspace_desktop,
)
from rule_context import make_context

GOOD = {"workspace_desktop_user": "alice", "workspace_desktop_password": "x" * 24,
        "workspace_desktop_password_min_length": 12, "workspace_desktop_rdp_port": 3389,
        "workspace_desktop_tls_certificate": "", "workspace_desktop_tls_key": ""}


def rule(**values):
    return check_workspace_desktop(make_context({"ws-1": values, "gpu-1": {"workspace_desktop_user": "root"}},
                                                role_hosts={"workspace_desktop": ["ws-1"]}))


def test_the_role_values_that_pass():
    assert workspace_desktop_problems(GOOD) == []
    assert workspace_desktop_problems(dict(GOOD, workspace_desktop_tls_certificate="/c.pem", workspace_desktop_tls_key="/k.pem")) == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"workspace_desktop_user": "Root Admin"}, "workspace_desktop_user: 'Root Admin' is not a valid login name"),
    ({"workspace_desktop_user": "1alice"}, "workspace_desktop_user: '1alice' is not a valid login name"),
    ({"workspace_desktop_user": "root"}, "workspace_desktop_user: 'root' is a system account"),
    ({"workspace_desktop_user": "xrdp"}, "workspace_desktop_user: 'xrdp' is a system account"),
    ({"workspace_desktop_password": ""}, "workspace_desktop_password: not set"),
    ({"workspace_desktop_password": "short"}, "workspace_desktop_password: shorter than workspace_desktop_password_min_length (12"),
    ({"workspace_desktop_password": "a" * 20 + "\nb"}, "workspace_desktop_password: must be one line"),
    ({"workspace_desktop_rdp_port": 0}, "workspace_desktop_rdp_port: must be a TCP port (1-65535), got 0"),
    ({"workspace_desktop_rdp_port": 70000}, "workspace_desktop_rdp_port: must be a TCP port (1-65535), got 70000"),
    ({"workspace_desktop_tls_certificate": "/c.pem"}, "workspace_desktop_tls_certificate: goes with workspace_desktop_tls_key"),
    ({"workspace_desktop_tls_key": "/k.pem"}, "workspace_desktop_tls_certificate: goes with workspace_desktop_tls_key"),
])
def test_each_problem_is_named(change, problem):
    problems = workspace_desktop_problems(dict(GOOD, **change))
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_the_password_never_appears_in_a_problem():
    assert "hunter2" not in " ".join(workspace_desktop_problems(dict(GOOD, workspace_desktop_password="hunter2")))


def test_validation_judges_only_what_the_inventory_sets():
    # user and password come from the placement and the secrets file at run time: not set, not judged
    assert rule() == []
    assert rule(workspace_desktop_rdp_port=3390) == []
    assert rule(workspace_desktop_user="backup") == [
        "host ws-1: workspace_desktop_user: 'backup' is a system account; a workspace user must be a person's own account"]
    assert rule(workspace_desktop_tls_key="/etc/k.pem") == [
        "host ws-1: workspace_desktop_tls_certificate: goes with workspace_desktop_tls_key: set both or neither"]
