#!/usr/bin/env bash
# pgbench -i load time: ThunderDB's PostgreSQL port vs the distribution's PostgreSQL 15, the same pgbench binary,
# alternating paired runs (ThunderDB first, then PostgreSQL, each round). pgbench's default steps (dtgvp): drop,
# create, COPY pgbench_accounts FROM STDIN (client-side generation), VACUUM ANALYZE, primary keys.
# Usage: compare-pgbench-init.sh [rounds=3] [scale=10] [steps=dtgvp]. THUNDERDB_BIN picks the binary;
# THUNDERDB_BASE_BIN (optional) a previous binary, run in the same rounds (base, ThunderDB, PostgreSQL) on its own port.
# Prints each run's total and pgbench's per-step times, then the ratio PostgreSQL time / ThunderDB time
# (> 1: ThunderDB loads faster).
set -euo pipefail
ROUNDS=${1:-3}; SCALE=${2:-10}; STEPS=${3:-dtgvp}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=${THUNDERDB_BIN:-$ROOT/artifacts/bin/thunderdb}
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d); BPID=; trap 'kill $TPID $BPID 2>/dev/null || true; su postgres -c "$PGBIN/pg_ctl -D $WORK/pg stop -m immediate" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
TPORT=${THUNDERDB_PG_PORT:-$((20000 + RANDOM % 20000))}; PPORT=${POSTGRES_PORT:-$((TPORT + 1))}

# ThunderDB: durable commits, 256 MB pool
cat > "$WORK/thunderdb.toml" <<TOML
data_dir = "$WORK/thunder"
http_port = $((TPORT + 2))
[storage]
sync_commit = true
buffer_pool_size = 268435456
TOML
THUNDERDB_PG_PORT=$TPORT THUNDERDB_RESP_PORT=$((TPORT + 3)) "$BIN" --config "$WORK/thunderdb.toml" >"$WORK/thunder.log" 2>&1 &
TPID=$!
BASE_BIN=${THUNDERDB_BASE_BIN:-}; BPORT=$((TPORT + 10))
if [ -n "$BASE_BIN" ]; then
  sed -e "s|$WORK/thunder\"|$WORK/base\"|" -e "s|^http_port = .*|http_port = $((BPORT + 2))|" "$WORK/thunderdb.toml" > "$WORK/base.toml"
  THUNDERDB_PG_PORT=$BPORT THUNDERDB_RESP_PORT=$((BPORT + 3)) "$BASE_BIN" --config "$WORK/base.toml" >"$WORK/base.log" 2>&1 &
  BPID=$!
fi
# PostgreSQL 15: synchronous_commit on, shared_buffers = ThunderDB's pool
mkdir -p "$WORK/pg"; chown postgres "$WORK" "$WORK/pg" 2>/dev/null || true
su postgres -c "$PGBIN/initdb -D $WORK/pg -A trust >/dev/null"
su postgres -c "$PGBIN/pg_ctl -D $WORK/pg -o '-p $PPORT -c shared_buffers=256MB -c synchronous_commit=on -c listen_addresses=127.0.0.1 -k /tmp' -l $WORK/pg.log -w start >/dev/null"
sleep 2
run() {
  local start end out
  start=$(date +%s.%N)
  out=$("$PGBIN/pgbench" -i -s "$SCALE" -I "$STEPS" -h 127.0.0.1 -p "$1" -U postgres postgres 2>&1 | grep '^done in' || echo "FAILED")
  end=$(date +%s.%N)
  echo "$(awk "BEGIN{printf \"%.2f\", $end - $start}") $out"
}
ratios=(); bratios=()
for r in $(seq "$ROUNDS"); do
  if [ -n "$BASE_BIN" ]; then b=$(run "$BPORT"); fi
  t=$(run "$TPORT"); p=$(run "$PPORT")
  ratio=$(awk "BEGIN{printf \"%.3f\", ${p%% *} / ${t%% *}}")
  ratios+=("$ratio")
  echo "round $r: thunderdb ${t%% *} s, postgresql ${p%% *} s, postgresql/thunderdb $ratio, load $(cut -d' ' -f1 /proc/loadavg)"
  echo "  thunderdb:  ${t#* }"
  echo "  postgresql: ${p#* }"
  if [ -n "$BASE_BIN" ]; then
    bratio=$(awk "BEGIN{printf \"%.3f\", ${p%% *} / ${b%% *}}"); bratios+=("$bratio")
    echo "  base:       ${b%% *} s, postgresql/base $bratio: ${b#* }"
  fi
done
if [ -n "$BASE_BIN" ]; then
  printf '%s\n' "${bratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "base: ratio range %.3f .. %.3f, median %.3f\n", a[1], a[NR], a[int((NR+1)/2)]}'
fi
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "ratio range %.3f .. %.3f, median %.3f\n", a[1], a[NR], a[int((NR+1)/2)]}'
