#!/usr/bin/env bash
# Builds policies/ into the OPA bundle every node's OPA runs, signed with the federation's
# policy-signing key (ES256), and writes beside it what a node needs to run it safely:
#
#   socle-policies.tar.gz    the signed bundle (test files and templates left out)
#   socle-policies.revision  its revision, a content hash of the bundled files: a node reads it at
#                            start-up (opa.expectedRevisionFile) and refuses decisions from any other
#   opa-config.json          OPA configuration: loads the bundle from that file, verifies it with the
#                            federation's public key and requires a signature (signing.keyid set), and
#                            uploads its decision log to the node (service socle-node, 127.0.0.1:8282
#                            unless --set services.socle-node.url=... says otherwise)
#   decision-log.token       the bearer token OPA sends with its uploads and the node checks
#                            (opa.decisionLogs.tokenFile); created once, kept across builds
#
# The revision only depends on the policy files, so two builds of the same policies/ have the same
# revision although their signatures differ (ECDSA signatures are randomised).
#
# Usage: launchers/build-policy-bundle.sh [--out DIR] [--key PEM] [--public-key PEM]
#   --out DIR          where to write (default .run/bundles)
#   --key PEM          private key that signs (default certs-dev/policy-signing.key)
#   --public-key PEM   public key nodes verify with (default certs-dev/policy-signing.pub.pem)
# OPA defaults to .tools/bin/opa; set OPA=/path/to/opa to use another binary.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPA="${OPA:-$ROOT/.tools/bin/opa}"
OUT="$ROOT/.run/bundles"
KEY="$ROOT/certs-dev/policy-signing.key"
PUBLIC_KEY="$ROOT/certs-dev/policy-signing.pub.pem"
# The key id OPA's configuration names; the bundle's signature carries it too.
KEY_ID="socle-policy-signing"
BUNDLE_NAME="socle"

die() { printf '\033[31m[build-policy-bundle] %s\033[0m\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --key) KEY="$2"; shift 2 ;;
    --public-key) PUBLIC_KEY="$2"; shift 2 ;;
    *) die "unknown argument '$1' (see the usage at the top of this script)" ;;
  esac
done

[ -x "$OPA" ] || die "OPA is not installed at $OPA: run launchers/setup.sh first"
[ -r "$KEY" ] || die "cannot read the signing key $KEY"
[ -r "$PUBLIC_KEY" ] || die "cannot read the public key $PUBLIC_KEY"
command -v jq >/dev/null 2>&1 || die "jq is required (launchers/setup.sh installs it)"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# The files `opa build` takes with the --ignore flags below: data and policy files, neither tests
# nor templates. Paths are part of the hash, so moving a rule changes the revision.
revision() {
  (cd "$ROOT/policies" && find . -name templates -prune -o -type f \
      \( -name '*.rego' -o -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) ! -name '*_test.rego' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}
REVISION="sha256-$(revision)"

# Build and check into temporary names, then rename: a node or OPA starting meanwhile never reads
# a half-written file.
TMP="$(mktemp -d "$OUT/.build.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Built from the repository root with a relative path, so that file names inside the bundle (and
# the policy ids OPA reports) are policies/... wherever the repository is checked out.
(cd "$ROOT" && "$OPA" build --bundle policies --ignore '*_test.rego' --ignore templates \
  --signing-key "$KEY" --signing-alg ES256 --verification-key-id "$KEY_ID" \
  --revision "$REVISION" --output "$TMP/socle-policies.tar.gz") \
  || die "opa build failed"

# Verify with the public key the nodes will use: a key pair that does not match fails here, not in
# every node's OPA at start-up.
"$OPA" build --bundle "$TMP/socle-policies.tar.gz" --verification-key "$PUBLIC_KEY" \
  --verification-key-id "$KEY_ID" --signing-alg ES256 --output "$TMP/verified.tar.gz" \
  || die "the bundle does not verify with $PUBLIC_KEY: is it the public half of $KEY?"

printf '%s\n' "$REVISION" >"$TMP/socle-policies.revision"

if [ ! -s "$OUT/decision-log.token" ]; then
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/decision-log.token")
  mv -f "$TMP/decision-log.token" "$OUT/decision-log.token"
fi

# signing.keyid is what makes OPA require a signature: keys without a signing block only verify a
# signature when one is present (and OPA before v1.21.3 then accepted a bundle stripped of it).
# Decision logging gives every decision an id the node records with it, and OPA uploads its own
# record of each decision to the node (gzip, at least once, retried), which keeps it in the audit
# log for reconciliation. Not on the console: that would copy every full input into a plain log.
# Uploads stay under the node's 1 MiB body limit; the buffer is bounded (OPA drops the oldest events
# beyond it, which reconciliation reports as missing in OPA's record).
jq -n --arg key "$(cat "$PUBLIC_KEY")" --arg keyId "$KEY_ID" --arg name "$BUNDLE_NAME" \
  --arg resource "file://$OUT/socle-policies.tar.gz" --arg token "$OUT/decision-log.token" '{
    keys: {($keyId): {algorithm: "ES256", key: $key}},
    bundles: {($name): {resource: $resource, signing: {keyid: $keyId}}},
    services: {"socle-node": {url: "http://127.0.0.1:8282", credentials: {bearer: {token_path: $token}}}},
    decision_logs: {service: "socle-node", resource: "/opa/decisions", console: false,
      reporting: {min_delay_seconds: 1, max_delay_seconds: 5, upload_size_limit_bytes: 262144,
        buffer_size_limit_bytes: 16777216}}
  }' >"$TMP/opa-config.json"

mv -f "$TMP/socle-policies.tar.gz" "$OUT/socle-policies.tar.gz"
mv -f "$TMP/socle-policies.revision" "$OUT/socle-policies.revision"
mv -f "$TMP/opa-config.json" "$OUT/opa-config.json"
echo "policy bundle $REVISION signed into $OUT/socle-policies.tar.gz" >&2
