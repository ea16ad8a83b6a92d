#!/bin/sh
# Entrypoint of the minio stand-in image (tests/images/minio), written for this project: as the
# real image's, a command line that does not start with `minio` is run as `minio <args>`.
set -eu
if [ "${1:-}" != minio ] && [ -n "${1:-}" ] && ! command -v "$1" >/dev/null 2>&1; then
  set -- minio "$@"
fi
exec "$@"
