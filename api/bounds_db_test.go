package api

import (
	"context"
	"testing"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/dbtest"
)

// The API's bounds and the database's (landreg_sys.value_bounds, which the CHECKs and
// the event trigger enforce for every writer) are one table: every bound the database
// holds for a field the API writes is the API's too, and the reverse.
func TestBoundsMatchDatabase(t *testing.T) {
	pool := dbtest.New(t)
	rows, err := pool.Query(context.Background(), `SELECT tbl, field, min::float8, max::float8, min_exclusive
FROM landreg_sys.value_bounds WHERE tbl IN ('parcels', 'parcel_events', 'districts', 'idle_policy')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var tbl, field string
		var lo, hi float64
		var excl bool
		if err := rows.Scan(&tbl, &field, &lo, &hi, &excl); err != nil {
			t.Fatal(err)
		}
		seen[tbl+"."+field] = true
		if tbl == "districts" {
			// A district's settings are bounded by the domain package (landreg.DistrictBounds).
			r, ok := landreg.DistrictBounds[field]
			if !ok || r.Min != lo || r.Max != hi || excl {
				t.Errorf("districts.%s: domain %+v (known %v); database [%v, %v] open %v", field, r, ok, lo, hi, excl)
			}
			continue
		}
		if tbl == "idle_policy" {
			// A policy's settings are bounded by the domain package (landreg.PolicyBounds).
			b, ok := landreg.PolicyBounds[field]
			if !ok || b.Min != lo || b.Max != hi || b.MinOpen != excl {
				t.Errorf("idle_policy.%s: domain %+v (known %v); database [%v, %v] open %v", field, b, ok, lo, hi, excl)
			}
			continue
		}
		table := propertyBounds
		if tbl == "parcel_events" {
			table = payloadBounds
		}
		b, ok := table[field]
		if !ok {
			t.Errorf("%s.%s is bounded in the database but not by the API", tbl, field)
			continue
		}
		if b.Min != lo || b.Max != hi || b.MinOpen != excl {
			t.Errorf("%s.%s: API [%v, %v] open %v; database [%v, %v] open %v", tbl, field, b.Min, b.Max, b.MinOpen, lo, hi, excl)
		}
	}
	for field := range payloadBounds {
		if !seen["parcel_events."+field] {
			t.Errorf("payload %s is bounded by the API but not in the database", field)
		}
	}
	for field := range landreg.DistrictBounds {
		if !seen["districts."+field] {
			t.Errorf("district %s is bounded by the domain but not in the database", field)
		}
	}
	for field := range landreg.PolicyBounds {
		if !seen["idle_policy."+field] {
			t.Errorf("policy %s is bounded by the domain but not in the database", field)
		}
	}
	for field := range propertyBounds {
		if field != "level" && field != "adjustment_id" && !seen["parcels."+field] {
			t.Errorf("parcel property %s is bounded by the API but not in the database", field)
		}
	}
}
