package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg/store"
)

// TestEventCorrectedOnce: corrections of one event sent at once, and one after another,
// are accepted once; a correction of the correction replaces the latest; 亩均 counts only
// the live figure.
func TestEventCorrectedOnce(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ('91330300MA2XXXXX0A', '测试企业')`); err != nil {
		t.Fatal(err)
	}
	id := addParcel(t, pool, parcelSpec{})
	err := store.InTx(ctx, pool, store.Change{Actor: "test", Effective: day("2019-01-10")}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE parcels SET holder_uscc = '91330300MA2XXXXX0A' WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	report := func(tax float64, supersedes *int64) (*store.Event, error) {
		p, _ := json.Marshal(map[string]any{"year": 2024, "tax_wan": tax, "land_mu_used": 30})
		return store.AddEvent(ctx, pool, store.Change{Actor: "test"}, id, store.NewEvent{Type: "ANNUAL_INDICATORS",
			EventDate: day("2025-03-01"), Payload: p, Supersedes: supersedes, Reason: "更正 / correction"})
	}
	first, err := report(300, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = report(float64(400+i), &first.ID)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var pg *pgconn.PgError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &pg) && pg.Code == "LRE05":
		default:
			t.Errorf("concurrent correction: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent corrections of one event accepted, want 1", ok, n)
	}
	// Sequentially too.
	if _, err := report(999, &first.ID); err == nil {
		t.Fatal("a second correction of the same event was accepted")
	}
	var latest int64
	pool.QueryRow(ctx, `SELECT id FROM parcel_events WHERE supersedes = $1`, first.ID).Scan(&latest)
	if _, err := report(500, &latest); err != nil {
		t.Fatalf("correcting the correction: %v", err)
	}
	ms, err := store.MujunYear(ctx, pool, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].TaxWan != 500 {
		t.Errorf("亩均 after corrections: %+v, want one firm with tax 500", ms)
	}
}

// TestStoredNumbersBounded: every bound of landreg_sys.value_bounds holds for a direct
// SQL writer (NaN, ±Infinity, values beyond the bound are refused, the bound itself is
// accepted), on the columns by CHECK and in event payloads by the trigger.
func TestStoredNumbersBounded(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{})
	if _, err := pool.Exec(ctx, `INSERT INTO idle_policy (xzqdm) VALUES ('330304')`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ('91330304000000001X', '测试企业')`); err != nil {
		t.Fatal(err)
	}
	// One row of each register of issue 15 to write the bounds on.
	var targetID, transferID, projectID, resultID int64
	for _, q := range []struct {
		sql string
		id  *int64
	}{
		{`INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2AAAAB01', '界') RETURNING 0`, new(int64)},
		{`INSERT INTO targets (kind, value, period_from, period_to) VALUES ('supply_mu', 1, '2024-01-01', '2024-12-31') RETURNING id`, &targetID},
		{`INSERT INTO transfers (xzqdm, year, transferred_mu) VALUES ('330304', 2024, 1) RETURNING id`, &transferID},
		{`INSERT INTO remediation_projects (xzqdm, town, name, method, planned_mu, planned_from, planned_to)
VALUES ('330304', '街道', '界', '收储', 1, '2024-01-01', '2024-12-31') RETURNING id`, &projectID},
		{`INSERT INTO mujun_results (uscc, year, class, published_on) VALUES ('91330304MA2AAAAB01', 2024, 'A', '2025-06-01') RETURNING id`, &resultID},
	} {
		if err := pool.QueryRow(ctx, q.sql).Scan(q.id); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := pool.Query(ctx, `SELECT tbl, field, min::text, max::text, min_exclusive FROM landreg_sys.value_bounds ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type bound struct {
		tbl, field, min, max string
		minExcl              bool
	}
	var bounds []bound
	for rows.Next() {
		var b bound
		if err := rows.Scan(&b.tbl, &b.field, &b.min, &b.max, &b.minExcl); err != nil {
			t.Fatal(err)
		}
		bounds = append(bounds, b)
	}
	rows.Close()
	if len(bounds) < 30 {
		t.Fatalf("only %d bounds", len(bounds))
	}
	// One beyond the bound: more than every column's rounding (numeric(6,2) …).
	beyond := func(s string, up bool) string {
		r, _ := new(big.Rat).SetString(s)
		d := big.NewRat(1, 1)
		if !up {
			d.Neg(d)
		}
		return new(big.Rat).Add(r, d).FloatString(0)
	}
	try := func(b bound, v string) error {
		var sql string
		switch b.tbl {
		case "parcels":
			sql = fmt.Sprintf(`UPDATE parcels SET %s = $1::numeric WHERE id = %d`, b.field, id)
			switch b.field {
			case "far_min":
				sql = fmt.Sprintf(`UPDATE parcels SET far_min = $1::numeric, far_max = NULL WHERE id = %d`, id)
			case "far_max":
				sql = fmt.Sprintf(`UPDATE parcels SET far_max = $1::numeric, far_min = NULL WHERE id = %d`, id)
			}
		case "districts":
			sql = fmt.Sprintf(`UPDATE districts SET %s = $1::numeric WHERE xzqdm = '330304'`, b.field)
		case "idle_policy":
			sql = fmt.Sprintf(`UPDATE idle_policy SET %s = $1::numeric WHERE xzqdm = '330304'`, b.field)
		case "targets", "transfers", "remediation_projects", "mujun_results":
			ids := map[string]int64{"targets": targetID, "transfers": transferID, "remediation_projects": projectID, "mujun_results": resultID}
			sql = fmt.Sprintf(`UPDATE %s SET %s = $1::numeric WHERE id = %d`, b.tbl, b.field, ids[b.tbl])
		case "parcel_events":
			sql = fmt.Sprintf(`INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES (%d, 'PROGRESS', '2024-01-01', jsonb_build_object('%s', $1::numeric))`, id, b.field)
		case "enterprise_indicators":
			sql = fmt.Sprintf(`INSERT INTO enterprise_indicators (uscc, year, tax_wan, %s) VALUES ('91330304000000001X', 2000, 1, $1::numeric)`, b.field)
			switch b.field {
			case "year":
				sql = `INSERT INTO enterprise_indicators (uscc, year, tax_wan) VALUES ('91330304000000001X', $1::numeric, 1)`
			case "tax_wan":
				sql = `INSERT INTO enterprise_indicators (uscc, year, tax_wan) VALUES ('91330304000000001X', 2000, $1::numeric)`
			}
		}
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		_, err = tx.Exec(ctx, sql, v)
		return err
	}
	for _, b := range bounds {
		if err := try(b, b.max); err != nil {
			t.Errorf("%s.%s = %s (the bound) refused: %v", b.tbl, b.field, b.max, err)
		}
		if !b.minExcl {
			if err := try(b, b.min); err != nil {
				t.Errorf("%s.%s = %s (the bound) refused: %v", b.tbl, b.field, b.min, err)
			}
		}
		bad := []string{beyond(b.max, true), beyond(b.min, false)}
		if b.minExcl {
			bad = append(bad, b.min)
		}
		// Integer columns cannot hold NaN at all; the others must refuse it.
		if b.tbl != "parcel_events" && b.field != "term_years" && b.field != "year" && b.field != "production_grace_months" &&
			b.field != "stopped_months" && b.field != "completion_grace_months" && b.field != "rampup_years" {
			bad = append(bad, "NaN", "Infinity", "-Infinity")
		}
		for _, v := range bad {
			if err := try(b, v); err == nil {
				t.Errorf("%s.%s = %s accepted", b.tbl, b.field, v)
			}
		}
	}
	// Payload numbers must be JSON numbers: "NaN" as a string and huge exponents are refused.
	for _, p := range []string{`{"tax_wan": "NaN"}`, `{"tax_wan": 1e308}`, `{"va_wan": -1e-9}`, `{"developed_land_ratio": "0.5"}`} {
		_, err := pool.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES ($1, 'PROGRESS', '2024-01-01', $2)`, id, p)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || pg.Code != "LRE02" {
			t.Errorf("payload %s: %v, want LRE02", p, err)
		}
	}
}
