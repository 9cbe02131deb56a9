package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest/demodb"
)

// Issue 14, "Block lines and quota": items 1, 2, 3, 5 and 6 through the API, on the
// demo fixtures (瓯海 330304 and 龙湾 330303 share the border at 120.72°E).

// lonPerMetre: degrees of longitude per metre at 27.95°N.
const lonPerMetre = 1 / (111320 * 0.88337)

func rectJSON(x0, y0, x1, y1 float64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}`,
		x0, y0, x1, y0, x1, y1, x0, y1, x0, y0))
}

func lineFeature(code, xzqdm string, g json.RawMessage) map[string]any {
	return map[string]any{"type": "Feature", "geometry": g,
		"properties": map[string]any{"code": code, "name": "测试区块", "xzqdm": xzqdm, "level": 2}}
}

// freeSquare is a ~200 m square in the district, at least 400 m from every line.
func freeSquare(t *testing.T, pool *pgxpool.Pool, xzqdm string) json.RawMessage {
	t.Helper()
	return geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Envelope(ST_Buffer(p::geography, 100)::geometry), 9, 0)::json
FROM districts d, generate_series(1, 19) i, generate_series(1, 19) j,
  LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_XMin(d.geom) + (ST_XMax(d.geom) - ST_XMin(d.geom)) * i / 20.0,
                                          ST_YMin(d.geom) + (ST_YMax(d.geom) - ST_YMin(d.geom)) * j / 20.0), 4490) AS p) s
WHERE d.xzqdm = $1 AND ST_Within(ST_SetSRID(ST_Buffer(p::geography, 300)::geometry, 4490), d.geom)
  AND NOT EXISTS (SELECT 1 FROM block_lines b WHERE ST_DWithin(b.geom::geography, p::geography, 400))
ORDER BY i, j LIMIT 1`, xzqdm)
}

func adjustmentBody(xzqdm, kind, eff, proposed string, removals, additions []json.RawMessage) map[string]any {
	req := map[string]any{"xzqdm": xzqdm, "kind": kind, "level": 1, "doc_no": "测试〔" + eff + "〕" + kind,
		"effective_date": eff, "reason": "测试 / test"}
	if proposed != "" {
		req["proposed_on"] = proposed
	}
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

func m2(v any) float64 { return v.(map[string]any)["m2"].(float64) }

// TestTerritoryAPI (14.1): a line lies in its own district (0.5 m tolerance) and shares
// no land with another district's line, for Part 4 writes and adjustments alike.
func TestTerritoryAPI(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "alice", "planner")}
	admin := client{t, srv.URL, token(t, pool, "boss", "admin")}
	const lat = 27.95

	// An 瓯海 line drawn inside 龙湾.
	inLongwan := rectJSON(120.85, lat, 120.852, lat+0.002)
	p := planner.want(422, "outside-district", "POST", "/collections/block_lines/items", lineFeature("330304-GYQK-50", "330304", inLongwan))
	if !strings.Contains(p["detail"].(string), "超出所属行政区") || !strings.Contains(p["detail"].(string), "lies outside its district 330304") || p["field"] != "geom" {
		t.Errorf("outside problem %v", p)
	}
	// 0.3 m over the common border is within the tolerance; 龙湾 may then not draw on it.
	planner.want(201, "", "POST", "/collections/block_lines/items",
		lineFeature("330304-GYQK-51", "330304", rectJSON(120.718, lat, 120.72+0.3*lonPerMetre, lat+0.002)))
	p = planner.want(409, "overlap", "POST", "/collections/block_lines/items",
		lineFeature("330303-GYQK-51", "330303", rectJSON(120.72-0.3*lonPerMetre, lat+0.001, 120.722, lat+0.003)))
	if !strings.Contains(p["detail"].(string), "of district 330304") {
		t.Errorf("overlap problem %v", p)
	}

	// A 补划 of 瓯海 drawn in 龙湾 (it would be banked as 瓯海's reserve): its preview says
	// why it cannot pass, approving it needs an override, and apply refuses it anyway.
	a := planner.want(201, "", "POST", "/v1/adjustments", adjustmentBody("330304", "补划", "2024-06-30", "2024-06-01", nil,
		[]json.RawMessage{rectJSON(120.86, lat, 120.862, lat+0.002)}))
	path := fmt.Sprintf("/v1/adjustments/%d", int(a["id"].(float64)))
	pv := planner.want(200, "", "GET", path+"/preview", nil)
	if pv["accepted"] != false || !strings.Contains(pv["message"].(string), "outside its district") || pv["raw"].(map[string]any)["sqlstate"] != "LRB02" {
		t.Fatalf("preview of a 补划 outside its district: %v", pv)
	}
	admin.want(422, "preview-failed", "POST", path+"/approve", map[string]string{"date": "2024-06-30"})
	admin.want(200, "", "POST", path+"/approve", map[string]string{"date": "2024-06-30", "override_reason": "测试 / test"})
	planner.want(422, "outside-district", "POST", path+"/apply", nil)
	var reserve float64
	pool.QueryRow(context.Background(), `SELECT coalesce(sum(area_m2), 0) FROM compensation_reserve`).Scan(&reserve)
	if reserve != 0 {
		t.Errorf("%.2f m² banked from land outside the district", reserve)
	}
}

// TestFutureAdjustmentAPI (14.2): an adjustment effective tomorrow is previewed and may
// be approved, but not applied before its date.
func TestFutureAdjustmentAPI(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "alice", "planner")}
	admin := client{t, srv.URL, token(t, pool, "boss", "admin")}
	ctx := context.Background()
	var today, tomorrow string
	pool.QueryRow(ctx, `SELECT landreg_sys.today()::text, (landreg_sys.today() + 1)::text`).Scan(&today, &tomorrow)
	var lines int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines`).Scan(&lines)

	a := planner.want(201, "", "POST", "/v1/adjustments", adjustmentBody("330304", "调整", tomorrow, "", nil,
		[]json.RawMessage{freeSquare(t, pool, "330304")}))
	path := fmt.Sprintf("/v1/adjustments/%d", int(a["id"].(float64)))
	if pv := planner.want(200, "", "GET", path+"/preview", nil); pv["accepted"] != true || pv["effective_date"] != tomorrow {
		t.Fatalf("preview %v", pv)
	}
	admin.want(200, "", "POST", path+"/approve", map[string]string{"date": today})
	p := planner.want(409, "not-yet-effective", "POST", path+"/apply", nil)
	if !strings.Contains(p["detail"].(string), "takes effect on "+tomorrow) || !strings.Contains(p["detail"].(string), "尚未生效") {
		t.Errorf("problem %v", p)
	}
	if st := planner.want(200, "", "GET", path, nil)["status"]; st != "approved" {
		t.Errorf("status %v after the refused apply", st)
	}
	var after int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines`).Scan(&after)
	if after != lines {
		t.Errorf("%d lines after the refused apply, %d before", after, lines)
	}
}

// TestApprovalChecksPreviewAPI (14.3): approval runs the preview and refuses a failing
// one without an override reason, which is recorded; dates follow the procedure.
func TestApprovalChecksPreviewAPI(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "alice", "planner")}
	admin := client{t, srv.URL, token(t, pool, "boss", "admin")}
	ctx := context.Background()
	removal := geomJSON(t, pool, `SELECT ST_AsGeoJSON(ST_Buffer(ST_PointOnSurface(geom)::geography, 50, 16)::geometry, 9, 0)::json
FROM block_lines WHERE xzqdm = '330304' AND level = 1 ORDER BY id LIMIT 1`)

	a := planner.want(201, "", "POST", "/v1/adjustments", adjustmentBody("330304", "调整", "2023-06-30", "2023-05-01", []json.RawMessage{removal}, nil))
	if a["proposed_on"] != "2023-05-01" {
		t.Errorf("proposed_on %v", a["proposed_on"])
	}
	id := int(a["id"].(float64))
	path := fmt.Sprintf("/v1/adjustments/%d", id)
	p := admin.want(422, "preview-failed", "POST", path+"/approve", map[string]string{"date": "2023-06-30"})
	rule, _ := p["rule"].(map[string]any)
	if rule == nil || rule["accepted"] != false || rule["shortfall_m2_l1"].(float64) <= 0 || p["field"] != "override_reason" ||
		!strings.Contains(p["detail"].(string), "一级缺口") || !strings.Contains(p["detail"].(string), "override_reason") {
		t.Errorf("refused approval %v", p)
	}
	if st := planner.want(200, "", "GET", path, nil)["status"]; st != "draft" {
		t.Errorf("status %v after the refused approval", st)
	}
	why := "市政府专题会议同意，补划另案报批 / approved by the city government; compensation follows"
	got := admin.want(200, "", "POST", path+"/approve", map[string]string{"date": "2023-06-30", "override_reason": why})
	if got["status"] != "approved" || got["approved_override_reason"] != why || got["approved_preview"].(map[string]any)["accepted"] != false {
		t.Errorf("approved over the preview: %v", got)
	}
	var actor, reason, override string
	if err := pool.QueryRow(ctx, `SELECT actor, reason, new_row->>'approved_override_reason' FROM audit_log
WHERE table_name = 'adjustments' AND op = 'UPDATE' AND row_key = $1 ORDER BY id DESC LIMIT 1`, fmt.Sprint(id)).Scan(&actor, &reason, &override); err != nil {
		t.Fatal(err)
	}
	if actor != "boss" || reason != why || override != why {
		t.Errorf("audit of the approval: actor %q reason %q override %q", actor, reason, override)
	}

	// Dates in the order of the procedure.
	var today string
	pool.QueryRow(ctx, `SELECT landreg_sys.today()::text`).Scan(&today)
	tomorrow, _ := time.Parse(time.DateOnly, today)
	add := []json.RawMessage{freeSquare(t, pool, "330304")}
	p = planner.want(422, "date-order", "POST", "/v1/adjustments", adjustmentBody("330304", "调整", "2023-06-30", tomorrow.AddDate(0, 0, 1).Format(time.DateOnly), nil, add))
	if p["field"] != "proposed_on" {
		t.Errorf("future proposal %v", p)
	}
	early := adjustmentBody("330304", "调整", "2023-06-30", "2023-05-01", nil, add)
	early["publicity_from"], early["publicity_to"] = "2023-04-20", "2023-05-20"
	if p = planner.want(422, "date-order", "POST", "/v1/adjustments", early); p["field"] != "publicity_from" {
		t.Errorf("publicity before the proposal %v", p)
	}
	early["publicity_from"] = "2023-05-10"
	b := planner.want(201, "", "POST", "/v1/adjustments", early)
	bpath := fmt.Sprintf("/v1/adjustments/%d", int(b["id"].(float64)))
	for date, fragment := range map[string]string{
		"2023-04-30": "before the proposal",
		"2023-05-15": "before the publicity ends",
		"2023-07-01": "after the effective date",
		today:        "after the effective date",
	} {
		p := admin.want(422, "date-order", "POST", bpath+"/approve", map[string]string{"date": date})
		if p["field"] != "date" || !strings.Contains(p["detail"].(string), fragment) {
			t.Errorf("approval on %s: %v", date, p)
		}
	}
	if got := admin.want(200, "", "POST", bpath+"/approve", map[string]string{"date": "2023-06-30"}); got["approved_override_reason"] != nil {
		t.Errorf("an approval whose preview passed records an override: %v", got)
	}
	c := planner.want(201, "", "POST", "/v1/adjustments", adjustmentBody("330304", "调整", tomorrow.AddDate(0, 0, 5).Format(time.DateOnly), "", nil, add))
	p = admin.want(422, "date-order", "POST", fmt.Sprintf("/v1/adjustments/%d/approve", int(c["id"].(float64))),
		map[string]string{"date": tomorrow.AddDate(0, 0, 1).Format(time.DateOnly)})
	if !strings.Contains(p["detail"].(string), "after today") {
		t.Errorf("approval dated tomorrow: %v", p)
	}
	planner.want(400, "invalid-parameter", "POST", path+"/withdraw", map[string]string{"override_reason": "x"})
}

// backDated builds the scenario of 14.5 and 14.6 on the demo fixtures through the API:
// a 补划 of 瓯海 effective 2024-06-30 is recorded, then (at known) a free addition
// effective 2023-06-30, a change recorded later with an earlier date. It returns the
// system time between the two and the back-dated addition's area.
func backDated(t *testing.T, pool *pgxpool.Pool, planner, admin client) (known time.Time, addedM2 float64) {
	t.Helper()
	ctx := context.Background()
	run := func(kind, eff, proposed string, addition json.RawMessage) map[string]any {
		a := planner.want(201, "", "POST", "/v1/adjustments", adjustmentBody("330304", kind, eff, proposed, nil, []json.RawMessage{addition}))
		path := fmt.Sprintf("/v1/adjustments/%d", int(a["id"].(float64)))
		admin.want(200, "", "POST", path+"/approve", map[string]string{"date": eff})
		return planner.want(200, "", "POST", path+"/apply", nil)
	}
	run("补划", "2024-06-30", "2024-06-01", freeSquare(t, pool, "330304"))
	if err := pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&known); err != nil {
		t.Fatal(err)
	}
	o := run("调整", "2023-06-30", "2023-06-01", freeSquare(t, pool, "330304"))
	return known, m2(o["free_added"])
}

// TestQuotaHistoryAgreesWithQuota (14.5): after a back-dated change, the history shows
// for every change the figures recorded then and the figures restated from the versions
// valid at its date, which are quota?date='s; the year-end series is quota's too.
func TestQuotaHistoryAgreesWithQuota(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "alice", "planner")}
	admin := client{t, srv.URL, token(t, pool, "boss", "admin")}
	anon := client{t, srv.URL, ""}
	_, added := backDated(t, pool, planner, admin)

	h := anon.want(200, "", "GET", "/v1/districts/330304/quota/history", nil)
	figures, _ := h["figures"].(map[string]any)
	if figures == nil {
		t.Fatalf("the history does not say which figures are which: %v", h)
	}
	if !strings.Contains(figures["recorded"].(string), "recorded") || !strings.Contains(figures["restated"].(string), "quota?date=effective_date") {
		t.Errorf("figures %v", figures)
	}
	quotaAt := func(date string) map[string]any {
		return anon.want(200, "", "GET", "/v1/districts/330304/quota?date="+date, nil)
	}
	stale := 0
	for _, c := range h["changes"].([]any) {
		ch := c.(map[string]any)
		q := quotaAt(ch["effective_date"].(string))
		rs, _ := ch["restated"].(map[string]any)
		rec, _ := ch["recorded"].(map[string]any)
		if rs == nil || rec == nil {
			t.Fatalf("change %v lacks recorded or restated figures: %v", ch["id"], ch)
		}
		for _, k := range []string{"total", "level1", "level2", "reserve", "committed"} {
			if math.Abs(m2(rs[k])-m2(q[k])) > 0.01 {
				t.Errorf("change %v (%s): restated %s %.2f, quota?date= %.2f", ch["id"], ch["effective_date"], k, m2(rs[k]), m2(q[k]))
			}
		}
		differs := math.Abs(m2(rec["total_after"])-m2(rs["total"])) > 0.01
		if differs != ch["restated_differs"] {
			t.Errorf("change %v: restated_differs %v, recorded %.2f restated %.2f", ch["id"], ch["restated_differs"], m2(rec["total_after"]), m2(rs["total"]))
		}
		if ch["effective_date"] == "2024-06-30" {
			stale++
			// Recorded before the 2023 addition was known; restated with it.
			if math.Abs(m2(rs["total"])-m2(rec["total_after"])-added) > 0.01 {
				t.Errorf("the 2024 change: recorded %.2f, restated %.2f, want the back-dated %.2f m² between them", m2(rec["total_after"]), m2(rs["total"]), added)
			}
		}
	}
	if stale != 1 {
		t.Errorf("%d changes dated 2024-06-30, want 1", stale)
	}
	for _, y := range h["year_ends"].([]any) {
		ye := y.(map[string]any)
		q := quotaAt(ye["date"].(string))
		for _, k := range []string{"total", "reserve", "committed", "margin"} {
			if math.Abs(m2(ye[k])-m2(q[k])) > 0.01 {
				t.Errorf("year end %s: %s %.2f, quota?date= %.2f", ye["date"], k, m2(ye[k]), m2(q[k]))
			}
		}
	}
}

// TestKnownAtAPI (14.6): quota, its history and the block_lines collection as the
// register stood at a past system time reproduce what was published then, although a
// back-dated change has been recorded since.
func TestKnownAtAPI(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	planner := client{t, srv.URL, token(t, pool, "alice", "planner")}
	admin := client{t, srv.URL, token(t, pool, "boss", "admin")}
	anon := client{t, srv.URL, ""}
	ctx := context.Background()
	fcThen := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000")
	known, added := backDated(t, pool, planner, admin)
	k := url.QueryEscape(known.Format(time.RFC3339Nano))

	// Between the two changes, 2024-06-30's figure included the 补划 but not the
	// 2023 addition recorded after; today it includes both.
	published := anon.want(200, "", "GET", "/v1/districts/330304/quota?date=2024-06-30", nil)
	asKnown := anon.want(200, "", "GET", "/v1/districts/330304/quota?date=2024-06-30&known_at="+k, nil)
	if d := m2(published["total"]) - m2(asKnown["total"]); math.Abs(d-added) > 0.01 {
		t.Errorf("2024-06-30 now %.2f, as known at %s %.2f: want the back-dated %.2f between them", m2(published["total"]), known, m2(asKnown["total"]), added)
	}
	if asKnown["known_at"] == nil || asKnown["date"] != "2024-06-30" {
		t.Errorf("as known: %v", asKnown)
	}
	city := anon.want(200, "", "GET", "/v1/quota?date=2024-06-30&known_at="+k, nil)
	if city["known_at"] == nil {
		t.Errorf("city roll-up %v", city)
	}

	h := anon.want(200, "", "GET", "/v1/districts/330304/quota/history?known_at="+k, nil)
	for _, c := range h["changes"].([]any) {
		ch := c.(map[string]any)
		if ch["effective_date"] == "2023-06-30" {
			t.Errorf("history as known at %s lists the change recorded after: %v", known, ch)
		}
		if ch["restated_differs"] != false {
			t.Errorf("as known at %s, change %v restated differs from recorded: %v", known, ch["id"], ch)
		}
	}
	for _, y := range h["year_ends"].([]any) {
		ye := y.(map[string]any)
		q := anon.want(200, "", "GET", "/v1/districts/330304/quota?known_at="+k+"&date="+ye["date"].(string), nil)
		if math.Abs(m2(ye["total"])-m2(q["total"])) > 0.01 {
			t.Errorf("year end %s as known: %.2f, quota %.2f", ye["date"], m2(ye["total"]), m2(q["total"]))
		}
	}

	// The block lines: current as known then, and as of a date as known then.
	fcKnown := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000&known_at="+k)
	var nowLines, then2023 int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines`).Scan(&nowLines)
	if fcKnown.NumberMatched != nowLines-1 || fcKnown.NumberMatched != fcThen.NumberMatched+1 {
		t.Errorf("lines as known at %s: %d; now %d, before the 补划 %d", known, fcKnown.NumberMatched, nowLines, fcThen.NumberMatched)
	}
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines_all WHERE valid_from <= '2023-12-31' AND (valid_to IS NULL OR valid_to > '2023-12-31')`).Scan(&then2023)
	dated := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000&datetime=2023-12-31")
	datedKnown := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000&datetime=2023-12-31&known_at="+k)
	if dated.NumberMatched != then2023 || datedKnown.NumberMatched != then2023-1 {
		t.Errorf("lines valid 2023-12-31: %d now, %d as known at %s; %d versions", dated.NumberMatched, datedKnown.NumberMatched, known, then2023)
	}
	for _, f := range fcKnown.Features {
		if f.Properties["valid_to"] != nil {
			t.Errorf("a line current at %s has valid_to %v", known, f.Properties["valid_to"])
		}
	}

	// known_at as a date is the end of that day in Shanghai: yesterday, nothing of the
	// demo (loaded today) was known; today, everything.
	var yesterday, today string
	pool.QueryRow(ctx, `SELECT (landreg_sys.today() - 1)::text, landreg_sys.today()::text`).Scan(&yesterday, &today)
	if fc := getFC(t, srv.URL+"/collections/block_lines/items?known_at="+yesterday); fc.NumberMatched != 0 {
		t.Errorf("%d lines known yesterday", fc.NumberMatched)
	}
	if q := anon.want(200, "", "GET", "/v1/districts/330304/quota?known_at="+yesterday, nil); m2(q["total"]) != 0 || q["date"] != yesterday {
		t.Errorf("quota as known yesterday: %v", q)
	}
	if fc := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000&known_at="+today); fc.NumberMatched != nowLines {
		t.Errorf("%d lines known today, %d now", fc.NumberMatched, nowLines)
	}
	anon.want(200, "", "GET", "/v1/parcels/1/status?known_at="+today, nil)

	anon.want(400, "invalid-parameter", "GET", "/collections/parcels/items?known_at="+today, nil)
	for _, bad := range []string{"yesterday", "2024-02-30", "2024-06-30T25:00:00Z", "0001-01-01"} {
		p := anon.want(400, "invalid-parameter", "GET", "/v1/districts/330304/quota?known_at="+url.QueryEscape(bad), nil)
		if p["field"] != "known_at" {
			t.Errorf("known_at=%s: %v", bad, p)
		}
		anon.want(400, "invalid-parameter", "GET", "/collections/block_lines/items?known_at="+url.QueryEscape(bad), nil)
		anon.want(400, "invalid-parameter", "GET", "/v1/districts/330304/quota/history?known_at="+url.QueryEscape(bad), nil)
	}
}
