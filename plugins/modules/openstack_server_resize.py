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
  - Takes the connection options of the C(openstack.cloud) modules (C(cloud), C(auth), ...) but is not in their action
    group, so C(module_defaults) of C(group/openstack.cloud.openstack) do not reach it; pass them, or set
    C(module_defaults) for this module.
version_added: 0.1.0
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
  timeout:
    description: Seconds to wait for the resize and its confirmation.
    type: int
    default: 600
extends_documentation_fragment:
  - foundrycloud.platform.openstack
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

import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.foundrycloud.platform.plugins.module_utils.openstack_client import CONNECTION_ARGUMENT_SPEC, connect

try:
    import openstack
except ImportError:
    openstack = None
    OPENSTACK_IMPORT_ERROR = traceback.format_exc()
else:
    OPENSTACK_IMPORT_ERROR = None


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


def last_error(compute, server):
    """The message of the server's latest failed action (Nova records why a resize failed)."""
    try:
        for action in compute.server_actions(server["id"]):
            if action.get("message"):
                detail = compute.get_server_action(action["request_id"], server["id"])
                events = ["%s: %s" % (e.get("event"), e.get("result")) for e in (detail.get("events") or [])]
                return "%s %s (%s)" % (action.get("action"), action.get("message"), ", ".join(events))
    except Exception:  # pylint: disable=broad-exception-caught  # only for the error message
        return "no details"
    return "no details"


def wait_for(module, compute, server, statuses, sleep=2):
    """The server once its status is one of statuses and no task runs on it; fails on ERROR, and
    when the server settles in another state (a resize Nova gave up, e.g. no valid host)."""
    deadline = time.monotonic() + module.params["timeout"]
    while True:
        server = compute.get_server(server["id"])
        if server["status"] == "ERROR":
            module.fail_json(msg="server %s went to ERROR: %s" % (server["name"], (server.get("fault") or {}).get("message")))
        if server["status"] in statuses and not server.get("task_state"):
            return server
        if server["status"] in ("ACTIVE", "SHUTOFF") and not server.get("task_state"):
            module.fail_json(msg="server %s is %s again without reaching %s: Nova gave up - %s"
                             % (server["name"], server["status"], " or ".join(statuses), last_error(compute, server)))
        if time.monotonic() > deadline:
            module.fail_json(msg="server %s did not become %s within %ss (it is %s)"
                             % (server["name"], " or ".join(statuses), module.params["timeout"], server["status"]))
        time.sleep(sleep)


def run(module, compute):
    params = module.params
    server = compute.find_server(params["name"], ignore_missing=True)
    if server is None:
        module.fail_json(msg="server %s not found" % params["name"])
    server = compute.get_server(server["id"])
    flavor = compute.find_flavor(params["flavor"], ignore_missing=True)
    if flavor is None:
        module.fail_json(msg="flavor %s not found" % params["flavor"])
    previous = flavor_label(server["flavor"])
    matches = flavor_matches(server["flavor"], {"id": flavor.id, "name": flavor.name})
    waiting = server["status"] == "VERIFY_RESIZE"
    if matches and not (waiting and params["confirm"]):
        module.exit_json(changed=False, server=summary(server), previous_flavor=previous)
    if module.check_mode:
        module.exit_json(changed=True, server=summary(server), previous_flavor=previous)
    if not matches:
        if server["status"] not in ("ACTIVE", "SHUTOFF"):
            module.fail_json(msg="server %s is %s; it can be resized when ACTIVE or SHUTOFF" % (server["name"], server["status"]))
        compute.resize_server(server, flavor.id)
        server = wait_for(module, compute, server, ("VERIFY_RESIZE",))
    if params["confirm"]:
        compute.confirm_server_resize(server)
        # A confirmed resize leaves the server running, or off when it was off before.
        server = wait_for(module, compute, server, ("ACTIVE", "SHUTOFF"))
    module.exit_json(changed=True, server=summary(server), previous_flavor=previous)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            flavor=dict(type="str", required=True),
            confirm=dict(type="bool", default=True),
            timeout=dict(type="int", default=600),
            **CONNECTION_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    if openstack is None:
        module.fail_json(msg=missing_required_lib("openstacksdk"), exception=OPENSTACK_IMPORT_ERROR)
    try:
        compute = connect(openstack, module.params).compute
        run(module, compute)
    except openstack.exceptions.SDKException as exc:
        module.fail_json(msg="OpenStack: %s" % exc)


if __name__ == "__main__":
    main()
