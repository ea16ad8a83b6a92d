# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guacamole_token
short_description: Log in to Apache Guacamole once and get a token for the other Guacamole modules, or log it out
description:
  - With O(state=present), logs in to Apache Guacamole with O(username), O(password) and, when TOTP is enabled, a code
    computed from O(totp_secret), and returns the session's token as RV(token). Pass it to the other Guacamole
    modules as O(foundrycloud.platform.guacamole_connection#module:auth_token) so they work in this session instead of
    logging in themselves.
  - That matters with TOTP. Guacamole accepts each code only once, so every login needs a 30 s time step of its own,
    and a loop of N tasks that each log in takes about N times 30 s. With one token, the loop logs in once.
  - With O(state=absent), logs out the session of O(auth_token) (C(DELETE /api/session)).
  - "The token is returned in clear so that it can be registered and used. Give the task C(no_log: true), and the
    tasks that log it out too, so that it does not appear in the output or logs."
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  state:
    description:
      - V(present) logs in and returns a new token. It always logs in; O(auth_token) is not used then.
      - V(absent) logs out the session of O(auth_token). A token Guacamole no longer knows (expired, already logged out)
        is not an error; the task then reports no change.
    type: str
    choices: [present, absent]
    default: present
  password:
    description:
      - The password of O(username). Required with O(state=present).
  auth_token:
    description:
      - With O(state=absent), the token to log out (RV(token) of an earlier O(state=present) task). Required then.
      - Ignored with O(state=present).
extends_documentation_fragment:
  - foundrycloud.platform.guacamole
  - foundrycloud.platform.http_api
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - With O(state=present) the module logs in in check mode too (a login changes no data, and later tasks in check
        mode need the token to read). With O(state=absent) it only checks whether the token is still valid.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Guacamole ends a session after C(API_SESSION_TIMEOUT) minutes (60 by default) without a request, and when it
    restarts. The other modules check the token first; when it is no longer valid they log in with O(password) if they
    have it (and warn), and fail otherwise.
  - The session belongs to O(username) and has its permissions.
  - Log the token out when the work is done (an C(always) section of a block), so it cannot be used afterwards.
seealso:
  - module: foundrycloud.platform.guacamole_connection
  - module: foundrycloud.platform.guacamole_user
"""

EXAMPLES = r"""
- name: Manage many connections with one login
  vars:
    guacamole_url: https://guacamole.lab.internal/guacamole
  block:
    - name: Log in to Guacamole
      foundrycloud.platform.guacamole_token:
        url: "{{ guacamole_url }}"
        password: "{{ vault_guacadmin_password }}"
        totp_secret: "{{ vault_guacadmin_totp_secret }}"
      register: guacamole_login
      no_log: true

    - name: Workspace connections, all in the session of that login
      module_defaults:
        group/foundrycloud.platform.guacamole:
          url: "{{ guacamole_url }}"
          auth_token: "{{ guacamole_login.token }}"
      foundrycloud.platform.guacamole_connection:
        name: "{{ item.name }}"
        protocol: rdp
        parameters:
          hostname: "{{ item.host }}"
          port: 3389
      loop: "{{ workspaces }}"
  always:
    - name: Log out of Guacamole
      foundrycloud.platform.guacamole_token:
        url: "{{ guacamole_url }}"
        auth_token: "{{ guacamole_login.token }}"
        state: absent
      no_log: true
      when: guacamole_login.token is defined
"""

RETURN = r"""
token:
  description:
    - The authentication token (C(authToken)) of the new session. Pass it as
      O(foundrycloud.platform.guacamole_connection#module:auth_token).
    - "It grants everything O(username) may do until it is logged out or expires. Register it only in tasks with
      C(no_log: true)."
  returned: when O(state=present)
  type: str
  sample: 0F7C3E2A9B1D4C6E8F0A2B4C6D8E0F1A3B5C7D9E1F3A5B7C9D1E3F5A7B9C1D3E
data_source:
  description: The data source the token is used with (O(data_source)); Guacamole offers it to this user.
  returned: when O(state=present)
  type: str
  sample: postgresql
username:
  description: The user the session belongs to, as Guacamole names it.
  returned: when O(state=present)
  type: str
  sample: guacadmin
action:
  description:
    - V(logged_in) (O(state=present)), V(logged_out), or V(already_logged_out) when Guacamole no longer knew the token.
    - In check mode with O(state=absent), what would happen.
  returned: always
  type: str
  sample: logged_in
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import (
    GuacamoleError,
    client_from_params,
    failure_message,
    guacamole_argument_spec,
)


def present(module, client):
    params = module.params
    result = client.authenticate(params["username"], params["password"], params["totp_secret"])
    # The token must stay usable in the registered result, so it is not added to
    # module.no_log_values (that would print it as ********); the task's no_log hides it.
    return dict(changed=False, action="logged_in", token=client.token, data_source=client.data_source,
                username=result.get("username") or client.username or params["username"])


def absent(module, client):
    token = module.params["auth_token"]
    if module.check_mode:
        valid = client.token_valid(token)
        if valid is False:
            return dict(changed=False, action="already_logged_out")
        return dict(changed=True, action="logged_out")
    if client.revoke(token):
        return dict(changed=True, action="logged_out")
    return dict(changed=False, action="already_logged_out")


def main():
    module = AnsibleModule(
        argument_spec=guacamole_argument_spec(
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        required_if=[
            ("state", "present", ("password",)),
            ("state", "absent", ("auth_token",)),
        ],
        supports_check_mode=True,
    )
    url = module.params["url"]
    state = module.params["state"]
    if state == "absent" and not module.params["auth_token"]:
        module.fail_json(msg="auth_token must not be empty with state=absent", url=url)
    if state == "present" and module.params["password"] is None:
        module.fail_json(msg="password is needed to log in to Guacamole at %s (state=present)" % url, url=url)
    try:
        client = client_from_params(module.params)
        result = present(module, client) if state == "present" else absent(module, client)
    except GuacamoleError as exc:
        what = "log in to" if state == "present" else "log out of"
        message = failure_message(exc, url)
        if not message.startswith(what):
            message = "%s Guacamole: %s" % (what, message)
        module.fail_json(msg=message, url=url)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
