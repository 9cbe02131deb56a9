// Package bench measures landreg against the targets its issues name. Run with
// `make bench`, which starts a private PostGIS cluster and prints a table.
package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// versionedDistrict builds a district with `lines` block lines of `versions` versions
// each (lines × versions versions in all), drawn as a grid of 300 m cells.
func versionedDistrict(b *testing.B, lines, versions int) *pgxpool.Pool {
	b.Helper()
	pool := dbtest.New(b)
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Versions are made by whole-district nudges, larger than one planner's minor edit;
		// the tolerance is for the year (§8.6.3), and the nineteen nudges of January 2021
		// remove some 350 m² together.
		_, err := tx.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom, rule_start, rule_end, minor_edit_m2)
VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)), '2021-01-01', '2030-12-31', 10000);
SELECT landreg_sys.begin_change('test', '划定', '2020-12-31');`)
		if err != nil {
			return err
		}
		// Irregular cells (a notched square of ~10 ha with 40 vertices) so the geometry work is realistic.
		_, err = tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom)
SELECT format('330304-GYQK-%s', i), format('区块%s', i), '330304', 1 + (i % 2),
  ST_Multi(ST_Difference(
    ST_MakeEnvelope(120.55 + (i % 40) * 0.004, 27.90 + (i / 40) * 0.004, 120.5533 + (i % 40) * 0.004, 27.9033 + (i / 40) * 0.004, 4490),
    ST_Buffer(ST_SetSRID(ST_MakePoint(120.5533 + (i % 40) * 0.004, 27.9033 + (i / 40) * 0.004), 4490), 0.0008, 8)))
FROM generate_series(0, $1 - 1) i`, lines)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// Each further version nudges one corner by a few centimetres (a minor edit).
	for v := 1; v < versions; v++ {
		err := store.InTx(ctx, pool, store.Change{Actor: "bench", Effective: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, v)},
			func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE block_lines SET geom = ST_Multi(ST_Translate(geom, 0, $1 * 1e-9))`, v)
				return err
			})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE districts SET baseline_area_m2 = (SELECT sum(area_m2) FROM block_lines), baseline_date = '2020-12-31'; ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines_all WHERE xzqdm = '330304'`).Scan(&n)
	if n != lines*versions {
		b.Fatalf("%d versions, want %d", n, lines*versions)
	}
	return pool
}

// BenchmarkCommitCheck times the commit-time rule check (总量只增不减) of one edit in a
// district with 1,000 block-line versions: the edit is made, then SET CONSTRAINTS …
// IMMEDIATE runs the deferred check, which is what COMMIT would do. Target: < 50 ms.
func BenchmarkCommitCheck(b *testing.B) {
	pool := versionedDistrict(b, 50, 20)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tx, err := pool.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		tx.Exec(ctx, `SELECT landreg_sys.begin_change('bench', 'bench', '2025-06-30')`)
		if _, err := tx.Exec(ctx, `UPDATE block_lines SET geom = ST_Multi(ST_Translate(geom, 1e-9, 0)) WHERE code = $1`,
			fmt.Sprintf("330304-GYQK-%d", i%50)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := tx.Exec(ctx, `SET CONSTRAINTS block_lines_rule IMMEDIATE`); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		tx.Rollback(ctx)
		b.StartTimer()
	}
}

// BenchmarkQuota times GET-quota's query for that district as of a date. Target: < 20 ms.
func BenchmarkQuota(b *testing.B) {
	pool := versionedDistrict(b, 50, 20)
	ctx := context.Background()
	d := time.Date(2021, 1, 10, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := store.QuotaAt(ctx, pool, "330304", d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuotaFixtures times the quota of 瓯海 on the demo data, where M2 intersects
// its parcels with its lines. Target: < 20 ms.
func BenchmarkQuotaFixtures(b *testing.B) {
	pool := dbtest.New(b)
	ctx := context.Background()
	if _, err := fixtures.Load(ctx, pool); err != nil {
		b.Fatal(err)
	}
	pool.Exec(ctx, "ANALYZE")
	d := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := store.QuotaAt(ctx, pool, "330304", d); err != nil {
			b.Fatal(err)
		}
	}
}
