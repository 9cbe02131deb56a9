package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Change is who makes a change, why, and as of which legal date. The database triggers
// read it from the transaction's change context, which only the owner role can write
// (landreg_sys.begin_change; a direct login is its own actor and edits as of today).
type Change struct {
	Actor  string
	Reason string
	// Effective is the legal date the change takes effect; zero means today.
	Effective time.Time
}

// BeginChange records ch as the change context of tx.
func BeginChange(ctx context.Context, tx pgx.Tx, ch Change) error {
	var eff *string
	if !ch.Effective.IsZero() {
		s := ch.Effective.Format(time.DateOnly)
		eff = &s
	}
	_, err := tx.Exec(ctx, `SELECT landreg_sys.begin_change($1, $2, $3::date)`, ch.Actor, ch.Reason, eff)
	return err
}

// DB is what store functions run on: a pool, or a transaction that the caller opened
// (then the function's work is a savepoint of it), so that writes compose: an importer,
// the fixtures and the API call the same functions, alone or several in one transaction.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var (
	_ DB = (*pgxpool.Pool)(nil)
	_ DB = pgx.Tx(nil)
)

// InTx runs fn in one transaction that carries ch to the triggers. A transaction that
// loses a race (serialization failure, deadlock) is run again from the start, a few
// times: the database refuses rather than writing over a concurrent change. Inside a
// caller's transaction, fn runs in a savepoint under ch, and a lost race is the caller's
// to retry.
func InTx(ctx context.Context, db DB, ch Change, fn func(pgx.Tx) error) error {
	if _, nested := db.(pgx.Tx); nested {
		return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
			if err := BeginChange(ctx, tx, ch); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	var err error
	for attempt := 0; ; attempt++ {
		err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
			if err := BeginChange(ctx, tx, ch); err != nil {
				return err
			}
			return fn(tx)
		})
		if attempt == maxRetries || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(1+rand.IntN(10*(attempt+1))) * time.Millisecond):
		}
	}
}

const maxRetries = 8

func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}
