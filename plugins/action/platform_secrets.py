# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for foundrycloud.platform.platform_secrets.

Runs only on the controller: it plans every secret the inventory's run will read
(plugin_utils.secret_plan) and adds the missing ones to the secrets file, under the same lock
and with the same generator as the platform_secret lookup. It never connects to a host, and
never returns or shows a secret's value.
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.foundrycloud.platform.plugins.plugin_utils import secrets_file
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.engine import (
    COLLECTION_SITE,
    build_context,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.inventory_validation.hostvars_view import (
    HostVarsView,
    inventory_groups,
)
from ansible_collections.foundrycloud.platform.plugins.plugin_utils.secret_plan import secret_plan


class ActionModule(ActionBase):
    """Create the inventory's missing secrets, offline."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    _ARGUMENT_SPEC = dict(
        file=dict(type="path"),
        site_playbook=dict(type="path"),
        allow_plaintext=dict(type="bool"),
    )

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=self._ARGUMENT_SPEC)

        site_playbook = args.get("site_playbook") or COLLECTION_SITE
        groups, hosts = inventory_groups(task_vars)
        context, errors = build_context(HostVarsView(task_vars.get("hostvars") or {}, hosts), groups, str(site_playbook))
        if errors:
            result.update(failed=True, msg="cannot plan the secrets: " + "; ".join(errors))
            return result
        plan = secret_plan(context)
        path = args.get("file") or self._secrets_path(task_vars)
        store = secrets_file.SecretsFile(path, secrets_file.vault_of_this_run(), self._allow_plaintext(args, task_vars))
        try:
            wanted = [secrets_file.checked_spec(name, spec) for name, (spec, _why) in sorted(plan.secrets.items())]
            if self._task.check_mode:
                existing = store.read()
                created = [name for name, _length, _chars in wanted if name not in existing]
            else:
                _data, created = store.ensure(wanted, create=True)
        except secrets_file.SecretsFileError as exc:
            result.update(failed=True, msg="platform_secrets: %s" % exc)
            return result

        if plan.unknown:
            result.setdefault("warnings", []).extend(plan.unknown)
        result.update(
            changed=bool(created),
            file=path,
            planned=len(wanted),
            created=created,
            reasons=dict((name, plan.secrets[name][1]) for name in created),
            msg="%s: %d secret(s) planned, %d %s" % (
                path, len(wanted), len(created),
                "would be created" if self._task.check_mode else "created" if created else "missing"),
        )
        if self._task.diff and created:
            # Names only: a secret's value never reaches the output.
            result["diff"] = {"before_header": path, "after_header": path, "before": "",
                              "after": "".join("%s  (%s)\n" % (name, plan.secrets[name][1]) for name in created)}
        return result

    def _allow_plaintext(self, args, task_vars):
        """The argument, else platform_secrets_allow_plaintext as the lookup reads it (labs and tests only)."""
        if args.get("allow_plaintext") is not None:
            return args["allow_plaintext"]
        return secrets_file.flag(self._templar.template(task_vars.get("platform_secrets_allow_plaintext", False)))

    def _secrets_path(self, task_vars):
        """platform_secrets_file as the run sees it (the lookup's default when unset)."""
        value = task_vars.get("platform_secrets_file")
        path = secrets_file.secrets_path(self._templar.template(value) if value else None, task_vars.get("inventory_dir"))
        if path is None:
            raise AnsibleError("platform_secrets: no secrets file: set platform_secrets_file for this inventory")
        return path
