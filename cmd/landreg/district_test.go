package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// TestDistrictCLI registers a county from its boundary Shapefile (EPSG:4549, GBK .dbf
// with the names of two districts), changes it with a document, and reads its versions
// back, as a bureau would with landreg district add|set|list|show; bad settings and an
// overlapping boundary are refused with a clear message and nothing written.
func TestDistrictCLI(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	bin := buildBinary(t)
	pool := dbtest.New(t)
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv("DATABASE_URL="+url, "LANDREG_ACTOR=cli:zhang")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	box := func(x0, y0, x1, y1 float64) []any {
		return []any{[]any{[]any{x0, y0}, []any{x1, y0}, []any{x1, y1}, []any{x0, y1}, []any{x0, y0}}}
	}
	feature := func(code, name string, ring []any) map[string]any {
		return map[string]any{"type": "Feature", "properties": map[string]any{"XZQDM": code, "XZQMC": name},
			"geometry": map[string]any{"type": "Polygon", "coordinates": ring}}
	}
	gj := filepath.Join(dir, "县界.geojson")
	b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{
		feature("330327", "苍南县", box(120.30, 27.30, 120.60, 27.55)), feature("330328", "文成县", box(120.00, 27.30, 120.30, 27.55))}})
	if err := os.WriteFile(gj, b, 0o644); err != nil {
		t.Fatal(err)
	}
	shp := filepath.Join(dir, "县界.shp")
	if out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", shp, gj, "-t_srs", "EPSG:4549", "-lco", "ENCODING=GBK").CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}

	out, err := run("district", "add", "330327", "--boundary", shp, "--doc-no", "苍政发〔2020〕88号（示例）", "--rule-start", "2021-01-01",
		"--rule-end", "2030-12-31", "--effective-date", "2020-12-31")
	if err != nil || !strings.Contains(out, "330327 苍南县") || !strings.Contains(out, "EPSG:4549") || !strings.Contains(out, "2021-01-01 – 2030-12-31") {
		t.Fatalf("district add: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"district", "add", "330328", "--boundary", shp, "--doc-no", "x", "--comp-ratio", "0.5"}, "comp_ratio"},
		{[]string{"district", "add", "330328", "--boundary", shp, "--doc-no", "x", "--rule-start", "2021-01-01", "--rule-end", "2020-01-01"}, "rule_end"},
		{[]string{"district", "add", "330328", "--boundary", shp}, "doc_no"},
		{[]string{"district", "add", "330329", "--boundary", shp, "--doc-no", "x"}, "no feature of district 330329"},
		{[]string{"district", "add", "330327", "--boundary", shp, "--doc-no", "x"}, "already registered"},
		{[]string{"district", "set", "330327", "--comp-ratio", "1.2"}, "--doc-no"},
		{[]string{"district", "set", "330327", "--doc-no", "x"}, "nothing to change"},
		{[]string{"district", "set", "330327", "--doc-no", "x", "--minor-edit-m2", "-3"}, "minor_edit_m2"},
		{[]string{"district", "set", "330327", "--doc-no", "x", "--comp-ratio", "2", "--effective-date", "2019-06-30"}, "before the current version"},
	} {
		if out, err := run(c.args...); err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%v: %v\n%s", c.args, err, out)
		}
	}
	// A boundary overlapping 苍南县 is refused with both named.
	over := filepath.Join(dir, "over.geojson")
	b, _ = json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{feature("330328", "文成县", box(120.00, 27.30, 120.40, 27.55))}})
	os.WriteFile(over, b, 0o644)
	if out, err := run("district", "add", "330328", "--boundary", over, "--doc-no", "x"); err == nil || !strings.Contains(out, "overlaps district 330327") || !strings.Contains(out, "重叠") {
		t.Errorf("overlapping boundary: %v\n%s", err, out)
	}
	if out, err := run("district", "add", "330328", "--boundary", shp, "--doc-no", "文政发〔2020〕5号（示例）"); err != nil || !strings.Contains(out, "文成县") {
		t.Fatalf("the neighbour: %v\n%s", err, out)
	}
	if out, err := run("district", "set", "330327", "--doc-no", "苍政发〔2024〕1号（示例）", "--comp-ratio", "1.2", "--include-logistics",
		"--effective-date", "2024-01-01", "--reason", "补划比例提高"); err != nil || !strings.Contains(out, "1.2") {
		t.Fatalf("district set: %v\n%s", err, out)
	}
	out, err = run("district", "list")
	if err != nil || !strings.Contains(out, "330327") || !strings.Contains(out, "330328") || !strings.Contains(out, "苍政发〔2024〕1号（示例）") {
		t.Errorf("district list: %v\n%s", err, out)
	}
	var old struct {
		Version   int     `json:"version"`
		CompRatio float64 `json:"comp_ratio"`
		ValidTo   string  `json:"valid_to"`
		CreatedBy string  `json:"created_by"`
	}
	out, err = run("district", "show", "330327", "--date", "2023-06-30", "--json")
	if err != nil || json.Unmarshal([]byte(out), &old) != nil || old.Version != 1 || old.CompRatio != 1 || old.ValidTo != "2024-01-01" || old.CreatedBy != "cli:zhang" {
		t.Errorf("district show --date: %v %+v\n%s", err, old, out)
	}
	var versions []map[string]any
	out, err = run("district", "show", "330327", "--history", "--json")
	if err != nil || json.Unmarshal([]byte(out), &versions) != nil || len(versions) != 2 || versions[1]["include_logistics"] != true {
		t.Errorf("district show --history: %v\n%s", err, out)
	}
	var n int
	pool.QueryRow(t.Context(), `SELECT count(*) FROM districts_all`).Scan(&n)
	if n != 3 {
		t.Errorf("%d district versions, want 3", n)
	}
}
