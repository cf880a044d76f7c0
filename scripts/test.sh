#!/usr/bin/env bash
# `npm test`: everything. As root on Debian/Ubuntu it provisions what is missing (Docker engine, sshd,
# Chromium, …), lints (npm run lint), builds and packages the extension, stands up the rig (real containers, a bare unshare
# container, a bind-mount-only netns), then runs the unit, integration and end-to-end suites in turn.
# With CI=true a missing real part fails its suite instead of skipping it (test/support/real.ts).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
step() { printf '\n== %s\n' "$*"; }

if [ "$(id -u)" = 0 ]; then
  step "provisioning"
  bash scripts/provision.sh || { echo "npm test: provisioning failed" >&2; exit 1; }
elif [ "${CI:-}" = true ]; then
  echo "npm test: CI needs root (the suites create namespaces, mounts, cgroups and containers)" >&2
  exit 1
else
  # Not root, on a developer's machine: say what is missing; the suites that need it skip and say why.
  bash scripts/provision.sh || echo "npm test: continuing; suites needing the parts above will be skipped" >&2
fi

step "lint"
bash scripts/ensure-deps.sh || { echo "npm test: npm dependencies could not be installed" >&2; exit 1; }
# Fail fast: layer rules, import cycles and formatting take well under a minute; the suites take many.
npm run --silent lint || { echo "npm test: npm run lint failed (npm run format fixes formatting)" >&2; exit 1; }

step "build"
npm run --silent build || exit 1
npm run --silent package >/dev/null || exit 1

if [ "$(id -u)" = 0 ]; then
  step "test rig"
  bash test/rig/up.sh >/dev/null || { echo "npm test: the test rig did not come up" >&2; exit 1; }
  # code-server for the end-to-end suite: provisioned once, cached in .cache/.
  bash scripts/code-server.sh >/dev/null || { echo "npm test: code-server could not be provisioned" >&2; exit 1; }
fi

passed=0 failed=0 skipped=0 status=0
suite() { # name, node --test args...
  local name=$1; shift
  step "$name"
  local log; log=$(mktemp)
  node --import tsx --test --test-reporter=spec "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f s
  p=$(grep -aE '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  f=$(grep -aE '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  s=$(grep -aE '^ℹ skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
  # A runner that died before its summary (a crash, a syntax error) still counts as a failure.
  if [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; then
    f=1
    echo "npm test: the $name runner exited with code $rc without reporting a failed test" >&2
  fi
  passed=$((passed + ${p:-0})) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
  [ "$rc" = 0 ] || status=1
  rm -f "$log"
}
# Node 20's test runner takes files, not globs.
files() { find "$1" -name '*.test.ts' | sort; }
# shellcheck disable=SC2046
suite unit $(files test/unit)
# shellcheck disable=SC2046
suite integration --test-concurrency=1 $(files test/integration)
# shellcheck disable=SC2046
suite e2e --test-concurrency=1 $(files test/e2e)

if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; then bash test/rig/up.sh --down; fi
echo
echo "screenshots of the end-to-end steps: test-results/e2e/"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
