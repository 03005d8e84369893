#!/usr/bin/env bash
# Side by side: ThunderDB's PostgreSQL port vs the distribution's PostgreSQL 15, same pgbench, same machine,
# alternating runs. Both get the same tables through INSERT ... SELECT generate_series (pgbench -i's own load,
# COPY included, is compared by compare-pgbench-init.sh):
#   select-only: pgbench -S's statement over t(id int primary key, name text) with ROWS rows, -M prepared and -M simple;
#   tpcb: pgbench's built-in tpcb-like script (-b tpcb-like -M prepared) over pgbench_* tables of ROWS accounts,
#         ROWS/100000 branches (at least 1) and 10 tellers per branch.
# Usage: compare-postgres.sh [rounds=3] [seconds=10] [clients=8] [rows=100000] [modes="prepared simple"]
#   modes: any of prepared, simple, tpcb (e.g. "prepared simple tpcb"). THUNDERDB_BIN picks the binary.
#   THUNDERDB_BASE_BIN: a second (earlier) binary run in the same rounds, alternating, for before/after ratios.
set -euo pipefail
ROUNDS=${1:-3}; SECONDS_PER_RUN=${2:-10}; CLIENTS=${3:-8}; ROWS=${4:-100000}; MODES=${5:-prepared simple}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${THUNDERDB_BIN:-$ROOT/artifacts/bin/thunderdb}
BASE_BIN=${THUNDERDB_BASE_BIN:-}
WORK=$(mktemp -d); trap 'kill $TPID $PPID_ ${BPID:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT
TPORT=${THUNDERDB_PG_PORT:-55432}; PPORT=${POSTGRES_PORT:-55433}
PGBIN=/usr/lib/postgresql/15/bin

# ThunderDB, durable commits, 256 MB pool
THUNDERDB_PG_PORT=$TPORT THUNDERDB_RESP_PORT=$((TPORT + 947)) THUNDERDB_HTTP_PORT=$((TPORT + 2648)) "$BIN" --data-dir "$WORK/thunder" >"$WORK/thunder.log" 2>&1 &
TPID=$!
BPORT=$((TPORT + 10))
if [ -n "$BASE_BIN" ]; then
  THUNDERDB_PG_PORT=$BPORT THUNDERDB_RESP_PORT=$((BPORT + 947)) THUNDERDB_HTTP_PORT=$((BPORT + 2648)) "$BASE_BIN" --data-dir "$WORK/base" >"$WORK/base.log" 2>&1 &
  BPID=$!
fi
# PostgreSQL 15 as the same user, synchronous_commit on, shared_buffers = ThunderDB's pool
mkdir -p "$WORK/pg"; chown postgres "$WORK" "$WORK/pg" 2>/dev/null || true
su postgres -c "$PGBIN/initdb -D $WORK/pg -A trust >/dev/null"
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg -o '-p $PPORT -c shared_buffers=256MB -c synchronous_commit=on -k /tmp' -l $WORK/pg.log start >/dev/null"
PPID_=$(head -1 "$WORK/pg/postmaster.pid")
sleep 2
BRANCHES=$(( ROWS / 100000 > 0 ? ROWS / 100000 : 1 ))
SETUP="CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t SELECT g, 'name' || g FROM generate_series(1, $ROWS) g;"
if [[ " $MODES " == *" tpcb "* ]]; then
  SETUP="$SETUP
CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88));
CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84));
CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, $BRANCHES) g;
INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0, '' FROM generate_series(1, $((BRANCHES * 10))) g;
INSERT INTO pgbench_accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, $((BRANCHES * 100000))) g;"
fi
psql -q -h 127.0.0.1 -p $TPORT -U postgres -d postgres -c "$SETUP"
psql -q -h 127.0.0.1 -p $PPORT -U postgres -d postgres -c "$SETUP"
[ -z "$BASE_BIN" ] || psql -q -h 127.0.0.1 -p $BPORT -U postgres -d postgres -c "$SETUP"
echo "\\set id random(1, $ROWS)
SELECT name FROM t WHERE id = :id;" > "$WORK/select.sql"
run() {
  local script=(-f "$WORK/select.sql") mode=$2
  if [ "$mode" = tpcb ]; then script=(-b tpcb-like); mode=prepared; fi
  pgbench -n -h 127.0.0.1 -p "$1" -U postgres -M "$mode" -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" "${script[@]}" postgres 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
# server CPU (user + system, in clock ticks) of a process so far: per transaction = delta / (tps * seconds)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
us_per_txn() { awk -v d="$1" -v tps="$2" -v s="$SECONDS_PER_RUN" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", d * 1e6 / hz / (tps * s)}'; }
for mode in $MODES; do
  for r in $(seq "$ROUNDS"); do
    c0=$(cpu_ticks $TPID); t=$(run $TPORT $mode); tcpu=$(us_per_txn $(( $(cpu_ticks $TPID) - c0 )) "$t")
    p=$(run $PPORT $mode)
    base=""
    if [ -n "$BASE_BIN" ]; then
      c0=$(cpu_ticks $BPID); b=$(run $BPORT $mode); bcpu=$(us_per_txn $(( $(cpu_ticks $BPID) - c0 )) "$b")
      base=", base $b tps (base/postgresql $(awk "BEGIN{printf \"%.2f\", $b/$p}"), thunderdb/base $(awk "BEGIN{printf \"%.2f\", $t/$b}")), server CPU us/txn thunderdb $tcpu base $bcpu"
    fi
    echo "$mode round $r: thunderdb $t tps, postgresql $p tps, ratio $(awk "BEGIN{printf \"%.2f\", $t/$p}")$base, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg stop -m fast >/dev/null" || true
