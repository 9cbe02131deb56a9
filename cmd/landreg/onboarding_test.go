package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// samplePackage writes the sample county package (docs/sample-county) into a temporary
// folder with scripts/sample-county.sh, as a bureau's files come: a GBK boundary
// Shapefile without .cpg in EPSG:4549, the 2020 lines as GeoPackage, parcels as a
// Shapefile, enterprises, events and indicators as XLSX.
func samplePackage(t *testing.T) string {
	t.Helper()
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("bash", "../../scripts/sample-county.sh", dir).CombinedOutput(); err != nil {
		t.Fatalf("sample-county.sh: %v\n%s", err, out)
	}
	return dir
}

// TestOnboardCountyCLI onboards 苍南县 from its own files on an empty database with the
// commands docs/onboarding.md gives, then checks its baseline, idle land and 亩均.
func TestOnboardCountyCLI(t *testing.T) {
	pkg := samplePackage(t)
	bin := buildBinary(t)
	pool := dbtest.New(t)
	ctx := context.Background()
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv("DATABASE_URL="+url, "LANDREG_ACTOR=cli:wang")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("landreg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	f := func(name string) string { return filepath.Join(pkg, name) }

	// Refused inputs write nothing: a prefecture code, then the boundary's overlap
	// with a neighbour registered first.
	if out, err := run("district", "add", "330300", "--boundary", f("boundary.shp"), "--doc-no", "苍政发〔2020〕1号"); err == nil ||
		!strings.Contains(out, "330300") {
		t.Errorf("a prefecture code was accepted: %v\n%s", err, out)
	}
	must("district", "add", "330327", "--boundary", f("boundary.shp"), "--doc-no", "苍政发〔2020〕1号", "--name", "苍南县（示例）",
		"--rule-start", "2021-01-01", "--rule-end", "2030-12-31", "--effective-date", "2020-12-31")
	if out, err := run("district", "add", "330326", "--boundary", f("boundary.shp"), "--doc-no", "平政发〔2020〕1号", "--name", "平阳县"); err == nil ||
		!strings.Contains(out, "330327") {
		t.Errorf("an overlapping boundary was accepted: %v\n%s", err, out)
	}
	var districts int
	var gk int
	pool.QueryRow(ctx, `SELECT count(*), max(gk_srid) FROM districts`).Scan(&districts, &gk)
	if districts != 1 || gk != 4549 {
		t.Fatalf("%d districts, GK zone %d", districts, gk)
	}

	must("import", "block-lines", f("区块线2020.gpkg"), "--xzqdm", "330327", "--kind", "划定", "--doc-no", "苍政办〔2020〕30号", "--date", "2020-12-31")
	must("import", "enterprises", f("企业名录.xlsx"))
	must("import", "parcels", f("宗地.shp"))
	must("import", "events", f("事件.xlsx"))

	// A policy with a negative month is refused; a valid one is a version from its date.
	if out, err := run("district", "policy", "330327", "--set", "production_grace_months=-1", "--doc-no", "苍自然资〔2025〕1号",
		"--effective-date", "2025-01-01"); err == nil || !strings.Contains(out, "production_grace_months") {
		t.Errorf("a negative month was accepted:\n%s", out)
	}
	var versions int
	pool.QueryRow(ctx, `SELECT count(*) FROM idle_policy_all WHERE xzqdm = '330327'`).Scan(&versions)
	must("district", "policy", "330327", "--set", "production_grace_months=9", "--doc-no", "苍自然资〔2025〕2号", "--effective-date", "2025-01-01")
	var after int
	pool.QueryRow(ctx, `SELECT count(*) FROM idle_policy_all WHERE xzqdm = '330327'`).Scan(&after)
	if after != versions+1 {
		t.Errorf("policy versions %d → %d", versions, after)
	}

	// The baseline is the delineated lines' area, with its document.
	var baseline, lines float64
	var doc string
	pool.QueryRow(ctx, `SELECT baseline_area_m2, baseline_doc, (SELECT sum(area_m2) FROM block_lines WHERE xzqdm = '330327') FROM districts`).
		Scan(&baseline, &doc, &lines)
	if baseline <= 0 || baseline != lines || doc != "苍政办〔2020〕30号" {
		t.Errorf("baseline %v (%s), lines %v", baseline, doc, lines)
	}

	// Idle land at the end of 2025: parcel 2 never started (deadline 2021-12-30),
	// parcel 6 neither (deadline 2024-02-18).
	var idle struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(must("audit", "idle-parcels", "--date", "2025-12-31", "--district", "330327", "--format", "json")), &idle); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range idle.Rows {
		got[r["zddm"].(string)] = r["category"].(string)
	}
	if len(got) != 2 || got["330327001001GB00002"] != "IDLE_2Y" || got["330327001001GB00006"] != "IDLE_1Y" {
		t.Errorf("idle parcels %v", got)
	}
	var summary struct {
		Rows []map[string]any `json:"rows"`
	}
	json.Unmarshal([]byte(must("audit", "idle", "--date", "2025-12-31", "--district", "330327", "--format", "json")), &summary)
	parcels := 0.0
	for _, r := range summary.Rows {
		parcels += r["parcels"].(float64)
	}
	if parcels != 6 {
		t.Errorf("idle summary counts %v parcels: %v", parcels, summary.Rows)
	}
}
