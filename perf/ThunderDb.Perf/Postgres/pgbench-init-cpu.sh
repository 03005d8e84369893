#!/usr/bin/env bash
# pgbench -i step by step against two ThunderDB binaries side by side (before and after a change), alternating loads:
# per step the wall time and the server process's CPU seconds (utime + stime from /proc/<pid>/stat, less noisy than
# wall time on a loaded machine), then the CPU the server spends in the next 10 idle seconds (background vacuum).
# Each load runs the steps d t g v p as separate pgbench -i -I invocations (drop, create, COPY, VACUUM, primary keys).
# Usage: pgbench-init-cpu.sh BEFORE_BIN AFTER_BIN [rounds=3] [scale=10]. Same server settings as compare-pgbench-init.sh.
set -euo pipefail
BEFORE=$1; AFTER=$2; ROUNDS=${3:-3}; SCALE=${4:-10}
PGBENCH=/usr/lib/postgresql/15/bin/pgbench
WORK=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
BASE=${THUNDERDB_PG_PORT:-$((20000 + RANDOM % 20000))}
start() { # name binary port
  cat > "$WORK/$1.toml" <<TOML
data_dir = "$WORK/$1"
http_port = $(($3 + 2))
[storage]
sync_commit = true
buffer_pool_size = 268435456
TOML
  THUNDERDB_PG_PORT=$3 THUNDERDB_RESP_PORT=$(($3 + 3)) "$2" --config "$WORK/$1.toml" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
start before "$BEFORE" "$BASE"; start after "$AFTER" $((BASE + 10)); sleep 3
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
for r in $(seq "$ROUNDS"); do
  for side in 0 1; do
    pid=${PIDS[$side]}; port=$((BASE + 10 * side)); name=$([ $side = 0 ] && echo before || echo after)
    line="round $r $name (wall/cpu s):"
    for s in d t g v p; do
      c0=$(cpu "$pid"); t0=$(date +%s.%N)
      "$PGBENCH" -i -s "$SCALE" -I "$s" -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null 2>&1 || line="$line FAILED"
      t1=$(date +%s.%N); c1=$(cpu "$pid")
      line="$line $s $(awk "BEGIN{printf \"%.2f/%.2f\", $t1 - $t0, $c1 - $c0}")"
    done
    c0=$(cpu "$pid"); sleep 10; c1=$(cpu "$pid")
    echo "$line idle-10s-cpu $(awk "BEGIN{printf \"%.2f\", $c1 - $c0}") load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
