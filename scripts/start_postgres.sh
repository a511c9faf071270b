#!/usr/bin/env bash
# Installs Debian's PostgreSQL if needed, starts a throw-away server on 127.0.0.1 (port 54329, data in
# /tmp/rationaliser-pgdata-54329), creates a test database, and prints `export PRIORITY_TEST_PG_URL=...` for the test run.
# Used by `make test`; safe to run again (it reuses a running server).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PRIORITY_TEST_PG_PORT:-54329}"
DATA="${TMPDIR:-/tmp}/rationaliser-pgdata-$PORT"
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
BIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"

# PostgreSQL refuses to run as root: run it as the 'postgres' user Debian's package creates.
as_pg() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$*"; else "$@"; fi
}
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$DATA" && chown postgres:postgres "$DATA"
fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  as_pg "$BIN/initdb -D '$DATA' -U postgres --auth=trust >/dev/null"
fi
if ! as_pg "$BIN/pg_ctl -D '$DATA' status" >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl -D '$DATA' -l '$DATA/server.log' -w -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1\" start" >&2
fi
as_pg "$BIN/psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='rationaliser_test'\"" \
  | grep -q 1 || as_pg "$BIN/createdb -h 127.0.0.1 -p $PORT -U postgres rationaliser_test"
echo "export PRIORITY_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/rationaliser_test"
