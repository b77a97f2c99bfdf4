#!/usr/bin/env bash
# The main job: a local federation of three collectivités, each node with its own OPA sidecar,
# H2 data directory and federation certificate. The région publishes a dataset under a policy
# reserved to public bodies of Corsica; the commune negotiates and downloads it; the métropole,
# outside the territory, neither sees it nor obtains it. Everything started here is stopped at the end.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/launchers/setup.sh"

OPA="$ROOT/.tools/bin/opa"
CERTS="$ROOT/certs-dev"
RUN="$ROOT/.run/demo"
API_KEY="demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PROVIDER="${SOCLE_DEMO_PROVIDER:-region-exemple}"
CONSUMER="${SOCLE_DEMO_CONSUMER:-commune-esempiu}"
OUTSIDER="${SOCLE_DEMO_OUTSIDER:-metropole-exemple}"
PIDS=()

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

start_node() {
  local slug="$1" dir="$RUN/$1" opa_port
  [ -d "$CERTS/nodes/$slug" ] || die "no certificate for '$slug' in certs-dev/nodes (see certs-dev/README.md)"
  mkdir -p "$dir/data"
  opa_port="$(free_port)"
  "$OPA" run --server --addr "127.0.0.1:$opa_port" --log-level error --disable-telemetry \
    --ignore '*_test.rego' --ignore templates --bundle "$ROOT/policies" >"$dir/opa.log" 2>&1 &
  PIDS+=($!)
  jq -n --arg name "$slug" --arg data "$dir/data" --arg key "$API_KEY" --arg certs "$CERTS" --arg slug "$slug" \
    --arg opa "http://127.0.0.1:$opa_port" '{
      name: $name, dataDir: $data,
      dsp: {host: "127.0.0.1", port: 0},
      management: {host: "127.0.0.1", port: 0, apiKey: $key},
      tls: {nodeDir: "\($certs)/nodes/\($slug)", federationDir: $certs},
      opa: {url: $opa},
      federation: {directory: "\($certs)/federation.json"}
    }' >"$dir/config.json"
  rm -f "$dir/data/node.json"
  java -Xmx256m -XX:+UseSerialGC -jar "$ROOT/connector/target/socle-connector.jar" node run \
    --config "$dir/config.json" >"$dir/node.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    [ -s "$dir/data/node.json" ] && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$dir/node.log" >&2; die "node $slug exited"; }
    sleep 0.1
  done
  [ -s "$dir/data/node.json" ] || die "node $slug did not start within 30 s (see $dir/node.log)"
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$(jq -r .managementPort "$dir/data/node.json")/ready" >/dev/null && break
    sleep 0.1
  done
  info "$slug: $(jq -r .participantId "$dir/data/node.json") — DSP $(jq -r .dspAddress "$dir/data/node.json"), OPA :$opa_port"
}

rm -rf "$RUN" && mkdir -p "$RUN"

step "1. Starting three nodes, each with its own OPA sidecar and H2 database"
for slug in "$PROVIDER" "$CONSUMER" "$OUTSIDER"; do start_node "$slug"; done
PROVIDER_ID="$(jq -r .participantId "$RUN/$PROVIDER/data/node.json")"
PROVIDER_DSP="$(jq -r .dspAddress "$RUN/$PROVIDER/data/node.json")"

step "2. $PROVIDER publishes a dataset under a policy reserved to public bodies of Corsica"
DATASET="$ROOT/launchers/demo/qualite-eau-corse-2026.csv"
mkdir -p "$RUN/$PROVIDER/data/assets" && cp "$DATASET" "$RUN/$PROVIDER/data/assets/"
api "$PROVIDER" POST /api/assets '{"id":"qualite-eau-2026","title":"Qualité de l'"'"'eau potable en Corse, 2026","contentType":"text/csv","sourcePath":"assets/qualite-eau-corse-2026.csv"}' >/dev/null
api "$PROVIDER" POST /api/policies "$(jq -c '{id: "corse-public", policy: .}' "$ROOT/launchers/demo/policy-corse.json")" >/dev/null
api "$PROVIDER" POST /api/offers '{"id":"offre-qualite-eau","assetId":"qualite-eau-2026","policyId":"corse-public"}' >/dev/null
info "asset qualite-eau-2026 ($(wc -c <"$DATASET") bytes), policy: territory isPartOf INSEE-REG:94"

step "3. $CONSUMER reads the provider's catalog (DSP over mutual TLS)"
CATALOG="$(api "$CONSUMER" POST /api/catalog/request "{\"counterPartyAddress\":\"$PROVIDER_DSP\"}")"
# DSP 2025-1 catalogs name the dataset once, not in each of its offers: the offer sent back carries it as target.
OFFER="$(jq -c '[.dataset[]? | ."@id" as $d | .hasPolicy[]? | select(."@id" == "offre-qualite-eau") | . + {target: $d}][0]' <<<"$CATALOG")"
[ "$OFFER" != null ] || die "the offer is missing from the catalog"
info "offer found: $(jq -r '."@id"' <<<"$OFFER") on $(jq -r .target <<<"$OFFER")"

step "4. $CONSUMER negotiates; the provider's OPA decides"
NEG="$(api "$CONSUMER" POST /api/negotiations "{\"counterPartyId\":\"$PROVIDER_ID\",\"counterPartyAddress\":\"$PROVIDER_DSP\",\"offer\":$OFFER}")"
NEG_ID="$(jq -r .id <<<"$NEG")"
STATE="$(await "$CONSUMER" "/api/negotiations/$NEG_ID" state FINALIZED TERMINATED)"
[ "$STATE" = FINALIZED ] || die "negotiation ended $STATE: $(api "$CONSUMER" GET "/api/negotiations/$NEG_ID" | jq -r .detail)"
AGREEMENT="$(api "$CONSUMER" GET "/api/negotiations/$NEG_ID" | jq -r .agreementId)"
info "negotiation $NEG_ID FINALIZED, agreement $AGREEMENT"

step "5. $CONSUMER starts a transfer (HttpData-PULL) and downloads the dataset"
TRANSFER="$(api "$CONSUMER" POST /api/transfers "{\"agreementId\":\"$AGREEMENT\"}" | jq -r .id)"
STATE="$(await "$CONSUMER" "/api/transfers/$TRANSFER" state STARTED TERMINATED)"
[ "$STATE" = STARTED ] || die "transfer ended $STATE: $(api "$CONSUMER" GET "/api/transfers/$TRANSFER" | jq -r .detail)"
PORT="$(jq -r .managementPort "$RUN/$CONSUMER/data/node.json")"
curl -sSf -H "X-Api-Key: $API_KEY" "http://127.0.0.1:$PORT/api/transfers/$TRANSFER/data" -o "$RUN/received.csv"
api "$CONSUMER" POST "/api/transfers/$TRANSFER/completion" '{}' >/dev/null
ORIGINAL_SUM="$(sha256sum "$DATASET" | cut -d' ' -f1)"
RECEIVED_SUM="$(sha256sum "$RUN/received.csv" | cut -d' ' -f1)"
info "original  sha256 $ORIGINAL_SUM"
info "received  sha256 $RECEIVED_SUM"
[ "$ORIGINAL_SUM" = "$RECEIVED_SUM" ] || die "checksums differ"

step "6. $OUTSIDER, outside the territory, tries the same offer"
SEEN="$(api "$OUTSIDER" POST /api/catalog/request "{\"counterPartyAddress\":\"$PROVIDER_DSP\"}" | jq '[.dataset[]?.hasPolicy[]? | select(."@id" == "offre-qualite-eau")] | length')"
info "offers visible in its catalog: $SEEN"
NEG="$(api "$OUTSIDER" POST /api/negotiations "{\"counterPartyId\":\"$PROVIDER_ID\",\"counterPartyAddress\":\"$PROVIDER_DSP\",\"offer\":$OFFER}")"
STATE="$(await "$OUTSIDER" "/api/negotiations/$(jq -r .id <<<"$NEG")" state FINALIZED TERMINATED)"
[ "$STATE" = TERMINATED ] || die "the outsider obtained an agreement"
info "negotiation TERMINATED: $(api "$OUTSIDER" GET "/api/negotiations/$(jq -r .id <<<"$NEG")" | jq -r .detail)"

step "Done: the dataset crossed the federation under its policy; checksum $RECEIVED_SUM matches. Stopping everything."
