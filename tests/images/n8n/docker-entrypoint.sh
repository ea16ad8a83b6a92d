#!/bin/sh
# Entrypoint of the n8n stand-in image (tests/images/n8n), written for this project: as the
# official image's, it runs `n8n` with the container's arguments (none: `n8n`, i.e. start).
set -eu
if [ "$#" -gt 0 ]; then
  exec n8n "$@"
fi
exec n8n
