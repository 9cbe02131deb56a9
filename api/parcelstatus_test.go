package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// statusOf reads a page of features and maps each feature's id property to its status
// and status_zh ("-" for a missing member, so a feature without one never matches).
func statusOf(t *testing.T, u string) map[string][2]string {
	t.Helper()
	fc := getFC(t, u)
	out := map[string][2]string{}
	for _, f := range fc.Features {
		s := [2]string{"-", "-"}
		for i, k := range []string{"status", "status_zh"} {
			if v, ok := f.Properties[k]; ok {
				s[i] = fmt.Sprint(v)
			}
		}
		out[idOf(f.Properties["id"])] = s
	}
	return out
}

// idOf is a decoded JSON id as its decimal text.
func idOf(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatInt(int64(f), 10)
	}
	return fmt.Sprint(v)
}

// TestParcelsCarryTheirStatus: every feature of /collections/parcels carries the idle
// status (status, status_zh) that parcel_status gives the same parcel on the day asked —
// today without datetime, the instant of datetime= — so the parcels styles, which
// classify by status, match its features. For an interval each version carries its
// status on its last day (today for the current one). The single feature, properties=,
// JSON-FG and CSV carry it too.
func TestParcelsCarryTheirStatus(t *testing.T) {
	ctx := context.Background()
	pool, srv, counts := demoServer(t, demodb.Fixtures)
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	// A closed version: one parcel's record changed today.
	var changed int64
	pool.QueryRow(ctx, `SELECT min(id) FROM parcels`).Scan(&changed)
	err = store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "status test"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE parcels SET project_name = project_name || '（二期）' WHERE id = $1`, changed)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	today := landreg.Today().Format(time.DateOnly)
	for _, d := range []string{"", exp.AsOf, "2023-06-30"} {
		q := ""
		if d != "" {
			q = "&datetime=" + d
		}
		parcels := statusOf(t, srv.URL+"/collections/parcels/items?limit=1000"+q)
		status := statusOf(t, srv.URL+"/collections/parcel_status/items?limit=1000"+q)
		if len(status) == 0 || len(parcels) != len(status) {
			t.Errorf("datetime %q: %d parcels, %d in parcel_status", d, len(parcels), len(status))
		}
		categories := map[string]bool{}
		for id, want := range status {
			if got := parcels[id]; got != want {
				t.Errorf("datetime %q, parcel %s: parcels say %v, parcel_status %v", d, id, got, want)
			}
			categories[want[0]] = true
		}
		// A day on which every parcel had one status would not tell statuses apart.
		if len(categories) < 3 {
			t.Errorf("datetime %q: only the statuses %v", d, categories)
		}
		if d == "" {
			if len(parcels) != counts.Parcels {
				t.Errorf("%d parcels served, %d loaded", len(parcels), counts.Parcels)
			}
			continue
		}
		if d == exp.AsOf {
			for _, f := range getFC(t, srv.URL+"/collections/parcels/items?limit=1000"+q).Features {
				if z := f.Properties["zddm"].(string); f.Properties["status"] != exp.Parcels[z].Category {
					t.Errorf("%s as of %s: status %v, want %s", z, d, f.Properties["status"], exp.Parcels[z].Category)
				}
			}
		}
	}

	// One feature, today; and the closed version, on its last day.
	id := itoa(changed)
	var one, want struct {
		Properties map[string]any `json:"properties"`
	}
	getJSON(t, srv.URL+"/collections/parcels/items/"+id, "application/geo+json", &one)
	getJSON(t, srv.URL+"/collections/parcel_status/items/"+id, "application/geo+json", &want)
	if one.Properties["status"] == nil || one.Properties["status"] != want.Properties["status"] ||
		one.Properties["status_zh"] != want.Properties["status_zh"] {
		t.Errorf("feature %s: status %v %v, parcel_status %v %v", id, one.Properties["status"], one.Properties["status_zh"],
			want.Properties["status"], want.Properties["status_zh"])
	}
	var validTo, lastDay string
	pool.QueryRow(ctx, `SELECT valid_to::text, (valid_to - 1)::text FROM parcels_history WHERE id = $1 ORDER BY version DESC LIMIT 1`,
		changed).Scan(&validTo, &lastDay)
	if validTo != today {
		t.Fatalf("the changed parcel's old version ends %q, want today %s", validTo, today)
	}
	onLastDay := statusOf(t, srv.URL+"/collections/parcel_status/items?limit=1000&datetime="+lastDay)
	onToday := statusOf(t, srv.URL+"/collections/parcel_status/items?limit=1000")
	interval := getFC(t, srv.URL+"/collections/parcels/items?limit=1000&datetime="+url.QueryEscape("2000-01-01/.."))
	versions := 0
	for _, f := range interval.Features {
		pid := idOf(f.Properties["id"])
		wantS := onToday[pid]
		if f.Properties["valid_to"] != nil {
			if f.Properties["valid_to"] != today {
				continue // closed in the fixtures: checked by the views' test
			}
			wantS = onLastDay[pid]
		}
		if pid == id {
			versions++
		}
		if got := [2]string{fmt.Sprint(f.Properties["status"]), fmt.Sprint(f.Properties["status_zh"])}; got != wantS {
			t.Errorf("interval, feature %v (valid to %v): status %v, want %v", f.ID, f.Properties["valid_to"], got, wantS)
		}
	}
	if versions != 2 {
		t.Errorf("interval: %d versions of parcel %s, want the closed one and the current one", versions, id)
	}

	// properties=, JSON-FG and CSV.
	chosen := getFC(t, srv.URL+"/collections/parcels/items?limit=5&properties=zddm,status")
	for _, f := range chosen.Features {
		if len(f.Properties) != 3 || f.Properties["status"] == nil || onToday[idOf(f.Properties["id"])][0] != f.Properties["status"] {
			t.Errorf("properties=zddm,status: %v", f.Properties)
		}
	}
	var fg struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, srv.URL+"/collections/parcels/items?limit=5&f=jsonfg&datetime="+exp.AsOf, "application/vnd.ogc.fg+json", &fg)
	for _, f := range fg.Features {
		if f.Properties["status"] != exp.Parcels[f.Properties["zddm"].(string)].Category {
			t.Errorf("JSON-FG as of %s: %v", exp.AsOf, f.Properties)
		}
	}
	res, body := get(t, srv.URL+"/collections/parcels/items?limit=5&f=csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
	if res.StatusCode != 200 || err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %d %v %.300s", res.StatusCode, err, body)
	}
	col := -1
	for i, h := range rows[0] {
		if strings.HasPrefix(h, "闲置状态 ") {
			col = i
		}
	}
	if col < 0 || rows[1][col] == "" || onToday[rows[1][0]][0] != rows[1][col] {
		t.Errorf("CSV header %v, first row %v", rows[0], rows[1])
	}
	// Not a queryable of parcels (parcel_status filters by status).
	if res, _ := get(t, srv.URL+"/collections/parcels/items?status=IDLE_2Y"); res.StatusCode != 400 {
		t.Errorf("status= on parcels: %d, want 400", res.StatusCode)
	}
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	getJSON(t, srv.URL+"/collections/parcels/schema", "application/schema+json", &schema)
	if schema.Properties["status"] == nil || schema.Properties["status_zh"] == nil {
		t.Errorf("/collections/parcels/schema lacks status: %v", schema.Properties)
	}
}
