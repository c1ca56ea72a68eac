#!/usr/bin/env bash
# `npm test`: everything a fresh Debian bookworm machine (node, npm, git, python3) needs, then
# the unit tests.
#   1. system packages + docker compose plugin   scripts/install-system-deps.sh
#   2. node modules (npm ci when node_modules is missing)
#   3. npm run build (tsc)
#   4. Docker engine + test image                 scripts/dockerd.sh start (stopped again on exit)
#   5. the tests                                  node scripts/uvu-summary.js
# Exits with the tests' status.
#
# Environment:
#   HARDCOMPOSE_SKIP_SYSTEM_DEPS=1  skip step 1 (machines where the packages are managed otherwise)
#   HARDCOMPOSE_NO_DOCKERD=1        skip step 4 (tests needing docker then fail under CI=true)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

if [ "${HARDCOMPOSE_SKIP_SYSTEM_DEPS:-}" != 1 ]; then
  step "system dependencies"
  bash scripts/install-system-deps.sh
fi

if [ ! -d node_modules ] || [ ! -e node_modules/uvu/bin.js ] || [ ! -e node_modules/typescript/bin/tsc ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "build"
npm run --silent build

dockerd_started=0
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ "$dockerd_started" = 1 ]; then
    # quiet on success, so the tests' summary line stays the last line of the run
    local out
    out=$(bash scripts/dockerd.sh stop --lease $$ 2>&1) || printf '%s\n' "$out" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ "${HARDCOMPOSE_NO_DOCKERD:-}" != 1 ]; then
  step "docker engine"
  dockerd_started=1
  bash scripts/dockerd.sh start --lease $$
fi

step "unit tests"
set +e
node scripts/uvu-summary.js dist/test '\.test\.js$'
status=$?
set -e
exit "$status"
