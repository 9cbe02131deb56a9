// Package schema holds the repeatable part of the database: every function, trigger,
// view and grant, one object (or one table's triggers) per file. Migrations hold
// tables, columns, constraints and data only; after them, Apply re-creates this part in
// one transaction whenever its files change, so a rule change is a one-file diff.
//
// Order: functions (with check_function_bodies off, so no order among them), views in
// file-name order, triggers, grants. Every trigger and view the project owns is dropped
// first, so a file removed here is removed from the database too. Functions are
// replaced in place; a file that changes a function's signature or return type starts
// with the DROP FUNCTION of the old one.
package schema

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed functions/*.sql views/*.sql triggers/*.sql grants.sql
var files embed.FS

// groups in the order they are applied.
var groups = []string{"functions", "views", "triggers", "."}

// lockKey serialises two servers applying the schema to one database at once.
const lockKey = 7_310_442_002

// sources lists the files in apply order.
func sources() ([]string, error) {
	var out []string
	for _, g := range groups {
		var names []string
		err := fs.WalkDir(files, g, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != g {
				return fs.SkipDir
			}
			if !d.IsDir() && path.Ext(p) == ".sql" {
				names = append(names, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// Fingerprint identifies the embedded files: Apply skips a database that has it.
func Fingerprint() string {
	h := sha256.New()
	names, _ := sources()
	for _, n := range names {
		b, _ := files.ReadFile(n)
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// dropOwnSQL lists DROP statements for every trigger and view of the project's
// schemas, leaving out what an extension (PostGIS) owns.
const dropOwnSQL = `
SELECT format('DROP TRIGGER IF EXISTS %I ON %s', t.tgname, t.tgrelid::regclass)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND n.nspname IN ('public', 'landreg_sys')
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT format('DROP VIEW IF EXISTS %s CASCADE', c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v' AND n.nspname IN ('public', 'landreg_sys')
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')`

// Apply brings the functions, triggers, views and grants to the embedded version, in
// tx; it is a no-op when the database already has this version. It reports whether it
// wrote anything.
func Apply(ctx context.Context, tx pgx.Tx) (bool, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockKey)); err != nil {
		return false, fmt.Errorf("schema lock: %w", err)
	}
	fp := Fingerprint()
	var have string
	err := tx.QueryRow(ctx, `SELECT fingerprint FROM landreg_sys.schema_state`).Scan(&have)
	if err != nil && err != pgx.ErrNoRows {
		return false, fmt.Errorf("schema state: %w", err)
	}
	if have == fp {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `SET LOCAL check_function_bodies = off`); err != nil {
		return false, err
	}
	rows, err := tx.Query(ctx, dropOwnSQL)
	if err != nil {
		return false, err
	}
	drops, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, err
	}
	for _, d := range drops {
		if _, err := tx.Exec(ctx, d); err != nil {
			return false, fmt.Errorf("%s: %w", d, err)
		}
	}
	names, err := sources()
	if err != nil {
		return false, err
	}
	if err := applyFiles(ctx, tx, names); err != nil {
		return false, err
	}
	// The status timeline is what the rules give: new rules, a new timeline. Any change
	// of these files may be one (the rules call each other), so every one rebuilds it.
	if _, err := tx.Exec(ctx, `SELECT landreg_sys.refresh_status_timeline(NULL)`); err != nil {
		return false, fmt.Errorf("status timeline: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM landreg_sys.schema_state`); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO landreg_sys.schema_state (fingerprint) VALUES ($1)`, fp); err != nil {
		return false, err
	}
	return true, nil
}

// applyFiles runs the files in order. A function written in the SQL-standard form
// (RETURN expr) is parsed when it is created even with check_function_bodies off, so
// one that names a function not created yet fails; it is retried after the others, in
// a savepoint, until a round makes no progress.
func applyFiles(ctx context.Context, tx pgx.Tx, names []string) error {
	for len(names) > 0 {
		var later []string
		var lastErr error
		for _, n := range names {
			b, err := files.ReadFile(n)
			if err != nil {
				return err
			}
			sp, err := tx.Begin(ctx)
			if err != nil {
				return err
			}
			// No arguments: pgx sends the file as one simple-protocol query, so a file
			// may hold several statements.
			if _, err := sp.Exec(ctx, string(b)); err != nil {
				_ = sp.Rollback(ctx)
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && pgErr.Code == "42883" && path.Dir(n) == "functions" {
					later = append(later, n)
					lastErr = fmt.Errorf("schema/%s: %w", n, err)
					continue
				}
				return fmt.Errorf("schema/%s: %w", n, err)
			}
			if err := sp.Commit(ctx); err != nil {
				return err
			}
		}
		if len(later) == len(names) {
			return lastErr
		}
		names = later
	}
	return nil
}
