package api_test

import (
	"bytes"
	"context"
	"math"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

type reportDoc struct {
	Title   string           `json:"title"`
	Rows    []map[string]any `json:"rows"`
	Columns []struct {
		Key    string `json:"key"`
		Header string `json:"header"`
	} `json:"columns"`
}

func TestAuditReports(t *testing.T) {
	ctx := context.Background()
	pool, _ := demodb.Demo(t)
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	anon := client{t, srv.URL, ""}
	get := func(path string) reportDoc {
		t.Helper()
		var d reportDoc
		getJSON(t, srv.URL+path, "application/json", &d)
		return d
	}

	t.Run("idle summary matches the fixtures' categories", func(t *testing.T) {
		d := get("/v1/audit/idle?date=" + exp.AsOf)
		got := map[string]int{}
		for _, r := range d.Rows {
			got[r["category"].(string)] += int(r["parcels"].(float64))
		}
		for cat, n := range exp.CategoryCounts {
			if got[cat] != n {
				t.Errorf("%s: %d parcels, want %d", cat, got[cat], n)
			}
		}
		if !strings.Contains(d.Columns[4].Header, "宗数") {
			t.Errorf("headers %v", d.Columns)
		}
		// One district, every format.
		one := get("/v1/audit/idle?date=" + exp.AsOf + "&district=330304")
		for _, r := range one.Rows {
			if r["xzqdm"] != "330304" {
				t.Fatalf("district filter leaks %v", r)
			}
		}
		res, csvBody := anon.do("GET", "/v1/audit/idle?date="+exp.AsOf+"&district=330304&format=csv", nil)
		if res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !bytes.HasPrefix(csvBody, []byte("\ufeff行政区划代码")) ||
			bytes.Count(csvBody, []byte("\n")) != len(one.Rows)+1 {
			t.Errorf("csv: %s\n%s", res.Header.Get("Content-Type"), csvBody)
		}
		res, xlsx := anon.do("GET", "/v1/audit/idle?date="+exp.AsOf+"&district=330304&format=xlsx", nil)
		sheet, err := report.ReadXLSX(bytes.NewReader(xlsx))
		if err != nil {
			t.Fatalf("xlsx does not open: %v (%s)", err, res.Header.Get("Content-Type"))
		}
		if len(sheet.Rows) != len(one.Rows) || sheet.Header[0] != "行政区划代码 District code" {
			t.Fatalf("xlsx has %d rows, json %d; header %v", len(sheet.Rows), len(one.Rows), sheet.Header)
		}
		for i, r := range one.Rows {
			v, _ := strconv.ParseFloat(sheet.Rows[i][5], 64)
			if math.Abs(v-r["registered_mu"].(float64)) > 1e-9 {
				t.Errorf("xlsx registered_mu %v, json %v", v, r["registered_mu"])
			}
		}
		// Every report has a GeoJSON form (issue 14.15; TestReportsEveryFormat): here the districts.
		anon.want(200, "", "GET", "/v1/audit/idle?format=geojson", nil)
		anon.want(400, "invalid-parameter", "GET", "/v1/audit/idle?format=pdf", nil)
		anon.want(400, "invalid-parameter", "GET", "/v1/audit/idle?date=2025-02-30", nil)
		anon.want(404, "not-found", "GET", "/v1/audit/nothing", nil)
	})

	t.Run("idle ledger and idle for two years", func(t *testing.T) {
		all := get("/v1/audit/idle-parcels?date=" + exp.AsOf)
		idle := 0
		for _, c := range []string{"IDLE_1Y", "IDLE_2Y", "IDLE_GOV", "IDLE_STALLED"} {
			idle += exp.CategoryCounts[c]
		}
		if len(all.Rows) != idle {
			t.Errorf("ledger has %d parcels, fixtures have %d idle", len(all.Rows), idle)
		}
		// The idle clock is the start deadline (domain.md §8.6 ruling 7): 满两年 means
		// deadline + 2 years ≤ date, and days idle count from deadline + 1 year.
		asOf, _ := time.Parse(time.DateOnly, exp.AsOf)
		long := get("/v1/audit/idle-parcels?date=" + exp.AsOf + "&years=2")
		for _, r := range long.Rows {
			if r["category"] == "IDLE_STALLED" {
				continue
			}
			deadline, err := time.Parse(time.DateOnly, r["deadline"].(string))
			if err != nil {
				t.Fatalf("deadline of %v: %v", r, err)
			}
			if yearsAfter(deadline, 2).After(asOf) {
				t.Errorf("idle ≥ 2 years lists a parcel with deadline %s: %v", r["deadline"], r)
			}
			if want := int(asOf.Sub(yearsAfter(deadline, 1)).Hours() / 24); int(r["days_idle"].(float64)) != want {
				t.Errorf("days idle %v, want %d (since deadline + 1 year): %v", r["days_idle"], want, r)
			}
		}
		if len(long.Rows) == 0 || len(long.Rows) >= len(all.Rows) {
			t.Errorf("idle ≥ 2 years: %d of %d", len(long.Rows), len(all.Rows))
		}
		var fc featureCollection
		getJSON(t, srv.URL+"/v1/audit/idle-parcels?format=geojson&date="+exp.AsOf, "application/geo+json", &fc)
		if len(fc.Features) != len(all.Rows) || fc.Features[0].Geometry == nil {
			t.Errorf("geojson: %d features", len(fc.Features))
		}
	})

	t.Run("status changes", func(t *testing.T) {
		d := get("/v1/audit/changes?from=2022-06-30&to=" + exp.AsOf)
		if len(d.Rows) == 0 {
			t.Fatal("no status changes over three years")
		}
		for _, r := range d.Rows {
			if r["from"] == r["to"] {
				t.Errorf("unchanged row %v", r)
			}
		}
	})

	t.Run("data quality finds exactly the seeded problems", func(t *testing.T) {
		d := get("/v1/audit/quality")
		byKind := map[string][]string{}
		for _, r := range d.Rows {
			z, _ := r["zddm"].(string)
			byKind[r["kind"].(string)] = append(byKind[r["kind"].(string)], z)
		}
		same := func(kind string, want []string) {
			got := append([]string(nil), byKind[kind]...)
			w := append([]string(nil), want...)
			sort.Strings(got)
			sort.Strings(w)
			if strings.Join(got, ",") != strings.Join(w, ",") {
				t.Errorf("%s: got %v, want %v", kind, got, w)
			}
		}
		same("AREA_MISMATCH", exp.DataQuality.AreaMismatch)
		same("MISSING_AGREED_START", exp.DataQuality.MissingAgreedStart)
		same("NON_INDUSTRIAL_IN_LEVEL1", exp.DataQuality.NonIndustrialInLevel1)
		if len(byKind["PARCEL_OVERLAP"]) != len(exp.DataQuality.OverlappingPairs) {
			t.Errorf("overlaps %v, seeded %v", byKind["PARCEL_OVERLAP"], exp.DataQuality.OverlappingPairs)
		}
		if len(byKind["INVALID_USCC"]) != 0 || len(byKind["OUTSIDE_DISTRICT"]) != 0 {
			t.Errorf("unexpected findings: %v %v", byKind["INVALID_USCC"], byKind["OUTSIDE_DISTRICT"])
		}
	})

	t.Run("dossier and 亩均", func(t *testing.T) {
		var id int64
		pool.QueryRow(ctx, `SELECT id FROM parcels ORDER BY id LIMIT 1`).Scan(&id)
		d := get("/v1/audit/dossier?parcel=" + strconv.FormatInt(id, 10))
		kinds := map[string]int{}
		for _, r := range d.Rows {
			kinds[r["kind"].(string)]++
		}
		if kinds["version 版本"] == 0 || kinds["event 事件"] == 0 || kinds["audit 审计"] == 0 {
			t.Errorf("dossier kinds %v", kinds)
		}
		// Readable rows, no raw JSON: a version's fields by their titles, an event by its
		// Chinese name, an update by what it changed.
		var zddm string
		pool.QueryRow(ctx, `SELECT zddm FROM parcels WHERE id = $1`, id).Scan(&zddm)
		sawVersion, sawEvent := false, false
		for _, r := range d.Rows {
			what, _ := r["what"].(string)
			if strings.Contains(what, `{"`) || strings.Contains(what, `":`) {
				t.Errorf("dossier row with raw JSON: %v", r)
			}
			sawVersion = sawVersion || r["kind"] == "version 版本" && strings.Contains(what, "宗地代码 parcel code: "+zddm)
			sawEvent = sawEvent || r["kind"] == "event 事件" && (strings.HasPrefix(what, "交地 ") || strings.HasPrefix(what, "开工 ") ||
				strings.HasPrefix(what, "签订出让合同 ") || strings.HasPrefix(what, "年度亩均指标 "))
		}
		if !sawVersion || !sawEvent {
			t.Errorf("dossier rows not readable (version %v, event %v): %v", sawVersion, sawEvent, d.Rows)
		}
		anon.want(400, "invalid-parameter", "GET", "/v1/audit/dossier", nil)
		m := get("/v1/audit/mujun?year=2024")
		classes := map[string]int{}
		for _, r := range m.Rows {
			classes[r["preview_class"].(string)]++
			low := r["low_efficiency"] == "是 yes"
			tpm, judged := r["tax_per_mu_wan"].(float64)
			if !judged {
				if r["low_efficiency"] != "未评 not judged" || r["preview_class"] != "" {
					t.Errorf("firm without land: %v", r)
				}
				continue
			}
			if (tpm < 10) != low {
				t.Errorf("low-efficiency flag wrong: %v", r)
			}
		}
		n := len(m.Rows)
		if n < 20 || classes["A"] == 0 || classes["D"] == 0 || classes["A"] > n/4+1 {
			t.Errorf("%d firms, classes %v", n, classes)
		}
	})

	t.Run("auditor role when reads are protected", func(t *testing.T) {
		locked := httptest.NewServer(api.New(api.Config{Version: "test", AuthReads: true}, pool, zerolog.Nop()))
		defer locked.Close()
		planner, _ := store.CreateToken(ctx, pool, "p1", "planner")
		auditor, _ := store.CreateToken(ctx, pool, "a1", "auditor")
		client{t, locked.URL, planner}.want(403, "forbidden", "GET", "/v1/audit/idle", nil)
		client{t, locked.URL, auditor}.want(200, "", "GET", "/v1/audit/idle", nil)
	})
}

// yearsAfter is PostgreSQL's date + n years: 29 February goes to 28 February.
func yearsAfter(d time.Time, n int) time.Time {
	t := d.AddDate(n, 0, 0)
	if t.Day() != d.Day() {
		t = t.AddDate(0, 0, -t.Day())
	}
	return t
}
