package api_test

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// Issue 13.2 over HTTP: a county registered from scratch delineates its block lines
// (POST /v1/imports with adjustment_kind=划定), which fixes its baseline; the past is
// closed; a 划定更正 re-fixes the baseline and shows in quota/history. Admins only.
func TestDelineationAPI(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	admin := client{t, srv.URL, token(t, pool, "admin-li", landreg.RoleAdmin)}
	planner := client{t, srv.URL, token(t, pool, "planner-zhao", landreg.RolePlanner)}
	cangnan := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_MakeEnvelope(120.30, 27.30, 120.60, 27.55, 4490), 9, 0)::json`)
	admin.want(201, "", "POST", "/v1/districts", map[string]any{"xzqdm": "330327", "name": "苍南县", "geometry": cangnan,
		"rule_start": "2021-01-01", "rule_end": "2030-12-31", "doc_no": "苍政发〔2020〕88号（示例）", "effective_date": "2020-12-31", "reason": "县级行政区登记"})

	env := func(x0, y0, x1, y1 float64) json.RawMessage {
		return geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_MakeEnvelope($1, $2, $3, $4, 4490), 9, 0)::json`, x0, y0, x1, y1)
	}
	m2 := func(g json.RawMessage) (a float64) {
		pool.QueryRow(ctx, `SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)::geography)`, string(g)).Scan(&a)
		return a
	}
	l1, l2 := env(120.40, 27.40, 120.41, 27.41), env(120.45, 27.40, 120.455, 27.41)
	want := m2(l1) + m2(l2)
	file, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{
		map[string]any{"type": "Feature", "properties": map[string]any{"区块编号": "330327-GYQK-01", "区块名称": "灵溪一级", "级别": "一级"}, "geometry": l1},
		map[string]any{"type": "Feature", "properties": map[string]any{"区块编号": "330327-GYQK-02", "区块名称": "龙港二级", "级别": "二级"}, "geometry": l2},
	}})
	fields := map[string]string{"kind": "block-lines", "adjustment_kind": "划定", "xzqdm": "330327", "doc_no": "苍政办〔2020〕30号（示例）",
		"effective_date": "2020-12-31", "reason": "2020 版工业区块线划定"}
	lines := part{"file", "区块线2020.geojson", file}

	res, m, _ := postUpload(t, srv.URL, planner.token, fields, lines)
	if res.StatusCode != 403 || m["type"] != "urn:landreg:problem:forbidden" {
		t.Fatalf("planner delineating: %d %v", res.StatusCode, m)
	}
	res, m, raw := postUpload(t, srv.URL, admin.token, fields, lines)
	dl, _ := m["delineation"].(map[string]any)
	if res.StatusCode != 201 || dl == nil || math.Abs(dl["baseline_m2"].(float64)-want) > 1e-6 || dl["kind"] != "划定" || dl["effective_date"] != "2020-12-31" {
		t.Fatalf("delineation: %d %s", res.StatusCode, raw)
	}
	d := admin.want(200, "", "GET", "/v1/districts/330327", nil)
	if b, _ := d["baseline"].(map[string]any); b == nil || math.Abs(b["m2"].(float64)-want) > 0.005 || d["baseline_doc"] != "苍政办〔2020〕30号（示例）" ||
		d["baseline_date"] != "2020-12-31" || d["version"] != 2.0 {
		t.Errorf("district after 划定: %v", d)
	}
	q := admin.want(200, "", "GET", "/v1/districts/330327/quota?date=2021-06-30", nil)
	if q["pass"] != true || q["rule_applies"] != true {
		t.Errorf("quota after 划定: %v", q)
	}
	if q := admin.want(200, "", "GET", "/v1/districts/330327/quota?date=2020-12-31", nil); q["pass"] != nil || q["rule_applies"] != false {
		t.Errorf("quota outside the window: %v", q)
	}

	// A second 划定 is refused, nothing written.
	res, m, raw = postUpload(t, srv.URL, admin.token, fields, lines)
	if res.StatusCode != 422 || m["type"] != "urn:landreg:problem:import-refused" || !strings.Contains(raw, "划定更正") {
		t.Errorf("second 划定: %d %s", res.StatusCode, raw)
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines WHERE xzqdm = '330327'`).Scan(&n)
	if n != 2 {
		t.Errorf("%d lines after the refused 划定", n)
	}
	// … and over the adjustments API: 409 already-delineated.
	adj := func(kind, eff string, additions ...json.RawMessage) float64 {
		var as []map[string]any
		for _, g := range additions {
			as = append(as, map[string]any{"geometry": g, "level": 1})
		}
		a := admin.want(201, "", "POST", "/v1/adjustments", map[string]any{"xzqdm": "330327", "kind": kind, "doc_no": "苍自然资〔2026〕" + kind,
			"effective_date": eff, "proposed_on": eff, "reason": kind, "additions": as})
		return a["id"].(float64)
	}
	apply := func(c client, status int, typ string, id float64) map[string]any {
		return c.want(status, typ, "POST", "/v1/adjustments/"+jsonNumber(id)+"/apply", nil)
	}
	apply(admin, 409, "already-delineated", adj("划定", "2020-12-31", env(120.50, 27.40, 120.51, 27.41)))

	// The past is closed: a 补划 dated before the rule window fails its preview, with
	// its figures, and is refused when applied even if approved over it.
	bank := env(120.35, 27.35, 120.36, 27.36)
	early := adj("补划", "2020-12-31", bank)
	p := admin.want(200, "", "GET", "/v1/adjustments/"+jsonNumber(early)+"/preview", nil)
	if p["accepted"] != false || p["raw"].(map[string]any)["sqlstate"] != "LRR08" ||
		math.Abs(p["level1"].(map[string]any)["added"].(map[string]any)["m2"].(float64)-m2(bank)) > 0.01 {
		t.Errorf("preview of a change before the window: %v", p)
	}
	admin.want(422, "preview-failed", "POST", "/v1/adjustments/"+jsonNumber(early)+"/approve", map[string]any{"date": "2020-12-31"})
	admin.want(200, "", "POST", "/v1/adjustments/"+jsonNumber(early)+"/approve", map[string]any{"date": "2020-12-31", "override_reason": "测试实施时的校验"})
	apply(admin, 422, "before-rule-window", early)

	// 划定更正: an admin's step; it re-fixes the baseline and is in quota/history.
	fix := adj("划定更正", "2020-12-31", bank)
	apply(planner, 403, "forbidden", fix)
	out := apply(admin, 200, "", fix)
	if math.Abs(out["baseline_m2"].(float64)-(want+m2(bank))) > 1e-6 || out["baseline_before_m2"] == nil {
		t.Errorf("correction: %v", out)
	}
	h := admin.want(200, "", "GET", "/v1/districts/330327/quota/history", nil)
	kinds := map[string]float64{}
	for _, c := range h["changes"].([]any) {
		c := c.(map[string]any)
		if b, _ := c["baseline"].(map[string]any); c["kind"] == "delineation" && b != nil {
			kinds[c["adjustment_kind"].(string)] = b["m2"].(float64)
		}
	}
	if math.Abs(kinds["划定"]-want) > 0.005 || math.Abs(kinds["划定更正"]-(want+m2(bank))) > 0.005 {
		t.Errorf("history's delineation rows: %v", kinds)
	}
	if q := admin.want(200, "", "GET", "/v1/districts/330327/quota?date=2024-12-31", nil); q["pass"] != true ||
		math.Abs(q["baseline"].(map[string]any)["m2"].(float64)-(want+m2(bank))) > 0.005 {
		t.Errorf("quota after the correction: %v", q)
	}
}

// TestRefusedPreviewShowsItsFigures (issue 14.7): a preview refused by the baseline rule
// shows the removal, the addition and the total that failed, not zeros.
func TestRefusedPreviewShowsItsFigures(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "planner-zhao", landreg.RolePlanner)}
	var lineID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM block_lines WHERE xzqdm = '330304' AND level = 1 ORDER BY id LIMIT 1`).Scan(&lineID); err != nil {
		t.Fatal(err)
	}
	removal := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Buffer(ST_PointOnSurface(geom)::geography, 50, 16)::geometry, 9, 0)::json FROM block_lines WHERE id = $1`, lineID)
	addition := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Buffer(p::geography, 60, 16)::geometry, 9, 0)::json
FROM districts d, generate_series(1, 19) i, generate_series(1, 19) j,
  LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_XMin(d.geom) + (ST_XMax(d.geom) - ST_XMin(d.geom)) * i / 20.0,
                                          ST_YMin(d.geom) + (ST_YMax(d.geom) - ST_YMin(d.geom)) * j / 20.0), 4490) AS p) s
WHERE d.xzqdm = '330304' AND ST_Within(p, d.geom)
  AND NOT EXISTS (SELECT 1 FROM block_lines b WHERE ST_DWithin(b.geom::geography, p::geography, 400))
ORDER BY i, j LIMIT 1`)
	var rem, add, total, baseline float64
	pool.QueryRow(ctx, `SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)::geography), ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($2), 4490)::geography),
  (SELECT sum(area_m2) FROM block_lines WHERE xzqdm = '330304') FROM districts WHERE xzqdm = '330304'`, string(removal), string(addition)).Scan(&rem, &add, &total)
	// An official baseline above the lines (as TestTotalNeverBelowBaseline in store).
	if _, err := pool.Exec(ctx, `UPDATE districts SET baseline_area_m2 = baseline_area_m2 + 1e5 WHERE xzqdm = '330304' RETURNING baseline_area_m2`); err != nil {
		t.Fatal(err)
	}
	pool.QueryRow(ctx, `SELECT baseline_area_m2 FROM districts WHERE xzqdm = '330304'`).Scan(&baseline)
	a := planner.want(201, "", "POST", "/v1/adjustments", map[string]any{"xzqdm": "330304", "kind": "调整", "doc_no": "瓯政〔2023〕1号", "effective_date": "2023-06-30",
		"proposed_on": "2023-01-01", "reason": "道路建设", "removals": []any{map[string]any{"geometry": removal}},
		"additions": []any{map[string]any{"geometry": addition, "level": 1}}})
	p := planner.want(200, "", "GET", "/v1/adjustments/"+jsonNumber(a["id"].(float64))+"/preview", nil)
	m := func(path ...string) float64 {
		var v any = p
		for _, k := range path {
			v = v.(map[string]any)[k]
		}
		return v.(float64)
	}
	if p["accepted"] != false || !strings.Contains(p["message"].(string), "below the baseline") {
		t.Fatalf("preview %v", p)
	}
	after := total - rem + add
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"removed", m("level1", "removed", "m2"), rem}, {"added", m("level1", "added", "m2"), add},
		{"total before", m("total_before", "m2"), total}, {"total after", m("total_after", "m2"), after},
		{"baseline", m("baseline", "m2"), baseline}, {"short of the baseline", m("baseline_short", "m2"), baseline - after},
	} {
		if math.Abs(c.got-c.want) > 0.5 {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

// jsonNumber writes an id decoded from JSON (a float64) as the path has it.
func jsonNumber(id float64) string { return strconv.FormatInt(int64(id), 10) }
