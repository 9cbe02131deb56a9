package api_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// demoServer is a fresh database from db (demodb.Fixtures or demodb.Demo: a clone of
// the data set loaded once per cluster; loadedBy for a load of the test's own) and a
// real HTTP server on a free port over it, closed when the test ends.
func demoServer(t *testing.T, db func(testing.TB) (*pgxpool.Pool, fixtures.Counts)) (*pgxpool.Pool, *httptest.Server, fixtures.Counts) {
	t.Helper()
	pool, counts := db(t)
	h := api.New(api.Config{Version: "test"}, pool, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel))
	// Served with landreg serve's http.Server settings.
	srv := httptest.NewUnstartedServer(h)
	srv.Config = api.NewHTTPServer("", h)
	srv.Start()
	t.Cleanup(srv.Close)
	return pool, srv, counts
}

// loadedBy is a fresh migrated database that load fills during the test.
func loadedBy(load func(context.Context, *pgxpool.Pool) (fixtures.Counts, error)) func(testing.TB) (*pgxpool.Pool, fixtures.Counts) {
	return func(t testing.TB) (*pgxpool.Pool, fixtures.Counts) {
		t.Helper()
		pool := dbtest.New(t)
		counts, err := load(context.Background(), pool)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		return pool, counts
	}
}

// token creates an API token and returns its secret.
func token(t *testing.T, pool *pgxpool.Pool, name, role string) string {
	t.Helper()
	s, err := store.CreateToken(context.Background(), pool, name, role)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
