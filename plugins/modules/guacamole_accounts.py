# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guacamole_accounts
short_description: The Guacamole accounts of a list of users, each allowed to open its own connections only
description:
  - Makes the accounts of Apache Guacamole that a platform manages match a list, in one session. Every account of
    O(accounts) exists, has the given attributes (full name, e-mail, ...), is a member of the user group O(group) and
    may use (permission C(READ)) exactly the connections it lists, by name.
  - O(group) marks the accounts this module manages; it is created when it is missing. With O(prune=true), members of
    that group that are not in O(accounts) are deleted, so a user who leaves the list loses the account. Accounts
    outside the group are never deleted, and neither is the user the module is logged in as.
  - The connection permissions of a listed account are made exactly C(READ) on its own connections. Any other
    permission it has on a connection (C(READ) on someone else's, or C(UPDATE), C(DELETE), C(ADMINISTER)) is
    removed. Other permissions (system permissions, connection groups, users) are not touched.
  - "Passwords: Guacamole never shows a password or its hash, so the module cannot tell whether the password of an
    existing account is still the one given. It sets O(accounts[].password) when it creates an account and when it
    takes over an account that exists but is not a member of O(group) yet. With O(update_password=always) it sets
    it again on every run (a rotation) and reports a change for each account that has a password. The alternative, a
    login as the user to test the password, was not chosen: each refused login counts towards Guacamole's brute-force
    ban of the address the automation logs in from, and with TOTP enabled such a login makes Guacamole generate and
    store a TOTP key for a user who has not enrolled yet."
  - Users enrol for TOTP themselves at their first login when the web application has TOTP enabled; the module
    neither sets nor reads TOTP keys.
  - Talks to the Guacamole REST API (tested against a protocol double of Guacamole 1.6 with the PostgreSQL data
    source). Given O(auth_token) (from M(foundrycloud.platform.guacamole_token)), it works in that session and leaves
    it open. Otherwise it logs in with O(username), O(password) and, when TOTP is enabled, a code computed from
    O(totp_secret), and logs out afterwards. The session's user needs the system permission C(ADMINISTER).
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  accounts:
    description:
      - The accounts that must exist, the whole list. An empty list with O(prune=true) deletes every member of
        O(group).
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description:
          - The Guacamole user name. Unique in the list; not the user the module logs in as.
        type: str
        required: true
      password:
        description:
          - The account's password. Required for an account that has to be created or taken over.
          - Set only as O(update_password) says; never returned or shown in a diff.
        type: str
      connections:
        description:
          - Names of the connections the account may open (C(READ)). Each name must match exactly one connection
            of Guacamole (in any connection group).
        type: list
        elements: str
        default: []
      attributes:
        description:
          - User attributes to set, as Guacamole names them. Only the attributes given are managed; the others keep
            their value.
          - Known names are C(guac-full-name), C(guac-email-address), C(guac-organization),
            C(guac-organizational-role), C(timezone), C(disabled), C(expired) (booleans), C(valid-from),
            C(valid-until) (V(YYYY-MM-DD)) and C(access-window-start), C(access-window-end) (V(HH:MM:SS)). Guacamole
            silently drops other names, so the module refuses them.
          - V(null) or an empty value clears an attribute.
        type: dict
        default: {}
  group:
    description:
      - The user group whose members are the accounts this module manages. Created when missing.
    type: str
    default: foundrycloud-workspace-users
  prune:
    description:
      - Delete the members of O(group) that are not in O(accounts).
      - A member with the system permission C(ADMINISTER) and the user the module is logged in as are never deleted;
        the module warns about such a member instead.
    type: bool
    default: false
  update_password:
    description:
      - V(on_create) sets the password of an account when the module creates it or takes it over (it exists but is
        not a member of O(group) yet). V(always) sets it on every run, to roll out passwords changed in the vault;
        every account with a password then counts as changed.
    type: str
    choices: [on_create, always]
    default: on_create
extends_documentation_fragment:
  - foundrycloud.platform.guacamole
  - foundrycloud.platform.http_api
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module logs in and reads, but creates, changes and deletes nothing. A connection that does not exist yet
        (it would be created by an earlier task in check mode) is reported as a permission to grant, with a warning.
  diff_mode:
    support: full
    details:
      - The diff shows the members of O(group) and, per account, its connections and managed attributes, before and
        after. A password that is set shows as V(<hidden, changed>), never its value.
  platform:
    platforms: posix
notes:
  - One run reads the users, the connections, the group's members and each listed account's permissions once and
    writes only what differs, so a second run with the same list changes nothing.
  - Guacamole keeps user names case-sensitive in the PostgreSQL data source; give them as users type them.
seealso:
  - module: foundrycloud.platform.guacamole_token
  - module: foundrycloud.platform.guacamole_connection
  - module: foundrycloud.platform.guacamole_user
  - name: Guacamole REST API (users and permissions)
    description: How the JDBC authentication extension keeps users, groups and permissions.
    link: https://guacamole.apache.org/doc/gug/jdbc-auth.html
"""

EXAMPLES = r"""
- name: One account per workspace user, each with its own desktop, in one session
  block:
    - name: Log in to Guacamole once
      foundrycloud.platform.guacamole_token:
        password: "{{ vault_guacadmin_password }}"
        totp_secret: "{{ vault_guacadmin_totp_secret }}"
      register: guacamole_login
      no_log: true

    - name: Workspace accounts (users who left the list lose theirs)
      foundrycloud.platform.guacamole_accounts:
        auth_token: "{{ guacamole_login.token }}"
        group: foundrycloud-workspace-users
        prune: true
        accounts:
          - username: alice
            password: "{{ vault_alice_guacamole_password }}"
            connections: [alice desktop]
            attributes:
              guac-full-name: Alice Example
              guac-email-address: alice@example.org
          - username: bob
            password: "{{ vault_bob_guacamole_password }}"
            connections: [bob desktop]
  always:
    - name: Log out
      foundrycloud.platform.guacamole_token:
        auth_token: "{{ guacamole_login.token }}"
        state: absent
      no_log: true
      when: guacamole_login.token is defined

- name: Roll out passwords changed in the vault (reports a change for every account)
  foundrycloud.platform.guacamole_accounts:
    password: "{{ vault_guacadmin_password }}"
    totp_secret: "{{ vault_guacadmin_totp_secret }}"
    update_password: always
    accounts: "{{ workspace_accounts }}"
"""

RETURN = r"""
accounts:
  description: Per account of O(accounts), in its order, what was (in check mode, would be) done.
  returned: always
  type: list
  elements: dict
  contains:
    username:
      description: The user name.
      type: str
    action:
      description: V(created), V(updated) or V(unchanged).
      type: str
    changes:
      description:
        - What changed, among V(password), V(attributes), V(member) (added to O(group)), V(connections) (permissions
          granted or removed).
      type: list
      elements: str
    connections:
      description: The names of the connections the account may open after the task.
      type: list
      elements: str
  sample:
    - {username: alice, action: created, changes: [password, attributes, member, connections], connections: [alice desktop]}
    - {username: bob, action: unchanged, changes: [], connections: [bob desktop]}
deleted:
  description: The members of O(group) that were (would be) deleted because O(prune) is set.
  returned: always
  type: list
  elements: str
  sample: [carol]
kept:
  description:
    - Members of O(group) not in O(accounts) that were left alone, with O(prune=false), or because they are
      administrators or the module's own user.
  returned: always
  type: list
  elements: str
  sample: []
group_created:
  description: Whether O(group) was (would be) created.
  returned: always
  type: bool
  sample: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import (
    GUACAMOLE_REQUIRED_ONE_OF,
    HIDDEN,
    HIDDEN_CHANGED,
    GuacamoleError,
    client_from_params,
    failure_message,
    guacamole_argument_spec,
    log_in,
)

PERMISSION_PATH = "/connectionPermissions/"
BOOLEAN_ATTRIBUTES = ("disabled", "expired")
DATE_ATTRIBUTES = ("valid-from", "valid-until")
TIME_ATTRIBUTES = ("access-window-start", "access-window-end")
TEXT_ATTRIBUTES = ("guac-full-name", "guac-email-address", "guac-organization", "guac-organizational-role", "timezone")
USER_ATTRIBUTES = BOOLEAN_ATTRIBUTES + DATE_ATTRIBUTES + TIME_ATTRIBUTES + TEXT_ATTRIBUTES


class InputError(Exception):
    pass


def _matches(text, pattern):
    """Digits where ``pattern`` has 9, the same character elsewhere."""
    return len(text) == len(pattern) and all(p == "9" and c.isdigit() or p != "9" and c == p for c, p in zip(text, pattern))


def normalised_attribute(username, name, value):
    """The text Guacamole lists for an attribute value, None for unset. Refuses what Guacamole
    would drop silently (that would show as a change on every run)."""
    where = "accounts: %s: attribute %r" % (username, name)
    if name not in USER_ATTRIBUTES:
        raise InputError("%s is not a user attribute Guacamole keeps (known: %s)" % (where, ", ".join(sorted(USER_ATTRIBUTES))))
    if value is None or value == "":
        return None
    if name in BOOLEAN_ATTRIBUTES:
        text = str(value).lower() if isinstance(value, (bool, str)) else None
        if text not in ("true", "false"):
            raise InputError("%s must be true or false, got %r" % (where, value))
        return "true" if text == "true" else None   # Guacamole lists false as unset
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError("%s must be a string, got %s" % (where, type(value).__name__))
    text = str(value)
    if name in DATE_ATTRIBUTES and not _matches(text, "9999-99-99"):
        raise InputError("%s must be a date YYYY-MM-DD, got %r" % (where, text))
    if name in TIME_ATTRIBUTES and not _matches(text, "99:99:99"):
        raise InputError("%s must be a time HH:MM:SS, got %r" % (where, text))
    return text


def wanted_accounts(raw):
    """The accounts as the module works with them; refuses what cannot be right before any request."""
    accounts = []
    seen = set()
    for entry in raw:
        username = entry.get("username")
        if not isinstance(username, str) or not username.strip():
            raise InputError("accounts: every entry needs a username")
        if username in seen:
            raise InputError("accounts: %s is listed twice" % username)
        seen.add(username)
        if entry.get("password") == "":
            raise InputError("accounts: %s: the password must not be empty" % username)
        connections = [str(name) for name in entry.get("connections") or []]
        if len(set(connections)) != len(connections):
            raise InputError("accounts: %s: a connection is listed twice" % username)
        attributes = dict((str(k), normalised_attribute(username, str(k), v)) for k, v in (entry.get("attributes") or {}).items())
        accounts.append(dict(username=username, password=entry.get("password"), connections=connections,
                             attributes=attributes))
    return accounts


class AccountsTask:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.group = module.params["group"]
        self.check_mode = module.check_mode
        self.warnings = []

    # -- reading ----------------------------------------------------------------------------

    def resolve(self, accounts, connections):
        """name -> identifier of every connection the accounts list; missing ones are None
        (check mode only: an earlier task would create them)."""
        by_name = {}
        for identifier, connection in connections.items():
            by_name.setdefault(connection.get("name"), []).append(str(identifier))
        resolved = {}
        for account in accounts:
            for name in account["connections"]:
                matches = by_name.get(name, [])
                if len(matches) > 1:
                    raise GuacamoleError("connection %r of account %s is ambiguous: Guacamole at %s has %d connections "
                                         "with that name (identifiers %s); rename one"
                                         % (name, account["username"], self.client.url, len(matches), ", ".join(sorted(matches))))
                if not matches:
                    if not self.check_mode:
                        raise GuacamoleError("connection %r of account %s does not exist in Guacamole at %s; create it "
                                             "first (foundrycloud.platform.guacamole_connection)"
                                             % (name, account["username"], self.client.url))
                    if name not in resolved:
                        self.warnings.append("connection %r does not exist yet (check mode: an earlier task would "
                                             "create it); its permission is reported as to be granted" % name)
                    resolved[name] = None
                else:
                    resolved[name] = matches[0]
        return resolved

    # -- one account ------------------------------------------------------------------------

    def plan_account(self, account, users, members, resolved, names):
        """(result entry, write steps, before view, after view) of one account."""
        username = account["username"]
        exists = username in users
        member = username in members
        changes = []
        current = dict((users[username].get("attributes") or {})) if exists else {}
        before_attributes = dict((k, current.get(k)) for k in account["attributes"])
        changed_attributes = sorted(k for k, v in account["attributes"].items() if (current.get(k) or None) != v)
        set_password = account["password"] is not None and (
            not exists or not member or self.params["update_password"] == "always")
        if not exists and account["password"] is None:
            raise InputError("accounts: %s: a password is needed to create the account" % username)
        if changed_attributes:
            changes.append("attributes")
        if set_password:
            changes.insert(0, "password")
        if not member:
            changes.append("member")

        granted = {}
        if exists:
            permissions = self.client.user_permissions(username).get("connectionPermissions") or {}
            granted = dict((str(k), set(v)) for k, v in permissions.items() if v)
        wanted = set(resolved[name] for name in account["connections"])
        operations = []
        for identifier, kinds in sorted(granted.items()):
            for kind in sorted(kinds):
                if identifier not in wanted or kind != "READ":
                    operations.append({"op": "remove", "path": PERMISSION_PATH + identifier, "value": kind})
        for name in account["connections"]:
            identifier = resolved[name]
            if identifier is None or "READ" not in granted.get(identifier, ()):
                if identifier is not None:
                    operations.append({"op": "add", "path": PERMISSION_PATH + identifier, "value": "READ"})
                if "connections" not in changes:
                    changes.append("connections")
        if operations and "connections" not in changes:
            changes.append("connections")

        merged = dict(current)
        merged.update(account["attributes"])
        steps = []
        if not exists:
            steps.append(("create", username, account["password"], merged))
        elif changed_attributes or set_password:
            steps.append(("update", username, account["password"] if set_password else None, merged))
        if operations:
            steps.append(("permissions", username, operations))

        readable_before = sorted(names.get(i, i) for i, kinds in granted.items() if "READ" in kinds)
        before = None if not exists else dict(connections=readable_before, attributes=before_attributes)
        after = dict(connections=sorted(account["connections"]), attributes=dict(account["attributes"]))
        if set_password:
            if before is not None:
                before["password"] = HIDDEN
            after["password"] = HIDDEN_CHANGED
        action = "created" if not exists else ("updated" if changes else "unchanged")
        entry = dict(username=username, action=action, changes=changes, connections=list(account["connections"]))
        return entry, steps, before, after

    # -- the run ----------------------------------------------------------------------------

    def run(self, accounts):
        client = self.client
        actor = client.self_username()
        if actor in set(a["username"] for a in accounts):
            raise InputError("accounts: %s is the user this module is logged in as (the administrator); the module "
                             "manages other users only" % actor)
        users = client.users()
        connections = client.connections()
        names = dict((str(i), c.get("name")) for i, c in connections.items())
        group = client.user_group(self.group)
        members = set(client.group_members(self.group)) if group is not None else set()
        resolved = self.resolve(accounts, connections)

        entries, steps, before, after = [], [], {}, {}
        for account in accounts:
            entry, account_steps, account_before, account_after = self.plan_account(account, users, members, resolved, names)
            entries.append(entry)
            steps.extend(account_steps)
            if account_before is not None:
                before[account["username"]] = account_before
            after[account["username"]] = account_after
        wanted = set(a["username"] for a in accounts)
        joining = [a["username"] for a in accounts if a["username"] not in members]

        deleted, kept = [], []
        for name in sorted(members - wanted):
            if not self.params["prune"]:
                kept.append(name)
            elif name == actor:
                kept.append(name)
                self.warnings.append("%s is a member of group %s but is the module's own user: not deleted" % (name, self.group))
            elif "ADMINISTER" in (client.user_permissions(name).get("systemPermissions") or []):
                kept.append(name)
                self.warnings.append("%s is a member of group %s but a Guacamole administrator: not deleted"
                                     % (name, self.group))
            else:
                deleted.append(name)

        if not self.check_mode:
            if group is None:
                client.create_user_group(self.group)
            for step in steps:
                if step[0] == "create":
                    client.create_user(step[1], step[2], step[3])
            client.patch_group_members(self.group, add=joining)
            for step in steps:
                if step[0] == "update":
                    client.update_user(step[1], step[3], password=step[2])
                elif step[0] == "permissions":
                    client.patch_user_permissions(step[1], step[2])
            for name in deleted:
                client.delete_user(name)

        changed = group is None or bool(deleted) or any(e["changes"] for e in entries)
        result = dict(changed=changed, accounts=entries, deleted=deleted, kept=kept, group_created=group is None)
        if self.module._diff:
            header = "Guacamole accounts of group %s at %s" % (self.group, client.url)
            result["diff"] = dict(
                before=dict(group_exists=group is not None, members=sorted(members), accounts=before),
                after=dict(group_exists=True, members=sorted((members - set(deleted)) | wanted),
                           accounts=after),
                before_header=header, after_header=header)
        return result


def main():
    account_spec = dict(
        username=dict(type="str", required=True),
        password=dict(type="str", no_log=True),
        connections=dict(type="list", elements="str", default=[]),
        attributes=dict(type="dict", default={}),
    )
    module = AnsibleModule(
        argument_spec=guacamole_argument_spec(
            accounts=dict(type="list", elements="dict", required=True, options=account_spec),
            group=dict(type="str", default="foundrycloud-workspace-users"),
            prune=dict(type="bool", default=False),
            update_password=dict(type="str", default="on_create", choices=["on_create", "always"], no_log=False),
        ),
        required_one_of=GUACAMOLE_REQUIRED_ONE_OF,
        supports_check_mode=True,
    )
    url = module.params["url"]
    if not module.params["group"] or not module.params["group"].strip():
        module.fail_json(msg="group must not be empty", url=url)
    try:
        accounts = wanted_accounts(module.params["accounts"])
    except InputError as exc:
        module.fail_json(msg=str(exc), url=url)
    client = None
    task = None
    try:
        client = client_from_params(module.params)
        log_in(client, module.params, warn=module.warn)
        task = AccountsTask(module, client)
        result = task.run(accounts)
    except InputError as exc:
        module.fail_json(msg=str(exc), url=url)
    except GuacamoleError as exc:
        module.fail_json(msg=failure_message(exc, url), url=url)
    finally:
        if client is not None:
            client.logout()
    for warning in task.warnings:
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
