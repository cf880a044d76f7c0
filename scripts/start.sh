#!/usr/bin/env bash
# `npm start`: build, package, and open Nodescope in a real VS Code (code-server) served on
# http://127.0.0.1:${PORT:-8765}, looking at this machine. Ctrl-C stops everything it started.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
PORT=${PORT:-8765}
bash scripts/ensure-deps.sh
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
# code-server runs in a process group of its own (setsid), so Ctrl-C or any exit of this script ends it
# and everything it started (extension host, agents, terminals) without touching the npm that ran us.
CS_PID=
stop() { [ -n "$CS_PID" ] && kill -TERM -- "-$CS_PID" 2>/dev/null; CS_PID=; }
trap 'stop; exit 130' INT TERM
trap stop EXIT
# shellcheck disable=SC2086
setsid $CMD --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check --disable-workspace-trust "$WORKSPACE" &
CS_PID=$!
for _ in $(seq 1 120); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$CS_PID" 2>/dev/null || { echo "npm start: code-server exited (is port $PORT taken? PORT=... npm start)" >&2; exit 1; }
  sleep 0.5
done
echo "Nodescope in VS Code: http://127.0.0.1:$PORT/?folder=$WORKSPACE  (Ctrl-C to stop)"
wait "$CS_PID"
