// Package migrations holds the numbered SQL migrations of the landreg schema (tables,
// columns, constraints and data), embedded in the binary and applied in order with
// goose; Up then brings the repeatable part (package schema) up to date.
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/landreg/landreg/schema"
)

//go:embed *.sql
var files embed.FS

func provider(db *sql.DB) (*goose.Provider, error) {
	// Concurrent migrators (two servers starting on one database) take turns on goose's
	// session-level advisory lock, held for the whole Up. Migrations apply in order only.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
}

// Up applies every pending migration; it is a no-op when the schema is current.
func Up(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	var applied []string
	for _, r := range results {
		if r.Source != nil {
			applied = append(applied, fmt.Sprintf("%d %s", r.Source.Version, r.Source.Path))
		}
	}
	if err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return applied, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	changed, err := schema.Apply(ctx, tx)
	if err != nil {
		return applied, fmt.Errorf("schema: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return applied, err
	}
	if changed {
		applied = append(applied, "schema "+schema.Fingerprint())
	}
	return applied, nil
}

// Status reports the database's schema version and the newest embedded one.
func Status(ctx context.Context, pool *pgxpool.Pool) (current, latest int64, err error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	return current, latest, nil
}

// Fingerprint identifies the embedded migration set, so a cached copy of a migrated
// database (the test template) can tell when it is stale.
func Fingerprint() string {
	h := sha256.New()
	entries, _ := files.ReadDir(".")
	for _, e := range entries {
		b, _ := files.ReadFile(e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	h.Write([]byte(schema.Fingerprint()))
	return hex.EncodeToString(h.Sum(nil))[:16]
}
