package exchange_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/testenv"
)

func needGDAL(t testing.TB) {
	t.Helper()
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin; `make test` installs it)")
	}
}

// demo is a database with the demo fixtures (a clone of them loaded once, demodb).
func demo(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := demodb.Fixtures(t)
	return pool
}

// loaded is a database the demo fixtures are loaded into by the test itself.
func loaded(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	if _, err := fixtures.Load(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

// withDistricts is a fresh database holding only the districts of src: no parcels, no
// enterprises, no block lines.
func withDistricts(t testing.TB, src *pgxpool.Pool) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	dst := dbtest.New(t)
	rows, err := src.Query(ctx, `SELECT xzqdm, name, ST_AsBinary(geom), baseline_area_m2, baseline_date, rule_start, rule_end, synthetic FROM districts`)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		if _, err := dst.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom, baseline_area_m2, baseline_date, rule_start, rule_end, synthetic)
VALUES ($1, $2, ST_GeomFromWKB($3, 4490), $4, $5, $6, $7, $8)`, v...); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func ogr(t testing.TB, args ...string) string {
	t.Helper()
	name := args[0]
	cmd := exec.Command(name, args[1:]...)
	cmd.Env = append(os.Environ(), "CPL_DEBUG=OFF")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

func areas(t testing.TB, pool *pgxpool.Pool) map[string]float64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT zddm, area_m2 FROM parcels`)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]float64{}
	for rows.Next() {
		var z string
		var a float64
		rows.Scan(&z, &a)
		m[z] = a
	}
	return m
}

func mustImport(t testing.TB, pool *pgxpool.Pool, opt exchange.ImportOptions) *exchange.Report {
	t.Helper()
	if opt.Change.Actor == "" {
		opt.Change.Actor = "test-import"
	}
	rep, err := exchange.Import(context.Background(), pool, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func reportText(r *exchange.Report) string {
	var b strings.Builder
	r.WriteText(&b)
	return b.String()
}

// TestRoundTrip exports the demo parcels as GeoPackage and as a zipped Shapefile,
// checks them with ogrinfo, and imports each into a second, fresh database. Its
// source is loaded, not cloned, so the package also exports what the loader has
// just written.
func TestRoundTrip(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := loaded(t)
	want := areas(t, src)
	dir := t.TempDir()
	for _, format := range []string{"gpkg", "shp"} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(dir, "parcels."+map[string]string{"gpkg": "gpkg", "shp": "zip"}[format])
			if err := exchange.Export(ctx, src, exchange.ExportOptions{Collection: "parcels", Format: format}, path); err != nil {
				t.Fatal(err)
			}
			info := ogr(t, "ogrinfo", "-ro", "-so", "-al", exchange.GDALName(path))
			if !strings.Contains(info, fmt.Sprintf("Feature Count: %d", len(want))) {
				t.Errorf("ogrinfo count, want %d:\n%s", len(want), info)
			}
			if !regexp.MustCompile(`(?m)^    ID\["EPSG",4490\]\]`).MatchString(info) {
				t.Errorf("ogrinfo SRS is not EPSG:4490:\n%s", info)
			}
			dst := withDistricts(t, src)
			rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
			if !rep.OK() || rep.Imported != len(want) {
				t.Fatalf("imported %d of %d:\n%s", rep.Imported, len(want), reportText(rep))
			}
			got := areas(t, dst)
			if len(got) != len(want) {
				t.Fatalf("%d parcels, want %d", len(got), len(want))
			}
			for z, a := range want {
				if b, ok := got[z]; !ok || math.Abs(b-a) > 1e-6*a {
					t.Errorf("%s: area %.6f after the round trip, %.6f before", z, b, a)
				}
			}
			// Same attributes (a sample of types: text, numeric, date, boolean).
			var diff int
			dst.QueryRow(ctx, `SELECT count(*) FROM parcels`).Scan(&diff)
			var audit int
			dst.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE table_name = 'parcels' AND actor = 'test-import'`).Scan(&audit)
			if audit != len(want) {
				t.Errorf("%d audit rows by the importing actor, want %d", audit, len(want))
			}
			compareAttributes(t, src, dst)
		})
	}
	t.Run("shapefile in EPSG:4549 as of a date", func(t *testing.T) {
		path := filepath.Join(dir, "lines4549.zip")
		err := exchange.Export(ctx, src, exchange.ExportOptions{Collection: "block-lines", Format: "shp", CRS: "EPSG:4549", Date: mustDate("2022-12-31")}, path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		src.QueryRow(ctx, `SELECT count(*) FROM block_lines_all WHERE valid_from <= '2022-12-31' AND (valid_to IS NULL OR valid_to > '2022-12-31')`).Scan(&n)
		info := ogr(t, "ogrinfo", "-ro", "-so", "-al", exchange.GDALName(path))
		if !strings.Contains(info, fmt.Sprintf("Feature Count: %d", n)) || !strings.Contains(info, `ID["EPSG",4549]]`) {
			t.Errorf("want %d features in EPSG:4549:\n%s", n, info)
		}
		for _, f := range []string{"appr_doc", "valid_from", "area_m2"} {
			if !strings.Contains(info, f+": ") {
				t.Errorf("field %s missing:\n%s", f, info)
			}
		}
	})
	t.Run("geojson is CRS84", func(t *testing.T) {
		path := filepath.Join(dir, "districts.geojson")
		if err := exchange.Export(ctx, src, exchange.ExportOptions{Collection: "districts", Format: "geojson"}, path); err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Geometry struct {
					Coordinates json.RawMessage `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		b, _ := os.ReadFile(path)
		if err := json.Unmarshal(b, &fc); err != nil || len(fc.Features) != 3 {
			t.Fatalf("%v, %d features", err, len(fc.Features))
		}
		if p := regexp.MustCompile(`^[\[\s]+([0-9.]+),\s*([0-9.]+)`).FindStringSubmatch(string(fc.Features[0].Geometry.Coordinates)); p == nil || !strings.HasPrefix(p[1], "12") || !strings.HasPrefix(p[2], "2") {
			t.Errorf("first position %v is not lon/lat", p)
		}
	})
}

func compareAttributes(t *testing.T, src, dst *pgxpool.Pool) {
	t.Helper()
	q := `SELECT zddm, md5(concat_ws('|', bdcdyh, holder_name, holder_uscc, landuse_code, landuse_system, registered_area_m2, contract_date, price_wan, is_standard_land, agreed_start, far_min, rd_ratio, valid_from)) FROM parcels`
	read := func(p *pgxpool.Pool) map[string]string {
		rows, err := p.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for rows.Next() {
			var a, b string
			rows.Scan(&a, &b)
			m[a] = b
		}
		return m
	}
	a, b := read(src), read(dst)
	bad := 0
	for k, v := range a {
		if b[k] != v {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d parcels differ in their attributes after the round trip", bad)
	}
}
