package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/testenv"
)

// importParcels is the size of the import benchmark (issue 6: 100,000 parcels < 20 s).
const importParcels = 100_000

// import100kGPKG builds, once per run, a GeoPackage of 100,000 parcels: 40 × 40 m plots on
// a 50 m grid inside the three demo districts, with codes, holders (from the demo
// enterprises) and contract facts, written by ogr2ogr from PostGIS.
func import100kGPKG(b *testing.B) (src *pgxpool.Pool, path string) {
	b.Helper()
	ctx := context.Background()
	src = dbtest.New(b)
	if _, err := fixtures.Load(ctx, src); err != nil {
		b.Fatal(err)
	}
	_, err := src.Exec(ctx, `CREATE TABLE bench_parcels AS
WITH cells AS (
  SELECT d.xzqdm, row_number() OVER (PARTITION BY d.xzqdm ORDER BY y, x) - 1 AS n,
         ST_MakeEnvelope(x, y, x + 0.0004, y + 0.00036, 4490) AS g
  FROM districts d,
       generate_series(ST_XMin(d.geom)::numeric, ST_XMax(d.geom)::numeric, 0.0005) x,
       generate_series(ST_YMin(d.geom)::numeric, ST_YMax(d.geom)::numeric, 0.00045) y
  WHERE ST_CoveredBy(ST_MakeEnvelope(x, y, x + 0.0004, y + 0.00036, 4490), d.geom)),
picked AS (SELECT * FROM cells ORDER BY n, xzqdm LIMIT $1),
holders AS (SELECT row_number() OVER (ORDER BY uscc) - 1 AS k, uscc, name FROM enterprises)
SELECT format('%s%s%sGB%s', c.xzqdm, lpad((1 + (c.n / 1999980) % 9)::text, 3, '0'),
              lpad((1 + (c.n / 99999) % 20)::text, 3, '0'), lpad((1 + c.n % 99999)::text, 5, '0')) AS zddm,
       c.xzqdm, h.name AS holder_name, h.uscc AS holder_uscc, '0601' AS landuse_code,
       round(ST_Area(c.g::geography)::numeric, 2) AS registered_area_m2, '招拍挂' AS supply_method,
       DATE '2019-01-01' + (c.n % 1500)::int AS contract_date, 1000 + c.n % 900 AS price_wan, 50 AS term_years,
       ST_Transform(c.g, 4549) AS geom
FROM picked c JOIN holders h ON h.k = c.n % (SELECT count(*) FROM holders)`, importParcels)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	src.QueryRow(ctx, `SELECT count(*) FROM bench_parcels`).Scan(&n)
	if n != importParcels {
		b.Fatalf("generated %d parcels, want %d", n, importParcels)
	}
	path = filepath.Join(b.TempDir(), "parcels100k.gpkg")
	c := src.Config().ConnConfig
	cmd := exec.Command("ogr2ogr", "-f", "GPKG", path,
		fmt.Sprintf("PG:host='%s' port=%d dbname='%s' user='%s'", c.Host, c.Port, c.Database, c.User),
		"bench_parcels", "-nln", "宗地", "-nlt", "MULTIPOLYGON")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+c.Password)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	return src, path
}

// BenchmarkImport100k imports 100,000 parcels from a GeoPackage in EPSG:4549 into a
// database holding only the districts, end to end: ogr2ogr read, COPY, set-based
// validation (validity, codes, districts, overlaps within the file and with the
// register), one INSERT … SELECT with the versioning, audit and geometry triggers, and
// the holders registered as enterprises. Target: < 20 s.
func BenchmarkImport100k(b *testing.B) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(b, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	src, path := import100kGPKG(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := dbtest.New(b)
		if err := copyDistricts(ctx, src, dst); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := exchange.Import(ctx, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if !rep.OK() || rep.Imported != importParcels {
			b.Fatalf("imported %d; %d errors, first %+v", rep.Imported, rep.Errors, rep.Problems[:min(3, len(rep.Problems))])
		}
		b.Logf("timings: %v", rep.TimingsMS)
		dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(importParcels)*float64(b.N)/b.Elapsed().Seconds(), "parcels/s")
}

func copyDistricts(ctx context.Context, src, dst *pgxpool.Pool) error {
	rows, err := src.Query(ctx, `SELECT xzqdm, name, ST_AsBinary(geom), baseline_area_m2, baseline_date, rule_start, rule_end, synthetic FROM districts`)
	if err != nil {
		return err
	}
	vals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		return err
	}
	for _, v := range vals {
		if _, err := dst.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom, baseline_area_m2, baseline_date, rule_start, rule_end, synthetic)
VALUES ($1, $2, ST_GeomFromWKB($3, 4490), $4, $5, $6, $7, $8)`, v...); err != nil {
			return err
		}
	}
	return nil
}
