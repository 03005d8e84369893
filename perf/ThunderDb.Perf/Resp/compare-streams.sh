#!/usr/bin/env bash
# XADD and XRANGE: redis-server (appendonly yes, appendfsync everysec) vs ThunderDB (sync_commit = false), both
# started fresh on loopback and measured alternately, ROUNDS rounds; per run: requests/s and the server's CPU per
# request (utime+stime from /proc, 10 ms ticks, so about 1 us resolution at N = 100000).
#
#   THUNDERDB_BIN=artifacts/bin/thunderdb perf/ThunderDb.Perf/Resp/compare-streams.sh
#
# Env: N (requests per run, default 100000), ROUNDS (3). XRANGE reads COUNT 10 of a 100-entry stream.
set -euo pipefail
: "${THUNDERDB_BIN:?set THUNDERDB_BIN}"
N=${N:-100000}; ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d /tmp/thunderdb-streams.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RPORT=$(free_port); TPORT=$(free_port)
redis-server --port "$RPORT" --dir "$WORK" --save "" --appendonly yes --appendfsync everysec >/dev/null &
RPID=$!
printf 'http_port = %s\ndata_dir = "%s/data"\n\n[storage]\nsync_commit = false\n' "$(free_port)" "$WORK" > "$WORK/thunderdb.toml"
THUNDERDB_RESP_PORT=$TPORT THUNDERDB_PG_PORT=$(free_port) "$THUNDERDB_BIN" --config "$WORK/thunderdb.toml" >/dev/null 2>&1 &
TPID=$!
trap 'kill $RPID $TPID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
for p in $RPORT $TPORT; do for _ in $(seq 100); do redis-cli -p "$p" PING >/dev/null 2>&1 && break; sleep 0.1; done; done

run() { # pid port benchmark-args...
  local pid=$1 port=$2; shift 2
  local t0 t1 rps
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  rps=$(redis-benchmark -p "$port" -n "$N" -c 50 --csv "$@" 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  echo "$rps rps $(echo "scale=1; ($t1-$t0)*1000000/$(getconf CLK_TCK)/$N" | bc) us"
}
for round in $(seq "$ROUNDS"); do
  for side in redis thunderdb; do
    if [ $side = redis ]; then pid=$RPID; port=$RPORT; else pid=$TPID; port=$TPORT; fi
    redis-cli -p "$port" DEL bench:x bench:r >/dev/null
    for i in $(seq 100); do echo "XADD bench:r * field value-$i"; done | redis-cli -p "$port" >/dev/null
    echo "round $round $side: XADD -P1 $(run $pid $port -P 1 XADD bench:x '*' field value)" \
      "| XADD -P16 $(run $pid $port -P 16 XADD bench:x '*' field value)" \
      "| XRANGE COUNT 10 -P1 $(run $pid $port -P 1 XRANGE bench:r - + COUNT 10)" \
      "| -P16 $(run $pid $port -P 16 XRANGE bench:r - + COUNT 10)"
  done
done
