#!/usr/bin/env bash
# Shared by the launchers that run a local federation (demo, benchmarks): start a node with its OPA
# sidecar, call its management API, wait for a state. Expects ROOT, OPA, CERTS, RUN and API_KEY set,
# and a PIDS array; the caller traps EXIT to cleanup.

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


# negotiate CONSUMER PROVIDER OFFER_JSON: negotiates an offer found in the provider's catalog and
# prints the agreement id; fails with the provider's reason when the negotiation is refused.
negotiate() {
  local consumer="$1" provider="$2" offer="$3" id state
  id="$(api "$consumer" POST /api/negotiations "{\"counterPartyId\":\"$(jq -r .participantId "$RUN/$provider/data/node.json")\",\"counterPartyAddress\":\"$(jq -r .dspAddress "$RUN/$provider/data/node.json")\",\"offer\":$offer}" | jq -r .id)"
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

# find_offer CONSUMER PROVIDER OFFER_ID: the offer as the consumer sees it in the provider's catalog.
find_offer() {
  local offer
  offer="$(api "$1" POST /api/catalog/request "{\"counterPartyAddress\":\"$(jq -r .dspAddress "$RUN/$2/data/node.json")\"}" \
    | jq -c --arg id "$3" '[.dataset[]?.hasPolicy[]? | select(."@id" == $id)][0]')"
  [ "$offer" != null ] || die "offer $3 is not in $2's catalog as $1 sees it"
  echo "$offer"
}
