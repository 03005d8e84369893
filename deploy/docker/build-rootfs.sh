#!/usr/bin/env bash
# Assembles the container's root filesystem from a published thunderdb binary, with nothing but what
# the binary loads: its ELF dependencies (ldd), liblua54.so from beside it (Lua scripting), the OpenSSL libraries .NET opens at run time for TLS and
# crypto (dlopen, so ldd does not list them), OpenSSL's config, the CA bundle, a non-root user (65532)
# and the runbook's directories. The Dockerfile runs this same script, so the image and an offline
# build (this machine cannot reach image registries) hold the same files.
#
#   deploy/docker/build-rootfs.sh <thunderdb-binary> <output-dir>
#
# The output can be imported as an image: tar -C <output-dir> -c . | docker import - thunderdb/thunderdb:latest
set -euo pipefail
BIN=${1:?usage: build-rootfs.sh <thunderdb-binary> <output-dir>}
OUT=${2:?usage: build-rootfs.sh <thunderdb-binary> <output-dir>}
HERE=$(cd "$(dirname "$0")" && pwd)
UID_GID=65532

rm -rf "$OUT"
mkdir -p "$OUT"/{usr/local/bin,etc/thunderdb,etc/ssl/certs,var/lib/thunderdb/data,var/lib/thunderdb/wal,var/log/thunderdb,tmp,proc,dev}
install -m 0755 "$BIN" "$OUT/usr/local/bin/thunderdb"
# Lua 5.4 for EVAL/FCALL (KeraLua's native library): loaded by name from the binary's directory, so ldd misses it.
LUA_LIB="$(dirname "$BIN")/liblua54.so"
[ -e "$LUA_LIB" ] || { echo "build-rootfs: $LUA_LIB not found (dotnet publish puts it beside the binary)" >&2; exit 1; }
install -m 0755 "$LUA_LIB" "$OUT/usr/local/bin/liblua54.so"

copy_with_deps() { # copies a shared object or executable's dependencies, keeping their paths
  local f=$1
  ldd "$f" | awk '/=> \//{print $3} $1 ~ /^\//{print $1}' | while read -r lib; do
    copy_path "$lib"
  done
}
copy_path() { # copies a file to the same path in the root filesystem, symlinks resolved
  local p=$1
  [ -e "$OUT$p" ] && return 0
  mkdir -p "$OUT$(dirname "$p")"
  cp -L "$p" "$OUT$p"
}

copy_with_deps "$BIN"
copy_with_deps "$LUA_LIB"
# .NET's System.Security.Cryptography.Native opens libssl/libcrypto by soname at run time.
for soname in libssl.so.3 libcrypto.so.3; do
  lib=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64/ {print $NF; exit}')
  [ -n "$lib" ] || { echo "build-rootfs: $soname not found (install libssl3)" >&2; exit 1; }
  copy_path "$lib"
  copy_with_deps "$lib"
done
openssl_dir=$(openssl version -d 2>/dev/null | sed -n 's/^OPENSSLDIR: "\(.*\)"/\1/p')
[ -n "$openssl_dir" ] && [ -e "$openssl_dir/openssl.cnf" ] && copy_path "$openssl_dir/openssl.cnf"
[ -e /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$OUT/etc/ssl/certs/"

cat > "$OUT/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
thunderdb:x:$UID_GID:$UID_GID:thunderdb:/var/lib/thunderdb:/sbin/nologin
PASSWD
cat > "$OUT/etc/group" <<GROUP
root:x:0:
thunderdb:x:$UID_GID:
GROUP
# the default configuration is the Kubernetes one (authentication on; secrets from the environment)
install -m 0644 "$HERE/../k8s/thunderdb.toml" "$OUT/etc/thunderdb/thunderdb.toml"
chmod 1777 "$OUT/tmp"
chown -R "$UID_GID:$UID_GID" "$OUT/var/lib/thunderdb" "$OUT/var/log/thunderdb"
chmod 0700 "$OUT/var/lib/thunderdb/data" "$OUT/var/lib/thunderdb/wal"
echo "build-rootfs: $(find "$OUT" -type f | wc -l) files, $(du -sh "$OUT" | cut -f1) in $OUT"
