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

# shellcheck source=launchers/federation.sh
. "$ROOT/launchers/federation.sh"

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
OFFER="$(find_offer "$CONSUMER" "$PROVIDER" offre-qualite-eau)"
info "offer found: $(jq -r '."@id"' <<<"$OFFER") on $(jq -r .target <<<"$OFFER")"

step "4. $CONSUMER negotiates; the provider's OPA decides"
AGREEMENT="$(negotiate "$CONSUMER" "$PROVIDER" "$OFFER")"
info "negotiation FINALIZED, agreement $AGREEMENT"

step "5. $CONSUMER starts a transfer (HttpData-PULL) and downloads the dataset"
TRANSFER="$(start_transfer "$CONSUMER" "$AGREEMENT")"
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
