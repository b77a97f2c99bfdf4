#!/usr/bin/env bash
# Data-plane benchmark (prints figures; it asserts nothing). In one run, downloads a file of
# SOCLE_BENCH_MIB MiB (default 200) SOCLE_BENCH_RUNS times (default 5), alternating:
#   direct  - from an origin HTTP server (Python's http.server) straight to curl;
#   socle   - the same origin, relayed by the provider node (HTTP source) to the consumer node over
#             mutual TLS 1.3 with an access decision by OPA, then to curl from the consumer's API;
#   socle-file - the provider reading the file itself (file source), for reference.
# Prints each run's throughput, the medians, and the ratio socle / direct.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/launchers/setup.sh"

OPA="$ROOT/.tools/bin/opa"
CERTS="$ROOT/certs-dev"
RUN="$ROOT/.run/bench"
API_KEY="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
MIB="${SOCLE_BENCH_MIB:-200}"
RUNS="${SOCLE_BENCH_RUNS:-5}"
PROVIDER=region-exemple
CONSUMER=commune-esempiu
PIDS=()

# shellcheck source=launchers/federation.sh
. "$ROOT/launchers/federation.sh"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb_s() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }

rm -rf "$RUN" && mkdir -p "$RUN/origin"
step "Preparing a ${MIB} MiB file and an origin HTTP server"
head -c "$((MIB * 1024 * 1024))" /dev/urandom >"$RUN/origin/data.bin"
ORIGIN_PORT="$(free_port)"
python3 -m http.server --bind 127.0.0.1 "$ORIGIN_PORT" --directory "$RUN/origin" >"$RUN/origin.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$ORIGIN_PORT/data.bin" && break; sleep 0.1; done

step "Starting provider and consumer nodes"
for slug in "$PROVIDER" "$CONSUMER"; do start_node "$slug"; done
mkdir -p "$RUN/$PROVIDER/data/assets" && ln "$RUN/origin/data.bin" "$RUN/$PROVIDER/data/assets/data.bin"
api "$PROVIDER" POST /api/policies '{"id":"open","policy":{"@type":"Set","permission":[{"action":"use"}]}}' >/dev/null
api "$PROVIDER" POST /api/assets "{\"id\":\"relayed\",\"title\":\"bench\",\"contentType\":\"application/octet-stream\",\"source\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:$ORIGIN_PORT/data.bin\"}}" >/dev/null
api "$PROVIDER" POST /api/assets '{"id":"file","title":"bench","contentType":"application/octet-stream","sourcePath":"assets/data.bin"}' >/dev/null
api "$PROVIDER" POST /api/offers '{"id":"o-relayed","assetId":"relayed","policyId":"open"}' >/dev/null
api "$PROVIDER" POST /api/offers '{"id":"o-file","assetId":"file","policyId":"open"}' >/dev/null
T_RELAYED="$(start_transfer "$CONSUMER" "$(negotiate "$CONSUMER" "$PROVIDER" "$(find_offer "$CONSUMER" "$PROVIDER" o-relayed)")")"
T_FILE="$(start_transfer "$CONSUMER" "$(negotiate "$CONSUMER" "$PROVIDER" "$(find_offer "$CONSUMER" "$PROVIDER" o-file)")")"
CONSUMER_API="http://127.0.0.1:$(jq -r .managementPort "$RUN/$CONSUMER/data/node.json")"

speed() { curl -sS -o /dev/null -w '%{speed_download} %{size_download}\n' "$@"; }
check_size() { [ "$1" = "$((MIB * 1024 * 1024))" ] || die "downloaded $1 bytes, expected $((MIB * 1024 * 1024))"; }

step "Warm-up (one download each, not counted)"
speed "http://127.0.0.1:$ORIGIN_PORT/data.bin" >/dev/null
speed -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_RELAYED/data" >/dev/null
speed -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_FILE/data" >/dev/null

step "Measuring: $RUNS runs of each, alternating"
: >"$RUN/direct" ; : >"$RUN/socle" ; : >"$RUN/socle-file"
for i in $(seq 1 "$RUNS"); do
  read -r s n < <(speed "http://127.0.0.1:$ORIGIN_PORT/data.bin"); check_size "$n"; echo "$s" >>"$RUN/direct"
  read -r t n < <(speed -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_RELAYED/data"); check_size "$n"; echo "$t" >>"$RUN/socle"
  read -r u n < <(speed -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_FILE/data"); check_size "$n"; echo "$u" >>"$RUN/socle-file"
  info "run $i: direct $(mb_s "$s") MB/s, socle $(mb_s "$t") MB/s, socle-file $(mb_s "$u") MB/s"
done

D="$(median <"$RUN/direct")"; S="$(median <"$RUN/socle")"; F="$(median <"$RUN/socle-file")"
step "Medians over $RUNS runs of ${MIB} MiB"
info "direct from origin:            $(mb_s "$D") MB/s"
info "through Socle (origin relayed): $(mb_s "$S") MB/s"
info "through Socle (file source):    $(mb_s "$F") MB/s"
info "ratio socle / direct:           $(awk -v s="$S" -v d="$D" 'BEGIN { printf "%.2f", s / d }')"
