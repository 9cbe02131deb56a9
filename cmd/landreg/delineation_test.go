package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// TestDelineationCLI: a county registered from scratch loads its 2020 block lines from
// a GeoPackage with landreg import block-lines --kind 划定, which fixes its baseline as
// their area; a second 划定 is refused and points to 划定更正 (issue 13.2).
func TestDelineationCLI(t *testing.T) {
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
	box := func(x0, y0, x1, y1 float64) map[string]any {
		return map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{x0, y0}, []any{x1, y0}, []any{x1, y1}, []any{x0, y1}, []any{x0, y0}}}}
	}
	write := func(name string, features ...map[string]any) string {
		b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	county := write("县界.geojson", map[string]any{"type": "Feature", "properties": map[string]any{"XZQDM": "330327", "XZQMC": "苍南县"},
		"geometry": box(120.30, 27.30, 120.60, 27.55)})
	if out, err := run("district", "add", "330327", "--boundary", county, "--doc-no", "苍政发〔2020〕88号（示例）", "--rule-start", "2021-01-01",
		"--rule-end", "2030-12-31", "--effective-date", "2020-12-31"); err != nil {
		t.Fatalf("district add: %v\n%s", err, out)
	}
	gj := write("lines.geojson",
		map[string]any{"type": "Feature", "properties": map[string]any{"QKBH": "330327-GYQK-01", "QKMC": "灵溪", "JB": 1}, "geometry": box(120.40, 27.40, 120.41, 27.41)},
		map[string]any{"type": "Feature", "properties": map[string]any{"QKBH": "330327-GYQK-02", "QKMC": "龙港", "JB": 2}, "geometry": box(120.45, 27.40, 120.455, 27.41)})
	gpkg := filepath.Join(dir, "区块线2020.gpkg")
	if out, err := exec.Command("ogr2ogr", "-f", "GPKG", gpkg, gj, "-t_srs", "EPSG:4549").CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	args := []string{"import", "block-lines", gpkg, "--xzqdm", "330327", "--kind", "划定", "--doc-no", "苍政办〔2020〕30号（示例）", "--date", "2020-12-31"}
	out, err := run(args...)
	if err != nil || !strings.Contains(out, "baseline fixed") {
		t.Fatalf("import --kind 划定: %v\n%s", err, out)
	}
	var baseline, lines float64
	var doc, date string
	if err := pool.QueryRow(context.Background(), `SELECT baseline_area_m2, baseline_doc, baseline_date::text,
  (SELECT sum(ST_Area(geom::geography)) FROM block_lines WHERE xzqdm = '330327' AND valid_from = '2020-12-31')
FROM districts WHERE xzqdm = '330327'`).Scan(&baseline, &doc, &date, &lines); err != nil {
		t.Fatal(err)
	}
	if math.Abs(baseline-lines) > 1e-6 || lines < 1e6 || doc != "苍政办〔2020〕30号（示例）" || date != "2020-12-31" {
		t.Errorf("baseline %v (lines %v) doc %q date %s", baseline, lines, doc, date)
	}
	if out, err := run(args...); err == nil || !strings.Contains(out, "划定更正") {
		t.Errorf("second 划定: %v\n%s", err, out)
	}
}
