# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: openstack_server_resize
short_description: Resize an OpenStack server to a flavor and confirm the resize
description:
  - Resizes the server to O(flavor) when it has another flavor, waits for C(VERIFY_RESIZE) and confirms the resize
    (or, with O(confirm=false), leaves it waiting for confirmation). A server that has the flavor already is left
    alone; a server in C(VERIFY_RESIZE) to that flavor is confirmed.
  - C(openstack.cloud.server) never changes the flavor of an existing server; role C(workspace_vms) calls this module
    only when the inventory confirms the change (C(workspace_vms_confirm_resize)), because the server restarts.
  - Uses the connection options of the C(openstack.cloud) modules (C(cloud), C(auth), ...), so C(module_defaults) of
    C(group/openstack.cloud.openstack) do not reach it; pass them or use C(module_defaults) of this module.
version_added: 0.4.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description: Name or ID of the server (in the project the token is scoped to).
    type: str
    required: true
  flavor:
    description: Name or ID of the flavor the server should have.
    type: str
    required: true
  confirm:
    description: Confirm the resize once the server is in C(VERIFY_RESIZE).
    type: bool
    default: true
extends_documentation_fragment:
  - openstack.cloud.openstack
notes:
  - Check mode reports whether the server would be resized.
"""

EXAMPLES = r"""
- name: Resize the VM of alice to ws.large and confirm
  foundrycloud.platform.openstack_server_resize:
    cloud: acme
    name: ws-alice
    flavor: ws.large
"""

RETURN = r"""
server:
  description: The server after the resize (id, name, status, flavor).
  returned: success
  type: dict
previous_flavor:
  description: The name (or ID) of the flavor the server had before.
  returned: success
  type: str
"""

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule


def flavor_matches(server_flavor, flavor):
    """Whether the server's flavor (a dict as Nova reports it: name/original_name, maybe id) is
    the wanted flavor (a Flavor with id and name)."""
    server_flavor = dict(server_flavor or {})
    names = set(str(server_flavor[k]) for k in ("id", "name", "original_name") if server_flavor.get(k))
    return bool(names & set(str(v) for v in (flavor.get("id"), flavor.get("name")) if v))


def flavor_label(server_flavor):
    server_flavor = dict(server_flavor or {})
    return str(server_flavor.get("original_name") or server_flavor.get("name") or server_flavor.get("id") or "")


def summary(server):
    return {"id": server["id"], "name": server["name"], "status": server["status"], "flavor": flavor_label(server["flavor"])}


class ServerResizeModule(OpenStackModule):
    argument_spec = dict(
        name=dict(required=True),
        flavor=dict(required=True),
        confirm=dict(type="bool", default=True),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        compute = self.conn.compute
        server = compute.find_server(self.params["name"], ignore_missing=True)
        if server is None:
            self.fail_json(msg="server %s not found" % self.params["name"])
        server = compute.get_server(server)
        flavor = compute.find_flavor(self.params["flavor"], ignore_missing=True)
        if flavor is None:
            self.fail_json(msg="flavor %s not found" % self.params["flavor"])
        previous = flavor_label(server["flavor"])
        matches = flavor_matches(server["flavor"], flavor)
        waiting = server["status"] == "VERIFY_RESIZE"
        if matches and not (waiting and self.params["confirm"]):
            self.exit_json(changed=False, server=summary(server), previous_flavor=previous)
        if self.ansible.check_mode:
            self.exit_json(changed=True, server=summary(server), previous_flavor=previous)
        if not matches:
            if server["status"] not in ("ACTIVE", "SHUTOFF"):
                self.fail_json(msg="server %s is %s; it can be resized when ACTIVE or SHUTOFF" % (server["name"], server["status"]))
            compute.resize_server(server, flavor.id)
            server = self._wait(server, ("VERIFY_RESIZE",))
        if self.params["confirm"]:
            compute.confirm_server_resize(server)
            # A confirmed resize leaves the server running, or off when it was off before.
            server = self._wait(server, ("ACTIVE", "SHUTOFF"))
        self.exit_json(changed=True, server=summary(server), previous_flavor=previous)

    def _wait(self, server, statuses):
        for _count in self.sdk.utils.iterate_timeout(
                timeout=self.params["timeout"],
                message="Timeout waiting for server %s to become %s" % (server["name"], " or ".join(statuses))):
            server = self.conn.compute.get_server(server["id"])
            if server["status"] == "ERROR":
                self.fail_json(msg="server %s went to ERROR: %s" % (server["name"], (server.get("fault") or {}).get("message")))
            if server["status"] in statuses and not server.get("task_state"):
                return server
        return server


def main():
    module = ServerResizeModule()
    module()


if __name__ == "__main__":
    main()
