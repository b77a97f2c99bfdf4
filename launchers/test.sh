#!/usr/bin/env bash
# Sets everything up on a fresh machine, then runs every test: the Rego suites with coverage, then
# the connector's unit and integration tests (real OPA processes on signed bundles, real nodes, real
# TLS, the stores on embedded H2 and on a throw-away PostgreSQL cluster).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/launchers/setup.sh" --skip-build --with-postgres

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
