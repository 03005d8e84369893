#!/usr/bin/env bash
# Same redis-benchmark runs against redis-server (appendonly yes, appendfsync everysec) and ThunderDB,
# alternating, at -P 1 and -P 16; writes the ThunderDB/Redis ratio per command into docs/perf.md (RESP section).
#
#   THUNDERDB_BIN=artifacts/bin/thunderdb perf/ThunderDb.Perf/Resp/compare-redis.sh      # the real server, sync_commit=false
#   perf/ThunderDb.Perf/Resp/compare-redis.sh                                             # no binary: RESP layer over a stub store
#
# Env: N (requests, default 1000000), R (key range, 100000), C (clients, 50), ROUNDS (alternations, 2).
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
N=${N:-1000000}; R=${R:-100000}; C=${C:-50}; ROUNDS=${ROUNDS:-2}
TESTS=set,get,incr,lpush,lpop,hset
REDIS_PORT=6391; THUNDER_PORT=6392
WORK=$(mktemp -d /tmp/thunderdb-resp-perf.XXXXXX)
cleanup() { [ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null; [ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }
redis-server --port $REDIS_PORT --bind 127.0.0.1 --dir "$WORK" --appendonly yes --appendfsync everysec --save '' --daemonize no >"$WORK/redis.log" 2>&1 &
RPID=$!

if [ -n "${THUNDERDB_BIN:-}" ]; then
  MODE="thunderdb binary, sync_commit=false"
  mkdir -p "$WORK/data"
  cat >"$WORK/thunderdb.toml" <<TOML
listen_addr = "127.0.0.1"
resp_port = $THUNDER_PORT
http_port = $((THUNDER_PORT + 10))
data_dir = "$WORK/data"
[storage]
sync_commit = false
TOML
  "$THUNDERDB_BIN" --config "$WORK/thunderdb.toml" >"$WORK/thunder.log" 2>&1 &
else
  MODE="RESP layer over the perf stub store (no storage engine)"
  dotnet build -c Release perf/ThunderDb.Perf/ThunderDb.Perf.csproj -nologo -v quiet >/dev/null
  dotnet perf/ThunderDb.Perf/bin/Release/net10.0/ThunderDb.Perf.dll resp-server $THUNDER_PORT >"$WORK/thunder.log" 2>&1 &
fi
TPID=$!
for port in $REDIS_PORT $THUNDER_PORT; do
  for _ in $(seq 100); do redis-cli -p $port PING >/dev/null 2>&1 && break; sleep 0.1; done
done

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# One redis-benchmark run per test, so the server's CPU time (utime+stime from /proc) can be charged to it.
bench() { # port pid pipeline -> "test rps cpu_us_per_request" lines
  for t in ${TESTS//,/ }; do
    local before after line
    before=$(cpu_ticks "$2")
    line=$(redis-benchmark -h 127.0.0.1 -p "$1" -t "$t" -n "$N" -r "$R" -c "$C" -P "$3" --csv 2>/dev/null | tail -n 1 | tr -d '"')
    after=$(cpu_ticks "$2")
    awk -F, -v b="$before" -v a="$after" -v hz="$HZ" -v n="$N" '{ printf "%s %s %.3f\n", $1, $2, (a-b)/hz*1e6/n }' <<<"$line"
  done
}

declare -A SUM CPU
for round in $(seq "$ROUNDS"); do
  for p in 1 16; do
    for target in redis thunder; do
      port=$REDIS_PORT; pid=$RPID
      [ $target = thunder ] && { port=$THUNDER_PORT; pid=$TPID; }
      while read -r test rps cpu; do
        SUM["$target,$p,$test"]=$(awk -v a="${SUM["$target,$p,$test"]:-0}" -v b="$rps" 'BEGIN{print a+b}')
        CPU["$target,$p,$test"]=$(awk -v a="${CPU["$target,$p,$test"]:-0}" -v b="$cpu" 'BEGIN{print a+b}')
      done < <(bench $port $pid $p)
    done
  done
done

TABLE="$WORK/table.md"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, loopback; \`redis-benchmark -t <one test> -n $N -r $R -c $C\` per test, $ROUNDS alternating rounds; ThunderDB side: $MODE. CPU = server process utime+stime per request (from /proc), the figure least disturbed by other load on a shared machine."
  echo
  echo "| command | -P | Redis rps | ThunderDB rps | ThunderDB/Redis | Redis CPU us/req | ThunderDB CPU us/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for p in 1 16; do
    for test in SET GET INCR LPUSH LPOP HSET; do
      r=${SUM["redis,$p,$test"]:-0}; t=${SUM["thunder,$p,$test"]:-0}
      rc=${CPU["redis,$p,$test"]:-0}; tc=${CPU["thunder,$p,$test"]:-0}
      awk -v test="$test" -v p="$p" -v r="$r" -v t="$t" -v rc="$rc" -v tc="$tc" -v n="$ROUNDS" 'BEGIN{ printf "| %s | %d | %.0f | %.0f | %.2fx | %.2f | %.2f |\n", test, p, r/n, t/n, (r>0? t/r : 0), rc/n, tc/n }'
    done
  done
} > "$TABLE"
cat "$TABLE"

# Replace the generated block inside the RESP section of docs/perf.md.
python3 - "$ROOT/docs/perf.md" "$TABLE" <<'PY'
import sys, re
doc, table = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
begin, end = "<!-- resp-compare:begin -->", "<!-- resp-compare:end -->"
text = re.sub(re.escape(begin) + ".*?" + re.escape(end), begin + "\n" + table + end, text, flags=re.S)
open(doc, "w").write(text)
PY
