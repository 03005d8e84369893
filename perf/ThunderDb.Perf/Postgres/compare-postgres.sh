#!/usr/bin/env bash
# Side by side: ThunderDB's PostgreSQL port vs the distribution's PostgreSQL 15, same pgbench, same machine,
# alternating runs. Point reads by primary key (pgbench -S's statement over a table loaded with
# INSERT ... SELECT generate_series, since COPY -- and so pgbench -i -- is not built yet).
# Usage: compare-postgres.sh [rounds=3] [seconds=10] [clients=8] [rows=100000]
set -euo pipefail
ROUNDS=${1:-3}; SECONDS_PER_RUN=${2:-10}; CLIENTS=${3:-8}; ROWS=${4:-100000}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${THUNDERDB_BIN:-$ROOT/artifacts/bin/thunderdb}
WORK=$(mktemp -d); trap 'kill $TPID $PPID_ 2>/dev/null || true; rm -rf "$WORK"' EXIT
TPORT=55432; PPORT=55433
PGBIN=/usr/lib/postgresql/15/bin

# ThunderDB, durable commits, 256 MB pool
THUNDERDB_PG_PORT=$TPORT THUNDERDB_RESP_PORT=56379 THUNDERDB_HTTP_PORT=58080 "$BIN" --data-dir "$WORK/thunder" >"$WORK/thunder.log" 2>&1 &
TPID=$!
# PostgreSQL 15 as the same user, synchronous_commit on, shared_buffers = ThunderDB's pool
mkdir -p "$WORK/pg"; chown postgres "$WORK" "$WORK/pg" 2>/dev/null || true
su postgres -c "$PGBIN/initdb -D $WORK/pg -A trust >/dev/null" 
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg -o '-p $PPORT -c shared_buffers=256MB -c synchronous_commit=on -k /tmp' -l $WORK/pg.log start >/dev/null"
PPID_=$(head -1 "$WORK/pg/postmaster.pid")
sleep 2
SETUP="CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t SELECT g, 'name' || g FROM generate_series(1, $ROWS) g;"
psql -q -h 127.0.0.1 -p $TPORT -U postgres -d postgres -c "$SETUP"
psql -q -h 127.0.0.1 -p $PPORT -U postgres -d postgres -c "$SETUP"
echo "\\set id random(1, $ROWS)
SELECT name FROM t WHERE id = :id;" > "$WORK/select.sql"
run() { pgbench -n -h 127.0.0.1 -p "$1" -U postgres -M "$2" -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -f "$WORK/select.sql" postgres 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
for mode in prepared simple; do
  for r in $(seq "$ROUNDS"); do
    t=$(run $TPORT $mode); p=$(run $PPORT $mode)
    echo "$mode round $r: thunderdb $t tps, postgresql $p tps, ratio $(awk "BEGIN{printf \"%.2f\", $t/$p}")"
  done
done
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg stop -m fast >/dev/null" || true
