#!/usr/bin/env bash
# Paired run: redis-server (appendonly yes, appendfsync everysec), a "before" ThunderDB binary and an "after" one
# (both sync_commit=false), each started fresh in turn per round, same redis-benchmark runs at -P 1 and -P 16.
# Prints a markdown table of the averages and the ratios (docs/perf.md, RESP section).
#
#   BEFORE_BIN=/tmp/old/thunderdb THUNDERDB_BIN=artifacts/bin/thunderdb perf/ThunderDb.Perf/Resp/compare-before-after.sh
#
# Env: N (requests, default 200000), R (key range, 100000), C (clients, 50), ROUNDS (2), PORT (first of three, 6381),
#      RESULTS_COPY (a file to keep the per-round lines in).
set -euo pipefail
: "${BEFORE_BIN:?set BEFORE_BIN}" "${THUNDERDB_BIN:?set THUNDERDB_BIN}"
N=${N:-200000}; R=${R:-100000}; C=${C:-50}; ROUNDS=${ROUNDS:-2}; PORT=${PORT:-6381}
TESTS=set,get,incr,lpush,lpop,hset
WORK=$(mktemp -d /tmp/thunderdb-resp-pair.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

run_target() { # name binary port -> "name pipeline test rps" lines
  rm -rf "$WORK/run"; mkdir -p "$WORK/run/data"
  if [ "$1" = redis ]; then
    redis-server --port "$3" --bind 127.0.0.1 --dir "$WORK/run" --appendonly yes --appendfsync everysec --save '' >/dev/null 2>&1 &
  else
    printf 'listen_addr = "127.0.0.1"\nresp_port = %d\nhttp_port = %d\ndata_dir = "%s"\n[storage]\nsync_commit = false\n' \
      "$3" "$(($3 + 10))" "$WORK/run/data" >"$WORK/run/thunderdb.toml"
    "$2" --config "$WORK/run/thunderdb.toml" >"$WORK/$1.log" 2>&1 &
  fi
  PID=$!
  for _ in $(seq 100); do redis-cli -p "$3" PING >/dev/null 2>&1 && break; sleep 0.1; done
  for p in 1 16; do
    redis-benchmark -h 127.0.0.1 -p "$3" -t $TESTS -n "$N" -r "$R" -c "$C" -P "$p" --csv 2>/dev/null |
      tail -n +2 | tr -d '"' | awk -F, -v t="$1" -v p="$p" '{print t, p, $1, $2}'
  done
  # server CPU (user + system clock ticks) over all the runs above, for CPU per request
  echo "$1 cpu ticks $(awk '{print $14 + $15}' "/proc/$PID/stat")"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

for _ in $(seq "$ROUNDS"); do
  run_target redis "" "$PORT"
  run_target before "$BEFORE_BIN" $((PORT + 1))
  run_target after "$THUNDERDB_BIN" $((PORT + 2))
done >"$WORK/results.txt"

awk '
  $2 == "cpu" { cpu[$1] += $4; rounds[$1]++; next }
  { sum[$1 " " $2 " " $3] += $4; n[$1 " " $2 " " $3]++ }
  END {
    print "| command | -P | Redis rps | before rps | after rps | before/Redis | after/Redis | after/before |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|"
    split("SET GET INCR LPUSH LPOP HSET", tests, " ")
    for (pi = 1; pi <= 2; pi++) {
      p = (pi == 1) ? 1 : 16
      for (i = 1; i <= 6; i++) {
        t = tests[i]
        r = sum["redis " p " " t] / n["redis " p " " t]; b = sum["before " p " " t] / n["before " p " " t]; a = sum["after " p " " t] / n["after " p " " t]
        printf "| %s | %d | %.0f | %.0f | %.0f | %.2fx | %.2fx | %.2fx |\n", t, p, r, b, a, b / r, a / r, a / b
      }
    }
    requests = 12 * n_requests
    printf "\nserver CPU per request (all runs, user+system): Redis %.2f us, before %.2f us, after %.2f us\n",
      cpu["redis"] / rounds["redis"] * 1e6 / hz / requests, cpu["before"] / rounds["before"] * 1e6 / hz / requests, cpu["after"] / rounds["after"] * 1e6 / hz / requests
  }' n_requests="$N" hz="$(getconf CLK_TCK)" "$WORK/results.txt"
cp "$WORK/results.txt" "${RESULTS_COPY:-/dev/null}" 2>/dev/null || true
