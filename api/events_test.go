package api_test

import (
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

// TestEventRulesAPI: issue 14 items 10–13 (domain.md §8.6 rulings 8, 9, 10, 12, 14) on
// parcels built for them beside the fixtures, through the API: evidence of a start,
// investment intensity and failed ramp-up reviews, the one-year extension limit, the
// basis of a recovery, idle fees levied and paid, the disposal stage, and the finding
// 原因消除未处置. Every status is also asked "as known now" (known_at), which reads the
// events instead of the digest: both must agree.
func TestEventRulesAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	secret, _ := store.CreateToken(ctx, pool, "registrar-events", "registrar")
	reg := client{t, srv.URL, secret}
	anon := client{t, srv.URL, ""}
	var uscc string
	pool.QueryRow(ctx, `SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1`).Scan(&uscc)

	// newParcel creates parcel n (a square of about 150 m in 瓯海, south-east of every
	// fixture) with the given properties over a contract of 2021 and returns its id.
	newParcel := func(n int, over map[string]any) string {
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
		for k, v := range over {
			props[k] = v
		}
		res, body := reg.do("POST", "/v1/parcels", map[string]any{"type": "Feature", "geometry": json.RawMessage(square), "properties": props})
		if res.StatusCode != 201 {
			t.Fatalf("create parcel %d: %d %s", n, res.StatusCode, body)
		}
		loc := res.Header.Get("Location")
		return loc[strings.LastIndex(loc, "/")+1:]
	}
	event := func(id, typ, date string, payload map[string]any) map[string]any {
		t.Helper()
		return reg.want(201, "", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": typ, "event_date": date, "payload": payload})
	}
	refused := func(id, typ, date string, payload map[string]any, field string) map[string]any {
		t.Helper()
		p := reg.want(422, "invalid-event", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": typ, "event_date": date, "payload": payload})
		if p["field"] != field || !strings.Contains(p["detail"].(string), " / ") {
			t.Errorf("%s refused with field %v, want %s: %v", typ, p["field"], field, p)
		}
		return p
	}
	// status asks the digest (now) and the events (as known now) and holds them equal.
	known := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	status := func(id, date string) map[string]any {
		t.Helper()
		now := anon.want(200, "", "GET", "/v1/parcels/"+id+"/status?date="+date, nil)
		asKnown := anon.want(200, "", "GET", "/v1/parcels/"+id+"/status?date="+date+"&known_at="+known, nil)
		if !reflect.DeepEqual(now, asKnown) {
			t.Errorf("parcel %s on %s: the digest says\n%v\nthe events say\n%v", id, date, now, asKnown)
		}
		return now
	}
	reasonCodes := func(st map[string]any) []string {
		var out []string
		for _, r := range st["reasons"].([]any) {
			out = append(out, r.(map[string]any)["code"].(string))
		}
		return out
	}
	type report struct {
		Rows []map[string]any `json:"rows"`
	}
	audit := func(path string) report {
		t.Helper()
		var r report
		res, body := anon.do("GET", path, nil)
		if res.StatusCode != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		return r
	}
	ledgerRow := func(date, zddm string) map[string]any {
		t.Helper()
		for _, r := range audit("/v1/audit/idle-parcels?date=" + date).Rows {
			if r["zddm"] == zddm {
				return r
			}
		}
		return nil
	}
	zddm := func(n int) string { return fmt.Sprintf("330304009008GB%05d", n) }

	t.Run("14.10 completion and production prove a start", func(t *testing.T) {
		id := newParcel(1, nil)
		event(id, "LAND_DELIVERED", "2021-03-01", nil)
		event(id, "COMPLETED", "2022-10-01", nil)
		event(id, "PRODUCTION_STARTED", "2023-01-10", nil)
		for _, d := range []string{"2022-09-30", "2023-06-30", "2025-06-30"} {
			st := status(id, d)
			switch d {
			case "2022-09-30": // nothing proves a start yet: idle one year
				if st["category"] != "IDLE_1Y" {
					t.Errorf("%s: %v", d, st)
				}
			default:
				if st["category"] != "NORMAL" || st["idle_fee_wan"].(float64) != 0 ||
					!reflect.DeepEqual(reasonCodes(st), []string{"RAMPUP_NOT_DUE"}) {
					t.Errorf("%s: a producing parcel without a STARTED record is %v %v", d, st["category"], st["reasons"])
				}
			}
		}
		if ledgerRow("2025-06-30", zddm(1)) != nil {
			t.Error("the producing parcel is in the idle-land ledger")
		}
		// Production alone proves completion as well: not 在建逾期 after the agreed completion.
		id2 := newParcel(2, nil)
		event(id2, "PRODUCTION_STARTED", "2022-05-01", nil)
		if st := status(id2, "2024-06-30"); st["category"] != "NORMAL" {
			t.Errorf("producing without completion record: %v %v", st["category"], st["reasons"])
		}
		// The missing start is a data-quality finding for both, and only for them.
		found := map[string]bool{}
		for _, r := range audit("/v1/audit/quality").Rows {
			if r["kind"] == "MISSING_START" {
				found[r["zddm"].(string)] = true
				if r["kind_zh"] != "缺少动工记录" {
					t.Errorf("finding %v", r)
				}
			}
		}
		if !found[zddm(1)] || !found[zddm(2)] || len(found) != 2 {
			t.Errorf("MISSING_START findings %v", found)
		}
		// As of a day before the production record, parcel 2 has no finding yet; a
		// month after, it has.
		has := func(date string) bool {
			for _, r := range audit("/v1/audit/quality?date=" + date).Rows {
				if r["kind"] == "MISSING_START" && r["zddm"] == zddm(2) {
					return true
				}
			}
			return false
		}
		if has("2022-04-30") || !has("2022-06-30") {
			t.Errorf("MISSING_START of parcel 2 on 2022-04-30: %v, on 2022-06-30: %v", has("2022-04-30"), has("2022-06-30"))
		}
	})

	t.Run("14.11 investment intensity and failed ramp-up reviews", func(t *testing.T) {
		// A 标准地 meeting every agreed indicator but its investment intensity.
		std := map[string]any{"is_standard_land": true, "invest_intensity_wan_per_mu": 300, "tax_per_mu_wan": 10,
			"agreed_rampup_review": "2024-01-01"}
		id := newParcel(3, std)
		var mu float64
		pool.QueryRow(ctx, `SELECT registered_area_m2 * 3 / 2000 FROM parcels WHERE zddm = $1`, zddm(3)).Scan(&mu)
		for _, e := range [][2]string{{"STARTED", "2021-08-01"}, {"COMPLETED", "2022-08-01"}, {"PRODUCTION_STARTED", "2022-10-01"}} {
			event(id, e[0], e[1], nil)
		}
		event(id, "ANNUAL_INDICATORS", "2025-03-31", map[string]any{"year": 2024, "tax_wan": 20 * mu, "va_wan": 100 * mu,
			"invest_wan": 200 * mu})
		st := status(id, "2025-06-30")
		if st["category"] != "BELOW_TARGET" || !strings.Contains(string(mustJSON(t, st["reasons"])), `"indicator":"invest_intensity_wan_per_mu"`) {
			t.Errorf("investment 200 万元/亩 against 300 agreed: %v %v", st["category"], st["reasons"])
		}
		// The same with enough investment meets the targets.
		id2 := newParcel(4, std)
		for _, e := range [][2]string{{"STARTED", "2021-08-01"}, {"COMPLETED", "2022-08-01"}, {"PRODUCTION_STARTED", "2022-10-01"}} {
			event(id2, e[0], e[1], nil)
		}
		event(id2, "ANNUAL_INDICATORS", "2025-03-31", map[string]any{"year": 2024, "tax_wan": 20 * mu, "va_wan": 100 * mu,
			"invest_wan": 320 * mu})
		if st := status(id2, "2025-06-30"); st["category"] != "NORMAL" || !reflect.DeepEqual(reasonCodes(st), []string{"TARGETS_MET"}) {
			t.Errorf("investment met: %v %v", st["category"], st["reasons"])
		}
		// A failed review is a shortfall of its own, until a later review passes.
		refused(id2, "RAMPUP_REVIEWED", "2024-02-01", map[string]any{"passed": "no"}, "payload.passed")
		reg.want(422, "invalid-event", "POST", "/v1/parcels/"+id2+"/events", map[string]any{"type": "RAMPUP_REVIEWED", "event_date": "2024-02-01"})
		event(id2, "RAMPUP_REVIEWED", "2024-02-01", map[string]any{"passed": false})
		st = status(id2, "2024-06-30")
		if st["category"] != "BELOW_TARGET" || st["since"] != "2024-02-01" || reasonCodes(st)[0] != "RAMPUP_FAILED" {
			t.Errorf("after a failed review: %v since %v %v", st["category"], st["since"], st["reasons"])
		}
		if st := status(id2, "2025-06-30"); st["category"] != "BELOW_TARGET" {
			t.Errorf("a failed review still stands: %v", st["category"])
		}
		event(id2, "RAMPUP_REVIEWED", "2025-05-01", map[string]any{"passed": true, "invest_wan": 320 * mu})
		if st := status(id2, "2025-06-30"); st["category"] != "NORMAL" {
			t.Errorf("after a passed review: %v %v", st["category"], st["reasons"])
		}
		// A review that passes on paper but reports too little investment is a shortfall.
		event(id, "RAMPUP_REVIEWED", "2025-05-01", map[string]any{"passed": true, "invest_wan": 250 * mu})
		if st := status(id, "2025-06-30"); !reflect.DeepEqual(reasonCodes(st), []string{"RAMPUP_FAILED", "BELOW_TARGET"}) {
			t.Errorf("review short of investment: %v", st["reasons"])
		}
	})

	t.Run("14.12 extensions of at most a year, recoveries with their basis", func(t *testing.T) {
		id := newParcel(5, nil) // agreed start 2021-09-01
		p := refused(id, "EXTENSION_APPROVED", "2021-08-01", map[string]any{"new_start_deadline": "2022-09-02"}, "payload.new_start_deadline")
		if !strings.Contains(p["detail"].(string), "53号令") || !strings.Contains(p["detail"].(string), "2022-09-01") {
			t.Errorf("extension problem %v", p)
		}
		event(id, "EXTENSION_APPROVED", "2021-08-01", map[string]any{"new_start_deadline": "2022-09-01"})
		// A second extension cannot add another year.
		refused(id, "EXTENSION_APPROVED", "2022-08-01", map[string]any{"new_start_deadline": "2023-03-01"}, "payload.new_start_deadline")
		if st := status(id, "2023-06-30"); st["category"] != "OVERDUE_START" || st["status"].(map[string]any)["deadline"] != "2022-09-01" {
			t.Errorf("after the extension: %v deadline %v", st["category"], st["deadline"])
		}
		// Idle two years from 2024-09-01: no uncompensated recovery before.
		reg.want(422, "invalid-event", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": "RECOVERY_DECIDED", "event_date": "2024-06-01"})
		refused(id, "RECOVERY_DECIDED", "2024-06-01", map[string]any{"basis": "FREE"}, "payload.basis")
		p = refused(id, "RECOVERY_DECIDED", "2024-06-01", map[string]any{"basis": "UNCOMPENSATED"}, "payload.basis")
		if !strings.Contains(p["detail"].(string), "闲置满一年") {
			t.Errorf("uncompensated recovery problem %v", p)
		}
		refused(id, "RECOVERY_DECIDED", "2024-06-01", map[string]any{"basis": "COMPENSATED"}, "payload.compensation_wan")
		refused(id, "RECOVERY_DECIDED", "2024-10-01", map[string]any{"basis": "UNCOMPENSATED", "compensation_wan": 5}, "payload.compensation_wan")
		// 无偿收回 is a disposal decision: after the survey notice and the determination (issue 15.6).
		event(id, "IDLE_NOTICE", "2024-09-10", nil)
		event(id, "IDLE_DETERMINED", "2024-09-20", nil)
		event(id, "RECOVERY_DECIDED", "2024-10-01", map[string]any{"basis": "UNCOMPENSATED"})
		if st := status(id, "2024-10-01"); st["category"] != "RETIRED" {
			t.Errorf("recovered: %v", st["category"])
		}
		// 协议有偿收回 of a parcel under a government cause.
		id2 := newParcel(6, nil)
		event(id2, "GOV_CAUSE", "2021-10-20", map[string]any{"from": "2021-10-01", "to": nil})
		refused(id2, "RECOVERY_DECIDED", "2024-06-01", map[string]any{"basis": "UNCOMPENSATED"}, "payload.basis")
		event(id2, "RECOVERY_DECIDED", "2024-06-01", map[string]any{"basis": "COMPENSATED", "compensation_wan": 480.5})
		for _, c := range []struct {
			id, basis, zh string
			comp          any
		}{{id, "UNCOMPENSATED", "无偿收回", nil}, {id2, "COMPENSATED", "协议有偿收回", 480.5}} {
			d := anon.want(200, "", "GET", "/v1/parcels/"+c.id+"/history", nil)["disposal"].(map[string]any)
			if d["stage"] != "RECOVERED" || d["recovery_basis"] != c.basis || d["recovery_basis_zh"] != c.zh || d["compensation_wan"] != c.comp {
				t.Errorf("dossier disposal %v", d)
			}
			// The status-changes report names the basis of a change to RETIRED.
			var change map[string]any
			for _, r := range audit("/v1/audit/changes?from=2024-01-01&to=2024-12-31").Rows {
				if r["zddm"] == map[string]string{id: zddm(5), id2: zddm(6)}[c.id] {
					change = r
				}
			}
			if change == nil || change["to"] != "RETIRED" || change["recovery_basis"] != c.zh || change["compensation_wan"] != c.comp {
				t.Errorf("status change %v", change)
			}
			rows := audit("/v1/audit/dossier?parcel=" + c.id).Rows
			if !strings.Contains(fmt.Sprint(rows), "收回依据 recovery basis "+c.basis+" "+c.zh) {
				t.Errorf("dossier report does not show the basis: %v", rows)
			}
		}
	})

	t.Run("14.13 fees due, levied, paid and the disposal stage", func(t *testing.T) {
		id := newParcel(7, map[string]any{"agreed_start": "2024-03-01", "agreed_completion": "2026-03-01"}) // idle one year from 2025-03-01
		event(id, "IDLE_NOTICE", "2025-03-10", nil)
		event(id, "IDLE_DETERMINED", "2025-04-01", nil)
		reg.want(422, "invalid-event", "POST", "/v1/parcels/"+id+"/events", map[string]any{"type": "IDLE_FEE_LEVIED", "event_date": "2025-05-01"})
		refused(id, "IDLE_FEE_PAID", "2025-04-20", map[string]any{"amount_wan": 10}, "payload.amount_wan") // nothing levied yet
		event(id, "IDLE_FEE_LEVIED", "2025-05-01", map[string]any{"amount_wan": 200})
		event(id, "IDLE_FEE_PAID", "2025-06-01", map[string]any{"amount_wan": 50})
		refused(id, "IDLE_FEE_PAID", "2025-06-10", map[string]any{"amount_wan": 150.01}, "payload.amount_wan")
		for _, c := range []struct {
			date, stage, stageZh      string
			levied, paid, outstanding float64
			nextStep                  string
		}{
			{"2025-03-05", "PENDING", "未启动处置", 0, 0, 0, "征缴土地闲置费"},
			{"2025-04-15", "DETERMINED", "认定", 0, 0, 0, "征缴土地闲置费"},
			{"2025-05-15", "FEE", "征缴", 200, 0, 200, "催缴"},
			{"2025-06-30", "FEE", "征缴", 200, 50, 150, "催缴"},
		} {
			r := ledgerRow(c.date, zddm(7))
			if r == nil {
				t.Fatalf("%s: not in the ledger", c.date)
			}
			if r["category"] != "IDLE_1Y" || r["idle_fee_wan"] != 200.0 || r["stage"] != c.stage || r["stage_zh"] != c.stageZh ||
				r["fee_levied_wan"] != c.levied || r["fee_paid_wan"] != c.paid || r["fee_outstanding_wan"] != c.outstanding ||
				!strings.HasPrefix(r["next_step"].(string), c.nextStep) {
				t.Errorf("%s: ledger row %v", c.date, r)
			}
		}
		event(id, "IDLE_FEE_PAID", "2025-06-20", map[string]any{"amount_wan": 150})
		if r := ledgerRow("2025-06-30", zddm(7)); r["fee_outstanding_wan"] != 0.0 || !strings.HasPrefix(r["next_step"].(string), "闲置费已缴清") {
			t.Errorf("paid in full: %v", r)
		}
		d := anon.want(200, "", "GET", "/v1/parcels/"+id+"/history", nil)["disposal"].(map[string]any)
		if d["fee_due_wan"] != 200.0 || d["fee_levied_wan"] != 200.0 || d["fee_paid_wan"] != 200.0 || d["fee_outstanding_wan"] != 0.0 {
			t.Errorf("dossier fees %v", d)
		}
		// Stages after the fee: an extension while it runs, a swap.
		id2 := newParcel(8, nil)
		event(id2, "IDLE_NOTICE", "2022-10-10", nil)
		event(id2, "IDLE_DETERMINED", "2022-12-01", nil)
		event(id2, "DISPOSED", "2023-03-01", map[string]any{"method": "置换土地"})
		if d := anon.want(200, "", "GET", "/v1/parcels/"+id2+"/history", nil)["disposal"].(map[string]any); d["stage"] != "SWAPPED" || d["stage_zh"] != "置换" {
			t.Errorf("swap: %v", d)
		}
		// The vocabulary holds the stages in the order of the procedure, and the bases.
		v := anon.want(200, "", "GET", "/v1/vocabulary", nil)
		var stages []string
		for _, s := range v["disposal_stages"].([]any) {
			stages = append(stages, s.(map[string]any)["zh"].(string))
		}
		if strings.Join(stages, "→") != "未启动处置→调查→认定→征缴→收回→延期→置换→已处置" || len(v["recovery_bases"].([]any)) != 2 {
			t.Errorf("vocabulary stages %v, bases %v", stages, v["recovery_bases"])
		}
	})

	t.Run("ruling 14: government cause ended, not disposed of", func(t *testing.T) {
		id := newParcel(9, nil) // deadline 2021-09-01
		event(id, "GOV_CAUSE", "2021-10-20", map[string]any{"from": "2021-10-01", "to": "2023-01-01"})
		if r := ledgerRow("2023-03-01", zddm(9)); r == nil || r["category"] != "IDLE_GOV" || r["finding"] != nil {
			t.Errorf("within 90 days of the end: %v", r)
		}
		r := ledgerRow("2023-06-30", zddm(9))
		if r == nil || r["finding"] != "原因消除未处置 / cause ended, not disposed of" || !strings.HasPrefix(r["next_step"].(string), "政府原因已消除") {
			t.Errorf("90 days after the end: %v", r)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
