# Sourced by the launchers: finds the external programs a step relies on, installs the Debian
# packages that provide the missing ones when run as root, and otherwise stops with a message naming
# each missing program and the package that provides it.
#
#   require <what they are for> <program>=<package> ...
#
# <program> is a command name (looked up in PATH and in /usr/sbin and /sbin, where Debian puts
# iptables) or an absolute path, which may hold a glob (/usr/lib/postgresql/*/bin/initdb).

prereq_say() { printf '\033[1m[prerequisites]\033[0m %s\n' "$*" >&2; }
prereq_die() { printf '\033[31m[prerequisites] %s\033[0m\n' "$*" >&2; return 1; }

# True when the program is there and executable.
prereq_have() {
  local candidate
  case "$1" in
    /*)
      for candidate in $1; do
        [ -x "$candidate" ] && return 0
      done
      return 1 ;;
    *) PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 ;;
  esac
}

# Prints "program (package)" for each missing program, one per line.
prereq_missing() {
  local pair
  for pair in "$@"; do
    prereq_have "${pair%%=*}" || printf '%s (%s)\n' "${pair%%=*}" "${pair#*=}"
  done
}

require() {
  local purpose="$1" missing packages
  shift
  missing="$(prereq_missing "$@")"
  [ -z "$missing" ] && return 0
  packages="$(printf '%s\n' "$missing" | sed -E 's/.*\((.*)\)$/\1/' | sort -u | tr '\n' ' ')"
  if [ "$(id -u)" != 0 ]; then
    prereq_die "missing for $purpose: $(printf '%s\n' "$missing" | paste -sd, - | sed 's/,/, /g'). Install them as root (apt-get install ${packages% }) and re-run."
    return 1
  fi
  prereq_say "installing for $purpose: ${packages% } (Debian packages)"
  # shellcheck disable=SC2086 # one word per package
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages) \
    >/dev/null || { prereq_die "apt-get could not install ${packages% }"; return 1; }
  missing="$(prereq_missing "$@")"
  [ -z "$missing" ] || { prereq_die "still missing for $purpose after apt-get: $(printf '%s\n' "$missing" | paste -sd, -)"; return 1; }
}
