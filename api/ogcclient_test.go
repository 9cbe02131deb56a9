package api_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/testenv"
)

// TestOGCClient walks the server with a maintained OGC API client from npm
// (@camptocamp/ogc-client, tools/ogc-client/walk.mjs): what it finds must be what the
// server serves — every collection with its count, queryables, items and one item by
// id, the vector tile sets and the styles.
func TestOGCClient(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		testenv.MissingClient(t, "node not installed (apt-get install nodejs npm)")
	}
	if _, err := os.Stat("../tools/ogc-client/node_modules/@camptocamp/ogc-client"); err != nil {
		testenv.MissingClient(t, "tools/ogc-client/node_modules missing: run scripts/ogc-client.sh (`scripts/deps.sh test` does)")
	}
	pool, srv, counts := demoServer(t, demodb.Fixtures)
	out, err := exec.Command("node", "../tools/ogc-client/walk.mjs", srv.URL).Output()
	if err != nil {
		t.Fatalf("ogc-client: %v\n%s", err, out)
	}
	var walk struct {
		HasFeatures, HasTiles, HasStyles bool
		TileMatrixSets                   []string `json:"tileMatrixSets"`
		FeatureCollections               []string `json:"featureCollections"`
		VectorTileCollections            []string `json:"vectorTileCollections"`
		Collections                      map[string]struct {
			ItemCount   int      `json:"itemCount"`
			Queryables  []string `json:"queryables"`
			Items       []any    `json:"items"`
			Tileset     string   `json:"tileset"`
			Styles      []string `json:"styles"`
			Stylesheet  string   `json:"stylesheet"`
			StylesError string   `json:"stylesError"`
			FirstItem   *struct {
				ID         any            `json:"id"`
				Properties map[string]any `json:"properties"`
			} `json:"firstItem"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(out, &walk); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !walk.HasFeatures || !walk.HasTiles || !walk.HasStyles || !slices.Equal(walk.TileMatrixSets, []string{"WebMercatorQuad"}) {
		t.Errorf("endpoint: features %v, tiles %v, styles %v, tile matrix sets %v", walk.HasFeatures, walk.HasTiles, walk.HasStyles, walk.TileMatrixSets)
	}
	want := map[string]int{"districts": counts.Districts, "block_lines": counts.BlockLines, "parcels": counts.Parcels, "parcel_status": counts.Parcels}
	// The demo's remediation projects (one per district, issue 15).
	var projects int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM remediation_projects`).Scan(&projects)
	want["remediation_projects"] = projects
	var ids []string
	for _, c := range catalog.Collections() {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(walk.FeatureCollections, ids) {
		t.Errorf("feature collections %v, want %v", walk.FeatureCollections, ids)
	}
	for _, c := range catalog.Collections() {
		got := walk.Collections[c.ID]
		var qs []string
		for _, q := range c.Queryables {
			qs = append(qs, q.Name)
		}
		slices.Sort(qs)
		slices.Sort(got.Queryables)
		if got.ItemCount != want[c.ID] || !slices.Equal(got.Queryables, qs) || len(got.Items) != 5 && len(got.Items) != want[c.ID] {
			t.Errorf("%s: count %d (want %d), queryables %v (want %v), %d items", c.ID, got.ItemCount, want[c.ID], got.Queryables, qs, len(got.Items))
		}
		if got.FirstItem == nil || got.FirstItem.ID != got.Items[0] || got.FirstItem.Properties["id"] != got.Items[0] {
			t.Errorf("%s: item by id %+v, first of the page %v", c.ID, got.FirstItem, got.Items)
		}
		tiled := len(catalog.TileLayersOf(c.ID)) > 0
		if tiled != slices.Contains(walk.VectorTileCollections, c.ID) || tiled != strings.HasSuffix(got.Tileset, "/collections/"+c.ID+"/tiles/WebMercatorQuad") {
			t.Errorf("%s: vector tiles %v, tile set %q", c.ID, tiled, got.Tileset)
		}
		if !slices.Equal(got.Styles, []string{"default"}) || !strings.Contains(got.Stylesheet, "/collections/"+c.ID+"/styles/default") {
			t.Errorf("%s: styles %v, stylesheet %q %s", c.ID, got.Styles, got.Stylesheet, got.StylesError)
		}
		if res, _ := get(t, got.Stylesheet); res.StatusCode != 200 {
			t.Errorf("%s: stylesheet %s: %d", c.ID, got.Stylesheet, res.StatusCode)
		}
	}
}
