# Sourced by the fixtures' scripts (tests/openstack/build and run): what the Docker engine they
# talk to allows.

# The flags that drop CAP_SYS_RESOURCE from a systemd container, or none on an engine that lacks
# the capability itself: an unprivileged Docker-in-Docker service refuses to drop it, and
# --cap-add ALL leaves it out there already.
engine_drop_sys_resource() {  # image to probe with
  if docker run --rm --cap-drop SYS_RESOURCE --entrypoint /bin/true "$1" >/dev/null 2>&1; then
    echo --cap-drop SYS_RESOURCE
  fi
}
