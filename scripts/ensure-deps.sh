#!/usr/bin/env bash
# The project's npm dependencies, installed when missing or older than package-lock.json, so that
# `npm start` and `npm test` are each the whole set-up on a fresh clone (no "run npm install first").
# npm writes node_modules/.package-lock.json on every install: its age tells whether the tree is current.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
