#!/usr/bin/env bash
# Installs what Socle needs on a fresh machine, idempotently: the pinned OPA binary (built from
# source with the Go toolchain into .tools/bin), jq, the signed policy bundle (.run/bundles, see
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

ensure_jq() {
  command -v jq >/dev/null 2>&1 && return
  say "installing jq"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq jq) >/dev/null || die "could not install jq with apt-get"
  else
    die "jq is required: install it (apt-get install jq) and re-run"
  fi
}

ensure_postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && return
  say "installing the PostgreSQL server (tests run the stores on it)"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null \
      || die "could not install postgresql with apt-get"
  else
    die "the PostgreSQL server is required by the tests: install it (apt-get install postgresql) and re-run"
  fi
}

ensure_java() {
  command -v java >/dev/null 2>&1 || die "Java 17 or newer is required (apt-get install openjdk-17-jdk-headless)"
  command -v mvn >/dev/null 2>&1 || die "Maven is required (apt-get install maven)"
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
ensure_opa
ensure_jq
"$ROOT/launchers/build-policy-bundle.sh" || die "could not build the signed policy bundle"
ensure_java
[ "$build" = 0 ] || ensure_build
if [ "$build" = 1 ] && [ "$containers" = 1 ]; then
  "$ROOT/launchers/build-images.sh" || die "could not build the container images"
fi
