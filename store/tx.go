package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Change is who makes a change, why, and as of which legal date. The database triggers
// read it from transaction-local settings to write history and the audit log.
type Change struct {
	Actor  string
	Reason string
	// Effective is the legal date the change takes effect; zero means today.
	Effective time.Time
}

const setChangeSQL = `SELECT set_config('landreg.actor', $1, true),
  set_config('landreg.reason', $2, true),
  set_config('landreg.effective_date', $3, true)`

// InTx runs fn in one transaction that carries ch to the triggers.
func InTx(ctx context.Context, pool *pgxpool.Pool, ch Change, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		eff := ""
		if !ch.Effective.IsZero() {
			eff = ch.Effective.Format(time.DateOnly)
		}
		if _, err := tx.Exec(ctx, setChangeSQL, ch.Actor, ch.Reason, eff); err != nil {
			return err
		}
		return fn(tx)
	})
}
