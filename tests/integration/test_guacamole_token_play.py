# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real ansible-playbook run against the Guacamole double with TOTP on and the real clock: one
guacamole_token login, a loop of five guacamole_connection tasks that get the token through the
group's module_defaults, then a logout.

Without the token each of the five tasks logs in, and each login after the first waits for a TOTP
time step of its own (about 2 minutes for five). With it the play logs in once and finishes in a
few seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "doubles"))
import guacamole_server  # noqa: E402  pylint: disable=wrong-import-position

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN_PASSWORD = "Adm1n-pass"
PROXIES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")

PLAYBOOK = """\
- name: Workspace connections with one Guacamole login
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Guacamole work in one session
      block:
        - name: Log in once
          foundrycloud.platform.guacamole_token:
            url: "{{ guac_url }}"
            password: "{{ guac_password }}"
            totp_secret: "{{ guac_totp_secret }}"
          register: guac_login
          no_log: true

        - name: Five connections, no login each
          module_defaults:
            group/foundrycloud.platform.guacamole:
              url: "{{ guac_url }}"
              auth_token: "{{ guac_login.token }}"
              # From the same vars as the login, as plays do: auth_token wins.
              password: "{{ guac_password }}"
              totp_secret: "{{ guac_totp_secret }}"
          foundrycloud.platform.guacamole_connection:
            name: "ws-{{ item }}"
            protocol: rdp
            parameters:
              hostname: "10.0.0.{{ item }}"
              port: 3389
              password: "rdp-secret-{{ item }}"
          loop: [1, 2, 3, 4, 5]
      always:
        - name: Log out
          foundrycloud.platform.guacamole_token:
            url: "{{ guac_url }}"
            auth_token: "{{ guac_login.token }}"
            state: absent
          no_log: true
          when: guac_login.token is defined
"""


def ansible_playbook() -> str:
    candidate = Path(sys.executable).with_name("ansible-playbook")
    if not candidate.exists():
        pytest.skip("ansible-playbook not found next to %s" % sys.executable)
    return str(candidate)


@pytest.fixture
def guac(monkeypatch):
    """The double on the real clock, TOTP on, guacadmin with a password and a confirmed key."""
    for variable in PROXIES:
        monkeypatch.delenv(variable, raising=False)
    server, _thread = guacamole_server.serve(totp_enabled=True)
    server.app.store.set_password_plain("guacadmin", ADMIN_PASSWORD)
    server.app.store.set_user_attributes("guacadmin", {"guac-totp-key-secret": SECRET, "guac-totp-key-confirmed": "true"})
    yield server
    server.close()


def play(tmp_path, server):
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    (tmp_path / "vars.json").write_text(json.dumps(
        {"guac_url": server.url, "guac_password": ADMIN_PASSWORD, "guac_totp_secret": SECRET}))
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")
    env = dict(os.environ)
    for variable in PROXIES:
        env.pop(variable, None)
    env.update(
        ANSIBLE_CONFIG=str(tmp_path / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(REPO / "collections"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
        ANSIBLE_REMOTE_TEMP=str(tmp_path / "ansible-remote"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        XDG_CACHE_HOME=str(tmp_path / "cache"),  # the TOTP ledger starts empty
    )
    command = [ansible_playbook(), "-v", "-i", "localhost,", "-c", "local",
               "-e", "ansible_python_interpreter=%s" % sys.executable,
               "-e", "@%s" % (tmp_path / "vars.json"), str(tmp_path / "play.yml")]
    started = time.monotonic()
    completed = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    return time.monotonic() - started, completed.returncode, completed.stdout + completed.stderr


def test_five_connection_tasks_with_one_token_take_seconds_not_minutes(tmp_path, guac):
    elapsed, returncode, output = play(tmp_path, guac)
    assert returncode == 0, output
    # One login for the whole play: the TOTP code of one step, no waiting for the next.
    assert len(guac.app.requests_to("POST", "/api/tokens")) == 1, output
    connections = sorted(c["name"] for c in guac.app.store.list_connections())
    assert connections == ["ws-1", "ws-2", "ws-3", "ws-4", "ws-5"]
    # Every connection task checked the token once and ended no session; the logout task ended it.
    tokens = {r["token"] for r in guac.app.requests if r["path"].startswith("/api/session")}
    assert len(tokens) == 1
    token = tokens.pop()
    assert len(guac.app.requests_to("HEAD", "/api/session")) == 5
    assert [r["token"] for r in guac.app.requests_to("DELETE", "/api/session")] == [token]
    assert guac.app.sessions == {}
    assert guac.app.failures == {}
    # Neither the token nor the secrets show up in the play's output.
    for secret in (token, ADMIN_PASSWORD, SECRET, "rdp-secret-1"):
        assert secret not in output
    assert "ok=3" in output and "changed=2" in output and "failed=0" in output, output
    # Five logins would wait for four further TOTP steps (about 2 minutes); one token: seconds.
    # The span from the login to the last connection request leaves out ansible's start-up.
    login = guac.app.requests_to("POST", "/api/tokens")[0]["at"]
    last = max(r["at"] for r in guac.app.requests if r["path"].startswith("/api/session/data/"))
    print("\nplay with one token and 5 connection tasks: %.1f s in all, %.1f s from the login to the last "
          "connection request" % (elapsed, last - login))
    assert last - login < 15, "login to last connection request took %.1f s:\n%s" % (last - login, output)
    assert elapsed < 30, "the play took %.1f s:\n%s" % (elapsed, output)
