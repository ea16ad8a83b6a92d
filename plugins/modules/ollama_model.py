# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ollama_model
short_description: Pull or delete a model on an Ollama server, idempotently
description:
  - Makes sure a model is present on an Ollama server (pulled if missing), up to date with its registry, or absent.
  - Model names are compared the way Ollama compares them, case-insensitively and with its defaults filled in,
    so C(qwen2.5), C(library/qwen2.5:latest) and C(registry.ollama.ai/library/qwen2.5:latest) are the same model.
  - Pulls stream Ollama's progress. A connection that drops or a stream that stalls for O(timeout) seconds is retried
    with back-off; Ollama keeps partially downloaded blobs, so the next attempt resumes.
  - Talks only to the Ollama API (and, for O(state=latest) in check mode, reads one manifest from the registry).
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description:
      - The model, as Ollama names it, C([host/][namespace/]model[:tag]).
      - The namespace defaults to C(library), the host to C(registry.ollama.ai), the tag to C(latest).
    type: str
    required: true
  state:
    description:
      - V(present) pulls the model only if the server does not have it; no request is made to pull it otherwise.
      - V(latest) always asks Ollama to pull, which fetches a newer version if the registry has one. The task reports
        a change only when the model's digest on the server changed (or the model was missing).
      - V(absent) deletes the model. A model that is not there counts as already absent.
    type: str
    choices: [present, absent, latest]
    default: present
  insecure:
    description:
      - Let Ollama talk to the model's registry over plain HTTP instead of HTTPS, for example a lab mirror without TLS.
      - In check mode with O(state=latest), the module reads the manifest over plain HTTP as well.
    type: bool
    default: false
extends_documentation_fragment:
  - foundrycloud.platform.ollama
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is pulled or deleted. V(present) and V(absent) are predicted exactly from the models the server lists.
      - For V(latest) with the model present, the digest on the server is compared with the digest of the model's
        manifest in its registry (for C(registry.ollama.ai) models the server shows exactly that digest).
        If the registry cannot be reached from the target host, the task reports V(changed=true) with a warning,
        because an update cannot be ruled out.
  diff_mode:
    support: full
    details:
      - The diff shows the list of models on the server before and after.
  platform:
    platforms: posix
notes:
  - An unknown model makes Ollama answer HTTP 200 with an error in the stream; the module fails at once without retrying.
  - Pulling a large model can take a long time; O(timeout) limits the time without progress, not the whole pull.
seealso:
  - module: foundrycloud.platform.ollama_model_info
  - module: foundrycloud.platform.vram_budget
"""

EXAMPLES = r"""
- name: Make sure the coding model is on the GPU node
  foundrycloud.platform.ollama_model:
    name: qwen2.5-coder:7b

- name: Keep the chat model current (changed only when a new version was pulled)
  foundrycloud.platform.ollama_model:
    name: llama3.1:8b
    state: latest

- name: Remove a model nobody uses any more
  foundrycloud.platform.ollama_model:
    name: mistral:7b
    state: absent

- name: Pull from the lab mirror over plain HTTP, through an authenticating proxy in front of Ollama
  foundrycloud.platform.ollama_model:
    name: registry.lab.internal:5000/team/coder:v3
    insecure: true
    url: https://ollama.gpu-1.lab.internal
    bearer_token: "{{ vault_ollama_proxy_token }}"
    timeout: 60
    retries: 5
"""

RETURN = r"""
name:
  description: The model's name in the short form the server lists it under.
  returned: always
  type: str
  sample: qwen2.5-coder:7b
action:
  description:
    - What was done, or in check mode what would be done.
    - V(pulled) (was missing), V(already_present), V(updated) (V(latest) brought a new digest), V(unchanged)
      (V(latest), same digest), V(deleted), V(already_absent).
  returned: always
  type: str
  sample: pulled
digest:
  description:
    - Digest of the model on the server after the task, as C(/api/tags) shows it (hex, without C(sha256:)).
    - V(null) when the model is absent, and in check mode when a pull is predicted whose resulting digest is not known.
  returned: always
  type: str
  sample: 2bada8a7450677000f678be90653b85d364de7db25eb5ea54136ada5f3933730
size:
  description: Size of the model on the server in bytes; V(null) when absent or not known yet.
  returned: always
  type: int
  sample: 4683087332
registry_digest:
  description: In check mode with O(state=latest), the manifest digest read from the registry (hex), when it could be read.
  returned: when available
  type: str
pull:
  description: Summary of the pull, when one was made.
  returned: when a pull ran
  type: dict
  contains:
    status:
      description: Last status line of the stream (V(success)).
      type: str
    bytes:
      description: Bytes of the model's layers as reported complete by Ollama (includes parts it already had).
      type: int
    total:
      description: Total bytes of the layers Ollama reported.
      type: int
    seconds:
      description: Duration of the pull, all attempts included.
      type: float
    attempts:
      description: Number of pull requests made (1 when nothing had to be retried).
      type: int
  sample:
    status: success
    bytes: 4683073184
    total: 4683073184
    seconds: 212.4
    attempts: 2
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.ollama import (
    ModelName,
    OllamaError,
    RegistryClient,
    client_from_params,
    find_model,
    ollama_argument_spec,
)


def bare_digest(digest):
    """Ollama lists digests as hex; registries as sha256:<hex>."""
    if not isinstance(digest, str):
        return None
    return digest[len("sha256:"):] if digest.startswith("sha256:") else digest


def model_names(models):
    return sorted(str(entry.get("name") or entry.get("model")) for entry in models)


class ModelTask:
    """Compares the wanted state with what the server lists, then acts (or predicts)."""

    def __init__(self, module, client, name):
        self.module = module
        self.client = client
        self.name = name
        self.state = module.params["state"]
        self.insecure = module.params["insecure"]
        self.check_mode = module.check_mode

    def run(self):
        before = self.client.tags()
        entry = find_model(before, self.name)
        if self.state == "absent":
            result, after = self.remove(before, entry)
        elif entry is not None and self.state == "present":
            result, after = self.outcome("already_present", entry), before
        elif entry is None:
            result, after = self.pull_missing(before)
        else:
            result, after = self.update(before, entry)
        if self.module._diff:
            result["diff"] = {
                "before": {"models": model_names(before)},
                "after": {"models": model_names(after)},
                "before_header": "models at %s" % self.client.url,
                "after_header": "models at %s" % self.client.url,
            }
        return result

    def outcome(self, action, entry=None, changed=False, **extra):
        entry = entry or {}
        result = dict(
            changed=changed,
            name=self.name.short,
            action=action,
            digest=bare_digest(entry.get("digest")),
            size=entry.get("size"),
        )
        result.update(extra)
        return result

    def remove(self, before, entry):
        if entry is None:
            return self.outcome("already_absent"), before
        after = [m for m in before if m is not entry]
        if self.check_mode:
            return self.outcome("deleted", changed=True), after
        if not self.client.delete(self.name):
            # Deleted by someone else between our listing and our request: nothing changed.
            return self.outcome("already_absent"), after
        return self.outcome("deleted", changed=True), after

    def pull_missing(self, before):
        after = before + [{"name": self.name.short}]
        if self.check_mode:
            return self.outcome("pulled", changed=True), after
        summary = self.client.pull(self.name, insecure=self.insecure)
        return self.outcome("pulled", summary, changed=True, pull=pull_summary(summary)), after

    def update(self, before, entry):
        if self.check_mode:
            return self.predict_update(entry), before
        summary = self.client.pull(self.name, insecure=self.insecure)
        changed = bare_digest(summary.get("digest")) != bare_digest(entry.get("digest"))
        action = "updated" if changed else "unchanged"
        return self.outcome(action, summary, changed=changed, pull=pull_summary(summary)), before

    def predict_update(self, entry):
        """Check mode for state=latest: compare with the registry's manifest digest if it can be read."""
        registry = RegistryClient(
            insecure=self.insecure,
            timeout=self.module.params["timeout"],
            validate_certs=self.module.params["validate_certs"],
            retries=self.module.params["retries"],
        )
        try:
            manifest = registry.manifest(self.name)
        except OllamaError as exc:
            self.module.warn(
                "check mode: cannot compare model %s with its registry (%s); reporting a change because an update "
                "cannot be ruled out" % (self.name.short, exc)
            )
            return self.outcome("updated", changed=True)
        remote = bare_digest(manifest["digest"])
        # Either digest may be what the server lists (see RegistryClient.manifest).
        if bare_digest(entry.get("digest")) in (remote, bare_digest(manifest["ollama_digest"])):
            return self.outcome("unchanged", entry, registry_digest=remote)
        return self.outcome("updated", {"digest": bare_digest(manifest["ollama_digest"])}, changed=True, registry_digest=remote)


def pull_summary(summary):
    return dict(
        status=summary.get("status"),
        bytes=summary.get("completed"),
        total=summary.get("total"),
        seconds=summary.get("seconds"),
        attempts=summary.get("attempts"),
    )


def failure_message(exc, name_text, url):
    """Every failure names the model and the URL, whatever part of the stack raised it."""
    message = str(exc)
    if name_text not in message and (exc.model is None or exc.model not in message):
        message = "model %s: %s" % (name_text, message)
    if url not in message:
        message = "%s (Ollama at %s)" % (message, url)
    return message


def main():
    module = AnsibleModule(
        argument_spec=ollama_argument_spec(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent", "latest"]),
            insecure=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    name_text = module.params["name"]
    url = module.params["url"]
    try:
        name = ModelName.parse(name_text)
        client = client_from_params(module.params)
        result = ModelTask(module, client, name).run()
    except OllamaError as exc:
        module.fail_json(msg=failure_message(exc, name_text, url), name=name_text, url=url)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
