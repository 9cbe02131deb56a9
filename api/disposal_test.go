package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// TestDisposalAPI: the idle-land disposal procedure through the API (issue 15.6): the
// step periods as settings of a district's idle policy, the legal order refused as
// disposal-precondition problems, and the ledger GET /v1/disposals (JSON, CSV, XLSX; as
// of a date, as known at a time, overdue only) on a parcel computed by hand.
func TestDisposalAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	secret, _ := store.CreateToken(ctx, pool, "registrar-disposal", "registrar")
	adminSecret, _ := store.CreateToken(ctx, pool, "admin-disposal", "admin")
	reg := client{t, srv.URL, secret}
	admin := client{t, srv.URL, adminSecret}
	anon := client{t, srv.URL, ""}
	var uscc string
	pool.QueryRow(ctx, `SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1`).Scan(&uscc)

	// The periods are policy settings, bounded like the others (at least a day).
	p := admin.want(422, "constraint-violation", "PUT", "/v1/districts/330304/idle-policy", map[string]any{
		"effective_date": "2022-01-01", "doc_no": "温资规〔2022〕3号", "notice_days": 0})
	if p["field"] != "notice_days" {
		t.Errorf("notice_days 0: %v", p)
	}
	pol := admin.want(200, "", "PUT", "/v1/districts/330304/idle-policy", map[string]any{
		"effective_date": "2022-01-01", "doc_no": "温资规〔2022〕3号", "notice_days": 15, "determination_days": 40,
		"decision_days": 60, "fee_payment_days": 20})["policy"].(map[string]any)
	if pol["determination_days"] != 40.0 || pol["fee_payment_days"] != 20.0 {
		t.Fatalf("policy %v", pol)
	}

	newParcel := func(n int) string {
		t.Helper()
		lat := 27.80 + 0.002*float64(n)
		square := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[120.7000,%[1]f],[120.7015,%[1]f],[120.7015,%[2]f],[120.7000,%[2]f],[120.7000,%[1]f]]]}`,
			lat, lat+0.0013)
		var plane float64
		pool.QueryRow(ctx, `SELECT ST_Area(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4549))`, square).Scan(&plane)
		props := map[string]any{"zddm": fmt.Sprintf("330304009008GB%05d", n), "xzqdm": "330304", "holder_uscc": uscc,
			"holder_name": "测试企业（示例）", "landuse_code": "0601", "registered_area_m2": fmt.Sprintf("%.2f", plane),
			"contract_date": "2021-01-10", "agreed_delivery": "2021-03-01", "agreed_start": "2021-09-01",
			"agreed_completion": "2023-09-01", "price_wan": 1000}
		res, body := reg.do("POST", "/v1/parcels", map[string]any{"type": "Feature", "geometry": json.RawMessage(square), "properties": props})
		if res.StatusCode != 201 {
			t.Fatalf("create parcel %d: %d %s", n, res.StatusCode, body)
		}
		loc := res.Header.Get("Location")
		return loc[strings.LastIndex(loc, "/")+1:]
	}
	event := func(id, typ, date string, payload map[string]any) {
		t.Helper()
		reg.want(201, "", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": typ, "event_date": date, "payload": payload})
	}
	refused := func(id, typ, date string, payload map[string]any, field, zh string) {
		t.Helper()
		p := reg.want(422, "disposal-precondition", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": typ, "event_date": date, "payload": payload})
		if p["field"] != field || !strings.Contains(p["detail"].(string), " / ") || !strings.Contains(p["detail"].(string), zh) ||
			!strings.Contains(p["detail"].(string), "53号令") {
			t.Errorf("%s %s: %v, want field %s and %q", typ, date, p, field, zh)
		}
	}

	// Deadline 2021-09-01: idle from 2022-09-01.
	x := newParcel(1)
	y := newParcel(2)
	refused(x, "IDLE_DETERMINED", "2022-09-20", nil, "event_date", "调查通知书")
	refused(y, "DISPOSED", "2022-10-01", map[string]any{"method": "置换土地"}, "type", "认定")
	event(x, "IDLE_NOTICE", "2022-10-01", nil)
	refused(x, "IDLE_FEE_LEVIED", "2022-10-10", map[string]any{"amount_wan": 200}, "event_date", "认定书")
	refused(x, "RECOVERY_DECIDED", "2022-10-10", map[string]any{"basis": "COMPENSATED", "compensation_wan": 10}, "event_date", "认定书")

	type ledger struct {
		Title string           `json:"title"`
		Rows  []map[string]any `json:"rows"`
	}
	get := func(path string) ledger {
		t.Helper()
		res, body := anon.do("GET", path, nil)
		var l ledger
		if res.StatusCode != 200 || json.Unmarshal(body, &l) != nil {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		return l
	}
	row := func(l ledger, id string) map[string]any {
		for _, r := range l.Rows {
			if fmt.Sprint(r["parcel_id"]) == id {
				return r
			}
		}
		return nil
	}
	// 2022-12-31: notice 10-01 + 40 days = determination due 11-10, 51 days late; y idle
	// since 09-01, notice due 09-16 (106 late).
	overdue := get("/v1/disposals?date=2022-12-31&district=330304&overdue=true")
	r := row(overdue, x)
	if r == nil || r["step"] != "SURVEY" || r["step_zh"] != "调查" || r["notice_date"] != "2022-10-01" || r["next_step"] != "DETERMINATION" ||
		r["next_step_zh"] != "下达闲置土地认定书" || r["period_days"] != 40.0 || r["next_due"] != "2022-11-10" || r["overdue_days"] != 51.0 ||
		r["category"] != "IDLE_1Y" || r["idle_from"] != "2022-09-01" {
		t.Errorf("x on 2022-12-31: %v", r)
	}
	if r := row(overdue, y); r == nil || r["step"] != "PENDING" || r["next_step"] != "NOTICE" || r["next_due"] != "2022-09-16" || r["overdue_days"] != 106.0 {
		t.Errorf("y on 2022-12-31: %v", r)
	}
	for _, r := range overdue.Rows {
		if r["overdue_days"].(float64) <= 0 {
			t.Errorf("overdue=true lists %v", r)
		}
	}
	if all := get("/v1/disposals?date=2022-12-31&district=330304"); len(all.Rows) <= len(overdue.Rows) {
		t.Errorf("the whole ledger has %d rows, the overdue %d", len(all.Rows), len(overdue.Rows))
	}
	if a := get("/v1/audit/disposals?date=2022-12-31&district=330304&overdue=true"); !reflect.DeepEqual(a, overdue) {
		t.Errorf("/v1/audit/disposals differs from /v1/disposals")
	}

	// A later record does not change the ledger as known before it.
	known := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(10 * time.Millisecond)
	event(x, "IDLE_DETERMINED", "2022-12-20", nil)
	asKnown := get("/v1/disposals?date=2022-12-31&district=330304&overdue=true&known_at=" + known)
	if !reflect.DeepEqual(row(asKnown, x), row(overdue, x)) || len(asKnown.Rows) != len(overdue.Rows) {
		t.Errorf("as known at %s: %v, was %v", known, row(asKnown, x), row(overdue, x))
	}
	// As known now: determined 12-20, decision due 12-20 + 60 = 2023-02-18, not overdue.
	if row(get("/v1/disposals?date=2022-12-31&district=330304&overdue=true"), x) != nil {
		t.Error("x is listed overdue after its determination")
	}
	r = row(get("/v1/disposals?date=2022-12-31&district=330304"), x)
	if r == nil || r["step"] != "DETERMINED" || r["determined_date"] != "2022-12-20" || r["next_step"] != "DECISION" ||
		r["next_due"] != "2023-02-18" || r["overdue_days"] != 0.0 {
		t.Errorf("x determined: %v", r)
	}
	event(x, "IDLE_FEE_LEVIED", "2023-01-05", map[string]any{"amount_wan": 200})

	// CSV and XLSX, like every report.
	res, body := anon.do("GET", "/v1/disposals?date=2022-12-31&district=330304&format=csv", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(body), "逾期天数 Days overdue") ||
		!strings.Contains(string(body), "330304009008GB00001") {
		t.Errorf("csv: %d %s %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, body = anon.do("GET", "/v1/disposals?date=2022-12-31&format=xlsx", nil)
	if res.StatusCode != 200 || !bytes.HasPrefix(body, []byte("PK")) || !strings.Contains(res.Header.Get("Content-Disposition"), "disposals-20221231.xlsx") {
		t.Errorf("xlsx: %d %v", res.StatusCode, res.Header)
	}
	p = anon.want(400, "invalid-parameter", "GET", "/v1/disposals?overdue=maybe", nil)
	if p["field"] != "overdue" {
		t.Errorf("overdue=maybe: %v", p)
	}
	p = anon.want(404, "not-found", "GET", "/v1/disposals?district=330399", nil)
	if p["field"] != "district" {
		t.Errorf("unknown district: %v", p)
	}
	// The vocabulary names the decisions and the steps.
	v := anon.want(200, "", "GET", "/v1/vocabulary", nil)
	if len(v["disposal_decisions"].([]any)) != 7 || len(v["disposal_steps"].([]any)) != 5 {
		t.Errorf("vocabulary: %v %v", v["disposal_decisions"], v["disposal_steps"])
	}
}
