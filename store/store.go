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
	// Lazy skips the first ping: a standby that is down at start only delays its use.
	Lazy bool
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
	if opt.Lazy {
		return pool, nil
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot connect to database: %s", oneLine(err))
	}
	return pool, nil
}

// NotReady says why the database cannot serve. Reason is fit for anyone (no hosts,
// socket paths or role names); Err is the driver's error, for the log.
type NotReady struct {
	Reason string
	Err    error
}

func (e *NotReady) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + oneLine(e.Err)
}

func (e *NotReady) Unwrap() error { return e.Err }

// Ready reports nil when the database answers, its schema is current and it can write
// to its disk; otherwise a *NotReady.
func Ready(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pool.Ping(ctx); err != nil {
		return &NotReady{Reason: "database unreachable", Err: err}
	}
	cur, latest, err := migrations.Status(ctx, pool)
	if err != nil {
		return &NotReady{Reason: "migration status unknown", Err: err}
	}
	if cur != latest {
		return &NotReady{Reason: fmt.Sprintf("schema at version %d, binary expects %d", cur, latest)}
	}
	if err := writeProbe(ctx, pool); err != nil {
		return &NotReady{Reason: "database cannot write to its disk", Err: err}
	}
	return nil
}

// writeProbe makes PostgreSQL write to its disk without touching any table: a sort of
// 10,000 numbers under a 64 kB work_mem spills to a temporary file (~140 kB, in the
// data directory unless temp_tablespaces says otherwise), and a full disk fails it with
// SQLSTATE 53100 as it fails every insert. A heartbeat row would not do: updating one
// row rewrites it in place on its page and never needs new space. About 5 ms; needs no
// privilege and no schema object.
func writeProbe(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '64kB'"); err != nil {
		return err
	}
	var n int64
	return tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT g FROM generate_series(1, 10000) g ORDER BY g DESC OFFSET 0) s`).Scan(&n)
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
