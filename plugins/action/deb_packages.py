# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for foundrycloud.platform.deb_packages.

Asks dpkg first (one cheap C(dpkg-query) on the host); only when a package is missing or at
another version does it refresh the package index and hand the whole list to
ansible.builtin.apt. A re-run on a host that has everything costs one short command instead of
two apt runs that each load the whole package cache.
"""

from __future__ import annotations

import fnmatch

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.foundrycloud.platform.plugins.plugin_utils.look_first import execute_read_only, validated_args

ARGUMENT_SPEC = {
    "name": {"type": "list", "elements": "str", "required": True, "aliases": ["pkg"]},
    "cache_valid_time": {"type": "int", "default": 3600},
    "update_cache": {"type": "bool", "default": True},
    "install_recommends": {"type": "bool", "default": False},
}

DPKG_FORMAT = "${Package}\t${Version}\t${db:Status-Abbrev}\n"


def split_spec(spec):
    """'pkg=1.2*' -> ('pkg', '1.2*'); 'pkg' -> ('pkg', None)."""
    name, _sep, version = spec.partition("=")
    return name.strip(), (version.strip() or None) if _sep else None


def parse_dpkg_query(output):
    """dpkg-query -W output (DPKG_FORMAT) -> {package: version} of the installed ones."""
    installed = {}
    for line in output.splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and fields[2].strip().startswith("ii"):
            installed[fields[0]] = fields[1]
    return installed


def unsatisfied(specs, installed):
    """The specs that dpkg's state does not satisfy: missing, or installed at another version
    (a version spec may end in * as apt's does). Names with an architecture or a path are never
    judged here: apt decides."""
    missing = []
    for spec in specs:
        name, version = split_spec(spec)
        if ":" in name or "/" in name or name.endswith(".deb") or name not in installed:
            missing.append(spec)
        elif version is not None and not fnmatch.fnmatchcase(installed[name], version):
            missing.append(spec)
    return missing


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = validated_args(self, ARGUMENT_SPEC, "deb_packages")
        specs = [spec for spec in args["name"] if spec.strip()]
        if not specs:
            raise AnsibleActionFail("deb_packages: name must list at least one package")

        names = sorted({split_spec(spec)[0] for spec in specs if ":" not in spec})
        query = execute_read_only(self, "ansible.builtin.command",
                                  {"argv": ["dpkg-query", "-W", "-f=" + DPKG_FORMAT] + names}, task_vars)
        if "rc" not in query:   # the command could not run at all (no dpkg: not a Debian host)
            raise AnsibleActionFail("deb_packages: dpkg-query did not run on this host: %s"
                                    % query.get("msg", query))
        # rc 1 only says that some names are unknown to dpkg: they are then missing.
        installed = parse_dpkg_query(query.get("stdout", ""))
        missing = unsatisfied(specs, installed)
        if not missing:
            result.update(changed=False, packages=installed,
                          msg="all %d packages installed" % len(specs))
            return result

        if args["update_cache"]:
            # The index is metadata, not host state: refreshed in check mode too, or a fresh host
            # could not tell what it would install.
            refresh = execute_read_only(self, "ansible.builtin.apt",
                                        {"update_cache": True, "cache_valid_time": args["cache_valid_time"]}, task_vars)
            if refresh.get("failed"):
                refresh["msg"] = "deb_packages: refreshing the package index failed: %s" % refresh.get("msg", "")
                return refresh
        install = self._execute_module(
            module_name="ansible.builtin.apt",
            module_args={"name": specs, "state": "present", "install_recommends": args["install_recommends"]},
            task_vars=task_vars)
        install["missing"] = missing
        result.update(install)
        return result
