#!/usr/bin/env bash
# A real PostgreSQL streaming replica of the local test cluster, for the replica-routing tests (#16 item 5).
#
#   scripts/pg_replica.sh start   # prints the port once the standby streams; reuses a running one
#   scripts/pg_replica.sh stop
#
# The standby is a `pg_basebackup -R` of the cluster at 127.0.0.1:5432, started on REPLICA_PORT (default 5433)
# as the postgres user, in /tmp/clinicdesk-pg-replica-$PORT (a path the postgres user can reach). It replays
# everything the primary writes, test databases included, so a test that commits on the primary can read the
# same rows from the standby a moment later. Replication from loopback needs a pg_hba line: the script adds
# `host replication all 127.0.0.1/32 trust` (the test cluster already trusts loopback) and reloads, once.
set -euo pipefail
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PORT=${REPLICA_PORT:-5433}
DIR=/tmp/clinicdesk-pg-replica-$PORT
BIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sql() { psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtqc "$2"; }

case "${1:-start}" in
stop)
  [ -d "$DIR" ] && as_postgres "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
  exit 0
  ;;
start) ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

if [ "$(sql "$PORT" 'select pg_is_in_recovery()' 2>/dev/null || true)" = "t" ]; then
  echo "$PORT"; exit 0   # a standby already runs there
fi

hba=$(sql "$PRIMARY_PORT" 'show hba_file')
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >> "$hba"
  sql "$PRIMARY_PORT" 'select pg_reload_conf()' >/dev/null
fi

as_postgres "$BIN/pg_ctl" -D "$DIR" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$DIR"
mkdir -p "$DIR" && chown postgres: "$DIR" 2>/dev/null || true
chmod 700 "$DIR"
as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR" -R -X stream -c fast
# Debian keeps the configuration outside the data directory: give the standby its own, minimal one. A hot
# standby needs at least the primary's connection, worker, prepared-transaction and lock limits.
limits=$(sql "$PRIMARY_PORT" "select string_agg(name || ' = ' || setting, E'\\n') from pg_settings where name in
  ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
   'max_locks_per_transaction')")
as_postgres tee "$DIR/postgresql.conf" >/dev/null <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
shared_buffers = 64MB
fsync = off
$limits
EOF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_postgres tee "$DIR/pg_hba.conf" >/dev/null
as_postgres touch "$DIR/pg_ident.conf"
as_postgres "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null
for _ in $(seq 1 100); do
  [ "$(sql "$PORT" 'select pg_is_in_recovery()' 2>/dev/null || true)" = "t" ] && { echo "$PORT"; exit 0; }
  sleep 0.1
done
echo "the standby on port $PORT did not come up; see $DIR/server.log" >&2
exit 1
