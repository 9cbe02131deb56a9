package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// Issue 13.5 over HTTP: a registrar writes an enterprise's figures for a year; a
// correction is a new version with the old one in history and an audit row; bad
// figures, unknown enterprises and unknown fields are refused with the field, and the
// 亩均 report reads the enterprise's row.
func TestEnterpriseIndicatorsAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	reg := client{t, srv.URL, token(t, pool, "registrar-wu", landreg.RoleRegistrar)}
	planner := client{t, srv.URL, token(t, pool, "planner-wu", landreg.RolePlanner)}
	anon := client{t, srv.URL, ""}
	count := func(sql string, args ...any) (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A fixture enterprise that holds parcels.
	var uscc string
	if err := pool.QueryRow(ctx, `SELECT holder_uscc FROM parcels WHERE holder_uscc IS NOT NULL ORDER BY holder_uscc LIMIT 1`).Scan(&uscc); err != nil {
		t.Fatal(err)
	}
	path := "/v1/enterprises/" + uscc + "/indicators/2024"
	body := map[string]any{"tax_wan": 0.5, "va_wan": 100, "employees": 12, "reported_on": "2025-04-01", "source": "税务局 2024 年度数据", "reason": "年度指标"}

	anon.want(401, "unauthorized", "PUT", path, body)
	planner.want(403, "forbidden", "PUT", path, body)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"va_wan": 1}, "tax_wan"},
		{map[string]any{"tax_wan": -1}, "tax_wan"},
		{map[string]any{"tax_wan": 1, "va_wan": 1e9}, "va_wan"},
		{map[string]any{"tax_wan": 1, "land_mu_used": 0}, "land_mu_used"},
		{map[string]any{"tax_wan": "NaN"}, "tax_wan"},
		{map[string]any{"tax_wan": 1, "reported_on": "2025-13-01"}, "reported_on"},
	} {
		if p := reg.want(422, "constraint-violation", "PUT", path, c.body); p["field"] != c.field {
			t.Errorf("%v: %v", c.body, p)
		}
	}
	if p := reg.want(400, "invalid-parameter", "PUT", path, map[string]any{"tax_wan": 1, "profit_wan": 3}); p["field"] != "profit_wan" {
		t.Errorf("unknown field: %v", p)
	}
	reg.want(400, "invalid-parameter", "PUT", "/v1/enterprises/"+uscc+"/indicators/20x4", body)
	first17 := "91330304MA2TXTY00"
	ch, err := codes.USCCCheck(first17)
	if err != nil {
		t.Fatal(err)
	}
	unknown := first17 + string(ch)
	if p := reg.want(404, "not-found", "PUT", "/v1/enterprises/"+unknown+"/indicators/2024", body); p["feature_id"] != unknown {
		t.Errorf("404 for an unknown enterprise: %v", p)
	}
	if n := count(`SELECT count(*) FROM enterprise_indicators`); n != 0 {
		t.Fatalf("%d rows written by refused requests", n)
	}

	created := reg.want(201, "", "PUT", path, body)
	cur := created["current"].(map[string]any)
	if cur["tax_wan"] != 0.5 || cur["version"] != 1.0 || cur["created_by"] != "registrar-wu" || cur["reported_on"] != "2025-04-01" {
		t.Errorf("created: %v", created)
	}
	// The report reads the row: tax 0.5 万元 on a firm's land is 低效.
	m := reg.want(200, "", "GET", "/v1/audit/mujun?year=2024", nil)
	found := false
	for _, r := range m["rows"].([]any) {
		row := r.(map[string]any)
		if row["uscc"] == uscc {
			found = true
			if row["source"] != "enterprise" || row["tax_wan"] != 0.5 || row["low_efficiency"] != "是 yes" {
				t.Errorf("report row: %v", row)
			}
		}
	}
	if !found {
		t.Errorf("%s not in the 2024 report", uscc)
	}

	// Unchanged: no version, no audit row. Changed: version 2, history 1, audit 2.
	reg.want(200, "", "PUT", path, body)
	body["tax_wan"] = 800
	delete(body, "reported_on") // a correction without a date keeps the figures' date
	got := reg.want(200, "", "PUT", path, body)
	cur = got["current"].(map[string]any)
	hist := got["history"].([]any)
	if cur["tax_wan"] != 800.0 || cur["version"] != 2.0 || cur["reported_on"] != "2025-04-01" || cur["va_wan"] != 100.0 || len(hist) != 1 ||
		hist[0].(map[string]any)["tax_wan"] != 0.5 {
		t.Errorf("corrected: %v", got)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE table_name = 'enterprise_indicators' AND row_key = $1 AND actor = 'registrar-wu'`, uscc+",2024"); n != 2 {
		t.Errorf("%d audit rows, want 2 (insert, update)", n)
	}
	// Omitted figures are cleared: PUT writes the year whole.
	got = reg.want(200, "", "PUT", path, map[string]any{"tax_wan": 800})
	if cur := got["current"].(map[string]any); cur["va_wan"] != nil || cur["version"] != 3.0 {
		t.Errorf("replaced whole: %v", got)
	}
	list := anon.want(200, "", "GET", "/v1/enterprises/"+uscc+"/indicators", nil)
	if l := list["indicators"].([]any); len(l) != 1 || l[0].(map[string]any)["year"] != 2024.0 {
		t.Errorf("list: %v", list)
	}
	anon.want(404, "not-found", "GET", "/v1/enterprises/"+uscc+"/indicators/2019", nil)
	anon.want(404, "not-found", "GET", "/v1/enterprises/"+unknown+"/indicators", nil)
}

// POST /v1/imports kind=indicators: a bureau's CSV over HTTP, refused whole (422 with the
// report) for an unknown USCC, loaded (201) once the row is right; a planner may not.
func TestImportIndicatorsHTTP(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	registrar := token(t, pool, "registrar-tax", landreg.RoleRegistrar)
	planner := token(t, pool, "planner-tax", landreg.RolePlanner)
	var firm string
	pool.QueryRow(ctx, `SELECT holder_uscc FROM parcels WHERE holder_uscc IS NOT NULL ORDER BY 1 LIMIT 1`).Scan(&firm)
	c, _ := codes.USCCCheck("91330304MA2NEWK00")
	unknown := "91330304MA2NEWK00" + string(c)
	file := func(rows string) part {
		return part{"file", "2024年度亩均数据.csv", []byte("统一社会信用代码,税收,用地面积\n" + rows)}
	}
	bad := file(firm + ",50,20\n" + unknown + ",5,3\n")
	if res, _, raw := postUpload(t, srv.URL, planner, map[string]string{"kind": "indicators", "year": "2024"}, bad); res.StatusCode != 403 {
		t.Errorf("planner: %d %s", res.StatusCode, raw)
	}
	if res, _, raw := postUpload(t, srv.URL, registrar, map[string]string{"kind": "indicators", "year": "24x"}, bad); res.StatusCode != 400 {
		t.Errorf("year=24x: %d %s", res.StatusCode, raw)
	}
	res, m, raw := postUpload(t, srv.URL, registrar, map[string]string{"kind": "indicators", "year": "2024"}, bad)
	rep, _ := m["report"].(map[string]any)
	if res.StatusCode != 422 || m["type"] != "urn:landreg:problem:import-refused" || rep["totals"].(map[string]any)["unknown-enterprise"] != 1.0 {
		t.Fatalf("unknown USCC: %d %s", res.StatusCode, raw)
	}
	p := rep["problems"].([]any)[0].(map[string]any)
	if p["field"] != "uscc" || p["source_id"] != unknown || p["index"] != 1.0 || !strings.Contains(p["message"].(string), "row 3") {
		t.Errorf("problem: %v", p)
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM enterprise_indicators`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d rows written by a refused import", n)
	}
	res, m, raw = postUpload(t, srv.URL, registrar, map[string]string{"kind": "indicators", "year": "2024", "dry_run": "true"}, file(firm+",50,20\n"))
	if res.StatusCode != 200 || m["valid"] != 1.0 || m["imported"] != 0.0 {
		t.Fatalf("dry run: %d %s", res.StatusCode, raw)
	}
	res, m, raw = postUpload(t, srv.URL, registrar, map[string]string{"kind": "indicators", "year": "2024"}, file(firm+",50,20\n"))
	if res.StatusCode != 201 || m["imported"] != 1.0 || m["year"] != 2024.0 {
		t.Fatalf("import: %d %s", res.StatusCode, raw)
	}
	var actor string
	pool.QueryRow(ctx, `SELECT created_by FROM enterprise_indicators WHERE uscc = $1 AND year = 2024`, firm).Scan(&actor)
	if actor != "registrar-tax" {
		t.Errorf("written by %q", actor)
	}
}
