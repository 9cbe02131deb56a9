// Package testenv decides what a test does when a client program it drives (QGIS, GDAL,
// Chromium and Node.js for the map) is not installed.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// EnvRequireClients, set to 1, turns a missing client into a failure. scripts/test.sh
// (`make test`, CI) sets it: the README says `make test` is the whole suite, and a
// skipped client test would let a broken install or a broken client test pass unseen.
const EnvRequireClients = "LANDREG_REQUIRE_CLIENTS"

// MissingClient ends a test whose client program is absent: a skip on a developer's
// machine, a failure when clients are required. Every such test goes through here.
func MissingClient(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(EnvRequireClients) == "1" {
		t.Fatalf("%s (%s=1: the client must be installed; `scripts/deps.sh test` installs it)", msg, EnvRequireClients)
	}
	t.Skip(msg)
}
