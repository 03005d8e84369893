#!/usr/bin/env bash
# Durable writes: redis-server (appendonly yes, appendfsync always) vs ThunderDB (sync_commit = true), fresh
# servers on loopback, redis-benchmark SET at -P 1 and -P 16. Both acknowledge a write only once it is on disk.
#
#   THUNDERDB_BIN=artifacts/bin/thunderdb perf/ThunderDb.Perf/Resp/compare-durable.sh
#
# Env: N (requests per -P 1 run; -P 16 runs 16x as many, default 20000), R (key range, 100000), C (clients, 50).
set -euo pipefail
: "${THUNDERDB_BIN:?set THUNDERDB_BIN to the thunderdb binary}"
N=${N:-20000}; R=${R:-100000}; C=${C:-50}
WORK=$(mktemp -d /tmp/thunderdb-durable.XXXXXX)
mkdir -p "$WORK/data" "$WORK/redis"
cleanup() { kill "${TPID:-}" "${RPID:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
cat >"$WORK/thunderdb.toml" <<TOML
listen_addr = "127.0.0.1"
resp_port = 6394
http_port = 6404
data_dir = "$WORK/data"
[storage]
sync_commit = true
TOML
"$THUNDERDB_BIN" --config "$WORK/thunderdb.toml" >"$WORK/thunder.log" 2>&1 & TPID=$!
redis-server --port 6395 --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes --appendfsync always --save '' --daemonize no >"$WORK/redis.log" 2>&1 & RPID=$!
for _ in $(seq 100); do redis-cli -p 6394 PING >/dev/null 2>&1 && redis-cli -p 6395 PING >/dev/null 2>&1 && break; sleep 0.1; done
echo "| -P | Redis (appendfsync always) rps | ThunderDB (sync_commit = true) rps | ThunderDB/Redis |"
echo "|---:|---:|---:|---:|"
for p in 1 16; do
  r=$(redis-benchmark -p 6395 -t set -n $((N * p)) -r "$R" -c "$C" -P "$p" --csv 2>/dev/null | tail -n 1 | tr -d '"' | cut -d, -f2)
  t=$(redis-benchmark -p 6394 -t set -n $((N * p)) -r "$R" -c "$C" -P "$p" --csv 2>/dev/null | tail -n 1 | tr -d '"' | cut -d, -f2)
  awk -v p="$p" -v r="$r" -v t="$t" 'BEGIN{ printf "| %d | %.0f | %.0f | %.2fx |\n", p, r, t, t/r }'
done
