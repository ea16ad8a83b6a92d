# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Guacamole module tests share: a fake clock for TOTP and the double on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import GuacamoleClient
from ollama_http_fixtures import _PROXY_VARIABLES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doubles"))
import guacamole_server  # noqa: E402  pylint: disable=wrong-import-position


class FakeClock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def install_fake_clock(monkeypatch, tmp_path, now=1_800_000_000.0):
    """The client's clock and TOTP waits on a fake clock; the TOTP ledger in tmp_path."""
    fake = FakeClock(now)
    monkeypatch.setattr(GuacamoleClient, "clock", staticmethod(fake.time))
    monkeypatch.setattr(GuacamoleClient, "totp_sleep", staticmethod(fake.sleep))
    monkeypatch.setattr(GuacamoleClient, "sleep", staticmethod(lambda _s: None))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return fake


def serve_double(monkeypatch, clock, **settings):
    """The Guacamole double in this process, on the fake clock, reached without proxies."""
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    server, _thread = guacamole_server.serve(**settings)
    server.app.clock = clock.time
    return server
