package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, path string, body any) (*http.Response, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

// want asserts a status (and, for errors, a problem type) and decodes the body.
func (c client) want(status int, problemType string, method, path string, body any) map[string]any {
	c.t.Helper()
	res, out := c.do(method, path, body)
	if res.StatusCode != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, status, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		c.t.Fatalf("%s %s: body is not JSON: %s", method, path, out)
	}
	if problemType != "" {
		if res.Header.Get("Content-Type") != "application/problem+json" || m["type"] != "urn:landreg:problem:"+problemType {
			c.t.Fatalf("%s %s: want problem %s, got %s %s", method, path, problemType, res.Header.Get("Content-Type"), out)
		}
	}
	return m
}

// geomJSON asks PostGIS for a geometry as GeoJSON (optionally transformed to srid).
func geomJSON(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) json.RawMessage {
	t.Helper()
	var g json.RawMessage
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&g); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return g
}

func TestAdjustmentsAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	tok := func(name, role string) string { return token(t, pool, name, role) }
	anon := client{t, srv.URL, ""}
	alice := client{t, srv.URL, tok("alice", "planner")}
	boss := client{t, srv.URL, tok("boss", "admin")}
	reg := client{t, srv.URL, tok("reg", "registrar")}

	// A circle of ~50 m radius inside a level-1 line of 瓯海, and a square outside every
	// line well inside the district, found by PostGIS on whatever the fixtures hold.
	var lineID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM block_lines WHERE xzqdm = '330304' AND level = 1 ORDER BY id LIMIT 1`).Scan(&lineID); err != nil {
		t.Fatal(err)
	}
	removal := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Buffer(ST_PointOnSurface(geom)::geography, 50, 16)::geometry, 9, 0)::json FROM block_lines WHERE id = $1`, lineID)
	freeSpot := `SELECT ST_AsGeoJSON(ST_Buffer(p::geography, 120, 16)::geometry, 9, 0)::json
FROM districts d, generate_series(1, 19) i, generate_series(1, 19) j,
  LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_XMin(d.geom) + (ST_XMax(d.geom) - ST_XMin(d.geom)) * i / 20.0,
                                          ST_YMin(d.geom) + (ST_YMax(d.geom) - ST_YMin(d.geom)) * j / 20.0), 4490) AS p) s
WHERE d.xzqdm = '330304' AND ST_Within(p, d.geom)
  AND NOT EXISTS (SELECT 1 FROM block_lines b WHERE ST_DWithin(b.geom::geography, p::geography, 400))
ORDER BY i, j LIMIT 1`
	addition := geomJSON(t, pool, freeSpot)
	newAdj := func(kind, eff string, removals, additions []json.RawMessage) map[string]any {
		// Proposed well before its effective date, so that it can be approved on a past date.
		req := map[string]any{"xzqdm": "330304", "kind": kind, "level": 1, "doc_no": "瓯政〔2023〕" + eff, "effective_date": eff,
			"proposed_on": "2022-01-01", "reason": "道路建设"}
		var rs, as []map[string]any
		for _, g := range removals {
			rs = append(rs, map[string]any{"geometry": g})
		}
		for _, g := range additions {
			as = append(as, map[string]any{"geometry": g})
		}
		req["removals"], req["additions"] = rs, as
		return req
	}

	t.Run("writes need a token with the right role", func(t *testing.T) {
		body := newAdj("调整", "2023-06-30", []json.RawMessage{removal}, nil)
		anon.want(401, "unauthorized", "POST", "/v1/adjustments", body)
		reg.want(403, "forbidden", "POST", "/v1/adjustments", body)
		client{t, srv.URL, "lr_not_a_token"}.want(401, "unauthorized", "GET", "/collections", nil)
	})

	t.Run("bad input gets a clear problem", func(t *testing.T) {
		bowtie := json.RawMessage(`{"type":"Polygon","coordinates":[[[120.60,27.90],[120.61,27.91],[120.61,27.90],[120.60,27.91],[120.60,27.90]]]}`)
		p := alice.want(422, "invalid-geometry", "POST", "/v1/adjustments", newAdj("调整", "2023-06-30", []json.RawMessage{bowtie}, nil))
		if !strings.Contains(p["detail"].(string), "Self-intersection") || p["field"] != "parts[0].geometry" {
			t.Errorf("bow-tie problem %v", p)
		}
		swapped := json.RawMessage(`{"type":"Polygon","coordinates":[[[27.90,120.60],[27.90,120.61],[27.91,120.61],[27.91,120.60],[27.90,120.60]]]}`)
		p = alice.want(400, "invalid-geometry", "POST", "/v1/adjustments", newAdj("调整", "2023-06-30", []json.RawMessage{swapped}, nil))
		if !strings.Contains(p["detail"].(string), "swapped") || p["field"] != "removals[0].geometry" {
			t.Errorf("swapped-axes problem %v", p)
		}
		metres := newAdj("调整", "2023-06-30", []json.RawMessage{json.RawMessage(`{"type":"Polygon","coordinates":[[[568000,3098000],[568100,3098000],[568100,3098100],[568000,3098000]]]}`)}, nil)
		alice.want(400, "invalid-geometry", "POST", "/v1/adjustments", metres) // GK metres sent as CRS84
		metres["crs"] = "EPSG:2385"
		p = alice.want(400, "invalid-parameter", "POST", "/v1/adjustments", metres)
		if p["field"] != "crs" || p["allowed"] == nil {
			t.Errorf("unknown CRS problem %v", p)
		}
		open := json.RawMessage(`{"type":"Polygon","coordinates":[[[120.60,27.90],[120.61,27.90],[120.61,27.91],[120.60,27.91]]]}`)
		alice.want(400, "invalid-geometry", "POST", "/v1/adjustments", newAdj("调整", "2023-06-30", []json.RawMessage{open}, nil))
		alice.want(400, "malformed-json", "POST", "/v1/adjustments", `{"xzqdm": "330304",`)
		alice.want(400, "malformed-json", "POST", "/v1/adjustments", `{"xzqdm": "330304", "colour": "red"}`)
		bad := newAdj("调整", "2023-06-30", []json.RawMessage{removal}, nil)
		bad["kind"] = "改划"
		alice.want(400, "invalid-parameter", "POST", "/v1/adjustments", bad)
		bad = newAdj("调整", "2023-02-30", []json.RawMessage{removal}, nil)
		alice.want(400, "invalid-parameter", "POST", "/v1/adjustments", bad)
		bad = newAdj("调整", "2023-06-30", []json.RawMessage{removal}, nil)
		bad["xzqdm"] = "330399"
		alice.want(422, "unknown-reference", "POST", "/v1/adjustments", bad)
		huge := []byte(`{"xzqdm":"330304","reason":"` + strings.Repeat("x", 9<<20) + `"}`)
		alice.want(413, "payload-too-large", "POST", "/v1/adjustments", huge)
		alice.want(404, "not-found", "GET", "/v1/adjustments/999999/preview", nil)
	})

	t.Run("removal without compensation, then 先补后占", func(t *testing.T) {
		a := alice.want(201, "", "POST", "/v1/adjustments", newAdj("调整", "2024-03-31", []json.RawMessage{removal}, nil))
		id := int(a["id"].(float64))
		path := fmt.Sprintf("/v1/adjustments/%d", id)
		pv := anon.want(200, "", "GET", path+"/preview", nil)
		short := pv["level1"].(map[string]any)["shortfall"].(map[string]any)["mu"].(float64)
		if pv["accepted"] != false || short <= 0 {
			t.Fatalf("preview %v", pv)
		}
		alice.want(409, "invalid-state", "POST", path+"/apply", nil) // not approved yet
		alice.want(403, "forbidden", "POST", path+"/approve", nil)
		// Approval runs the same preview (TestApprovalChecksThePreviewAPI); approved here
		// over it, so that apply's own refusal is what is tested.
		if st := boss.want(200, "", "POST", path+"/approve", map[string]string{"date": "2024-03-20",
			"override_reason": "测试实施校验 / testing apply's check"})["status"]; st != "approved" {
			t.Fatalf("status %v", st)
		}
		p := alice.want(422, "block-line-rule", "POST", path+"/apply", nil)
		rule := p["rule"].(map[string]any)
		if math.Abs(rule["shortfall_m2_l1"].(float64)*3/2000-short) > 0.0001 || !strings.Contains(p["detail"].(string), "一级缺口") {
			t.Errorf("apply problem %v; preview shortfall %v mu", p, short)
		}
		// 先补: bank more than the removal in 2022 …
		b := alice.want(201, "", "POST", "/v1/adjustments", newAdj("补划", "2022-09-30", nil, []json.RawMessage{addition}))
		bpath := fmt.Sprintf("/v1/adjustments/%d", int(b["id"].(float64)))
		boss.want(200, "", "POST", bpath+"/approve", map[string]string{"date": "2022-09-30"})
		bo := alice.want(200, "", "POST", bpath+"/apply", nil)
		if bo["reserve_added"].(map[string]any)["m2"].(float64) <= 0 {
			t.Fatalf("补划 outcome %v", bo)
		}
		// … 后占: now the removal passes, drawing on the reserve, and matches its preview.
		pv = anon.want(200, "", "GET", path+"/preview", nil)
		o := alice.want(200, "", "POST", path+"/apply", nil)
		if o["accepted"] != true || o["reserve_used"].(map[string]any)["m2"] != pv["reserve_used"].(map[string]any)["m2"] ||
			o["total_after"].(map[string]any)["m2"] != pv["total_after"].(map[string]any)["m2"] {
			t.Errorf("apply %v differs from preview %v", o, pv)
		}
		if st := anon.want(200, "", "GET", path, nil)["status"]; st != "applied" {
			t.Errorf("status after apply %v", st)
		}
		// Every block-line write carries the planner's token name as actor.
		var actors []string
		rows, _ := pool.Query(ctx, `SELECT DISTINCT actor FROM audit_log WHERE table_name = 'block_lines' AND at > now() - interval '1 hour' AND actor <> 'fixtures'`)
		for rows.Next() {
			var a string
			rows.Scan(&a)
			actors = append(actors, a)
		}
		if len(actors) != 1 || actors[0] != "alice" {
			t.Errorf("block-line audit actors %v, want [alice]", actors)
		}
	})

	t.Run("GK input is transformed by PostGIS", func(t *testing.T) {
		gk := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4549), 3, 0)::json`, string(removal))
		req := newAdj("调整", "2025-01-01", []json.RawMessage{gk}, nil)
		req["crs"] = "http://www.opengis.net/def/crs/EPSG/0/4549"
		a := alice.want(201, "", "POST", "/v1/adjustments", req)
		var want float64
		pool.QueryRow(ctx, `SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)::geography)`, string(removal)).Scan(&want)
		got := a["parts"].([]any)[0].(map[string]any)["area_m2"].(float64)
		if math.Abs(got-want) > 0.01+want*1e-6 {
			t.Errorf("GK round trip area %v, want %v", got, want)
		}
	})

	t.Run("quota as of a date and its history", func(t *testing.T) {
		q := anon.want(200, "", "GET", "/v1/districts/330304/quota?date=2025-12-31", nil)
		var total, baseline float64
		pool.QueryRow(ctx, `SELECT (SELECT sum(area_m2) FROM block_lines WHERE xzqdm = '330304'), baseline_area_m2 FROM districts WHERE xzqdm = '330304'`).Scan(&total, &baseline)
		if got := q["total"].(map[string]any)["m2"].(float64); math.Abs(got-total) > 0.01 {
			t.Errorf("quota total %v, lines sum %v", got, total)
		}
		if q["pass"] != true || q["margin"].(map[string]any)["m2"].(float64) < 0 {
			t.Errorf("quota %v", q)
		}
		h := anon.want(200, "", "GET", "/v1/districts/330304/quota/history", nil)
		changes := h["changes"].([]any)
		last := changes[len(changes)-1].(map[string]any)
		if last["actor"] != "alice" || last["doc_no"] == nil || len(h["year_ends"].([]any)) < 5 {
			t.Errorf("history %v", h)
		}
		city := anon.want(200, "", "GET", "/v1/quota?date=2025-12-31", nil)
		sum := 0.0
		for _, d := range city["districts"].([]any) {
			sum += d.(map[string]any)["total"].(map[string]any)["m2"].(float64)
		}
		if math.Abs(sum-city["total"].(map[string]any)["m2"].(float64)) > 0.05 || len(city["districts"].([]any)) != 3 {
			t.Errorf("city roll-up %v", city)
		}
		anon.want(404, "not-found", "GET", "/v1/districts/999999/quota", nil)
		anon.want(400, "invalid-parameter", "GET", "/v1/districts/330304/quota?date=last-year", nil)
	})

	t.Run("block lines as of a date", func(t *testing.T) {
		// Before the 2022 bank and the 2024 removal the line had its first version.
		fc := getFC(t, srv.URL+"/collections/block_lines/items?datetime=2021-06-30&limit=100")
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM block_lines_all WHERE valid_from <= '2021-06-30' AND (valid_to IS NULL OR valid_to > '2021-06-30')`).Scan(&n)
		if len(fc.Features) != n || fc.NumberMatched != n {
			t.Errorf("as of 2021-06-30: %d features, %d versions valid", len(fc.Features), n)
		}
		for _, f := range fc.Features {
			if int64(f.ID.(float64)) == lineID && f.Properties.MustFloat64("version") != 1 {
				t.Errorf("line %d as of 2021 is version %v", lineID, f.Properties["version"])
			}
		}
		now := getFC(t, srv.URL+"/collections/block_lines/items?limit=100")
		if len(now.Features) != len(fc.Features)+1 { // the 补划 added one line
			t.Errorf("now %d lines, 2021 %d", len(now.Features), len(fc.Features))
		}
		// Districts are versioned too (issue 13): as of 2021 the demo's, as delineated on
		// 2020-12-31; before the delineation none is in force.
		var nd int
		pool.QueryRow(ctx, `SELECT count(*) FROM districts`).Scan(&nd)
		if dc := getFC(t, srv.URL+"/collections/districts/items?datetime=2021-06-30"); nd == 0 || len(dc.Features) != nd {
			t.Errorf("districts as of 2021-06-30: %d features, %d districts", len(dc.Features), nd)
		}
		if dc := getFC(t, srv.URL+"/collections/districts/items?datetime=2019-06-30"); len(dc.Features) != 0 {
			t.Errorf("districts as of 2019-06-30, before their delineation: %d features", len(dc.Features))
		}
	})

	t.Run("auth-reads protects reads", func(t *testing.T) {
		locked := httptest.NewServer(api.New(api.Config{Version: "test", AuthReads: true}, pool, zerolog.Nop()))
		defer locked.Close()
		client{t, locked.URL, ""}.want(401, "unauthorized", "GET", "/collections", nil)
		client{t, locked.URL, reg.token}.want(200, "", "GET", "/collections", nil)
		client{t, locked.URL, ""}.want(200, "", "GET", "/healthz", nil)
	})
}

// TestDirectEditReviewAPI: the bureau's 复核 of a direct edit that added area, through
// POST /v1/districts/{code}/ledger/{id}/review (admin only, once, with a finding).
func TestDirectEditReviewAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	tok := func(name, role string) string { return token(t, pool, name, role) }
	alice := client{t, srv.URL, tok("alice", "planner")}
	boss := client{t, srv.URL, tok("boss", "admin")}

	// A line drawn as QGIS would: straight into the table, no adjustment.
	err := store.InTx(ctx, pool, store.Change{Actor: "db:qgis", Reason: "数字化 / digitised"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom)
VALUES ('330304-GYQK-R1', '直接新增', '330304', 1, ST_Multi(ST_MakeEnvelope(120.600, 27.930, 120.602, 27.940, 4490)))`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM block_line_ledger WHERE kind = 'direct' AND needs_review`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/v1/districts/330304/ledger/%d/review", id)
	finding := map[string]any{"note": "现场核实，新增地块属实 / checked on site"}

	alice.want(403, "forbidden", "POST", path, finding)
	boss.want(422, "constraint-violation", "POST", path, map[string]any{"note": "  "})
	boss.want(400, "malformed-json", "POST", path, `{"note": `)
	boss.want(404, "not-found", "POST", fmt.Sprintf("/v1/districts/330302/ledger/%d/review", id), finding)
	boss.want(400, "invalid-parameter", "POST", "/v1/districts/330304/ledger/x/review", finding)
	r := boss.want(201, "", "POST", path, finding)
	if r["reviewer"] != "boss" || r["note"] != finding["note"] || r["ledger_id"] != float64(id) {
		t.Fatalf("review: %v", r)
	}
	boss.want(409, "invalid-state", "POST", path, finding)

	h := boss.want(200, "", "GET", "/v1/districts/330304/quota/history", nil)
	found := false
	for _, c := range h["changes"].([]any) {
		ch := c.(map[string]any)
		if ch["id"] == float64(id) {
			found = true
			rv, _ := ch["review"].(map[string]any)
			if ch["needs_review"] != false || rv == nil || rv["reviewer"] != "boss" {
				t.Errorf("ledger entry after review: %v", ch)
			}
		}
	}
	if !found {
		t.Fatalf("ledger entry %d not in the history", id)
	}
}

// TestVocabulary: the labels every client reads are the database's, one set for all.
func TestVocabulary(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	res, body := get(t, srv.URL+"/v1/vocabulary")
	var v struct {
		IdleCategories []struct{ Code, Zh, En, Colour string } `json:"idle_categories"`
		EventTypes     []struct{ Code, Zh string }             `json:"event_types"`
		Roles          []string                                `json:"roles"`
	}
	if res.StatusCode != 200 || json.Unmarshal(body, &v) != nil {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if len(v.EventTypes) != len(landreg.EventTypes) || len(v.Roles) != 4 || len(v.IdleCategories) < 12 {
		t.Errorf("vocabulary: %d event types, %d roles, %d categories", len(v.EventTypes), len(v.Roles), len(v.IdleCategories))
	}
	for _, c := range v.IdleCategories {
		var zh string
		pool.QueryRow(context.Background(), `SELECT landreg_sys.idle_category_zh($1)`, c.Code).Scan(&zh)
		if zh != c.Zh || c.En == "" || c.Colour == "" {
			t.Errorf("%s: served %q (%q, %q), status label %q", c.Code, c.Zh, c.En, c.Colour, zh)
		}
	}
}
