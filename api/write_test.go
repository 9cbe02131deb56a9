package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// TestPart4Writes edits block lines over HTTP the way QGIS 3.34 does.
func TestPart4Writes(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	secret, _ := store.CreateToken(ctx, pool, "qgis-zhang", "planner")
	planner := client{t, srv.URL, secret}
	anon := client{t, srv.URL, ""}

	do := func(cl client, method, path string, headers map[string]string, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		if cl.token != "" {
			req.Header.Set("Authorization", "Bearer "+cl.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res, m
	}

	t.Run("OPTIONS tells QGIS what it may do", func(t *testing.T) {
		for path, want := range map[string]string{
			"/collections/block_lines/items":   "POST",
			"/collections/block_lines/items/1": "PATCH",
			"/collections/parcels/items/1":     "DELETE",
		} {
			res, _ := do(anon, "OPTIONS", path, nil, "")
			if !strings.Contains(res.Header.Get("Allow"), want) {
				t.Errorf("OPTIONS %s: Allow %q lacks %s", path, res.Header.Get("Allow"), want)
			}
		}
		res, _ := do(anon, "OPTIONS", "/collections/districts/items", nil, "")
		if strings.Contains(res.Header.Get("Allow"), "POST") {
			t.Errorf("districts are read-only, Allow %q", res.Header.Get("Allow"))
		}
	})

	// A free spot in 瓯海 for a new level-2 line, in lat/lon as QGIS sends EPSG:4490.
	var lat, lon float64
	pool.QueryRow(ctx, `SELECT ST_Y(p), ST_X(p) FROM districts d, generate_series(1, 19) i, generate_series(1, 19) j,
  LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_XMin(d.geom) + (ST_XMax(d.geom) - ST_XMin(d.geom)) * i / 20.0, ST_YMin(d.geom) + (ST_YMax(d.geom) - ST_YMin(d.geom)) * j / 20.0), 4490) p) s
  WHERE d.xzqdm = '330304' AND ST_Within(p, d.geom) AND NOT EXISTS (SELECT 1 FROM block_lines b WHERE ST_DWithin(b.geom, p, 0.005)) ORDER BY i, j LIMIT 1`).Scan(&lat, &lon)
	square := func(d float64) string { // lat-first ring
		return fmt.Sprintf(`[[[%[1]f,%[2]f],[%[1]f,%[4]f],[%[3]f,%[4]f],[%[3]f,%[2]f],[%[1]f,%[2]f]]]`, lat, lon, lat+d, lon+d)
	}
	feature := func(code string, ring string) string {
		return `{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + ring + `},"properties":{"code":"` + code + `","name":"QGIS新增","xzqdm":"330304","level":2,"area_m2":123}}`
	}
	qgisHeaders := map[string]string{"Content-Type": "application/geo+json", "Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/4490"}
	var newID string

	t.Run("create needs a planner token, then returns Location", func(t *testing.T) {
		res, p := do(anon, "POST", "/collections/block_lines/items", qgisHeaders, feature("330304-GYQK-21", square(0.002)))
		if res.StatusCode != 401 || p["type"] != "urn:landreg:problem:unauthorized" {
			t.Fatalf("anonymous create: %d %v", res.StatusCode, p)
		}
		res, f := do(planner, "POST", "/collections/block_lines/items", qgisHeaders, feature("330304-GYQK-21", square(0.002)))
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %v", res.StatusCode, f)
		}
		loc := res.Header.Get("Location")
		newID = loc[strings.LastIndex(loc, "/items/")+len("/items/"):]
		if res.Header.Get("ETag") != `"`+newID+`-1"` {
			t.Errorf("ETag %q", res.Header.Get("ETag"))
		}
		// Stored lon/lat: the lat-first input was put in storage order.
		coords := f["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any)[0].([]any)[0].([]any)
		if x := coords[0].(float64); x < 119 || x > 122 {
			t.Errorf("stored first x %v is not a longitude", x)
		}
		var actor string
		pool.QueryRow(ctx, `SELECT actor FROM audit_log WHERE table_name = 'block_lines' AND row_key = $1`, newID).Scan(&actor)
		if actor != "qgis-zhang" {
			t.Errorf("audit actor %q", actor)
		}
	})

	t.Run("patch, replace, If-Match and rule violations", func(t *testing.T) {
		path := "/collections/block_lines/items/" + newID
		res, f := do(planner, "PATCH", path, map[string]string{"Content-Type": "application/merge-patch+json"}, `{"properties":{"name":"改名"}}`)
		if res.StatusCode != 200 || f["properties"].(map[string]any)["name"] != "改名" || res.Header.Get("ETag") != `"`+newID+`-2"` {
			t.Fatalf("patch: %d %v %s", res.StatusCode, f, res.Header.Get("ETag"))
		}
		res, p := do(planner, "PATCH", path, map[string]string{"If-Match": `"` + newID + `-1"`}, `{"properties":{"name":"过期"}}`)
		if res.StatusCode != 412 || p["type"] != "urn:landreg:problem:precondition-failed" {
			t.Errorf("stale If-Match: %d %v", res.StatusCode, p)
		}
		// Growing the line (an addition) is accepted; shrinking it (a removal) is not.
		h := map[string]string{"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/4490", "If-Match": `"` + newID + `-2"`}
		res, _ = do(planner, "PUT", path, h, feature("330304-GYQK-21", square(0.003)))
		if res.StatusCode != 200 {
			t.Fatalf("replace (grow): %d", res.StatusCode)
		}
		res, p = do(planner, "PUT", path, map[string]string{"Content-Crs": "http://www.opengis.net/def/crs/EPSG/0/4490"}, feature("330304-GYQK-21", square(0.001)))
		if res.StatusCode != 422 || p["type"] != "urn:landreg:problem:block-line-rule" || !strings.Contains(p["detail"].(string), "needs an approved adjustment") {
			t.Errorf("replace (shrink): %d %v", res.StatusCode, p)
		}
		bowtie := fmt.Sprintf(`[[[%[1]f,%[2]f],[%[3]f,%[4]f],[%[1]f,%[4]f],[%[3]f,%[2]f],[%[1]f,%[2]f]]]`, lat, lon, lat+0.001, lon+0.001)
		res, p = do(planner, "POST", "/collections/block_lines/items", qgisHeaders, feature("330304-GYQK-22", bowtie))
		if res.StatusCode != 422 || p["type"] != "urn:landreg:problem:invalid-geometry" {
			t.Errorf("self-intersecting: %d %v", res.StatusCode, p)
		}
		res, p = do(planner, "POST", "/collections/block_lines/items", qgisHeaders, feature("330304-GYQK-23", square(0.001)))
		if res.StatusCode != 409 || p["type"] != "urn:landreg:problem:overlap" {
			t.Errorf("overlapping: %d %v", res.StatusCode, p)
		}
		res, p = do(planner, "POST", "/collections/block_lines/items", map[string]string{}, feature("330304-GYQK-24", square(0.001)))
		if res.StatusCode != 400 || p["type"] != "urn:landreg:problem:invalid-geometry" {
			t.Errorf("lat/lon sent as CRS84: %d %v", res.StatusCode, p)
		}
		res, p = do(planner, "POST", "/collections/block_lines/items", qgisHeaders, `{"type":"Feature","geometry":null,"properties":{"colour":"red"}}`)
		if res.StatusCode != 400 || p["field"] != "properties.colour" {
			t.Errorf("unknown property: %d %v", res.StatusCode, p)
		}
		res, p = do(planner, "POST", "/collections/block_lines/items", qgisHeaders, feature("330304-GYQK-25", square(0.0005))[:40])
		if res.StatusCode != 400 || p["type"] != "urn:landreg:problem:malformed-json" {
			t.Errorf("truncated JSON: %d %v", res.StatusCode, p)
		}
		res, _ = do(planner, "POST", "/collections/districts/items", qgisHeaders, feature("x", square(0.001)))
		if res.StatusCode != 405 {
			t.Errorf("POST to read-only districts: %d", res.StatusCode)
		}
		reg, _ := store.CreateToken(ctx, pool, "registrar-li", "registrar")
		res, _ = do(client{t, srv.URL, reg}, "POST", "/collections/block_lines/items", qgisHeaders, feature("330304-GYQK-26", square(0.0005)))
		if res.StatusCode != 403 {
			t.Errorf("registrar writing block lines: %d", res.StatusCode)
		}
		// The id QGIS echoes back from the properties is accepted when it names this
		// feature, refused when it names another (properties pasted between features).
		res, f = do(planner, "PATCH", path, nil, `{"properties":{"id":`+newID+`,"name":"回显"}}`)
		if res.StatusCode != 200 || fmt.Sprint(f["properties"].(map[string]any)["id"]) != newID {
			t.Errorf("patch echoing its own id: %d %v", res.StatusCode, f)
		}
		res, p = do(planner, "PATCH", path, nil, `{"properties":{"id":1,"name":"别的"}}`)
		if res.StatusCode != 400 || p["field"] != "properties.id" {
			t.Errorf("patch with another feature's id: %d %v", res.StatusCode, p)
		}
		var named string
		pool.QueryRow(ctx, `SELECT name FROM block_lines WHERE id = $1`, newID).Scan(&named)
		if named != "回显" {
			t.Errorf("name after the refused patch %q", named)
		}
	})

	t.Run("parcel properties follow every write", func(t *testing.T) {
		reg, _ := store.CreateToken(ctx, pool, "registrar-zhao", "registrar")
		var pid string
		pool.QueryRow(ctx, `SELECT id::text FROM parcels ORDER BY id LIMIT 1`).Scan(&pid)
		res, f := do(client{t, srv.URL, reg}, "PATCH", "/collections/parcels/items/"+pid, map[string]string{"Content-Type": "application/merge-patch+json"},
			`{"properties":{"project_name":"改名项目","price_wan":123.45}}`)
		props := f["properties"].(map[string]any)
		if res.StatusCode != 200 || props["project_name"] != "改名项目" || props["price_wan"] != 123.45 || props["version"] != 2.0 {
			t.Errorf("patched parcel: %d %v", res.StatusCode, props)
		}
		// The version as of before the patch still shows the old values, with its end date.
		old := getFC(t, srv.URL+"/collections/parcels/items?limit=1&datetime=2000-01-01/..&zddm="+props["zddm"].(string)+"&version=1")
		if len(old.Features) != 1 || old.Features[0].Properties["project_name"] == "改名项目" || old.Features[0].Properties["valid_to"] == nil {
			t.Errorf("version 1 of the patched parcel: %+v", old.Features)
		}
		res, p := do(client{t, srv.URL, reg}, "PATCH", "/collections/parcels/items/"+pid, nil, `{"properties":{"price_wan":-5}}`)
		if res.StatusCode != 422 || p["type"] != "urn:landreg:problem:constraint-violation" {
			t.Errorf("negative price: %d %v", res.StatusCode, p)
		}
		res, p = do(client{t, srv.URL, reg}, "PATCH", "/collections/parcels/items/"+pid, nil, `{"properties":{"contract_date":"yesterday"}}`)
		if res.StatusCode != 422 {
			t.Errorf("bad date: %d %v", res.StatusCode, p)
		}
	})

	t.Run("delete retires and keeps history", func(t *testing.T) {
		// Deleting a line is a removal: refused without an adjustment …
		res, p := do(planner, "DELETE", "/collections/block_lines/items/"+newID, nil, "")
		if res.StatusCode != 422 || p["type"] != "urn:landreg:problem:block-line-rule" {
			t.Errorf("delete of a block line: %d %v", res.StatusCode, p)
		}
		// … while a parcel can be retired by a registrar and stays in history.
		reg, _ := store.CreateToken(ctx, pool, "registrar-wang", "registrar")
		var pid string
		pool.QueryRow(ctx, `SELECT id::text FROM parcels ORDER BY id DESC LIMIT 1`).Scan(&pid)
		res, _ = do(client{t, srv.URL, reg}, "DELETE", "/collections/parcels/items/"+pid, nil, "")
		if res.StatusCode != 204 {
			t.Fatalf("retire parcel: %d", res.StatusCode)
		}
		if res, _ := get(t, srv.URL+"/collections/parcels/items/"+pid); res.StatusCode != 404 {
			t.Errorf("retired parcel still current: %d", res.StatusCode)
		}
		var retired bool
		pool.QueryRow(ctx, `SELECT retired FROM parcels_history WHERE id = $1::bigint ORDER BY version DESC LIMIT 1`, pid).Scan(&retired)
		if !retired {
			t.Error("retired parcel missing from history")
		}
		res, _ = do(client{t, srv.URL, reg}, "DELETE", "/collections/parcels/items/"+pid, nil, "")
		if res.StatusCode != 404 {
			t.Errorf("second delete: %d", res.StatusCode)
		}
	})
}
