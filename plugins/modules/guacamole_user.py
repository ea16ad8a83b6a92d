# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guacamole_user
short_description: Make sure a Guacamole user logs in with a given password (rotate it if needed)
description:
  - Makes sure O(username) can log in to Apache Guacamole with O(new_password).
  - If a login with O(new_password) works, nothing is changed. Otherwise the module logs in with O(password) (the
    current one) and changes the password to O(new_password) through the REST API, as the user would on the
    Guacamole settings page. If neither password works, the task fails.
  - This is how an operator rotates a password on purpose, and how an install that still has the upstream default
    C(guacadmin)/C(guacadmin) is taken over (O(password=guacadmin)).
  - With TOTP enabled, both logins send a code computed from O(totp_secret). A wrong password does not spend the
    code; Guacamole checks the password first.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  username:
    description:
      - The user whose password is ensured; the module logs in as this user.
    type: str
    default: guacadmin
  new_password:
    description:
      - The password the user must have after the task.
    type: str
    required: true
  password:
    description:
      - The current password, used only when O(new_password) does not work yet.
      - Without it, a user whose password is not O(new_password) makes the task fail.
    type: str
    required: false
    aliases: [current_password]
  auth_token:
    description:
      - Accepted so that C(module_defaults) of the C(group/foundrycloud.platform.guacamole) action group can set it, but
        not used. This module checks passwords, which only a login with them can do.
    type: str
extends_documentation_fragment:
  - foundrycloud.platform.guacamole
  - foundrycloud.platform.http_api
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module logs in (and out) to find out which password works, but changes nothing.
  diff_mode:
    support: full
    details:
      - The diff says which of the passwords the user logs in with, before and after; never the passwords.
  platform:
    platforms: posix
notes:
  - A first run against a user whose password is still the old one counts one failed login (the attempt with
    O(new_password)) towards Guacamole's brute-force ban.
  - Guacamole checks the current password itself when it changes a password; the TOTP key of the user is kept.
seealso:
  - module: foundrycloud.platform.guacamole_connection
"""

EXAMPLES = r"""
- name: Take over a fresh install that still has guacadmin/guacadmin
  foundrycloud.platform.guacamole_user:
    username: guacadmin
    password: guacadmin
    new_password: "{{ vault_guacadmin_password }}"

- name: Rotate the admin password (the new one goes into the vault first, the old one is still known)
  foundrycloud.platform.guacamole_user:
    current_password: "{{ vault_guacadmin_password_previous }}"
    new_password: "{{ vault_guacadmin_password }}"
    totp_secret: "{{ vault_guacadmin_totp_secret }}"
    url: https://guacamole.lab.internal/guacamole
"""

RETURN = r"""
action:
  description:
    - V(unchanged) (O(new_password) already works) or V(password_changed) (in check mode, would be changed).
  returned: always
  type: str
  sample: password_changed
username:
  description: The user.
  returned: always
  type: str
  sample: guacadmin
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import (
    GuacamoleAuthError,
    GuacamoleError,
    GuacamoleHTTPError,
    client_from_params,
    failure_message,
    guacamole_argument_spec,
)


def try_login(client, username, password, totp_secret):
    """True if the login works, False for wrong credentials; other failures propagate."""
    try:
        client.authenticate(username, password, totp_secret)
    except GuacamoleAuthError as exc:
        if exc.reason == "invalid_credentials":
            return False
        raise
    return True


def diff(module, username, url, before, after):
    if not module._diff:
        return {}
    header = "password of Guacamole user %s at %s" % (username, url)
    return dict(diff=dict(before=dict(logs_in_with=before), after=dict(logs_in_with=after),
                          before_header=header, after_header=header))


def run(module, client):
    params = module.params
    username = params["username"]
    new_password = params["new_password"]
    current_password = params["password"]
    totp_secret = params["totp_secret"]
    url = params["url"]
    try:
        if try_login(client, username, new_password, totp_secret):
            return dict(changed=False, action="unchanged", username=username,
                        **diff(module, username, url, "new_password", "new_password"))
    finally:
        client.logout()
    if current_password is None:
        raise GuacamoleError("user %s cannot log in to Guacamole at %s with new_password, and no current password "
                             "(password) was given to change it with" % (username, url))
    try:
        if not try_login(client, username, current_password, totp_secret):
            raise GuacamoleError("user %s cannot log in to Guacamole at %s with new_password nor with the current "
                                 "password given; the password was not changed" % (username, url))
        if not module.check_mode and current_password != new_password:
            try:
                client.change_password(username, current_password, new_password)
            except GuacamoleHTTPError as exc:
                if exc.status == 403:
                    exc.message += " (the user may lack the permission to change its own password)"
                raise
    finally:
        client.logout()
    return dict(changed=True, action="password_changed", username=username,
                **diff(module, username, url, "password (current)", "new_password"))


def main():
    spec = guacamole_argument_spec(
        new_password=dict(type="str", required=True, no_log=True),
    )
    spec["password"] = dict(type="str", no_log=True, aliases=["current_password"])
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    url = module.params["url"]
    username = module.params["username"]
    if not module.params["new_password"]:
        module.fail_json(msg="new_password must not be empty", url=url, username=username)
    try:
        client = client_from_params(module.params)
        result = run(module, client)
    except GuacamoleError as exc:
        module.fail_json(msg=failure_message(exc, url), url=url, username=username)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
