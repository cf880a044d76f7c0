#!/usr/bin/env bash
# Shared by `npm start` and the end-to-end suite: install dist/nodescope.vsix into a code-server profile.
#   codeServerProfile.sh PROFILE_DIR   → prints the code-server command prefix (node24 + entry + dirs)
# NODESCOPE_VSIX names another package to install (the e2e suite's own check that a broken one fails it).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=$1
CS=$(bash "$REPO/scripts/code-server.sh")
NODE24=$REPO/.cache/node24/node_modules/node/bin/node
mkdir -p "$PROFILE/user/User" "$PROFILE/extensions"
"$NODE24" "$CS/out/node/entry.js" --user-data-dir "$PROFILE/user" --extensions-dir "$PROFILE/extensions" \
  --install-extension "${NODESCOPE_VSIX:-$REPO/dist/nodescope.vsix}" --force >&2
echo "$NODE24 $CS/out/node/entry.js --user-data-dir $PROFILE/user --extensions-dir $PROFILE/extensions"
