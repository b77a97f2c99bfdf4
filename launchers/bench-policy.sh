#!/usr/bin/env bash
# Policy decision benchmark (prints figures; it asserts nothing). In one run, against one OPA on the
# federation's signed bundle, sends the same negotiation decision input SOCLE_BENCH_REQUESTS times per
# round (default 4000) with SOCLE_BENCH_IN_FLIGHT requests outstanding (default 16), for
# SOCLE_BENCH_ROUNDS rounds (default 5) after one warm-up round each, alternating:
#   raw    - Vert.x's plain HTTP client posting the pre-encoded input, reading the answer unparsed;
#   engine - the node's OPA client (PolicyEngine): encode, post, parse, check the bundle revision.
# Prints each round's decisions/s and p50/p99 latency, the medians, and the ratios engine / raw.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# OPA, the signed policy bundle and the connector with its test classes (the benchmark lives there).
"$ROOT/launchers/setup.sh"

T="$ROOT/connector/target"
exec java -cp "$T/test-classes:$T/classes:$T/lib/*" -Dsocle.root="$ROOT" -Dsocle.opa="$ROOT/.tools/bin/opa" \
  fr.socle.policy.PolicyBenchmark "${SOCLE_BENCH_REQUESTS:-4000}" "${SOCLE_BENCH_IN_FLIGHT:-16}" \
  "${SOCLE_BENCH_ROUNDS:-5}"
