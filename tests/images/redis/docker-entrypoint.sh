#!/usr/bin/env bash
# Entrypoint of the redis stand-in image (tests/images/redis), written for this project. It gives
# Debian's redis-server the behaviour of the official image that the platform uses:
# - arguments that start with '-' or a first argument ending in .conf run redis-server with them;
# - redis-server runs as user redis (uid 999) in /data, which it owns;
# - without a configuration file redis-server listens on every interface with protected mode
#   off (the official image builds Redis with protected mode off by default), unless the
#   arguments say otherwise. A password comes from the command line (--requirepass).
set -euo pipefail

if [ "${1:0:1}" = '-' ] || [[ "${1:-}" == *.conf ]]; then
  set -- redis-server "$@"
fi

if [ "${1:-}" = redis-server ]; then
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis:redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  if [[ "${2:-}" != *.conf ]] && [[ " $* " != *" --protected-mode "* ]]; then
    set -- "$@" --protected-mode no
  fi
  umask 0077
fi

exec "$@"
