#!/usr/bin/env bash
# Installs the OGC API client the test suite walks the server with (tools/ogc-client:
# @camptocamp/ogc-client from npm, pinned by its package-lock.json) with `npm ci`.
# Idempotent: skips `npm ci` when node_modules matches the lock file. Needs node + npm.
set -euo pipefail
cd "$(dirname "$0")/../tools/ogc-client"
if ! command -v npm >/dev/null 2>&1; then
  echo "landreg: npm is not installed (need Node.js 20+ with npm: apt-get install -y nodejs npm)" >&2
  exit 1
fi
stamp=node_modules/.landreg-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d node_modules/@camptocamp/ogc-client ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
