# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway's nginx.conf: one server per internal name with the internal CA's certificate,
one more per public name with its ACME certificate, and the HTTP-01 challenges on port 80."""

from __future__ import annotations

import re
from pathlib import Path

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import resolve

TEMPLATE = Path(__file__).resolve().parents[3] / "catalog" / "templates" / "gateway" / "nginx.conf.j2"
ROUTE = {"service": "n8n", "fqdn": "n8n.localai.internal", "path": "/", "upstreams": ["10.0.1.10:5678"],
         "websocket": True, "max_body_size": "64m", "read_timeout": 300}


def render(public_names):
    settings = dict(resolve(["gateway"])[0]["settings"], front_routes=[ROUTE], public_names=public_names)
    variables = {"settings": settings, "compose_service_fqdn": "llm.localai.internal", "ansible_managed": "managed"}
    templar = Templar(DataLoader(), variables=variables)
    return templar.template(trust_as_template(TEMPLATE.read_text()))


def servers(text):
    """server_name -> the certificate file of each TLS server."""
    blocks = re.findall(r"listen 443 ssl;.*?server_name (\S+);.*?ssl_certificate\s+(\S+);", text, re.S)
    return dict((name, certificate) for name, certificate in blocks)


def test_internal_names_only_without_public_names():
    text = render({})
    assert servers(text) == {"llm.localai.internal": "/etc/nginx/tls/gateway-fullchain.crt",
                             "n8n.localai.internal": "/etc/nginx/tls/gateway-fullchain.crt"}
    assert "location /.well-known/acme-challenge/ {\n        root /etc/nginx/tls/acme;" in text


def test_each_public_name_is_one_more_server_with_its_own_certificate():
    text = render({"gateway": "llm.acme.example", "n8n": "flows.acme.example"})
    assert servers(text) == {
        "llm.localai.internal": "/etc/nginx/tls/gateway-fullchain.crt",
        "llm.acme.example": "/etc/nginx/tls/public-llm.acme.example-fullchain.crt",
        "n8n.localai.internal": "/etc/nginx/tls/gateway-fullchain.crt",
        "flows.acme.example": "/etc/nginx/tls/public-flows.acme.example-fullchain.crt",
    }
    assert "ssl_certificate_key /etc/nginx/tls/public-flows.acme.example.key;" in text
    # The public n8n server passes to the same upstream as the internal one.
    flows = text[text.index("server_name flows.acme.example;"):]
    assert "proxy_pass http://front_n8n;" in flows[:flows.index("\n}\n")]
    assert text.count("upstream front_n8n {") == 1
