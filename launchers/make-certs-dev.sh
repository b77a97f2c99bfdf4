#!/usr/bin/env bash
# Regenerates certs-dev/, the development federation, with `socle certs` (Bouncy Castle; no openssl).
#
# Everything except certs-dev/README.md is replaced: new CAs, new keys, new serials. Nodes started
# against the old files must be restarted. The keys are unencrypted and public in git: development only.
#
# Usage: launchers/make-certs-dev.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/certs-dev"
JAR="$ROOT/connector/target/socle-connector.jar"

FEDERATION="Fédération Socle (développement)"
ROOT_DAYS=3650
NODE_DAYS=825
# A week-long CRL would make the committed federation unusable a week after each regeneration;
# development nodes get a CRL that lasts as long as their certificates.
CRL_DAYS=825

# slug|name|SIREN|territory codes (space separated). SIRENs are Luhn-valid and built on département
# code 99, which INSEE never gives a collectivité, so they cannot be the SIREN of a real one.
NODES=(
  "commune-esempiu|Commune d'Esempiu (dev)|219900016|INSEE-COM:2B999 INSEE-DEP:2B INSEE-REG:94 EU:FR"
  "metropole-exemple|Métropole Exemple (dev)|249900028|INSEE-EPCI:249900028 INSEE-DEP:13 INSEE-REG:93 EU:FR"
  "region-exemple|Région Exemple (dev)|239900038|INSEE-REG:94 EU:FR"
)

if [[ ! -f "$JAR" ]]; then
  echo "building $JAR" >&2
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

socle() {
  java -cp "$JAR:$ROOT/connector/target/lib/*" fr.socle.cli.Socle "$@"
}

# Generate beside the target and swap at the end, so a failure leaves the old certs-dev intact.
WORK="$(mktemp -d "$ROOT/.certs-dev.XXXXXX")"
chmod 0755 "$WORK" # mktemp makes it 0700, and cp -a would carry that over to certs-dev/
trap 'rm -rf "$WORK"' EXIT

socle certs init-federation --dir "$WORK" --name "$FEDERATION" --days "$ROOT_DAYS" --crl-days "$CRL_DAYS"

json_nodes=""
for entry in "${NODES[@]}"; do
  IFS='|' read -r slug name siren territory <<<"$entry"
  socle certs issue-node --dir "$WORK" --siren "$siren" --name "$name" --slug "$slug" \
    --dns localhost --ip 127.0.0.1 --days "$NODE_DAYS"
  codes=""
  for code in $territory; do
    codes+="${codes:+, }\"$code\""
  done
  json_nodes+="${json_nodes:+,
}    {\"slug\": \"$slug\", \"name\": \"$name\", \"siren\": \"$siren\", \"participantId\": \"NTRFR-$siren\", \"territory\": [$codes]}"
done

cat >"$WORK/federation.json" <<JSON
{
  "federation": "$FEDERATION",
  "nodes": [
$json_nodes
  ]
}
JSON

mkdir -p "$OUT"
rm -rf "$OUT/nodes" "$OUT"/*.crt "$OUT"/*.key "$OUT"/*.pem "$OUT"/*.crl "$OUT/federation.json"
cp -a "$WORK"/. "$OUT"/
echo "certs-dev regenerated in $OUT" >&2
