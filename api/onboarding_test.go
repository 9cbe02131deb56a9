package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/testenv"
)

// TestOnboardCountyHTTP onboards 苍南县 from the sample county package
// (scripts/sample-county.sh) over HTTP on an empty register, as docs/onboarding.md
// does with curl, then reads its quota, idle land and 亩均 back.
func TestOnboardCountyHTTP(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		testenv.MissingClient(t, "ogr2ogr not installed (apt-get install gdal-bin)")
	}
	pkg := t.TempDir()
	if out, err := exec.Command("bash", "../scripts/sample-county.sh", pkg).CombinedOutput(); err != nil {
		t.Fatalf("sample-county.sh: %v\n%s", err, out)
	}
	empty := func(context.Context, *pgxpool.Pool) (fixtures.Counts, error) { return fixtures.Counts{}, nil }
	pool, srv, _ := demoServer(t, loadedBy(empty))
	admin := token(t, pool, "admin-chen", "admin")
	registrar := token(t, pool, "registrar-lin", "registrar")

	files := func(base string, exts ...string) []part {
		var out []part
		for _, ext := range exts {
			b, err := os.ReadFile(filepath.Join(pkg, base+ext))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, part{"file", base + ext, b})
		}
		return out
	}
	send := func(path, secret string, fields map[string]string, parts []part) (int, map[string]any) {
		t.Helper()
		body, ct := multipartBody(fields, parts...)
		req, _ := http.NewRequest("POST", srv.URL+path, body)
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
	ok := func(what string, status int, m map[string]any) {
		t.Helper()
		if status != 200 && status != 201 {
			t.Fatalf("%s: %d %v", what, status, m)
		}
	}

	boundary := files("boundary", ".shp", ".shx", ".dbf", ".prj")
	st, m := send("/v1/districts", admin, map[string]string{"xzqdm": "330327", "name": "苍南县（示例）", "doc_no": "苍政发〔2020〕1号",
		"rule_start": "2021-01-01", "rule_end": "2030-12-31", "effective_date": "2020-12-31"}, boundary)
	ok("district", st, m)
	if bf, _ := m["boundary_file"].(map[string]any); m["gk_srid"] != 4549.0 || bf["source_crs"] != "EPSG:4549" {
		t.Errorf("district from a GBK shapefile in EPSG:4549: %v", m)
	}
	// A neighbour drawn over it is refused, and nothing is written.
	if st, m := send("/v1/districts", admin, map[string]string{"xzqdm": "330326", "name": "平阳县", "doc_no": "平政发〔2020〕1号"}, boundary); st < 400 ||
		!strings.Contains(m["detail"].(string), "330327") {
		t.Errorf("overlapping district: %d %v", st, m)
	}

	st, m = send("/v1/imports", admin, map[string]string{"kind": "block-lines", "xzqdm": "330327", "adjustment_kind": "划定",
		"doc_no": "苍政办〔2020〕30号", "effective_date": "2020-12-31"}, files("区块线2020", ".gpkg"))
	ok("划定", st, m)
	st, m = send("/v1/imports", registrar, map[string]string{"kind": "enterprises"}, files("企业名录", ".xlsx"))
	ok("enterprises", st, m)
	st, m = send("/v1/imports", registrar, map[string]string{"kind": "parcels"}, files("宗地", ".shp", ".shx", ".dbf", ".prj", ".cpg"))
	ok("parcels", st, m)
	st, m = send("/v1/imports", registrar, map[string]string{"kind": "events"}, files("事件", ".xlsx"))
	ok("events", st, m)
	// Indicators naming an enterprise the register does not have are refused whole.
	st, m = send("/v1/imports", registrar, map[string]string{"kind": "indicators", "year": "2025"},
		[]part{{"file", "指标.csv", []byte("统一社会信用代码,税收（万元）\n91330327MA2L0001XM,100\n91330327MA2L0006XT,50\n")}})
	if st != 422 || !strings.Contains(fmtJSON(m), "91330327MA2L0006XT") {
		t.Errorf("an unknown USCC: %d %v", st, m)
	}
	st, m = send("/v1/imports", registrar, map[string]string{"kind": "indicators", "year": "2025"}, files("2025年亩均指标", ".xlsx"))
	ok("indicators", st, m)

	anon := client{t, srv.URL, ""}
	var quota map[string]any
	res, body := anon.do("GET", "/v1/districts/330327/quota?date=2025-12-31", nil)
	json.Unmarshal(body, &quota)
	total, _ := quota["total"].(map[string]any)
	base, _ := quota["baseline"].(map[string]any)
	if res.StatusCode != 200 || total == nil || base == nil || total["m2"] != base["m2"] || quota["pass"] != true || quota["rule_applies"] != true ||
		quota["baseline_doc"] != "苍政办〔2020〕30号" {
		t.Errorf("quota: %d %s", res.StatusCode, body)
	}
	var idle struct {
		Rows []map[string]any `json:"rows"`
	}
	res, body = anon.do("GET", "/v1/audit/idle-parcels?date=2025-12-31&district=330327", nil)
	json.Unmarshal(body, &idle)
	got := map[string]string{}
	for _, r := range idle.Rows {
		got[r["zddm"].(string)], _ = r["category"].(string)
	}
	if res.StatusCode != 200 || len(got) != 2 || got["330327001001GB00002"] != "IDLE_2Y" || got["330327001001GB00006"] != "IDLE_1Y" {
		t.Errorf("idle parcels: %d %v", res.StatusCode, got)
	}
	var mujun struct {
		Rows []map[string]any `json:"rows"`
	}
	res, body = anon.do("GET", "/v1/audit/mujun?district=330327", nil) // the latest year with data: 2025
	json.Unmarshal(body, &mujun)
	low := 0
	for _, r := range mujun.Rows {
		if r["low_efficiency"] == "是 yes" {
			low++
		}
	}
	if res.StatusCode != 200 || len(mujun.Rows) != 5 || low != 2 {
		t.Errorf("亩均: %d %s", res.StatusCode, body)
	}
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
