# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the tests publish container ports and where they reach them.

With an engine of its own (this machine, a CI job that starts dockerd) ports are published on
127.0.0.1 and reached there. Under GitLab's Docker-in-Docker the engine is the job's ``docker``
service (DOCKER_HOST=tcp://docker:2375): a port is published on that service's addresses and
reached at its name; the job's own 127.0.0.1 is not the engine's. FOUNDRY_PUBLISHED_HOST
overrides the host name."""

from __future__ import annotations

import os
import urllib.parse


def _engine_host() -> str:
    url = os.environ.get("DOCKER_HOST", "")
    if url.startswith("tcp://"):
        return urllib.parse.urlsplit(url).hostname or "127.0.0.1"
    return "127.0.0.1"


PUBLISHED_HOST = os.environ.get("FOUNDRY_PUBLISHED_HOST") or _engine_host()
# Loopback of the engine when it is this machine's; otherwise its addresses on the job's network.
PUBLISH_ADDRESS = "127.0.0.1" if PUBLISHED_HOST == "127.0.0.1" else "0.0.0.0"


def run_with_files(docker, create_args: list, files: tuple) -> None:
    """docker run -d, but with files of this machine put into the container first: created,
    each (host path, container path) copied in, then started. A bind mount (-v HOST:...) names a
    path on the engine's machine, which under Docker-in-Docker is the service, not this job: the
    container would see an empty directory there. docker: the caller's runner of docker commands."""
    container = docker("create", *create_args).stdout.strip()
    for source, target in files:
        source = str(source)
        # "DIR/." copies the directory's content into an existing or new target directory.
        docker("cp", source.rstrip("/") + "/." if os.path.isdir(source) else source, "%s:%s" % (container, target))
    docker("start", container)
