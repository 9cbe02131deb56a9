package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/dbtest/demodb"
)

func TestOGCTiles(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)

	t.Run("the tile matrix set", func(t *testing.T) {
		var list struct {
			TileMatrixSets []struct {
				ID    string `json:"id"`
				Links []struct{ Href, Rel string }
			} `json:"tileMatrixSets"`
		}
		getJSON(t, srv.URL+"/tileMatrixSets", "application/json", &list)
		if len(list.TileMatrixSets) != 1 || list.TileMatrixSets[0].ID != "WebMercatorQuad" {
			t.Fatalf("tile matrix sets %+v", list)
		}
		var tms struct {
			CRS          string `json:"crs"`
			TileMatrices []struct {
				ID           string  `json:"id"`
				CellSize     float64 `json:"cellSize"`
				MatrixWidth  int     `json:"matrixWidth"`
				MatrixHeight int     `json:"matrixHeight"`
			} `json:"tileMatrices"`
		}
		getJSON(t, list.TileMatrixSets[0].Links[0].Href, "application/json", &tms)
		m := tms.TileMatrices[14]
		// Web Mercator at zoom 14: 2^14 tiles a side, 9.5546 m a pixel.
		if len(tms.TileMatrices) != 23 || m.ID != "14" || m.MatrixWidth != 16384 || m.MatrixHeight != 16384 ||
			m.CellSize < 9.554 || m.CellSize > 9.555 || !strings.HasSuffix(tms.CRS, "/EPSG/0/3857") {
			t.Errorf("tile matrix set: %d matrices, z14 %+v, crs %s", len(tms.TileMatrices), m, tms.CRS)
		}
		res, p := getProblem(t, srv.URL+"/tileMatrixSets/WorldCRS84Quad")
		if res.StatusCode != 404 || len(p.Allowed) != 1 {
			t.Errorf("unknown tile matrix set: %d %+v", res.StatusCode, p)
		}
	})

	// The tile of a parcel's point at z14, through the tile set's own template.
	var lon, lat float64
	pool.QueryRow(ctx, `SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM parcels ORDER BY id LIMIT 1) s`).Scan(&lon, &lat)
	x, y := tileOf(lon, lat, 14)

	t.Run("a collection's tile set serves the bytes of /tiles", func(t *testing.T) {
		var list struct {
			Tilesets []struct {
				DataType string `json:"dataType"`
				Links    []struct{ Href, Rel string }
			} `json:"tilesets"`
		}
		getJSON(t, srv.URL+"/collections/parcels/tiles", "application/json", &list)
		if len(list.Tilesets) != 1 || list.Tilesets[0].DataType != "vector" {
			t.Fatalf("tilesets %+v", list)
		}
		var ts struct {
			Layers []struct {
				ID            string `json:"id"`
				MinTileMatrix string `json:"minTileMatrix"`
			} `json:"layers"`
			Links  []struct{ Href, Rel, Type string }
			Limits []struct {
				TileMatrix                                     string `json:"tileMatrix"`
				MinTileRow, MaxTileRow, MinTileCol, MaxTileCol int
			} `json:"tileMatrixSetLimits"`
		}
		getJSON(t, list.Tilesets[0].Links[0].Href, "application/json", &ts)
		var template string
		for _, l := range ts.Links {
			if l.Rel == "item" && l.Type == "application/vnd.mapbox-vector-tile" {
				template = l.Href
			}
		}
		if len(ts.Layers) != len(catalog.TileLayersOf("parcels")) || ts.Layers[0].ID != "parcels" || ts.Layers[0].MinTileMatrix != "12" || template == "" {
			t.Fatalf("tile set %+v", ts)
		}
		in := false
		for _, l := range ts.Limits {
			if l.TileMatrix == "14" {
				in = l.MinTileCol <= x && x <= l.MaxTileCol && l.MinTileRow <= y && y <= l.MaxTileRow
			}
		}
		if !in {
			t.Errorf("the parcel's tile %d/%d is outside the limits %+v", x, y, ts.Limits)
		}
		u := strings.NewReplacer("{tileMatrix}", "14", "{tileRow}", itoa(int64(y)), "{tileCol}", itoa(int64(x))).Replace(template)
		res, ogc := get(t, u)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
			t.Fatalf("%s: %d", u, res.StatusCode)
		}
		_, plain := get(t, srv.URL+"/tiles/parcels,parcels_labels/14/"+itoa(int64(x))+"/"+itoa(int64(y)))
		if !bytes.Equal(ogc, plain) {
			t.Error("the OGC tile differs from /tiles")
		}
		var ids []string
		for _, l := range catalog.TileLayers() {
			ids = append(ids, l.ID)
		}
		_, all := get(t, srv.URL+"/tiles/WebMercatorQuad/14/"+itoa(int64(y))+"/"+itoa(int64(x)))
		_, plainAll := get(t, srv.URL+"/tiles/"+strings.Join(ids, ",")+"/14/"+itoa(int64(x))+"/"+itoa(int64(y)))
		if len(all) == 0 || !bytes.Equal(all, plainAll) {
			t.Error("the dataset tile differs from /tiles with every layer")
		}
		for path, want := range map[string]int{
			"/collections/parcels/tiles/WebMercatorQuad/14/99999/0":        404,
			"/collections/parcels/tiles/WorldCRS84Quad/14/0/0":             404,
			"/collections/parcel_status/tiles":                             404,
			"/collections/parcels/tiles/WebMercatorQuad/3/0/0":             204,
			"/collections/parcels/tiles/WebMercatorQuad/14/0/0?colour=red": 400,
		} {
			if res, _ := get(t, srv.URL+path); res.StatusCode != want {
				t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
			}
		}
		var landing struct{ Links []struct{ Href, Rel string } }
		getJSON(t, srv.URL+"/", "application/json", &landing)
		var conf struct {
			ConformsTo []string `json:"conformsTo"`
		}
		getJSON(t, srv.URL+"/conformance", "application/json", &conf)
		if !strings.Contains(strings.Join(conf.ConformsTo, " "), "ogcapi-tiles-1/1.0/conf/mvt") {
			t.Errorf("conformance %v", conf.ConformsTo)
		}
	})

	t.Run("each line has one label point", func(t *testing.T) {
		// Every z11 tile over the lines: each current line's label lies in exactly one.
		var minx, miny, maxx, maxy float64
		var lines int
		pool.QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n FROM (SELECT ST_Extent(geom) e, count(*) n FROM block_lines) s`).
			Scan(&minx, &miny, &maxx, &maxy, &lines)
		x0, y0 := tileOf(minx, maxy, 11)
		x1, y1 := tileOf(maxx, miny, 11)
		seen := map[string]int{}
		for tx := x0; tx <= x1; tx++ {
			for ty := y0; ty <= y1; ty++ {
				res, body := get(t, srv.URL+"/tiles/block_lines,block_lines_labels/11/"+itoa(int64(tx))+"/"+itoa(int64(ty)))
				if res.StatusCode == 204 {
					continue
				}
				layers, err := mvt.Unmarshal(body)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range layers {
					if l.Name != "block_lines_labels" {
						continue
					}
					for _, f := range l.Features {
						if f.Geometry.GeoJSONType() != "Point" {
							t.Fatalf("label geometry %s", f.Geometry.GeoJSONType())
						}
						b, _ := json.Marshal(f.Properties["code"])
						seen[string(b)]++
					}
				}
			}
		}
		if len(seen) != lines {
			t.Errorf("%d lines have labels, want %d", len(seen), lines)
		}
		for code, n := range seen {
			if n != 1 {
				t.Errorf("line %s labelled %d times", code, n)
			}
		}
	})
}

// TestStyles: every styled collection links its default style in three encodings; the
// status colours are the vocabulary's; QGIS loads the QML and the SLD from the links.
func TestStyles(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	colours := map[string]string{}
	rows, _ := pool.Query(ctx, `SELECT code, colour FROM landreg_sys.idle_categories`)
	for rows.Next() {
		var code, colour string
		rows.Scan(&code, &colour)
		colours[code] = colour
	}
	rows.Close()

	var style struct {
		Version int `json:"version"`
		Sources map[string]struct {
			URL string `json:"url"`
		} `json:"sources"`
		Layers []struct {
			Type        string         `json:"type"`
			SourceLayer string         `json:"source-layer"`
			Paint       map[string]any `json:"paint"`
		} `json:"layers"`
	}
	getJSON(t, srv.URL+"/collections/parcel_status/styles/default?f=mapbox", "application/vnd.mapbox.style+json", &style)
	if style.Version != 8 || len(style.Layers) != 2 || style.Layers[0].SourceLayer != "parcels" {
		t.Fatalf("MapLibre style %+v", style)
	}
	if res, _ := get(t, style.Sources["landreg"].URL); res.StatusCode != 200 {
		t.Errorf("style source %s: %d", style.Sources["landreg"].URL, res.StatusCode)
	}
	match, _ := style.Layers[0].Paint["fill-color"].([]any)
	pairs := map[string]string{}
	for i := 2; i+1 < len(match); i += 2 {
		pairs[fmt.Sprint(match[i])] = fmt.Sprint(match[i+1])
	}
	if len(colours) == 0 || len(pairs) != len(colours) {
		t.Errorf("fill-color %v, vocabulary %v", match, colours)
	}
	for code, c := range colours {
		if pairs[code] != c {
			t.Errorf("%s: style colour %s, vocabulary %s", code, pairs[code], c)
		}
	}
	_, sld := get(t, srv.URL+"/collections/block_lines/styles/default?f=sld10")
	var doc struct {
		XMLName xml.Name
		Rules   []struct {
			Name string `xml:"Name"`
		} `xml:"NamedLayer>UserStyle>FeatureTypeStyle>Rule"`
	}
	if err := xml.Unmarshal(sld, &doc); err != nil || doc.XMLName.Local != "StyledLayerDescriptor" || len(doc.Rules) != 2 {
		t.Errorf("SLD %v %+v", err, doc)
	}
	for path, want := range map[string]int{
		"/collections/parcels/styles/night":          404,
		"/collections/parcels/styles/default?f=lyrx": 400,
		"/collections/nowhere/styles":                404,
	} {
		if res, _ := get(t, srv.URL+path); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}

	needQGIS(t)
	// parcel_status and parcels carry the status the style classifies by (as of today):
	// every feature is drawn in its status's colour.
	today := statusOf(t, srv.URL+"/collections/parcel_status/items?limit=1000")
	for _, coll := range []string{"parcel_status", "parcels"} {
		cmd := exec.Command("/usr/bin/python3", "testdata/qgis_style.py", srv.URL, coll)
		cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("QGIS %s: %v\n%s", coll, err, out)
		}
		got := map[string]map[string]string{"qml": {}, "sld": {}}
		drawn := map[string]map[string]string{"qml": {}, "sld": {}}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			switch {
			case len(f) == 4 && f[1] == "feature":
				drawn[f[0]][f[2]] = f[3]
			case len(f) == 3 && f[1] == "link":
				want := srv.URL + "/collections/" + coll + "/styles/default?f=" + map[string]string{"qml": "qml", "sld": "sld10"}[f[0]]
				if f[2] != want {
					t.Errorf("QGIS %s followed %s for %s, want %s", coll, f[2], f[0], want)
				}
			case len(f) == 4 && f[1] == "attribute":
				if f[2] != "status" || f[3] != "field" {
					t.Errorf("QGIS %s %s classifies by %s (%s)", coll, f[0], f[2], f[3])
				}
			case len(f) == 3 && f[1] != "ok":
				t.Errorf("QGIS did not load the %s style of %s: %s", f[0], coll, line)
			case len(f) >= 4 && f[1] == "category":
				got[f[0]][f[2]] = f[3]
			case len(f) >= 4 && f[1] == "rule":
				// "status"='IDLE_2Y'
				if i := strings.Index(f[2], "'"); i >= 0 {
					got[f[0]][strings.Trim(f[2][i:], "')")] = f[3]
				}
			}
		}
		for _, kind := range []string{"qml", "sld"} {
			if len(got[kind]) != len(colours) {
				t.Errorf("QGIS %s %s: %d classes, want %d:\n%s", coll, kind, len(got[kind]), len(colours), out)
			}
			for code, c := range colours {
				if got[kind][code] != c {
					t.Errorf("QGIS %s %s: %s coloured %s, want %s", coll, kind, code, got[kind][code], c)
				}
			}
			// The renderer's symbol for each feature is its status's colour.
			if len(drawn[kind]) != len(today) {
				t.Errorf("QGIS %s %s: %d features drawn, %d parcels", coll, kind, len(drawn[kind]), len(today))
			}
			classed := map[string]int{}
			for id, s := range today {
				if c := drawn[kind][id]; c != colours[s[0]] || c == "" {
					t.Errorf("QGIS %s %s: parcel %s (%s) drawn %q, want %s", coll, kind, id, s[0], c, colours[s[0]])
				}
				classed[s[0]]++
			}
			if len(classed) < 2 {
				t.Errorf("QGIS %s %s: features in %v only", coll, kind, classed)
			}
		}
	}
}
