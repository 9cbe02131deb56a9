package exchange_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

func writeGBKShapefile(t *testing.T, src *pgxpool.Pool, dir string) string {
	t.Helper()
	rows, err := src.Query(context.Background(), `SELECT zddm, landuse_code, ST_AsGeoJSON(geom, 9, 0) FROM parcels
WHERE landuse_system = 'GB/T 21010' ORDER BY id LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	holders := []string{"温州市鹿城区瓯江机械有限公司", "温州𠀀新材料有限公司"}
	places := []string{"鹿城区七都街道", "鹿城区"}
	var feats []map[string]any
	for i := 0; rows.Next(); i++ {
		var z, lu, gj string
		rows.Scan(&z, &lu, &gj)
		feats = append(feats, map[string]any{"type": "Feature", "properties": map[string]any{"宗地代码": z, "权利人": holders[i], "土地用途": lu, "坐落": places[i]},
			"geometry": json.RawMessage(gj)})
	}
	gj := filepath.Join(dir, "in.geojson")
	writeGeoJSON(t, gj, "", feats)
	shp := filepath.Join(dir, "宗地.shp")
	ogr(t, "ogr2ogr", "-f", "ESRI Shapefile", shp, gj, "-lco", "ENCODING=GB18030", "-nln", "宗地")
	if err := os.Remove(filepath.Join(dir, "宗地.cpg")); err != nil {
		t.Fatal(err)
	}
	return shp
}

// TestGBKDBFWithoutCPG: a GB18030/GBK .dbf without .cpg is detected as such, the dry run
// says so, and the names arrive as written, never as U+FFFD (issue 14.17).
func TestGBKDBFWithoutCPG(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dst := withDistricts(t, src)
	shp := writeGBKShapefile(t, src, t.TempDir())
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: shp, DryRun: true})
	if rep.Encoding == nil || rep.Encoding.Name != "GB18030" || rep.Encoding.From != "detected" {
		t.Fatalf("encoding %+v, want GB18030 detected (one name has a four-byte character):\n%s", rep.Encoding, reportText(rep))
	}
	if !strings.Contains(reportText(rep), "encoding: GB18030 (detected)") {
		t.Errorf("the dry run's text does not name the encoding:\n%s", reportText(rep))
	}
	if rep.Mapping["宗地代码"] != "zddm" || rep.Mapping["权利人"] != "holder_name" {
		t.Fatalf("Chinese field names not read: mapping %v ignored %v", rep.Mapping, rep.Ignored)
	}
	rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: shp})
	if !rep.OK() || rep.Imported != 2 {
		t.Fatalf("import:\n%s", reportText(rep))
	}
	var names []string
	rows, _ := dst.Query(ctx, `SELECT holder_name || '|' || location FROM parcels ORDER BY id`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		names = append(names, s)
	}
	if strings.Join(names, ";") != "温州市鹿城区瓯江机械有限公司|鹿城区七都街道;温州𠀀新材料有限公司|鹿城区" {
		t.Errorf("stored %q", names)
	}

	// Stated by an option, the encoding is used and checked: the same file read as
	// UTF-8 is refused with the field and the record, nothing read.
	dst2 := withDistricts(t, src)
	rep = mustImport(t, dst2, exchange.ImportOptions{Kind: exchange.Parcels, Path: shp, Encoding: "UTF-8"})
	if rep.OK() || rep.Totals["bad-encoding"] == 0 {
		t.Fatalf("GBK read as UTF-8 accepted:\n%s", reportText(rep))
	}
	var sawField bool
	for _, p := range rep.Problems {
		if p.Code == "bad-encoding" && p.Field == "field 1" && p.Index == -1 {
			sawField = true // the field name 宗地代码 itself, not UTF-8
		}
	}
	if !sawField || !strings.Contains(rep.Problems[len(rep.Problems)-1].Message, "record 2") {
		t.Errorf("problems do not name field and record:\n%s", reportText(rep))
	}
	var n int
	dst2.QueryRow(ctx, `SELECT count(*) FROM parcels`).Scan(&n)
	if n != 0 {
		t.Errorf("%d parcels written", n)
	}
}

// TestDBFNeitherUTF8NorGBK: text valid in neither encoding is refused, naming the field
// and the record; a .cpg that says UTF-8 over GBK text the same.
func TestDBFNeitherUTF8NorGBK(t *testing.T) {
	needGDAL(t)
	src := demo(t)
	dst := withDistricts(t, src)
	dir := t.TempDir()
	shp := writeGBKShapefile(t, src, dir)
	dbf := filepath.Join(dir, "宗地.dbf")
	b, err := os.ReadFile(dbf)
	if err != nil {
		t.Fatal(err)
	}
	// 0xFF is no lead byte in GB18030 and no byte of UTF-8: spoil the first record's
	// 权利人 (温 is D6 B8 in GBK).
	k := strings.Index(string(b), "\xce\xc2\xd6\xdd") // 温州
	if k < 0 {
		t.Fatal("温州 not found in the .dbf")
	}
	b[k] = 0xFF
	os.WriteFile(dbf, b, 0o644)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: shp, DryRun: true})
	if rep.OK() || rep.Totals["bad-encoding"] != 1 {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	p := rep.Problems[0]
	if p.Field != "权利人" || p.Index != 0 || !strings.Contains(p.Message, "record 1") || !strings.Contains(p.Message, "UTF-8/GBK/GB18030") {
		t.Errorf("problem %+v", p)
	}

	// A .cpg saying UTF-8 over GBK text: refused too, not read as garbage.
	dir = t.TempDir()
	shp = writeGBKShapefile(t, src, dir)
	os.WriteFile(filepath.Join(dir, "宗地.cpg"), []byte("UTF-8"), 0o644)
	rep = mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: shp, DryRun: true})
	if rep.OK() || rep.Totals["bad-encoding"] == 0 || !strings.Contains(rep.Problems[0].Message, "UTF-8") {
		t.Fatalf("report:\n%s", reportText(rep))
	}
}

// TestNoReplacementCharacterStored: the database refuses U+FFFD in the register's text
// from any writer, and the refusal names the column (issue 14.17).
func TestNoReplacementCharacterStored(t *testing.T) {
	ctx := context.Background()
	pool := demo(t)
	for _, sql := range []string{
		`INSERT INTO enterprises (uscc, name) VALUES ('91330300MA2ABCDE1X', 'Ȩ����')`,
		`UPDATE parcels SET location = '��' WHERE id = (SELECT min(id) FROM parcels)`,
		`UPDATE enterprises SET address = 'x�' WHERE uscc = (SELECT min(uscc) FROM enterprises)`,
	} {
		_, err := pool.Exec(ctx, sql)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || pg.Code != "23514" || !strings.HasSuffix(pg.ConstraintName, "_fffd") {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		e := store.Translate(err)
		if e == nil || e.Zh == "" || !strings.Contains(e.En, "U+FFFD") || (e.Field != "name" && e.Field != "location" && e.Field != "address") {
			t.Errorf("%s: translated %+v", sql, e)
		}
	}
	err := store.InTx(ctx, pool, store.Change{Actor: "t", Reason: "t"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, payload) SELECT min(id), 'STARTED', '2020-01-01', '{"note": "�"}' FROM parcels`)
		return err
	})
	if e := store.Translate(err); e == nil || e.Field != "payload" {
		t.Errorf("event payload with U+FFFD: %v", err)
	}
}

// TestSwappedFeatureAmongOthers: one feature with swapped axes is reported as that
// feature's problem, beside the other problems of the file (issue 14.18).
func TestSwappedFeatureAmongOthers(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	dst := withDistricts(t, src)
	rows, err := src.Query(ctx, `SELECT zddm, landuse_code, ST_AsGeoJSON(CASE WHEN n = 2 THEN ST_FlipCoordinates(g) ELSE g END, 3, 0)
FROM (SELECT zddm, landuse_code, ST_Transform(geom, 4549) AS g, row_number() OVER (ORDER BY id) AS n FROM parcels
      WHERE landuse_system = 'GB/T 21010' ORDER BY id LIMIT 4) s ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	var feats []map[string]any
	for i := 0; rows.Next(); i++ {
		var z, lu, gj string
		rows.Scan(&z, &lu, &gj)
		if i == 3 {
			z = z[:len(z)-1] + "X" // not a 宗地代码
		}
		feats = append(feats, map[string]any{"type": "Feature", "properties": map[string]any{"宗地代码": z, "土地用途": lu}, "geometry": json.RawMessage(gj)})
	}
	path := filepath.Join(t.TempDir(), "one-swapped.geojson")
	writeGeoJSON(t, path, "urn:ogc:def:crs:EPSG::4549", feats)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, Path: path, DryRun: true})
	if rep.OK() || rep.Totals["swapped-axes"] != 1 || rep.Totals["bad-code"] != 1 {
		t.Fatalf("want one swapped-axes and one bad-code:\n%s", reportText(rep))
	}
	for _, p := range rep.Problems {
		switch p.Code {
		case "swapped-axes":
			if p.Index != 1 || p.SourceID != feats[1]["properties"].(map[string]any)["宗地代码"] {
				t.Errorf("swapped problem on %d (%s), want feature 1", p.Index, p.SourceID)
			}
		case "bad-code":
			if p.Index != 3 {
				t.Errorf("bad code on %d, want 3", p.Index)
			}
		}
	}
	if rep.Invalid != 2 || rep.Valid != 2 {
		t.Errorf("valid %d invalid %d, want 2 and 2", rep.Valid, rep.Invalid)
	}
}
