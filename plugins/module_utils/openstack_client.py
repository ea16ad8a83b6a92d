# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's own OpenStack modules: their connection options (those of the
openstack.cloud modules, so role code passes the same dict to both) and one openstacksdk
connection from them; and the look-first read of what the cloud holds, one session for every
kind the roles compare with their plan.

The modules do not build on openstack.cloud's module_utils: ansible-test cannot resolve that
collection's doc fragment and module_utils from ours."""

from __future__ import annotations

CONNECTION_ARGUMENT_SPEC = dict(
    cloud=dict(type="raw"),
    auth=dict(type="dict", no_log=True),
    auth_type=dict(type="str"),
    region_name=dict(type="str"),
    interface=dict(type="str", default="public", choices=["public", "internal", "admin"]),
    validate_certs=dict(type="bool"),
    ca_cert=dict(type="str"),
    client_cert=dict(type="str"),
    client_key=dict(type="str", no_log=False),
    api_timeout=dict(type="int"),
)

# What read_state can read, in the order it reads them.
KINDS = (
    "domains", "projects", "role_assignments", "quotas", "networks", "subnets", "routers", "router_ports",
    "security_groups", "rbac_policies", "floating_ips", "servers", "ports", "keypairs", "flavors", "images",
)


def connect(openstack, params):
    """An openstacksdk connection from the module's connection options (openstack: the imported
    openstack package, so that a module without it fails with its own message)."""
    cloud = params.get("cloud")
    if isinstance(cloud, dict):
        settings = dict(cloud)
        renames = {"validate_certs": "verify", "ca_cert": "cacert", "client_cert": "cert", "client_key": "key"}
        return openstack.connect(**dict((renames.get(k, k), v) for k, v in settings.items()))
    kwargs = dict(cloud=cloud, auth=params.get("auth"), auth_type=params.get("auth_type"),
                  region_name=params.get("region_name"), interface=params.get("interface"),
                  cert=params.get("client_cert"), key=params.get("client_key"),
                  api_timeout=params.get("api_timeout"))
    if params.get("validate_certs") is not None:
        kwargs["verify"] = params["validate_certs"]
    if params.get("ca_cert"):
        kwargs["cacert"] = params["ca_cert"]
    return openstack.connect(**dict((k, v) for k, v in kwargs.items() if v is not None))


def _dicts(resources):
    """Resources as the openstack.cloud info modules return them (to_dict(computed=False))."""
    return [r.to_dict(computed=False) if hasattr(r, "to_dict") else dict(r) for r in resources]


def _quota_dict(resource):
    values = resource.to_dict(computed=False) if hasattr(resource, "to_dict") else dict(resource)
    return dict((k, v) for k, v in values.items() if not isinstance(v, (dict, list)) and k not in ("id", "name", "location"))


def read_quotas(conn, project_ids):
    """{project_id: {service: {quota: value}}} as openstack.cloud.quota compares them: compute
    always, network, volume and load balancer when the cloud has those services."""
    optional = (("volume", "block-storage", "block_storage", "get_quota_set"),
                ("load_balancer", "load-balancer", "load_balancer", "get_quota"),
                ("network", "network", "network", "get_quota"))
    services = [(kind, getattr(getattr(conn, proxy), method))
                for kind, service, proxy, method in optional if conn.has_service(service)]
    services.append(("compute", conn.compute.get_quota_set))
    return dict((pid, dict((kind, _quota_dict(reader(pid))) for kind, reader in services)) for pid in project_ids)


def read_role_assignments(conn, project_ids):
    """The direct role assignments of users in these projects, with the names of user, user
    domain, role and project (one list call per project)."""
    result = []
    for pid in project_ids:
        for assignment in conn.identity.role_assignments(scope_project_id=pid, include_names=True):
            values = assignment.to_dict(computed=False) if hasattr(assignment, "to_dict") else dict(assignment)
            user = values.get("user") or {}
            if not user:
                continue    # a group's assignment
            result.append({
                "project_id": pid,
                "user_id": user.get("id"),
                "user": user.get("name"),
                "user_domain_id": (user.get("domain") or {}).get("id"),
                "user_domain": (user.get("domain") or {}).get("name"),
                "role_id": (values.get("role") or {}).get("id"),
                "role": (values.get("role") or {}).get("name"),
            })
    return result


def _per_project(lister, project_ids):
    """Every project's resources, or those of these projects (one query each)."""
    if project_ids is None:
        return _dicts(lister())
    return [r for pid in project_ids for r in _dicts(lister(project_id=pid))]


def read_state(conn, kinds, projects=None):
    """What the cloud holds of each kind (a list of dicts each, like the info modules return;
    quotas {project_id: {service: {...}}}). projects: names or IDs of the projects whose quotas and
    role assignments are read (those of other projects are not needed); servers and ports are
    read in every project (an admin's view) and narrowed to these projects when given."""
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError("unknown kind(s) %s (known: %s)" % (", ".join(unknown), ", ".join(KINDS)))
    state = {}
    all_projects = None
    if {"projects", "quotas", "role_assignments", "servers", "ports"} & set(kinds):
        all_projects = _dicts(conn.identity.projects())
    wanted_ids = None
    if projects is not None:
        wanted = set(projects)
        wanted_ids = [p["id"] for p in all_projects or [] if p.get("name") in wanted or p.get("id") in wanted]
    readers = {
        "domains": lambda: _dicts(conn.identity.domains()),
        "projects": lambda: all_projects,
        "role_assignments": lambda: read_role_assignments(conn, wanted_ids or []),
        "quotas": lambda: read_quotas(conn, wanted_ids or []),
        "networks": lambda: _dicts(conn.network.networks()),
        "subnets": lambda: _dicts(conn.network.subnets()),
        "routers": lambda: _dicts(conn.network.routers()),
        "router_ports": lambda: _dicts(conn.network.ports(device_owner="network:router_interface")),
        "security_groups": lambda: _dicts(conn.network.security_groups()),
        "rbac_policies": lambda: _dicts(conn.network.rbac_policies(object_type="network", action="access_as_shared")),
        "floating_ips": lambda: _dicts(conn.network.ips()),
        "servers": lambda: _per_project(lambda **query: conn.compute.servers(details=True, all_projects=True, **query),
                                        wanted_ids),
        "ports": lambda: _per_project(conn.network.ports, wanted_ids),
        "keypairs": lambda: _dicts(conn.compute.keypairs()),
        "flavors": lambda: _dicts(conn.compute.flavors()),
        "images": lambda: _dicts(conn.image.images()),
    }
    for kind in KINDS:
        if kind in kinds:
            state[kind] = readers[kind]()
    return state
