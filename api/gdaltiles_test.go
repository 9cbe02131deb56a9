package api_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/testenv"
)

// gdalVersion is the installed GDAL's version number (3060200 for 3.6.2).
func gdalVersion(t *testing.T) int {
	t.Helper()
	out, err := exec.Command("gdalinfo", "--version").Output()
	m := regexp.MustCompile(`GDAL (\d+)\.(\d+)\.(\d+)`).FindStringSubmatch(string(out))
	if err != nil || m == nil {
		t.Fatalf("gdalinfo --version: %v %s", err, out)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	c, _ := strconv.Atoi(m[3])
	return a*1000000 + b*10000 + c*100
}

// mercator is EPSG:3857 x/y of a lon/lat.
func mercator(lon, lat float64) (float64, float64) {
	const r = 6378137.0
	return r * lon * math.Pi / 180, r * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))
}

// TestGDALOGCAPITiles reads the OGC API – Tiles documents and tiles with GDAL, as a
// desktop would:
//   - GDAL's tile matrix set parser (the one its OGCAPI driver calls on the document it
//     downloads, reached here through the COG driver's TILING_SCHEME) accepts
//     /tileMatrixSets/WebMercatorQuad and grids a raster on its zoom 14 exactly;
//   - GDAL's MVT driver reads a tile fetched through the tile set's own URL template:
//     the layers, every feature, in Web Mercator inside the tile;
//   - the OGCAPI driver (`ogrinfo OGCAPI:<url>/collections/parcels`) follows the
//     collection's tilesets-vector link, the tile set's self link and its tiling-scheme
//     link to the tile matrix set. GDAL 3.5.0–3.7.0 built with CMake (Debian 12's 3.6.2)
//     stop there: their vector tile reader is compiled out (docs/decisions.md, "GDAL's
//     OGCAPI driver"), so the open fails; any other GDAL must read parcels from the tiles.
func TestGDALOGCAPITiles(t *testing.T) {
	for _, tool := range []string{"ogrinfo", "gdalinfo", "gdal_translate", "gdal_create"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.MissingClient(t, "%s not installed (apt-get install gdal-bin; `make test` installs it)", tool)
		}
	}
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	dir := t.TempDir()
	gdal := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(name string, args ...string) string {
		t.Helper()
		out, err := gdal(name, args...)
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return out
	}

	// The parcels' extent in Web Mercator.
	var lon0, lat0, lon1, lat1, lon, lat float64
	if err := pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM parcels) s`).
		Scan(&lon0, &lat0, &lon1, &lat1); err != nil {
		t.Fatal(err)
	}
	pool.QueryRow(ctx, `SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM parcels ORDER BY id LIMIT 1) s`).Scan(&lon, &lat)
	x0, y0 := mercator(lon0, lat0)
	x1, y1 := mercator(lon1, lat1)
	ftoa := func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

	t.Run("the tile matrix set grids a raster", func(t *testing.T) {
		_, doc := get(t, srv.URL+"/tileMatrixSets/WebMercatorQuad")
		in := filepath.Join(dir, "in.tif")
		must("gdal_create", "-q", "-of", "GTiff", "-outsize", "64", "64", "-bands", "1", "-a_srs", "EPSG:3857",
			"-a_ullr", ftoa(x0), ftoa(y1), ftoa(x1), ftoa(y0), in)
		out := filepath.Join(dir, "cog.tif")
		// The document itself, not a file name: the parser's in-memory path, as the
		// OGCAPI driver calls it.
		must("gdal_translate", "-q", "-of", "COG", "-co", "TILING_SCHEME="+string(doc), "-co", "ZOOM_LEVEL=14", in, out)
		var info struct {
			GeoTransform []float64 `json:"geoTransform"`
			Size         []int     `json:"size"`
		}
		if err := json.Unmarshal([]byte(must("gdalinfo", "-json", out)), &info); err != nil {
			t.Fatal(err)
		}
		const half = 20037508.3427892
		cell := 2 * half / 256 / (1 << 14)
		g := info.GeoTransform
		col, row := (g[0]+half)/(256*cell), (half-g[3])/(256*cell)
		if len(g) != 6 || math.Abs(g[1]-cell) > 1e-9 || math.Abs(g[5]+cell) > 1e-9 ||
			math.Abs(col-math.Round(col)) > 1e-6 || math.Abs(row-math.Round(row)) > 1e-6 {
			t.Errorf("COG on WebMercatorQuad z14: geotransform %v, want %.9f m pixels on the tile grid (col %.6f, row %.6f)", g, cell, col, row)
		}
	})

	t.Run("the MVT driver reads a tile from the template", func(t *testing.T) {
		var ts struct {
			Links []struct{ Href, Rel, Type string }
		}
		getJSON(t, srv.URL+"/collections/parcels/tiles/WebMercatorQuad", "application/json", &ts)
		var template string
		for _, l := range ts.Links {
			if l.Rel == "item" && l.Type == "application/vnd.mapbox-vector-tile" {
				template = l.Href
			}
		}
		x, y := tileOf(lon, lat, 14)
		u := strings.NewReplacer("{tileMatrix}", "14", "{tileRow}", strconv.Itoa(y), "{tileCol}", strconv.Itoa(x)).Replace(template)
		res, body := get(t, u)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", u, res.StatusCode)
		}
		file := filepath.Join(dir, "tile.mvt")
		if err := os.WriteFile(file, body, 0o600); err != nil {
			t.Fatal(err)
		}
		layers, err := mvt.Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		const half = 20037508.3427892
		side := 2 * half / (1 << 14)
		minx, maxy := -half+float64(x)*side, half-float64(y)*side
		extent := regexp.MustCompile(`Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)`)
		for _, l := range layers {
			info := must("ogrinfo", "-ro", "-so", "-oo", "Z=14", "-oo", "X="+strconv.Itoa(x), "-oo", "Y="+strconv.Itoa(y), "MVT:"+file, l.Name)
			if !strings.Contains(info, "Feature Count: "+strconv.Itoa(len(l.Features))+"\n") || len(l.Features) == 0 {
				t.Errorf("GDAL reads layer %s with another count than the tile's %d features:\n%s", l.Name, len(l.Features), info)
			}
			// Inside the tile, with ST_AsMVT's buffer (256 of 4096 units).
			m := extent.FindStringSubmatch(info)
			if m == nil {
				t.Fatalf("%s: no extent:\n%s", l.Name, info)
			}
			var e [4]float64
			for i := range e {
				e[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			buf := side / 16
			if e[0] < minx-buf || e[2] > minx+side+buf || e[1] < maxy-side-buf || e[3] > maxy+buf {
				t.Errorf("%s: extent %v outside tile %d/%d (x %.0f–%.0f, y %.0f–%.0f)", l.Name, e, x, y, minx, minx+side, maxy-side, maxy)
			}
		}
		if len(layers) != 2 {
			t.Errorf("tile layers %d, want parcels and parcels_labels", len(layers))
		}
	})

	t.Run("the OGCAPI driver", func(t *testing.T) {
		coll := "OGCAPI:" + srv.URL + "/collections/parcels"
		cmd := exec.Command("ogrinfo", "-ro", "-so", coll)
		cmd.Env = append(os.Environ(), "CPL_DEBUG=ON", "GDAL_HTTP_TIMEOUT=60")
		outb, err := cmd.CombinedOutput()
		out := string(outb)
		fetched := regexp.MustCompile(`HTTP: Fetch\((\S+)\)`).FindAllStringSubmatch(out, -1)
		var urls []string
		for _, f := range fetched {
			urls = append(urls, strings.TrimPrefix(f[1], srv.URL))
		}
		// Discovery by the standard's relations, through to the tile matrix set.
		want := []string{"/collections/parcels", "/collections/parcels/tiles", "/collections/parcels/tiles/WebMercatorQuad", "/tileMatrixSets/WebMercatorQuad"}
		if len(urls) < len(want) || strings.Join(urls[:len(want)], " ") != strings.Join(want, " ") {
			t.Fatalf("GDAL fetched %v, want %v first:\n%s", urls, want, out)
		}
		v := gdalVersion(t)
		if err != nil {
			if v >= 3050000 && v < 3070100 {
				t.Logf("GDAL %d: the OGCAPI driver reached the tile matrix set and stops, as its vector tile reader is compiled out (docs/decisions.md)", v)
				return
			}
			t.Fatalf("GDAL %d cannot open %s: %v\n%s", v, coll, err, out)
		}
		// A GDAL with vector tiles: its tiled layers take the extent in the tile matrix
		// set's CRS (it does not reproject the collection's CRS84 bbox for vector
		// tiles), one layer per zoom, named "Zoom level N".
		args := []string{"-ro", "-q", "-oo", "MINX=" + ftoa(x0), "-oo", "MINY=" + ftoa(y0), "-oo", "MAXX=" + ftoa(x1), "-oo", "MAXY=" + ftoa(y1), coll}
		list := must("ogrinfo", args...)
		if !strings.Contains(list, "Zoom level 14") {
			t.Fatalf("GDAL %d: no zoom 14 layer:\n%s", v, list)
		}
		features := must("ogrinfo", append(args, "Zoom level 14")...)
		if n := strings.Count(features, "OGRFeature("); n == 0 || !strings.Contains(features, "zddm (String) = ") {
			t.Errorf("GDAL %d read %d parcels from the zoom 14 tiles:\n%.2000s", v, n, features)
		}
	})
}
