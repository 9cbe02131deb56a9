package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest/demodb"
)

// Issue 14.14: the data-quality report as of a date judges the versions valid then.
func TestQualityAsOfDate(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
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

// Issue 14.8 through the API: a parcel exactly 满一年 past its start deadline is idle for
// one year, and its days idle keep counting from deadline + 1 year at 满两年.
func TestIdleParcelsYearsAPI(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	reg := client{t, srv.URL, token(t, pool, "registrar-he", landreg.RoleRegistrar)}
	c, err := codes.USCCCheck("91330304MA2TXTG00")
	if err != nil {
		t.Fatal(err)
	}
	uscc := "91330304MA2TXTG00" + string(c)
	reg.want(201, "", "POST", "/v1/enterprises", map[string]any{"uscc": uscc, "name": "温州丁机械有限公司（示例）", "reason": "登记权利人"})
	square := `{"type":"Polygon","coordinates":[[[120.7000,27.9000],[120.7015,27.9000],[120.7015,27.9013],[120.7000,27.9013],[120.7000,27.9000]]]}`
	const zddm = "330304009009GB00077"
	f := reg.want(201, "", "POST", "/v1/parcels", map[string]any{"type": "Feature", "geometry": json.RawMessage(square),
		"properties": map[string]any{"zddm": zddm, "xzqdm": "330304", "holder_uscc": uscc, "landuse_code": "0601",
			"contract_date": "2021-12-01", "agreed_delivery": "2022-01-15", "agreed_start": "2022-03-01", "price_wan": 500}})
	id := fmt.Sprint(f["id"])
	reg.want(201, "", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": "LAND_DELIVERED", "event_date": "2022-01-15"})
	row := func(date string, years int) map[string]any {
		t.Helper()
		m := reg.want(200, "", "GET", fmt.Sprintf("/v1/audit/idle-parcels?district=330304&date=%s&years=%d", date, years), nil)
		for _, r := range m["rows"].([]any) {
			if r.(map[string]any)["zddm"] == zddm {
				return r.(map[string]any)
			}
		}
		return nil
	}
	for _, c := range []struct {
		date     string
		years    int
		category string
		days     float64
	}{
		{"2023-02-28", 1, "", 0},
		{"2023-03-01", 1, "IDLE_1Y", 0},
		{"2023-03-01", 2, "", 0},
		{"2024-02-29", 2, "", 0},
		{"2024-03-01", 2, "IDLE_2Y", 366},
		{"2024-03-01", 1, "IDLE_2Y", 366},
	} {
		r := row(c.date, c.years)
		switch {
		case c.category == "" && r != nil:
			t.Errorf("as of %s, years=%d: listed %v", c.date, c.years, r)
		case c.category != "" && r == nil:
			t.Errorf("as of %s, years=%d: not listed", c.date, c.years)
		case r != nil && (r["category"] != c.category || r["days_idle"] != c.days):
			t.Errorf("as of %s, years=%d: %v %v days, want %s %v", c.date, c.years, r["category"], r["days_idle"], c.category, c.days)
		}
	}
}
