package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/geo"
)

func TestOGCFeatures(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Demo)

	// A known parcel and its first vertex in every CRS, computed by PostGIS/PROJ.
	var id int64
	var lon, lat float64
	pool.QueryRow(ctx, `SELECT id, ST_X(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)), ST_Y(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)) FROM parcels ORDER BY id LIMIT 1`).Scan(&id, &lon, &lat)

	t.Run("CRS round trip and axis order", func(t *testing.T) {
		cases := []struct {
			crs      string
			srid     int
			latFirst bool
			tol      float64
		}{
			{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4490, false, 1e-9},
			{"http://www.opengis.net/def/crs/EPSG/0/4490", 4490, true, 1e-9},
			{"http://www.opengis.net/def/crs/EPSG/0/4326", 4490, true, 1e-9},
			{"http://www.opengis.net/def/crs/EPSG/0/3857", 3857, false, 0.001},
			{"http://www.opengis.net/def/crs/EPSG/0/4549", 4549, true, 0.001},
			{"http://www.opengis.net/def/crs/EPSG/0/4528", 4528, true, 0.001},
		}
		for _, c := range cases {
			var x, y float64 // easting/lon, northing/lat per PostGIS
			pool.QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), $3::int) p) s`, lon, lat, c.srid).Scan(&x, &y)
			want := [2]float64{x, y}
			if c.latFirst {
				want = [2]float64{y, x}
			}
			res, body := get(t, srv.URL+"/collections/parcels/items/"+itoa(id)+"?crs="+url.QueryEscape(c.crs))
			if res.StatusCode != 200 || res.Header.Get("Content-Crs") != "<"+c.crs+">" {
				t.Fatalf("%s: %d Content-Crs %q", c.crs, res.StatusCode, res.Header.Get("Content-Crs"))
			}
			var f struct {
				Geometry struct {
					Coordinates [][][][2]float64 `json:"coordinates"`
				} `json:"geometry"`
			}
			json.Unmarshal(body, &f)
			got := f.Geometry.Coordinates[0][0][0]
			if math.Abs(got[0]-want[0]) > c.tol || math.Abs(got[1]-want[1]) > c.tol {
				t.Errorf("%s: first vertex %v, want %v", c.crs, got, want)
			}
			// A bbox in the same CRS and axis order around that vertex finds the parcel.
			d := 0.0005
			if c.tol < 1e-3 {
				d = 0.0000005
			}
			if c.srid != 4490 {
				d = 5
			}
			bbox := []float64{want[0] - d, want[1] - d, want[0] + d, want[1] + d}
			bs := make([]string, 4)
			for i, v := range bbox {
				bs[i] = jsonNum(v)
			}
			fc := getFC(t, srv.URL+"/collections/parcels/items?limit=50&crs="+url.QueryEscape(c.crs)+"&bbox-crs="+url.QueryEscape(c.crs)+"&bbox="+strings.Join(bs, ","))
			found := false
			for _, ft := range fc.Features {
				found = found || int64(ft.ID.(float64)) == id
			}
			if !found {
				t.Errorf("%s: bbox %v in the CRS's axis order does not find parcel %d", c.crs, bbox, id)
			}
		}
		res, body := get(t, srv.URL+"/collections/parcels/items?crs=EPSG:9999")
		var p api.Problem
		json.Unmarshal(body, &p)
		if res.StatusCode != 400 || len(p.Allowed) != len(geo.SupportedCRSURIs()) || len(p.Allowed) < 10 {
			t.Errorf("unsupported CRS: %d %s", res.StatusCode, body)
		}
	})

	t.Run("CQL2 filters", func(t *testing.T) {
		count := func(where string, args ...any) int {
			var n int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE `+where, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		cases := []struct {
			filter string
			where  string
		}{
			{"xzqdm = '330304'", "xzqdm = '330304'"},
			{"xzqdm <> '330304' AND price_wan > 1000", "xzqdm <> '330304' AND price_wan > 1000"},
			{"xzqdm = '330381' OR registered_area_m2 < 5000", "xzqdm = '330381' OR registered_area_m2 < 5000"},
			{"NOT (is_standard_land = TRUE)", "NOT is_standard_land"},
			{"holder_name LIKE '%鞋%'", "holder_name LIKE '%鞋%'"},
			{"landuse_code IN ('0601', '1001')", "landuse_code IN ('0601', '1001')"},
			{"price_wan BETWEEN 500 AND 1500", "price_wan BETWEEN 500 AND 1500"},
			{"agreed_start IS NULL", "agreed_start IS NULL"},
			{"contract_date >= DATE('2020-01-01')", "contract_date >= '2020-01-01'"},
			{"S_INTERSECTS(geometry, BBOX(120.60, 27.92, 120.68, 27.97))", "ST_Intersects(geom, ST_MakeEnvelope(120.60, 27.92, 120.68, 27.97, 4490))"},
			{"S_INTERSECTS(geometry, POLYGON((120.6 27.9, 120.7 27.9, 120.7 28.0, 120.6 28.0, 120.6 27.9))) AND version = 1",
				"ST_Intersects(geom, ST_GeomFromText('POLYGON((120.6 27.9, 120.7 27.9, 120.7 28.0, 120.6 28.0, 120.6 27.9))', 4490)) AND version = 1"},
		}
		for _, c := range cases {
			want := count(c.where)
			fc := getFC(t, srv.URL+"/collections/parcels/items?limit=1&filter-lang=cql2-text&filter="+url.QueryEscape(c.filter))
			if fc.NumberMatched != want {
				t.Errorf("%s: numberMatched %d, want %d", c.filter, fc.NumberMatched, want)
			}
		}
		if count("xzqdm = '330304'") == 0 || count("holder_name LIKE '%鞋%'") == 0 {
			t.Error("filters should select something on the fixtures")
		}
		for _, bad := range []string{
			"xzqdm = '330304'; DROP TABLE parcels; --",
			"xzqdm = x' OR '1'='1",
			"1=1) OR (1=1",
			"pg_sleep(10) = 1",
			"nope = 1",
			"price_wan = 'abc'",
			"xzqdm LIKE",
			"/* c */ xzqdm = '1'",
		} {
			res, body := get(t, srv.URL+"/collections/parcels/items?filter="+url.QueryEscape(bad))
			if res.StatusCode != 400 || !strings.Contains(string(body), `"field":"filter"`) {
				t.Errorf("%q: %d %s", bad, res.StatusCode, body)
			}
		}
		// A quoted string that looks like SQL is only a value.
		fc := getFC(t, srv.URL+"/collections/parcels/items?filter="+url.QueryEscape("holder_name = 'x''; DROP TABLE parcels; --'"))
		if fc.NumberMatched != 0 || count("true") == 0 {
			t.Errorf("quoted injection matched %d", fc.NumberMatched)
		}
	})

	t.Run("property filters, sortby and prev/next", func(t *testing.T) {
		fc := getFC(t, srv.URL+"/collections/block_lines/items?xzqdm=330304&level=1")
		for _, f := range fc.Features {
			if f.Properties["xzqdm"] != "330304" || f.Properties["level"].(float64) != 1 {
				t.Errorf("filter leak: %v", f.Properties)
			}
		}
		if len(fc.Features) == 0 {
			t.Error("no level-1 lines in 330304")
		}
		var prevArea float64 = math.Inf(1)
		next := srv.URL + "/collections/parcels/items?sortby=-area_m2&limit=40&xzqdm=330381"
		pages, seen := 0, 0
		var prevLink string
		for next != "" {
			fc := getFC(t, next)
			pages++
			for _, f := range fc.Features {
				a := f.Properties.MustFloat64("area_m2")
				if a > prevArea+1e-9 {
					t.Fatalf("sortby -area_m2 out of order: %v after %v", a, prevArea)
				}
				prevArea = a
				seen++
			}
			next, prevLink = "", ""
			for _, l := range fc.Links {
				switch l.Rel {
				case "next":
					next = l.Href
				case "prev":
					prevLink = l.Href
				}
			}
			if pages > 1 && (prevLink == "" || !strings.Contains(prevLink, "sortby=-area_m2") || !strings.Contains(prevLink, "xzqdm=330381")) {
				t.Errorf("page %d prev link %q does not carry the query", pages, prevLink)
			}
		}
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE xzqdm = '330381'`).Scan(&n)
		if seen != n || pages < 2 {
			t.Errorf("sorted paging saw %d of %d in %d pages", seen, n, pages)
		}
	})

	t.Run("datetime intervals return every version", func(t *testing.T) {
		var versions, lines int
		pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT id) FROM block_lines_all WHERE valid_from <= '2025-12-31' AND (valid_to IS NULL OR valid_to > '2021-01-01')`).Scan(&versions, &lines)
		fc := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000&datetime=2021-01-01/2025-12-31")
		if fc.NumberMatched != versions || versions <= lines {
			t.Errorf("interval matched %d, want %d versions of %d lines", fc.NumberMatched, versions, lines)
		}
		// Each version has its own id, id.version, and its own URL.
		seen := map[string]bool{}
		for _, f := range fc.Features {
			vid, _ := f.ID.(string)
			want := fmt.Sprintf("%v.%v", f.Properties["id"], f.Properties["version"])
			if vid != want || seen[vid] {
				t.Fatalf("interval feature id %v (want %s, seen before %v)", f.ID, want, seen[vid])
			}
			seen[vid] = true
		}
		var old struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		}
		var lid, lver int
		pool.QueryRow(ctx, `SELECT id, version FROM block_lines_all WHERE valid_to IS NOT NULL ORDER BY id, version LIMIT 1`).Scan(&lid, &lver)
		vid := fmt.Sprintf("%d.%d", lid, lver)
		getJSON(t, srv.URL+"/collections/block_lines/items/"+vid, "application/geo+json", &old)
		if old.ID != vid || old.Properties["valid_to"] == nil || old.Properties["version"] != float64(lver) {
			t.Errorf("closed version %s: %+v", vid, old)
		}
		for _, bad := range []string{fmt.Sprintf("%d.999", lid), fmt.Sprintf("%d.0", lid), "1.x", "-1", "1.99999999999", "99999999999999999999"} {
			if res, _ := get(t, srv.URL+"/collections/block_lines/items/"+bad); res.StatusCode != 404 {
				t.Errorf("item %s: %d", bad, res.StatusCode)
			}
		}
		open := getFC(t, srv.URL+"/collections/block_lines/items?limit=1&datetime=../2020-12-31")
		if open.NumberMatched != 15 {
			t.Errorf("open-start interval matched %d, want the 15 baseline lines", open.NumberMatched)
		}
	})

	t.Run("queryables, schema and HTML", func(t *testing.T) {
		var qd struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		getJSON(t, srv.URL+"/collections/parcels/queryables", "application/schema+json", &qd)
		if qd.Properties["zddm"]["type"] != "string" || qd.Properties["geometry"]["format"] == nil {
			t.Errorf("queryables %v", qd.Properties)
		}
		for _, p := range []string{"/?f=html", "/collections?f=html", "/collections/parcels?f=html", "/collections/parcels/items?f=html&limit=5", "/collections/parcels/items/" + itoa(id) + "?f=html", "/conformance?f=html", "/api.html"} {
			res, body := get(t, srv.URL+p)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "landreg") {
				t.Errorf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		_, body := get(t, srv.URL+"/collections/parcels/items?f=html&limit=3")
		var zddm string
		pool.QueryRow(ctx, `SELECT zddm FROM parcels ORDER BY id LIMIT 1`).Scan(&zddm)
		if !strings.Contains(string(body), zddm) {
			t.Error("HTML items page does not show the first parcel's code")
		}
	})

	t.Run("HTML links start from the base URL", func(t *testing.T) {
		h := api.New(api.Config{Version: "test", BaseURL: "http://proxy.example/landreg"}, pool, zerolog.Nop())
		proxied := httptest.NewServer(h)
		defer proxied.Close()
		for _, p := range []string{"/?f=html", "/collections?f=html", "/collections/parcels?f=html", "/collections/parcels/items?f=html&limit=2",
			"/collections/parcels/items/" + itoa(id) + "?f=html", "/api.html"} {
			_, body := get(t, proxied.URL+p)
			if bytes.Contains(body, []byte(`href="/`)) || !bytes.Contains(body, []byte(`href="http://proxy.example/landreg/collections?f=html"`)) {
				t.Errorf("%s: a link from the root, or none from the base URL", p)
			}
		}
	})

	t.Run("the schema lists every property served, with its type", func(t *testing.T) {
		for _, coll := range []string{"districts", "block_lines", "parcels", "parcel_status"} {
			var sd struct {
				Properties map[string]map[string]any `json:"properties"`
			}
			getJSON(t, srv.URL+"/collections/"+coll+"/schema", "application/schema+json", &sd)
			if sd.Properties["geometry"]["x-ogc-role"] != "primary-geometry" || sd.Properties["id"]["x-ogc-role"] != "id" {
				t.Errorf("%s: geometry and id %v %v", coll, sd.Properties["geometry"], sd.Properties["id"])
			}
			_, body := get(t, srv.URL+"/collections/"+coll+"/items?limit=400")
			var fc struct {
				Features []struct {
					ID         json.Number    `json:"id"`
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			if err := json.Unmarshal(body, &fc); err != nil || len(fc.Features) == 0 {
				t.Fatalf("%s: %v (%d features)", coll, err, len(fc.Features))
			}
			seen := map[string]bool{}
			for _, f := range fc.Features {
				if fmt.Sprint(f.Properties["id"]) != f.ID.String() {
					t.Fatalf("%s: feature %s has properties.id %v", coll, f.ID, f.Properties["id"])
				}
				for k, v := range f.Properties {
					ps, ok := sd.Properties[k]
					if !ok {
						t.Fatalf("%s: property %s is served but not in the schema", coll, k)
					}
					if v != nil {
						seen[k] = true
						if !schemaAdmits(ps, v) {
							t.Errorf("%s: %s = %v does not fit its schema %v", coll, k, v, ps)
						}
					}
				}
				for k := range sd.Properties {
					if _, ok := f.Properties[k]; !ok && k != "geometry" {
						t.Fatalf("%s: schema property %s missing from feature %s", coll, k, f.ID)
					}
				}
			}
			if len(seen) < len(sd.Properties)/2 {
				t.Errorf("%s: only %d of %d properties ever had a value", coll, len(seen), len(sd.Properties))
			}
		}
		var qd, sd struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		getJSON(t, srv.URL+"/collections/parcels/queryables", "application/schema+json", &qd)
		getJSON(t, srv.URL+"/collections/parcels/schema", "application/schema+json", &sd)
		if len(qd.Properties) >= len(sd.Properties) || sd.Properties["valid_to"]["format"] != "date" || sd.Properties["price_wan"]["x-ogc-unit"] != "万元" {
			t.Errorf("parcels: %d queryables of %d properties; valid_to %v, price_wan %v", len(qd.Properties), len(sd.Properties),
				sd.Properties["valid_to"], sd.Properties["price_wan"])
		}
	})

	t.Run("properties=, skipGeometry and f=csv", func(t *testing.T) {
		_, body := get(t, srv.URL+"/collections/parcels/items?limit=5&properties=zddm,area_mu&skipGeometry=true")
		var fc struct {
			Features []struct {
				Geometry   any            `json:"geometry"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		json.Unmarshal(body, &fc)
		if len(fc.Features) != 5 {
			t.Fatalf("%d features: %s", len(fc.Features), body)
		}
		for _, f := range fc.Features {
			if f.Geometry != nil || len(f.Properties) != 3 || f.Properties["zddm"] == nil || f.Properties["area_mu"] == nil || f.Properties["id"] == nil {
				t.Errorf("feature %v %v", f.Geometry, f.Properties)
			}
		}
		res, p := getProblem(t, srv.URL+"/collections/parcels/items?properties=zddm,colour")
		if res.StatusCode != 400 || p.Field != "properties" || len(p.Allowed) == 0 {
			t.Errorf("unknown property: %d %+v", res.StatusCode, p)
		}
		res, p = getProblem(t, srv.URL+"/collections/parcels/items?skipGeometry=yes")
		if res.StatusCode != 400 || p.Field != "skipGeometry" {
			t.Errorf("skipGeometry=yes: %d %+v", res.StatusCode, p)
		}

		res, body = get(t, srv.URL+"/collections/parcels/items?f=csv&limit=3&sortby=zddm")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Link"), `rel="next"`) {
			t.Fatalf("csv: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Link"))
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 4 || rows[0][0] != "要素编号 feature id" || rows[0][1] != "宗地代码 parcel code" {
			t.Fatalf("csv rows %v (%v)", rows, err)
		}
		var first struct {
			ID    int64
			Zddm  string
			Price *string
		}
		pool.QueryRow(ctx, `SELECT id, zddm, price_wan::text FROM parcels ORDER BY zddm LIMIT 1`).Scan(&first.ID, &first.Zddm, &first.Price)
		priceCol := slices.Index(rows[0], "出让价款 price")
		if rows[1][0] != itoa(first.ID) || rows[1][1] != first.Zddm || priceCol < 0 || first.Price == nil || rows[1][priceCol] != *first.Price {
			t.Errorf("first row %v, want id %d %s price %v", rows[1], first.ID, first.Zddm, first.Price)
		}
	})

	t.Run("JSON-FG: place in the CRS asked for, time from the version", func(t *testing.T) {
		var fc struct {
			ConformsTo  []string `json:"conformsTo"`
			FeatureType string   `json:"featureType"`
			CoordRefSys string   `json:"coordRefSys"`
			Features    []struct {
				ID   json.Number `json:"id"`
				Time struct {
					Interval []string `json:"interval"`
				} `json:"time"`
				Place struct {
					Coordinates [][][][2]float64 `json:"coordinates"`
				} `json:"place"`
				Geometry struct {
					Coordinates [][][][2]float64 `json:"coordinates"`
				} `json:"geometry"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		getJSON(t, srv.URL+"/collections/parcels/items?f=jsonfg&limit=3&crs="+url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4490"),
			"application/vnd.ogc.fg+json", &fc)
		if len(fc.ConformsTo) != 1 || !strings.Contains(fc.ConformsTo[0], "json-fg") || fc.FeatureType != "parcels" ||
			fc.CoordRefSys != "http://www.opengis.net/def/crs/EPSG/0/4490" || len(fc.Features) != 3 {
			t.Fatalf("JSON-FG collection %+v", fc)
		}
		for _, f := range fc.Features {
			g, p := f.Geometry.Coordinates[0][0][0], f.Place.Coordinates[0][0][0]
			// EPSG:4490 is latitude first; the geometry member stays lon/lat.
			if p[0] != g[1] || p[1] != g[0] || g[0] < 100 {
				t.Errorf("feature %s: place %v, geometry %v", f.ID, p, g)
			}
			if len(f.Time.Interval) != 2 || f.Time.Interval[0] != f.Properties["valid_from"] || f.Time.Interval[1] != ".." {
				t.Errorf("feature %s: time %v, valid_from %v", f.ID, f.Time.Interval, f.Properties["valid_from"])
			}
		}
		// A closed version ends the day before its valid_to.
		var lid, lver int
		var lastDay string
		pool.QueryRow(ctx, `SELECT id, version, to_char(valid_to - 1, 'YYYY-MM-DD') FROM block_lines_all WHERE valid_to IS NOT NULL ORDER BY id, version LIMIT 1`).
			Scan(&lid, &lver, &lastDay)
		_, body := get(t, srv.URL+"/collections/block_lines/items?f=jsonfg&limit=1000&datetime=1900-01-01/..")
		var all struct {
			CoordRefSys *string `json:"coordRefSys"`
			Features    []struct {
				ID   string `json:"id"`
				Time struct {
					Interval []string `json:"interval"`
				} `json:"time"`
				Place any `json:"place"`
			} `json:"features"`
		}
		json.Unmarshal(body, &all)
		found := false
		for _, f := range all.Features {
			if f.ID == fmt.Sprintf("%d.%d", lid, lver) {
				found = len(f.Time.Interval) == 2 && f.Time.Interval[1] == lastDay && f.Place == nil
			}
		}
		if !found || all.CoordRefSys != nil {
			t.Errorf("closed version %d.%d should end %s with no place (CRS84): %.300s", lid, lver, lastDay, body)
		}
	})

	t.Run("a paging run counts once", func(t *testing.T) {
		var total int
		pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE xzqdm = '330304'`).Scan(&total)
		next := srv.URL + "/collections/parcels/items?xzqdm=330304&limit=20"
		pages, seen := 0, 0
		for next != "" {
			fc := getFC(t, next)
			if fc.NumberMatched != total {
				t.Fatalf("page %d: numberMatched %d, want %d", pages, fc.NumberMatched, total)
			}
			seen += len(fc.Features)
			next = ""
			for _, l := range fc.Links {
				if l.Rel == "next" {
					next = l.Href
				}
			}
			if pages == 0 {
				if !strings.Contains(next, "matched=") {
					t.Fatalf("next link carries no count: %s", next)
				}
				// A later page reports the run's count even when the register has
				// changed since: it is not counted again.
				if _, err := pool.Exec(ctx, `SELECT landreg_sys.begin_change('test', 'paging', NULL);
DELETE FROM parcels WHERE id = (SELECT max(id) FROM parcels WHERE xzqdm = '330304')`); err != nil {
					t.Fatalf("retiring a parcel of the district: %v", err)
				}
			}
			pages++
		}
		var now int
		pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE xzqdm = '330304'`).Scan(&now)
		if pages < 2 || seen != total-1 || now != total-1 {
			t.Errorf("%d pages, %d features served, %d counted at the start, %d now", pages, seen, total, now)
		}
		// A count the server did not sign for this query is not believed.
		u := srv.URL + "/collections/parcels/items?xzqdm=330304&limit=5&matched=999.forged"
		if fc := getFC(t, u); fc.NumberMatched == 999 {
			t.Error("a forged count was served")
		}
		fc := getFC(t, srv.URL+"/collections/parcels/items?xzqdm=330304&limit=5")
		var tok string
		for _, l := range fc.Links {
			if l.Rel == "next" {
				nu, _ := url.Parse(l.Href)
				tok = nu.Query().Get("matched")
			}
		}
		if other := getFC(t, srv.URL+"/collections/parcels/items?xzqdm=330303&limit=5&matched="+url.QueryEscape(tok)); other.NumberMatched == fc.NumberMatched && tok != "" {
			var n int
			pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE xzqdm = '330303'`).Scan(&n)
			if n != fc.NumberMatched {
				t.Error("another query's count was served")
			}
		}
	})

	t.Run("a feature links to itself, its page and its collection", func(t *testing.T) {
		var f struct {
			Links []api.Link `json:"links"`
		}
		getJSON(t, srv.URL+"/collections/parcels/items/"+itoa(id), "application/geo+json", &f)
		rels := map[string]string{}
		for _, l := range f.Links {
			rels[l.Rel] = l.Href
		}
		if !strings.HasSuffix(rels["self"], "/collections/parcels/items/"+itoa(id)+"?f=json") ||
			!strings.HasSuffix(rels["alternate"], "?f=html") || !strings.HasSuffix(rels["collection"], "/collections/parcels") {
			t.Errorf("links %v", f.Links)
		}
		res, _ := get(t, rels["self"])
		if res.StatusCode != 200 {
			t.Errorf("self link %s: %d", rels["self"], res.StatusCode)
		}
	})

	t.Run("geometry stays lon/lat MultiPolygon by default", func(t *testing.T) {
		fc := getFC(t, srv.URL+"/collections/parcels/items?limit=3")
		for _, f := range fc.Features {
			if _, ok := f.Geometry.(orb.MultiPolygon); !ok {
				t.Errorf("geometry %T", f.Geometry)
			}
		}
	})
}

func jsonNum(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestParcelStatusCollection(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	fc := getFC(t, srv.URL+"/collections/parcel_status/items?limit=1000&datetime="+exp.AsOf)
	if len(fc.Features) != len(exp.Parcels) {
		t.Fatalf("%d features, %d parcels", len(fc.Features), len(exp.Parcels))
	}
	for _, f := range fc.Features {
		z := f.Properties["zddm"].(string)
		if got, want := f.Properties["status"], exp.Parcels[z].Category; got != want {
			t.Errorf("%s: status %v, want %s", z, got, want)
		}
	}
	// Filtering by status, and the bbox path that classifies only the parcels inside it.
	idle := getFC(t, srv.URL+"/collections/parcel_status/items?limit=1000&status=IDLE_2Y&datetime="+exp.AsOf)
	if len(idle.Features) != exp.CategoryCounts["IDLE_2Y"] {
		t.Errorf("status=IDLE_2Y: %d, want %d", len(idle.Features), exp.CategoryCounts["IDLE_2Y"])
	}
	box := getFC(t, srv.URL+"/collections/parcel_status/items?limit=1000&bbox=120.60,27.92,120.68,27.97&datetime="+exp.AsOf)
	var inBox int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(120.60,27.92,120.68,27.97,4490))`).Scan(&inBox)
	if len(box.Features) != inBox {
		t.Errorf("bbox: %d features, %d parcels", len(box.Features), inBox)
	}
	for _, f := range box.Features {
		if f.Properties["status"] != exp.Parcels[f.Properties["zddm"].(string)].Category {
			t.Errorf("bbox path status differs for %v", f.Properties["zddm"])
		}
	}
	var id int64
	pool.QueryRow(context.Background(), `SELECT id FROM parcels ORDER BY id LIMIT 1`).Scan(&id)
	var one struct {
		Properties map[string]any `json:"properties"`
	}
	getJSON(t, srv.URL+"/collections/parcel_status/items/"+itoa(id), "application/geo+json", &one)
	if one.Properties["status"] == nil || one.Properties["reasons"] == nil {
		t.Errorf("item %v", one.Properties)
	}
	res, _ := get(t, srv.URL+"/collections/parcel_status/items?datetime=2020-01-01/2021-01-01")
	if res.StatusCode != 400 {
		t.Errorf("interval on parcel_status: %d", res.StatusCode)
	}
}

// A bbox outside its CRS's domain (zone-40 eastings with the zone number sent as
// EPSG:4549) is the caller's error, not a server fault.
func TestBBoxOutsideProjectionDomain(t *testing.T) {
	_, srv, _ := demoServer(t, demodb.Fixtures)
	res, body := get(t, srv.URL+"/collections/parcels/items?bbox-crs="+url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4549")+
		"&bbox=3090000,40560000,3100000,40570000")
	if res.StatusCode != 400 || !strings.Contains(string(body), "invalid-parameter") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}

// schemaAdmits reports whether a JSON value fits a property's schema (type and format).
func schemaAdmits(schema map[string]any, v any) bool {
	var kind string
	switch x := v.(type) {
	case string:
		kind = "string"
		if schema["format"] == "date" {
			if _, err := time.Parse(time.DateOnly, x); err != nil {
				return false
			}
		}
	case float64:
		kind = "number"
		if x == math.Trunc(x) {
			kind = "integer"
		}
	case bool:
		kind = "boolean"
	case []any:
		kind = "array"
	default:
		kind = "object"
	}
	types, _ := schema["type"].([]any)
	if one, ok := schema["type"].(string); ok {
		types = []any{one}
	}
	for _, t := range types {
		if t == kind || (t == "number" && kind == "integer") {
			return true
		}
	}
	return false
}
