package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// Issue 13 over HTTP: a bureau registers its district and changes it, each change a
// version with its document; keeps its enterprises; transfers a parcel's holder; retires
// a parcel as of the decision's date.

func TestDistrictsAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	admin := client{t, srv.URL, token(t, pool, "admin-li", landreg.RoleAdmin)}
	planner := client{t, srv.URL, token(t, pool, "planner-zhao", landreg.RolePlanner)}
	registrar := client{t, srv.URL, token(t, pool, "registrar-qian", landreg.RoleRegistrar)}
	anon := client{t, srv.URL, ""}
	count := func(sql string) (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// 苍南县 (synthetic box south of 瑞安), sent in EPSG:4549 as a bureau's GIS has it.
	cangnan := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(120.30, 27.30, 120.60, 27.55, 4490), 4549), 3, 0)::json`)
	district := func(over map[string]any) map[string]any {
		d := map[string]any{"xzqdm": "330327", "name": "苍南县", "geometry": cangnan, "crs": "EPSG:4549",
			"rule_start": "2021-01-01", "rule_end": "2030-12-31", "comp_ratio": 1, "level_for_level": true, "minor_edit_m2": 1,
			"include_logistics": false, "doc_no": "苍政发〔2020〕88号（示例）", "effective_date": "2020-12-31", "reason": "县级行政区登记"}
		for k, v := range over {
			if v == nil {
				delete(d, k)
			} else {
				d[k] = v
			}
		}
		return d
	}

	t.Run("register with validation", func(t *testing.T) {
		versions, audits := count(`SELECT count(*) FROM districts_all`), count(`SELECT count(*) FROM audit_log`)
		anon.want(401, "unauthorized", "POST", "/v1/districts", district(nil))
		planner.want(403, "forbidden", "POST", "/v1/districts", district(nil))
		registrar.want(403, "forbidden", "POST", "/v1/districts", district(nil))
		ruian := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_MakeEnvelope(120.50, 27.50, 120.60, 27.70, 4490), 9, 0)::json`)
		for _, b := range []struct {
			name   string
			over   map[string]any
			status int
			typ    string
			field  string
		}{
			{"prefecture code", map[string]any{"xzqdm": "330300"}, 422, "invalid-code", "xzqdm"},
			{"no name", map[string]any{"name": " "}, 422, "constraint-violation", "name"},
			{"ratio below 1", map[string]any{"comp_ratio": 0.5}, 422, "constraint-violation", "comp_ratio"},
			{"ratio NaN", map[string]any{"comp_ratio": "NaN"}, 422, "constraint-violation", "comp_ratio"},
			{"negative allowance", map[string]any{"minor_edit_m2": -1}, 422, "constraint-violation", "minor_edit_m2"},
			{"window reversed", map[string]any{"rule_end": "2020-06-30"}, 422, "constraint-violation", "rule_end"},
			{"bad date", map[string]any{"rule_start": "2021-02-30"}, 422, "constraint-violation", "rule_start"},
			{"no document", map[string]any{"doc_no": nil}, 422, "constraint-violation", "doc_no"},
			{"no boundary", map[string]any{"geometry": nil}, 400, "invalid-parameter", "geometry"},
			{"not a polygon", map[string]any{"geometry": json.RawMessage(`{"type":"Point","coordinates":[500000,3050000]}`)}, 400, "invalid-geometry", "geometry"},
			{"degrees said to be GK", map[string]any{"geometry": ruian}, 400, "invalid-geometry", "geometry"},
			{"future date", map[string]any{"effective_date": landreg.Today().AddDate(0, 0, 2).Format(time.DateOnly)}, 422, "constraint-violation", "effective_date"},
			{"unknown field", map[string]any{"baseline_area_m2": 1}, 400, "invalid-parameter", "baseline_area_m2"},
			{"overlapping 瑞安市", map[string]any{"geometry": ruian, "crs": nil}, 409, "district-overlap", "geometry"},
		} {
			p := admin.want(b.status, b.typ, "POST", "/v1/districts", district(b.over))
			if p["field"] != b.field || !strings.Contains(p["detail"].(string), " / ") {
				t.Errorf("%s: %v", b.name, p)
			}
		}
		if n := count(`SELECT count(*) FROM districts_all`); n != versions {
			t.Errorf("refused registrations wrote %d district versions", n-versions)
		}
		if n := count(`SELECT count(*) FROM audit_log`); n != audits {
			t.Errorf("refused registrations wrote %d audit rows", n-audits)
		}
		res, body := admin.do("POST", "/v1/districts", district(nil))
		if res.StatusCode != 201 || res.Header.Get("Location") != srv.URL+"/v1/districts/330327" {
			t.Fatalf("register: %d %s", res.StatusCode, body)
		}
		var d map[string]any
		json.Unmarshal(body, &d)
		if d["gk_crs"] != "EPSG:4549" || d["version"] != 1.0 || d["valid_from"] != "2020-12-31" || d["doc_no"] != "苍政发〔2020〕88号（示例）" || d["created_by"] != "admin-li" {
			t.Errorf("registered %v", d)
		}
		admin.want(409, "duplicate", "POST", "/v1/districts", district(nil))
	})

	t.Run("change, versions and the collection", func(t *testing.T) {
		admin.want(422, "constraint-violation", "PATCH", "/v1/districts/330327", map[string]any{"comp_ratio": 1.2})
		admin.want(400, "invalid-parameter", "PATCH", "/v1/districts/330327", map[string]any{"doc_no": "苍政发〔2024〕1号（示例）"})
		admin.want(422, "constraint-violation", "PATCH", "/v1/districts/330327", map[string]any{"doc_no": "x", "comp_ratio": 1.2, "effective_date": "2019-01-01"})
		admin.want(404, "not-found", "PATCH", "/v1/districts/330399", map[string]any{"doc_no": "x", "comp_ratio": 1.2})
		planner.want(403, "forbidden", "PATCH", "/v1/districts/330327", map[string]any{"doc_no": "x", "comp_ratio": 1.2})
		d := admin.want(200, "", "PATCH", "/v1/districts/330327", map[string]any{"doc_no": "苍政发〔2024〕1号（示例）", "comp_ratio": 1.2,
			"include_logistics": true, "effective_date": "2024-01-01", "reason": "补划比例提高"})
		if d["version"] != 2.0 || d["comp_ratio"] != 1.2 || d["include_logistics"] != true || d["valid_from"] != "2024-01-01" || d["rule_start"] != "2021-01-01" {
			t.Errorf("changed %v", d)
		}
		// If-Match names the version the change replaces.
		req, _ := http.NewRequest("PATCH", srv.URL+"/v1/districts/330327", strings.NewReader(`{"doc_no":"y","minor_edit_m2":2}`))
		req.Header.Set("Authorization", "Bearer "+admin.token)
		req.Header.Set("If-Match", `"330327-1"`)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 412 {
			t.Errorf("stale If-Match: %v %v", res.StatusCode, err)
		}
		old := anon.want(200, "", "GET", "/v1/districts/330327?date=2023-06-30", nil)
		if old["version"] != 1.0 || old["comp_ratio"] != 1.0 || old["valid_to"] != "2024-01-01" {
			t.Errorf("as of 2023-06-30: %v", old)
		}
		anon.want(404, "not-found", "GET", "/v1/districts/330327?date=2019-06-30", nil)
		for date, version := range map[string]float64{"2023-06-30": 1, "2024-06-30": 2} {
			fc := getFC(t, srv.URL+"/collections/districts/items?xzqdm=330327&datetime="+date)
			if len(fc.Features) != 1 || fc.Features[0].Properties["version"] != version || fc.Features[0].Properties["gk_srid"] != 4549.0 {
				t.Errorf("collection as of %s: %v", date, fc.Features)
			}
		}
		h := anon.want(200, "", "GET", "/v1/districts/330327/history", nil)
		vs, au := h["versions"].([]any), h["audit"].([]any)
		if len(vs) != 2 || len(au) != 2 || au[1].(map[string]any)["new"].(map[string]any)["doc_no"] != "苍政发〔2024〕1号（示例）" {
			t.Errorf("history: %d versions, audit %v", len(vs), au)
		}
		list := anon.want(200, "", "GET", "/v1/districts", nil)["districts"].([]any)
		if len(list) != 4 {
			t.Errorf("%d districts listed, want 4", len(list))
		}
	})

	t.Run("boundary from a GBK shapefile", func(t *testing.T) {
		if !exchange.HaveGDAL() {
			testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
		}
		dir := t.TempDir()
		gj := filepath.Join(dir, "county.geojson")
		g := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_MakeEnvelope(120.00, 27.30, 120.30, 27.55, 4490), 9, 0)::json`)
		b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{"type": "Feature",
			"properties": map[string]any{"XZQDM": "330328", "XZQMC": "文成县"}, "geometry": g}}})
		os.WriteFile(gj, b, 0o644)
		gdalRun(t, "ogr2ogr", "-f", "ESRI Shapefile", filepath.Join(dir, "县界.shp"), gj, "-t_srs", "EPSG:4549", "-lco", "ENCODING=GBK")
		var files []part
		for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
			b, err := os.ReadFile(filepath.Join(dir, "县界"+ext))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, part{"file", "县界" + ext, b})
		}
		send := func(method, path, secret string, fields map[string]string, files ...part) (int, map[string]any) {
			body, ct := multipartBody(fields, files...)
			req, _ := http.NewRequest(method, srv.URL+path, body)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var m map[string]any
			json.Unmarshal(raw, &m)
			return res.StatusCode, m
		}
		if st, m := send("POST", "/v1/districts", admin.token, map[string]string{"xzqdm": "330328", "rule_start": "2021-01-01"}, files...); st != 422 || m["field"] != "doc_no" {
			t.Errorf("no document: %d %v", st, m)
		}
		st, m := send("POST", "/v1/districts", admin.token, map[string]string{"doc_no": "文政发〔2020〕5号（示例）", "rule_start": "2021-01-01",
			"comp_ratio": "1.1"}, files...)
		bf, _ := m["boundary_file"].(map[string]any)
		if st != 201 || m["xzqdm"] != "330328" || m["name"] != "文成县" || m["comp_ratio"] != 1.1 || m["valid_from"] != "2021-01-01" ||
			bf["source_crs"] != "EPSG:4549" || bf["crs_from"] != "file" {
			t.Fatalf("registered from a shapefile: %d %v", st, m)
		}
		var moved float64
		pool.QueryRow(ctx, `SELECT ST_HausdorffDistance(ST_Transform(geom, 4549), ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4549)) FROM districts WHERE xzqdm = '330328'`, string(g)).Scan(&moved)
		if moved > 0.01 {
			t.Errorf("boundary moved %.4f m", moved)
		}
		// A new boundary from a file is a new version; an overlapping one is refused.
		over := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_MakeEnvelope(120.00, 27.30, 120.35, 27.55, 4490), 9, 0)::json`)
		b, _ = json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{"type": "Feature",
			"properties": map[string]any{"XZQDM": "330328"}, "geometry": over}}})
		if st, m := send("PATCH", "/v1/districts/330328", admin.token, map[string]string{"doc_no": "文政发〔2025〕1号（示例）"},
			part{"file", "new.geojson", b}); st != 409 || m["type"] != "urn:landreg:problem:district-overlap" {
			t.Errorf("overlapping new boundary: %d %v", st, m)
		}
		if st, m := send("PATCH", "/v1/districts/330328", admin.token, map[string]string{"doc_no": "x"}, part{"file", "bad.geojson", []byte("<xml/>")}); st != 422 || m["type"] != "urn:landreg:problem:file-type-mismatch" {
			t.Errorf("disguised file: %d %v", st, m)
		}
		if d := anon.want(200, "", "GET", "/v1/districts/330328", nil); d["version"] != 1.0 {
			t.Errorf("refused boundaries changed the district: %v", d)
		}
	})
}

func TestEnterprisesTransfersAndRetirement(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	reg := client{t, srv.URL, token(t, pool, "registrar-sun", landreg.RoleRegistrar)}
	planner := client{t, srv.URL, token(t, pool, "planner-zhou", landreg.RolePlanner)}
	anon := client{t, srv.URL, ""}
	uscc := func(first17 string) string {
		c, err := codes.USCCCheck(first17)
		if err != nil {
			t.Fatal(err)
		}
		return first17 + string(c)
	}
	a, b := uscc("91330304MA2TXTA00"), uscc("91330304MA2TXTB00")

	t.Run("enterprises", func(t *testing.T) {
		anon.want(401, "unauthorized", "POST", "/v1/enterprises", map[string]any{"uscc": a, "name": "甲"})
		planner.want(403, "forbidden", "POST", "/v1/enterprises", map[string]any{"uscc": a, "name": "甲"})
		bad := a[:17] + map[bool]string{true: "1", false: "0"}[a[17] == '0']
		for _, c := range []struct {
			body  map[string]any
			typ   string
			field string
		}{
			{map[string]any{"uscc": bad, "name": "甲"}, "invalid-code", "uscc"},
			{map[string]any{"uscc": a}, "constraint-violation", "name"},
			{map[string]any{"uscc": a, "name": "甲", "industry_code": "34431"}, "invalid-code", "industry_code"},
			{map[string]any{"uscc": a, "name": "甲", "is_above_size": "maybe"}, "constraint-violation", "is_above_size"},
		} {
			if p := reg.want(422, c.typ, "POST", "/v1/enterprises", c.body); p["field"] != c.field {
				t.Errorf("%v: %v", c.body, p)
			}
		}
		reg.want(400, "invalid-parameter", "POST", "/v1/enterprises", map[string]any{"uscc": a, "name": "甲", "owner": "x"})
		e := reg.want(201, "", "POST", "/v1/enterprises", map[string]any{"uscc": a, "name": "温州甲阀门有限公司（示例）", "industry_code": "3443",
			"is_above_size": true, "address": "温州市瓯海区娄桥街道"})
		if e["address"] != "温州市瓯海区娄桥街道" || e["is_above_size"] != true {
			t.Errorf("created %v", e)
		}
		reg.want(409, "duplicate", "POST", "/v1/enterprises", map[string]any{"uscc": a, "name": "again"})
		e = reg.want(200, "", "PATCH", "/v1/enterprises/"+a, map[string]any{"is_above_size": false, "address": "温州市瓯海区潘桥街道"})
		if e["is_above_size"] != false || e["address"] != "温州市瓯海区潘桥街道" || e["name"] != "温州甲阀门有限公司（示例）" {
			t.Errorf("patched %v", e)
		}
		reg.want(422, "constraint-violation", "PATCH", "/v1/enterprises/"+a, map[string]any{"name": nil})
		reg.want(404, "not-found", "PATCH", "/v1/enterprises/"+b, map[string]any{"address": "x"})
		list := anon.want(200, "", "GET", "/v1/enterprises?q="+url.QueryEscape("甲阀门"), nil)
		if list["numberMatched"] != 1.0 || len(list["enterprises"].([]any)) != 1 {
			t.Errorf("search %v", list)
		}
		var audited int
		pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE table_name = 'enterprises' AND row_key = $1`, a).Scan(&audited)
		if audited != 2 {
			t.Errorf("%d audit rows for the enterprise, want 2", audited)
		}
	})

	square := `{"type":"Polygon","coordinates":[[[120.7000,27.9000],[120.7015,27.9000],[120.7015,27.9013],[120.7000,27.9013],[120.7000,27.9000]]]}`
	newParcel := func(zddm, holder string) map[string]any {
		return map[string]any{"type": "Feature", "geometry": json.RawMessage(square), "properties": map[string]any{"zddm": zddm, "xzqdm": "330304",
			"holder_uscc": holder, "holder_name": "温州甲阀门有限公司（示例）", "landuse_code": "0601", "contract_date": "2024-01-10",
			"agreed_delivery": "2024-03-01", "agreed_start": "2024-09-01", "price_wan": 1200}}
	}
	var id string
	t.Run("a parcel of an unknown holder", func(t *testing.T) {
		p := reg.want(422, "unknown-reference", "POST", "/v1/parcels", newParcel("330304009009GB00001", b))
		if p["field"] != "properties.holder_uscc" || !strings.Contains(p["detail"].(string), "未登记为企业") || !strings.Contains(p["detail"].(string), "not a registered enterprise") {
			t.Errorf("unknown holder: %v", p)
		}
		res, body := reg.do("POST", "/v1/parcels", newParcel("330304009009GB00001", a))
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		loc := res.Header.Get("Location")
		id = loc[strings.LastIndex(loc, "/")+1:]
		p = reg.want(422, "unknown-reference", "PATCH", "/v1/parcels/"+id, map[string]any{"properties": map[string]any{"holder_uscc": b}})
		if p["field"] != "properties.holder_uscc" {
			t.Errorf("patch to an unknown holder: %v", p)
		}
	})

	t.Run("transfer", func(t *testing.T) {
		path := "/v1/parcels/" + id + "/events"
		ev := func(payload map[string]any) map[string]any {
			return map[string]any{"type": "TRANSFERRED", "event_date": "2024-06-20", "doc_no": "浙(2024)瓯海区不动产权第0099999号（示例）", "payload": payload}
		}
		for _, c := range []struct {
			payload map[string]any
			status  int
			typ     string
			field   string
		}{
			{map[string]any{"contract_no": "转〔2024〕1号"}, 422, "invalid-event", "payload.new_holder_uscc"},
			{map[string]any{"new_holder_uscc": b}, 422, "invalid-event", "payload.contract_no"},
			{map[string]any{"new_holder_uscc": b, "contract_no": "转〔2024〕1号"}, 422, "unknown-reference", "payload.new_holder_uscc"},
			{map[string]any{"new_holder_uscc": b[:17] + "I", "contract_no": "转〔2024〕1号"}, 422, "invalid-code", "payload.new_holder_uscc"},
		} {
			if p := reg.want(c.status, c.typ, "POST", path, ev(c.payload)); p["field"] != c.field {
				t.Errorf("%v: %v", c.payload, p)
			}
		}
		reg.want(201, "", "POST", "/v1/enterprises", map[string]any{"uscc": b, "name": "温州乙泵业有限公司（示例）", "industry_code": "3441"})
		e := reg.want(201, "", "POST", path, ev(map[string]any{"new_holder_uscc": b, "contract_no": "转〔2024〕1号", "contract_date": "2024-06-01", "price_wan": 1500}))
		if p := e["payload"].(map[string]any); p["previous_holder_uscc"] != a || p["new_holder_name"] != "温州乙泵业有限公司（示例）" {
			t.Errorf("transfer event %v", e)
		}
		h := anon.want(200, "", "GET", "/v1/parcels/"+id+"/history", nil)
		vs := h["versions"].([]any)
		last := vs[len(vs)-1].(map[string]any)
		if len(vs) != 2 || vs[0].(map[string]any)["properties"].(map[string]any)["holder_uscc"] != a ||
			last["properties"].(map[string]any)["holder_uscc"] != b || last["valid_from"] != "2024-06-20" {
			t.Errorf("history versions %v", vs)
		}
		if e := anon.want(200, "", "GET", "/v1/enterprises/"+b, nil); len(e["parcels"].([]any)) != 1 {
			t.Errorf("the new holder's parcels %v", e["parcels"])
		}
	})

	t.Run("retirement as of its legal date", func(t *testing.T) {
		tomorrow := landreg.Today().AddDate(0, 0, 1).Format(time.DateOnly)
		if p := reg.want(422, "constraint-violation", "DELETE", "/v1/parcels/"+id+"?effective_date="+tomorrow, nil); p["field"] != "effective_date" {
			t.Errorf("retired tomorrow: %v", p)
		}
		if p := reg.want(422, "constraint-violation", "DELETE", "/v1/parcels/"+id+"?effective_date=2024-06-19", nil); p["field"] != "effective_date" {
			t.Errorf("retired before its current version: %v", p)
		}
		reg.want(400, "invalid-parameter", "DELETE", "/v1/parcels/"+id+"?kind="+url.QueryEscape("拆除"), nil)
		reg.want(400, "invalid-parameter", "DELETE", "/v1/parcels/"+id+"?doc_no=a", map[string]any{"doc_no": "b"})
		res, body := reg.do("DELETE", "/v1/parcels/"+id+"?effective_date=2025-01-15", map[string]any{"doc_no": "瓯政注〔2025〕2号（示例）", "kind": "注销", "reason": "企业注销"})
		if res.StatusCode != 204 {
			t.Fatalf("retire: %d %s", res.StatusCode, body)
		}
		for date, retired := range map[string]bool{"2025-01-14": false, "2025-01-15": true} {
			st := anon.want(200, "", "GET", "/v1/parcels/"+id+"/status?date="+date, nil)
			if (st["category"] == "RETIRED") != retired {
				t.Errorf("status as of %s: %v", date, st["category"])
			}
		}
		h := anon.want(200, "", "GET", "/v1/parcels/"+id+"/history", nil)
		vs := h["versions"].([]any)
		last := vs[len(vs)-1].(map[string]any)
		r, _ := h["retirement"].(map[string]any)
		if last["retired"] != true || last["valid_to"] != "2025-01-15" || r["doc_no"] != "瓯政注〔2025〕2号（示例）" || r["kind"] != "注销" || r["recorded_by"] != "registrar-sun" {
			t.Errorf("history after retirement: last %v, retirement %v", last, r)
		}
		// As of the day before, the collection still has it; from that day it is gone.
		for date, n := range map[string]int{"2025-01-14": 1, "2025-01-15": 0} {
			if fc := getFC(t, srv.URL+"/collections/parcels/items?zddm=330304009009GB00001&datetime="+date); len(fc.Features) != n {
				t.Errorf("parcels as of %s: %d, want %d", date, len(fc.Features), n)
			}
		}
		reg.want(404, "not-found", "DELETE", fmt.Sprintf("/v1/parcels/%s?effective_date=2025-01-20", id), nil)
	})
}

// TestImportCreateHoldersField: /v1/imports registers unknown holders only with
// create_holders=true; otherwise each such feature is an error of the report.
func TestImportCreateHoldersField(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	registrar := token(t, pool, "registrar-wu", landreg.RoleRegistrar)
	c, _ := codes.USCCCheck("91330304MA2NEWH00")
	holder := "91330304MA2NEWH00" + string(c)
	file, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{"type": "Feature",
		"properties": map[string]any{"宗地代码": "330304009009GB00007", "土地用途": "0601", "权利人": "温州新权利人有限公司（示例）", "统一社会信用代码": holder},
		"geometry":   json.RawMessage(`{"type":"Polygon","coordinates":[[[120.7000,27.9000],[120.7015,27.9000],[120.7015,27.9013],[120.7000,27.9013],[120.7000,27.9000]]]}`)}}})
	f := part{"file", "宗地.geojson", file}
	res, m, raw := postUpload(t, srv.URL, registrar, map[string]string{"kind": "parcels"}, f)
	rep, _ := m["report"].(map[string]any)
	if res.StatusCode != 422 || m["type"] != "urn:landreg:problem:import-refused" || rep["totals"].(map[string]any)["unknown-enterprise"] != 1.0 {
		t.Fatalf("without create_holders: %d %s", res.StatusCode, raw)
	}
	if res, _, raw := postUpload(t, srv.URL, registrar, map[string]string{"kind": "parcels", "create_holders": "maybe"}, f); res.StatusCode != 400 {
		t.Errorf("create_holders=maybe: %d %s", res.StatusCode, raw)
	}
	res, m, raw = postUpload(t, srv.URL, registrar, map[string]string{"kind": "parcels", "create_holders": "true"}, f)
	if res.StatusCode != 201 || m["imported"] != 1.0 || m["enterprises_created"] != 1.0 {
		t.Fatalf("with create_holders: %d %s", res.StatusCode, raw)
	}
	var name string
	pool.QueryRow(context.Background(), `SELECT name FROM enterprises WHERE uscc = $1`, holder).Scan(&name)
	if name != "温州新权利人有限公司（示例）" {
		t.Errorf("registered holder %q", name)
	}
}
