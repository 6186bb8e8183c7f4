#!/usr/bin/env bash
# A hot standby of a PostgreSQL cluster on loopback: pg_basebackup -R (standby.signal + primary_conninfo),
# streaming from the primary at 127.0.0.1:PRIMARY_PORT.
#   scripts/pg-standby.sh start PRIMARY_PORT DIR   creates it in DIR (new or empty), starts it, prints its port
#   scripts/pg-standby.sh stop DIR                 stops it (the caller removes DIR)
#   scripts/pg-standby.sh run DIR                  starts a stopped one again, on the same port
# The standby's max_connections must be at least the primary's (200 in scripts/with-postgres.sh).
# Used by scripts/with-postgres.sh (TINHSO_PG_STANDBY=1) and by the replica tests' fixture.
set -euo pipefail
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
run() {
  local D=$1 PORT
  PORT=$(cat "$D/port")
  as_pg "$PG_BIN/pg_ctl" -D "$D/data" -l "$D/log" -w \
    -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off -c max_connections=200 -c shared_buffers=128MB -c wal_receiver_status_interval=1s" \
    start >/dev/null || { cat "$D/log" >&2; exit 1; }
}
case "${1:-}" in
  start)
    PRIMARY_PORT=$2 D=$3
    mkdir -p "$D"
    chmod 755 "$D"
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' >"$D/port"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$D"; fi
    as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$D/data" -R -X stream \
      -c fast --no-sync >/dev/null
    run "$D"
    cat "$D/port"
    ;;
  run)
    run "$2"
    ;;
  stop)
    as_pg "$PG_BIN/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start PRIMARY_PORT DIR | stop DIR | run DIR" >&2
    exit 2
    ;;
esac
