# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guacamole's setting ``directory``: the customer's LDAP or OpenID Connect provider as data
(catalog/services/guacamole.yml). Refused when incomplete or with unknown fields, before any host
changes, so Guacamole never starts with half a directory (it would refuse every sign-in)."""

from __future__ import annotations

import re
from collections.abc import Mapping

HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
HTTPS_URL = re.compile(r"^https://[^/\s]+(/\S*)?$")
DN = re.compile(r"^[A-Za-z][A-Za-z0-9-]*=[^,]+(,\s*[A-Za-z][A-Za-z0-9-]*=[^,]+)*$")
ENCRYPTIONS = ("none", "ssl", "starttls")
FIELDS = {
    "ldap": {"required": ("hostname", "user_base_dn"),
             "optional": ("port", "encryption", "username_attribute", "search_bind_dn", "search_bind_password",
                          "user_search_filter", "group_base_dn", "group_name_attribute")},
    "openid": {"required": ("authorization_endpoint", "jwks_endpoint", "issuer", "client_id", "redirect_uri"),
               "optional": ("username_claim_type", "groups_claim_type", "scope")},
}


def directory_problems(directory, variable: str) -> list[str]:
    """What is wrong with one Guacamole's ``directory`` setting ({} or None: no directory)."""
    if directory in (None, {}):
        return []
    if not isinstance(directory, Mapping):
        return ["%s: must be a mapping with kind ldap or openid (or {} for none), got %r" % (variable, directory)]
    kind = directory.get("kind")
    if kind not in FIELDS:
        return ["%s.kind: must be ldap or openid, got %r" % (variable, kind)]
    fields = FIELDS[kind]
    problems = []
    unknown = sorted(set(directory) - {"kind"} - set(fields["required"]) - set(fields["optional"]))
    if unknown:
        problems.append("%s: unknown fields %s for kind %s (known: %s)"
                        % (variable, ", ".join(unknown), kind, ", ".join(fields["required"] + fields["optional"])))
    missing = [name for name in fields["required"] if directory.get(name) in (None, "")]
    if missing:
        problems.append("%s: kind %s needs %s" % (variable, kind, ", ".join(missing)))
    for name, value in sorted(directory.items()):
        if name == "port":
            continue
        if not isinstance(value, str):
            problems.append("%s.%s: must be a string, got %r" % (variable, name, value))
        elif "'" in value or "\n" in value:
            problems.append("%s.%s: may not contain a single quote or a line break" % (variable, name))
    problems.extend(_ldap_problems(directory, variable) if kind == "ldap" else _openid_problems(directory, variable))
    return problems


def _text(directory, name):
    value = directory.get(name)
    return value if isinstance(value, str) and value else None


def _ldap_problems(directory, variable):
    problems = []
    hostname = _text(directory, "hostname")
    if hostname and ("://" in hostname or not HOSTNAME.match(hostname)):
        problems.append("%s.hostname: %r must be a host name or address, without scheme or port (use port and "
                        "encryption)" % (variable, hostname))
    port = directory.get("port")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        problems.append("%s.port: must be a port number, got %r" % (variable, port))
    encryption = directory.get("encryption", "none")
    if encryption not in ENCRYPTIONS:
        problems.append("%s.encryption: must be one of %s, got %r" % (variable, ", ".join(ENCRYPTIONS), encryption))
    for name in ("user_base_dn", "search_bind_dn", "group_base_dn"):
        value = _text(directory, name)
        if value and not DN.match(value):
            problems.append("%s.%s: %r is not a distinguished name (e.g. ou=people,dc=example,dc=com)" % (variable, name, value))
    if bool(_text(directory, "search_bind_dn")) != bool(_text(directory, "search_bind_password")):
        problems.append("%s: search_bind_dn and search_bind_password go together (a search bind needs both; "
                        "the password from the vault)" % variable)
    search_filter = _text(directory, "user_search_filter")
    if search_filter and not (search_filter.startswith("(") and search_filter.endswith(")")):
        problems.append("%s.user_search_filter: %r must be an LDAP filter in parentheses" % (variable, search_filter))
    return problems


def _openid_problems(directory, variable):
    problems = []
    for name in ("authorization_endpoint", "jwks_endpoint", "issuer", "redirect_uri"):
        value = _text(directory, name)
        if value and not HTTPS_URL.match(value):
            problems.append("%s.%s: %r must be an https URL" % (variable, name, value))
    scope = _text(directory, "scope")
    if scope and "openid" not in scope.split():
        problems.append("%s.scope: %r must include openid" % (variable, scope))
    return problems
