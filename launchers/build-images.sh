#!/usr/bin/env bash
# Builds the two container images of a Socle node, with no base image pulled (no registry is needed):
#
#   socle-opa:<tag>   FROM scratch: the static OPA binary, its configuration with the federation's
#                     policy-verification key (a signature is required), and the signed policy bundle
#                     at /bundles/socle-policies.tar.gz (mount another bundle over it to update)
#   socle-node:<tag>  FROM scratch: a jlink JRE holding only the modules the node uses (jdeps), the
#                     node jar and its libraries, and the host's shared libraries that JRE and the
#                     TLS library load (found with ldd); runs as uid 10001, needs no writable path
#                     but /data, reads its configuration from /config/node.json
#
# then exports each to .run/images/<name>.tar (`podman save`) and prints the image sizes and the
# node's start time in a container. Needs the node jar (launchers/setup.sh builds it), the signed
# bundle (build-policy-bundle.sh) and Podman (launchers/podman.sh; the script sets it up).
#
# Usage: launchers/build-images.sh [--tag TAG] [--no-export] [--no-timing]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPA_BIN="$ROOT/.tools/bin/opa"
JAR="$ROOT/connector/target/socle-connector.jar"
LIB="$ROOT/connector/target/lib"
BUNDLES="$ROOT/.run/bundles"
OUT="$ROOT/.run/images"
TAG="dev"
EXPORT=1
TIMING=1
# The node's user: not root, and not a uid a host account is likely to hold.
NODE_UID=10001

say() { printf '\033[1m[build-images]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[build-images] %s\033[0m\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG="$2"; shift 2 ;;
    --no-export) EXPORT=0; shift ;;
    --no-timing) TIMING=0; shift ;;
    *) die "unknown argument '$1' (see the usage at the top of this script)" ;;
  esac
done

[ -f "$JAR" ] && [ -d "$LIB" ] || die "no node jar at $JAR: run launchers/setup.sh first"
[ -s "$BUNDLES/opa-config.json" ] && [ -s "$BUNDLES/socle-policies.tar.gz" ] \
  || die "no signed policy bundle in $BUNDLES: run launchers/setup.sh first"
[ -x "$OPA_BIN" ] || die "no OPA binary at $OPA_BIN: run launchers/setup.sh first"
# A scratch image has no C library to offer: OPA must be one static executable (CGO_ENABLED=0).
if ldd "$OPA_BIN" >/dev/null 2>&1; then
  die "$OPA_BIN is dynamically linked ($(ldd "$OPA_BIN" | tr '\n' ' ')); rebuild it with CGO_ENABLED=0"
fi
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[ -x "$JAVA_HOME/bin/jlink" ] && [ -d "$JAVA_HOME/jmods" ] \
  || die "jlink and the JDK's jmods are required (JAVA_HOME=$JAVA_HOME): install openjdk-17-jdk-headless"

# shellcheck source=launchers/podman.sh
. "$ROOT/launchers/podman.sh"
podman_install && podman_config || die "Podman is not usable (see above)"

image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
declare -A PREVIOUS=([socle-opa]="$(image_id "socle-opa:$TAG")" [socle-node]="$(image_id "socle-node:$TAG")")

WORK="$(mktemp -d "${TMPDIR:-/tmp}/socle-images.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --- socle-opa -------------------------------------------------------------------------------------
say "socle-opa:$TAG (static OPA $("$OPA_BIN" version | sed -n 's/^Version: //p'), signed bundle $(cat "$BUNDLES/socle-policies.revision"))"
ctx="$WORK/opa"
mkdir -p "$ctx/etc/socle" "$ctx/bundles" "$ctx/tmp"
cp "$OPA_BIN" "$ctx/opa"
cp "$BUNDLES/socle-policies.tar.gz" "$ctx/bundles/"
cp "$BUNDLES/socle-policies.revision" "$ctx/bundles/"
# The configuration keeps the public key and the required signature; the bundle's path changes, and
# the decision-log upload goes: the node's receiver listens on its own loopback, which another
# container cannot reach (the node's own audit log still records every decision).
jq '.bundles.socle.resource = "file:///bundles/socle-policies.tar.gz" | del(.services, .decision_logs)' \
  "$BUNDLES/opa-config.json" \
  >"$ctx/etc/socle/opa-config.json"
printf 'socle:x:%s:%s:socle:/:/nonexistent\n' "$NODE_UID" "$NODE_UID" >"$ctx/etc/passwd"
cat >"$ctx/Containerfile" <<EOF
FROM scratch
COPY opa /opa
COPY etc/ /etc/
COPY bundles/ /bundles/
COPY --chown=$NODE_UID:$NODE_UID tmp/ /tmp/
USER $NODE_UID:$NODE_UID
EXPOSE 8181
ENTRYPOINT ["/opa"]
CMD ["run", "--server", "--addr", "0.0.0.0:8181", "--skip-version-check", "--config-file", "/etc/socle/opa-config.json"]
LABEL org.opencontainers.image.title="socle-opa" org.opencontainers.image.version="$TAG"
EOF
podman build -q -t "socle-opa:$TAG" "$ctx" >/dev/null || die "podman build of socle-opa failed"

# --- socle-node ------------------------------------------------------------------------------------
ctx="$WORK/node"
# The image's files in rootfs/; the data directory apart, so that it alone is given to the node's user.
root="$ctx/rootfs"
mkdir -p "$root/opt/socle" "$root/config" "$root/etc" "$ctx/data"
cp "$JAR" "$root/opt/socle/"
cp -r "$LIB" "$root/opt/socle/lib"
say "jdeps: the modules the node and its libraries use"
modules="$("$JAVA_HOME/bin/jdeps" -q --multi-release 17 --ignore-missing-deps --print-module-deps \
  --class-path "$LIB/*" "$JAR" "$LIB"/*.jar)" || die "jdeps failed"
# Providers found by name at run time, which jdeps cannot see: the EC algorithms of the federation's
# keys and node tokens (ES256), and the zip file system.
modules="$modules,jdk.crypto.ec,jdk.zipfs"
say "jlink: $modules"
# Uncompressed modules and a class-data sharing archive of the JRE's classes (-Xshare:dump): both
# shorten start-up, which is what a restarted container costs its partners.
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$root/opt/socle/jre" || die "jlink failed"
"$root/opt/socle/jre/bin/java" -Xshare:dump >/dev/null || die "the class-data sharing archive could not be made"

# The shared libraries the JRE and the node's native libraries (BoringSSL for TLS, epoll for network
# I/O, SQLite for the embedded database, all extracted from their jars at run time) load, copied from this host at the same paths.
tcnative="$WORK/tcnative"
mkdir -p "$tcnative"
arch="$(uname -m | sed 's/aarch64/aarch_64/')"
for j in "$LIB"/netty-tcnative-boringssl-static-*-linux-"$arch".jar "$LIB"/netty-transport-native-epoll-*-linux-"$arch".jar; do
  [ -f "$j" ] && (cd "$tcnative" && "$JAVA_HOME/bin/jar" xf "$j" META-INF/native)
done
# SQLite, the embedded database, is a native library too (extracted to java.io.tmpdir at start).
for j in "$LIB"/sqlite-jdbc-*.jar; do
  [ -f "$j" ] && (cd "$tcnative" && "$JAVA_HOME/bin/jar" xf "$j" "org/sqlite/native/Linux/$(uname -m)")
done
# java.desktop is there for java.beans only: its AWT, font and sound libraries are never loaded, so
# their X11 and media dependencies stay out.
libs="$(find "$root/opt/socle/jre" "$tcnative" -type f \( -name '*.so' -o -path '*/bin/*' \) \
  -not -regex '.*/lib\(awt.*\|jawt\|fontmanager\|jsound\|lcms\|javajpeg\|splashscreen\|mlib_image\)\.so' -print0 \
  | xargs -0 ldd 2>/dev/null | grep -E '^[[:space:]]' | grep -oE '/[^ ]+\.so[^ ]*' | grep -v "^$ctx" | sort -u)"
# awk reads to the end: an early exit would kill ldconfig with SIGPIPE, which pipefail turns into a
# failure of the whole script whenever ldconfig's output outgrows the pipe buffer.
# glibc loads these by name (name service switch, threads) without their appearing in ldd's output.
for extra in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2 libpthread.so.0 libdl.so.2 librt.so.1 libm.so.6; do
  found="$(ldconfig -p | awk -v n="$extra" '$1 == n && /x86-64|AArch64/ && !f { print $NF; f = 1 }')"
  [ -n "$found" ] && libs="$libs"$'\n'"$found"
done
for lib in $(sort -u <<<"$libs"); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
say "shared libraries from the host: $(sort -u <<<"$libs" | xargs -n1 basename | tr '\n' ' ')"
printf 'root:x:0:0:root:/:/nonexistent\nsocle:x:%s:%s:socle:/data:/nonexistent\n' "$NODE_UID" "$NODE_UID" \
  >"$root/etc/passwd"
printf 'root:x:0:\nsocle:x:%s:\n' "$NODE_UID" >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
cat >"$ctx/Containerfile" <<EOF
FROM scratch
COPY rootfs/ /
COPY --chown=$NODE_UID:$NODE_UID data/ /data/
USER $NODE_UID:$NODE_UID
# 8443: DSP and data plane (mutual TLS, for partners); 8080: management API (operators only).
EXPOSE 8443 8080
VOLUME ["/data"]
# No perf-data file in /tmp, and temporary files (the TLS library extracted from its jar) on the data
# volume: the root file system may be read-only. JDK_JAVA_OPTIONS adds JVM options (e.g. -Xmx).
ENTRYPOINT ["/opt/socle/jre/bin/java", "-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", \
  "-Djava.io.tmpdir=/data", "-jar", "/opt/socle/socle-connector.jar"]
CMD ["node", "run", "--config", "/config/node.json"]
LABEL org.opencontainers.image.title="socle-node" org.opencontainers.image.version="$TAG"
EOF

podman build -q -t "socle-node:$TAG" "$ctx" >/dev/null || die "podman build of socle-node failed"
# The image must run: the JRE starts and finds its modules and libraries.
podman run --rm --read-only "socle-node:$TAG" --version >/dev/null 2>&1 \
  || { podman run --rm --read-only "socle-node:$TAG" --version || true; die "socle-node:$TAG does not run"; }

# A rebuild leaves the previous image untagged: remove it, so that repeated runs do not fill the disk.
for name in socle-opa socle-node; do
  old="${PREVIOUS[$name]:-}"
  if [ -n "$old" ] && [ "$old" != "$(image_id "$name:$TAG")" ]; then
    podman rmi "$old" >/dev/null 2>&1 || true
  fi
done

size() { podman image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MiB", $1 / 1048576 }'; }
say "image sizes: socle-opa:$TAG $(size "socle-opa:$TAG"), socle-node:$TAG $(size "socle-node:$TAG")"

if [ "$EXPORT" = 1 ]; then
  mkdir -p "$OUT"
  for name in socle-opa socle-node; do
    rm -f "$OUT/$name.tar"
    podman save -q -o "$OUT/$name.tar" "$name:$TAG" || die "podman save of $name:$TAG failed"
  done
  say "exported: $(cd "$OUT" && du -h socle-opa.tar socle-node.tar | awk '{ printf "%s %s  ", $2, $1 }')(in $OUT)"
fi

[ "$TIMING" = 1 ] && exec "$ROOT/launchers/time-node-container.sh" "$TAG"
exit 0
