package exchange_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// secretMarker stands for data outside the upload (a local file, the database): it
// must never reach a report.
const secretMarker = "S3CR3T-MARKER"

// secretCSV is a private file of the server's: a polygon and a parcel code that is the
// marker, as a VRT would pull it in.
func secretCSV(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret.csv")
	os.WriteFile(p, []byte("WKT,ZDDM,TDYT\n\"POLYGON((120.60 27.95,120.61 27.95,120.61 27.96,120.60 27.95))\","+secretMarker+",0601\n"), 0o600)
	return p
}

// vrtOf is an OGR VRT reading src (a file or a connection string), optionally with SQL.
func vrtOf(src, sql string) []byte {
	var b strings.Builder
	b.WriteString("<OGRVRTDataSource>\n  <OGRVRTLayer name=\"parcels\">\n    <SrcDataSource>" + src + "</SrcDataSource>\n")
	if sql != "" {
		b.WriteString("    <SrcSQL>" + sql + "</SrcSQL>\n")
	}
	b.WriteString("    <GeometryType>wkbPolygon</GeometryType>\n    <LayerSRS>EPSG:4490</LayerSRS>\n" +
		"    <GeometryField encoding=\"WKT\" field=\"WKT\"/>\n  </OGRVRTLayer>\n</OGRVRTDataSource>\n")
	return []byte(b.String())
}

type zipEntry struct {
	name string
	body []byte
	mode os.FileMode
}

func writeZip(t *testing.T, path string, entries ...zipEntry) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gpkgWith is a GeoPackage whose only layer is made by sql (run by the test's own,
// unrestricted GDAL, which has SpatiaLite loaded like any desktop's).
func gpkgWith(t *testing.T, dir, table string, sql ...string) string {
	t.Helper()
	path := filepath.Join(dir, table+".gpkg")
	fc := filepath.Join(dir, table+"-seed.geojson")
	os.WriteFile(fc, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[120.6,27.9]}}]}`), 0o644)
	ogr(t, "ogr2ogr", "-f", "GPKG", path, fc, "-nln", "seed")
	for _, s := range append(sql,
		"INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('"+table+"', 'attributes', '"+table+"')",
		"DELETE FROM gpkg_contents WHERE table_name = 'seed'") {
		ogr(t, "ogrinfo", path, "-sql", s)
	}
	return path
}

// problemTyper is what a refusal of the file offers the API: its problem type.
type problemTyper interface{ ProblemType() string }

// TestImportRefusesDisguisedFiles: files that are not what their name says, archives
// that try to escape or nest, GeoPackages that read other files, and names that are
// GDAL connection strings are all refused before GDAL reads anything but the upload,
// by the import function the CLI uses.
func TestImportRefusesDisguisedFiles(t *testing.T) {
	needGDAL(t)
	pool := dbtest.New(t)
	secret := secretCSV(t)
	secretTxt := filepath.Join(t.TempDir(), "secret.txt")
	os.WriteFile(secretTxt, []byte("zddm:landuse\n"+secretMarker+":0601\n"), 0o600)
	var hits atomic.Int32
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `GEOGCS["leak",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`)
	}))
	defer web.Close()
	gpx := `<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="27.9" lon="120.6"><name>` + secretMarker + `</name></wpt></gpx>`
	feature := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ZDDM":"330304009020GB09001","TDYT":"0601"},"geometry":{"type":"Polygon","coordinates":[[[120.6,27.95],[120.61,27.95],[120.61,27.96],[120.6,27.95]]]}}]}`
	pc := pool.Config().ConnConfig

	for _, tc := range []struct {
		name string
		make func(dir string) string // returns the path handed to Import
		want string                  // problem type
	}{
		{"VRT named .geojson", func(dir string) string {
			p := filepath.Join(dir, "parcels.geojson")
			os.WriteFile(p, vrtOf(secret, ""), 0o644)
			return p
		}, "file-type-mismatch"},
		{"VRT named .geojson reading the database over its socket", func(dir string) string {
			p := filepath.Join(dir, "parcels.geojson")
			os.WriteFile(p, vrtOf(fmt.Sprintf("PG:host='%s' port=%d dbname='%s' user='%s'", pc.Host, pc.Port, pc.Database, pc.User),
				"SELECT 'POLYGON((120.60 27.95,120.61 27.95,120.61 27.96,120.60 27.95))' AS \"WKT\", '"+secretMarker+"-' || current_database() AS \"ZDDM\", '0601' AS \"TDYT\""), 0o644)
			return p
		}, "file-type-mismatch"},
		{"VRT named .shp", func(dir string) string {
			p := filepath.Join(dir, "parcels.shp")
			os.WriteFile(p, vrtOf(secret, ""), 0o644)
			return p
		}, "file-type-mismatch"},
		{"CSV named .geojson", func(dir string) string {
			p := filepath.Join(dir, "parcels.geojson")
			b, _ := os.ReadFile(secret)
			os.WriteFile(p, b, 0o644)
			return p
		}, "file-type-mismatch"},
		{"GPX named .geojson", func(dir string) string {
			p := filepath.Join(dir, "parcels.geojson")
			os.WriteFile(p, []byte(gpx), 0o644)
			return p
		}, "file-type-mismatch"},
		{"TopoJSON named .geojson", func(dir string) string {
			// Passes for JSON, but only the GeoJSON driver may open a .geojson.
			p := filepath.Join(dir, "parcels.geojson")
			os.WriteFile(p, []byte(`{"type":"Topology","objects":{"parcels":{"type":"GeometryCollection","geometries":[{"type":"Polygon","properties":{"ZDDM":"`+secretMarker+`","TDYT":"0601"},"arcs":[[0]]}]}},"arcs":[[[120.6,27.95],[120.61,27.95],[120.61,27.96],[120.6,27.95]]]}`), 0o644)
			return p
		}, "invalid-file"},
		{"GeoJSON named .gpkg", func(dir string) string {
			p := filepath.Join(dir, "parcels.gpkg")
			os.WriteFile(p, []byte(feature), 0o644)
			return p
		}, "file-type-mismatch"},
		{"VRT named .geojson inside a zip", func(dir string) string {
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, zipEntry{name: "parcels.geojson", body: vrtOf(secret, "")})
			return p
		}, "file-type-mismatch"},
		{"VRT inside a zip", func(dir string) string {
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, zipEntry{name: "parcels.vrt", body: vrtOf(secret, "")})
			return p
		}, "unsafe-archive"},
		{"zip entry climbing out with ../", func(dir string) string {
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, zipEntry{name: "../parcels.geojson", body: []byte(feature)})
			return p
		}, "unsafe-archive"},
		{"zip entry with an absolute path", func(dir string) string {
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, zipEntry{name: "/tmp/parcels.geojson", body: []byte(feature)})
			return p
		}, "unsafe-archive"},
		{"zip entry that is a symlink", func(dir string) string {
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, zipEntry{name: "parcels.geojson", body: []byte(secret), mode: os.ModeSymlink | 0o777})
			return p
		}, "unsafe-archive"},
		{"zip inside a zip", func(dir string) string {
			inner := filepath.Join(dir, "inner.zip")
			writeZip(t, inner, zipEntry{name: "parcels.geojson", body: []byte(feature)})
			b, _ := os.ReadFile(inner)
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, zipEntry{name: "inner.zip", body: b})
			return p
		}, "unsafe-archive"},
		{"zip of too many entries", func(dir string) string {
			var es []zipEntry
			for i := 0; i < 100; i++ {
				es = append(es, zipEntry{name: fmt.Sprintf("p%03d.prj", i), body: []byte("x")})
			}
			es = append(es, zipEntry{name: "parcels.geojson", body: []byte(feature)})
			p := filepath.Join(dir, "parcels.zip")
			writeZip(t, p, es...)
			return p
		}, "unsafe-archive"},
		{"GeoPackage whose layer is a SpatiaLite VirtualText over a local file", func(dir string) string {
			return gpkgWith(t, dir, "leak", "CREATE VIRTUAL TABLE leak USING VirtualText('"+secretTxt+"', 'UTF-8', 1, POINT, NONE, ':')")
		}, "invalid-file"},
		{"GeoPackage whose layer is a view calling SpatiaLite", func(dir string) string {
			return gpkgWith(t, dir, "v", "CREATE VIEW v AS SELECT 1 AS fid, '"+secretMarker+"-' || spatialite_version() AS zddm, '0601' AS landuse")
		}, "invalid-file"},
		{"GeoPackage whose layer is a view calling a GDAL function", func(dir string) string {
			return gpkgWith(t, dir, "v", "CREATE VIEW v AS SELECT fid, ST_MinX(geom) AS zddm, '0601' AS landuse FROM seed")
		}, "invalid-file"},
		{"GeoJSON whose crs links to a URL", func(dir string) string {
			p := filepath.Join(dir, "parcels.geojson")
			os.WriteFile(p, []byte(strings.Replace(feature, `{"type":"FeatureCollection",`,
				`{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"`+web.URL+`/crs","type":"ogcwkt"}},`, 1)), 0o644)
			return p
		}, "invalid-file"},
		{"a /vsicurl/ name", func(string) string { return "/vsicurl/" + web.URL + "/parcels.geojson" }, "invalid-file"},
		{"a PG: connection string", func(string) string {
			return fmt.Sprintf("PG:host='%s' port=%d dbname='%s' user='%s'", pc.Host, pc.Port, pc.Database, pc.User)
		}, "invalid-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			path := tc.make(t.TempDir())
			rep, err := exchange.Import(context.Background(), pool, exchange.ImportOptions{Kind: exchange.Parcels, Path: path,
				CRS: "EPSG:4490", DryRun: true, Change: store.Change{Actor: "test-import"}})
			t.Logf("refused: %v", err)
			var pt problemTyper
			if !errors.As(err, &pt) || pt.ProblemType() != tc.want {
				t.Errorf("want a refusal of type %s, got %v", tc.want, err)
			}
			if err != nil && !strings.Contains(err.Error(), " / ") {
				t.Errorf("refusal is not Chinese / English: %v", err)
			}
			if rep != nil && strings.Contains(reportText(rep), secretMarker) {
				t.Errorf("the report carries data from outside the upload:\n%s", reportText(rep))
			}
			if n := hits.Load() - before; n != 0 {
				t.Errorf("GDAL made %d network requests", n)
			}
		})
	}
}

// TestImportZippedGBKShapefile: the genuine case the zip rules must keep working, a
// shapefile zipped in a folder with a GBK .dbf, an ArcGIS .shp.xml and a macOS
// resource fork beside it.
func TestImportZippedGBKShapefile(t *testing.T) {
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
		"-dialect", "SQLite", "-sql", `SELECT zddm AS "宗地代码", holder_name AS "权利人", holder_uscc AS "TYSHXYDM", landuse_code AS "土地用途", landuse_system AS "分类体系", geom FROM parcels`)
	var es []zipEntry
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		b, err := os.ReadFile(filepath.Join(dir, "宗地"+ext))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, zipEntry{name: "导出/宗地" + ext, body: b})
	}
	es = append(es, zipEntry{name: "导出/", mode: os.ModeDir | 0o755}, zipEntry{name: "导出/宗地.shp.xml", body: []byte("<metadata/>")},
		zipEntry{name: "__MACOSX/导出/._宗地.shp", body: []byte("\x00\x05\x16\x07")})
	path := filepath.Join(dir, "宗地.zip")
	writeZip(t, path, es...)
	dst := withDistricts(t, src)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
	if !rep.OK() || rep.Imported != 330 || rep.SourceCRS != "EPSG:4549" {
		t.Fatalf("imported %d:\n%s", rep.Imported, reportText(rep))
	}
	// Chinese text survives the GBK .dbf: one holder compared with its source.
	var zddm, want, got string
	src.QueryRow(ctx, `SELECT zddm, holder_name FROM parcels WHERE holder_name <> '' ORDER BY zddm LIMIT 1`).Scan(&zddm, &want)
	dst.QueryRow(ctx, `SELECT holder_name FROM parcels WHERE zddm = $1`, zddm).Scan(&got)
	if want == "" || got != want {
		t.Errorf("%s: holder %q, want %q", zddm, got, want)
	}
}

// TestImportRefusesDisguisedSpreadsheets: the spreadsheets of enterprises and events are
// held to the same rules: opened only as the format their name says, a workbook's zip
// checked by Go (names, links, size, a DTD that could pull in a file), a CSV checked
// for being text and copied before GDAL reads it.
func TestImportRefusesDisguisedSpreadsheets(t *testing.T) {
	needGDAL(t)
	pool := dbtest.New(t)
	secret := secretCSV(t)
	// A genuine workbook, whose parts the cases below tamper with.
	base := filepath.Join(t.TempDir(), "base.xlsx")
	writeXLSX(t, base, [][]any{{"统一社会信用代码", "企业名称"}, {"91330302MA00000011", "x"}})
	parts := func() []zipEntry {
		zr, err := zip.OpenReader(base)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var es []zipEntry
		for _, f := range zr.File {
			r, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(r)
			r.Close()
			es = append(es, zipEntry{name: f.Name, body: b.Bytes()})
		}
		return es
	}
	for _, tc := range []struct {
		name string
		make func(dir string) string
		want string
	}{
		{"VRT named .csv", func(dir string) string {
			p := filepath.Join(dir, "e.csv")
			os.WriteFile(p, vrtOf(secret, ""), 0o644)
			return p
		}, "file-type-mismatch"},
		{"GeoJSON named .csv", func(dir string) string {
			p := filepath.Join(dir, "e.csv")
			os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[]}`), 0o644)
			return p
		}, "file-type-mismatch"},
		{"UTF-16 CSV (NUL bytes)", func(dir string) string {
			p := filepath.Join(dir, "e.csv")
			os.WriteFile(p, []byte("\xff\xfeu\x00s\x00c\x00c\x00\n\x00"), 0o644)
			return p
		}, "file-type-mismatch"},
		{"CSV named .xlsx", func(dir string) string {
			p := filepath.Join(dir, "e.xlsx")
			b, _ := os.ReadFile(secret)
			os.WriteFile(p, b, 0o644)
			return p
		}, "file-type-mismatch"},
		{"zipped GeoJSON named .xlsx", func(dir string) string {
			p := filepath.Join(dir, "e.xlsx")
			writeZip(t, p, zipEntry{name: "parcels.geojson", body: []byte(`{"type":"FeatureCollection","features":[]}`)})
			return p
		}, "file-type-mismatch"},
		{"workbook part declaring an entity that reads a local file", func(dir string) string {
			es := parts()
			for i := range es {
				if es[i].name == "xl/worksheets/sheet1.xml" {
					es[i].body = append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://`+secret+`">]>`),
						bytes.TrimPrefix(es[i].body, []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`))...)
				}
			}
			p := filepath.Join(dir, "e.xlsx")
			writeZip(t, p, es...)
			return p
		}, "unsafe-archive"},
		{"workbook with a part climbing out", func(dir string) string {
			p := filepath.Join(dir, "e.xlsx")
			writeZip(t, p, append(parts(), zipEntry{name: "../x.xml", body: []byte("<x/>")})...)
			return p
		}, "unsafe-archive"},
		{"workbook with a symlink part", func(dir string) string {
			p := filepath.Join(dir, "e.xlsx")
			writeZip(t, p, append(parts(), zipEntry{name: "xl/media/x.xml", body: []byte(secret), mode: os.ModeSymlink | 0o777})...)
			return p
		}, "unsafe-archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := exchange.Import(context.Background(), pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: tc.make(t.TempDir()),
				DryRun: true, Change: store.Change{Actor: "test-import"}})
			var pt problemTyper
			if !errors.As(err, &pt) || pt.ProblemType() != tc.want {
				t.Errorf("want a refusal of type %s, got %v (report %v)", tc.want, err, rep)
			}
			if err != nil && !strings.Contains(err.Error(), " / ") {
				t.Errorf("refusal is not Chinese / English: %v", err)
			}
		})
	}
	// The genuine workbook reads.
	rep, err := exchange.Import(context.Background(), pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: base, DryRun: true, Change: store.Change{Actor: "t"}})
	if err != nil || rep.Features != 1 {
		t.Fatalf("genuine workbook: %v %v", err, rep)
	}
}
