package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/fixtures"
)

// Issue 14.14: the data-quality report as of a date judges the versions valid then.
func TestQualityAsOfDate(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, fixtures.Load)
	reg := client{t, srv.URL, token(t, pool, "registrar-zheng", landreg.RoleRegistrar)}
	var id, zddm, validFrom string
	if err := pool.QueryRow(ctx, `SELECT id::text, zddm, valid_from::text FROM parcels
WHERE agreed_start IS NOT NULL AND contract_date IS NOT NULL AND valid_from < current_date - 30 ORDER BY id LIMIT 1`).Scan(&id, &zddm, &validFrom); err != nil {
		t.Fatal(err)
	}
	findings := func(date string) map[string]bool {
		t.Helper()
		path := "/v1/audit/quality?district=" + zddm[:6]
		if date != "" {
			path += "&date=" + date
		}
		m := reg.want(200, "", "GET", path, nil)
		out := map[string]bool{}
		for _, r := range m["rows"].([]any) {
			row := r.(map[string]any)
			if row["zddm"] == zddm {
				out[row["kind"].(string)] = true
			}
		}
		return out
	}
	yesterday := landreg.Today().AddDate(0, 0, -1).Format(time.DateOnly)
	if f := findings(""); f["MISSING_AGREED_START"] {
		t.Fatalf("parcel %s is already missing its agreed start: %v", zddm, f)
	}
	// Today's version loses its agreed start (a registrar's correction, in force today).
	reg.want(200, "", "PATCH", "/v1/parcels/"+id, map[string]any{"properties": map[string]any{"agreed_start": nil}, "reason": "约定开工日期待核实"})
	if f := findings(""); !f["MISSING_AGREED_START"] {
		t.Errorf("today: no MISSING_AGREED_START for %s: %v", zddm, f)
	}
	if f := findings(yesterday); f["MISSING_AGREED_START"] {
		t.Errorf("as of %s (the version before the change): MISSING_AGREED_START reported: %v", yesterday, f)
	}
	// Before the parcel's first version it has no findings at all.
	before, _ := time.Parse(time.DateOnly, validFrom)
	if f := findings(before.AddDate(0, 0, -1).Format(time.DateOnly)); len(f) != 0 {
		t.Errorf("before the parcel existed (%s): findings %v", validFrom, f)
	}
}
