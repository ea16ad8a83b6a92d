# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cloud holds now (read once per run), and what check mode cannot ask the modules.

:func:`found_state` indexes the objects an openstack_state_info call read by the keys the roles
use (projects by name, the others by ``<project_id>/<name>``); the other functions look IDs up in
it, merge what a module just created, and list the changes check mode cannot have a module
report.
"""

from __future__ import annotations


def id_map(resources, by_project=True, names=None):
    """{"<project_id>/<name>": id} (or {name: id}) of a list of OpenStack resources (dicts with
    id, name and project_id). names, when given, keeps only those names."""
    result = {}
    for resource in resources or []:
        if not isinstance(resource, dict) or not resource.get("id"):
            continue
        name = resource.get("name")
        if names is not None and name not in names:
            continue
        key = "%s/%s" % (resource.get("project_id") or resource.get("tenant_id") or "", name) if by_project else name
        result[key] = resource["id"]
    return result


def found_state(projects=None, networks=None, subnets=None, routers=None, router_ports=None, security_groups=None):
    """The cloud's current objects, by the keys the role uses: projects by name, the others by
    "<project_id>/<name>"."""
    found = {
        "projects": id_map(projects, by_project=False),
        "networks": {},
        "subnets": id_map(subnets),
        "subnet_names": dict((s["id"], s.get("name")) for s in subnets or [] if isinstance(s, dict) and s.get("id")),
        "routers": {},
        "security_groups": id_map(security_groups),
    }
    by_name = {}
    for network in networks or []:
        if not isinstance(network, dict) or not network.get("id"):
            continue
        key = "%s/%s" % (network.get("project_id") or "", network.get("name"))
        found["networks"][key] = {
            "id": network["id"],
            "shared": network.get("is_shared", network.get("shared")),
            "external": network.get("is_router_external", network.get("router:external")),
            "mtu": network.get("mtu"),
            "port_security_enabled": network.get("is_port_security_enabled", network.get("port_security_enabled")),
        }
        by_name.setdefault(network.get("name"), []).append(network["id"])
    found["network_ids_by_name"] = dict((name, ids[0]) for name, ids in by_name.items() if len(ids) == 1)
    interfaces = {}
    for port in router_ports or []:
        if not isinstance(port, dict) or not port.get("device_id"):
            continue
        for fixed in port.get("fixed_ips") or []:
            interfaces.setdefault(port["device_id"], []).append(fixed.get("subnet_id"))
    for router in routers or []:
        if not isinstance(router, dict) or not router.get("id"):
            continue
        key = "%s/%s" % (router.get("project_id") or "", router.get("name"))
        gateway = router.get("external_gateway_info") or {}
        found["routers"][key] = {
            "id": router["id"],
            "network_id": gateway.get("network_id"),
            "subnet_ids": sorted(set(s for s in interfaces.get(router["id"], []) if s)),
        }
    return found


def router_interfaces(router, found):
    """What the router module's exclusive ``interfaces`` gets: the subnets the data routes through
    this router, plus the IDs of interfaces it has that the data does not mention (they are kept:
    nothing goes because it vanished from the inventory). Subnets of absent networks or subnets
    are left out, so they are detached. A subnet is given by ID when the cloud has it (the module
    looks names up in the router's project only), else by name."""
    project_id = found["projects"].get(router["project"], "")
    current = (found["routers"].get("%s/%s" % (project_id, router["name"])) or {}).get("subnet_ids") or []

    def subnet_id(name):
        owner = found["projects"].get(router["subnet_projects"].get(name, router["project"]), "")
        return found["subnets"].get("%s/%s" % (owner, name))

    named = set(filter(None, (subnet_id(name) for name in router["subnets"] + router["detach"])))
    wanted = [subnet_id(name) or name for name in router["subnets"]]
    return wanted + [sid for sid in current if sid not in named]


def check_mode_pending(plan, found):
    """Changes check mode cannot have a module report: objects of modules without check mode
    (network, router) and objects whose parent would be created first. One line each."""
    pending = []
    projects = found["projects"]

    def project_id(name):
        return projects.get(name)

    for project in plan["projects"]:
        if project["state"] == "present" and project["name"] not in projects:
            if project["quotas"]:
                pending.append("would set the quotas of new project %s" % project["name"])
            for member in project["members"]:
                if member["state"] == "present":
                    pending.append("would give %s the role %s in new project %s" % (member["user"], member["role"], project["name"]))
    networks_now = {}
    for network in plan["networks"]:
        pid = project_id(network["project"])
        current = found["networks"].get("%s/%s" % (pid, network["name"])) if pid else None
        networks_now[network["name"]] = current
        if network["state"] == "absent":
            if current:
                pending.append("would delete network %s" % network["name"])
            continue
        if current is None:
            pending.append("would create network %s in project %s" % (network["name"], network["project"]))
            continue
        for key in ("shared", "external", "mtu", "port_security_enabled"):
            if network.get(key) is not None and network[key] != current.get(key):
                pending.append("would change %s of network %s from %r to %r" % (key, network["name"], current.get(key), network[key]))
    for subnet in plan["subnets"]:
        if subnet["state"] == "present" and networks_now.get(subnet["network"]) is None:
            pending.append("would create subnet %s (%s) in new network %s" % (subnet["name"], subnet["cidr"], subnet["network"]))
    for router in plan["routers"]:
        pid = project_id(router["project"])
        current = found["routers"].get("%s/%s" % (pid, router["name"])) if pid else None
        if router["state"] == "absent":
            if current:
                pending.append("would delete router %s" % router["name"])
            continue
        if current is None:
            pending.append("would create router %s routing %s" % (router["name"], ", ".join(router["subnets"]) or "no subnet"))
            continue
        gateway = router["external_network"]
        if gateway:
            gateway_id = found["network_ids_by_name"].get(gateway, gateway)
            if current["network_id"] != gateway_id:
                pending.append("would set the gateway of router %s to %s" % (router["name"], gateway))
        wanted = set()
        owners = router.get("subnet_projects") or {}
        for name in router["subnets"]:
            subnet_id = found["subnets"].get("%s/%s" % (project_id(owners.get(name, router["project"])), name))
            if subnet_id is None:
                pending.append("would attach new subnet %s to router %s" % (name, router["name"]))
            else:
                wanted.add(subnet_id)
        for subnet_id in wanted - set(current["subnet_ids"]):
            pending.append("would attach subnet %s to router %s" % (found["subnet_names"].get(subnet_id, subnet_id), router["name"]))
        for name in router["detach"]:
            subnet_id = found["subnets"].get("%s/%s" % (project_id(owners.get(name, router["project"])), name))
            if subnet_id in current["subnet_ids"]:
                pending.append("would detach subnet %s from router %s" % (name, router["name"]))
    for share in plan["rbac"]:
        if share["state"] == "present" and (networks_now.get(share["network"]) is None
                                            or (share["target_project"] != "*" and share["target_project"] not in projects)):
            pending.append("would share new network %s with project %s" % (share["network"], share["target_project"]))
    groups = dict((g["name"], g) for g in plan["security_groups"])
    for group in plan["security_groups"]:
        if group["state"] != "present":
            continue
        pid = project_id(group["project"])
        if pid is None:
            pending.append("would create security group %s with %d rule(s) in new project %s"
                           % (group["name"], len(group["rules"]), group["project"]))
            continue
        exists = "%s/%s" % (pid, group["name"]) in found["security_groups"]
        missing = [name for name in group["remote_groups"]
                   if "%s/%s" % (project_id(groups[name]["project"]), name) not in found["security_groups"]]
        if exists and missing:
            pending.append("would set the rules of security group %s (they refer to new group(s) %s)"
                           % (group["name"], ", ".join(missing)))
    for address in plan["floating_ips"]:
        if address["state"] == "present" and address["project"] not in projects:
            pending.append("would create floating IP %s in new project %s" % (address["name"], address["project"]))
    return pending


def found_merge(found, kind, resources):
    """found with resources just created or updated (module results) added to kind."""
    merged = dict(found)
    if kind == "projects":
        merged["projects"] = dict(found["projects"], **id_map(resources, by_project=False))
    elif kind == "networks":
        merged["networks"] = dict(found["networks"], **found_state([], networks=resources)["networks"])
    elif kind in ("subnets", "security_groups"):
        merged[kind] = dict(found[kind], **id_map(resources))
    else:
        raise ValueError("found_merge: unknown kind %r" % (kind,))
    return merged


def found_id(found, kind, project, name):
    """The ID of a project (by name), or of a network, subnet or security group of a project; None
    when the cloud does not have it (yet)."""
    project_id = found["projects"].get(project)
    if kind == "projects":
        return project_id
    if project_id is None:
        return None
    value = found[kind].get("%s/%s" % (project_id, name))
    return value["id"] if isinstance(value, dict) else value


def found_ids(found, kind, project, names):
    """{name: ID} of those names the cloud has in the project."""
    result = {}
    for name in names or []:
        value = found_id(found, kind, project, name)
        if value is not None:
            result[name] = value
    return result


def network_ref_id(found, reference):
    """The ID of a network named (uniquely) or identified by reference, e.g. the external network;
    None when the cloud has no such network or several of that name."""
    if not reference:
        return None
    if reference in found["network_ids_by_name"]:
        return found["network_ids_by_name"][reference]
    for network in found["networks"].values():
        if network["id"] == reference:
            return reference
    return None


def endpoint_ports(ports, fixed_address=None):
    """The ports (port_info results) a floating IP may go to: all of them, or those that hold
    fixed_address."""
    result = []
    for port in ports or []:
        addresses = [f.get("ip_address") for f in port.get("fixed_ips") or []]
        if fixed_address in (None, "") or str(fixed_address) in addresses:
            result.append(port)
    return result


def images_found(read_results):
    """Names of the images Glance has, from image_info results looped over the images."""
    names = set()
    for result in read_results or []:
        for image in (result or {}).get("images") or []:
            if image.get("name"):
                names.add(image["name"])
    return names


def images_to_upload(images, read_results):
    """The images to upload: present, with a url or file, and not in Glance yet."""
    found = images_found(read_results)
    return [image for image in images if image["state"] == "present" and image["upload"] and image["name"] not in found]
