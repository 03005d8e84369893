#!/usr/bin/env bash
# Runs the whole ThunderDB test suite on a fresh machine that has the .NET 10 SDK.
# Installs the real clients the tests drive (Debian packages), publishes the native-AOT
# binary the end-to-end tests start, then runs every TUnit project in the solution.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

need=()
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server) # the oracle of the RESP differential test
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client-15) # the PostgreSQL protocol tests drive psql
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15) # the reference server of the differential test (and pgbench)
/usr/bin/python3 -c "import psycopg" >/dev/null 2>&1 || need+=(python3-psycopg) # ... and psycopg 3 (extended protocol)
# deploy/check.sh: promtool and a real Prometheus, kubectl kustomize, YAML checks, systemd-analyze, openssl
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
/usr/bin/python3 -c "import yaml" >/dev/null 2>&1 || need+=(python3-yaml)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The AOT toolchain needs clang and zlib headers; the .NET SDK image has them, check anyway.
dotnet publish Host/ThunderDb.Host.csproj -c Release -r linux-x64 -o "$ROOT/artifacts/bin" -nologo -v quiet
export THUNDERDB_BIN="$ROOT/artifacts/bin/thunderdb"
# ... and the build with OpenTelemetry export compiled in (tests/ThunderDb.Host.Tests/Observability)
dotnet publish Host/ThunderDb.Host.csproj -c Release -r linux-x64 -p:Otel=true -o "$ROOT/artifacts/bin-otel" -nologo -v quiet
export THUNDERDB_OTEL_BIN="$ROOT/artifacts/bin-otel/thunderdb"

rm -rf "$ROOT/artifacts/test-results"
dotnet test --solution ThunderDb.slnx -c Release --report-trx --results-directory "$ROOT/artifacts/test-results" --ignore-exit-code 8 "$@"
