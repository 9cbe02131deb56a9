package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// TestReportsEveryFormat (issue 14.15): every report answers in every format the README
// promises, GeoJSON included, with a feature per row and geometry on them; an unknown
// district is a 404 problem naming district, as for quota; the 亩均 report without a
// year is for the latest year with figures on file, and follows a newer one.
func TestReportsEveryFormat(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	anon := client{t, srv.URL, ""}
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	var parcel int64
	pool.QueryRow(ctx, `SELECT id FROM parcels ORDER BY id LIMIT 1`).Scan(&parcel)
	query := map[string]string{
		"idle": "date=" + exp.AsOf, "idle-parcels": "date=" + exp.AsOf, "changes": "from=" + exp.YearEnd + "&to=" + exp.AsOf,
		"quality": "", "dossier": "parcel=" + strconv.FormatInt(parcel, 10), "mujun": "", "mujun-districts": "",
		// Issue 15's tables have no geometry; the demo has no targets or projects (their
		// rows are tested in TestTargetsAgainstActuals and TestRemediationChain).
		"targets": "date=" + exp.AsOf, "remediation": "date=" + exp.AsOf, "remediation-candidates": "year=2024",
		// Issue 15.6: the disposal ledger, one row per idle parcel (with its outline).
		"disposals": "date=" + exp.AsOf,
	}
	empty := map[string]bool{"targets": true, "remediation": true}
	if len(query) != len(audit.Reports) {
		t.Fatalf("reports %v: the test covers %d", audit.Names(), len(query))
	}
	types := map[string]string{"json": "application/json", "csv": "text/csv; charset=utf-8",
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "geojson": "application/geo+json"}
	for _, name := range audit.Names() {
		base := srv.URL + "/v1/audit/" + name + "?" + query[name]
		var doc struct {
			Rows []map[string]any `json:"rows"`
		}
		for format, ct := range types {
			res, err := http.Get(base + "&format=" + format)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if format == "geojson" && !audit.Reports[name].Geo {
				// A table without geometry has no GeoJSON form: a clear 400.
				if res.StatusCode != 400 {
					t.Errorf("%s as GeoJSON (no geometry): %d %.200s", name, res.StatusCode, body)
				}
				continue
			}
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != ct || len(body) == 0 {
				t.Errorf("%s as %s: %d %s %.200s", name, format, res.StatusCode, res.Header.Get("Content-Type"), body)
				continue
			}
			if format == "json" {
				json.Unmarshal(body, &doc)
			}
			if format != "geojson" {
				continue
			}
			var fc struct {
				Type     string `json:"type"`
				Features []struct {
					Geometry *struct {
						Type string `json:"type"`
					} `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal(body, &fc); err != nil || fc.Type != "FeatureCollection" {
				t.Errorf("%s as GeoJSON: %v %.200s", name, err, body)
				continue
			}
			located := 0
			for _, f := range fc.Features {
				if f.Geometry != nil && (f.Geometry.Type == "MultiPolygon" || f.Geometry.Type == "Polygon") {
					located++
				}
			}
			if len(fc.Features) == 0 || located == 0 {
				t.Errorf("%s as GeoJSON: %d features, %d with a polygon", name, len(fc.Features), located)
			}
		}
		if len(doc.Rows) == 0 && !empty[name] {
			t.Errorf("%s: no rows", name)
		}
		p := anon.want(404, "not-found", "GET", "/v1/audit/"+name+"?"+query[name]+"&district=330399", nil)
		if p["field"] != "district" {
			t.Errorf("%s for an unknown district: %v", name, p)
		}
	}

	// 亩均 without a year: the latest year with figures (the calendar's last year has none).
	var latest int
	pool.QueryRow(ctx, `SELECT max((payload->>'year')::int) FROM parcel_events WHERE type = 'ANNUAL_INDICATORS'`).Scan(&latest)
	if latest == 0 || latest >= landreg.Today().Year()-1 {
		t.Fatalf("latest fixture year %d: the test needs one before last year", latest)
	}
	title := func(q string) string {
		t.Helper()
		return anon.want(200, "", "GET", "/v1/audit/mujun"+q, nil)["title"].(string)
	}
	if got := title(""); !strings.HasPrefix(got, strconv.Itoa(latest)+" 年") {
		t.Errorf("mujun without a year: %q, want %d", got, latest)
	}
	if got := title("?district=330304"); !strings.HasPrefix(got, strconv.Itoa(latest)+" 年") {
		t.Errorf("mujun of 330304 without a year: %q, want %d", got, latest)
	}
	var firm string
	pool.QueryRow(ctx, `SELECT holder_uscc FROM parcels WHERE holder_uscc IS NOT NULL ORDER BY 1 LIMIT 1`).Scan(&firm)
	err = store.InTx(ctx, pool, store.Change{Actor: "test"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO enterprise_indicators (uscc, year, tax_wan) VALUES ($1, $2, 10)`, firm, latest+1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := title(""); !strings.HasPrefix(got, strconv.Itoa(latest+1)+" 年") {
		t.Errorf("mujun after figures for %d: %q", latest+1, got)
	}
}
