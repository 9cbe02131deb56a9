#!/usr/bin/env bash
# The whole test suite: `go vet` and `go test ./...` against a throwaway private PostGIS
# cluster (see with-cluster.sh). Extra arguments go to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/web.sh
exec scripts/with-cluster.sh bash -c 'go vet ./... && go test -count=1 -timeout 20m "$@" ./...' test "$@"
