#!/usr/bin/env bash
# Install the real components the tests use (see DESIGN.md, "Real components, and how tests
# get them"), on Debian bookworm as root:
#   - apparmor (apparmor_parser)
#   - the SELinux toolchain (policy sources, secilc, semodule, setools)
#   - docker.io (the engine) and busybox-static (for the test image, see scripts/dockerd.sh)
#   - Docker Compose v2: the docker-compose package of Debian trixie, fetched with a private
#     apt configuration (trixie is never added to the system's sources) and copied to
#     ~/.docker/cli-plugins/docker-compose
#
# Idempotent: when everything is present it only runs a few dpkg-query/command -v checks.
# apt's output goes to .cache/system-deps/apt.log; its tail is shown on failure.
#
# Environment:
#   HARDCOMPOSE_CACHE_DIR   cache dir (default: <repo>/.cache)
#   HARDCOMPOSE_DEBIAN_MIRROR  mirror for trixie (default: the one in the system's apt sources)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${HARDCOMPOSE_CACHE_DIR:-$ROOT/.cache}/system-deps"
LOG="$CACHE/apt.log"
mkdir -p "$CACHE"

PACKAGES=(
  apparmor
  selinux-policy-default selinux-policy-dev selinux-policy-src
  secilc semodule-utils policycoreutils setools
  docker.io
  busybox-static
  # selinux-policy-src ships a .tar.zst and the store keeps bzip2'd CIL; neither is a dependency.
  zstd bzip2
  # GNU time: CPU and peak memory per process for npm run bench (smoke run in CI).
  time
)

say() { printf '[system-deps] %s\n' "$*"; }

fail() {
  say "ERROR: $*" >&2
  if [ -s "$LOG" ]; then
    say "last lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}

# Run a command with its output appended to the log; on failure show the log tail and exit.
logged() {
  printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG"
  "$@" </dev/null >>"$LOG" 2>&1 || fail "command failed: $*"
}

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: cannot install packages"
else
  SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg (another engineer, unattended-upgrades) instead of failing.
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0
          -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }

# ---------------------------------------------------------------------------------------------
# 1. Debian bookworm packages
# ---------------------------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "apt packages: all present"
else
  say "apt packages: installing ${missing[*]} (log: $LOG)"
  start=$SECONDS

  # No init system here: make sure postinst scripts (docker.io, containerd) do not try to start
  # services. Only add a policy-rc.d when there is none, and remove exactly that one afterwards.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# added by hardcompose scripts/install-system-deps.sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi

  logged $SUDO apt-get "${APT_OPTS[@]}" update
  logged $SUDO apt-get "${APT_OPTS[@]}" install --no-install-recommends "${missing[@]}"
  for p in "${missing[@]}"; do
    installed "$p" || fail "package $p is still not installed"
  done
  say "apt packages: done in $((SECONDS - start))s"
fi

for c in apparmor_parser secilc semodule checkmodule dockerd busybox; do
  command -v "$c" >/dev/null 2>&1 || fail "$c not found after installing packages"
done

# ---------------------------------------------------------------------------------------------
# 2. Docker Compose v2 from Debian trixie, as a CLI plugin
# ---------------------------------------------------------------------------------------------
HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
PLUGIN="$PLUGIN_DIR/docker-compose"

compose_works() {
  local c found=0
  [ -x "$PLUGIN" ] && "$PLUGIN" version >/dev/null 2>&1 || return 1
  # every docker client on the PATH (e.g. /usr/local/bin/docker and /usr/bin/docker) must see it
  while read -r c; do
    found=1
    "$c" compose version >/dev/null 2>&1 || return 1
  done < <(type -ap docker | awk '!seen[$0]++')
  [ "$found" -eq 1 ]
}

# debian_mirror: scripts/debian-mirror.sh, shared with the lab image build.
. "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh"

if compose_works; then
  say "docker compose: present ($("$PLUGIN" version --short 2>/dev/null || echo '?'))"
else
  start=$SECONDS
  MIRROR="${HARDCOMPOSE_DEBIAN_MIRROR:-$(debian_mirror)}"
  T="$CACHE/trixie"
  rm -rf "$T"
  mkdir -p "$T/lists/partial" "$T/archives/partial" "$T/cache" "$T/x"

  keys=()
  for k in /usr/share/keyrings/debian-archive-trixie-stable.gpg \
           /usr/share/keyrings/debian-archive-trixie-automatic.gpg; do
    [ -r "$k" ] && keys+=("$k")
  done
  [ "${#keys[@]}" -gt 0 ] || keys=(/usr/share/keyrings/debian-archive-keyring.gpg)
  signed_by=$(IFS=,; echo "${keys[*]}")
  echo "deb [signed-by=$signed_by] $MIRROR trixie main" >"$T/sources.list"
  say "docker compose: fetching docker-compose from trixie ($MIRROR)"

  # Everything apt touches lives under $T: the system's sources, lists and caches are untouched.
  PRIV=(-q
    -o Dir::Etc::SourceList="$T/sources.list"
    -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists="$T/lists"
    -o Dir::Cache="$T/cache"
    -o Dir::Cache::Archives="$T/archives"
    -o Dir::Cache::pkgcache=
    -o Dir::Cache::srcpkgcache=
    -o APT::Sandbox::User=root
    -o Acquire::Languages=none
    -o APT::Get::List-Cleanup=false)
  logged apt-get "${PRIV[@]}" update
  (cd "$T" && logged apt-get "${PRIV[@]}" download docker-compose)
  deb=$(find "$T" -maxdepth 1 -name 'docker-compose_*.deb' | head -n 1)
  [ -n "$deb" ] || fail "apt-get download docker-compose produced no .deb"
  logged dpkg-deb -x "$deb" "$T/x"
  src="$T/x/usr/libexec/docker/cli-plugins/docker-compose"
  [ -x "$src" ] || fail "$deb has no usr/libexec/docker/cli-plugins/docker-compose"

  mkdir -p "$PLUGIN_DIR"
  # copy then rename, so a concurrent run never sees a half-written plugin
  cp "$src" "$PLUGIN.tmp.$$"
  chmod 755 "$PLUGIN.tmp.$$"
  mv -f "$PLUGIN.tmp.$$" "$PLUGIN"
  rm -rf "$T/x" "$T/lists" "$T/cache"
  compose_works || fail "docker compose version does not work with $PLUGIN"
  say "docker compose: installed $("$PLUGIN" version --short) from $(basename "$deb") in $((SECONDS - start))s"
fi
