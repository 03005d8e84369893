#!/bin/bash
# WAL archive compression, measured on a real WAL (docs/perf.md "WAL archive compression").
# Usage: perf/ThunderDb.Perf/Wal/wal-archive-compression.sh off|lz4|zstd [workdir]   (THUNDERDB_BIN: the published binary)
# One server run per mode: backup b0 of the empty database, then pgbench -i -s 4, pgbench -c 4 -t 15000 (tpcb-like)
# and redis-benchmark SET/LPUSH/INCR (100-byte values), checkpoints every second archiving what they remove; then
# three PITR restores to "now" from b0, each over a fresh copy of the stopped server's files, timed.
# Ratio and codec MB/s on the same segments: dotnet run -c Release --project perf/ThunderDb.Perf -- walzip <segments>
set -e
BIN=${THUNDERDB_BIN:-$(dirname "$0")/../../../artifacts/bin/thunderdb}
PGB=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
mode=$1; base=${2:-/tmp/wz}/$mode
rm -rf "$base"; mkdir -p "$base/var"
comp=true; alg=Lz4
[ "$mode" = off ] && comp=false
[ "$mode" = zstd ] && alg=Zstd
cat > "$base/t.toml" <<T
http_port = 18481
data_dir = "$base/var/data"
wal_dir = "$base/var/wal"
[storage]
sync_commit = false
checkpoint_interval = "1s"
buffer_pool_size = 268435456
backup_dir = "$base/backups"
compression = $comp
compression_algorithm = "$alg"
T
export THUNDERDB_PG_PORT=15481 THUNDERDB_RESP_PORT=16481
"$BIN" --config "$base/t.toml" > "$base/server.log" 2>&1 &
pid=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:18481/admin/ready >/dev/null && break; sleep 0.2; done
curl -s -X POST http://127.0.0.1:18481/admin/backup -d "{\"target_dir\": \"$base/backups/b0\"}" > "$base/backup.json"
"$PGB" -i -s 4 -h 127.0.0.1 -p 15481 -U thunder postgres > "$base/pgbench-init.log" 2>&1
"$PGB" -c 4 -t 15000 -h 127.0.0.1 -p 15481 -U thunder postgres > "$base/pgbench.log" 2>&1
redis-benchmark -p 16481 -t set,lpush,incr -n 200000 -r 100000 -d 100 -P 16 -q > "$base/redis.log" 2>&1
sleep 3
kill -TERM $pid; wait $pid || true
echo "$mode archive: $(ls "$base"/backups/wal/*/ | wc -l) files, $(cat "$base"/backups/wal/*/* | wc -c) bytes"
cp -a "$base/var" "$base/stopped"
sleep 1
for n in 1 2 3; do
  rm -rf "$base/var"; cp -a "$base/stopped" "$base/var"
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  t0=$(date +%s.%N)
  "$BIN" --config "$base/t.toml" --restore-pitr "$now" --restore-backup "$base/backups/b0" 2>&1 >/dev/null \
    | while IFS= read -r l; do echo "$(date +%s.%N) $l"; done > "$base/restore$n.err"
  t1=$(date +%s.%N)
  copied=$(grep "Copied WAL segment" "$base/restore$n.err" | tail -1 | cut -d' ' -f1)
  replay=$(grep -o "replayed [0-9]* bytes of WAL in [0-9]* ms ([0-9.]* MB/s)" "$base/restore$n.err")
  echo "$mode restore $n: segments in place after $(echo "$copied - $t0" | bc) s; $replay; wall $(echo "$t1 - $t0" | bc) s"
done
