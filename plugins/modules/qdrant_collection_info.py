# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: qdrant_collection_info
short_description: List the collections of a Qdrant server with their configuration
description:
  - Reads the version of a Qdrant server and, for every collection (or the one named), its status, number of points
    and configuration.
  - Only reads; the read-only API key is enough.
version_added: 0.1.0
author:
  - FoundryCloud Platform engineers (!UNKNOWN)
options:
  name:
    description:
      - Only this collection. When it does not exist, RV(collections) is empty; that is not an error.
    type: str
extends_documentation_fragment:
  - foundrycloud.platform.qdrant
  - foundrycloud.platform.http_api
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, in check mode as in a normal run.
  diff_mode:
    support: N/A
  platform:
    platforms: posix
seealso:
  - module: foundrycloud.platform.qdrant_collection
"""

EXAMPLES = r"""
- name: What is on the shared Qdrant
  foundrycloud.platform.qdrant_collection_info:
    api_key: "{{ qdrant_read_only_api_key }}"
  register: qdrant

- name: Show the collections and their sizes
  ansible.builtin.debug:
    msg: "{{ qdrant.collections | items2dict(key_name='name', value_name='points_count') }}"

- name: Does the docs collection exist?
  foundrycloud.platform.qdrant_collection_info:
    name: docs
  register: docs

- name: Fail when it has no points
  ansible.builtin.assert:
    that: docs.collections and docs.collections[0].points_count > 0
"""

RETURN = r"""
version:
  description: Version of the Qdrant server, as C(GET /) reports it.
  returned: always
  type: str
  sample: 1.15.4
collections:
  description: The collections, sorted by name (only the one of O(name) when given and present).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the collection.
      type: str
      sample: docs
    status:
      description: V(green), V(yellow), V(grey) or V(red), as Qdrant reports it.
      type: str
      sample: green
    points_count:
      description: Number of points.
      type: int
      sample: 12034
    config:
      description: The collection's configuration as Qdrant reports it (C(params), C(hnsw_config), C(optimizer_config), ...).
      type: dict
      sample:
        params:
          vectors:
            size: 768
            distance: Cosine
          shard_number: 1
          replication_factor: 1
          write_consistency_factor: 1
          on_disk_payload: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.foundrycloud.platform.plugins.module_utils.qdrant import (
    QdrantError,
    client_from_params,
    qdrant_argument_spec,
)


def summary(name, info):
    return dict(name=name, status=info.get("status"), points_count=info.get("points_count"), config=info["config"])


def main():
    module = AnsibleModule(
        argument_spec=qdrant_argument_spec(name=dict(type="str")),
        supports_check_mode=True,
    )
    url = module.params["url"]
    wanted = module.params["name"]
    try:
        client = client_from_params(module.params)
        version = client.server_info()["version"]
        names = [wanted] if wanted is not None else client.list_collections()
        collections = []
        for name in names:
            info = client.get_collection(name)
            if info is not None:  # none when asked for a missing one, or deleted while we read
                collections.append(summary(name, info))
    except QdrantError as exc:
        message = str(exc)
        if url.rstrip("/") not in message:
            message = "%s (Qdrant at %s)" % (message, url)
        module.fail_json(msg=message, url=url)
    module.exit_json(changed=False, version=version, collections=collections)


if __name__ == "__main__":
    main()
