#!/usr/bin/env bash
# Side-by-side redis-benchmark: Redis (appendonly yes, appendfsync everysec) vs ThunderDB
# (sync_commit = false) on loopback, same machine, same run, alternating per test.
# Usage: perf/redis-compare.sh [requests] [out.md]
# Writes a markdown table of requests/s and the ThunderDB/Redis ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
OUT=${2:-artifacts/perf/redis-compare.md}
TESTS=set,get,incr,lpush,lpop,hset
REDIS_PORT=${REDIS_PORT:-16379}
THUNDER_PORT=${THUNDER_PORT:-16380}
BIN=${THUNDERDB_BIN:-artifacts/bin/thunderdb}
WORK=$(mktemp -d /work/tmp-redis-compare.XXXXXX 2>/dev/null || mktemp -d)
mkdir -p "$(dirname "$OUT")"

command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)"; exit 2; }
[ -x "$BIN" ] || dotnet publish Host/ThunderDb.Host.csproj -c Release -r linux-x64 -o artifacts/bin -nologo -v quiet

cleanup() {
  [ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null || true
  [ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --appendonly yes --appendfsync everysec \
  --save '' --daemonize no --logfile "$WORK/redis.log" &
RPID=$!

cat > "$WORK/thunderdb.toml" <<TOML
listen_addr = "127.0.0.1"
resp_port = $THUNDER_PORT
http_port = $((THUNDER_PORT + 1))
pg_port = $((THUNDER_PORT + 2))
mysql_port = $((THUNDER_PORT + 3))
grpc_port = $((THUNDER_PORT + 4))
data_dir = "$WORK/thunder"
[storage]
sync_commit = false
[security]
authentication_enabled = false
TOML
mkdir -p "$WORK/thunder"
"$BIN" --config "$WORK/thunderdb.toml" > "$WORK/thunder.log" 2>&1 &
TPID=$!

for port in "$REDIS_PORT" "$THUNDER_PORT"; do
  for _ in $(seq 1 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
done

run() { # port pipeline test -> rps
  redis-benchmark -p "$1" -t "$3" -n "$N" -r 100000 -c 50 -P "$2" --csv -q 2>/dev/null \
    | awk -F'","' 'NR>1 { gsub(/"/,"",$2); print $2; exit }'
}

{
  echo "| test | pipeline | Redis req/s | ThunderDB req/s | ThunderDB/Redis |"
  echo "|---|---|---|---|---|"
  for p in 1 16; do
    for t in ${TESTS//,/ }; do
      r=$(run "$REDIS_PORT" "$p" "$t")
      th=$(run "$THUNDER_PORT" "$p" "$t")
      ratio=$(awk -v a="$th" -v b="$r" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
      echo "| $t | $p | $r | $th | $ratio |"
    done
  done
} | tee "$OUT"
echo "machine: $(nproc) cores, $(uname -r); redis $(redis-server --version | awk '{print $3}'); n=$N r=100000 c=50" | tee -a "$OUT"
