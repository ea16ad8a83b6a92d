#!/usr/bin/env bash
# Entrypoint of the postgres stand-in image (tests/images/postgres), written for this project.
# It gives Debian's PostgreSQL 17 the behaviour of the official image that the platform uses:
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default $POSTGRES_USER),
#   POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR, POSTGRES_HOST_AUTH_METHOD (default
#   scram-sha-256), each also as <NAME>_FILE; PGDATA (default /var/lib/postgresql/data).
# On the first start (PGDATA without PG_VERSION) it runs initdb, allows password logins from
# any address, creates POSTGRES_DB and runs /docker-entrypoint-initdb.d/* (*.sh executed, or
# sourced when not executable; *.sql, *.sql.gz, *.sql.xz through psql) against a server that
# listens on the Unix socket only. Then it runs the command (default: postgres) as postgres.
set -Eeuo pipefail

die() { echo "error: $*" >&2; exit 1; }

# NAME or NAME_FILE (a Docker secret), never both.
file_env() {
  local name=$1 default=${2:-} file_name="${1}_FILE" value
  if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then
    die "both $name and $file_name are set (but are exclusive)"
  fi
  value=$default
  if [ -n "${!name:-}" ]; then
    value=${!name}
  elif [ -n "${!file_name:-}" ]; then
    value=$(<"${!file_name}")
  fi
  export "$name=$value"
  unset "$file_name"
}

psql_init() {  # psql as the superuser on the socket, stopping at the first error
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          echo "$0: running $f"; "$f"
        else
          echo "$0: sourcing $f"
          set +u
          # shellcheck disable=SC1090
          . "$f"
          set -u
        fi ;;
      *.sql)    echo "$0: running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *.sql.xz) echo "$0: running $f"; xzcat "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *)        echo "$0: ignoring $f" ;;
    esac
  done
}

init_database() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    die "Database is uninitialized and superuser password is not specified.
       Set POSTGRES_PASSWORD to a non-empty value (or POSTGRES_HOST_AUTH_METHOD=trust to allow
       all connections without a password, which is not recommended)."
  fi
  local -a args extra
  args=(--username="$POSTGRES_USER")
  read -r -a extra <<<"$POSTGRES_INITDB_ARGS"
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then args+=(--waldir="$POSTGRES_INITDB_WALDIR"); fi
  if [ -n "$POSTGRES_PASSWORD" ]; then
    initdb "${args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${extra[@]}"
  else
    initdb "${args[@]}" "${extra[@]}"
  fi
  # initdb trusts the socket and loopback (as in the official image); every other address logs in
  # with a password.
  printf '\n# added by the image entrypoint\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" \
    >>"$PGDATA/pg_hba.conf"

  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  run_init_files
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
}

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ]; then
  : "${PGDATA:=/var/lib/postgresql/data}"
  export PGDATA
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA" || :
    chown postgres:postgres /var/run/postgresql && chmod 3777 /var/run/postgresql
    if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
      mkdir -p "$POSTGRES_INITDB_WALDIR"
      find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres:postgres '{}' +
    fi
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
  fi

  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

  if [ -s "$PGDATA/PG_VERSION" ]; then
    echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
  else
    init_database
  fi
fi

exec "$@"
