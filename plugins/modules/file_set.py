# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: file_set
short_description: Keep a set of directories and files with given contents in one call
description:
  - Creates the directories of O(directories) and writes the files of O(files), each only when it
    is missing or its content, mode, owner or group differ; the rest is left untouched.
  - One call for what would otherwise be one M(ansible.builtin.file) or M(ansible.builtin.template)
    task per path, each costing a round trip to the host. Render the contents on the controller
    (e.g. with C(lookup('ansible.builtin.template', ...))) and hand them over.
  - Files are replaced atomically (written aside, then renamed), never removed.
  - Reports which files changed (RV(changed_files)), so a caller can restart exactly what uses
    them, and which of O(check_paths) exist (RV(existing_paths)).
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  directories:
    description: Directories to create (with their parents) before the files are written.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      mode:
        description: Octal mode as a string, e.g. C("0755").
        type: str
        default: "0755"
      owner:
        description: Owner (name or uid); unset keeps the current one.
        type: str
      group:
        description: Group (name or gid); unset keeps the current one.
        type: str
  files:
    description: Files to keep at the given content.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path; its directory must exist or be listed in O(directories).
        type: path
        required: true
      content:
        description: The whole content of the file.
        type: str
        required: true
      mode:
        description: Octal mode as a string, e.g. C("0600").
        type: str
        default: "0644"
      owner:
        description: Owner (name or uid); unset keeps the current one.
        type: str
      group:
        description: Group (name or gid); unset keeps the current one.
        type: str
      secret:
        description: Never show this file's content in a diff (the diff says only that it changed).
        type: bool
        default: false
      validate:
        description:
          - Command that checks the new content before it replaces the file, with C(%s) standing for
            the path of the content written aside (e.g. C(/usr/sbin/nft -c -f %s)); run without a
            shell. A non-zero exit fails the task and leaves the file as it was.
          - Runs only when the content changes (not in check mode).
        type: str
  check_paths:
    description: Paths whose existence is reported in RV(existing_paths) (read before anything is written).
    type: list
    elements: path
    default: []
  read_paths:
    description:
      - Text files whose content is returned in RV(contents) as it was when the module started,
        before anything is written; a missing file reads as V(null).
      - Saves the separate M(ansible.builtin.slurp) call of a caller that merges its settings into
        a file it does not own entirely (and its base64 round trip).
    type: list
    elements: path
    default: []
extends_documentation_fragment:
  - action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
notes:
  - Module arguments are logged unless the task sets C(no_log); put files with secrets into a task
    of their own that sets C(no_log).
seealso:
  - module: ansible.builtin.copy
  - module: ansible.builtin.template
"""

EXAMPLES = r"""
- name: Render the project files of a service
  foundrycloud.platform.file_set:
    directories:
      - {path: /opt/app, mode: "0700", owner: root, group: root}
      - {path: /opt/app/files, owner: root, group: root}
    files:
      - path: /opt/app/compose.yml
        content: "{{ lookup('ansible.builtin.template', 'compose.yml.j2') }}"
        mode: "0600"
    check_paths: [/opt/app/files/schema.sql]
  register: app_files

- name: Restart when the configuration changed
  ansible.builtin.debug:
    msg: "{{ app_files.changed_files }}"
  when: "'/opt/app/compose.yml' in app_files.changed_files"
"""

RETURN = r"""
changed_files:
  description: Paths of the files that were (or in check mode would be) written or whose attributes changed.
  returned: always
  type: list
  elements: str
  sample: [/opt/app/compose.yml]
changed_directories:
  description: Paths of the directories that were (or would be) created or whose attributes changed.
  returned: always
  type: list
  elements: str
  sample: [/opt/app/files]
existing_paths:
  description: The paths of O(check_paths) that existed when the module started.
  returned: always
  type: list
  elements: str
  sample: []
contents:
  description: The text of each path of O(read_paths), V(null) for a path that did not exist.
  returned: always
  type: dict
  sample: {/etc/docker/daemon.json: '{"log-driver": "local"}'}
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

PATH_SPEC = dict(
    path=dict(type="path", required=True),
    owner=dict(type="str"),
    group=dict(type="str"),
)


def read_text(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None


def parse_mode(module, value, path):
    try:
        mode = int(str(value), 8)
    except ValueError:
        module.fail_json(msg="file_set: mode %r of %s is not an octal mode like '0644'; nothing was changed"
                         % (value, path))
    if not 0 <= mode <= 0o7777:
        module.fail_json(msg="file_set: mode %r of %s is out of range; nothing was changed" % (value, path))
    return mode


def attributes(entry):
    return dict(path=entry["path"], mode=entry["_mode"], owner=entry.get("owner"), group=entry.get("group"),
                secontext=[None, None, None, None], attributes=None)


def validate(module, entry, tmp, changed_files, changed_dirs):
    """Fails the module when the entry's validate command refuses the content written aside at tmp."""
    command = entry["validate"].replace("%s", tmp)
    rc, out, err = module.run_command(command)
    if rc != 0:
        os.unlink(tmp)
        module.fail_json(msg="file_set: %s was not written: %s refused the new content (rc %d): %s"
                         % (entry["path"], entry["validate"], rc, (err or out).strip()),
                         changed_files=changed_files, changed_directories=changed_dirs)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type="list", elements="dict", default=[],
                             options=dict(PATH_SPEC, mode=dict(type="str", default="0755"))),
            files=dict(type="list", elements="dict", default=[],
                       options=dict(PATH_SPEC, content=dict(type="str", required=True),
                                    mode=dict(type="str", default="0644"),
                                    secret=dict(type="bool", default=False),
                                    validate=dict(type="str"))),
            check_paths=dict(type="list", elements="path", default=[]),
            read_paths=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    directories, files = module.params["directories"], module.params["files"]

    # Every input problem before the first change.
    seen = set()
    for entry in directories + files:
        if not os.path.isabs(entry["path"]):
            module.fail_json(msg="file_set: %s is not an absolute path; nothing was changed" % entry["path"])
        entry["_mode"] = parse_mode(module, entry["mode"], entry["path"])
    for entry in files:
        if entry["path"] in seen:
            module.fail_json(msg="file_set: %s is listed twice; nothing was changed" % entry["path"])
        seen.add(entry["path"])
        if os.path.isdir(entry["path"]):
            module.fail_json(msg="file_set: %s is a directory; nothing was changed" % entry["path"])
        if entry["validate"] is not None and "%s" not in entry["validate"]:
            module.fail_json(msg="file_set: validate of %s must contain %%s (the path of the new content): %r; "
                                 "nothing was changed" % (entry["path"], entry["validate"]))

    existing = [path for path in module.params["check_paths"] if os.path.lexists(path)]
    contents = {}
    for path in module.params["read_paths"]:
        if os.path.isdir(path):
            module.fail_json(msg="file_set: %s (read_paths) is a directory; nothing was changed" % path)
        contents[path] = read_text(path)
    changed_dirs, changed_files, diffs = [], [], []

    for entry in directories:
        path = entry["path"]
        if not os.path.isdir(path):
            changed_dirs.append(path)
            diffs.append(dict(before_header=path, after_header=path, before="(absent)\n", after="(directory)\n"))
            if module.check_mode:
                continue
            os.makedirs(path, entry["_mode"])
        # In check mode this only tells whether the attributes differ.
        if module.set_fs_attributes_if_different(attributes(entry), False) and path not in changed_dirs:
            changed_dirs.append(path)

    for entry in files:
        path, content = entry["path"], entry["content"]
        before = read_text(path)
        content_changed = before != content
        if content_changed:
            diffs.append(dict(before_header=path, after_header=path,
                              before=("(secret content)\n" if entry["secret"] else before) if before is not None else "",
                              after="(secret content, changed)\n" if entry["secret"] else content))
            if not module.check_mode:
                directory = os.path.dirname(path)
                if not os.path.isdir(directory):
                    module.fail_json(msg="file_set: the directory of %s does not exist (list it in directories)" % path,
                                     changed_files=changed_files, changed_directories=changed_dirs)
                # Written aside with its final mode, then renamed over the old file: never
                # readable by others, not even for a moment, and never half written.
                handle, tmp = tempfile.mkstemp(dir=directory, prefix=".file_set.")
                try:
                    os.fchmod(handle, entry["_mode"])
                    with os.fdopen(handle, "wb") as out:
                        out.write(content.encode("utf-8"))
                    if entry["validate"] is not None:
                        validate(module, entry, tmp, changed_files, changed_dirs)
                    os.replace(tmp, path)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
        attrs_changed = False
        if not (module.check_mode and before is None):
            attrs_changed = module.set_fs_attributes_if_different(attributes(entry), False)
        if content_changed or attrs_changed:
            changed_files.append(path)

    result = dict(changed=bool(changed_dirs or changed_files), changed_files=changed_files,
                  changed_directories=changed_dirs, existing_paths=existing, contents=contents)
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
