#!/usr/bin/env bash
# Installs what Socle needs on a fresh machine, idempotently: the pinned OPA binary (built from
# source with the Go toolchain into .tools/bin), the programs the launchers and tests run (jq, curl,
# python3; see prerequisites.sh), the signed policy bundle (.run/bundles, see
# build-policy-bundle.sh) and the connector build (jar + lib/).
# Usage: launchers/setup.sh [--skip-build] [--with-postgres] [--with-containers]
#   --skip-build       skips the Maven build only (and so the images, which hold the jar)
#   --with-postgres    also installs the distribution's PostgreSQL server (the tests run the stores on it)
#   --with-containers  also installs rootful Podman (launchers/podman.sh) and, after the build, builds the
#                      socle-opa and socle-node images into .run/images (launchers/build-images.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPA_VERSION="1.22.3"
OPA_BIN="$ROOT/.tools/bin/opa"
JAR="$ROOT/connector/target/socle-connector.jar"

# shellcheck source=launchers/prerequisites.sh
. "$ROOT/launchers/prerequisites.sh"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# Reads the whole output (no early-exiting grep -q: with pipefail, its SIGPIPE would fail the check).
opa_version() { "$OPA_BIN" version 2>/dev/null | sed -n 's/^Version: //p'; }

ensure_opa() {
  if [ -x "$OPA_BIN" ] && [ "$(opa_version)" = "$OPA_VERSION" ]; then
    return
  fi
  command -v go >/dev/null 2>&1 || die "Go (>= 1.25) is required to build OPA v$OPA_VERSION; install it (e.g. from your distribution) and re-run."
  local go_minor
  go_minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
  [ "${go_minor:-0}" -ge 25 ] 2>/dev/null || die "Go >= 1.25 is required to build OPA v$OPA_VERSION, found $(go env GOVERSION)."
  say "building OPA v$OPA_VERSION into .tools/bin (first run only, a few minutes)"
  mkdir -p "$ROOT/.tools/bin"
  if ! CGO_ENABLED=0 GOBIN="$ROOT/.tools/bin" GOFLAGS=-buildvcs=false \
      go install "github.com/open-policy-agent/opa@v$OPA_VERSION"; then
    die "could not build OPA v$OPA_VERSION: is the Go module proxy reachable (GOPROXY=$(go env GOPROXY))?"
  fi
  [ "$(opa_version)" = "$OPA_VERSION" ] || die "the OPA built is v$(opa_version), expected v$OPA_VERSION"
}

# The programs the launchers and the tests run, with the Debian package of each.
ensure_tools() {
  require "the launchers and the tests" jq=jq curl=curl python3=python3
}

ensure_postgres() {
  require "the store tests on PostgreSQL" "/usr/lib/postgresql/*/bin/initdb=postgresql" \
    "/usr/lib/postgresql/*/bin/pg_ctl=postgresql" "/usr/lib/postgresql/*/bin/postgres=postgresql" || exit 1
}

ensure_java() {
  require "building and running the node (Java 17 or newer, Maven)" java=openjdk-17-jdk-headless \
    javac=openjdk-17-jdk-headless mvn=maven || exit 1
}

ensure_build() {
  local newest
  if [ -f "$JAR" ]; then
    # The jar ships policies/templates/ too.
    newest="$(find "$ROOT/connector/src/main" "$ROOT/connector/pom.xml" "$ROOT/pom.xml" "$ROOT/policies/templates" \
      -newer "$JAR" -type f -print -quit)"
    [ -z "$newest" ] && return
  fi
  say "building the connector (Maven)"
  (cd "$ROOT" && mvn -B -q package -DskipTests) || die "the Maven build failed"
}

ensure_podman() {
  # shellcheck source=launchers/podman.sh
  . "$ROOT/launchers/podman.sh"
  podman_install && podman_config || die "Podman could not be set up"
}

build=1
containers=0
for arg in "$@"; do
  case "$arg" in
    --skip-build) build=0 ;;
    --with-postgres) ensure_postgres ;;
    --with-containers) containers=1; ensure_podman ;;
    *) die "unknown option $arg" ;;
  esac
done
ensure_tools || exit 1
ensure_opa
"$ROOT/launchers/build-policy-bundle.sh" || die "could not build the signed policy bundle"
ensure_java
[ "$build" = 0 ] || ensure_build
if [ "$build" = 1 ] && [ "$containers" = 1 ]; then
  "$ROOT/launchers/build-images.sh" || die "could not build the container images"
fi
