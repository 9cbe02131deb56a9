package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/testenv"
)

// TestGDALClient reads the collections with GDAL's OAPIF driver (Debian gdal-bin, as a
// bureau's desktop would), copies whole collections into GeoPackages, then loads those
// back into PostGIS to compare every feature with the source.
func TestGDALClient(t *testing.T) {
	for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.MissingClient(t, "%s not installed (apt-get install gdal-bin; `make test` installs it)", tool)
		}
	}
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Demo)
	oapif := "OAPIF:" + srv.URL + "/"

	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		// The database's unix socket asks for the password too.
		cmd.Env = append(os.Environ(), "CPL_DEBUG=OFF", "GDAL_HTTP_TIMEOUT=60", "PGPASSWORD="+pool.Config().ConnConfig.Password)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}

	// ogrinfo lists the collections with their extents and counts.
	out := run("ogrinfo", "-ro", oapif)
	for _, id := range []string{"districts", "block_lines", "parcels"} {
		if !strings.Contains(out, ": "+id+" (title: ") {
			t.Errorf("ogrinfo does not list %s:\n%s", id, out)
		}
		summary := run("ogrinfo", "-ro", "-so", oapif, id)
		var want int
		pool.QueryRow(ctx, "SELECT count(*) FROM "+id).Scan(&want)
		m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(summary)
		if m == nil || m[1] != strconv.Itoa(want) {
			t.Errorf("%s: ogrinfo count %v, want %d", id, m, want)
		}
		if !regexp.MustCompile(`Extent: \(12\d\.\d+, 2\d\.\d+\) - \(12\d\.\d+, 2\d\.\d+\)`).MatchString(summary) {
			t.Errorf("%s: ogrinfo extent missing or not lon/lat:\n%s", id, summary)
		}
	}
	// -where is sent as a simple queryable filter.
	where := run("ogrinfo", "-ro", "-so", "-where", "xzqdm = '330304'", oapif, "parcels")
	var inOuhai int
	pool.QueryRow(ctx, "SELECT count(*) FROM parcels WHERE xzqdm = '330304'").Scan(&inOuhai)
	if !strings.Contains(where, "Feature Count: "+strconv.Itoa(inOuhai)) {
		t.Errorf("-where count, want %d:\n%s", inOuhai, where)
	}

	// ogr2ogr copies each collection through every page into a GeoPackage …
	dir := t.TempDir()
	cfg := pool.Config().ConnConfig
	pg := fmt.Sprintf("PG:host=%s port=%d dbname=%s user=%s", cfg.Host, cfg.Port, cfg.Database, cfg.User)
	// GDAL's OAPIF driver numbers the features it reads (its FIDs are not the features'
	// ids, which have gaps where a rolled-back preview drew a line), so a copy is matched
	// to its source by the collection's unique code.
	for id, key := range map[string]string{"block_lines": "code", "parcels": "zddm"} {
		gpkg := filepath.Join(dir, id+".gpkg")
		run("ogr2ogr", "-f", "GPKG", gpkg, oapif, id, "-oo", "PAGE_SIZE=50")
		// … which goes back into PostGIS for comparison: coordinates travel with 9
		// decimals (0.1 mm), so every vertex must come back within 1e-8°.
		run("ogr2ogr", "-f", "PostgreSQL", pg, gpkg, "-nln", "gdal_"+id, "-lco", "GEOMETRY_NAME=geom",
			"-lco", "FID=fid", "-preserve_fid", "-a_srs", "EPSG:4490", "-nlt", "MULTIPOLYGON")
		var n, same, missing int
		var srcArea, gotArea float64
		err := pool.QueryRow(ctx, `SELECT count(g.fid), count(*) FILTER (WHERE ST_HausdorffDistance(g.geom, s.geom) < 1e-8),
  count(*) FILTER (WHERE g.fid IS NULL), sum(s.area_m2), sum(ST_Area(g.geom::geography))
FROM `+id+` s LEFT JOIN gdal_`+id+` g ON g.`+key+` = s.`+key).Scan(&n, &same, &missing, &srcArea, &gotArea)
		if err != nil {
			t.Fatal(err)
		}
		if missing != 0 || same != n || n == 0 {
			t.Errorf("%s: %d copied, %d identical, %d missing", id, n, same, missing)
		}
		if d := gotArea - srcArea; d > 1e-6*srcArea || d < -1e-6*srcArea {
			t.Errorf("%s: total area %.3f m² after the round trip, %.3f m² in the registry", id, gotArea, srcArea)
		}
	}
}
