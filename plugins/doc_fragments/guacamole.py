# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection and login options shared by the Guacamole modules (GUACAMOLE_COMMON_ARGS in
    # module_utils/guacamole.py; the HTTP ones are those of module_utils/http_api.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Guacamole web application, including its context path (C(/guacamole) in the
        C(guacamole/guacamole) image unless C(WEBAPP_CONTEXT) changes it), without C(/api).
      - The module runs on the target host, so the default reaches a Guacamole published on that host.
    type: str
    default: http://127.0.0.1:8080/guacamole
  username:
    description:
      - The Guacamole user to log in as. It needs the right to administer connections.
    type: str
    default: guacadmin
  password:
    description:
      - The password of O(username).
      - Required unless O(auth_token) is given. Both may be given (for example from the same vars or
        C(module_defaults)); then O(auth_token) is used and the password only when the token turns out to be invalid or
        expired.
    type: str
  totp_secret:
    description:
      - The TOTP key of O(username), base32 as Guacamole keeps it in the user attribute C(guac-totp-key-secret).
      - Needed when the web application has TOTP enabled (C(TOTP_ENABLED=true)). The module sends the RFC 6238 code
        (SHA-1, 6 digits, 30 s) computed from it with the login.
      - Guacamole accepts each code only once per user. A login that would reuse the code of a time step this host
        already spent waits for the next step (up to 30 s); the steps spent are kept in
        C(~/.cache/foundrycloud.platform/guacamole-totp-steps.json) on the target host (no secret in it).
    type: str
  auth_token:
    description:
      - A Guacamole authentication token, the RV(foundrycloud.platform.guacamole_token#module:token) that
        M(foundrycloud.platform.guacamole_token) returns.
      - When given, the module uses this session and does not log in, so it spends no TOTP code and does not wait for
        one. It does not log this session out either; end it with M(foundrycloud.platform.guacamole_token) and
        O(foundrycloud.platform.guacamole_token#module:state=absent).
      - O(auth_token) wins over O(password) when both are given. Before using the token the module asks Guacamole
        whether it is still valid (C(HEAD /api/session)). If it is not (expired after C(API_SESSION_TIMEOUT) minutes
        without use, 60 by default, logged out, or Guacamole restarted), the module logs in with O(username),
        O(password) and O(totp_secret) instead and warns; without O(password) the task fails and says the token is
        invalid or expired.
      - The session acts as the user the token was issued to; O(username) is then only used for that fallback login.
    type: str
  data_source:
    description:
      - The Guacamole data source (authentication extension) that holds users and connections.
    type: str
    default: postgresql
notes:
  - Each login with TOTP enabled needs a code of its own, so tasks that log in one after the other wait up to 30 s each.
    To run many tasks (a loop over connections), log in once with M(foundrycloud.platform.guacamole_token), pass its
    token as O(auth_token) (for example through C(module_defaults) of the C(group/foundrycloud.platform.guacamole)
    action group) and log out at the end.
  - Guacamole bans an address for 300 s after 5 failed logins (the brute-force protection enabled by default in the
    C(guacamole/guacamole) image); a wrong password or a refused TOTP code counts as a failed login.
"""
