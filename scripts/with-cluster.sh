#!/usr/bin/env bash
# Runs a command against a throwaway private PostGIS cluster (fsync off) in a temp
# folder, with LANDREG_TEST_DATABASE_URL (the owner role landreg, what landreg runs as)
# and LANDREG_TEST_ADMIN_URL (the set-up superuser, for test databases and logins) set;
# the cluster is stopped and removed after.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
mkdir -p bin
go build -o bin/landreg ./cmd/landreg

tmp=$(mktemp -d /tmp/landreg-test.XXXXXX)
# The postgres system user (when run as root) must be able to reach the cluster folder.
chmod 755 "$tmp"
cleanup() {
  bin/landreg db stop --data-dir "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if ! url=$(bin/landreg db start --fast --data-dir "$tmp/pg" 2>"$tmp/start.log"); then
  cat "$tmp/start.log" >&2
  exit 1
fi
export LANDREG_TEST_DATABASE_URL="$url"
LANDREG_TEST_ADMIN_URL=$(bin/landreg db url --superuser --data-dir "$tmp/pg")
export LANDREG_TEST_ADMIN_URL
echo "test cluster: $url" >&2
"$@"
