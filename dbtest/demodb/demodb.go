// Package demodb gives tests a fresh database with the demo data set (示例数据)
// already loaded: a clone of a template that fixtures.Load or fixtures.LoadDemo filled
// once per test cluster (dbtest.NewLoaded). It is a package of its own because
// fixtures' tests use dbtest, and dbtest must not depend on fixtures.
package demodb

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
)

// Fixtures returns a fresh database holding what fixtures.Load writes, and the
// counts it returned.
func Fixtures(t testing.TB) (*pgxpool.Pool, fixtures.Counts) {
	t.Helper()
	return dbtest.NewLoaded(t, "fixtures", fixtures.Fingerprint(), fixtures.Load)
}

// Demo returns a fresh database holding what fixtures.LoadDemo writes (the fixtures
// and the replayed adjustment script: what `landreg serve` starts with), and the
// counts it returned.
func Demo(t testing.TB) (*pgxpool.Pool, fixtures.Counts) {
	t.Helper()
	return dbtest.NewLoaded(t, "demo", fixtures.Fingerprint(), fixtures.LoadDemo)
}
