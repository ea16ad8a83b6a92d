#!/usr/bin/env bash
# Start script of the Open WebUI stand-in image (tests/images/open_webui), written for this
# project after the upstream image's backend/start.sh: WEBUI_SECRET_KEY from the environment, or
# else generated once into .webui_secret_key (WEBUI_SECRET_KEY_FILE); then uvicorn on
# HOST:PORT (default 0.0.0.0:8080) with UVICORN_WORKERS workers (default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

KEY_FILE=${WEBUI_SECRET_KEY_FILE:-.webui_secret_key}
if [ -z "${WEBUI_SECRET_KEY:-}" ] && [ -z "${WEBUI_JWT_SECRET_KEY:-}" ]; then
  echo "Loading WEBUI_SECRET_KEY from file, not provided as an environment variable."
  if [ ! -s "$KEY_FILE" ]; then
    echo "Generating WEBUI_SECRET_KEY"
    python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(12)).decode(), end="")' >"$KEY_FILE"
  fi
  echo "Loading WEBUI_SECRET_KEY from $KEY_FILE"
  WEBUI_SECRET_KEY=$(cat "$KEY_FILE")
  export WEBUI_SECRET_KEY
fi

exec python3 -m uvicorn open_webui.main:app --host "${HOST:-0.0.0.0}" --port "${PORT:-8080}" \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" --workers "${UVICORN_WORKERS:-1}"
