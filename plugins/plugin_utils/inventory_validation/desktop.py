# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules on a workspace desktop's data (role ``workspace_desktop``): the user is a person's Linux
login, the password (when the inventory gives one instead of the generated secret) is long enough
and one line, the RDP port is a port, and a TLS certificate comes with its key.

The role runs the same function on its final values (filter ``workspace_desktop_problems``); it
adds only what needs the host (its addresses)."""

from __future__ import annotations

from ansible_collections.foundrycloud.platform.plugins.module_utils.placement import login_problem
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import MISSING

VARIABLES = ("workspace_desktop_user", "workspace_desktop_password", "workspace_desktop_password_min_length",
             "workspace_desktop_rdp_port", "workspace_desktop_tls_certificate", "workspace_desktop_tls_key")


def desktop_problems(values) -> list[str]:
    """values: the role's variables by name; a missing one is not judged (offline, the user and
    password usually come from the placement and the secrets file at run time)."""
    problems: list[str] = []
    user = values.get("workspace_desktop_user", MISSING)
    if user is not MISSING:
        login = login_problem(user)
        if login:
            problems.append("workspace_desktop_user: " + login)
    password = values.get("workspace_desktop_password", MISSING)
    minimum = values.get("workspace_desktop_password_min_length", 12)
    if password is not MISSING:
        if not isinstance(password, str) or not password:
            problems.append("workspace_desktop_password: not set (the workspace_stack role passes the secret "
                            "desktop_password of namespace workspace-<user> from the platform_secret lookup)")
        elif isinstance(minimum, int) and len(password) < minimum:
            problems.append("workspace_desktop_password: shorter than workspace_desktop_password_min_length (%d characters)"
                            % minimum)
        elif "\n" in password or "\r" in password:
            problems.append("workspace_desktop_password: must be one line")
    port = values.get("workspace_desktop_rdp_port", MISSING)
    if port is not MISSING and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536):
        problems.append("workspace_desktop_rdp_port: must be a TCP port (1-65535), got %r" % (port,))
    certificate = values.get("workspace_desktop_tls_certificate", MISSING)
    key = values.get("workspace_desktop_tls_key", MISSING)
    if MISSING not in (certificate, key) and bool(certificate) != bool(key):
        problems.append("workspace_desktop_tls_certificate: goes with workspace_desktop_tls_key: set both or neither")
    return problems


def check_workspace_desktop(ctx) -> list[str]:
    """The values the inventory sets for hosts that run the desktop role (the role's defaults are
    right, and the user and password come from the placement and secrets at run time)."""
    errors = []
    for host in ctx.role_hosts.get("workspace_desktop", []):
        values = dict((name, ctx.vars.get(host, name, MISSING)) for name in VARIABLES)
        values = dict((name, value) for name, value in values.items() if value is not MISSING)
        if "workspace_desktop_tls_certificate" in values or "workspace_desktop_tls_key" in values:
            values.setdefault("workspace_desktop_tls_certificate", "")
            values.setdefault("workspace_desktop_tls_key", "")
        errors.extend("host %s: %s" % (host, problem) for problem in desktop_problems(values))
    return errors
