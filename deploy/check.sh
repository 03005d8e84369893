#!/usr/bin/env bash
# Renders, checks and runs every deploy file on this machine (the test suite runs each stage):
#   rules      promtool check/test of the runbook's alert rules; the rules equal the runbook's text
#   dashboard  the Grafana dashboard is valid JSON and every query parses as PromQL
#   k8s        kubectl kustomize renders deploy/k8s and the objects carry the runbook's names
#   systemd    systemd-analyze verify of the unit
#   image      builds the container file set (build-rootfs.sh) and runs the binary from it alone
#              (chroot, non-root, read-only config) with the Kubernetes config, TLS on: /admin/ready,
#              psql over TLS, every runbook metric on /metrics, a real Prometheus scraping it, SIGTERM
# Usage: deploy/check.sh [stage...]   (no stage: all). THUNDERDB_BIN: the binary (default artifacts/bin).
# Needs: promtool + prometheus (Debian prometheus), kubectl, python3-yaml, systemd-analyze, openssl,
# psql, curl; the image stage needs root (unshare + chroot).
set -euo pipefail
# the distribution's python3 (python3-yaml), not a pyenv one earlier on PATH
PYTHON=/usr/bin/python3; [ -x "$PYTHON" ] || PYTHON=python3
DEPLOY=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$DEPLOY")
BIN=${THUNDERDB_BIN:-$ROOT/artifacts/bin/thunderdb}
WORK=$(mktemp -d /tmp/thunderdb-deploy.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "deploy check FAILED: $*" >&2; exit 1; }

find_runbook() {
  for f in "${THUNDERDB_RUNBOOK:-}" "$ROOT/../shared/seed/runbook.md" /work/shared/seed/runbook.md; do
    [ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return; }
  done
  fail "runbook.md not found (set THUNDERDB_RUNBOOK)"
}

stage_rules() {
  promtool check rules "$DEPLOY/prometheus/alerts.yaml"
  (cd "$DEPLOY/prometheus" && promtool test rules alerts.test.yaml)
  promtool check config "$DEPLOY/prometheus/prometheus.yml"
  # the rules file is the runbook's "Recommended Alerts" block, verbatim (comments aside)
  "$PYTHON" - "$(find_runbook)" "$DEPLOY/prometheus/alerts.yaml" <<'PY'
import sys, yaml
runbook = open(sys.argv[1]).read()
block = runbook[runbook.index("### Recommended Alerts"):].split("```yaml", 1)[1].split("```", 1)[0]
if yaml.safe_load(block) != yaml.safe_load(open(sys.argv[2])):
    sys.exit("alerts.yaml differs from the runbook's Recommended Alerts")
PY
  echo "rules: ok"
}

stage_dashboard() {
  # every panel query, with Grafana's variables filled in, must be valid PromQL: promtool parses them
  "$PYTHON" - "$DEPLOY/grafana/thunderdb.json" "$WORK/dashboard-rules.yaml" <<'PY'
import json, sys
dash = json.load(open(sys.argv[1]))
assert dash["uid"] and dash["title"] and isinstance(dash["panels"], list) and dash["panels"], "not a Grafana dashboard"
rules = []
for panel in dash["panels"]:
    assert {"id", "type", "title", "gridPos", "targets"} <= panel.keys(), f"panel {panel.get('title')} is incomplete"
    for t in panel["targets"]:
        expr = t["expr"].replace("$__rate_interval", "5m").replace("$job", "thunderdb").replace("$instance", ".*")
        rules.append({"record": f"dashboard:panel{panel['id']}:{t['refId']}", "expr": expr})
with open(sys.argv[2], "w") as f:
    json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
print(f"dashboard: {len(rules)} queries")
PY
  promtool check rules "$WORK/dashboard-rules.yaml" >/dev/null
  echo "dashboard: ok"
}

stage_k8s() {
  kubectl kustomize "$DEPLOY/k8s" > "$WORK/rendered.yaml"
  "$PYTHON" "$DEPLOY/check_k8s.py" < "$WORK/rendered.yaml"
  echo "k8s: ok ($(grep -c '^kind:' "$WORK/rendered.yaml") objects)"
}

stage_systemd() {
  [ -x "$BIN" ] || fail "no binary at $BIN"
  # verify needs ExecStart's binary to exist: check a copy pointing at the built one
  sed "s#/usr/local/bin/thunderdb#$BIN#" "$DEPLOY/systemd/thunderdb.service" > "$WORK/thunderdb.service"
  out=$(systemd-analyze verify "$WORK/thunderdb.service" 2>&1 || true)
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
  echo "systemd: ok"
}

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for() { # wait_for <seconds> <command...>
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

stage_image() {
  [ -x "$BIN" ] || fail "no binary at $BIN"
  [ "$(id -u)" = 0 ] || fail "the image stage needs root (unshare, chroot)"
  local fs=$WORK/rootfs
  bash "$DEPLOY/docker/build-rootfs.sh" "$BIN" "$fs"
  # TLS material where the Kubernetes projected volume puts it
  mkdir -p "$fs/etc/thunderdb/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$fs/etc/thunderdb/tls/tls.key" -out "$fs/etc/thunderdb/tls/tls.crt" 2>/dev/null
  chmod 0644 "$fs/etc/thunderdb/tls/tls.key"
  sed -i 's/^tls_enabled = false/tls_enabled = true/' "$fs/etc/thunderdb/thunderdb.toml"
  local password=deploy-check-secret hash http pg resp
  hash=$("$BIN" --hash-password "$password")
  http=$(free_port); pg=$(free_port); resp=$(free_port)
  # the binary sees only the file set: chroot, its own mount namespace with /proc, /dev, a /tmp
  env -i THUNDERDB_SUPERUSER_PASSWORD_HASH="$hash" THUNDERDB_ADMIN_TOKEN_HASH="$hash" \
    THUNDERDB_LISTEN_ADDR=127.0.0.1 THUNDERDB_HTTP_PORT="$http" THUNDERDB_PG_PORT="$pg" \
    THUNDERDB_RESP_PORT="$resp" THUNDERDB_MYSQL_PORT="$(free_port)" THUNDERDB_GRPC_PORT="$(free_port)" \
    unshare --mount --fork /bin/sh -c "mount --make-rprivate / && mount -t proc proc '$fs/proc' \
      && mount --rbind /dev '$fs/dev' && mount -t tmpfs tmpfs '$fs/tmp' \
      && exec /usr/sbin/chroot --userspec=65532:65532 '$fs' /usr/local/bin/thunderdb --config /etc/thunderdb/thunderdb.toml" \
    > "$WORK/server.log" 2>&1 &
  local server=$!
  PIDS+=("$server")
  wait_for 30 curl -fsk "https://127.0.0.1:$http/admin/ready" || { cat "$WORK/server.log" >&2; fail "/admin/ready did not answer 200 from the image file set"; }
  local v
  v=$(PGPASSWORD=$password PGSSLMODE=require psql -h 127.0.0.1 -p "$pg" -U admin -d postgres -Atc "SELECT 1 + 1") \
    || { cat "$WORK/server.log" >&2; fail "psql over TLS failed"; }
  [ "$v" = 2 ] || fail "psql answered '$v'"
  # Lua scripting loads liblua54.so from the file set
  v=$(redis-cli --tls --insecure -h 127.0.0.1 -p "$resp" -a "$password" --no-auth-warning EVAL "return 40 + 2" 0 2>&1) \
    || { cat "$WORK/server.log" >&2; fail "redis-cli EVAL over TLS failed: $v"; }
  [ "$v" = 42 ] || fail "EVAL from the image file set answered '$v'"
  curl -fsk "https://127.0.0.1:$http/metrics" > "$WORK/metrics.txt"
  "$PYTHON" - "$(find_runbook)" "$WORK/metrics.txt" <<'PY'
import re, sys
runbook = open(sys.argv[1]).read()
table = runbook[runbook.index("Key metrics to monitor"):runbook.index("### Admin Metrics API")]
names = re.findall(r"^\| `(thunderdb_[a-z_]+)`", table, re.M)
exposed = open(sys.argv[2]).read()
missing = [n for n in names if not re.search(rf"^{n}(_bucket|_sum|_count)?[{{ ]", exposed, re.M)]
if not names or missing:
    sys.exit(f"metrics missing from /metrics: {missing or 'no metric table found'}")
print(f"image: {len(names)} runbook metrics exposed")
PY
  # a real Prometheus with the deploy config, pointed at this server (plain HTTP works beside HTTPS)
  local prom_port
  prom_port=$(free_port)
  mkdir -p "$WORK/prom"
  cp "$DEPLOY/prometheus/alerts.yaml" "$WORK/prom/"
  sed -e "s/targets: \['thunderdb:8080'\]/targets: ['127.0.0.1:$http']/" -e 's/scrape_interval: 15s/scrape_interval: 1s/' \
    "$DEPLOY/prometheus/prometheus.yml" > "$WORK/prom/prometheus.yml"
  grep -q "127.0.0.1:$http" "$WORK/prom/prometheus.yml" || fail "could not point prometheus.yml at the server"
  prometheus --config.file="$WORK/prom/prometheus.yml" --storage.tsdb.path="$WORK/prom/data" \
    --web.listen-address="127.0.0.1:$prom_port" > "$WORK/prometheus.log" 2>&1 &
  PIDS+=("$!")
  scraped() {
    curl -fs "http://127.0.0.1:$prom_port/api/v1/query?query=thunderdb_queries_total%7Bjob%3D%22thunderdb%22%7D" \
      | "$PYTHON" -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; sys.exit(0 if r and float(r[0]["value"][1]) >= 1 else 1)'
  }
  wait_for 60 scraped || { tail -20 "$WORK/prometheus.log" >&2; fail "Prometheus did not scrape thunderdb_queries_total"; }
  echo "image: Prometheus scraped thunderdb_queries_total"
  kill -TERM "${PIDS[-1]}" 2>/dev/null && wait "${PIDS[-1]}" 2>/dev/null || true
  # SIGTERM: a clean stop within the Kubernetes grace period
  pkill -TERM -f "^/usr/local/bin/thunderdb --config /etc/thunderdb/thunderdb.toml" || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$server" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the server did not stop within 30 s of SIGTERM"
    sleep 0.2
  done
  wait "$server" || fail "the server exited with status $? after SIGTERM"
  grep -q "ThunderDB server stopped" "$WORK/server.log" || fail "no clean-shutdown line in the log"
  echo "image: ok"
}

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(rules dashboard k8s systemd image)
for s in "${stages[@]}"; do
  case "$s" in
    rules|dashboard|k8s|systemd|image) "stage_$s" ;;
    *) fail "unknown stage $s" ;;
  esac
done
echo "deploy check passed: ${stages[*]}"
