# -*- coding: utf-8 -*-
# Copyright (c) 2026 FoundryCloud Platform engineers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""file_set through its main() on directories and files in a tmp dir."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.foundrycloud.platform.plugins.modules import file_set

from ollama_http_fixtures import run_module


def run(check_mode=False, diff=True, **args):
    return run_module(file_set, args, check_mode=check_mode, diff=diff).result


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def project(tmp_path, compose="services: {}\n", env="SECRET=one\n"):
    root = tmp_path / "app"
    return dict(
        directories=[{"path": str(root), "mode": "0700"}, {"path": str(root / "files")}],
        files=[{"path": str(root / "compose.yml"), "content": compose, "mode": "0600"},
               {"path": str(root / ".env"), "content": env, "mode": "0600", "secret": True},
               {"path": str(root / "files" / "app.conf"), "content": "listen 80;\n"}],
        check_paths=[str(root / "files" / "schema.sql")],
    )


def test_creates_everything_then_changes_nothing(tmp_path):
    args = project(tmp_path)
    first = run(**args)
    root = tmp_path / "app"
    assert first["changed"] is True
    assert first["changed_directories"] == [str(root), str(root / "files")]
    assert sorted(first["changed_files"]) == sorted(f["path"] for f in args["files"])
    assert (root / "compose.yml").read_text() == "services: {}\n"
    assert mode_of(root) == 0o700 and mode_of(root / "files") == 0o755
    assert mode_of(root / ".env") == 0o600 and mode_of(root / "files" / "app.conf") == 0o644
    assert first["existing_paths"] == []

    second = run(**args)
    assert second["changed"] is False and second["changed_files"] == [] and second["changed_directories"] == []
    assert "diff" not in second


def test_only_the_changed_file_is_written_and_reported(tmp_path):
    run(**project(tmp_path))
    env = tmp_path / "app" / ".env"
    inode = env.stat().st_ino
    result = run(**project(tmp_path, compose="services: {web: {}}\n"))
    assert result["changed_files"] == [str(tmp_path / "app" / "compose.yml")]
    assert env.stat().st_ino == inode          # untouched
    diff = result["diff"][0]
    assert diff["before"] == "services: {}\n" and diff["after"] == "services: {web: {}}\n"


def test_secret_content_never_in_the_diff(tmp_path):
    run(**project(tmp_path))
    result = run(**project(tmp_path, env="SECRET=two\n"))
    assert result["changed_files"] == [str(tmp_path / "app" / ".env")]
    assert "one" not in str(result["diff"]) and "two" not in str(result["diff"])
    assert (tmp_path / "app" / ".env").read_text() == "SECRET=two\n"


def test_mode_drift_is_corrected(tmp_path):
    run(**project(tmp_path))
    env = tmp_path / "app" / ".env"
    os.chmod(env, 0o644)
    os.chmod(tmp_path / "app", 0o755)
    result = run(**project(tmp_path))
    assert result["changed_files"] == [str(env)] and result["changed_directories"] == [str(tmp_path / "app")]
    assert mode_of(env) == 0o600 and mode_of(tmp_path / "app") == 0o700


def test_check_mode_writes_nothing_and_tells_everything(tmp_path):
    args = project(tmp_path)
    result = run(check_mode=True, **args)
    assert result["changed"] is True and len(result["changed_files"]) == 3
    assert not (tmp_path / "app").exists()
    run(**args)
    (tmp_path / "app" / "files" / "app.conf").write_text("listen 8080;\n")
    result = run(check_mode=True, **args)
    assert result["changed_files"] == [str(tmp_path / "app" / "files" / "app.conf")]
    assert (tmp_path / "app" / "files" / "app.conf").read_text() == "listen 8080;\n"


def test_existing_paths_are_reported_before_writing(tmp_path):
    args = project(tmp_path)
    run(**args)
    (tmp_path / "app" / "files" / "schema.sql").write_text("create table t();\n")
    assert run(**args)["existing_paths"] == [str(tmp_path / "app" / "files" / "schema.sql")]


def test_read_paths_return_the_content_before_writing(tmp_path):
    args = project(tmp_path)
    run(**args)
    compose = str(tmp_path / "app" / "compose.yml")
    missing = str(tmp_path / "app" / "daemon.json")
    args["files"][0]["content"] = "services: {web: {}}\n"
    result = run(read_paths=[compose, missing], **args)
    assert result["contents"] == {compose: "services: {}\n", missing: None}
    assert (tmp_path / "app" / "compose.yml").read_text() == "services: {web: {}}\n"


def test_a_directory_to_read_is_refused(tmp_path):
    result = run(read_paths=[str(tmp_path)], directories=[{"path": str(tmp_path / "new")}])
    assert result["failed"] and "(read_paths) is a directory" in result["msg"]
    assert not (tmp_path / "new").exists()


def test_no_temporary_files_are_left(tmp_path):
    run(**project(tmp_path))
    run(**project(tmp_path, compose="x: 1\n"))
    assert [n for n in os.listdir(tmp_path / "app") if n.startswith(".file_set.")] == []


@pytest.mark.parametrize("change, message", [
    (lambda a: a["files"].append(dict(a["files"][0])), "listed twice"),
    (lambda a: a["files"][0].update(mode="rw-r--r--"), "not an octal mode"),
    (lambda a: a["files"][0].update(mode="17777"), "out of range"),
    (lambda a: a["files"][0].update(path="relative/compose.yml"), "not an absolute path"),
    (lambda a: a["files"][0].update(validate="nft -c -f"), "must contain %s"),
])
def test_bad_input_changes_nothing(tmp_path, change, message):
    args = project(tmp_path)
    change(args)
    result = run(**args)
    assert result["failed"] and message in result["msg"] and "nothing was changed" in result["msg"]
    assert not (tmp_path / "app").exists()


def test_a_directory_in_place_of_a_file_is_refused(tmp_path):
    args = project(tmp_path)
    os.makedirs(tmp_path / "app" / "compose.yml")
    result = run(**args)
    assert result["failed"] and "is a directory" in result["msg"]


def test_missing_parent_directory_is_named(tmp_path):
    result = run(files=[{"path": str(tmp_path / "nowhere" / "x.conf"), "content": "x"}])
    assert result["failed"] and "list it in directories" in result["msg"]


def test_validate_checks_the_new_content_before_it_replaces_the_file(tmp_path):
    conf = tmp_path / "app.conf"
    args = dict(files=[{"path": str(conf), "content": "listen 80;\n", "validate": "grep -q listen %s"}])
    assert run(**args)["changed_files"] == [str(conf)]
    assert conf.read_text() == "listen 80;\n"

    refused = run(files=[{"path": str(conf), "content": "garbage\n", "validate": "grep -q listen %s"}])
    assert refused["failed"] and str(conf) in refused["msg"] and "refused the new content (rc 1)" in refused["msg"]
    assert conf.read_text() == "listen 80;\n"                       # the old file stays
    assert [n for n in os.listdir(tmp_path) if n.startswith(".file_set.")] == []


def test_validate_runs_only_when_the_content_changes(tmp_path):
    conf = tmp_path / "app.conf"
    conf.write_text("listen 80;\n")
    # `false` refuses everything: it is not run when nothing is to be written, nor in check mode
    result = run(files=[{"path": str(conf), "content": "listen 80;\n", "validate": "false %s", "mode": "0644"}])
    assert not result.get("failed") and result["changed"] is False
    checked = run(check_mode=True, files=[{"path": str(conf), "content": "new\n", "validate": "false %s"}])
    assert not checked.get("failed") and checked["changed_files"] == [str(conf)]
    assert conf.read_text() == "listen 80;\n"
