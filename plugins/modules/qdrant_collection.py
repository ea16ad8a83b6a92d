# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: qdrant_collection
short_description: Create, update or delete a Qdrant collection, idempotently and without losing data
description:
  - Makes sure a collection exists on a Qdrant server with the given vector definition and parameters, or that it does not exist.
  - Only the options that are set are compared with the collection on the server; options left out are not looked at,
    so a collection keeps whatever the server or an earlier task gave it there.
  - Parameters that Qdrant can change in place are changed with an update of the collection (C(PATCH)), and its points are kept.
    These are the O(vectors.on_disk) flag of a vector, O(on_disk_payload), O(replication_factor), O(write_consistency_factor),
    O(hnsw_config) and O(optimizers_config).
  - Changes that would need the collection to be created again (vector size or distance, unnamed versus named vectors,
    the set of named vectors, O(shard_number)) make the task B(fail) with a message naming the collection and each such field,
    and nothing is changed. Creating the collection again would delete all its points, and a re-run of a playbook must never do that.
    To do it on purpose, delete the collection with O(state=absent) in a task of its own, or use a new collection name.
  - O(state=absent) deletes this one collection, with its points; a collection that is not there counts as already absent.
  - Talks only to Qdrant's REST API.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description:
      - Name of the collection, at most 255 characters.
      - 'Qdrant does not allow these characters in it: C(< > : " / \ | ? *).'
    type: str
    required: true
  state:
    description:
      - V(present) creates the collection if it is missing and updates the parameters Qdrant can change in place.
      - V(absent) deletes the collection and all its points.
    type: str
    choices: [present, absent]
    default: present
  vectors:
    description:
      - The single, unnamed vector of each point. Required with O(state=present) unless O(named_vectors) is given.
    type: dict
    suboptions:
      size:
        description:
          - Number of dimensions, the size of the embedding model's vectors (for example 768 or 1536).
          - Cannot be changed once the collection exists.
        type: int
        required: true
      distance:
        description:
          - How vectors are compared. Cannot be changed once the collection exists.
        type: str
        required: true
        choices: [Cosine, Euclid, Dot, Manhattan]
      on_disk:
        description:
          - Keep the vectors in files mapped into memory instead of in RAM. Qdrant can change this in place.
          - Left out, the setting is not compared (a new collection gets Qdrant's default, in RAM).
        type: bool
  named_vectors:
    description:
      - Several vectors per point, by name, for example one for text and one for images.
      - A dict of vector name to a definition with the keys of O(vectors) (C(size) and C(distance) required, C(on_disk) optional).
      - Mutually exclusive with O(vectors). The set of names cannot be changed once the collection exists.
    type: dict
  on_disk_payload:
    description:
      - Keep the payloads on disk rather than in RAM. Qdrant can change this in place.
    type: bool
  shard_number:
    description:
      - Number of shards of the collection. Cannot be changed once the collection exists.
    type: int
  replication_factor:
    description:
      - Number of copies of each shard, for Qdrant clusters. Qdrant can change this in place.
    type: int
  write_consistency_factor:
    description:
      - How many replicas must confirm a write, for Qdrant clusters. Qdrant can change this in place.
    type: int
  hnsw_config:
    description:
      - Parameters of the vector index. Only the keys that are set are compared and changed; Qdrant can change them in place
        and rebuilds the index in the background.
    type: dict
    suboptions:
      m:
        description: Number of edges per node in the index graph; V(0) disables the graph.
        type: int
      ef_construct:
        description: Number of neighbours considered while building the index.
        type: int
      full_scan_threshold:
        description: Size in kilobytes of a segment below which a search reads all vectors instead of the index.
        type: int
      max_indexing_threads:
        description: Threads used to build the index; V(0) lets Qdrant choose.
        type: int
      on_disk:
        description: Keep the index on disk instead of in RAM.
        type: bool
      payload_m:
        description: Number of edges per node in the additional index graphs built for payload filters.
        type: int
  optimizers_config:
    description:
      - Parameters of Qdrant's background optimizers. Only the keys that are set are compared and changed; Qdrant can change them
        in place. The server reports them as C(optimizer_config).
    type: dict
    suboptions:
      deleted_threshold:
        description: Share (0 to 1) of deleted points in a segment above which the segment is rebuilt.
        type: float
      vacuum_min_vector_number:
        description: Minimal number of vectors in a segment for it to be rebuilt for deleted points.
        type: int
      default_segment_number:
        description: Target number of segments; V(0) lets Qdrant choose from the number of CPUs.
        type: int
      max_segment_size:
        description: Maximal size of a segment, in kilobytes.
        type: int
      memmap_threshold:
        description: Size in kilobytes of a segment above which its vectors are kept in memory-mapped files.
        type: int
      indexing_threshold:
        description: Size in kilobytes of a segment above which its vectors are indexed; V(0) disables indexing.
        type: int
      flush_interval_sec:
        description: Interval in seconds between writes of the data to disk.
        type: int
      max_optimization_threads:
        description: Maximal number of threads per shard used by the optimizers.
        type: int
extends_documentation_fragment:
  - foundrycloud.platform.qdrant
  - foundrycloud.platform.http_api
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created, changed or deleted; the outcome is predicted from the collection the server reports.
      - A change that would need the collection to be created again fails in check mode as it would in a real run.
  diff_mode:
    support: full
    details:
      - The diff shows the collection's configuration (C(params), C(hnsw_config), C(optimizer_config), ...) before and after;
        V({}) stands for a collection that does not exist. In check mode, a collection to be created shows only the options given.
  platform:
    platforms: posix
notes:
  - Only dense vectors are managed. Sparse vectors, quantization and the other collection settings are left as they are.
  - With an API key configured on the server, pass the read-write key in O(api_key); the read-only key is refused for any change
    and the task says so.
seealso:
  - module: foundrycloud.platform.qdrant_collection_info
  - name: Qdrant collections
    description: What the parameters of a collection mean.
    link: https://qdrant.tech/documentation/concepts/collections/
"""

EXAMPLES = r"""
- name: Collection for the documentation assistant (768-dimensional embeddings)
  foundrycloud.platform.qdrant_collection:
    name: docs
    vectors:
      size: 768
      distance: Cosine
    api_key: "{{ qdrant_api_key }}"

- name: Named vectors, payload on disk, index built from 20000 KB segments on
  foundrycloud.platform.qdrant_collection:
    name: products
    named_vectors:
      text:
        size: 1024
        distance: Cosine
      image:
        size: 512
        distance: Dot
        on_disk: true
    on_disk_payload: true
    optimizers_config:
      indexing_threshold: 20000
    url: https://qdrant.internal.example:6333
    ca_path: /etc/ssl/certs/internal-ca.pem
    api_key: "{{ qdrant_api_key }}"

- name: Move the vectors of an existing collection out of RAM (changed in place, points kept)
  foundrycloud.platform.qdrant_collection:
    name: docs
    vectors:
      size: 768
      distance: Cosine
      on_disk: true
    hnsw_config:
      on_disk: true

- name: Delete a collection nobody uses any more (its points are deleted with it)
  foundrycloud.platform.qdrant_collection:
    name: old-experiment
    state: absent
    api_key: "{{ qdrant_api_key }}"
"""

RETURN = r"""
name:
  description: Name of the collection.
  returned: always
  type: str
  sample: docs
action:
  description:
    - What was done, or in check mode what would be done.
    - V(created), V(updated) (parameters changed in place), V(unchanged), V(deleted), V(already_absent).
  returned: always
  type: str
  sample: updated
changes:
  description:
    - The parameters changed in place (or, in check mode, that would be), each with its value before and after.
    - Keys are option paths such as C(vectors.on_disk), C(named_vectors.image.on_disk), C(on_disk_payload),
      C(hnsw_config.m) or C(optimizers_config.indexing_threshold). Empty unless O(state=present) found the collection different.
  returned: always
  type: dict
  sample:
    vectors.on_disk:
      before: false
      after: true
config:
  description:
    - The collection's configuration as Qdrant reports it after the task (C(params), C(hnsw_config), C(optimizer_config),
      C(wal_config), ...); V(null) when the collection does not exist.
    - In check mode, the configuration predicted; for a collection to be created, only the options given.
  returned: always
  type: dict
  sample:
    params:
      vectors:
        size: 768
        distance: Cosine
        on_disk: true
      shard_number: 1
      replication_factor: 1
      write_consistency_factor: 1
      on_disk_payload: true
    hnsw_config:
      m: 16
      ef_construct: 100
      full_scan_threshold: 10000
      max_indexing_threads: 0
      on_disk: false
    optimizer_config:
      deleted_threshold: 0.2
      vacuum_min_vector_number: 1000
      default_segment_number: 0
      indexing_threshold: 10000
      flush_interval_sec: 5
status:
  description: Qdrant's status of the collection after the task (V(green), V(yellow), V(grey) or V(red)); V(null) when absent or predicted.
  returned: always
  type: str
  sample: green
points_count:
  description: Number of points in the collection after the task; V(null) when absent or predicted.
  returned: always
  type: int
  sample: 12034
"""

import copy

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.foundrycloud.platform.plugins.module_utils.qdrant import (
    DISTANCES,
    QdrantConflictError,
    QdrantError,
    QdrantProtocolError,
    client_from_params,
    collection_name_problem,
    qdrant_argument_spec,
)

VECTOR_OPTIONS = dict(
    size=dict(type="int", required=True),
    distance=dict(type="str", required=True, choices=list(DISTANCES)),
    on_disk=dict(type="bool"),
)
HNSW_OPTIONS = dict(
    m=dict(type="int"),
    ef_construct=dict(type="int"),
    full_scan_threshold=dict(type="int"),
    max_indexing_threads=dict(type="int"),
    on_disk=dict(type="bool"),
    payload_m=dict(type="int"),
)
OPTIMIZER_OPTIONS = dict(
    deleted_threshold=dict(type="float"),
    vacuum_min_vector_number=dict(type="int"),
    default_segment_number=dict(type="int"),
    max_segment_size=dict(type="int"),
    memmap_threshold=dict(type="int"),
    indexing_threshold=dict(type="int"),
    flush_interval_sec=dict(type="int"),
    max_optimization_threads=dict(type="int"),
)
# Collection parameters: the ones Qdrant can PATCH, and the one that needs the collection made anew.
PATCHABLE_PARAMS = ("on_disk_payload", "replication_factor", "write_consistency_factor")
FIXED_PARAMS = ("shard_number",)
MAX_VECTOR_SIZE = 65536


class InvalidOptions(Exception):
    pass


def compact(options):
    return dict((k, v) for k, v in (options or {}).items() if v is not None)


class Desired:
    """The collection the task asks for, validated, with unset options left out."""

    def __init__(self, params):
        self.named = params["named_vectors"] is not None
        if self.named:
            self.vectors = self._named(params["named_vectors"])
        else:
            self.vectors = self._vector(params["vectors"], "vectors")
        self.params = compact(dict((k, params[k]) for k in PATCHABLE_PARAMS + FIXED_PARAMS))
        self.hnsw = compact(params["hnsw_config"])
        self.optimizers = compact(params["optimizers_config"])
        for key in ("shard_number", "replication_factor", "write_consistency_factor"):
            if key in self.params and self.params[key] < 1:
                raise InvalidOptions("%s must be 1 or more, got %d" % (key, self.params[key]))
        for group, values in (("hnsw_config", self.hnsw), ("optimizers_config", self.optimizers)):
            for key, value in values.items():
                if not isinstance(value, bool) and value < 0:
                    raise InvalidOptions("%s.%s must not be negative, got %s" % (group, key, value))
        if not 0 <= self.optimizers.get("deleted_threshold", 0) <= 1:
            raise InvalidOptions("optimizers_config.deleted_threshold must be between 0 and 1, got %s" % self.optimizers["deleted_threshold"])

    @staticmethod
    def _vector(options, where):
        vector = compact(options)
        if not 1 <= vector["size"] <= MAX_VECTOR_SIZE:
            raise InvalidOptions("%s.size must be between 1 and %d, got %d" % (where, MAX_VECTOR_SIZE, vector["size"]))
        return vector

    def _named(self, raw):
        if not raw:
            raise InvalidOptions("named_vectors must name at least one vector")
        vectors = {}
        validator = ArgumentSpecValidator(VECTOR_OPTIONS)
        for name, options in raw.items():
            where = "named_vectors.%s" % name
            if not name:
                raise InvalidOptions("named_vectors: a vector name must not be empty")
            if not isinstance(options, dict):
                raise InvalidOptions("%s must be a dict with size, distance and optionally on_disk, got %r" % (where, options))
            result = validator.validate(options)
            if result.error_messages:
                raise InvalidOptions("%s: %s" % (where, "; ".join(
                    ("unsupported parameters: %s" % error) if isinstance(error, UnsupportedError) else str(error)
                    for error in result.errors.errors)))
            vectors[name] = self._vector(result.validated_parameters, where)
        return vectors

    def creation_body(self):
        body = dict(vectors=copy.deepcopy(self.vectors))
        body.update(self.params)
        if self.hnsw:
            body["hnsw_config"] = dict(self.hnsw)
        if self.optimizers:
            body["optimizers_config"] = dict(self.optimizers)
        return body

    def predicted_config(self):
        """What a check-mode creation can tell about the collection: the options given."""
        config = dict(params=dict(vectors=copy.deepcopy(self.vectors), **self.params))
        if self.hnsw:
            config["hnsw_config"] = dict(self.hnsw)
        if self.optimizers:
            config["optimizer_config"] = dict(self.optimizers)
        return config


class Plan:
    """Differences between the desired and the existing collection."""

    def __init__(self):
        self.refused = []  # (field, on the server, wanted): changes that need the collection made anew
        self.patch = {}  # body of the PATCH request
        self.changes = {}  # option path -> {"before", "after"}

    def refuse(self, field, existing, wanted):
        self.refused.append((field, existing, wanted))

    def change(self, path, section, key, before, after):
        """``section``: a tuple of keys into the PATCH body."""
        target = self.patch
        for part in section:
            target = target.setdefault(part, {})
        target[key] = after
        self.changes[path] = {"before": before, "after": after}


def describe(value):
    if isinstance(value, dict) and "size" in value:
        return "an unnamed vector"
    if isinstance(value, dict):
        return "named vectors (%s)" % ", ".join(sorted(value)) if value else "no vectors"
    return "%s" % (value,)


def compare_vector(plan, path, patch_name, existing, wanted):
    for key in ("size", "distance"):
        if existing.get(key) != wanted[key]:
            plan.refuse("%s.%s" % (path, key), existing.get(key), wanted[key])
    if "on_disk" in wanted and bool(existing.get("on_disk", False)) != wanted["on_disk"]:
        plan.change("%s.on_disk" % path, ("vectors", patch_name), "on_disk", bool(existing.get("on_disk", False)), wanted["on_disk"])


def plan_changes(desired, info):
    plan = Plan()
    config = info["config"]
    params = config["params"]
    existing = params["vectors"]
    existing_single = "size" in existing
    if not desired.named and existing_single:
        compare_vector(plan, "vectors", "", existing, desired.vectors)
    elif desired.named and not existing_single:
        missing = sorted(set(desired.vectors) - set(existing))
        extra = sorted(set(existing) - set(desired.vectors))
        if missing or extra:
            plan.refuse("named_vectors", describe(existing), describe(desired.vectors))
        for name in sorted(set(desired.vectors) & set(existing)):
            compare_vector(plan, "named_vectors.%s" % name, name, existing[name], desired.vectors[name])
    else:
        plan.refuse("named_vectors" if desired.named else "vectors", describe(existing), describe(desired.vectors))
    for key, wanted in desired.params.items():
        if params.get(key) == wanted:
            continue
        if key in FIXED_PARAMS:
            plan.refuse(key, params.get(key), wanted)
        else:
            plan.change(key, ("params",), key, params.get(key), wanted)
    hnsw = config.get("hnsw_config") or {}
    for key, wanted in desired.hnsw.items():
        before = bool(hnsw.get(key, False)) if key == "on_disk" else hnsw.get(key)
        if before != wanted:
            plan.change("hnsw_config.%s" % key, ("hnsw_config",), key, before, wanted)
    optimizers = config.get("optimizer_config") or {}
    for key, wanted in desired.optimizers.items():
        if optimizers.get(key) != wanted:
            plan.change("optimizers_config.%s" % key, ("optimizers_config",), key, optimizers.get(key), wanted)
    return plan


def apply_patch(config, patch):
    """The configuration as it will be after ``patch`` (for check mode)."""
    config = copy.deepcopy(config)
    vectors = config["params"]["vectors"]
    for name, diff in patch.get("vectors", {}).items():
        (vectors if name == "" else vectors[name]).update(diff)
    config["params"].update(patch.get("params", {}))
    if "hnsw_config" in patch:
        config["hnsw_config"] = dict(config.get("hnsw_config") or {}, **patch["hnsw_config"])
    if "optimizers_config" in patch:
        config["optimizer_config"] = dict(config.get("optimizer_config") or {}, **patch["optimizers_config"])
    return config


class CollectionTask:
    """Compares the wanted collection (``desired``, None for state=absent) with the server's, then acts or predicts."""

    def __init__(self, module, client, name, desired):
        self.module = module
        self.client = client
        self.name = name
        self.desired = desired
        self.check_mode = module.check_mode

    def run(self):
        info = self.client.get_collection(self.name)
        if self.desired is None:
            result, after = self.remove(info)
        elif info is None:
            result, after = self.create(self.desired)
        else:
            result, after = self.update(self.desired, info)
        if self.module._diff:
            header = "collection %s at %s" % (self.name, self.client.url)
            result["diff"] = dict(
                before=copy.deepcopy(info["config"]) if info else {},
                after=after if after is not None else {},
                before_header=header,
                after_header=header,
            )
        return result

    def outcome(self, action, info=None, changed=False, config=None, changes=None):
        if info is not None:
            config = info["config"]
        return dict(
            changed=changed,
            name=self.name,
            action=action,
            changes=changes or {},
            config=config,
            status=info.get("status") if info else None,
            points_count=info.get("points_count") if info else None,
        )

    def reread(self, doing):
        info = self.client.get_collection(self.name)
        if info is None:
            raise QdrantProtocolError("collection '%s' on Qdrant at %s: not found right after %s it" % (self.name, self.client.url, doing),
                                      url=self.client.url)
        return info

    def remove(self, info):
        if info is None:
            return self.outcome("already_absent"), None
        if self.check_mode:
            return self.outcome("deleted", changed=True), None
        if not self.client.delete_collection(self.name):
            # Deleted by someone else between our reading and our request.
            return self.outcome("already_absent"), None
        return self.outcome("deleted", changed=True), None

    def create(self, desired):
        if self.check_mode:
            predicted = desired.predicted_config()
            return self.outcome("created", changed=True, config=predicted), predicted
        try:
            self.client.create_collection(self.name, desired.creation_body())
        except QdrantConflictError:
            # Created meanwhile (by another run, or by our own request before a retry): compare with it.
            info = self.reread("being told it exists")
            return self.update(desired, info)
        info = self.reread("creating")
        return self.outcome("created", info, changed=True), info["config"]

    def update(self, desired, info):
        plan = plan_changes(desired, info)
        if plan.refused:
            self.module.fail_json(msg=refusal_message(self.name, self.client.url, plan.refused, info),
                                  name=self.name, url=self.client.url, refused=[field for field, _e, _w in plan.refused])
        if not plan.patch:
            return self.outcome("unchanged", info), info["config"]
        if self.check_mode:
            predicted = apply_patch(info["config"], plan.patch)
            result = self.outcome("updated", changed=True, config=predicted, changes=plan.changes)
            return result, predicted
        self.client.update_collection(self.name, plan.patch)
        after = self.reread("updating")
        left = plan_changes(desired, after)
        if left.changes:
            self.module.warn("Qdrant at %s accepted the update of collection '%s' but still reports %s"
                             % (self.client.url, self.name, describe_changes(left.changes)))
        return self.outcome("updated", after, changed=True, changes=plan.changes), after["config"]


def describe_changes(changes):
    return ", ".join("%s=%s (wanted %s)" % (path, change["before"], change["after"]) for path, change in sorted(changes.items()))


def refusal_message(name, url, refused, info):
    fields = "; ".join("%s (%s on the server, %s wanted)" % (field, describe(existing), describe(wanted)) for field, existing, wanted in refused)
    points = info.get("points_count")
    held = "its %d points" % points if isinstance(points, int) else "all its points"
    return (
        "collection '%s' on Qdrant at %s cannot be changed in place: %s. Qdrant would have to create the collection "
        "again, which deletes %s, so nothing was changed. To do it on purpose, delete the collection in a task of its "
        "own (state=absent) and create it again, or use a new collection name." % (name, url, fields, held)
    )


def failure_message(exc, name, url):
    """Every failure names the collection and the URL, whatever part of the stack raised it."""
    message = str(exc)
    if "'%s'" % name not in message:
        message = "collection '%s': %s" % (name, message)
    if url.rstrip("/") not in message:
        message = "%s (Qdrant at %s)" % (message, url)
    return message


def main():
    module = AnsibleModule(
        argument_spec=qdrant_argument_spec(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            vectors=dict(type="dict", options=VECTOR_OPTIONS),
            named_vectors=dict(type="dict"),
            on_disk_payload=dict(type="bool"),
            shard_number=dict(type="int"),
            replication_factor=dict(type="int"),
            write_consistency_factor=dict(type="int"),
            hnsw_config=dict(type="dict", options=HNSW_OPTIONS),
            optimizers_config=dict(type="dict", options=OPTIMIZER_OPTIONS),
        ),
        mutually_exclusive=[("vectors", "named_vectors")],
        required_if=[("state", "present", ("vectors", "named_vectors"), True)],
        supports_check_mode=True,
    )
    name = module.params["name"]
    url = module.params["url"]
    problem = collection_name_problem(name)
    if problem:
        module.fail_json(msg="%s (Qdrant at %s)" % (problem, url), name=name, url=url)
    try:
        desired = Desired(module.params) if module.params["state"] == "present" else None
    except InvalidOptions as exc:
        module.fail_json(msg="collection '%s': %s" % (name, exc), name=name, url=url)
    try:
        client = client_from_params(module.params)
        result = CollectionTask(module, client, name, desired).run()
    except QdrantError as exc:
        module.fail_json(msg=failure_message(exc, name, url), name=name, url=url)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
