package demodb_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
)

// tableCounts is every user table's row count, by name.
func tableCounts(t *testing.T, pool *pgxpool.Pool) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+n).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// TestCloneEqualsLoad: a clone holds what a real load writes, table by table, returns
// the counts the load returned, and is a database of its own (a write to one clone is
// not in the next).
func TestCloneEqualsLoad(t *testing.T) {
	for _, c := range []struct {
		name  string
		load  func(context.Context, *pgxpool.Pool) (fixtures.Counts, error)
		clone func(testing.TB) (*pgxpool.Pool, fixtures.Counts)
	}{
		{"Load", fixtures.Load, demodb.Fixtures},
		{"LoadDemo", fixtures.LoadDemo, demodb.Demo},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			real := dbtest.New(t)
			want, err := c.load(ctx, real)
			if err != nil {
				t.Fatal(err)
			}
			wantRows := tableCounts(t, real)
			first, got := c.clone(t)
			if got != want || got.Parcels == 0 {
				t.Fatalf("clone's counts %+v, load returned %+v", got, want)
			}
			gotRows := tableCounts(t, first)
			// Change contexts belong to their transactions; the next writer deletes the
			// finished ones, and how many a load leaves depends on what else ran in the
			// cluster meanwhile. None may belong to a transaction still running.
			const contexts = "landreg_sys.change_context"
			var live int
			if err := first.QueryRow(ctx, `SELECT count(*) FROM landreg_sys.change_context
				WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())`).Scan(&live); err != nil || live != 0 {
				t.Errorf("clone has %d change contexts of running transactions (%v)", live, err)
			}
			if _, ok := gotRows[contexts]; !ok {
				t.Errorf("clone has no %s", contexts)
			}
			delete(gotRows, contexts)
			delete(wantRows, contexts)
			for n, w := range wantRows {
				if gotRows[n] != w {
					t.Errorf("%s: clone has %d rows, a load writes %d", n, gotRows[n], w)
				}
			}
			if len(gotRows) != len(wantRows) {
				t.Errorf("clone has %d tables, a load's database %d", len(gotRows), len(wantRows))
			}
			if _, err := fixtures.Load(ctx, first); err != fixtures.ErrNotEmpty {
				t.Fatalf("loading into a clone: %v, want ErrNotEmpty", err)
			}
			if _, err := first.Exec(ctx, "CREATE TABLE public.clone_marker ()"); err != nil {
				t.Fatal(err)
			}
			second, _ := c.clone(t)
			if _, ok := tableCounts(t, second)["public.clone_marker"]; ok {
				t.Fatal("a table created in one clone is in the next: clones share a database")
			}
		})
	}
}
