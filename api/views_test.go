package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// servedFeature is a Feature with its properties exactly as the server sent them.
type servedFeature struct {
	ID         json.RawMessage `json:"id"`
	Properties json.RawMessage `json:"properties"`
}

// TestViewsAreWhatTheAPIServes: a psql or QGIS user reading a collection's view (or
// collection_parcel_status, collection_parcels_on) sees byte for byte the properties the API serves, for a
// single feature, for every feature of a page, and for every version of the
// versioned collections.
func TestViewsAreWhatTheAPIServes(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Demo)
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	// The demo has closed block-line versions; closed parcel versions too: changed
	// parcels and a retired one.
	err = store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "views test"}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE parcels SET project_name = project_name || '（二期）' WHERE id IN (SELECT id FROM parcels ORDER BY id LIMIT 2)`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM parcels WHERE id = (SELECT max(id) FROM parcels)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// rows reads (id, version, props) from a source, keyed id/version.
	rows := func(sql string, args ...any) map[string]string {
		t.Helper()
		rs, err := pool.Query(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out := map[string]string{}
		for rs.Next() {
			var id int64
			var version *int
			var props string
			if err := rs.Scan(&id, &version, &props); err != nil {
				t.Fatal(err)
			}
			out[key(id, version)] = props
		}
		if rs.Err() != nil {
			t.Fatal(rs.Err())
		}
		return out
	}
	// compare checks every feature of a page against the source's rows.
	compare := func(what, path string, want map[string]string, versioned bool) {
		t.Helper()
		res, body := get(t, srv.URL+path)
		var fc struct {
			Features []servedFeature `json:"features"`
		}
		if err := json.Unmarshal(body, &fc); res.StatusCode != 200 || err != nil {
			t.Fatalf("%s: %d %v %.200s", path, res.StatusCode, err, body)
		}
		if len(fc.Features) != len(want) || len(want) == 0 {
			t.Errorf("%s: %d features served, %d rows in %s", path, len(fc.Features), len(want), what)
		}
		for _, f := range fc.Features {
			var version *int
			var id int64
			if versioned {
				// A version's feature id is id.version (its own URL).
				var p struct {
					ID      int64 `json:"id"`
					Version int   `json:"version"`
				}
				json.Unmarshal(f.Properties, &p)
				version, id = &p.Version, p.ID
				if vid := fmt.Sprintf("\"%d.%d\"", p.ID, p.Version); string(f.ID) != vid {
					t.Errorf("%s: feature id %s, want %s", path, f.ID, vid)
				}
			} else if err := json.Unmarshal(f.ID, &id); err != nil {
				t.Errorf("%s: feature id %s is not an integer", path, f.ID)
			}
			k := key(id, version)
			if w, ok := want[k]; !ok || w != string(f.Properties) {
				t.Errorf("%s, feature %s:\nserved %s\n%s   %s", path, k, f.Properties, what, w)
			}
		}
	}

	for _, c := range catalog.Collections() {
		t.Run(c.ID, func(t *testing.T) {
			src := c.Source
			today, asOf := src.Current, src.Current
			var args []any
			if src.AsOf != "" {
				today = src.AsOf + "(landreg_sys.today())"
				asOf, args = src.AsOf+"($1)", []any{exp.AsOf}
			}
			// One feature, as /items/{fid} serves it.
			var id int64
			var props string
			if err := pool.QueryRow(ctx, `SELECT id, props FROM `+today+` ORDER BY id LIMIT 1`).Scan(&id, &props); err != nil {
				t.Fatal(err)
			}
			var one servedFeature
			getJSON(t, fmt.Sprintf("%s/collections/%s/items/%d", srv.URL, c.ID, id), "application/geo+json", &one)
			if string(one.ID) != itoa(id) || string(one.Properties) != props {
				t.Errorf("feature %d:\nserved %s\nview   %s", id, one.Properties, props)
			}
			// Every current feature (for parcel_status: as of the fixtures' date).
			path := "/collections/" + c.ID + "/items?limit=1000"
			if src.AsOf != "" {
				path += "&datetime=" + exp.AsOf
			}
			compare(asOf, path, rows(`SELECT id, NULL::int, props FROM `+asOf, args...), false)
			// Every version.
			if src.AllVersions != "" {
				compare(src.AllVersions, "/collections/"+c.ID+"/items?limit=1000&datetime="+url.QueryEscape("1900-01-01/.."),
					rows(`SELECT id, version, props FROM `+src.AllVersions), true)
				if src.OnDate != "" {
					// What a version is on a day (parcels: its status) is the on-date source's.
					compare(src.OnDate, "/collections/"+c.ID+"/items?limit=1000&datetime=2025-01-01",
						rows(`SELECT id, NULL::int, props FROM `+src.OnDate+`('2025-01-01')`), false)
				} else {
					compare(src.AllVersions, "/collections/"+c.ID+"/items?limit=1000&datetime=2025-01-01",
						rows(`SELECT id, NULL::int, props FROM `+src.AllVersions+` WHERE valid_from <= '2025-01-01' AND (valid_to IS NULL OR valid_to > '2025-01-01')`), false)
				}
			}
		})
	}
}

func key(id int64, version *int) string {
	if version == nil {
		return itoa(id)
	}
	return itoa(id) + "/" + itoa(int64(*version))
}
