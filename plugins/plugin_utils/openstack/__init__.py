# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack layer's data: checked, defaulted and expanded before any API call, then compared
with what the cloud holds.

Controller-only code behind the filters ``foundrycloud.platform.openstack_network_plan`` and
``openstack_workspace_plan`` (and the other ``openstack_*`` filters those files define); nothing
here runs on a managed host. By family:

* ``common``: what the plans share: ``Problems``, the entry checks (name, state, unknown keys,
  declared twice), address parsing, ``host_prefix`` and ``connection`` (module parameters).
* ``network_plan``: ``network_plan()`` for role ``openstack_network``: projects, networks,
  subnets, routers, RBAC shares, security groups and their rules (derived from the placement
  where asked), floating IPs; ``rules_with_ids``.
* ``workspace_plan``: ``workspace_plan()`` for role ``workspace_vms``: one server per user, the
  images and keypairs.
* ``found_state``: what the cloud holds now (``found_state``, ``found_id``, ``found_merge`` ...,
  ``router_interfaces``, ``images_to_upload``) and what check mode cannot ask the modules
  (``check_mode_pending``).
* ``changes``: look first, then change: the planned objects that differ from the cloud's.

Imports go one way: ``common`` <- ``network_plan``, ``workspace_plan``; ``found_state`` stands
alone; ``changes`` <- ``found_state``, ``network_plan``.

Both plans collect every problem, each naming the variable and the entry
(``openstack_network_networks[acme-ws]: subnets[0].cidr ...``), so a run stops once with all of
them before it contacts the cloud. Objects are never dropped because they disappeared from the
data: every object carries ``state`` (``present`` or ``absent``) and only ``absent`` removes
anything.
"""
