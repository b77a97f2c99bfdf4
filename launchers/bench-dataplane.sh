#!/usr/bin/env bash
# Data-plane benchmark (prints figures; it asserts nothing). In one run, downloads a file of
# SOCLE_BENCH_MIB MiB (default 200) SOCLE_BENCH_RUNS times (default 5), alternating:
#   direct-tls - from the origin (Python's http.server) over TLS 1.3, straight to curl: one TLS hop,
#             as on Socle's path, so this is the like-for-like baseline of the ratio;
#   direct  - the same origin over plain HTTP (no TLS at all), for reference;
#   socle   - the plain-HTTP origin relayed by the provider node (HTTP source) to the consumer node
#             over mutual TLS 1.3 (one TLS hop) with an access decision by OPA, then to curl from the
#             consumer's management API over loopback HTTP;
#   socle-file - the provider reading the file itself (file source), same path otherwise.
# Prints each run's throughput and the CPU time the whole chain (origin, nodes, curl) spent per GiB,
# their medians, and the ratios: throughput socle / direct, and CPU direct / socle (1.0 would mean
# Socle's path costs no more CPU than the direct download). On a shared machine, CPU time varies
# much less than wall time.
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
ORIGIN_PID=$!
PIDS+=($!)
TLS_PORT="$(free_port)"
# The same directory over TLS 1.3 with a certificate of the development federation (SAN localhost).
python3 - "$TLS_PORT" "$RUN/origin" "$CERTS/nodes/$PROVIDER" >"$RUN/origin-tls.log" 2>&1 <<'PY' &
import functools, http.server, ssl, sys
port, directory, node = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_3
context.load_cert_chain(node + "/node.crt", node + "/node.key")
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
PY
ORIGIN_TLS_PID=$!
PIDS+=($!)
ORIGIN_TLS="https://localhost:$TLS_PORT/data.bin"
for _ in $(seq 1 50); do curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$ORIGIN_PORT/data.bin" && break; sleep 0.1; done
for _ in $(seq 1 50); do curl -sf --cacert "$CERTS/root-ca.crt" -o /dev/null -r 0-0 "$ORIGIN_TLS" && break; sleep 0.1; done

step "Starting provider and consumer nodes"
for slug in "$PROVIDER" "$CONSUMER"; do start_node "$slug"; done
mkdir -p "$RUN/$PROVIDER/data/assets" && ln "$RUN/origin/data.bin" "$RUN/$PROVIDER/data/assets/data.bin"
api "$PROVIDER" POST /api/policies '{"id":"open","policy":{"@type":"Set","permission":[{"action":"use"}]}}' >/dev/null
api "$PROVIDER" POST /api/assets "{\"id\":\"relayed\",\"title\":\"bench\",\"contentType\":\"application/octet-stream\",\"source\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:$ORIGIN_PORT/data.bin\"}}" >/dev/null
api "$PROVIDER" POST /api/assets '{"id":"file","title":"bench","contentType":"application/octet-stream","sourcePath":"assets/data.bin"}' >/dev/null
api "$PROVIDER" POST /api/offers '{"id":"o-relayed","assetId":"relayed","policyId":"open"}' >/dev/null
api "$PROVIDER" POST /api/offers '{"id":"o-file","assetId":"file","policyId":"open"}' >/dev/null
T_RELAYED="$(start_transfer "$CONSUMER" "$(negotiate "$CONSUMER" "$PROVIDER" "$(find_offer "$CONSUMER" "$PROVIDER" o-relayed)")")"
A_FILE="$(negotiate "$CONSUMER" "$PROVIDER" "$(find_offer "$CONSUMER" "$PROVIDER" o-file)")"
T_FILE="$(start_transfer "$CONSUMER" "$A_FILE")"
CONSUMER_API="http://127.0.0.1:$(jq -r .managementPort "$RUN/$CONSUMER/data/node.json")"

speed() { curl -sS -o /dev/null -w '%{speed_download} %{size_download}\n' "$@"; }
check_size() { [ "$1" = "$((MIB * 1024 * 1024))" ] || die "downloaded $1 bytes, expected $((MIB * 1024 * 1024))"; }
PROVIDER_PID="$(jq -r .pid "$RUN/$PROVIDER/data/node.json")"
CONSUMER_PID="$(jq -r .pid "$RUN/$CONSUMER/data/node.json")"
NODE_PIDS="$PROVIDER_PID $CONSUMER_PID"
TICKS="$(getconf CLK_TCK)"
# CPU time (user + system, in clock ticks) of the given processes so far.
ticks() { for p in "$@"; do awk '{ print $14 + $15 }' "/proc/$p/stat"; done | awk '{ t += $1 } END { print t + 0 }'; }
# jit_ticks PID: the part of ticks PID spent by the JVM's JIT compiler threads (compiling, not moving data).
jit_ticks() {
  for t in /proc/"$1"/task/*; do
    if grep -q Compiler "$t/comm" 2>/dev/null; then awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || true; fi
  done | awk '{ t += $1 } END { print t + 0 }'
}
# measured "PIDS" CURL_ARGS...: one download; prints its speed, its size, and the CPU seconds per GiB
# spent by the whole chain: the given long-running processes (origin, nodes) plus curl itself.
# On a shared machine CPU time varies much less than wall time.
measured() {
  local pids="$1" before after cpu s n
  shift
  before="$(ticks $pids)"
  cpu="$( { TIMEFORMAT='%U %S'; time speed "$@" >"$RUN/speed.out"; } 2>&1 )"
  after="$(ticks $pids)"
  read -r s n <"$RUN/speed.out"
  echo "$s $n $(awk -v t="$((after - before))" -v hz="$TICKS" -v c="$cpu" -v n="$n" \
    'BEGIN { split(c, u, " "); printf "%.2f", (t / hz + u[1] + u[2]) / (n / 1073741824) }')"
}

# per_gib TICKS BYTES: CPU seconds per GiB.
per_gib() { awk -v t="$1" -v hz="$TICKS" -v n="$2" 'BEGIN { printf "%.2f\n", t / hz / (n / 1073741824) }'; }

# pushed: one HttpData-PUSH of the file source to the consumer node, which writes it to its disk and
# fsyncs it; prints the receiver's own rate (first to last byte, from its log line) and the CPU seconds
# per GiB both nodes spent on the whole transfer, DSP messages and decisions included.
pushed() {
  local before id state rate
  before="$(ticks $NODE_PIDS)"
  id="$(api "$CONSUMER" POST /api/transfers "{\"agreementId\":\"$A_FILE\",\"format\":\"HttpData-PUSH\"}" | jq -r .id)"
  state="$(await "$CONSUMER" "/api/transfers/$id" state COMPLETED TERMINATED)"
  [ "$state" = COMPLETED ] || die "push $id ended $state: $(api "$CONSUMER" GET "/api/transfers/$id" | jq -r .detail)"
  rate="$(grep "received the push of transfer $id " "$RUN/$CONSUMER/node.log" | sed -E 's/.*\(([0-9]+) MB\/s\).*/\1/')"
  echo "$rate $(per_gib "$(($(ticks $NODE_PIDS) - before))" "$((MIB * 1024 * 1024))")"
}

# to_disk: the direct TLS download written to a file on the nodes' disk and flushed to it, as the push
# receiver does; prints MB/s over the whole (download, write, flush). The baseline of the push.
to_disk() {
  local start end
  start="$(date +%s%N)"
  curl -sS -o "$RUN/direct.out" --cacert "$CERTS/root-ca.crt" "$ORIGIN_TLS"
  sync "$RUN/direct.out"
  end="$(date +%s%N)"
  awk -v n="$(stat -c %s "$RUN/direct.out")" -v ns="$((end - start))" 'BEGIN { printf "%.0f\n", n / (ns / 1000) }'
  rm -f "$RUN/direct.out"
}

# A node is a long-running server: what counts is its pace once the JIT has compiled the data path,
# which takes a few downloads (C2 still compiles Netty's write path during the second one).
WARMUP="${SOCLE_BENCH_WARMUP:-3}"
step "Warm-up ($WARMUP downloads through each path, not counted)"
speed "http://127.0.0.1:$ORIGIN_PORT/data.bin" >/dev/null
speed --cacert "$CERTS/root-ca.crt" "$ORIGIN_TLS" >/dev/null
for _ in $(seq 1 "$WARMUP"); do
  speed -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_RELAYED/data" >/dev/null
  speed -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_FILE/data" >/dev/null
  pushed >/dev/null
done

step "Measuring: $RUNS runs of each, alternating"
for f in direct-tls direct socle socle-file; do : >"$RUN/$f"; : >"$RUN/$f-cpu"; done
: >"$RUN/origin-tls-cpu"; : >"$RUN/provider-cpu"; : >"$RUN/consumer-cpu"; : >"$RUN/provider-jit"; : >"$RUN/consumer-jit"; : >"$RUN/push"; : >"$RUN/push-cpu"; : >"$RUN/disk"
for i in $(seq 1 "$RUNS"); do
  o0="$(ticks "$ORIGIN_TLS_PID")"
  read -r v n a < <(measured "$ORIGIN_TLS_PID" --cacert "$CERTS/root-ca.crt" "$ORIGIN_TLS"); check_size "$n"
  per_gib "$(($(ticks "$ORIGIN_TLS_PID") - o0))" "$n" >>"$RUN/origin-tls-cpu"
  read -r s n b < <(measured "$ORIGIN_PID" "http://127.0.0.1:$ORIGIN_PORT/data.bin"); check_size "$n"
  read -r t n c < <(measured "$ORIGIN_PID $NODE_PIDS" -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_RELAYED/data")
  check_size "$n"
  p0="$(ticks "$PROVIDER_PID")"; c0="$(ticks "$CONSUMER_PID")"; pj="$(jit_ticks "$PROVIDER_PID")"; cj="$(jit_ticks "$CONSUMER_PID")"
  read -r u n d < <(measured "$NODE_PIDS" -H "X-Api-Key: $API_KEY" "$CONSUMER_API/api/transfers/$T_FILE/data")
  check_size "$n"
  per_gib "$(($(ticks "$PROVIDER_PID") - p0))" "$n" >>"$RUN/provider-cpu"
  per_gib "$(($(ticks "$CONSUMER_PID") - c0))" "$n" >>"$RUN/consumer-cpu"
  per_gib "$(($(jit_ticks "$PROVIDER_PID") - pj))" "$n" >>"$RUN/provider-jit"
  per_gib "$(($(jit_ticks "$CONSUMER_PID") - cj))" "$n" >>"$RUN/consumer-jit"
  read -r w e < <(pushed)
  echo "$w" >>"$RUN/push"; echo "$e" >>"$RUN/push-cpu"; k="$(to_disk)"; echo "$k" >>"$RUN/disk"
  echo "$v" >>"$RUN/direct-tls"; echo "$a" >>"$RUN/direct-tls-cpu"; echo "$s" >>"$RUN/direct"; echo "$b" >>"$RUN/direct-cpu"
  echo "$t" >>"$RUN/socle"; echo "$c" >>"$RUN/socle-cpu"; echo "$u" >>"$RUN/socle-file"; echo "$d" >>"$RUN/socle-file-cpu"
  info "run $i: direct-tls $(mb_s "$v") MB/s ($a CPU s/GiB), direct $(mb_s "$s") MB/s ($b), socle $(mb_s "$t") MB/s ($c), socle-file $(mb_s "$u") MB/s ($d), push $w MB/s ($e), direct-tls to disk $k MB/s"
done

V="$(median <"$RUN/direct-tls")"; D="$(median <"$RUN/direct")"; S="$(median <"$RUN/socle")"; F="$(median <"$RUN/socle-file")"
VC="$(median <"$RUN/direct-tls-cpu")"; DC="$(median <"$RUN/direct-cpu")"; SC="$(median <"$RUN/socle-cpu")"; FC="$(median <"$RUN/socle-file-cpu")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
step "Medians over $RUNS runs of ${MIB} MiB ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
info "                                 throughput   CPU of the whole chain"
info "direct from origin, TLS 1.3:     $(mb_s "$V") MB/s     $VC s/GiB"
info "direct from origin, plain HTTP:  $(mb_s "$D") MB/s     $DC s/GiB"
info "through Socle (origin relayed):  $(mb_s "$S") MB/s     $SC s/GiB"
info "through Socle (file source):     $(mb_s "$F") MB/s     $FC s/GiB"
info "ratio socle / direct-tls:        $(ratio "$S" "$V")   (like for like: one TLS hop each; CPU ratio $(ratio "$VC" "$SC"))"
info "ratio socle-file / direct-tls:   $(ratio "$F" "$V")   (CPU ratio $(ratio "$VC" "$FC"))"
P="$(median <"$RUN/push")"; PC="$(median <"$RUN/push-cpu")"
info "pushed (file source, to disk):   $P MB/s      $PC s/GiB (the nodes only; received, written and fsynced)"
K="$(median <"$RUN/disk")"
info "direct TLS to disk, flushed:     $K MB/s      (curl -o FILE, then sync FILE: the push's baseline)"
info "ratio push / direct TLS to disk: $(ratio "$P" "$K")   (two processes each; CPU of the push's nodes above)"
info "ratio socle / direct (plain):    $(ratio "$S" "$D")   (CPU ratio $(ratio "$DC" "$SC"))"
info "where the file path's CPU goes: provider node $(median <"$RUN/provider-cpu") s/GiB (reads and encrypts; the"
info "  TLS origin server does the same for $(median <"$RUN/origin-tls-cpu") s/GiB), consumer node $(median <"$RUN/consumer-cpu") s/GiB"
info "  (decrypts and relays to curl over loopback HTTP), the rest is curl"
info "  of which the JIT compiler threads (still compiling after the warm-up): provider $(median <"$RUN/provider-jit")," \
  "consumer $(median <"$RUN/consumer-jit") s/GiB"
