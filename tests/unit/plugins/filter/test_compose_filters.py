# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters compose_project and compose_env_lines: thin wrappers of module_utils/service_catalog."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.foundrycloud.platform.plugins.filter.compose_env_lines import (
    FilterModule as EnvFilters,
    compose_env_lines,
)
from ansible_collections.foundrycloud.platform.plugins.filter.compose_project import (
    FilterModule as ProjectFilters,
    compose_project_filter,
)
from ansible_collections.foundrycloud.platform.plugins.module_utils.service_catalog import (
    compose_project,
    env_file_lines,
    resolve,
)


@pytest.fixture(scope="module")
def langfuse():
    return resolve(["langfuse"], registry="mirror.foundrycloud.test")[0]


def test_filters_are_registered_under_their_names():
    assert ProjectFilters().filters() == {"compose_project": compose_project_filter}
    assert EnvFilters().filters() == {"compose_env_lines": compose_env_lines}


def test_compose_project_filter_is_compose_project(langfuse):
    assert compose_project_filter(langfuse) == compose_project(langfuse)
    settings = {"s3_endpoint": "https://rgw.example"}
    project = compose_project_filter(langfuse, settings, "tenant-langfuse")
    assert project == compose_project(langfuse, settings, "tenant-langfuse")
    assert project["name"] == "tenant-langfuse"
    assert "minio" not in project["services"]
    assert project["services"]["postgres"]["image"].startswith("mirror.foundrycloud.test/library/postgres:")


@pytest.mark.parametrize(("entry", "named"), [
    ({"name": "broken", "containers": {"app": {}}}, "broken"),  # no image: KeyError
    ({"name": "broken"}, "broken"),  # no containers
    ({"name": "broken", "containers": {"app": {"image": "x", "ports": ["80"]}}}, "broken"),  # '%d' % '80'
    ({"name": "broken", "containers": ["app"]}, "broken"),
    (None, "the input"),
    ("n8n", "the input"),
])
def test_compose_project_filter_errors_are_filter_errors(entry, named):
    with pytest.raises(AnsibleFilterError, match=r"^compose_project: %s is not a resolved catalog entry" % named):
        compose_project_filter(entry)


def test_compose_env_lines_is_env_file_lines():
    platform = {"bind_address": "127.0.0.1", "tls": False}
    settings = {"timezone": "UTC", "s3_endpoint": None}
    secrets = {"db_password": "pw"}
    lines = compose_env_lines(platform, settings, secrets)
    assert lines == env_file_lines(platform, settings, secrets)
    assert lines == ["PLATFORM_BIND_ADDRESS='127.0.0.1'", "PLATFORM_TLS='false'", "SECRET_DB_PASSWORD='pw'",
                     "SETTING_S3_ENDPOINT=''", "SETTING_TIMEZONE='UTC'"]
    assert compose_env_lines({"fqdn": "x"}) == ["PLATFORM_FQDN='x'"]


@pytest.mark.parametrize("value", ["Sup3r'S3cret", "Sup3r\nS3cret"])
def test_compose_env_lines_refusal_names_the_key_not_the_value(value):
    with pytest.raises(AnsibleFilterError) as caught:
        compose_env_lines({}, {}, {"db_password": value})
    message = str(caught.value)
    assert message.startswith("compose_env_lines: SECRET_DB_PASSWORD:")
    assert "Sup3r" not in message and "S3cret" not in message


def test_compose_env_lines_refuses_what_is_not_a_mapping():
    with pytest.raises(AnsibleFilterError, match=r"^compose_env_lines: "):
        compose_env_lines(["fqdn"])


def test_project_layout_of_a_service_with_files_and_generated_files():
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_project_layout import (
        compose_project_layout,
    )
    guacamole = resolve(["guacamole"], registry="mirror.foundrycloud.test")[0]
    layout = compose_project_layout(guacamole, "/opt/fc/guacamole/", "services: {}\n", "SECRET_X='y'\n",
                                    ["-- admin\n", "# no directory\n"])
    assert [d["path"] for d in layout["directories"]] == ["/opt/fc/guacamole", "/opt/fc/guacamole/files",
                                                          "/opt/fc/guacamole/files/initdb"]
    assert [d["mode"] for d in layout["directories"]] == ["0700", "0755", "0755"]
    assert [f["path"] for f in layout["files"]] == ["/opt/fc/guacamole/compose.yml"]
    assert [(f["path"], f["secret"]) for f in layout["secret_files"]] == [
        ("/opt/fc/guacamole/.env", True), ("/opt/fc/guacamole/files/initdb/002-foundrycloud-admin.sql", True),
        ("/opt/fc/guacamole/files/directory.env", True)]
    assert layout["secret_files"][1]["content"] == "-- admin\n"
    assert layout["generated"] == ["/opt/fc/guacamole/files/initdb/001-schema.sql"]
    assert layout["check_paths"] == ["/opt/fc/guacamole/compose.yml", "/opt/fc/guacamole/files/initdb/001-schema.sql"]
    assert all(f["owner"] == "root" and f["group"] == "root" for f in layout["files"] + layout["secret_files"])


def test_project_layout_restart_map_and_plain_service():
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_project_layout import (
        compose_project_layout,
    )
    langfuse = resolve(["langfuse"], registry="mirror.foundrycloud.test")[0]
    layout = compose_project_layout(langfuse, "/srv/langfuse", "c", "e", ["requirepass x\n"])
    assert layout["restart"] == {"/srv/langfuse/compose.yml": [], "/srv/langfuse/.env": [],
                                 "/srv/langfuse/files/redis.conf": ["redis"]}
    qdrant = resolve(["qdrant"], registry="mirror.foundrycloud.test")[0]
    plain = compose_project_layout(qdrant, "/srv/qdrant", "c", "e")
    assert [d["path"] for d in plain["directories"]] == ["/srv/qdrant"] and plain["generated"] == []


def test_project_layout_refuses_contents_that_do_not_match_the_files():
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_project_layout import (
        compose_project_layout,
    )
    langfuse = resolve(["langfuse"], registry="mirror.foundrycloud.test")[0]
    with pytest.raises(AnsibleFilterError, match="0 rendered files for 1 files"):
        compose_project_layout(langfuse, "/srv/langfuse", "c", "e", [])


def test_project_layout_fingerprint_follows_every_written_byte_and_mode():
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_project_layout import (
        compose_project_layout,
    )
    langfuse = resolve(["langfuse"], registry="mirror.foundrycloud.test")[0]
    base = compose_project_layout(langfuse, "/srv/langfuse", "c", "e", ["requirepass x\n"])
    assert base["applied_marker"] == "/srv/langfuse/.applied"
    assert base["fingerprint"] == compose_project_layout(langfuse, "/srv/langfuse", "c", "e", ["requirepass x\n"])["fingerprint"]
    others = [
        compose_project_layout(langfuse, "/srv/langfuse", "c2", "e", ["requirepass x\n"]),   # compose.yml
        compose_project_layout(langfuse, "/srv/langfuse", "c", "e2", ["requirepass x\n"]),   # .env (secret)
        compose_project_layout(langfuse, "/srv/langfuse", "c", "e", ["requirepass y\n"]),    # a mounted file
        compose_project_layout(langfuse, "/srv/other", "c", "e", ["requirepass x\n"]),       # the place
    ]
    assert len({base["fingerprint"]} | {layout["fingerprint"] for layout in others}) == 5


COMPOSE = "services:\n  db: {image: postgres}\n  app: {image: n8n}\n"


def _ps(*containers):
    import json
    return "\n".join(json.dumps(c) for c in containers)


def test_compose_containers_ready_when_every_service_runs_and_is_healthy():
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_containers_ready import (
        compose_containers_ready,
    )
    ps = _ps({"Service": "db", "Name": "p-db-1", "State": "running", "Health": "healthy"},
             {"Service": "app", "Name": "p-app-1", "State": "running", "Health": ""})
    assert compose_containers_ready(ps, COMPOSE) is True
    # Compose before 2.21 printed one JSON array
    import json
    array = json.dumps([json.loads(line) for line in ps.splitlines()])
    assert compose_containers_ready(array, COMPOSE) is True


@pytest.mark.parametrize("ps, why", [
    (_ps({"Service": "db", "Name": "p-db-1", "State": "running", "Health": "healthy"}), "service app has no container"),
    (_ps({"Service": "db", "Name": "p-db-1", "State": "running", "Health": "starting"},
         {"Service": "app", "Name": "p-app-1", "State": "running"}), "p-db-1 is running, starting"),
    (_ps({"Service": "db", "Name": "p-db-1", "State": "running", "Health": "unhealthy"},
         {"Service": "app", "Name": "p-app-1", "State": "running"}), "unhealthy"),
    (_ps({"Service": "db", "Name": "p-db-1", "State": "exited", "Health": ""},
         {"Service": "app", "Name": "p-app-1", "State": "running"}), "p-db-1 is exited"),
    (_ps({"Service": "db", "Name": "p-db-1", "State": "restarting"},
         {"Service": "app", "Name": "p-app-1", "State": "running"}), "restarting"),
    ("", "service app has no container"),
    ("Error response from daemon: garbage", "no JSON"),
])
def test_compose_containers_not_ready(ps, why):
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_containers_ready import (
        compose_containers_ready,
    )
    ready, reason = compose_containers_ready(ps, COMPOSE, reason=True)
    assert ready is False and why in reason


def test_compose_containers_ready_needs_services_and_yaml():
    from ansible_collections.foundrycloud.platform.plugins.filter.compose_containers_ready import (
        compose_containers_ready,
    )
    assert compose_containers_ready(_ps({"Service": "x", "State": "running"}), "services: {}\n") is False
    with pytest.raises(AnsibleFilterError, match="^compose_containers_ready: "):
        compose_containers_ready("", "services: [\n")
