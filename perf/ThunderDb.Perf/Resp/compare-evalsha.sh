#!/usr/bin/env bash
# EVALSHA of a cached 10-command script (INCR, GET, HSET, HGET, LPUSH, LPOP, SADD, SISMEMBER, ZADD, ZSCORE):
# redis-server (no persistence) vs ThunderDB with sync_commit = false and true, fresh servers on loopback,
# redis-benchmark -c C; prints requests/s, p50 and the server's CPU per call (utime+stime from /proc).
#
#   THUNDERDB_BIN=artifacts/bin/thunderdb perf/ThunderDb.Perf/Resp/compare-evalsha.sh
#
# Env: N (requests per run, default 20000; the sync_commit = true run does N/4), C (clients, 50).
set -euo pipefail
: "${THUNDERDB_BIN:?set THUNDERDB_BIN}"
N=${N:-20000}; C=${C:-50}
WORK=$(mktemp -d /tmp/thunderdb-evalsha.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
SCRIPT="redis.call('INCR', KEYS[1]) redis.call('GET', KEYS[1]) redis.call('HSET', KEYS[2], 'f', ARGV[1]) redis.call('HGET', KEYS[2], 'f') redis.call('LPUSH', KEYS[3], ARGV[1]) redis.call('LPOP', KEYS[3]) redis.call('SADD', KEYS[4], ARGV[1]) redis.call('SISMEMBER', KEYS[4], ARGV[1]) redis.call('ZADD', KEYS[5], 1, ARGV[1]) return redis.call('ZSCORE', KEYS[5], ARGV[1])"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

measure() { # label port requests
  local sha t0 t1 line
  for _ in $(seq 50); do redis-cli -p "$2" PING >/dev/null 2>&1 && break; sleep 0.1; done
  sha=$(redis-cli -p "$2" SCRIPT LOAD "$SCRIPT")
  t0=$(awk '{print $14+$15}' "/proc/$PID/stat")
  line=$(redis-benchmark -p "$2" -c "$C" -n "$3" -q EVALSHA "$sha" 5 b:n b:h b:l b:s b:z v 2>&1 | tr '\r' '\n' | grep -i evalsha | tail -1)
  t1=$(awk '{print $14+$15}' "/proc/$PID/stat")
  echo "$1: ${line#*v: }; server CPU $(echo "scale=1; ($t1-$t0)*1000000/$(getconf CLK_TCK)/$3" | bc) us/call"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

port=$(free_port)
redis-server --port "$port" --save '' --appendonly no --dir "$WORK" >/dev/null & PID=$!
measure redis-server "$port" "$N"
for sync in false true; do
  rm -rf "$WORK/data"; port=$(free_port)
  printf 'http_port = %s\ndata_dir = "%s/data"\n[storage]\nsync_commit = %s\n' "$(free_port)" "$WORK" "$sync" > "$WORK/thunderdb.toml"
  THUNDERDB_RESP_PORT=$port THUNDERDB_PG_PORT=$(free_port) "$THUNDERDB_BIN" --config "$WORK/thunderdb.toml" >"$WORK/server.log" 2>&1 & PID=$!
  n=$N; [ "$sync" = true ] && n=$((N / 4))
  measure "thunderdb sync_commit=$sync" "$port" "$n"
done
