#!/usr/bin/env bash
# Sets up rootful Podman for the container images and tests, idempotently, and starts its
# Docker-compatible API socket (what Testcontainers talks to).
#
#   launchers/podman.sh            installs podman, runc, netavark, aardvark-dns and iptables (Debian
#                                  packages, as root), writes
#                                  .run/podman/containers.conf, starts the API service if its socket
#                                  does not answer, and prints the environment to use it
#   launchers/podman.sh --stop     stops the API service this script started (pid in .run/podman)
#
# Sourced (`. launchers/podman.sh`), it also exports CONTAINERS_CONF, DOCKER_HOST and
# TESTCONTAINERS_RYUK_DISABLED and TESTCONTAINERS_HOST_OVERRIDE into the caller's shell.
#
# Why each setting (checked on these machines): crun is refused setrlimit on the hybrid cgroups
# here, so runc; no systemd session, so cgroupfs; containers inherit no usable ulimits, so they are
# set in containers.conf. Ryuk, Testcontainers' reaper, is an image that cannot be pulled without a
# registry: the tests stop what they start themselves. Published ports are on this host's loopback;
# Testcontainers would look for them on a bridge gateway whenever /.dockerenv exists (as on machines
# that are themselves built from a container image), hence the host override.

PODMAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PODMAN_DIR="$PODMAN_ROOT/.run/podman"
PODMAN_SOCK="$PODMAN_DIR/podman.sock"

podman_say() { printf '\033[1m[podman]\033[0m %s\n' "$*" >&2; }
podman_die() { printf '\033[31m[podman] %s\033[0m\n' "$*" >&2; return 1; }

# shellcheck source=launchers/prerequisites.sh
. "$PODMAN_ROOT/launchers/prerequisites.sh"

# netavark sets up container networks with the iptables program, which neither it nor podman depends
# on in Debian 12; aardvark-dns gives those networks their DNS (containers call each other by name).
# All are named because apt may be set to leave out recommended packages.
PODMAN_PROGRAMS=(podman=podman runc=runc /usr/lib/podman/netavark=netavark
  /usr/lib/podman/aardvark-dns=aardvark-dns iptables=iptables)

podman_install() {
  require "the container images and tests (rootful Podman)" "${PODMAN_PROGRAMS[@]}"
}

podman_config() {
  mkdir -p "$PODMAN_DIR"
  local nofile
  nofile="$(ulimit -n)"
  [ "$nofile" = unlimited ] && nofile=1048576
  cat >"$PODMAN_DIR/containers.conf.new" <<EOF
# Written by launchers/podman.sh.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]

[network]
network_backend = "netavark"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  mv -f "$PODMAN_DIR/containers.conf.new" "$PODMAN_DIR/containers.conf"
  export CONTAINERS_CONF="$PODMAN_DIR/containers.conf"
  # netavark runs iptables by name: a PATH without the sbin directories would hide it.
  case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin:/sbin" ;; esac
  export DOCKER_HOST="unix://$PODMAN_SOCK"
  export TESTCONTAINERS_RYUK_DISABLED=true
  export TESTCONTAINERS_HOST_OVERRIDE=localhost
}

podman_answers() {
  curl -sf --max-time 5 --unix-socket "$PODMAN_SOCK" http://d/_ping >/dev/null 2>&1
}

podman_service() {
  podman_answers && return 0
  rm -f "$PODMAN_SOCK"
  podman_say "starting the Podman API service on $PODMAN_SOCK"
  nohup podman system service --time=0 "unix://$PODMAN_SOCK" >"$PODMAN_DIR/service.log" 2>&1 &
  echo $! >"$PODMAN_DIR/service.pid"
  PODMAN_STARTED=1
  for _ in $(seq 1 100); do
    podman_answers && return 0
    sleep 0.1
  done
  podman_die "the Podman API service did not answer on $PODMAN_SOCK within 10 s (see $PODMAN_DIR/service.log)"
}

podman_stop() {
  local pid
  [ -f "$PODMAN_DIR/service.pid" ] || return 0
  pid="$(cat "$PODMAN_DIR/service.pid")"
  kill "$pid" 2>/dev/null || true
  rm -f "$PODMAN_DIR/service.pid" "$PODMAN_SOCK"
}

podman_setup() {
  podman_install && podman_config && podman_service
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    --stop) podman_stop ;;
    "")
      podman_setup
      echo "export CONTAINERS_CONF=$CONTAINERS_CONF DOCKER_HOST=$DOCKER_HOST TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost"
      ;;
    *) podman_die "unknown option $1"; exit 2 ;;
  esac
fi
