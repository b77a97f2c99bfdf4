#!/usr/bin/env bash
# The main job: a local federation of three collectivités, each node with its own OPA sidecar
# running the federation's signed policy bundle, SQLite database and federation certificate. The
# région publishes a dataset under a policy template reserved to public bodies of Corsica; the commune
# negotiates (declaring its purpose), downloads it and has it pushed; the métropole, outside the territory, neither
# sees it nor obtains it; finally the région's OPA is given a tampered bundle, which it refuses, and
# the node stops deciding until the genuine bundle is back. Everything started here is stopped at the end.
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

step "1. Starting three nodes, each with its own OPA sidecar (signed policy bundle $(cat "$BUNDLES/socle-policies.revision")) and SQLite database"
for slug in "$PROVIDER" "$CONSUMER" "$OUTSIDER"; do start_node "$slug"; done
PROVIDER_ID="$(jq -r .participantId "$RUN/$PROVIDER/data/node.json")"
PROVIDER_DSP="$(jq -r .dspAddress "$RUN/$PROVIDER/data/node.json")"

step "2. $PROVIDER publishes a dataset under the template 'territory-public-bodies' for Corsica"
DATASET="$ROOT/launchers/demo/qualite-eau-corse-2026.csv"
mkdir -p "$RUN/$PROVIDER/data/assets" && cp "$DATASET" "$RUN/$PROVIDER/data/assets/"
api "$PROVIDER" POST /api/assets '{"id":"qualite-eau-2026","title":"Qualité de l'"'"'eau potable en Corse, 2026","contentType":"text/csv","sourcePath":"assets/qualite-eau-corse-2026.csv"}' >/dev/null
info "templates offered to operators: $(api "$PROVIDER" GET /api/policy-templates | jq -r '[.[].id] | join(", ")')"
api "$PROVIDER" POST /api/policies '{"id":"corse-public","template":"territory-public-bodies","parameters":{"territory":"INSEE-REG:94"}}' >/dev/null
api "$PROVIDER" POST /api/offers '{"id":"offre-qualite-eau","assetId":"qualite-eau-2026","policyId":"corse-public"}' >/dev/null
info "asset qualite-eau-2026 ($(wc -c <"$DATASET") bytes), policy: territory isPartOf INSEE-REG:94"

step "3. $CONSUMER reads the provider's catalog (DSP over mutual TLS, with a node token for the provider)"
OFFER="$(find_offer "$CONSUMER" "$PROVIDER" offre-qualite-eau)"
info "offer found: $(jq -r '."@id"' <<<"$OFFER") on $(jq -r .target <<<"$OFFER")"

step "4. $CONSUMER negotiates, declaring its purpose and legal basis; the provider's OPA decides"
AGREEMENT="$(negotiate "$CONSUMER" "$PROVIDER" "$OFFER" '{"purpose":"https://socle.fr/purpose/public-service","legalBasis":"art6-1-e"}')"
info "negotiation FINALIZED, agreement $AGREEMENT"
info "the provider's agreement records: $(api "$PROVIDER" GET "/api/agreements/$AGREEMENT" | jq -c '.agreement | with_entries(select(.key | startswith("https://w3id.org/socle/")))')"
api "$CONSUMER" GET "/api/agreements/$AGREEMENT" >"$RUN/agreement.json"
info "signed by the provider and countersigned by the consumer; checked offline with the root certificate alone:"
java -jar "$ROOT/connector/target/socle-connector.jar" agreement verify "$RUN/agreement.json" \
  --trust "$CERTS/root-ca.crt" | sed 's/^/    /'
info "its decision: $(grep -m1 'decision scope=negotiation' "$RUN/$PROVIDER/node.log" | sed 's/.* - //')"

step "5. $CONSUMER starts a transfer (HttpData-PULL) and downloads the dataset"
TRANSFER="$(start_transfer "$CONSUMER" "$AGREEMENT")"
PORT="$(jq -r .managementPort "$RUN/$CONSUMER/data/node.json")"
curl -sSf -H "X-Api-Key: $API_KEY" "http://127.0.0.1:$PORT/api/transfers/$TRANSFER/data" -o "$RUN/received.csv"
ORIGINAL_SUM="$(sha256sum "$DATASET" | cut -d' ' -f1)"
RECEIVED_SUM="$(sha256sum "$RUN/received.csv" | cut -d' ' -f1)"
info "original  sha256 $ORIGINAL_SUM"
info "received  sha256 $RECEIVED_SUM"
[ "$ORIGINAL_SUM" = "$RECEIVED_SUM" ] || die "checksums differ"

step "5a. $PROVIDER suspends the transfer for maintenance, then resumes it"
PROVIDER_PID="$(api "$CONSUMER" GET "/api/transfers/$TRANSFER" | jq -r .counterPartyPid)"
api "$PROVIDER" POST "/api/transfers/$PROVIDER_PID/suspension" '{"reason":"maintenance du serveur"}' >/dev/null
await "$CONSUMER" "/api/transfers/$TRANSFER" state SUSPENDED >/dev/null
await "$PROVIDER" "/api/transfers/$PROVIDER_PID" state SUSPENDED >/dev/null
info "the commune's download while suspended: $(curl -sS -H "X-Api-Key: $API_KEY" \
  "http://127.0.0.1:$PORT/api/transfers/$TRANSFER/data" | jq -r '"HTTP \(.status): \(.detail)"')"
info "the commune asks to resume: $(api "$CONSUMER" POST "/api/transfers/$TRANSFER/resumption" '{}' >/dev/null
  for _ in $(seq 1 100); do
    d="$(api "$CONSUMER" GET "/api/transfers/$TRANSFER" | jq -r .detail)"; [[ "$d" == *refused* ]] && break; sleep 0.1
  done; echo "$d")"
api "$PROVIDER" POST "/api/transfers/$PROVIDER_PID/resumption" '{}' >/dev/null
await "$CONSUMER" "/api/transfers/$TRANSFER" state STARTED >/dev/null
curl -sSf -H "X-Api-Key: $API_KEY" "http://127.0.0.1:$PORT/api/transfers/$TRANSFER/data" -o "$RUN/resumed.csv"
info "resumed by the région after a new policy decision: downloaded again with a fresh access token, sha256 $(sha256sum "$RUN/resumed.csv" | cut -d' ' -f1)"
cmp -s "$DATASET" "$RUN/resumed.csv" || die "the download after resumption differs"
api "$CONSUMER" POST "/api/transfers/$TRANSFER/completion" '{}' >/dev/null

step "5b. $CONSUMER asks for the same dataset pushed (HttpData-PUSH): the provider sends it to the commune's node"
PUSHED="$(api "$CONSUMER" POST /api/transfers "{\"agreementId\":\"$AGREEMENT\",\"format\":\"HttpData-PUSH\"}" | jq -r .id)"
STATE="$(await "$CONSUMER" "/api/transfers/$PUSHED" state COMPLETED TERMINATED)"
[ "$STATE" = COMPLETED ] || die "the push ended $STATE: $(api "$CONSUMER" GET "/api/transfers/$PUSHED" | jq -r .detail)"
PUSHED_SUM="$(sha256sum "$RUN/$CONSUMER/data/received/$PUSHED" | cut -d' ' -f1)"
info "pushed to $(api "$CONSUMER" GET "/api/transfers/$PUSHED" | jq -r .destination), transfer COMPLETED"
info "pushed    sha256 $PUSHED_SUM"
[ "$ORIGINAL_SUM" = "$PUSHED_SUM" ] || die "checksums of the push differ"

step "6. $OUTSIDER, outside the territory, tries the same offer"
SEEN="$(api "$OUTSIDER" POST /api/catalog/request "{\"counterPartyId\":\"$PROVIDER_ID\",\"counterPartyAddress\":\"$PROVIDER_DSP\"}" | jq '[.dataset[]?.hasPolicy[]? | select(."@id" == "offre-qualite-eau")] | length')"
info "offers visible in its catalog: $SEEN"
NEG="$(api "$OUTSIDER" POST /api/negotiations "{\"counterPartyId\":\"$PROVIDER_ID\",\"counterPartyAddress\":\"$PROVIDER_DSP\",\"offer\":$OFFER}")"
STATE="$(await "$OUTSIDER" "/api/negotiations/$(jq -r .id <<<"$NEG")" state FINALIZED TERMINATED)"
[ "$STATE" = TERMINATED ] || die "the outsider obtained an agreement"
info "negotiation TERMINATED: $(api "$OUTSIDER" GET "/api/negotiations/$(jq -r .id <<<"$NEG")" | jq -r .detail)"
OUTSIDER_PORT="$(jq -r .managementPort "$RUN/$OUTSIDER/data/node.json")"
info "the same reason for a French-speaking operator (Accept-Language: fr): $(curl -sS -H "X-Api-Key: $API_KEY" \
  -H 'Accept-Language: fr' "http://127.0.0.1:$OUTSIDER_PORT/api/negotiations/$(jq -r .id <<<"$NEG")" | jq -r .detail)"

step "7. $PROVIDER's OPA is restarted on a tampered copy of the signed bundle"
TAMPERED="$RUN/tampered"
mkdir -p "$TAMPERED/unpacked"
tar -xzf "$BUNDLES/socle-policies.tar.gz" -C "$TAMPERED/unpacked" 2>/dev/null
# One byte: the case of a letter in a comment. The Rego still compiles; only the signature differs.
sed -i '1s/^# B/# b/' "$TAMPERED/unpacked/policies/socle/baseline.rego"
tar -czf "$TAMPERED/socle-policies.tar.gz" -C "$TAMPERED/unpacked" .manifest .signatures.json data.json policies
stop_opa "$PROVIDER"
start_opa "$PROVIDER" "$TAMPERED/socle-policies.tar.gz"
for _ in $(seq 1 50); do grep -q 'Bundle load failed' "$RUN/$PROVIDER/opa.log" && break; sleep 0.1; done
info "OPA: $(grep -o 'Bundle load failed: [^"]*' "$RUN/$PROVIDER/opa.log" | tail -1 | cut -c1-110)…"
REPORT="$(ready "$PROVIDER")"
[ "$(head -1 <<<"$REPORT")" = 503 ] || die "$PROVIDER is ready on a tampered bundle: $REPORT"
info "$PROVIDER /ready: HTTP 503, $(tail -n +2 <<<"$REPORT" | jq -r '.problems[0]')"
NEG="$(api "$CONSUMER" POST /api/negotiations "{\"counterPartyId\":\"$PROVIDER_ID\",\"counterPartyAddress\":\"$PROVIDER_DSP\",\"offer\":$OFFER}")"
STATE="$(await "$CONSUMER" "/api/negotiations/$(jq -r .id <<<"$NEG")" state FINALIZED TERMINATED)"
[ "$STATE" = TERMINATED ] || die "a negotiation was agreed while the provider's OPA had no valid bundle"
info "a new negotiation by $CONSUMER is TERMINATED: $(api "$CONSUMER" GET "/api/negotiations/$(jq -r .id <<<"$NEG")" | jq -r .detail)"
stop_opa "$PROVIDER"
start_opa "$PROVIDER"
for _ in $(seq 1 100); do REPORT="$(ready "$PROVIDER")"; [ "$(head -1 <<<"$REPORT")" = 200 ] && break; sleep 0.1; done
[ "$(head -1 <<<"$REPORT")" = 200 ] || die "$PROVIDER is not ready again on the genuine bundle: $REPORT"
info "genuine bundle back: $PROVIDER ready on $(tail -n +2 <<<"$REPORT" | jq -r .policyBundle.active)"

step "8. An auditor exports the région's audit trail and verifies it offline with the federation root certificate"
PORT="$(jq -r .managementPort "$RUN/$PROVIDER/data/node.json")"
curl -sSf -H "X-Api-Key: auditor-$API_KEY" "http://127.0.0.1:$PORT/audit/export?from=0" -o "$RUN/audit-export.jsonl"
info "$(jq -s '[.[] | select(.record == "entry")] | length' "$RUN/audit-export.jsonl") entries: $(jq -rs '[.[] | select(.record == "entry") | .type] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$RUN/audit-export.jsonl")"
java -jar "$ROOT/connector/target/socle-connector.jar" audit verify --export "$RUN/audit-export.jsonl" \
  --root-ca "$CERTS/root-ca.crt" | sed 's/^/    /'
# The node's decisions against OPA's own log of them (OPA uploads every few seconds, so the latest
# may still be on their way: listed as missing in OPA's log, which does not fail the check).
java -jar "$ROOT/connector/target/socle-connector.jar" audit reconcile --export "$RUN/audit-export.jsonl" \
  | sed 's/^/    /' || true
java -jar "$ROOT/connector/target/socle-connector.jar" audit show --export "$RUN/audit-export.jsonl" \
  --type DECISION --allow false | tail -4 | sed 's/^/    /'

step "Done: the dataset crossed the federation under its policy; checksum $RECEIVED_SUM matches. Stopping everything."
