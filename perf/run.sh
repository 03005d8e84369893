#!/bin/bash
# WAL archive compression measurement: one run per mode (off | Lz4 | Zstd).
set -e
BIN=/work/wt/walzip/artifacts/bin/thunderdb
PGB=/usr/lib/postgresql/15/bin/pgbench
mode=$1; base=/tmp/wz/$mode; rm -rf $base; mkdir -p $base/var
comp=true; alg=Lz4
[ "$mode" = off ] && comp=false
[ "$mode" = zstd ] && alg=Zstd
cat > $base/t.toml <<T
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
$BIN --config $base/t.toml > $base/server.log 2>&1 &
pid=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:18481/admin/ready >/dev/null && break; sleep 0.2; done
curl -s -X POST http://127.0.0.1:18481/admin/backup -d "{\"target_dir\": \"$base/backups/b0\"}" > $base/backup.json
$PGB -i -s 4 -h 127.0.0.1 -p 15481 -U thunder postgres > $base/pgbench-init.log 2>&1
$PGB -c 4 -t 15000 -h 127.0.0.1 -p 15481 -U thunder postgres > $base/pgbench.log 2>&1
redis-benchmark -p 16481 -t set,lpush,incr -n 200000 -r 100000 -d 100 -P 16 -q > $base/redis.log 2>&1
sleep 3
kill -TERM $pid; wait $pid || true
curl -s http://127.0.0.1:18481/ >/dev/null 2>&1 || true
echo "archive:"; ls -l $base/backups/wal/*/ | awk '{s+=$5} END {print NR-1, "files", s, "bytes"}'
cp -a $base/var $base/stopped
sleep 1
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
/usr/bin/time -f "restore wall %e s" $BIN --config $base/t.toml --restore-pitr "$now" --restore-backup $base/backups/b0 > $base/restore.out 2> $base/restore.err
grep -E "restore wall|Replay|MB/s|commits" $base/restore.err | tail -4
