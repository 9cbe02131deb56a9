package api_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/dbtest/demodb"
)

// ogcSchemas compiles the JSON Schemas of api/testdata/ogcschema (written from the
// requirements of OGC API – Tiles Part 1 and 2D TMS 2.0), by file name without .json.
func ogcSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	files, _ := filepath.Glob("testdata/ogcschema/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource("urn:landreg:ogcschema:"+strings.TrimSuffix(filepath.Base(f), ".json"), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"tileMatrixSets", "tileMatrixSet", "tileSets", "tileSet"} {
		s, err := c.Compile("urn:landreg:ogcschema:" + name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// fetchDoc GETs a JSON document as any (for the validator) and as bytes.
func fetchDoc(t *testing.T, u string) any {
	t.Helper()
	res, body := get(t, u)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: %d %s", u, res.StatusCode, res.Header.Get("Content-Type"))
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return v
}

// linkHref is the href of the first link of rel (and type, when given) in doc's links.
func linkHref(doc any, rel, typ string) string {
	links, _ := doc.(map[string]any)["links"].([]any)
	for _, l := range links {
		m, _ := l.(map[string]any)
		if m["rel"] == rel && (typ == "" || m["type"] == typ) {
			s, _ := m["href"].(string)
			return s
		}
	}
	return ""
}

// copyDoc is a deep copy to mutate.
func copyDoc(t *testing.T, v any) any {
	t.Helper()
	b, _ := json.Marshal(v)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func num(v any) float64 {
	switch n := v.(type) {
	case json.Number:
		f, _ := n.Float64()
		return f
	case float64:
		return n
	}
	return math.NaN()
}

// TestOGCTilesSchemas validates the Tiles documents of a real server (the tile matrix
// sets list, WebMercatorQuad, the dataset's and every tiled collection's tile sets list
// and tile set) against JSON Schemas written from the requirements of OGC API – Tiles
// Part 1 and 2D TMS 2.0, and checks what a schema cannot say: scales fall zoom by zoom,
// cell sizes follow from them, the matrices cover the bounding box, limits lie inside
// the matrices and the layers' zooms. Each schema must also refuse a document broken
// the way the standard forbids, so that a schema that accepts anything fails here.
func TestOGCTilesSchemas(t *testing.T) {
	_, srv, _ := demoServer(t, demodb.Fixtures)
	schemas := ogcSchemas(t)
	valid := func(name, what string, doc any) {
		t.Helper()
		if err := schemas[name].Validate(doc); err != nil {
			t.Errorf("%s is not a valid %s: %v", what, name, err)
		}
	}

	list := fetchDoc(t, srv.URL+"/tileMatrixSets")
	valid("tileMatrixSets", "/tileMatrixSets", list)
	sets := list.(map[string]any)["tileMatrixSets"].([]any)
	tmsURL := linkHref(sets[0], "self", "application/json")
	tms := fetchDoc(t, tmsURL)
	valid("tileMatrixSet", tmsURL, tms)
	// WebMercatorQuad: EPSG:3857 metres, so the cell size is the scale denominator
	// times the 0.28 mm standard pixel; each zoom halves it.
	matrices := tms.(map[string]any)["tileMatrices"].([]any)
	bbox := tms.(map[string]any)["boundingBox"].(map[string]any)
	upperX := num(bbox["upperRight"].([]any)[0])
	size := map[string][2]int{}
	last := math.Inf(1)
	for _, m := range matrices {
		m := m.(map[string]any)
		sd, cell := num(m["scaleDenominator"]), num(m["cellSize"])
		if sd >= last || math.Abs(sd*0.00028-cell) > 1e-9*cell {
			t.Errorf("tile matrix %v: scale denominator %v after %v, cell size %v", m["id"], sd, last, cell)
		}
		last = sd
		ox := num(m["pointOfOrigin"].([]any)[0])
		w, h := int(num(m["matrixWidth"])), int(num(m["matrixHeight"]))
		if span := ox + float64(w)*num(m["tileWidth"])*cell; math.Abs(span-upperX) > 1e-3 {
			t.Errorf("tile matrix %v ends at x=%v, the bounding box at %v", m["id"], span, upperX)
		}
		size[m["id"].(string)] = [2]int{w, h}
	}

	tilesets := []string{srv.URL + "/tiles"}
	for _, c := range catalog.Collections() {
		if len(catalog.TileLayersOf(c.ID)) > 0 {
			tilesets = append(tilesets, srv.URL+"/collections/"+c.ID+"/tiles")
		}
	}
	var sample any
	for _, u := range tilesets {
		l := fetchDoc(t, u)
		valid("tileSets", u, l)
		tsURL := linkHref(l.(map[string]any)["tilesets"].([]any)[0], "self", "")
		ts := fetchDoc(t, tsURL)
		valid("tileSet", tsURL, ts)
		if sample == nil {
			sample = ts
		}
		if got := linkHref(ts, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", ""); got != tmsURL {
			t.Errorf("%s: tiling scheme %q, want %q", tsURL, got, tmsURL)
		}
		lo, hi := 99, -1
		for _, layer := range ts.(map[string]any)["layers"].([]any) {
			layer := layer.(map[string]any)
			a, _ := strconv.Atoi(layer["minTileMatrix"].(string))
			b, _ := strconv.Atoi(layer["maxTileMatrix"].(string))
			if a > b {
				t.Errorf("%s: layer %v zooms %d–%d", tsURL, layer["id"], a, b)
			}
			lo, hi = min(lo, a), max(hi, b)
		}
		limits := ts.(map[string]any)["tileMatrixSetLimits"].([]any)
		if len(limits) != hi-lo+1 {
			t.Errorf("%s: %d limits for zooms %d–%d", tsURL, len(limits), lo, hi)
		}
		for _, l := range limits {
			l := l.(map[string]any)
			z := l["tileMatrix"].(string)
			wh, ok := size[z]
			r0, r1, c0, c1 := int(num(l["minTileRow"])), int(num(l["maxTileRow"])), int(num(l["minTileCol"])), int(num(l["maxTileCol"]))
			if !ok || r0 > r1 || c0 > c1 || r1 >= wh[1] || c1 >= wh[0] {
				t.Errorf("%s: limits of %s outside its %v matrix: %v", tsURL, z, wh, l)
			}
		}
	}

	// The schemas refuse what the standard forbids.
	broken := map[string]func() (string, any){
		"a tile matrix without cellSize": func() (string, any) {
			d := copyDoc(t, tms)
			delete(d.(map[string]any)["tileMatrices"].([]any)[3].(map[string]any), "cellSize")
			return "tileMatrixSet", d
		},
		"a tile matrix of width 0": func() (string, any) {
			d := copyDoc(t, tms)
			d.(map[string]any)["tileMatrices"].([]any)[0].(map[string]any)["matrixWidth"] = json.Number("0")
			return "tileMatrixSet", d
		},
		"a corner of origin TMS 2.0 does not define": func() (string, any) {
			d := copyDoc(t, tms)
			d.(map[string]any)["tileMatrices"].([]any)[0].(map[string]any)["cornerOfOrigin"] = "centre"
			return "tileMatrixSet", d
		},
		"a tile matrix set without crs": func() (string, any) {
			d := copyDoc(t, tms)
			delete(d.(map[string]any), "crs")
			return "tileMatrixSet", d
		},
		"a list entry without a self link": func() (string, any) {
			d := copyDoc(t, list)
			e := d.(map[string]any)["tileMatrixSets"].([]any)[0].(map[string]any)
			e["links"] = e["links"].([]any)[1:]
			return "tileMatrixSets", d
		},
		"a tile template without {tileRow}": func() (string, any) {
			d := copyDoc(t, sample)
			for _, l := range d.(map[string]any)["links"].([]any) {
				if l := l.(map[string]any); l["rel"] == "item" {
					l["href"] = strings.Replace(l["href"].(string), "{tileRow}", "0", 1)
				}
			}
			return "tileSet", d
		},
		"a vector tile set whose template is not MVT": func() (string, any) {
			d := copyDoc(t, sample)
			for _, l := range d.(map[string]any)["links"].([]any) {
				if l := l.(map[string]any); l["rel"] == "item" {
					l["type"] = "application/geo+json"
				}
			}
			return "tileSet", d
		},
		"a tile set without its tiling scheme": func() (string, any) {
			d := copyDoc(t, sample)
			var keep []any
			for _, l := range d.(map[string]any)["links"].([]any) {
				if l.(map[string]any)["rel"] != "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme" {
					keep = append(keep, l)
				}
			}
			d.(map[string]any)["links"] = keep
			return "tileSet", d
		},
		"negative tile limits": func() (string, any) {
			d := copyDoc(t, sample)
			d.(map[string]any)["tileMatrixSetLimits"].([]any)[0].(map[string]any)["minTileRow"] = json.Number("-1")
			return "tileSet", d
		},
		"a layer property without a type": func() (string, any) {
			d := copyDoc(t, sample)
			ps := d.(map[string]any)["layers"].([]any)[0].(map[string]any)["propertiesSchema"].(map[string]any)["properties"].(map[string]any)
			for k := range ps {
				ps[k] = map[string]any{"type": ""}
			}
			return "tileSet", d
		},
	}
	for what, f := range broken {
		name, doc := f()
		if schemas[name].Validate(doc) == nil {
			t.Errorf("the %s schema accepts %s", name, what)
		}
	}
}
