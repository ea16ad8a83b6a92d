"""A stand-in for the `docker` command line in the backup runner's unit tests (not a double of a
vendor service: the molecule scenario runs the real engine). It answers the calls the runner
makes from files under FAKE_DOCKER_ROOT and logs each call there:
  docker volume inspect -f {{.Mountpoint}} NAME   -> ROOT/volumes/NAME
  docker compose ls --all --format json           -> the projects under ROOT/projects
  docker compose ... exec -T C pg_dump ...        -> ROOT/database (the "database")
  docker compose ... exec -T C pg_restore ...     -> stdin into ROOT/database
  docker compose ... run ... --entrypoint E C ... -> stdin into ROOT/file
  anything else                                   -> logged, exit 0
FAKE_DOCKER_FAIL: a word that makes a call containing it fail (exit 1)."""
import json
import os
import sys

root = os.environ["FAKE_DOCKER_ROOT"]
args = sys.argv[1:]
with open(os.path.join(root, "calls.log"), "a") as log:
    log.write(json.dumps(args) + "\n")
fail = os.environ.get("FAKE_DOCKER_FAIL")
if fail and fail in args:
    sys.stderr.write("error: %s failed on purpose\n" % fail)
    sys.exit(1)
if args[:2] == ["volume", "inspect"]:
    path = os.path.join(root, "volumes", args[-1])
    if not os.path.isdir(path):
        sys.stderr.write("Error: No such volume: %s\n" % args[-1])
        sys.exit(1)
    print(path)
elif args[:2] == ["compose", "ls"]:
    projects = sorted(os.listdir(os.path.join(root, "projects")))
    print(json.dumps([{"Name": p, "Status": "running(1)", "ConfigFiles": os.path.join(root, "projects", p, "compose.yml")}
                      for p in projects]))
elif "exec" in args and "pg_dump" in args:
    sys.stdout.write(open(os.path.join(root, "database")).read())
elif "exec" in args and "pg_restore" in args:
    open(os.path.join(root, "database"), "w").write(sys.stdin.read())
elif "run" in args and "--entrypoint" in args:
    open(os.path.join(root, "file"), "w").write(sys.stdin.read())
elif "up" in args and "--no-start" in args:
    for name in os.listdir(os.path.join(root, "volumes-declared")):
        os.makedirs(os.path.join(root, "volumes", name), exist_ok=True)
