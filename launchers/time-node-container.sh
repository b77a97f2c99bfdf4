#!/usr/bin/env bash
# Measures a node's start in a container against the same node started as a plain process on this
# host, alternately, SOCLE_TIMING_RUNS times (3), each on a fresh data directory. The container: a
# socle-opa and a socle-node container (read-only root file system, one data volume, the development
# federation's certificate of region-exemple) on their own network. Prints per run and as medians:
# from `podman run` to the node's "ready in" log line and to GET /ready answering 200 (OPA serving the
# expected signed bundle); from `java -jar` to the same log line on the host; and their ratio.
# Run by build-images.sh; needs the images it builds.
#
# Usage: launchers/time-node-container.sh [TAG]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${1:-dev}"
RUNS="${SOCLE_TIMING_RUNS:-3}"
NAME="socle-timing-$$"
NODE_UID=10001

say() { printf '\033[1m[node start]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[node start] %s\033[0m\n' "$*" >&2; exit 1; }

# shellcheck source=launchers/podman.sh
. "$ROOT/launchers/podman.sh"
podman_config

WORK="$(mktemp -d "${TMPDIR:-/tmp}/socle-timing.XXXXXX")"
cleanup() {
  podman rm -f -t 2 "$NAME-node" "$NAME-opa" >/dev/null 2>&1 || true
  podman network rm -f "$NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The configuration a territory team would mount at /config (see the README's container section).
slug=region-exemple
mkdir -p "$WORK/config/certs/nodes/$slug"
cp "$ROOT"/certs-dev/{root-ca.crt,issuing-ca.crt,federation.crl,federation.json} "$WORK/config/certs/"
cp "$ROOT/certs-dev/nodes/$slug/"{node.crt,node.key} "$WORK/config/certs/nodes/$slug/"
cp "$ROOT/.run/bundles/socle-policies.revision" "$WORK/config/"
head -c 24 /dev/urandom | base64 >"$WORK/config/api-key.txt"
cat >"$WORK/config/node.json" <<JSON
{
  "name": "$slug",
  "dataDir": "/data",
  "dsp": { "host": "0.0.0.0", "port": 8443, "publicUrl": "https://$slug:8443" },
  "management": { "host": "0.0.0.0", "port": 8080, "apiKeyFile": "api-key.txt" },
  "tls": { "nodeDir": "certs/nodes/$slug", "federationDir": "certs" },
  "opa": { "url": "http://$slug-opa:8181", "expectedRevisionFile": "socle-policies.revision" },
  "federation": { "directory": "certs/federation.json" }
}
JSON
chmod -R a+rX "$WORK/config"
podman network create "$NAME" >/dev/null

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

podman run -d --name "$NAME-opa" --network "$NAME" --network-alias "$slug-opa" --read-only \
  "socle-opa:$TAG" >/dev/null
JAR="$ROOT/connector/target/socle-connector.jar"
jq --arg data "$WORK/host-data" '.dataDir = $data | .dsp.port = 0 | .management.port = 0
  | .management.host = "127.0.0.1" | .opa.url = "http://127.0.0.1:1"' "$WORK/config/node.json" >"$WORK/config/host.json"

# host_start: ms from `java -jar` to the "ready in" log line of the same node as a plain process.
host_start() {
  rm -rf "$WORK/host-data" && mkdir -p "$WORK/host-data"
  local t0 pid
  t0="$(now_ms)"
  java -XX:-UsePerfData -XX:+UseSerialGC -jar "$JAR" node run --config "$WORK/config/host.json" >"$WORK/host.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q ' ready in ' "$WORK/host.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/host.log" >&2; die "the host node exited"; }
    sleep 0.05
  done
  echo "$(($(now_ms) - t0))"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
}

logs="" ready="" uptime="" hosts=""
for run in $(seq 1 "$RUNS"); do
  t_host="$(host_start)"
  hosts+="$t_host"$'\n'
  rm -rf "$WORK/data" && mkdir -p "$WORK/data" && chown "$NODE_UID:$NODE_UID" "$WORK/data"
  podman rm -f -t 2 "$NAME-node" >/dev/null 2>&1 || true
  t0="$(now_ms)"
  podman run -d --name "$NAME-node" --network "$NAME" --network-alias "$slug" --read-only \
    -v "$WORK/config:/config:ro" -v "$WORK/data:/data" -p 127.0.0.1::8080 "socle-node:$TAG" >/dev/null
  t_log="" t_ready=""
  for _ in $(seq 1 600); do
    # grep -c and sed -n 1p read to the end: an early exit would SIGPIPE the writer, and pipefail
    # would then count the line as absent.
    if [ -z "$t_log" ] && podman logs "$NAME-node" 2>&1 | grep -c ' ready in ' >/dev/null; then
      t_log="$(now_ms)"
      port="$(podman port "$NAME-node" 8080 | sed -n '1s/.*://p')"
    fi
    if [ -n "$t_log" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" = 200 ]; then
      t_ready="$(now_ms)"
      break
    fi
    [ "$(podman inspect -f '{{.State.Running}}' "$NAME-node")" = true ] \
      || { podman logs "$NAME-node" >&2; die "the node container exited"; }
    sleep 0.05
  done
  [ -n "$t_ready" ] || { podman logs "$NAME-node" >&2; die "the node was not ready within 30 s"; }
  jvm="$(podman logs "$NAME-node" 2>&1 | sed -nE 's/.* ready in ([0-9]+) ms.*/\1/p' | sed -n 1p)"
  say "run $run: container: log line after $((t_log - t0)) ms, /ready 200 after $((t_ready - t0)) ms (JVM uptime $jvm ms); host process: log line after $t_host ms"
  logs+="$((t_log - t0))"$'\n' ready+="$((t_ready - t0))"$'\n' uptime+="$jvm"$'\n'
done
m_log="$(median <<<"${logs%$'\n'}")" m_host="$(median <<<"${hosts%$'\n'}")"
say "median of $RUNS: container 'ready' log line $m_log ms, /ready 200 $(median <<<"${ready%$'\n'}") ms after podman run (JVM uptime $(median <<<"${uptime%$'\n'}") ms); host process $m_host ms; container/host $(awk -v a="$m_log" -v b="$m_host" 'BEGIN { printf "%.2f", a / b }')"
