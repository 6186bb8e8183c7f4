#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster, removed at exit.
# TINHSO_PG_STANDBY=1 also starts a hot standby streaming from it (scripts/pg-standby.sh) and sets
# DATABASE_REPLICA_URL (the read replica, tinhso.core.replica). The test suite does not need it: the replica
# tests start their own standby, once, only when they run.
set -euo pipefail
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
D=$(mktemp -d /tmp/tinhso-pg.XXXXXX)
chmod 755 "$D"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$D"; fi
SCRIPTS=$(cd "$(dirname "$0")" && pwd)
cleanup() {
  if [ -d "$D/standby" ]; then "$SCRIPTS/pg-standby.sh" stop "$D/standby"; fi
  as_pg "$PG_BIN/pg_ctl" -D "$D/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$D"
}
trap cleanup EXIT
as_pg "$PG_BIN/initdb" -D "$D/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
# wal_level=replica and max_wal_senders are PostgreSQL's defaults: a standby can stream from this cluster.
as_pg "$PG_BIN/pg_ctl" -D "$D/data" -l "$D/log" -w \
  -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB -c maintenance_work_mem=256MB -c work_mem=32MB" start >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
if [ "${TINHSO_PG_STANDBY:-}" = 1 ]; then
  STANDBY_PORT=$("$SCRIPTS/pg-standby.sh" start "$PORT" "$D/standby")
  export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY_PORT/postgres"
fi
"$@"
