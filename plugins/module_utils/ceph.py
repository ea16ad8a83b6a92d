# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client around Ceph's command line tools (``ceph``, ``rbd``, ``radosgw-admin``).

Every module of the Ceph layer reads the cluster's state as JSON through ``CephCli.run`` and
acts only on the difference. The client adds the connection options (cluster name, cephx user,
keyring, ceph.conf), a bounded connection time, and turns failures into ``CephError`` with a
sentence an operator can act on: the cluster is not reachable, the tool is missing, the command
was refused (Ceph's own ``Error EINVAL: ...`` line), or the output is not the JSON expected.

The pure helpers at the end (``health_gate``, ``parse_caps``, ``pgs_summary``) take parsed JSON
and are shared by the modules and their tests.
"""

from __future__ import annotations

import copy
import json as jsonlib
import re
import shlex

# Options every Ceph module takes (doc fragment: foundrycloud.platform.ceph).
CEPH_COMMON_ARGS = dict(
    cluster=dict(type="str", default="ceph"),
    user=dict(type="str", default="client.admin"),
    keyring=dict(type="path", no_log=False),
    conf=dict(type="path"),
    connect_timeout=dict(type="int", default=30),
)

# Exit codes of Ceph's tools (negated errno values).
ENOENT = 2
EINVAL = 22
ETIMEDOUT = 110
# What timeout(1) returns when it had to stop a command.
TIMEOUT_RC = 124

# Ceph's own sentences for "could not talk to the monitors".
_UNREACHABLE = re.compile(
    r"^timed out$|error connecting to the cluster|couldn't connect to the cluster|RADOS timed out|Connection timed out"
    r"|monclient(?:\(hunting\))?: .*timed out|failed to fetch mon config|Error initializing cluster client"
    r"|no monitors specified|unable to get monitor info|Connection refused|unable to find a keyring",
    re.I | re.M,
)
_DENIED = re.compile(r"permission denied|Error EACCES|no keyring found", re.I)
_ERROR_LINE = re.compile(r"^Error E[A-Z]+: .*$", re.M)
_TOOLS = ("ceph", "rbd", "radosgw-admin", "rados")
# PG state components that do not make a PG unhealthy.
_BENIGN_PG_FLAGS = frozenset(("active", "clean", "scrubbing", "deep", "snaptrim", "snaptrim_wait", "laggy", "wait"))
_ENTITY = re.compile(r"^(client|mgr|mds|osd|mon)\.[A-Za-z0-9_.-]+$|^mon\.$")
CAP_SERVICES = ("mon", "osd", "mds", "mgr")


class CephError(Exception):
    """A Ceph command failed. ``kind``: unreachable, denied, missing_tool, refused or output."""

    def __init__(self, message, rc=None, stderr="", kind="refused", command=None):
        super().__init__(message)
        self.message = message
        self.rc = rc
        self.stderr = stderr or ""
        self.kind = kind
        self.command = command or []

    def __str__(self):
        return self.message


def preview(text, limit=300):
    """First ``limit`` characters of ``text`` on one line, for messages."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "..."


def _last_line(text):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return preview(lines[-1]) if lines else "no output"


def ceph_argument_spec(**extra):
    """CEPH_COMMON_ARGS plus a module's own options (a copy: specs hold mutable defaults)."""
    spec = copy.deepcopy(CEPH_COMMON_ARGS)
    spec.update(extra)
    return spec


class CephCli:
    """Runs ``ceph``, ``rbd``, ``radosgw-admin`` and ``rados`` through ``module.run_command``.

    ``run`` returns the parsed JSON of a command (or its text with ``json=False``), or raises
    CephError. A command that answers ``missing_rc`` (ENOENT for ``ceph auth get``, EINVAL for
    ``radosgw-admin user info``) returns None instead, so modules read "not there" plainly.
    """

    def __init__(self, module, cluster="ceph", user="client.admin", keyring=None, conf=None, timeout=30):
        self.module = module
        self.cluster = cluster or "ceph"
        self.user = user or "client.admin"
        self.keyring = keyring
        self.conf = conf
        self.timeout = int(timeout or 30)
        self._paths = {}
        # What ``change`` ran (or, in check mode, would run), for the modules' ``commands`` return value.
        self.changes = []

    @classmethod
    def from_params(cls, module):
        params = module.params
        return cls(module, cluster=params["cluster"], user=params["user"], keyring=params.get("keyring"),
                   conf=params.get("conf"), timeout=params["connect_timeout"])

    # -- plumbing --------------------------------------------------------------------------------
    def tool(self, name):
        if name not in self._paths:
            path = self.module.get_bin_path(name, opt_dirs=["/usr/bin", "/usr/local/bin", "/usr/sbin"])
            if not path:
                raise CephError(
                    "%s not found on this host: install ceph-common%s (the Ceph modules run on a host with the Ceph CLI "
                    "and a keyring, usually the first monitor)" % (name, " and radosgw" if name == "radosgw-admin" else ""),
                    kind="missing_tool", command=[name])
            self._paths[name] = path
        return self._paths[name]

    def connection_args(self, binary):
        args = ["--cluster", self.cluster, "--name", self.user]
        if self.keyring:
            args += ["--keyring", self.keyring]
        if self.conf:
            args += ["--conf", self.conf]
        if binary == "ceph":
            args += ["--connect-timeout", str(self.timeout)]
        else:
            # The C++ tools take config options on the command line; without these they wait minutes for monitors.
            args += ["--client-mount-timeout", str(self.timeout), "--rados-mon-op-timeout", str(self.timeout)]
        return args

    def command(self, args, binary="ceph", json=True):
        argv = [self.tool(binary)] + self.connection_args(binary) + [str(a) for a in args]
        if json:
            argv += ["--format", "json"]
        # timeout(1) as a backstop: a monitor that accepts the connection but never answers.
        guard = self.module.get_bin_path("timeout")
        if guard:
            argv = [guard, "--kill-after=5", str(self.timeout + 30)] + argv
        return argv

    @staticmethod
    def describe(args, binary):
        return "%s %s" % (binary, " ".join(shlex.quote(str(a)) for a in args))

    def run(self, args, binary="ceph", json=True, data=None, missing_rc=None):
        """Parsed JSON (or text) of a command; None when it answered ``missing_rc``."""
        argv = self.command(args, binary=binary, json=json)
        what = self.describe(args, binary)
        rc, out, err = self.module.run_command(argv, data=data, binary_data=data is not None, check_rc=False)
        if rc != 0:
            if missing_rc is not None and rc in (missing_rc if isinstance(missing_rc, (tuple, list)) else (missing_rc,)) \
                    and not _UNREACHABLE.search(err or ""):
                return None
            raise self.failure(what, rc, out, err, argv)
        if not json:
            return out
        return self.parse(what, out, err, argv)

    def change(self, args, binary="ceph", json=False, data=None, shown=None):
        """Run a command that changes the cluster; in check mode only record it. ``shown`` hides secrets."""
        self.changes.append(shown or self.describe(args, binary))
        if getattr(self.module, "check_mode", False):
            return None
        return self.run(args, binary=binary, json=json, data=data)

    def failure(self, what, rc, out, err, argv):
        text = (err or "").strip() or (out or "").strip()
        if _DENIED.search(text):
            return CephError(
                "permission denied: cluster '%s' refused %s%s for '%s' (rc=%s): %s. Is the keyring the one the cluster "
                "holds for %s, and does it carry the caps this needs?"
                % (self.cluster, self.user, " (keyring %s)" % self.keyring if self.keyring else "", what, rc,
                   _last_line(text), self.user),
                rc=rc, stderr=err, kind="denied", command=argv)
        if rc == TIMEOUT_RC or rc == ETIMEDOUT or rc == -9 or _UNREACHABLE.search(text):
            return CephError(
                "cluster not reachable: '%s' for cluster '%s' as %s%s got no answer within %d s (rc=%s): %s. Are the monitors "
                "up and in quorum, and are ceph.conf and the keyring for %s on this host?"
                % (what, self.cluster, self.user, " (keyring %s)" % self.keyring if self.keyring else "", self.timeout, rc,
                   _last_line(text), self.user),
                rc=rc, stderr=err, kind="unreachable", command=argv)
        match = _ERROR_LINE.search(text)
        reason = match.group(0) if match else preview(text) or "no output"
        return CephError("'%s' failed (rc=%s): %s" % (what, rc, reason), rc=rc, stderr=err, kind="refused", command=argv)

    @staticmethod
    def parse(what, out, err="", argv=None):
        text = (out or "").strip()
        if not text:
            raise CephError("unexpected output from '%s': no JSON at all (stderr: %s)" % (what, preview(err) or "empty"),
                            kind="output", stderr=err, command=argv)
        try:
            return jsonlib.loads(text)
        except ValueError:
            # Some tools print a warning line before the JSON.
            for start in (text.find("{"), text.find("[")):
                if start > 0:
                    try:
                        return jsonlib.loads(text[start:])
                    except ValueError:
                        pass
            raise CephError("unexpected output from '%s': not JSON: %s" % (what, preview(text)),
                            kind="output", stderr=err, command=argv) from None

    def expect(self, what, value, kind, shape):
        """``value`` if it is an instance of ``kind``, else a CephError saying what came instead."""
        if not isinstance(value, kind):
            raise CephError("unexpected output from '%s': expected %s, got %s" % (what, shape, preview(jsonlib.dumps(value))),
                            kind="output")
        return value

    # -- reads shared by several modules ---------------------------------------------------------
    def status(self):
        status = self.run(["status"])
        self.expect("ceph status", status, dict, "an object")
        if not isinstance(status.get("health"), dict) or not isinstance(status.get("pgmap"), dict):
            raise CephError("unexpected output from 'ceph status': no health or pgmap in %s" % preview(jsonlib.dumps(status)),
                            kind="output")
        return status

    def pools(self):
        """Pools by name, from ``ceph osd pool ls detail``."""
        pools = self.expect("ceph osd pool ls detail", self.run(["osd", "pool", "ls", "detail"]), list, "a list of pools")
        result = {}
        for pool in pools:
            if not isinstance(pool, dict) or not isinstance(pool.get("pool_name"), str):
                raise CephError("unexpected output from 'ceph osd pool ls detail': an entry without pool_name: %s"
                                % preview(jsonlib.dumps(pool)), kind="output")
            result[pool["pool_name"]] = pool
        return result

    def auth_get(self, entity):
        """``ceph auth get`` of one entity as {entity, key, caps}, or None if it does not exist."""
        answer = self.run(["auth", "get", entity], missing_rc=ENOENT)
        if answer is None:
            return None
        return parse_auth(answer, entity)


# -- pure helpers ------------------------------------------------------------------------------


def entity_problem(name):
    """Why ``name`` is not a cephx entity name, or None."""
    if not isinstance(name, str) or not _ENTITY.match(name):
        return "%r is not a cephx entity name such as client.cinder (type.id, letters, digits, '.', '_', '-')" % (name,)
    return None


def parse_auth(answer, entity=None):
    """{entity, key, caps} from ``ceph auth get -f json`` (a list of one entry; older releases: an object)."""
    entry = answer[0] if isinstance(answer, list) and len(answer) == 1 else answer
    if isinstance(answer, list) and entity is not None:
        matching = [e for e in answer if isinstance(e, dict) and e.get("entity") == entity]
        entry = matching[0] if matching else entry
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not isinstance(entry.get("entity"), str):
        raise CephError("unexpected output from 'ceph auth get%s': expected [{\"entity\", \"key\", \"caps\"}], got %s"
                        % (" " + entity if entity else "", preview(jsonlib.dumps(answer))), kind="output")
    return {"entity": entry["entity"], "key": entry["key"], "caps": parse_caps(entry)}


def parse_caps(auth_get_json):
    """The caps of an auth entry as {service: capability string}, whitespace normalised."""
    entry = auth_get_json
    if isinstance(entry, list):
        entry = entry[0] if entry else {}
    caps = entry.get("caps") if isinstance(entry, dict) else None
    if caps is None:
        return {}
    if not isinstance(caps, dict):
        raise CephError("unexpected output from 'ceph auth get': caps is not an object: %s" % preview(jsonlib.dumps(caps)),
                        kind="output")
    return dict((str(service), normalize_cap(value)) for service, value in caps.items())


def normalize_cap(value):
    return " ".join(str(value).split())


def caps_args(caps):
    """``mon 'allow r' osd '...'`` as argv, services in a fixed order."""
    args = []
    for service in sorted(caps, key=lambda s: (CAP_SERVICES.index(s) if s in CAP_SERVICES else 9, s)):
        args += [service, caps[service]]
    return args


def pg_state_healthy(state):
    parts = set(state.split("+"))
    return "active" in parts and "clean" in parts and parts <= _BENIGN_PG_FLAGS


def pgs_summary(status_json):
    """{state: count} of the PGs in ``ceph status``."""
    pgmap = status_json.get("pgmap") or {}
    return dict((entry.get("state_name", "?"), entry.get("count", 0)) for entry in pgmap.get("pgs_by_state") or [])


def health_gate(status_json, allowed_checks=(), require_active_clean=True):
    """(ok, reasons) for ``ceph status -f json``.

    OK means: HEALTH_OK, or HEALTH_WARN whose (not muted) checks are all in ``allowed_checks``;
    and, with ``require_active_clean``, every PG active+clean (scrubbing allowed), none creating
    or unknown, and the PG states adding up to the number of PGs.
    """
    reasons = []
    if not isinstance(status_json, dict):
        return False, ["ceph status gave no object"]
    health = status_json.get("health") or {}
    status = health.get("status")
    checks = health.get("checks") or {}
    allowed = set(allowed_checks or ())
    if status == "HEALTH_OK":
        pass
    elif status == "HEALTH_WARN":
        for name in sorted(checks):
            check = checks[name] or {}
            if check.get("muted") or name in allowed:
                continue
            reasons.append("%s %s: %s" % (check.get("severity", status), name, ((check.get("summary") or {}).get("message") or "")))
        if not reasons and not checks:
            reasons.append("HEALTH_WARN without checks")
    elif status == "HEALTH_ERR":
        for name in sorted(checks):
            check = checks[name] or {}
            reasons.append("%s %s: %s" % (check.get("severity", status), name, ((check.get("summary") or {}).get("message") or "")))
        if not checks:
            reasons.append("HEALTH_ERR")
    else:
        reasons.append("unknown health status %r" % (status,))
    if require_active_clean:
        pgmap = status_json.get("pgmap") or {}
        states = pgs_summary(status_json)
        total = pgmap.get("num_pgs", sum(states.values()))
        counted = sum(states.values())
        unhealthy = dict((state, count) for state, count in states.items() if not pg_state_healthy(state))
        if unhealthy:
            reasons.append("PGs not active+clean: %s" % ", ".join("%d %s" % (count, state) for state, count in sorted(unhealthy.items())))
        if counted < total:
            reasons.append("%d of %d PGs have no reported state yet (creating or unknown)" % (total - counted, total))
    return not reasons, reasons


# -- module glue -------------------------------------------------------------------------------


def ceph_module(module_class, argument_spec, **kwargs):
    """An AnsibleModule with CEPH_COMMON_ARGS added, its connection options checked, and its CephCli."""
    module = module_class(argument_spec=ceph_argument_spec(**argument_spec), supports_check_mode=True, **kwargs)
    if module.params["connect_timeout"] < 1:
        module.fail_json(msg="connect_timeout must be 1 or more, got %s" % module.params["connect_timeout"])
    problem = entity_problem(module.params["user"])
    if problem:
        module.fail_json(msg="user: %s" % problem)
    return module, CephCli.from_params(module)


class Refused(Exception):
    """The declared state cannot be reached without losing or re-pointing data; the module fails, naming why."""


def run_ceph_module(module_class, argument_spec, kind, key, problems, ensure):
    """The whole main() of a resource module: options checked by ``problems(params)`` (a list of sentences) before
    anything runs, then ``ensure(module, cli)``; messages start with ``<kind> <params[key]>: ``."""
    module, cli = ceph_module(module_class, argument_spec)
    what = "%s %s" % (kind, module.params[key])
    found = problems(module.params)
    if found:
        module.fail_json(msg="%s: %s" % (what, "; ".join(found)))
    finish(module, cli, what, ensure, module, cli)


def finish(module, cli, what, func, *args):
    """exit_json with ``func(*args)`` plus ``commands``; CephError and Refused become fail_json naming ``what``."""
    try:
        result = func(*args)
    except CephError as exc:
        module.fail_json(msg="%s: %s" % (what, exc), error_kind=exc.kind, commands=cli.changes)
    except Refused as exc:
        module.fail_json(msg="%s: %s" % (what, exc), error_kind="refused_by_module", commands=cli.changes)
    result.setdefault("commands", cli.changes)
    module.exit_json(**result)


def outcome(module, action, before, after, **values):
    """A resource module's result: changed unless ``action`` is unchanged or already_absent; with --diff, the diff of
    ``before`` and ``after`` (``{}`` stands for an object that does not exist)."""
    result = dict(changed=action not in ("unchanged", "already_absent"), action=action, **values)
    if module._diff:
        result["diff"] = dict(before=before or {}, after=after or {})
    return result
