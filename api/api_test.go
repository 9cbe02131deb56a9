package api_test

import (
	"github.com/landreg/landreg"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/geo"
)

// One database with the demo fixtures and one real HTTP server on a free port serve
// every subtest; the subtests only read. The fixtures are loaded here, not cloned
// (demodb), so the package also serves a database the loader has just written.
func TestAPI(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	counts, err := fixtures.Load(ctx, pool)
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Limits: api.Limits{Default: 100, Max: 500}, Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	want := map[string]int{"districts": counts.Districts, "block_lines": counts.BlockLines, "parcels": counts.Parcels}
	// The demo's remediation projects (one per district, issue 15).
	var projects int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM remediation_projects`).Scan(&projects); err != nil || projects == 0 {
		t.Fatalf("demo remediation projects: %d %v", projects, err)
	}
	want["remediation_projects"] = projects

	t.Run("landing and conformance", func(t *testing.T) {
		var landing struct {
			Links []api.Link `json:"links"`
		}
		getJSON(t, srv.URL+"/", "application/json", &landing)
		rels := map[string]string{}
		for _, l := range landing.Links {
			rels[l.Rel] = l.Type
		}
		for rel, typ := range map[string]string{"self": "application/json", "service-desc": "application/vnd.oai.openapi+json;version=3.0", "conformance": "application/json", "data": "application/json"} {
			if rels[rel] != typ {
				t.Errorf("landing link %s has type %q, want %q", rel, rels[rel], typ)
			}
		}
		var conf struct {
			ConformsTo []string `json:"conformsTo"`
		}
		getJSON(t, srv.URL+"/conformance", "application/json", &conf)
		if len(conf.ConformsTo) == 0 || !strings.HasSuffix(conf.ConformsTo[0], "/conf/core") {
			t.Errorf("conformance = %v", conf.ConformsTo)
		}
		var doc struct {
			Components struct {
				Parameters map[string]struct {
					Schema struct {
						Default any `json:"default"`
						Maximum any `json:"maximum"`
					} `json:"schema"`
				} `json:"parameters"`
			} `json:"components"`
		}
		getJSON(t, srv.URL+"/api", "application/vnd.oai.openapi+json;version=3.0", &doc)
		if l := doc.Components.Parameters["limit"].Schema; l.Default != 100.0 || l.Maximum != 500.0 {
			t.Errorf("OpenAPI limit default/maximum = %d/%d, want 100/500", l.Default, l.Maximum)
		}
	})

	t.Run("collections with extents", func(t *testing.T) {
		var cs struct {
			Collections []struct {
				ID     string `json:"id"`
				Extent struct {
					Spatial struct {
						BBox [][]float64 `json:"bbox"`
					} `json:"spatial"`
				} `json:"extent"`
				ItemCount int `json:"itemCount"`
			} `json:"collections"`
		}
		getJSON(t, srv.URL+"/collections", "application/json", &cs)
		if len(cs.Collections) != 5 {
			t.Fatalf("%d collections, want 5", len(cs.Collections))
		}
		for _, c := range cs.Collections {
			if c.ID == "parcel_status" {
				continue // the parcels again, with their status
			}
			if c.ItemCount != want[c.ID] {
				t.Errorf("%s itemCount %d, want %d", c.ID, c.ItemCount, want[c.ID])
			}
			if len(c.Extent.Spatial.BBox) != 1 {
				t.Errorf("%s has no spatial extent", c.ID)
				continue
			}
			b := c.Extent.Spatial.BBox[0]
			if !geo.Wenzhou.Contains(b[0], b[1]) || !geo.Wenzhou.Contains(b[2], b[3]) {
				t.Errorf("%s extent %v outside Wenzhou", c.ID, b)
			}
		}
	})

	t.Run("paging via next visits every feature once", func(t *testing.T) {
		for id, n := range want {
			for _, first := range []string{"?limit=7", "?limit=7&offset=0", "?limit=500", "?offset=3&limit=11"} {
				seen := map[any]int{}
				next := srv.URL + "/collections/" + id + "/items" + first
				pages := 0
				for next != "" {
					fc := getFC(t, next)
					pages++
					if fc.NumberMatched != n {
						t.Fatalf("%s numberMatched %d, want %d", next, fc.NumberMatched, n)
					}
					if fc.NumberReturned != len(fc.Features) {
						t.Fatalf("%s numberReturned %d but %d features", next, fc.NumberReturned, len(fc.Features))
					}
					for _, f := range fc.Features {
						seen[f.ID]++
						checkFeature(t, id, f)
					}
					next = ""
					for _, l := range fc.Links {
						if l.Rel == "next" {
							next = l.Href
						}
					}
					if pages > n+2 {
						t.Fatalf("%s: paging does not end", id)
					}
				}
				wantSeen := n
				if strings.Contains(first, "offset=3") {
					wantSeen = n - 3
				}
				if len(seen) != wantSeen {
					t.Errorf("%s%s: visited %d distinct features, want %d", id, first, len(seen), wantSeen)
				}
				for fid, k := range seen {
					if k != 1 {
						t.Errorf("%s: feature %v seen %d times", id, fid, k)
					}
				}
			}
		}
	})

	t.Run("bbox selects intersecting features", func(t *testing.T) {
		// 瓯海经开区 area: some parcels, not all.
		fc := getFC(t, srv.URL+"/collections/parcels/items?bbox=120.60,27.92,120.68,27.97&limit=500")
		var inDB int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(120.60,27.92,120.68,27.97,4490))`).Scan(&inDB); err != nil {
			t.Fatal(err)
		}
		if fc.NumberMatched != inDB || len(fc.Features) != inDB {
			t.Errorf("bbox matched %d / returned %d, database says %d", fc.NumberMatched, len(fc.Features), inDB)
		}
		if inDB == 0 || inDB == counts.Parcels {
			t.Errorf("bbox test box selects %d of %d parcels; pick a box that discriminates", inDB, counts.Parcels)
		}
		box := orb.Bound{Min: orb.Point{120.60, 27.92}, Max: orb.Point{120.68, 27.97}}
		for _, f := range fc.Features {
			if !f.Geometry.Bound().Intersects(box) {
				t.Errorf("feature %v does not touch the bbox", f.ID)
			}
		}
	})

	t.Run("item by id and computed areas", func(t *testing.T) {
		var id int64
		var area float64
		if err := pool.QueryRow(ctx, `SELECT id, ST_Area(geom::geography) FROM parcels ORDER BY id LIMIT 1`).Scan(&id, &area); err != nil {
			t.Fatal(err)
		}
		res, body := get(t, srv.URL+"/collections/parcels/items/"+itoa(id))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("item: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		f, err := geojson.UnmarshalFeature(body)
		if err != nil {
			t.Fatalf("item is not GeoJSON: %v", err)
		}
		m2 := f.Properties.MustFloat64("area_m2")
		mu := f.Properties.MustFloat64("area_mu")
		if d := m2 - area; d > 0.006 || d < -0.006 {
			t.Errorf("area_m2 %v, PostGIS %v", m2, area)
		}
		if d := mu - landreg.Mu(area); d > 0.0001 || d < -0.0001 {
			t.Errorf("area_mu %v, want %v", mu, landreg.Mu(area))
		}
		var district struct {
			ID int `json:"id"`
		}
		getJSON(t, srv.URL+"/collections/districts/items/330304", "application/geo+json", &district)
		if district.ID != 330304 {
			t.Errorf("district id %d", district.ID)
		}
	})

	t.Run("bad requests get problem+json", func(t *testing.T) {
		cases := []struct {
			path   string
			status int
			typ    string
			field  string
		}{
			{"/collections/parcels/items?bbox=1,2,3", 400, "urn:landreg:problem:invalid-parameter", "bbox"},
			{"/collections/parcels/items?limit=-1", 400, "urn:landreg:problem:invalid-parameter", "limit"},
			{"/collections/parcels/items?limit=ten", 400, "urn:landreg:problem:invalid-parameter", "limit"},
			{"/collections/parcels/items?bbox=27.9,120.6,28.0,120.7", 400, "urn:landreg:problem:invalid-parameter", "bbox"},
			{"/collections/parcels/items?colour=red", 400, "urn:landreg:problem:invalid-parameter", "colour"},
			{"/collections/nope/items", 404, "urn:landreg:problem:not-found", ""},
			{"/collections/nope", 404, "urn:landreg:problem:not-found", ""},
			{"/collections/parcels/items/999999999", 404, "urn:landreg:problem:not-found", ""},
			{"/collections/parcels/items/abc", 404, "urn:landreg:problem:not-found", ""},
			{"/no/such/path", 404, "urn:landreg:problem:not-found", ""},
		}
		for _, c := range cases {
			res, body := get(t, srv.URL+c.path)
			if res.StatusCode != c.status || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s, want %d problem+json", c.path, res.StatusCode, res.Header.Get("Content-Type"), c.status)
				continue
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Errorf("%s: body is not JSON: %s", c.path, body)
				continue
			}
			if p.Type != c.typ || p.Field != c.field || p.Status != c.status || !strings.Contains(p.Detail, " / ") {
				t.Errorf("%s: problem %+v", c.path, p)
			}
		}
	})

	t.Run("health, readiness and metrics", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz"} {
			res, body := get(t, srv.URL+p)
			if res.StatusCode != 200 {
				t.Errorf("%s: %d %s", p, res.StatusCode, body)
			}
		}
		_, body := get(t, srv.URL+"/metrics")
		for _, want := range []string{
			`landreg_http_requests_total{method="GET",route="/collections/:collectionId/items",status="200"}`,
			`landreg_http_requests_total{method="GET",route="/collections/:collectionId/items",status="400"}`,
			"landreg_http_request_duration_seconds_bucket", fmt.Sprintf("landreg_db_pool_max_conns %d", pool.Config().MaxConns),
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}

type featureCollection struct {
	Type           string             `json:"type"`
	NumberMatched  int                `json:"numberMatched"`
	NumberReturned int                `json:"numberReturned"`
	Features       []*geojson.Feature `json:"features"`
	Links          []api.Link         `json:"links"`
}

func getFC(t *testing.T, u string) featureCollection {
	t.Helper()
	var fc featureCollection
	getJSON(t, u, "application/geo+json", &fc)
	if fc.Type != "FeatureCollection" {
		t.Fatalf("%s: type %q", u, fc.Type)
	}
	return fc
}

// checkFeature asserts integer ids and lon/lat coordinates inside Wenzhou.
func checkFeature(t *testing.T, coll string, f *geojson.Feature) {
	t.Helper()
	if _, ok := f.ID.(float64); !ok {
		t.Fatalf("%s feature id %v (%T) is not an integer", coll, f.ID, f.ID)
	}
	mp, ok := f.Geometry.(orb.MultiPolygon)
	if !ok {
		t.Fatalf("%s feature %v geometry is %T, want MultiPolygon", coll, f.ID, f.Geometry)
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for _, p := range ring {
				if !geo.Wenzhou.Contains(p[0], p[1]) {
					t.Fatalf("%s feature %v has point %v outside Wenzhou (lon/lat)", coll, f.ID, p)
				}
			}
		}
	}
}

func get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func getJSON(t *testing.T, u, mediaType string, v any) {
	t.Helper()
	res, body := get(t, u)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != mediaType {
		t.Fatalf("GET %s: Content-Type %q, want %q", u, ct, mediaType)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	if _, err := url.Parse(u); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// getProblem GETs u and decodes the problem+json answer.
func getProblem(t *testing.T, u string) (*http.Response, api.Problem) {
	t.Helper()
	res, body := get(t, u)
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("GET %s: %d, no problem document: %s", u, res.StatusCode, body)
	}
	return res, p
}
