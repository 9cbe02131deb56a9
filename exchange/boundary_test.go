package exchange_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/exchange"
)

// TestBoundaryFromGBKShapefile: a city's district boundaries as a Shapefile in EPSG:4549
// with a GBK .dbf, as a bureau's GIS writes it: the district asked for is picked by its
// code field, its Chinese name read, its coordinates kept to the centimetre.
func TestBoundaryFromGBKShapefile(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dir := t.TempDir()
	gj := filepath.Join(dir, "districts.geojson")
	var feats []map[string]any
	rows, err := src.Query(ctx, `SELECT xzqdm, name, ST_AsGeoJSON(geom, 9, 0) FROM districts ORDER BY xzqdm`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code, name, g string
		rows.Scan(&code, &name, &g)
		feats = append(feats, map[string]any{"type": "Feature", "properties": map[string]any{"XZQDM": code, "XZQMC": name}, "geometry": json.RawMessage(g)})
	}
	writeGeoJSON(t, gj, "", feats)
	shp := filepath.Join(dir, "行政区.shp")
	ogr(t, "ogr2ogr", "-f", "ESRI Shapefile", shp, gj, "-t_srs", "EPSG:4549", "-lco", "ENCODING=GBK")
	if cpg, _ := os.ReadFile(filepath.Join(dir, "行政区.cpg")); !strings.Contains(strings.ToUpper(string(cpg)), "GBK") && !strings.Contains(string(cpg), "936") {
		t.Fatalf(".cpg says %q, want GBK", cpg)
	}

	b, err := exchange.ReadBoundary(ctx, src, exchange.BoundaryOptions{Path: shp, Xzqdm: "330303"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "龙湾区" || b.Xzqdm != "330303" || b.SourceCRS != "EPSG:4549" || b.CRSFrom != "file" || b.Features != 1 || b.Geom.SRID != 4549 {
		t.Fatalf("boundary %+v", b)
	}
	var moved float64
	if err := src.QueryRow(ctx, `SELECT ST_HausdorffDistance(ST_Transform(geom, 4549), ST_SetSRID(ST_GeomFromWKB($1), 4549)) FROM districts WHERE xzqdm = '330303'`,
		b.Geom.WKB).Scan(&moved); err != nil || moved > 0.01 {
		t.Errorf("boundary moved %.4f m (%v)", moved, err)
	}
	var ie *exchange.InputError
	if _, err := exchange.ReadBoundary(ctx, src, exchange.BoundaryOptions{Path: shp}); !errors.As(err, &ie) || !strings.Contains(ie.EN, "several districts") {
		t.Errorf("several districts, none named: %v", err)
	}
	if _, err := exchange.ReadBoundary(ctx, src, exchange.BoundaryOptions{Path: shp, Xzqdm: "330327"}); !errors.As(err, &ie) || !strings.Contains(ie.EN, "no feature of district 330327") {
		t.Errorf("a district not in the file: %v", err)
	}
}

// TestBoundaryDissolvesParts: a district drawn as two adjoining features (towns) is one
// boundary, their union; coordinates of a projected CRS without a crs member are
// refused with a hint rather than read as degrees.
func TestBoundaryDissolvesParts(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	pool := demo(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "towns.geojson")
	writeGeoJSON(t, path, "", []map[string]any{
		{"type": "Feature", "properties": map[string]any{"名称": "苍南县"}, "geometry": json.RawMessage(`{"type":"Polygon","coordinates":[[[120.3,27.4],[120.4,27.4],[120.4,27.5],[120.3,27.5],[120.3,27.4]]]}`)},
		{"type": "Feature", "properties": map[string]any{"名称": "苍南县"}, "geometry": json.RawMessage(`{"type":"Polygon","coordinates":[[[120.4,27.4],[120.5,27.4],[120.5,27.5],[120.4,27.5],[120.4,27.4]]]}`)},
	})
	b, err := exchange.ReadBoundary(ctx, pool, exchange.BoundaryOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var parts int
	var box string
	pool.QueryRow(ctx, `SELECT ST_NumGeometries(g), ST_AsText(ST_Envelope(g)) FROM (SELECT ST_GeomFromWKB($1) AS g) s`, b.Geom.WKB).Scan(&parts, &box)
	if b.Features != 2 || b.Name != "苍南县" || b.Geom.SRID != 4490 || parts != 1 || !strings.Contains(box, "120.3 27.4") {
		t.Errorf("dissolved boundary: %+v, %d parts, envelope %s", b, parts, box)
	}
	gk := filepath.Join(dir, "gk.geojson")
	writeGeoJSON(t, gk, "", []map[string]any{{"type": "Feature", "properties": map[string]any{},
		"geometry": json.RawMessage(`{"type":"Polygon","coordinates":[[[500000,3040000],[510000,3040000],[510000,3050000],[500000,3050000],[500000,3040000]]]}`)}})
	var ie *exchange.InputError
	if _, err := exchange.ReadBoundary(ctx, pool, exchange.BoundaryOptions{Path: gk}); !errors.As(err, &ie) || !strings.Contains(ie.EN, "CRS") {
		t.Errorf("projected coordinates read as degrees: %v", err)
	}
	if b, err := exchange.ReadBoundary(ctx, pool, exchange.BoundaryOptions{Path: gk, CRS: "EPSG:4549"}); err != nil || b.SourceCRS != "EPSG:4549" || b.CRSFrom != "override" {
		t.Errorf("with --crs EPSG:4549: %+v %v", b, err)
	}
}

// TestImportCreatesHoldersOnlyWhenAsked: holders that are not enterprises are errors of
// their features unless the import is told to register them (--create-holders).
func TestImportCreatesHoldersOnlyWhenAsked(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dst := withDistricts(t, src)
	rows, err := src.Query(ctx, `SELECT zddm, landuse_code, landuse_system, holder_name, holder_uscc, ST_AsGeoJSON(geom, 9, 0) FROM parcels
WHERE holder_uscc IS NOT NULL ORDER BY id LIMIT 10`)
	if err != nil {
		t.Fatal(err)
	}
	var feats []map[string]any
	for rows.Next() {
		var z, lu, ls, hn, hu, g string
		rows.Scan(&z, &lu, &ls, &hn, &hu, &g)
		feats = append(feats, map[string]any{"type": "Feature", "properties": map[string]any{"ZDDM": z, "TDYT": lu, "分类体系": ls, "QLR": hn, "TYSHXYDM": hu}, "geometry": json.RawMessage(g)})
	}
	path := filepath.Join(t.TempDir(), "holders.geojson")
	writeGeoJSON(t, path, "", feats)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: path})
	if rep.OK() || rep.Imported != 0 || rep.Totals["unknown-enterprise"] != len(feats) {
		t.Fatalf("without --create-holders:\n%s", reportText(rep))
	}
	if p := firstError(rep); p.Field != "holder_uscc" || !strings.Contains(p.Message, "--create-holders") {
		t.Errorf("problem %+v", p)
	}
	var n int
	dst.QueryRow(ctx, `SELECT count(*) FROM enterprises`).Scan(&n)
	if n != 0 {
		t.Errorf("%d enterprises registered without being asked", n)
	}
	rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: path, CreateHolders: true})
	if !rep.OK() || rep.Imported != len(feats) || rep.EnterprisesCreated == 0 {
		t.Fatalf("with --create-holders:\n%s", reportText(rep))
	}
}
