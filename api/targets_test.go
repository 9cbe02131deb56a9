package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/fixtures"
)

// oneDistrict loads 瓯海区, one firm with a parcel (30 亩, contracted 2024-03-01) and its
// 2024 indicators (tax 150 万元: 5 万元/亩, 低效 below the default 10).
func oneDistrict(ctx context.Context, pool *pgxpool.Pool) (fixtures.Counts, error) {
	_, err := pool.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom)
VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)));
INSERT INTO enterprises (uscc, name, is_above_size) VALUES ('91330304MA2AAAAF01', '甲厂', true);
INSERT INTO parcels (zddm, xzqdm, landuse_code, registered_area_m2, geom, contract_date, supply_method, is_standard_land, holder_uscc, valid_from)
VALUES ('330304001001GB00901', '330304', '0601', 20000, ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(120.6, 27.95), 4490), 0.0007, 2)),
  '2024-03-01', '招拍挂', true, '91330304MA2AAAAF01', '2024-03-01');
INSERT INTO parcel_events (parcel_id, type, event_date, payload)
SELECT id, 'ANNUAL_INDICATORS', '2025-03-15', '{"year": 2024, "tax_wan": 150}' FROM parcels`)
	return fixtures.Counts{}, err
}

// TestTargetsRemediationAPI: targets written by admins only and checked by the database;
// progress as JSON, CSV and XLSX; a project through its chain over HTTP, a skipped step
// and a change of a closed project refused as problems; the 整治企业清单; official
// classes beside the preview.
func TestTargetsRemediationAPI(t *testing.T) {
	pool, srv, _ := demoServer(t, loadedBy(oneDistrict))
	admin := client{t, srv.URL, token(t, pool, "admin-li", landreg.RoleAdmin)}
	planner := client{t, srv.URL, token(t, pool, "planner-zhao", landreg.RolePlanner)}
	anon := client{t, srv.URL, ""}
	var parcel int64
	if err := pool.QueryRow(context.Background(), `SELECT id FROM parcels`).Scan(&parcel); err != nil {
		t.Fatal(err)
	}

	target := map[string]any{"xzqdm": "330304", "kind": "supply_mu", "value": 500, "period_from": "2024-01-01",
		"period_to": "2024-12-31", "doc_no": "温政办〔2024〕1号", "effective_date": "2024-01-01", "reason": "年度目标"}
	anon.want(401, "unauthorized", "POST", "/v1/targets", target)
	planner.want(403, "forbidden", "POST", "/v1/targets", target)
	m := admin.want(201, "", "POST", "/v1/targets", target)
	id := int64(m["id"].(float64))
	if m["unit"] != "亩" || m["created_by"] != "admin-li" {
		t.Errorf("created target: %v", m)
	}
	m = admin.want(200, "", "PATCH", fmt.Sprintf("/v1/targets/%d", id), map[string]any{"value": 40, "effective_date": "2024-02-01"})
	if vs := m["versions"].([]any); len(vs) != 2 || m["value"] != 40.0 {
		t.Errorf("patched target: %v", m)
	}
	p := admin.want(422, landreg.KindConstraint, "POST", "/v1/targets", map[string]any{"kind": "standard_land_share", "value": 100,
		"period_from": "2024-01-01", "period_to": "2024-12-31"})
	if p["field"] != "value" || !strings.Contains(p["detail"].(string), "0.3") {
		t.Errorf("share of 100: %v", p)
	}
	admin.want(400, "invalid-parameter", "POST", "/v1/targets", map[string]any{"kind": "supply_mu", "value": 1, "period_from": "2024-01-01",
		"period_to": "2024-12-31", "colour": "red"})
	admin.want(200, "", "PUT", "/v1/transfers/330304/2024", map[string]any{"transferred_mu": 100, "doc_no": "统计〔2025〕1号"})
	admin.want(201, "", "POST", "/v1/targets", map[string]any{"xzqdm": "330304", "kind": "industrial_share_of_transfers", "value": 0.3,
		"period_from": "2024-01-01", "period_to": "2024-12-31", "effective_date": "2024-01-01"})

	// Progress: 30 亩 supplied of 40 (missed on 2024-12-31), 30 of 100 transferred = 0.3.
	var prog struct {
		Targets []struct {
			Kind   string   `json:"kind"`
			Actual *float64 `json:"actual"`
			Status string   `json:"status"`
		} `json:"targets"`
	}
	_, body := anon.do("GET", "/v1/targets/progress?date=2024-12-31", nil)
	if err := json.Unmarshal(body, &prog); err != nil || len(prog.Targets) != 2 {
		t.Fatalf("progress: %v %s", err, body)
	}
	for _, g := range prog.Targets {
		want := map[string]string{"supply_mu": "30 missed", "industrial_share_of_transfers": "0.3 achieved"}[g.Kind]
		if g.Actual == nil || fmt.Sprintf("%v %s", *g.Actual, g.Status) != want {
			t.Errorf("progress of %s: %s, want %s", g.Kind, body, want)
		}
	}
	res, body := anon.do("GET", "/v1/targets/progress?date=2024-12-31&format=csv", nil)
	if res.StatusCode != 200 || !strings.Contains(string(body), "完成率 Achieved") || !strings.Contains(string(body), "missed") {
		t.Errorf("progress CSV: %d %s", res.StatusCode, body)
	}
	res, body = anon.do("GET", "/v1/targets/progress?date=2024-12-31&format=xlsx", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(string(body), "PK") {
		t.Errorf("progress XLSX: %d", res.StatusCode)
	}
	anon.want(400, "invalid-parameter", "GET", "/v1/targets/progress?known_at=yesterday", nil)
	anon.want(400, "invalid-parameter", "GET", "/v1/targets/progress?format=geojson", nil)

	// A project through its chain.
	m = planner.want(201, "", "POST", "/v1/remediation", map[string]any{"xzqdm": "330304", "town": "娄桥街道", "name": "甲厂提升",
		"method": "改造提升", "planned_mu": 30, "planned_from": "2025-01-01", "planned_to": "2025-12-31", "plan_text": "一企一策",
		"documents": []string{"娄桥〔2025〕1号"}, "parcels": []int64{parcel}, "enterprises": []string{"91330304MA2AAAAF01"},
		"effective_date": "2025-01-10"})
	pid := int64(m["id"].(float64))
	path := fmt.Sprintf("/v1/remediation/%d", pid)
	if m["status"] != "列入清单" || m["status_since"] != "2025-01-10" || len(m["documents"].([]any)) != 1 {
		t.Errorf("listed project: %v", m)
	}
	client{t, srv.URL, token(t, pool, "auditor-wu", landreg.RoleAuditor)}.want(403, "forbidden", "POST", "/v1/remediation", map[string]any{})
	p = planner.want(409, "status-step", "POST", path+"/status", map[string]any{"status": "整治中", "date": "2025-02-01"})
	if p["field"] != "status" || !strings.Contains(p["detail"].(string), "跳至") || !strings.Contains(p["detail"].(string), "skipped step") {
		t.Errorf("skipped step: %v", p)
	}
	planner.want(200, "", "POST", path+"/status", map[string]any{"status": "制定方案", "date": "2025-02-01", "reason": "方案编制"})
	planner.want(200, "", "POST", path+"/status", map[string]any{"status": "整治中", "date": "2025-03-01"})
	planner.want(201, "", "POST", path+"/events", map[string]any{"date": "2025-04-01", "note": "设备更新完成"})
	p = planner.want(409, "status-step", "POST", path+"/status", map[string]any{"status": "制定方案", "date": "2025-04-02"})
	if !strings.Contains(p["detail"].(string), "退回") {
		t.Errorf("backward step: %v", p)
	}
	p = planner.want(422, landreg.KindConstraint, "POST", path+"/status", map[string]any{"status": "达标销号", "date": "2025-06-01"})
	if p["field"] != "freed_mu" {
		t.Errorf("closing without a result: %v", p)
	}
	m = planner.want(200, "", "POST", path+"/status", map[string]any{"status": "达标销号", "date": "2025-06-01", "freed_mu": 0,
		"new_tax_per_mu_wan": 25})
	if m["status"] != "达标销号" || len(m["events"].([]any)) != 5 || len(m["history"].([]any)) != 3 {
		t.Errorf("closed project: %v", m)
	}
	planner.want(409, "project-closed", "PATCH", path, map[string]any{"name": "改名"})
	planner.want(409, "project-closed", "POST", path+"/links", map[string]any{"enterprises": []string{"91330304MA2AAAAF01"}})
	planner.want(404, "not-found", "POST", "/v1/remediation/999999/status", map[string]any{"status": "制定方案", "date": "2025-02-01"})

	// The 整治企业清单 of 2024: 甲厂 at 5 万元/亩, in the closed project.
	var cands struct {
		Year       int `json:"year"`
		Candidates []struct {
			USCC          string   `json:"uscc"`
			TaxPerMu      *float64 `json:"tax_per_mu_wan"`
			ProjectStatus string   `json:"project_status"`
			OfficialClass *string  `json:"official_class"`
		} `json:"candidates"`
	}
	_, body = anon.do("GET", "/v1/remediation/candidates", nil)
	if err := json.Unmarshal(body, &cands); err != nil || cands.Year != 2024 || len(cands.Candidates) != 1 ||
		cands.Candidates[0].ProjectStatus != "达标销号" || *cands.Candidates[0].TaxPerMu != 5 {
		t.Errorf("candidates: %s", body)
	}

	// Official classes: admins post them; the 亩均 report shows them beside the preview.
	admin.want(400, "invalid-parameter", "POST", "/v1/mujun/classes", map[string]any{"results": []map[string]any{
		{"uscc": "91330304MA2AAAAF01", "year": 2024, "class": "E", "published_on": "2025-06-30"}}})
	planner.want(403, "forbidden", "POST", "/v1/mujun/classes", map[string]any{})
	admin.want(200, "", "POST", "/v1/mujun/classes", map[string]any{"results": []map[string]any{
		{"uscc": "91330304MA2AAAAF01", "year": 2024, "class": "D", "score": 41.5, "published_on": "2025-06-30", "doc_no": "瓯海亩均〔2025〕1号"}}})
	_, body = anon.do("GET", "/v1/audit/mujun?year=2024&format=csv", nil)
	if !strings.Contains(string(body), "评价类别（官方） Official class") || !strings.Contains(string(body), "预览分类（非官方）") ||
		!strings.Contains(string(body), ",D") {
		t.Errorf("mujun report with the official class: %s", body)
	}
	_, body = anon.do("GET", "/v1/remediation/candidates?year=2024", nil)
	if err := json.Unmarshal(body, &cands); err != nil || len(cands.Candidates) != 1 || cands.Candidates[0].OfficialClass == nil ||
		*cands.Candidates[0].OfficialClass != "D" {
		t.Errorf("candidates with the official class: %s", body)
	}

	// The reports.
	for _, r := range []string{"targets", "remediation", "remediation-candidates"} {
		res, body := anon.do("GET", "/v1/audit/"+r+"?date=2025-12-31&year=2024&format=csv", nil)
		if res.StatusCode != 200 || strings.Count(string(body), "\n") < 1 {
			t.Errorf("report %s: %d %s", r, res.StatusCode, body)
		}
	}
	_, body = anon.do("GET", "/v1/audit/remediation?date=2025-12-31&format=json", nil)
	if !strings.Contains(string(body), "达标销号") {
		t.Errorf("remediation ledger: %s", body)
	}
}
