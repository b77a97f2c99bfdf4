#!/usr/bin/env bash
# Audit log benchmark (prints figures; it asserts nothing), in one run:
#   - durable appends per second through the audit log (a commit per entry) on SQLite (as the node opens
#     it, write-ahead log synced at each commit) and on PostgreSQL with fsync on, one at a time and 256 in flight, with the
#     rate of bare JDBC INSERT + commit on the same database as baseline;
#   - inclusion and consistency proof generation at 1 million entries, against the baseline of
#     rebuilding the tree from the leaf hashes for each proof.
# Medians; see connector/src/test/java/fr/socle/audit/AuditBench.java for what is measured.
# Settings (Java system properties, through SOCLE_BENCH_OPTS): bench.runs (5), bench.appends (2000),
# bench.entries (1000000), bench.proofs (200), bench.skipPostgres (false).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The jar is not needed (the benchmark runs from the test classes); PostgreSQL is.
"$ROOT/launchers/setup.sh" --skip-build --with-postgres
cd "$ROOT"
mvn -B -q test-compile -pl connector
CP_FILE="$(mktemp)"
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -q dependency:build-classpath -pl connector -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE"
# shellcheck disable=SC2086
java -Xmx1g ${SOCLE_BENCH_OPTS:-} -cp "connector/target/test-classes:connector/target/classes:$(cat "$CP_FILE")" \
  fr.socle.audit.AuditBench
