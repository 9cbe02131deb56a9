package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// RollStatusCells rebuilds the map's cells (landreg_sys.status_cells, 00035) for today
// when they are of another day, and says whether it did (another server may have
// just done it). Until then a low-zoom tile
// of today adds its cells up from the parcels' points: exact, slower.
func RollStatusCells(ctx context.Context, db DB) (rolled bool, err error) {
	var day *time.Time
	err = db.QueryRow(ctx, `SELECT landreg_sys.roll_status_cells(NULL, true)
WHERE (SELECT d.day FROM landreg_sys.status_cells_day d) IS DISTINCT FROM landreg_sys.today()`).Scan(&day)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil && day != nil, err
}

// KeepStatusCells rolls the map's cells over to each new day (RollStatusCells), checking
// every interval until ctx ends; done is told of each roll or failure.
func KeepStatusCells(ctx context.Context, db DB, every time.Duration, done func(took time.Duration, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		t0 := time.Now()
		if rolled, err := RollStatusCells(ctx, db); (rolled || err != nil) && ctx.Err() == nil {
			done(time.Since(t0), err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
