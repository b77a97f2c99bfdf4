#!/usr/bin/env bash
# Sets everything up on a fresh machine, then runs every test: the Rego suites with coverage, then
# the connector's unit and integration tests (real OPA processes on signed bundles, real nodes, real
# TLS, the stores on embedded SQLite and on a throw-away PostgreSQL cluster); then builds the container
# images and runs the container tests on rootful Podman through Testcontainers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/launchers/setup.sh" --skip-build --with-postgres --with-containers

OPA="$ROOT/.tools/bin/opa"
echo "== opa test policies/ =="
"$OPA" test "$ROOT/policies" --timeout 60s | tail -n 3
coverage="$("$OPA" test "$ROOT/policies" --timeout 60s --coverage --format=json | jq '.coverage')"
echo "Rego coverage: ${coverage}%"
awk -v c="$coverage" 'BEGIN { exit !(c >= 90) }' || { echo "Rego coverage ${coverage}% is below 90%" >&2; exit 1; }

echo "== signed policy bundle =="
echo "revision $(cat "$ROOT/.run/bundles/socle-policies.revision") in .run/bundles/socle-policies.tar.gz"

echo "== connector tests (Maven) =="
cd "$ROOT"
mvn -B verify -Dsocle.opa="$OPA"

# The images hold the jar the build above made; the container tests need them and Podman's API socket.
echo "== container images =="
started="$(date +%s)"
# One start-time run here, to keep the test command short; build-images.sh alone takes the median of three.
SOCLE_TIMING_RUNS=1 "$ROOT/launchers/build-images.sh"
echo "== container tests (Podman, Testcontainers) =="
# shellcheck source=launchers/podman.sh
. "$ROOT/launchers/podman.sh"
podman_setup
# Stop the API service on the way out, if this run started it.
trap 'rc=$?; if [ "${PODMAN_STARTED:-0}" = 1 ]; then podman_stop; fi; exit $rc' EXIT
# connector is in the list so that the reactor hands the container tests its jars (nothing is
# installed); its own tests ran above, and -Dtest selects only the container tests.
mvn -B verify -pl connector,connector/containers -Dsocle.opa="$OPA" -Dsocle.containers.skip=false \
  -Dtest='Container*Test' -Dsurefire.failIfNoSpecifiedTests=false
echo "container images and tests took $(( $(date +%s) - started )) s"
