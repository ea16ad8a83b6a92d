# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nvidia_docker_runtime through its main() on a daemon.json in a tmp dir."""

from __future__ import annotations

import json

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import nvidia_docker_runtime

from ollama_http_fixtures import run_module


def run(path, check_mode=False, **args):
    return run_module(nvidia_docker_runtime, dict(args, path=str(path)), check_mode=check_mode, diff=True).result


# What docker_engine writes (to_nice_json: sorted keys, indent 2).
ENGINE_TEXT = """{
  "default-address-pools": [
    {
      "base": "10.203.0.0/16",
      "size": 24
    }
  ],
  "live-restore": true,
  "log-driver": "json-file",
  "runtimes": {
    "fc-test": {
      "path": "/usr/bin/runc"
    }
  }
}
"""


def test_merge_write_then_unchanged(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text(ENGINE_TEXT)
    result = run(path, cgroup_driver="cgroupfs", cdi=True)
    assert result["changed"] is True
    written = json.loads(path.read_text())
    assert written["runtimes"]["fc-test"] == {"path": "/usr/bin/runc"}
    assert written["runtimes"]["nvidia"] == {"path": "/usr/bin/nvidia-container-runtime"}
    assert written["exec-opts"] == ["native.cgroupdriver=cgroupfs"] and written["features"] == {"cdi": True}
    assert written["live-restore"] is True and written["log-driver"] == "json-file"
    assert result["diff"]["before"] == ENGINE_TEXT
    assert oct(path.stat().st_mode & 0o777) == "0o644"

    again = run(path, cgroup_driver="cgroupfs", cdi=True)
    assert again["changed"] is False and "diff" not in again


def test_layout_only_difference_is_no_change(tmp_path):
    path = tmp_path / "daemon.json"
    path.write_text('{"runtimes":{"nvidia":{"path":"/usr/bin/nvidia-container-runtime"}}}')
    assert run(path)["changed"] is False
    assert path.read_text() == '{"runtimes":{"nvidia":{"path":"/usr/bin/nvidia-container-runtime"}}}'


def test_check_mode_reports_and_writes_nothing(tmp_path):
    path = tmp_path / "docker" / "daemon.json"
    result = run(path, check_mode=True, default_runtime=True)
    assert result["changed"] is True
    assert result["config"] == {"default-runtime": "nvidia", "runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}}
    assert '"default-runtime": "nvidia"' in result["diff"]["after"]
    assert not path.parent.exists()


def test_missing_file_and_directory_are_created(tmp_path):
    path = tmp_path / "docker" / "daemon.json"
    assert run(path)["changed"] is True
    assert json.loads(path.read_text()) == {"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}}


@pytest.mark.parametrize("text, message", [("{not json", "is not valid JSON"), ('["a"]', "JSON object"),
                                           ('{"runtimes": 1}', "runtimes")])
def test_bad_file_fails_and_stays(tmp_path, text, message):
    path = tmp_path / "daemon.json"
    path.write_text(text)
    failure = run(path)
    assert failure["failed"] is True
    assert message in failure["msg"] and "nothing was changed" in failure["msg"]
    assert path.read_text() == text
