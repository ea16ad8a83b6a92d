# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: guacamole_connection
short_description: Create, update or delete a connection in Apache Guacamole, idempotently
description:
  - Makes sure a connection (RDP, VNC, SSH, telnet or Kubernetes) with the given name exists in a connection group of
    Apache Guacamole with exactly the given protocol and parameters, or that it does not exist.
  - A connection is found by its name within its parent group; Guacamole keeps names unique per group.
  - Talks to the Guacamole REST API (tested against Guacamole 1.6 with the PostgreSQL data source). Given
    O(auth_token) (from M(foundrycloud.platform.guacamole_token)), it works in that session and leaves it open.
    Otherwise it logs in with O(username), O(password) and, when TOTP is enabled, a code computed from O(totp_secret),
    and logs out afterwards.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description:
      - Name of the connection, unique within O(parent_identifier).
    type: str
    required: true
  protocol:
    description:
      - The protocol guacd speaks to the remote host. Required when the connection has to be created.
    type: str
    choices: [rdp, vnc, ssh, telnet, kubernetes]
  parent_identifier:
    description:
      - Identifier of the connection group the connection belongs to; V(ROOT) is the top level.
    type: str
    default: ROOT
  parameters:
    description:
      - All parameters of the connection, as Guacamole names them (C(hostname), C(port), C(username), C(password),
        C(security), C(ignore-cert), ...). Values are sent as strings, which is how Guacamole stores them
        (V(true), V(3389)).
      - This is the complete set. Parameters the connection has on the server but that are not listed here are
        removed. A parameter with an empty value counts as not set (Guacamole does not store empty values).
      - Values of secret parameters (any name containing C(password), C(passphrase), C(private-key), C(client-key)
        or C(secret)) are compared but never shown; the module's output and diff say only whether they changed.
    type: dict
    default: {}
  attributes:
    description:
      - Attributes of the connection to set, for example C(max-connections), C(max-connections-per-user),
        C(weight), C(failover-only), C(guacd-hostname), C(guacd-port), C(guacd-encryption).
      - Only the attributes listed here are managed; others keep their value. V(null) or an empty value clears one.
      - C(max-connections), C(max-connections-per-user), C(weight) and C(guacd-port) must be whole numbers,
        C(failover-only) a boolean and C(guacd-encryption) V(NONE) or V(SSL), because Guacamole silently ignores
        other values.
    type: dict
    default: {}
  state:
    description:
      - V(present) creates the connection or updates it to match; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - foundrycloud.platform.guacamole
  - foundrycloud.platform.http_api
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module logs in and reads, but creates, changes and deletes nothing.
  diff_mode:
    support: full
    details:
      - The diff shows the connection before and after, with secret parameters masked.
  platform:
    platforms: posix
notes:
  - A connection is updated by replacing its name, group, protocol, parameters and attributes in one request, as the
    Guacamole web interface does.
  - With TOTP, each task that logs in needs a fresh code, so such tasks that follow each other within 30 s wait for the
    next code (see O(totp_secret)). Tasks given O(auth_token) do not log in and do not wait; use that for loops.
seealso:
  - module: foundrycloud.platform.guacamole_token
  - module: foundrycloud.platform.guacamole_user
  - name: Guacamole REST API (connections)
    description: The JDBC authentication extension's connection parameters and attributes.
    link: https://guacamole.apache.org/doc/gug/configuring-guacamole.html#configuring-connections
"""

EXAMPLES = r"""
- name: RDP to the Windows jump host
  foundrycloud.platform.guacamole_connection:
    name: jump-win-01
    protocol: rdp
    parameters:
      hostname: 10.20.0.15
      port: 3389
      username: operator
      password: "{{ vault_jump_win_password }}"
      security: nla
      ignore-cert: true
    attributes:
      max-connections: 2
    password: "{{ vault_guacadmin_password }}"
    totp_secret: "{{ vault_guacadmin_totp_secret }}"

- name: SSH into a GPU node with a key
  foundrycloud.platform.guacamole_connection:
    name: gpu-1 shell
    protocol: ssh
    parameters:
      hostname: gpu-1.lab.internal
      port: 22
      username: ops
      private-key: "{{ lookup('ansible.builtin.file', 'keys/ops_ed25519') }}"
    url: https://guacamole.lab.internal/guacamole
    password: "{{ vault_guacadmin_password }}"
    totp_secret: "{{ vault_guacadmin_totp_secret }}"

- name: Many connections with one login (TOTP spends one code, not one per connection)
  block:
    - name: Log in to Guacamole once
      foundrycloud.platform.guacamole_token:
        password: "{{ vault_guacadmin_password }}"
        totp_secret: "{{ vault_guacadmin_totp_secret }}"
      register: guacamole_login
      no_log: true

    - name: One connection per workspace
      foundrycloud.platform.guacamole_connection:
        auth_token: "{{ guacamole_login.token }}"
        name: "{{ item.name }}"
        protocol: rdp
        parameters:
          hostname: "{{ item.host }}"
          port: 3389
      loop: "{{ workspaces }}"
  always:
    - name: Log out
      foundrycloud.platform.guacamole_token:
        auth_token: "{{ guacamole_login.token }}"
        state: absent
      no_log: true
      when: guacamole_login.token is defined

- name: Remove a retired connection
  foundrycloud.platform.guacamole_connection:
    name: old-vnc
    state: absent
    password: "{{ vault_guacadmin_password }}"
    totp_secret: "{{ vault_guacadmin_totp_secret }}"
"""

RETURN = r"""
action:
  description:
    - What was done, or in check mode what would be done.
    - V(created), V(updated), V(unchanged), V(deleted) or V(already_absent).
  returned: always
  type: str
  sample: created
identifier:
  description: The connection's identifier in Guacamole; V(null) when it does not exist (or would be created in check mode).
  returned: always
  type: str
  sample: "7"
connection:
  description:
    - The connection after the task (before it for V(deleted)), with secret parameter values replaced by V(<hidden>).
    - V(null) when the connection does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the connection.
      type: str
    identifier:
      description: Identifier of the connection.
      type: str
    parent_identifier:
      description: Identifier of its connection group.
      type: str
    protocol:
      description: Its protocol.
      type: str
    parameters:
      description: Its parameters (strings), secrets masked.
      type: dict
    attributes:
      description: Its attributes as Guacamole lists them (unset ones are V(null)).
      type: dict
  sample:
    name: jump-win-01
    identifier: "7"
    parent_identifier: ROOT
    protocol: rdp
    parameters: {hostname: 10.20.0.15, port: "3389", username: operator, password: "<hidden>"}
    attributes: {max-connections: "2", max-connections-per-user: null}
changed_parameters:
  description: Names of the parameters that were (or would be) added, changed or removed, secrets included.
  returned: always
  type: list
  elements: str
  sample: [password, port]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.guacamole import (
    GUACAMOLE_REQUIRED_ONE_OF,
    HIDDEN,
    HIDDEN_CHANGED,
    ROOT_GROUP,
    GuacamoleError,
    client_from_params,
    failure_message,
    guacamole_argument_spec,
    log_in,
)

SECRET_MARKERS = ("password", "passphrase", "private-key", "client-key", "secret")
INTEGER_ATTRIBUTES = ("max-connections", "max-connections-per-user", "weight", "guacd-port")
BOOLEAN_ATTRIBUTES = ("failover-only",)
ENCRYPTION_VALUES = ("NONE", "SSL")


class InputError(Exception):
    pass


def is_secret(name):
    name = name.lower()
    return any(marker in name for marker in SECRET_MARKERS)


def stringify(name, value, what):
    """Guacamole stores parameters and attributes as strings; None and '' mean 'not set'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        text = str(value)
        return text if text != "" else None
    raise InputError("%s %r: expected a string, number or boolean, got %s" % (what, name, type(value).__name__))


def wanted_parameters(raw):
    result = {}
    for name, value in (raw or {}).items():
        text = stringify(name, value, "parameter")
        if text is not None:
            result[str(name)] = text
    return result


def wanted_attributes(raw):
    result = {}
    for name, value in (raw or {}).items():
        name = str(name)
        text = stringify(name, value, "attribute")
        if text is not None and name in INTEGER_ATTRIBUTES:
            try:
                number = int(text)
            except ValueError:
                raise InputError("attribute %r must be a whole number, got %r" % (name, text)) from None
            if number < 0:
                raise InputError("attribute %r must not be negative, got %r" % (name, text))
            text = str(number)
        elif text is not None and name in BOOLEAN_ATTRIBUTES:
            if text.lower() not in ("true", "false"):
                raise InputError("attribute %r must be true or false, got %r" % (name, text))
            # Guacamole stores failover-only as a boolean and lists false as unset.
            text = "true" if text.lower() == "true" else None
        elif text is not None and name == "guacd-encryption":
            if text.upper() not in ENCRYPTION_VALUES:
                raise InputError("attribute 'guacd-encryption' must be NONE or SSL, got %r" % text)
            text = text.upper()
        result[name] = text
    return result


def masked(parameters, changed=()):
    return dict((k, (HIDDEN_CHANGED if k in changed else HIDDEN) if is_secret(k) else v) for k, v in sorted(parameters.items()))


def view(connection, parameters, changed=()):
    if connection is None:
        return None
    return dict(
        name=connection.get("name"),
        identifier=connection.get("identifier"),
        parent_identifier=connection.get("parentIdentifier"),
        protocol=connection.get("protocol"),
        parameters=masked(parameters or {}, changed),
        attributes=dict(connection.get("attributes") or {}),
    )


def changed_keys(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class ConnectionTask:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        params = module.params
        self.name = params["name"]
        self.parent = params["parent_identifier"]
        self.protocol = params["protocol"]
        self.state = params["state"]
        self.parameters = wanted_parameters(params["parameters"])
        self.attributes = wanted_attributes(params["attributes"])
        self.check_mode = module.check_mode

    def find(self):
        matches = [c for c in self.client.connections().values()
                   if c.get("name") == self.name and (c.get("parentIdentifier") or ROOT_GROUP) == self.parent]
        if len(matches) > 1:
            raise GuacamoleError("Guacamole at %s has %d connections named %r in group %s (identifiers %s); "
                                 "remove the duplicates first"
                                 % (self.client.url, len(matches), self.name, self.parent,
                                    ", ".join(sorted(str(m.get("identifier")) for m in matches))))
        return matches[0] if matches else None

    def run(self):
        existing = self.find()
        before_parameters = {}
        if existing is not None:
            before_parameters = self.client.connection_parameters(existing["identifier"])
        if self.state == "absent":
            return self.remove(existing, before_parameters)
        if existing is None:
            return self.create()
        return self.update(existing, before_parameters)

    def outcome(self, action, changed, before, after, identifier, parameters_changed, connection):
        result = dict(changed=changed, action=action, identifier=identifier, connection=connection,
                      changed_parameters=parameters_changed)
        if self.module._diff:
            header = "connection %r in group %s at %s" % (self.name, self.parent, self.client.url)
            result["diff"] = dict(before=before or {}, after=after or {}, before_header=header, after_header=header)
        return result

    def remove(self, existing, before_parameters):
        if existing is None:
            return self.outcome("already_absent", False, None, None, None, [], None)
        before = view(existing, before_parameters)
        if not self.check_mode:
            self.client.delete_connection(existing["identifier"])
        return self.outcome("deleted", True, before, None, existing["identifier"], sorted(before_parameters), before)

    def body(self, identifier, attributes):
        body = dict(name=self.name, parentIdentifier=self.parent, protocol=self.protocol,
                    parameters=dict(self.parameters), attributes=attributes)
        if identifier is not None:
            body["identifier"] = identifier
        return body

    def create(self):
        if not self.protocol:
            raise InputError("protocol is required to create connection %r" % self.name)
        attributes = dict((k, v) for k, v in self.attributes.items())
        proposed = dict(name=self.name, identifier=None, parentIdentifier=self.parent, protocol=self.protocol,
                        attributes=dict((k, v) for k, v in attributes.items() if v is not None))
        changed_names = sorted(self.parameters)
        if self.check_mode:
            after = view(proposed, self.parameters, changed_names)
            return self.outcome("created", True, None, after, None, changed_names, after)
        created = self.client.create_connection(self.body(None, attributes))
        identifier = str(created["identifier"])
        current = self.client.connection(identifier) or dict(proposed, identifier=identifier)
        after = view(current, self.parameters, changed_names)
        return self.outcome("created", True, None, after, identifier, changed_names, after)

    def update(self, existing, before_parameters):
        identifier = str(existing["identifier"])
        if self.protocol is None:
            self.protocol = existing.get("protocol")
        current_attributes = dict(existing.get("attributes") or {})
        new_attributes = dict(current_attributes)
        new_attributes.update(self.attributes)
        parameters_changed = changed_keys(before_parameters, self.parameters)
        attributes_changed = [k for k in self.attributes if current_attributes.get(k) != self.attributes[k]]
        changed = bool(parameters_changed or attributes_changed or existing.get("protocol") != self.protocol)
        before = view(existing, before_parameters, parameters_changed)
        proposed = dict(existing, protocol=self.protocol, attributes=new_attributes)
        after = view(proposed, self.parameters, parameters_changed)
        if not changed:
            return self.outcome("unchanged", False, before, after, identifier, [], after)
        if not self.check_mode:
            self.client.update_connection(identifier, self.body(identifier, new_attributes))
            current = self.client.connection(identifier)
            if current is not None:
                after = view(current, self.parameters, parameters_changed)
        return self.outcome("updated", True, before, after, identifier, parameters_changed, after)


def main():
    module = AnsibleModule(
        argument_spec=guacamole_argument_spec(
            name=dict(type="str", required=True),
            protocol=dict(type="str", choices=["rdp", "vnc", "ssh", "telnet", "kubernetes"]),
            parent_identifier=dict(type="str", default=ROOT_GROUP),
            parameters=dict(type="dict", default={}),
            attributes=dict(type="dict", default={}),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        required_one_of=GUACAMOLE_REQUIRED_ONE_OF,
        supports_check_mode=True,
    )
    url = module.params["url"]
    name = module.params["name"]
    # Secret parameter values must not appear anywhere in the output, the invocation included.
    for key, value in (module.params["parameters"] or {}).items():
        if is_secret(str(key)) and value not in (None, ""):
            module.no_log_values.add(str(value))
    if not name or not name.strip():
        module.fail_json(msg="name must not be empty", url=url)
    if not module.params["parent_identifier"]:
        module.fail_json(msg="parent_identifier must not be empty (the top level is ROOT)", url=url)
    client = None
    try:
        task = ConnectionTask(module, None)
        client = client_from_params(module.params)
        task.client = client
        log_in(client, module.params, warn=module.warn)
        result = task.run()
    except InputError as exc:
        module.fail_json(msg="connection %r: %s" % (name, exc), url=url)
    except GuacamoleError as exc:
        module.fail_json(msg="connection %r: %s" % (name, failure_message(exc, url)), url=url)
    finally:
        # Ends only a session this task opened itself, never the one of auth_token.
        if client is not None:
            client.logout()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
