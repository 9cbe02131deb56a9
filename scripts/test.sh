#!/usr/bin/env bash
# The whole test suite, against a throwaway private PostGIS cluster (see with-cluster.sh):
# `go vet`, staticcheck, `go test ./...` and, beside it, the race detector over the
# packages whose tests need no database and over the API tests. Client tests (QGIS,
# GDAL, Chromium) must run: a missing client fails them here instead of skipping them
# (package testenv). Extra arguments go to both `go test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
scripts/deps.sh test
scripts/web.sh
scripts/ogc-client.sh

# staticcheck at a pinned version, built once into GOPATH/bin.
staticcheck_version=v0.8.2
staticcheck="$(go env GOPATH)/bin/staticcheck"
if ! go version -m "$staticcheck" 2>/dev/null | grep -Eq "^\s+mod\s+honnef.co/go/tools\s+$staticcheck_version\s"; then
  echo "installing staticcheck $staticcheck_version" >&2
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi

# The packages whose tests open no database (they do not import dbtest).
nodb=$(go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | awk '!/landreg\/dbtest/ {print $1}')

export LANDREG_REQUIRE_CLIENTS=1 STATICCHECK="$staticcheck" NODB="$nodb"
# The race run goes beside the main run, not after it: the API tests run one at a time,
# a database session each, so alone they would keep one of two cores busy; its output is
# shown when both are done, and either failing fails the suite.
exec scripts/with-cluster.sh bash -c '
  set -euo pipefail
  go vet ./...
  "$STATICCHECK" ./...
  race=$(mktemp)
  go test -race -count=1 -timeout 20m "$@" $NODB ./api/ >"$race" 2>&1 &
  racer=$!
  status=0
  go test -count=1 -timeout 20m "$@" ./... || status=$?
  wait "$racer" || status=$?
  echo "--- race detector run:" >&2
  cat "$race"
  rm -f "$race"
  exit "$status"
' test "$@"
