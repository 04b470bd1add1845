#!/usr/bin/env bash
# Installs the platforms' own counting code (npm twitter-text and @atproto/api, pinned
# in tests/oracles/package-lock.json) into <project>/.oracles, for the differential
# tests (tests/test_oracles.py, through tests/oracles/helper.mjs).
#
# Idempotent: does nothing when .oracles/node_modules exists and .oracles/.lock-sha256
# holds the sha256 of the lock file. ORACLES_INSTALL_DIR overrides the target folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${ORACLES_INSTALL_DIR:-$root/.oracles}"
lock="$here/package-lock.json"
stamp="$dest/.lock-sha256"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

if [[ -d "$dest/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

echo "install.sh: installing the counting oracles into $dest ..."
mkdir -p "$dest"
rm -f "$stamp"
cp "$here/package.json" "$lock" "$dest/"
cd "$dest"
# No install scripts: none of these packages needs one (core-js's only prints a notice).
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
node -e "require('twitter-text'); require('@atproto/api')"
echo "$want" >"$stamp"
echo "install.sh: done"
