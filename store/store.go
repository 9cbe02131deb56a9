// Package store is landreg's access to PostgreSQL/PostGIS: the connection pool, the
// SQL of each aggregate, and the transactions that carry actor and reason to the
// database triggers.
package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/migrations"
)

// DefaultStatementTimeout is serve's --statement-timeout unless told otherwise, and the
// test pools' (dbtest), so tests run under the limit the API has.
const DefaultStatementTimeout = 60 * time.Second

// Options tune the API's connections.
type Options struct {
	MaxConns         int32
	StatementTimeout time.Duration
}

// Open connects a pool and checks that the database answers. Errors are one line, so
// the CLI can print them as they are.
func Open(ctx context.Context, url string, opt Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("invalid database URL: %s", oneLine(err))
	}
	// A pool size written in the URL is the operator's and stays.
	if opt.MaxConns > 0 && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = opt.MaxConns
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["application_name"] = "landreg"
	// A parallel plan re-initialises PROJ in every worker and turns a 2 ms page into
	// tens of milliseconds; the API's queries are small and index-driven.
	rp["max_parallel_workers_per_gather"] = "0"
	// JIT compiles big queries' expressions; for the status classification it cost ~17 s
	// and saved nothing. The API's queries never profit from it.
	rp["jit"] = "off"
	if opt.StatementTimeout > 0 {
		rp["statement_timeout"] = strconv.FormatInt(opt.StatementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to database: %s", oneLine(err))
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot connect to database: %s", oneLine(err))
	}
	return pool, nil
}

// Ready reports nil when the database answers and its schema is current.
func Ready(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %s", oneLine(err))
	}
	cur, latest, err := migrations.Status(ctx, pool)
	if err != nil {
		return fmt.Errorf("migration status: %s", oneLine(err))
	}
	if cur != latest {
		return fmt.Errorf("schema at version %d, binary expects %d", cur, latest)
	}
	return nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
