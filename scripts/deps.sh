#!/usr/bin/env bash
# Installs what landreg needs from Debian 12 when it is missing: PostgreSQL 15 with
# PostGIS 3 (the private cluster) and GDAL (import and export). `deps.sh test` adds the
# clients the tests drive: Chromium and a CJK font (the map's browser test), QGIS's
# Python bindings and data providers (the QGIS tests; they run with
# QT_QPA_PLATFORM=offscreen, so no X server) and the OpenAPI tooling of tools/openapi
# (scripts/openapi-tools.sh: redocly for the lint test, Redoc for /api.html); `deps.sh
# bench` adds wrk.
# Go itself must already be on the machine (https://go.dev/dl or Debian backports).
set -euo pipefail

pkgs=(postgresql-15 postgresql-15-postgis-3 gdal-bin)
case "${1:-}" in
  "") ;;
  test) pkgs+=(chromium fonts-wqy-microhei python3-qgis qgis-providers) ;;
  bench) pkgs+=(wrk) ;;
  *) echo "usage: $0 [test|bench]" >&2; exit 2 ;;
esac
need=()
for pkg in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    need+=("$pkg")
  fi
done
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  echo "landreg: Go is not installed (need Go 1.26+ on PATH or in /usr/local/go)" >&2
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  # A fresh machine may have no package lists yet.
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if [ "${1:-}" = test ]; then
  "$(dirname "$0")/openapi-tools.sh"
fi
