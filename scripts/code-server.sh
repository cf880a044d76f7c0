#!/usr/bin/env bash
# Provisions a project-local Node 24 and code-server (VS Code served to a browser) under .cache/, once.
# code-server needs Node 24 and its native modules must build against Node 24's headers, not the
# machine's Node 20 (code-server's native modules are built for the Node that runs them). Prints the code-server binary's path.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$REPO/.cache
CS_VERSION=4.139.1
NODE24=$CACHE/node24/node_modules/node/bin/node
CS=$CACHE/code-server/node_modules/code-server
log() { echo "code-server.sh: $*" >&2; }

# Cached: the pinned version answers --version (another version left in .cache/ is replaced).
if [ -x "$NODE24" ] && [ -f "$CS/out/node/entry.js" ] && "$NODE24" "$CS/out/node/entry.js" --version 2>/dev/null | grep -q "^$CS_VERSION "; then
  echo "$CS"; exit 0
fi
if [ "$(id -u)" = 0 ]; then bash "$REPO/scripts/provision.sh"; fi
command -v pkg-config >/dev/null && command -v krb5-config >/dev/null || { log "needs pkg-config and libkrb5-dev (scripts/provision.sh as root)"; exit 1; }

if [ ! -x "$NODE24" ]; then
  log "installing Node 24 into .cache/node24"
  npm install --prefix "$CACHE/node24" --no-audit --no-fund --loglevel=error node@24 >&2
fi
HEADERS=$(dirname "$(find "$CACHE/node24/node_modules" -path '*/include/node/node.h' | head -1)")
NODEDIR=${HEADERS%/include/node}
[ -f "$NODEDIR/include/node/node.h" ] || { log "Node 24 headers not found under .cache/node24"; exit 1; }

log "installing code-server $CS_VERSION into .cache/code-server (a few minutes, once)"
export PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$NODEDIR"
# Under `npm test` the parent npm (on Node 20) exports its user agent, which the npm below would take
# as its own config; code-server's postinstall reads the Node version from it and would refuse.
unset npm_config_user_agent npm_node_execpath npm_execpath
mkdir -p "$CACHE/code-server"
# cross-env's bin lacks its run bit in the current release, which breaks argon2's install script:
# install without scripts, fix the bit, then run the scripts with npm rebuild.
npm install --prefix "$CACHE/code-server" --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$CS_VERSION" >&2
find "$CACHE/code-server/node_modules" -path '*cross-env/src/bin/*' -name '*.js' -exec chmod +x {} + 2>/dev/null || true
chmod +x "$CACHE"/code-server/node_modules/.bin/* 2>/dev/null || true
(cd "$CACHE/code-server" && npm rebuild --loglevel=error >&2)
"$NODE24" "$CS/out/node/entry.js" --version >&2
echo "$CS"
