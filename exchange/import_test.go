package exchange_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// TestGBKShapefileGK: a Shapefile in EPSG:4549 whose .dbf is GBK with Chinese column
// names, as QGIS or ArcGIS in a bureau writes it, imports with a mapping file.
func TestGBKShapefileGK(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dir := t.TempDir()
	gpkg := filepath.Join(dir, "parcels.gpkg")
	if err := exchange.Export(ctx, src, exchange.ExportOptions{Collection: "parcels", Format: "gpkg"}, gpkg); err != nil {
		t.Fatal(err)
	}
	shp := filepath.Join(dir, "宗地.shp")
	ogr(t, "ogr2ogr", "-f", "ESRI Shapefile", shp, gpkg, "-t_srs", "EPSG:4549", "-lco", "ENCODING=GBK", "-nln", "宗地",
		"-dialect", "SQLite", "-sql", `SELECT zddm AS "地块编号", holder_name AS "用地单位", holder_uscc AS "信用代码",
  landuse_code AS "土地用途", landuse_system AS "分类体系", registered_area_m2 AS "宗地面积", location AS "坐落", geom FROM parcels`)
	if b, _ := os.ReadFile(filepath.Join(dir, "宗地.cpg")); !strings.Contains(strings.ToUpper(string(b)), "GBK") && !strings.Contains(string(b), "936") {
		t.Fatalf(".cpg says %q, want GBK", b)
	}
	mapping := filepath.Join(dir, "mapping.json")
	os.WriteFile(mapping, []byte(`{"地块编号": "zddm", "用地单位": "holder_name", "信用代码": "holder_uscc"}`), 0o644)
	user, err := exchange.ReadMappingFile(mapping)
	if err != nil {
		t.Fatal(err)
	}
	dst := withDistricts(t, src)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: shp, Mapping: user})
	if rep.SourceCRS != "EPSG:4549" || rep.CRSFrom != "file" {
		t.Errorf("CRS %s from %s, want EPSG:4549 from the .prj", rep.SourceCRS, rep.CRSFrom)
	}
	if !rep.OK() || rep.Imported != 330 {
		t.Fatalf("imported %d:\n%s", rep.Imported, reportText(rep))
	}
	if rep.EnterprisesCreated == 0 {
		t.Error("no enterprise registered from 用地单位 + 信用代码")
	}
	// Coordinates: within 1 cm of the originals, measured in the GK plane.
	rows, err := src.Query(ctx, `SELECT zddm, holder_name, ST_AsBinary(geom) FROM parcels`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var zddm, holder string
		var wkb []byte
		rows.Scan(&zddm, &holder, &wkb)
		var d float64
		var got string
		err := dst.QueryRow(ctx, `SELECT ST_HausdorffDistance(ST_Transform(geom, 4549), ST_Transform(ST_GeomFromWKB($2, 4490), 4549)), holder_name
FROM parcels WHERE zddm = $1`, zddm, wkb).Scan(&d, &got)
		if err != nil {
			t.Fatalf("%s: %v", zddm, err)
		}
		if d > 0.01 {
			t.Errorf("%s moved %.4f m", zddm, d)
		}
		if got != holder {
			t.Errorf("%s: holder %q, want %q", zddm, got, holder)
		}
		n++
	}
	if n != 330 {
		t.Errorf("compared %d parcels", n)
	}
}

// writeGeoJSON writes features (properties + geometry JSON) with an optional crs member.
func writeGeoJSON(t *testing.T, path, crs string, feats []map[string]any) {
	t.Helper()
	fc := map[string]any{"type": "FeatureCollection", "features": feats}
	if crs != "" {
		fc["crs"] = map[string]any{"type": "name", "properties": map[string]string{"name": crs}}
	}
	b, _ := json.Marshal(fc)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadFeatureImportsNothing: one self-intersecting parcel or one bad 宗地代码 stops
// the whole file, and the report names the feature and the reason.
func TestBadFeatureImportsNothing(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dst := withDistricts(t, src)
	dir := t.TempDir()
	feats := func() []map[string]any {
		rows, err := src.Query(ctx, `SELECT zddm, landuse_code, landuse_system, holder_name, holder_uscc, ST_AsGeoJSON(geom, 9, 0) FROM parcels ORDER BY id LIMIT 20`)
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for rows.Next() {
			var z, lu, ls, hn, hu, g string
			rows.Scan(&z, &lu, &ls, &hn, &hu, &g)
			out = append(out, map[string]any{"type": "Feature", "properties": map[string]any{"ZDDM": z, "TDYT": lu, "分类体系": ls, "QLR": hn, "TYSHXYDM": hu}, "geometry": json.RawMessage(g)})
		}
		return out
	}
	t.Run("self-intersection", func(t *testing.T) {
		fs := feats()
		fs[7]["geometry"] = json.RawMessage(`{"type":"Polygon","coordinates":[[[120.60,27.95],[120.61,27.96],[120.61,27.95],[120.60,27.96],[120.60,27.95]]]}`)
		path := filepath.Join(dir, "bowtie.geojson")
		writeGeoJSON(t, path, "", fs)
		rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
		if rep.OK() || rep.Imported != 0 || rep.Errors != 1 {
			t.Fatalf("want exactly one error:\n%s", reportText(rep))
		}
		p := firstError(rep)
		if p.Index != 7 || p.Code != "invalid-geometry" || !strings.Contains(p.Message, "Self-intersection") || p.SourceID != fs[7]["properties"].(map[string]any)["ZDDM"] {
			t.Errorf("problem %+v", p)
		}
		txt := reportText(rep)
		if !strings.Contains(txt, "Self-intersection") || !strings.Contains(txt, "nothing was written") {
			t.Errorf("text report:\n%s", txt)
		}
	})
	t.Run("bad ZDDM", func(t *testing.T) {
		fs := feats()
		p := fs[3]["properties"].(map[string]any)
		p["ZDDM"] = p["ZDDM"].(string)[:18] + "X"
		path := filepath.Join(dir, "badcode.geojson")
		writeGeoJSON(t, path, "", fs)
		rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
		if p := firstError(rep); rep.OK() || rep.Errors != 1 || p.Index != 3 || p.Field != "zddm" || p.Code != "bad-code" {
			t.Fatalf("report:\n%s", reportText(rep))
		}
	})
	var n int
	dst.QueryRow(ctx, `SELECT count(*) FROM parcels`).Scan(&n)
	if n != 0 {
		t.Errorf("%d parcels written", n)
	}
	t.Run("then the good file loads", func(t *testing.T) {
		path := filepath.Join(dir, "good.geojson")
		writeGeoJSON(t, path, "", feats())
		rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path, DryRun: true})
		if !rep.OK() || rep.Imported != 0 || rep.Valid != 20 {
			t.Fatalf("dry run:\n%s", reportText(rep))
		}
		rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
		if !rep.OK() || rep.Imported != 20 {
			t.Fatalf("import:\n%s", reportText(rep))
		}
		// A second time: every code is a duplicate now.
		rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
		if rep.OK() || rep.Totals["duplicate"] != 20 {
			t.Fatalf("re-import:\n%s", reportText(rep))
		}
	})
}

// TestSwappedAxes: a Gauss-Krüger file with northing in the easting slot is reported,
// not imported; so is one whose eastings lack the zone prefix of the CRS it claims.
func TestSwappedAxes(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dst := withDistricts(t, src)
	dir := t.TempDir()
	read := func(flip bool) []map[string]any {
		g := "ST_Transform(geom, 4549)"
		if flip {
			g = "ST_FlipCoordinates(" + g + ")"
		}
		rows, err := src.Query(ctx, `SELECT zddm, landuse_code, ST_AsGeoJSON(`+g+`, 3, 0) FROM parcels WHERE landuse_system = 'GB/T 21010' ORDER BY id LIMIT 10`)
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for rows.Next() {
			var z, lu, gj string
			rows.Scan(&z, &lu, &gj)
			out = append(out, map[string]any{"type": "Feature", "properties": map[string]any{"宗地代码": z, "土地用途": lu}, "geometry": json.RawMessage(gj)})
		}
		return out
	}
	path := filepath.Join(dir, "swapped.geojson")
	writeGeoJSON(t, path, "urn:ogc:def:crs:EPSG::4549", read(true))
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: path})
	if rep.OK() || rep.Totals["swapped-axes"] != 1 || rep.Problems[0].Index != -1 || !strings.Contains(rep.Problems[0].Message, "swapped") {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	path = filepath.Join(dir, "gk.geojson")
	writeGeoJSON(t, path, "urn:ogc:def:crs:EPSG::4549", read(false))
	rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: path, CRS: "EPSG:4528"})
	if rep.OK() || rep.Totals["wrong-crs"] != 1 || !strings.Contains(rep.Problems[0].Message, "zone prefix") {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	// Read as what it is, the same file dry-runs clean.
	rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: path, DryRun: true})
	if !rep.OK() || rep.SourceCRS != "EPSG:4549" {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	var n int
	dst.QueryRow(ctx, `SELECT count(*) FROM parcels`).Scan(&n)
	if n != 0 {
		t.Errorf("%d parcels written", n)
	}
}

// TestBlockLinesImport: a planner's file of new block lines becomes one draft
// adjustment, whose preview shows the added area.
func TestBlockLinesImport(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	pool := demo(t)
	// Two free 10-ha squares in 瓯海区, away from every block line and parcel.
	rows, err := pool.Query(ctx, `WITH c AS (
  SELECT ST_MakeEnvelope(x, y, x + 0.003, y + 0.003, 4490) AS g
  FROM generate_series(120.52, 120.70, 0.004) x, generate_series(27.90, 28.03, 0.004) y)
SELECT ST_AsGeoJSON(ST_Transform(g, 4549), 3, 0), ST_Area(g::geography) FROM c, districts d
WHERE d.xzqdm = '330304' AND ST_CoveredBy(ST_Buffer(g, 0.001), d.geom)
  AND NOT EXISTS (SELECT 1 FROM block_lines b WHERE ST_DWithin(b.geom, c.g, 0.002))
ORDER BY ST_X(ST_Centroid(g)), ST_Y(ST_Centroid(g)) LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	var feats []map[string]any
	var want float64
	levels := []string{"一级", "二级"}
	for rows.Next() {
		var g string
		var a float64
		rows.Scan(&g, &a)
		feats = append(feats, map[string]any{"type": "Feature", "properties": map[string]any{"级别": levels[len(feats)], "区块名称": "导入测试区块"}, "geometry": json.RawMessage(g)})
		want += a
	}
	if len(feats) != 2 {
		t.Fatalf("found %d free squares", len(feats))
	}
	path := filepath.Join(t.TempDir(), "lines.geojson")
	writeGeoJSON(t, path, "urn:ogc:def:crs:EPSG::4549", feats)
	rep := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.BlockLines, Path: path, Xzqdm: "330304", DocNo: "温资规〔2025〕1号（示例）",
		Change: store.Change{Actor: "planner-li", Reason: "补充一级区块 / test", Effective: mustDate("2025-06-30")}})
	if !rep.OK() || rep.AdjustmentID == 0 || rep.Imported != 2 {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	a, err := store.GetAdjustment(ctx, pool, rep.AdjustmentID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != "draft" || a.Kind != "调整" || a.Xzqdm != "330304" || len(a.Parts) != 2 || a.CreatedBy != "planner-li" || a.EffectiveDate != "2025-06-30" {
		t.Errorf("adjustment %+v", a)
	}
	o, err := store.Preview(ctx, pool, store.Change{Actor: "planner-li"}, rep.AdjustmentID)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.AddedM2L1 + o.AddedM2L2; math.Abs(got-want) > 1e-3*want || o.AddedM2L2 <= 0 || !o.Accepted {
		t.Errorf("preview adds %.2f m² (L1 %.2f, L2 %.2f), want %.2f: %+v", got, o.AddedM2L1, o.AddedM2L2, want, o)
	}
	var lines int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines WHERE adjustment_id = $1`, rep.AdjustmentID).Scan(&lines)
	if lines != 0 {
		t.Errorf("the import applied the adjustment (%d lines): it must stay a proposal", lines)
	}
	// The same file again overlaps nothing current (still a proposal) but a missing
	// level is an error.
	feats[0]["properties"] = map[string]any{"区块名称": "无级别"}
	writeGeoJSON(t, path, "urn:ogc:def:crs:EPSG::4549", feats)
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.BlockLines, Path: path, Xzqdm: "330304", DryRun: true})
	if rep.OK() || rep.Totals["missing-value"] != 1 {
		t.Fatalf("report:\n%s", reportText(rep))
	}
}

func firstError(r *exchange.Report) exchange.Problem {
	for _, p := range r.Problems {
		if p.Severity == "error" {
			return p
		}
	}
	return exchange.Problem{}
}
