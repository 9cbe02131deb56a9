#!/usr/bin/env bash
# Builds the map page's third-party assets: installs web/package-lock.json with `npm ci`
# (MapLibre GL JS, Chart.js for the dashboard, and playwright-core for the browser test)
# and copies their prebuilt bundles into web/map/vendor/, which `go build` then embeds. Nothing third-party
# is committed; web/node_modules and web/map/vendor are gitignored.
# Needs node + npm (Debian: apt-get install -y nodejs npm). Idempotent: skips `npm ci`
# when node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
  echo "landreg: npm is not installed (need Node.js 20+ with npm: apt-get install -y nodejs npm)" >&2
  exit 1
fi

stamp=node_modules/.landreg-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d node_modules/maplibre-gl ] || [ ! -d node_modules/chart.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

mkdir -p map/vendor
for pair in maplibre-gl/dist/maplibre-gl.js:maplibre-gl.js maplibre-gl/dist/maplibre-gl.css:maplibre-gl.css \
  maplibre-gl/dist/LICENSE.txt:maplibre-gl.LICENSE.txt chart.js/dist/chart.umd.min.js:chart.umd.min.js chart.js/LICENSE.md:chart.js.LICENSE.md; do
  src=node_modules/${pair%%:*} dst=map/vendor/${pair#*:}
  [ -f "$src" ] || { echo "landreg: $src missing after npm ci" >&2; exit 1; }
  cmp -s "$src" "$dst" 2>/dev/null || cp "$src" "$dst"
done
echo "web: map/vendor/ has maplibre-gl $(node -p 'require("./node_modules/maplibre-gl/package.json").version'), chart.js $(node -p 'require("./node_modules/chart.js/package.json").version')" >&2
