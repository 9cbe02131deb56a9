package api_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// TestMujunByDistrictAndRank (issue 16): 亩均 per district (mujun-districts, the map's
// shading) is the ratio of the sums of the 亩均 report's judged rows of the district, and
// the report's ranking (order=, limit=) lists the judged enterprises by 亩均税收 within the
// district asked for, with ranks that count the enterprises above.
func TestMujunByDistrictAndRank(t *testing.T) {
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	year, err := store.LatestMujunYear(ctx, pool, "")
	if err != nil || year == 0 {
		t.Fatalf("no 亩均 year in the fixtures: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	anon := client{t, srv.URL, ""}
	get := func(path string) []map[string]any {
		t.Helper()
		var d reportDoc
		getJSON(t, srv.URL+path, "application/json", &d)
		return d.Rows
	}
	f := func(v any) float64 {
		x, _ := v.(float64)
		return x
	}

	type sums struct{ n, low, land, tax, va, vaLand float64 }
	want := map[string]*sums{}
	all := get(fmt.Sprintf("/v1/audit/mujun?year=%d", year))
	for _, r := range all {
		if r["low_efficiency"] == "未评 not judged" {
			if r["tax_per_mu_rank"] != nil {
				t.Errorf("an enterprise not judged has a rank: %v", r)
			}
			continue
		}
		x, _ := r["xzqdm"].(string)
		s := want[x]
		if s == nil {
			s = &sums{}
			want[x] = s
		}
		s.n++
		if r["low_efficiency"] == "是 yes" {
			s.low++
		}
		s.land += f(r["land_mu"])
		s.tax += f(r["tax_wan"])
		if r["va_wan"] != nil {
			s.va += f(r["va_wan"])
			s.vaLand += f(r["land_mu"])
		}
	}
	if len(want) < 2 {
		t.Fatalf("the fixtures judge enterprises in %d districts for %d; the test needs two", len(want), year)
	}
	close := func(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }
	rows := get(fmt.Sprintf("/v1/audit/mujun-districts?year=%d", year))
	seen := 0
	for _, r := range rows {
		x, _ := r["xzqdm"].(string)
		s := want[x]
		if s == nil {
			if f(r["enterprises"]) != 0 || r["tax_per_mu_wan"] != nil {
				t.Errorf("district %s has figures but no judged enterprise in the 亩均 report: %v", x, r)
			}
			continue
		}
		seen++
		if f(r["enterprises"]) != s.n || f(r["low_enterprises"]) != s.low || !close(f(r["land_mu"]), s.land, 1e-6) ||
			!close(f(r["tax_wan"]), s.tax, 1e-6) || !close(f(r["tax_per_mu_wan"]), s.tax/s.land, 1e-4) {
			t.Errorf("district %s: %v, want from the 亩均 report %+v (亩均税收 %.4f)", x, r, *s, s.tax/s.land)
		}
		if s.vaLand > 0 && !close(f(r["va_per_mu_wan"]), s.va/s.vaLand, 1e-4) {
			t.Errorf("district %s: 亩均增加值 %v, want %.4f", x, r["va_per_mu_wan"], s.va/s.vaLand)
		}
		if r["district"] == "" || r["district"] == nil {
			t.Errorf("district %s has no name: %v", x, r)
		}
	}
	if seen != len(want) {
		t.Errorf("mujun-districts has %d of the %d districts with judged enterprises: %v", seen, len(want), rows)
	}
	// One district asked for: its row only; the latest year when none is stated.
	var district string
	for x, s := range want {
		if s.n >= 3 && x > district {
			district = x
		}
	}
	if district == "" {
		t.Fatal("no district with three judged enterprises")
	}
	if one := get("/v1/audit/mujun-districts?district=" + district); len(one) != 1 || one[0]["xzqdm"] != district {
		t.Errorf("mujun-districts for %s: %v", district, one)
	}

	// Ranks within the district, and order= with limit=.
	in := get(fmt.Sprintf("/v1/audit/mujun?year=%d&district=%s", year, district))
	var taxes []float64
	for _, r := range in {
		if r["tax_per_mu_rank"] != nil {
			taxes = append(taxes, f(r["tax_per_mu_wan"]))
		}
	}
	for _, r := range in {
		if r["tax_per_mu_rank"] == nil {
			continue
		}
		above := 0
		for _, x := range taxes {
			if x > f(r["tax_per_mu_wan"])+1e-9 {
				above++
			}
		}
		if int(f(r["tax_per_mu_rank"])) != above+1 {
			t.Errorf("%v: rank %v, %d enterprises of %s above it", r["uscc"], r["tax_per_mu_rank"], above, district)
		}
	}
	sort.Float64s(taxes)
	top := get(fmt.Sprintf("/v1/audit/mujun?year=%d&district=%s&order=tax_per_mu_desc&limit=2", year, district))
	bottom := get(fmt.Sprintf("/v1/audit/mujun?year=%d&district=%s&order=tax_per_mu_asc&limit=2", year, district))
	if len(top) != 2 || len(bottom) != 2 || !close(f(top[0]["tax_per_mu_wan"]), taxes[len(taxes)-1], 1e-6) ||
		f(top[0]["tax_per_mu_rank"]) != 1 || f(top[1]["tax_per_mu_wan"]) > f(top[0]["tax_per_mu_wan"]) ||
		!close(f(bottom[0]["tax_per_mu_wan"]), taxes[0], 1e-6) || f(bottom[1]["tax_per_mu_wan"]) < f(bottom[0]["tax_per_mu_wan"]) {
		t.Errorf("ranking of %s (亩均税收 %v): top %v, bottom %v", district, taxes, top, bottom)
	}
	if ordered := get(fmt.Sprintf("/v1/audit/mujun?year=%d&order=tax_per_mu_desc", year)); len(ordered) == 0 || len(ordered) != len(all)-countUnjudged(all) {
		t.Errorf("ordered report: %d rows of %d", len(ordered), len(all))
	}
	for _, bad := range []struct{ query, field string }{
		{"mujun?order=tax", "order"}, {"mujun?limit=0", "limit"}, {"mujun?limit=x", "limit"},
		{"idle?order=tax_per_mu_desc", "order"}, {"idle-parcels?limit=5", "limit"},
	} {
		if p := anon.want(400, "invalid-parameter", "GET", "/v1/audit/"+bad.query, nil); p["field"] != bad.field {
			t.Errorf("%s: field %v, want %s", bad.query, p["field"], bad.field)
		}
	}
}

func countUnjudged(rows []map[string]any) int {
	n := 0
	for _, r := range rows {
		if r["tax_per_mu_rank"] == nil {
			n++
		}
	}
	return n
}
