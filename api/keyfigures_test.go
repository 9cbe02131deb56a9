package api_test

import (
	"context"
	"math"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// TestKeyFigures (issue 16): GET /v1/key-figures gives, in one answer, what the panel
// heads with, equal to the figures of the answers the panel reads them from otherwise:
// idle and inefficient land from /v1/audit/idle, the margin from the quota, and 亩均 of
// the year before from mujun-districts — for a district and for the city.
func TestKeyFigures(t *testing.T) {
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	srv := httptest.NewServer(api.New(api.Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	anon := client{t, srv.URL, ""}
	var vocab struct {
		Categories []struct {
			Code     string `json:"code"`
			IdleLand bool   `json:"idle_land"`
		} `json:"idle_categories"`
	}
	getJSON(t, srv.URL+"/v1/vocabulary", "application/json", &vocab)
	idleLand := map[string]bool{}
	for _, c := range vocab.Categories {
		idleLand[c.Code] = c.IdleLand
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-3 }
	const date = "2025-06-30"
	var mujun reportDoc
	getJSON(t, srv.URL+"/v1/audit/mujun-districts?year=2024", "application/json", &mujun)
	for _, district := range []string{"330304", ""} {
		var k map[string]any
		q := "?date=" + date
		if district != "" {
			q += "&district=" + district
		}
		getJSON(t, srv.URL+"/v1/key-figures"+q, "application/json", &k)
		var idle reportDoc
		getJSON(t, srv.URL+"/v1/audit/idle"+q, "application/json", &idle)
		var idleN, probN, low float64
		var idleMu, probMu float64
		for _, r := range idle.Rows {
			n, mu := r["parcels"].(float64), r["registered_mu"].(float64)
			if idleLand[r["category"].(string)] {
				idleN += n
				idleMu += mu
			}
			if c := r["category"]; c != "NORMAL" && c != "RETIRED" {
				probN += n
				probMu += mu
			}
			low += r["low_efficient"].(float64)
		}
		if k["idle_parcels"] != idleN || !near(k["idle_mu"].(float64), idleMu) || k["problem_parcels"] != probN ||
			!near(k["problem_mu"].(float64), probMu) || k["low_efficiency_parcels"] != low || idleN == 0 || low == 0 {
			t.Errorf("%q: key figures %v; the idle report gives idle %v (%.4f 亩), problem %v (%.4f 亩), 低效 %v", district, k, idleN, idleMu, probN, probMu, low)
		}
		var quota struct {
			Margin struct {
				Mu float64 `json:"mu"`
			} `json:"margin"`
			RuleApplies *bool `json:"rule_applies"`
			Pass        *bool `json:"pass"`
		}
		route := "/v1/quota"
		if district != "" {
			route = "/v1/districts/" + district + "/quota"
		}
		getJSON(t, srv.URL+route+"?date="+date, "application/json", &quota)
		if !near(k["margin_mu"].(float64), quota.Margin.Mu) || (quota.RuleApplies != nil && k["rule_applies"] != *quota.RuleApplies) ||
			(quota.Pass != nil && k["pass"] != *quota.Pass) {
			t.Errorf("%q: margin %v %v %v, quota %+v", district, k["margin_mu"], k["rule_applies"], k["pass"], quota)
		}
		var n, lowE, tax, land float64
		for _, r := range mujun.Rows {
			if district != "" && r["xzqdm"] != district {
				continue
			}
			n += r["enterprises"].(float64)
			lowE += r["low_enterprises"].(float64)
			if r["tax_wan"] != nil {
				tax += r["tax_wan"].(float64)
				land += r["land_mu"].(float64)
			}
		}
		if k["mujun_year"] != 2024.0 || k["enterprises"] != n || k["low_enterprises"] != lowE || n == 0 ||
			!near(k["tax_per_mu_wan"].(float64), tax/land) {
			t.Errorf("%q: 亩均 %v, mujun-districts %v enterprises, %v 低效, %.4f 万元/亩", district, k, n, lowE, tax/land)
		}
		if district == "" && (k["xzqdm"] != nil || k["name"] != "全市 city") {
			t.Errorf("city: %v", k)
		}
	}
	// As of today: the latest year whose figures count, not the empty current year.
	var now map[string]any
	getJSON(t, srv.URL+"/v1/key-figures", "application/json", &now)
	if latest, err := store.LatestMujunYear(ctx, pool, ""); err != nil || now["mujun_year"] != float64(latest) || now["tax_per_mu_wan"] == nil {
		t.Errorf("key figures as of today: 亩均 of %v (%v), latest year on file %d (%v)", now["mujun_year"], now["tax_per_mu_wan"], latest, err)
	}
	// The answers fit the OpenAPI document's schemas.
	k := newContract(t, srv.URL)
	k.check("GET", srv.URL, "/v1/key-figures", "/v1/key-figures?date="+date+"&district=330304", nil, nil, 200)
	k.check("GET", srv.URL, "/v1/key-figures", "/v1/key-figures", nil, nil, 200)
	k.check("GET", srv.URL, "/v1/audit/{report}", "/v1/audit/mujun-districts?year=2024", nil, nil, 200)
	k.check("GET", srv.URL, "/v1/audit/{report}", "/v1/audit/mujun?year=2024&order=tax_per_mu_asc&limit=3", nil, nil, 200)
	k.check("GET", srv.URL, "/v1/audit/{report}", "/v1/audit/mujun?order=up", nil, nil, 400)
	if p := anon.want(404, "not-found", "GET", "/v1/key-figures?district=330399", nil); p["field"] != "district" {
		t.Errorf("unknown district: %v", p)
	}
	anon.want(400, "invalid-parameter", "GET", "/v1/key-figures?date=2025-02-30", nil)
	anon.want(400, "invalid-parameter", "GET", "/v1/key-figures?district=33", nil)
	anon.want(400, "invalid-parameter", "GET", "/v1/key-figures?year=2024", nil)
}
