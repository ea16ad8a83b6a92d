# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guacamole's directory setting: the validation's rules and the env file Guacamole reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.directory import directory_problems
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.service_settings import (
    central_services_problems,
)

VAR = "central_services_settings.guacamole.directory"
LDAP = {"kind": "ldap", "hostname": "dc1.acme.internal", "encryption": "starttls", "user_base_dn": "ou=people,dc=acme,dc=internal",
        "search_bind_dn": "cn=guacamole,ou=services,dc=acme,dc=internal", "search_bind_password": "s3cret from vault"}
OPENID = {"kind": "openid", "authorization_endpoint": "https://sso.acme.internal/realms/acme/protocol/openid-connect/auth",
          "jwks_endpoint": "https://sso.acme.internal/realms/acme/protocol/openid-connect/certs",
          "issuer": "https://sso.acme.internal/realms/acme", "client_id": "guacamole",
          "redirect_uri": "https://guacamole.localai.internal/guacamole/"}
TEMPLATE = Path(__file__).resolve().parents[5] / "catalog" / "templates" / "guacamole" / "directory.env.j2"


def render(directory):
    templar = Templar(DataLoader(), variables={"settings": {"directory": directory}, "ansible_managed": "managed"})
    text = templar.template(trust_as_template(TEMPLATE.read_text()))
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_complete_directories_and_none_are_accepted():
    for directory in (LDAP, OPENID, {}, None, dict(LDAP, port=636, encryption="ssl", user_search_filter="(objectClass=person)")):
        assert directory_problems(directory, VAR) == []


@pytest.mark.parametrize("directory, problem", [
    ({"kind": "ad"}, "central_services_settings.guacamole.directory.kind: must be ldap or openid, got 'ad'"),
    ("ldap://dc1", "central_services_settings.guacamole.directory: must be a mapping with kind ldap or openid (or {} for none), got 'ldap://dc1'"),
    ({"kind": "ldap", "hostname": "dc1"}, f"{VAR}: kind ldap needs user_base_dn"),
    (dict(LDAP, hostname="ldaps://dc1:636"), f"{VAR}.hostname: 'ldaps://dc1:636' must be a host name or address, without scheme or port"),
    (dict(LDAP, port="389"), f"{VAR}.port: must be a port number, got '389'"),
    (dict(LDAP, encryption="tls"), f"{VAR}.encryption: must be one of none, ssl, starttls, got 'tls'"),
    (dict(LDAP, user_base_dn="people"), f"{VAR}.user_base_dn: 'people' is not a distinguished name"),
    (dict(LDAP, search_bind_password=""), f"{VAR}: search_bind_dn and search_bind_password go together"),
    (dict(LDAP, search_bind_password="it's"), f"{VAR}.search_bind_password: may not contain a single quote or a line break"),
    (dict(LDAP, user_search_filter="objectClass=person"), f"{VAR}.user_search_filter: 'objectClass=person' must be an LDAP filter"),
    (dict(LDAP, client_id="x"), f"{VAR}: unknown fields client_id for kind ldap"),
    ({"kind": "openid", "client_id": "guacamole"}, f"{VAR}: kind openid needs authorization_endpoint, jwks_endpoint, issuer, redirect_uri"),
    (dict(OPENID, issuer="http://sso.acme.internal/realms/acme"), f"{VAR}.issuer: 'http://sso.acme.internal/realms/acme' must be an https URL"),
    (dict(OPENID, scope="email profile"), f"{VAR}.scope: 'email profile' must include openid"),
    (dict(OPENID, client_id=7), f"{VAR}.client_id: must be a string, got 7"),
])
def test_an_incomplete_or_wrong_directory_is_refused_naming_the_field(directory, problem):
    assert any(found.startswith(problem) for found in directory_problems(directory, VAR)), directory_problems(directory, VAR)


def test_the_central_services_check_refuses_it_before_any_host_changes():
    catalog = dict((entry["name"], entry) for entry in resolve(["guacamole", "n8n"]))
    problems = central_services_problems(catalog, ["guacamole"], [], {"guacamole": {"directory": {"kind": "ldap"}}}, {})
    assert problems == [f"{VAR}: kind ldap needs hostname, user_base_dn"]
    assert central_services_problems(catalog, ["guacamole"], [], {"guacamole": {"directory": LDAP}}, {}) == []


def test_guacamole_reads_only_the_variables_of_its_directory():
    assert render({}) == [] and render(None) == []
    assert render(LDAP) == [
        "LDAP_HOSTNAME='dc1.acme.internal'", "LDAP_PORT='389'", "LDAP_ENCRYPTION_METHOD='starttls'",
        "LDAP_USER_BASE_DN='ou=people,dc=acme,dc=internal'", "LDAP_USERNAME_ATTRIBUTE='uid'",
        "LDAP_SEARCH_BIND_DN='cn=guacamole,ou=services,dc=acme,dc=internal'", "LDAP_SEARCH_BIND_PASSWORD='s3cret from vault'"]
    assert "LDAP_PORT='636'" in render(dict(LDAP, encryption="ssl"))
    assert render(OPENID) == [
        "OPENID_AUTHORIZATION_ENDPOINT='https://sso.acme.internal/realms/acme/protocol/openid-connect/auth'",
        "OPENID_JWKS_ENDPOINT='https://sso.acme.internal/realms/acme/protocol/openid-connect/certs'",
        "OPENID_ISSUER='https://sso.acme.internal/realms/acme'", "OPENID_CLIENT_ID='guacamole'",
        "OPENID_REDIRECT_URI='https://guacamole.localai.internal/guacamole/'", "OPENID_USERNAME_CLAIM_TYPE='email'",
        "OPENID_SCOPE='openid email profile'"]
