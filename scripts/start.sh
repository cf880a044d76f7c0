#!/usr/bin/env bash
# `npm start`: build, package, and open Nodescope in a real VS Code (code-server) served on
# http://127.0.0.1:${PORT:-8765}, looking at this machine. Ctrl-C stops everything it started.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
PORT=${PORT:-8765}
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
npm run package >/dev/null
PROFILE=$REPO/.cache/profile
CMD=$(bash scripts/codeServerProfile.sh "$PROFILE")
# Open the Nodescope view on start, with no trust prompt or welcome page in the way.
cat >"$PROFILE/user/User/settings.json" <<JSON
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "git.openRepositoryInParentFolders": "never",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true
}
JSON
WORKSPACE=$REPO/.cache/workspace
mkdir -p "$WORKSPACE"
if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  echo "npm start: not root and sudo needs a password: run 'sudo -v' first so the agent can read every process" >&2
fi
trap 'kill 0 2>/dev/null' INT TERM EXIT
echo "Nodescope in VS Code: http://127.0.0.1:$PORT/?folder=$WORKSPACE  (Ctrl-C to stop)"
# shellcheck disable=SC2086
$CMD --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check --disable-workspace-trust "$WORKSPACE" &
wait
