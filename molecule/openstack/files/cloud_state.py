"""Test helper of molecule/openstack (not production code): what the OpenStack fixture holds, read
with openstacksdk as an admin, compared with what the scenario's inventory declares (verify.yml
writes the expectation out by hand, independently of the roles' plan filters).

  python3 cloud_state.py check EXPECTED_JSON
      every difference on a line of its own; exit 1 if there is any
  python3 cloud_state.py drift PROJECT GROUP DELETE_PORT ADD_PORT
      deletes the group's ingress rule on DELETE_PORT and adds a foreign one (tcp ADD_PORT from
      anywhere), as a person would
  python3 cloud_state.py server NAME
      as JSON: the servers of that name (id, status, project, flavor), the ports named NAME-port and
      every floating IP by its description

The cloud is the one named by OS_CLOUD in the clouds.yaml of OS_CLIENT_CONFIG_FILE.

Rules are compared as text, one per rule: "<direction> <ethertype> <protocol|any> <port|low-high|->
<remote CIDR|group:NAME|->", e.g. "ingress IPv4 tcp 6333 10.40.21.0/24".
"""

import base64
import json
import os
import sys

import openstack
import yaml


def connect():
    return openstack.connect(cloud=os.environ["OS_CLOUD"])


def rule_text(rule, group_names):
    if rule.port_range_min is None:
        ports = "-"
    elif rule.port_range_min == rule.port_range_max:
        ports = str(rule.port_range_min)
    else:
        ports = "%s-%s" % (rule.port_range_min, rule.port_range_max)
    if rule.remote_group_id:
        remote = "group:%s" % group_names.get(rule.remote_group_id, rule.remote_group_id)
    else:
        remote = rule.remote_ip_prefix or "-"
    return " ".join([rule.direction, rule.ether_type, rule.protocol or "any", ports, remote])


class Checker:
    def __init__(self, conn, expected):
        self.conn = conn
        self.expected = expected
        self.problems = []
        self.projects = dict((p.name, p.id) for p in conn.identity.projects())
        self.project_names = dict((v, k) for k, v in self.projects.items())
        self.networks = dict((n.id, n) for n in conn.network.networks())
        self.subnets = dict((s.id, s) for s in conn.network.subnets())
        self.groups = dict((g.id, g) for g in conn.network.security_groups())

    def problem(self, where, message):
        self.problems.append("%s: %s" % (where, message))

    def same(self, where, what, actual, wanted):
        if actual != wanted:
            self.problem(where, "%s is %r, expected %r" % (what, actual, wanted))

    def project_id(self, name):
        if name not in self.projects:
            self.problem("project %s" % name, "does not exist")
        return self.projects.get(name)

    def names_in(self, objects, project):
        return sorted(o.name for o in objects if o.project_id == self.projects.get(project))

    def check(self):
        for name, wanted in sorted(self.expected["projects"].items()):
            self.check_project(name, wanted)
        owned = sorted(set(w["project"] for w in self.expected["networks"].values()))
        for project in owned:
            declared = sorted(n for n, w in self.expected["networks"].items() if w["project"] == project)
            self.same("project %s" % project, "its networks", self.names_in(self.networks.values(), project), declared)
        for name, wanted in sorted(self.expected["networks"].items()):
            self.check_network(name, wanted)
        routers = list(self.conn.network.routers())
        for project in sorted(set(w["project"] for w in self.expected["routers"].values())):
            declared = sorted(n for n, w in self.expected["routers"].items() if w["project"] == project)
            self.same("project %s" % project, "its routers", self.names_in(routers, project), declared)
        for name, wanted in sorted(self.expected["routers"].items()):
            self.check_router(name, wanted, [r for r in routers if r.name == name])
        for project in sorted(set(w["project"] for w in self.expected["security_groups"].values())):
            declared = sorted(["default"] + [n for n, w in self.expected["security_groups"].items()
                                             if w["project"] == project])
            self.same("project %s" % project, "its security groups", self.names_in(self.groups.values(), project),
                      declared)
        for name, wanted in sorted(self.expected["security_groups"].items()):
            self.check_group(name, wanted)
        for name, wanted in sorted(self.expected["servers"].items()):
            self.check_server(name, wanted)
        for name, wanted in sorted(self.expected.get("floating_ips", {}).items()):
            self.check_floating_ip(name, wanted)
        for name, wanted in sorted(self.expected.get("keypairs", {}).items()):
            keypair = self.conn.compute.find_keypair(name)
            if keypair is None:
                self.problem("keypair %s" % name, "does not exist")
            else:
                self.same("keypair %s" % name, "public key", keypair.public_key.strip(), wanted["public_key"])
        for name, wanted in sorted(self.expected.get("images", {}).items()):
            image = self.conn.image.find_image(name)
            if image is None:
                self.problem("image %s" % name, "does not exist")
                continue
            actual = dict((key, getattr(image, key)) for key in wanted)
            self.same("image %s" % name, "attributes", actual, wanted)

    def check_project(self, name, wanted):
        where = "project %s" % name
        project_id = self.project_id(name)
        if project_id is None:
            return
        compute = self.conn.compute.get_quota_set(project_id)
        actual = dict((key, getattr(compute, key)) for key in wanted["compute_quotas"])
        self.same(where, "compute quotas", actual, wanted["compute_quotas"])
        network = self.conn.network.get_quota(project_id)
        actual = dict((key, getattr(network, key)) for key in wanted["network_quotas"])
        self.same(where, "network quotas", actual, wanted["network_quotas"])
        roles = dict((r.id, r.name) for r in self.conn.identity.roles())
        users = dict((u.id, u.name) for u in self.conn.identity.users())
        assignments = sorted("%s %s" % (users.get(a.user["id"], a.user["id"]), roles.get(a.role["id"], a.role["id"]))
                             for a in self.conn.identity.role_assignments(scope_project_id=project_id)
                             if a.user)
        self.same(where, "role assignments", assignments, sorted(wanted["members"]))

    def check_network(self, name, wanted):
        where = "network %s" % name
        found = [n for n in self.networks.values() if n.name == name]
        if len(found) != 1:
            self.problem(where, "%d networks of that name, expected 1" % len(found))
            return
        network = found[0]
        self.same(where, "project", self.project_names.get(network.project_id), wanted["project"])
        subnets = dict((s.name, s) for s in self.subnets.values() if s.network_id == network.id)
        self.same(where, "subnets", sorted(subnets), sorted(wanted["subnets"]))
        for subnet_name, w in sorted(wanted["subnets"].items()):
            subnet = subnets.get(subnet_name)
            if subnet is None:
                continue
            actual = {
                "cidr": subnet.cidr,
                "gateway_ip": subnet.gateway_ip,
                "dns_nameservers": subnet.dns_nameservers,
                "allocation_pools": ["%s-%s" % (p["start"], p["end"]) for p in subnet.allocation_pools],
                "enable_dhcp": subnet.is_dhcp_enabled,
                "project": self.project_names.get(subnet.project_id),
            }
            self.same("%s subnet %s" % (where, subnet_name), "attributes", actual, w)
        shares = sorted(self.project_names.get(p.target_project_id, p.target_project_id)
                        for p in self.conn.network.rbac_policies(object_id=network.id, action="access_as_shared"))
        self.same(where, "RBAC shares (access_as_shared into)", shares, sorted(wanted["shared_into"]))

    def check_router(self, name, wanted, found):
        where = "router %s" % name
        if len(found) != 1:
            self.problem(where, "%d routers of that name, expected 1" % len(found))
            return
        router = found[0]
        self.same(where, "project", self.project_names.get(router.project_id), wanted["project"])
        gateway = router.external_gateway_info or {}
        gateway_name = self.networks[gateway["network_id"]].name if gateway.get("network_id") in self.networks else None
        self.same(where, "gateway network", gateway_name, wanted["gateway"])
        self.same(where, "SNAT", gateway.get("enable_snat"), wanted.get("enable_snat", True))
        interfaces = []
        for port in self.conn.network.ports(device_id=router.id, device_owner="network:router_interface"):
            for fixed in port.fixed_ips:
                subnet = self.subnets.get(fixed["subnet_id"])
                interfaces.append("%s %s" % (subnet.name if subnet else fixed["subnet_id"], fixed["ip_address"]))
        self.same(where, "interfaces (subnet address)", sorted(interfaces), sorted(wanted["interfaces"]))

    def check_group(self, name, wanted):
        where = "security group %s" % name
        found = [g for g in self.groups.values()
                 if g.name == name and g.project_id == self.projects.get(wanted["project"])]
        if len(found) != 1:
            self.problem(where, "%d groups of that name in project %s, expected 1" % (len(found), wanted["project"]))
            return
        group = found[0]
        self.same(where, "description", group.description, wanted["description"])
        names = dict((g.id, g.name) for g in self.groups.values())
        rules = sorted(rule_text(r, names) for r in self.conn.network.security_group_rules(security_group_id=group.id))
        wanted_rules = sorted(wanted["rules"])
        missing = [r for r in wanted_rules if r not in rules]
        extra = [r for r in rules if r not in wanted_rules]
        if missing or extra or len(rules) != len(wanted_rules):
            self.problem(where, "rules differ: missing %s; not declared %s" % (missing or "none", extra or "none"))

    def check_server(self, name, wanted):
        where = "server %s" % name
        found = [s for s in self.conn.compute.servers(details=True, all_projects=True) if s.name == name]
        if len(found) != 1:
            self.problem(where, "%d servers of that name, expected 1" % len(found))
            return
        server = found[0]
        image = self.conn.image.get_image(server.image["id"]) if server.image and server.image.get("id") else None
        actual = {
            "status": server.status,
            "project": self.project_names.get(server.project_id),
            "flavor": server.flavor.get("original_name") or server.flavor.get("name"),
            "image": image.name if image else None,
            "keypair": server.key_name,
            "metadata": server.metadata,
            "security_groups": sorted(set(g["name"] for g in server.security_groups or [])),
        }
        for key in ("status", "project", "flavor", "image", "keypair", "metadata", "security_groups"):
            self.same(where, key, actual[key], wanted[key])
        ports = list(self.conn.network.ports(device_id=server.id))
        if len(ports) != 1:
            self.problem(where, "%d ports, expected 1" % len(ports))
        for port in ports:
            subnet_names = dict((s.id, s.name) for s in self.subnets.values())
            port_actual = {
                "name": port.name,
                "network": self.networks[port.network_id].name if port.network_id in self.networks else None,
                "fixed_ips": ["%s %s" % (subnet_names.get(f["subnet_id"]), f["ip_address"]) for f in port.fixed_ips],
                "security_groups": sorted(self.groups[g].name if g in self.groups else g for g in port.security_group_ids),
                "status": port.status,
                "project": self.project_names.get(port.project_id),
            }
            self.same(where, "port", port_actual, wanted["port"])
        user_data = server.user_data
        if not user_data:
            self.problem(where, "has no user-data")
            return
        text = base64.b64decode(user_data).decode()
        if not text.startswith("#cloud-config\n"):
            self.problem(where, "user-data is not a cloud-config document: %r" % text[:40])
            return
        document = yaml.safe_load(text)
        cloud_users = dict((u["name"], u) for u in document.get("users", []) if isinstance(u, dict))
        for user, keys in sorted(wanted["user_data"]["users"].items()):
            if user not in cloud_users:
                self.problem(where, "user-data creates no user %s (users: %s)" % (user, sorted(cloud_users)))
                continue
            self.same(where, "user-data's SSH keys of %s" % user, cloud_users[user].get("ssh_authorized_keys"), keys)
        sudoers = sorted(n for n, u in cloud_users.items() if u.get("sudo"))
        self.same(where, "user-data's users with sudo", sudoers, wanted["user_data"]["sudo"])
        for key in ("hostname", "fqdn", "packages"):
            self.same(where, "user-data's " + key, document.get(key), wanted["user_data"][key])

    def check_floating_ip(self, name, wanted):
        where = "floating IP %s" % name
        found = [ip for ip in self.conn.network.ips() if ip.description == wanted["description"]]
        if len(found) != 1:
            self.problem(where, "%d floating IPs described %r, expected 1" % (len(found), wanted["description"]))
            return
        ip = found[0]
        port = self.conn.network.get_port(ip.port_id) if ip.port_id else None
        actual = {
            "project": self.project_names.get(ip.project_id),
            "network": self.networks[ip.floating_network_id].name if ip.floating_network_id in self.networks else None,
            "port": port.name if port else None,
            "fixed_ip_address": ip.fixed_ip_address,
        }
        self.same(where, "attributes", actual, dict((k, wanted[k]) for k in actual))


def main(argv):
    conn = connect()
    if len(argv) == 3 and argv[1] == "check":
        with open(argv[2]) as stream:
            expected = json.load(stream)
        checker = Checker(conn, expected)
        checker.check()
        for line in checker.problems:
            print(line)
        if checker.problems:
            return 1
        print("the cloud holds exactly what the inventory declares (%d networks, %d routers, %d security groups, "
              "%d servers)" % (len(expected["networks"]), len(expected["routers"]), len(expected["security_groups"]),
                               len(expected["servers"])))
        return 0
    if len(argv) == 6 and argv[1] == "drift":
        project, group_name, delete_port, add_port = argv[2], argv[3], int(argv[4]), int(argv[5])
        project_id = conn.identity.find_project(project, ignore_missing=False).id
        group = conn.network.find_security_group(group_name, project_id=project_id, ignore_missing=False)
        victims = [r for r in conn.network.security_group_rules(security_group_id=group.id)
                   if r.direction == "ingress" and r.port_range_min == delete_port]
        if not victims:
            print("no ingress rule on port %d in %s" % (delete_port, group_name))
            return 1
        conn.network.delete_security_group_rule(victims[0])
        foreign = conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", ether_type="IPv4", protocol="tcp",
            port_range_min=add_port, port_range_max=add_port, remote_ip_prefix="0.0.0.0/0",
            description="added by hand")
        names = {group.id: group.name}
        print(json.dumps({"deleted": rule_text(victims[0], names), "added": rule_text(foreign, names)}))
        return 0
    if len(argv) == 3 and argv[1] == "server":
        name = argv[2]
        print(json.dumps({
            "servers": [{"id": s.id, "status": s.status, "project_id": s.project_id,
                         "flavor": s.flavor.get("original_name") or s.flavor.get("name")}
                        for s in conn.compute.servers(details=True, all_projects=True) if s.name == name],
            "ports": [{"id": p.id, "device_id": p.device_id} for p in conn.network.ports(name=name + "-port")],
            "floating_ips": dict((ip.description, {"address": ip.floating_ip_address, "port_id": ip.port_id})
                                 for ip in conn.network.ips()),
        }))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
