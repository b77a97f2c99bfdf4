#!/usr/bin/env bash
# Shared by the launchers that run a local federation (demo, benchmarks): start a node with its OPA
# sidecar, call its management API, wait for a state. Expects ROOT, OPA, CERTS, RUN and API_KEY set,
# and a PIDS array; the caller traps EXIT to cleanup. Each OPA runs the signed policy bundle that
# launchers/setup.sh builds into .run/bundles (build-policy-bundle.sh), and each node expects its
# revision.

BUNDLES="$ROOT/.run/bundles"
# Per node slug: its OPA's process id and port, so that a launcher can restart one sidecar, and the
# loopback port where the node receives its OPA's decision log.
declare -A OPA_PID OPA_PORT DECISION_LOG_PORT

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\033[31m[demo] %s\033[0m\n' "$*" >&2; exit 1; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# api NODE METHOD PATH [BODY]: calls a node's management API and fails loudly on an error status.
api() {
  local node="$1" method="$2" path="$3" body="${4:-}" port out status
  port="$(jq -r .managementPort "$RUN/$node/data/node.json")"
  out="$(mktemp)"
  status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "X-Api-Key: $API_KEY" \
    -H 'Content-Type: application/json' ${body:+--data "$body"} "http://127.0.0.1:$port$path")"
  if [ "${status:0:1}" != 2 ]; then
    cat "$out" >&2; rm -f "$out"; die "$method $path on $node answered HTTP $status"
  fi
  cat "$out"; rm -f "$out"
}

# await NODE PATH FIELD VALUE...: waits (30 s at most) until the resource's field takes one of the values.
await() {
  local node="$1" path="$2" field="$3"; shift 3
  for _ in $(seq 1 300); do
    local value; value="$(api "$node" GET "$path" | jq -r ".$field")"
    for want in "$@"; do [ "$value" = "$want" ] && { echo "$value"; return; }; done
    sleep 0.1
  done
  die "$path: $field did not reach $* within 30 s"
}

# start_opa SLUG [BUNDLE]: starts SLUG's OPA sidecar (on its previous port if it had one) in bundle
# mode: the configuration build-policy-bundle.sh wrote verifies the bundle with the federation's
# public key and requires a signature. BUNDLE replaces the bundle file (to show a refusal). OPA
# uploads every decision, with its id and bundle revision, to its node, which keeps it in the audit log.
start_opa() {
  local slug="$1" bundle="${2:-$BUNDLES/socle-policies.tar.gz}" dir="$RUN/$1"
  [ -s "$BUNDLES/opa-config.json" ] || die "no signed policy bundle in $BUNDLES: run launchers/setup.sh"
  OPA_PORT[$slug]="${OPA_PORT[$slug]:-$(free_port)}"
  DECISION_LOG_PORT[$slug]="${DECISION_LOG_PORT[$slug]:-$(free_port)}"
  "$OPA" run --server --addr "127.0.0.1:${OPA_PORT[$slug]}" --log-level error --skip-version-check \
    --config-file "$BUNDLES/opa-config.json" --set "bundles.socle.resource=file://$bundle" \
    --set "services.socle-node.url=http://127.0.0.1:${DECISION_LOG_PORT[$slug]}" >>"$dir/opa.log" 2>&1 &
  OPA_PID[$slug]=$!
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:${OPA_PORT[$slug]}/health" && return
    sleep 0.1
  done
  die "OPA of $slug did not start (see $dir/opa.log)"
}

# stop_opa SLUG: stops SLUG's OPA sidecar and waits until its port is free.
stop_opa() {
  kill "${OPA_PID[$1]}" 2>/dev/null || true
  wait "${OPA_PID[$1]}" 2>/dev/null || true
}

# ready NODE: the node's /ready report (HTTP status on the first line, then the JSON body).
ready() {
  local out status
  out="$(mktemp)"
  status="$(curl -sS -o "$out" -w '%{http_code}' "http://127.0.0.1:$(jq -r .managementPort "$RUN/$1/data/node.json")/ready" \
    || true)"
  echo "$status"; cat "$out"; rm -f "$out"
}

start_node() {
  local slug="$1" dir="$RUN/$1"
  [ -d "$CERTS/nodes/$slug" ] || die "no certificate for '$slug' in certs-dev/nodes (see certs-dev/README.md)"
  mkdir -p "$dir/data"
  start_opa "$slug"
  jq -n --arg name "$slug" --arg data "$dir/data" --arg key "$API_KEY" --arg certs "$CERTS" --arg slug "$slug" \
    --arg opa "http://127.0.0.1:${OPA_PORT[$slug]}" --arg revision "$BUNDLES/socle-policies.revision" \
    --argjson logPort "${DECISION_LOG_PORT[$slug]}" --arg bundles "$BUNDLES" '{
      name: $name, dataDir: $data,
      dsp: {host: "127.0.0.1", port: 0},
      management: {host: "127.0.0.1", port: 0, apiKey: $key, auditorKey: "auditor-\($key)"},
      tls: {nodeDir: "\($certs)/nodes/\($slug)", federationDir: $certs},
      opa: {url: $opa, expectedRevisionFile: $revision, bundleFile: "\($bundles)/socle-policies.tar.gz",
        decisionLogs: {port: $logPort, tokenFile: "\($bundles)/decision-log.token"}},
      federation: {directory: "\($certs)/federation.json"}
    }' >"$dir/config.json"
  rm -f "$dir/data/node.json"
  # Class data sharing: a node's first run records the classes it loaded when it stops; later runs map
  # them instead of loading and verifying them again. A rebuilt jar makes the archive stale: redone.
  local jar="${SOCLE_JAR:-$ROOT/connector/target/socle-connector.jar}" jsa="$ROOT/.run/cds/$slug.jsa" cds
  mkdir -p "$ROOT/.run/cds"
  if [ -s "$jsa" ] && [ "$jsa" -nt "$jar" ]; then cds="-XX:SharedArchiveFile=$jsa"
  else rm -f "$jsa"; cds="-XX:ArchiveClassesAtExit=$jsa"; fi
  java -Xmx256m -XX:+UseSerialGC "$cds" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" node run \
    --config "$dir/config.json" >"$dir/node.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    [ -s "$dir/data/node.json" ] && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$dir/node.log" >&2; die "node $slug exited"; }
    sleep 0.1
  done
  [ -s "$dir/data/node.json" ] || die "node $slug did not start within 30 s (see $dir/node.log)"
  # Ready means the node's OPA runs the signed bundle of the expected revision.
  local report=""
  for _ in $(seq 1 100); do
    report="$(ready "$slug")"
    [ "$(head -1 <<<"$report")" = 200 ] && break
    sleep 0.1
  done
  [ "$(head -1 <<<"$report")" = 200 ] || die "node $slug is not ready: $(tail -n +2 <<<"$report")"
  info "$slug: $(jq -r .participantId "$dir/data/node.json") — DSP $(jq -r .dspAddress "$dir/data/node.json"), OPA :${OPA_PORT[$slug]} on $(tail -n +2 <<<"$report" | jq -r .policyBundle.active)"
}


# negotiate CONSUMER PROVIDER OFFER_JSON [DECLARATION_JSON]: negotiates an offer found in the
# provider's catalog, declaring e.g. {"purpose": ..., "legalBasis": ...}, and prints the agreement id;
# fails with the provider's reason when the negotiation is refused.
negotiate() {
  local consumer="$1" provider="$2" offer="$3" declared="${4:-}" id state
  [ -n "$declared" ] || declared='{}'
  id="$(api "$consumer" POST /api/negotiations "$(jq -c --argjson offer "$offer" \
    --arg id "$(jq -r .participantId "$RUN/$provider/data/node.json")" \
    --arg address "$(jq -r .dspAddress "$RUN/$provider/data/node.json")" \
    '. + {counterPartyId: $id, counterPartyAddress: $address, offer: $offer}' <<<"$declared")" | jq -r .id)"
  state="$(await "$consumer" "/api/negotiations/$id" state FINALIZED TERMINATED)"
  [ "$state" = FINALIZED ] || die "negotiation ended $state: $(api "$consumer" GET "/api/negotiations/$id" | jq -r .detail)"
  api "$consumer" GET "/api/negotiations/$id" | jq -r .agreementId
}

# start_transfer CONSUMER AGREEMENT: asks the provider to start a transfer and prints its id once STARTED.
start_transfer() {
  local consumer="$1" agreement="$2" id state
  id="$(api "$consumer" POST /api/transfers "{\"agreementId\":\"$agreement\"}" | jq -r .id)"
  state="$(await "$consumer" "/api/transfers/$id" state STARTED TERMINATED)"
  [ "$state" = STARTED ] || die "transfer ended $state: $(api "$consumer" GET "/api/transfers/$id" | jq -r .detail)"
  echo "$id"
}

# find_offer CONSUMER PROVIDER OFFER_ID: the offer as the consumer sees it in the provider's catalog, with
# its dataset as target (DSP 2025-1 catalogs name the dataset once, not in each of its offers).
find_offer() {
  local offer
  offer="$(api "$1" POST /api/catalog/request "{\"counterPartyId\":\"$(jq -r .participantId "$RUN/$2/data/node.json")\",\"counterPartyAddress\":\"$(jq -r .dspAddress "$RUN/$2/data/node.json")\"}" \
    | jq -c --arg id "$3" '[.dataset[]? | ."@id" as $d | .hasPolicy[]? | select(."@id" == $id) | . + {target: $d}][0]')"
  [ "$offer" != null ] || die "offer $3 is not in $2's catalog as $1 sees it"
  echo "$offer"
}
