#!/usr/bin/env bash
# Installs landreg's OpenAPI tooling from tools/openapi/package-lock.json with `npm ci`:
# @redocly/cli (the test suite lints the served /api document with it) and Redoc, whose
# standalone bundle it copies into web/apidoc/vendor/, which `go build` embeds for
# /api.html. Nothing third-party is committed; tools/openapi/node_modules and
# web/apidoc/vendor are gitignored. Kept apart from web/package.json so the map's and
# the API document's dependencies are locked and upgraded separately.
# Needs node + npm (Debian: apt-get install -y nodejs npm). Idempotent: skips `npm ci`
# when node_modules matches the lock file.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/tools/openapi"

if ! command -v npm >/dev/null 2>&1; then
  echo "landreg: npm is not installed (need Node.js 20.19+ with npm: apt-get install -y nodejs npm)" >&2
  exit 1
fi

stamp=node_modules/.landreg-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x node_modules/.bin/redocly ] || [ ! -d node_modules/redoc ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

vendor="$root/web/apidoc/vendor"
mkdir -p "$vendor"
for pair in redoc.standalone.js:redoc.standalone.js redoc.standalone.js.LICENSE.txt:redoc.standalone.js.LICENSE.txt; do
  src=node_modules/redoc/bundles/${pair%%:*} dst=$vendor/${pair#*:}
  [ -f "$src" ] || { echo "landreg: $src missing after npm ci" >&2; exit 1; }
  cmp -s "$src" "$dst" 2>/dev/null || cp "$src" "$dst"
done
cp -f node_modules/redoc/LICENSE "$vendor/redoc.LICENSE" 2>/dev/null || true
echo "openapi-tools: redocly $(node -p 'require("./node_modules/@redocly/cli/package.json").version'), web/apidoc/vendor/ has redoc $(node -p 'require("./node_modules/redoc/package.json").version')" >&2
