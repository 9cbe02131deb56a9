package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/landreg/landreg/dbtest/demodb"
)

// tileOf returns the z/x/y of the Web Mercator tile holding lon/lat.
func tileOf(lon, lat float64, z int) (int, int) {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return x, y
}

func TestVectorTiles(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)

	var lon, lat float64
	pool.QueryRow(ctx, `SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM block_lines ORDER BY id LIMIT 1) s`).Scan(&lon, &lat)
	z := 14
	x, y := tileOf(lon, lat, z)
	path := "/tiles/districts,block_lines,parcels/" + itoa(int64(z)) + "/" + itoa(int64(x)) + "/" + itoa(int64(y)) + ".mvt"
	res, body := get(t, srv.URL+path)
	// A whole tile names no cut layer (store's TestTileCut cuts one).
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" || res.Header.Get("ETag") == "" ||
		res.Header.Get("Landreg-Cut-Layers") != "" {
		t.Fatalf("tile: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("ETag"))
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("tile does not decode as MVT: %v", err)
	}
	got := map[string]int{}
	for _, l := range layers {
		got[l.Name] = len(l.Features)
	}
	// The same tile envelope counted by PostGIS directly.
	for _, table := range []string{"districts", "block_lines", "parcels"} {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table+` t WHERE ST_Intersects(ST_Transform(t.geom, 3857), ST_TileEnvelope($1, $2, $3))`, z, x, y).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if got[table] < n || n == 0 && table != "parcels" {
			t.Errorf("layer %s has %d features, %d intersect the tile", table, got[table], n)
		}
	}
	for _, l := range layers {
		if l.Name == "parcels" {
			for _, f := range l.Features {
				if f.Properties["status"] == nil || f.Properties["status_zh"] == nil {
					t.Errorf("parcel feature lacks its idle status: %v", f.Properties)
				}
			}
		}
		if l.Name == "block_lines" {
			for _, f := range l.Features {
				if f.ID == nil || f.Properties["code"] == nil || f.Properties["level"] == nil {
					t.Errorf("block line feature lacks id/code/level: %v %v", f.ID, f.Properties)
				}
			}
		}
	}
	// Conditional request, zoom limits, bad coordinates and unknown layers.
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != 304 {
		t.Errorf("If-None-Match: %v %v", err, r2)
	}
	lx, ly := tileOf(lon, lat, 8)
	res, body = get(t, srv.URL+"/tiles/parcels/8/"+itoa(int64(lx))+"/"+itoa(int64(ly))+".mvt")
	if res.StatusCode != 204 || len(body) != 0 {
		t.Errorf("parcels below their min zoom: %d, %d bytes", res.StatusCode, len(body))
	}
	for _, bad := range []string{"/tiles/parcels/3/9/1.mvt", "/tiles/parcels/x/1/1.mvt", "/tiles/nope/14/1/1.mvt", "/tiles/parcels/14/1/1.mvt?colour=red"} {
		if res, _ := get(t, srv.URL+bad); res.StatusCode < 400 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", bad, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	var tj struct {
		Tiles        []string         `json:"tiles"`
		VectorLayers []map[string]any `json:"vector_layers"`
		Bounds       []float64        `json:"bounds"`
	}
	res, body = get(t, srv.URL+"/tiles/block_lines,parcels")
	if err := json.Unmarshal(body, &tj); res.StatusCode != 200 || err != nil || len(tj.Tiles) != 1 || len(tj.VectorLayers) != 2 || len(tj.Bounds) != 4 {
		t.Errorf("TileJSON %s", body)
	}
}

// TestClientGoneCancelsQuery: when a client gives up, the server cancels its statement
// instead of leaving it to run (issue 5: "cancelled when the client goes away"). The
// statements are held back by a lock on parcels, so they are still running when the
// client leaves; the test waits for them to disappear from pg_stat_activity while the
// lock is still held.
func TestClientGoneCancelsQuery(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	var lon, lat float64
	pool.QueryRow(ctx, `SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM parcels ORDER BY id LIMIT 1) s`).Scan(&lon, &lat)
	x, y := tileOf(lon, lat, 14)
	waiting := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND state = 'active'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, path := range []string{
		"/tiles/parcels/14/" + itoa(int64(x)) + "/" + itoa(int64(y)) + ".mvt",
		"/collections/parcels/items?limit=5",
	} {
		t.Run(path, func(t *testing.T) {
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, "LOCK TABLE parcels IN ACCESS EXCLUSIVE MODE"); err != nil {
				t.Fatal(err)
			}
			rctx, leave := context.WithCancel(ctx)
			req, _ := http.NewRequestWithContext(rctx, "GET", srv.URL+path, nil)
			done := make(chan struct{})
			go func() {
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				}
				close(done)
			}()
			deadline := time.Now().Add(10 * time.Second)
			for waiting() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the request's statement never waited for the lock")
				}
				time.Sleep(10 * time.Millisecond)
			}
			leave()
			<-done
			for waiting() > 0 {
				if time.Now().After(deadline) {
					t.Fatal("the statement kept running after the client went away")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	// Not a server fault: counted as 499 (client closed request), not 500. The handler
	// records its status after the cancelled statement returns, which may be a moment
	// after the statement left pg_stat_activity: wait for the count (bounded).
	counted := func(body string) bool {
		return strings.Contains(body, `route="/tiles/:layers/:z/:x/:y",status="499"`) &&
			strings.Contains(body, `route="/collections/:collectionId/items",status="499"`)
	}
	_, body := get(t, srv.URL+"/metrics")
	for deadline := time.Now().Add(10 * time.Second); !counted(string(body)) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		_, body = get(t, srv.URL+"/metrics")
	}
	for _, route := range []string{"/tiles/:layers/:z/:x/:y", "/collections/:collectionId/items"} {
		if !strings.Contains(string(body), `route="`+route+`",status="499"`) {
			t.Errorf("no 499 counted for %s:\n%s", route, grepLines(string(body), "landreg_http_requests_total"))
		}
	}
	if strings.Contains(string(body), `status="500"`) {
		t.Errorf("a client that left was counted as a server error:\n%s", grepLines(string(body), "landreg_http_requests_total"))
	}
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
