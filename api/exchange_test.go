package api

import (
	"github.com/landreg/landreg"

	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
	"github.com/landreg/landreg/testenv"
)

// TestExchangeHTTP: POST /v1/imports (multipart) and GET /v1/exports/{collection}.
func TestExchangeHTTP(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	s := New(Config{Version: "test"}, pool, zerolog.Nop())
	// Until server.go calls it, register the routes here (registering twice is harmless).
	srv := httptest.NewServer(s)
	defer srv.Close()
	registrar, _ := store.CreateToken(ctx, pool, "registrar-wang", landreg.RoleRegistrar)
	planner, _ := store.CreateToken(ctx, pool, "planner-li", landreg.RolePlanner)

	// A GeoPackage of the demo parcels, from the export endpoint.
	res, err := http.Get(srv.URL + "/v1/exports/parcels?format=gpkg&date=2024-12-31")
	if err != nil {
		t.Fatal(err)
	}
	gpkg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/geopackage+sqlite3" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "parcels_20241231.gpkg") {
		t.Fatalf("export: %d %v %s", res.StatusCode, res.Header, gpkg[:min(len(gpkg), 300)])
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "parcels.gpkg")
	os.WriteFile(path, gpkg, 0o644)
	out, err := exec.Command("ogrinfo", "-ro", "-so", path, "parcels").CombinedOutput()
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM parcels_all WHERE valid_from <= '2024-12-31' AND (valid_to IS NULL OR valid_to > '2024-12-31')`).Scan(&n)
	if err != nil || !strings.Contains(string(out), "Feature Count: "+itoa(n)) || !strings.Contains(string(out), `ID["EPSG",4490]]`) {
		t.Errorf("ogrinfo on the exported GeoPackage (want %d features): %v\n%s", n, err, out)
	}

	// The map's "export what is shown": one district's parcels as of the date.
	res, err = http.Get(srv.URL + "/v1/exports/parcels?format=gpkg&date=2024-12-31&district=330304")
	if err != nil {
		t.Fatal(err)
	}
	one, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("export of 330304: %d %s", res.StatusCode, one[:min(len(one), 300)])
	}
	onePath := filepath.Join(dir, "parcels-330304.gpkg")
	os.WriteFile(onePath, one, 0o644)
	out, err = exec.Command("ogrinfo", "-ro", "-so", onePath, "parcels").CombinedOutput()
	var nd int
	pool.QueryRow(ctx, `SELECT count(*) FROM parcels_all WHERE xzqdm = '330304' AND valid_from <= '2024-12-31' AND (valid_to IS NULL OR valid_to > '2024-12-31')`).Scan(&nd)
	if err != nil || nd == 0 || nd == n || !strings.Contains(string(out), "Feature Count: "+itoa(nd)) {
		t.Errorf("ogrinfo on the district's GeoPackage (want %d of %d features): %v\n%s", nd, n, err, out)
	}

	upload := func(token string, fields map[string]string, name string, body []byte) (*http.Response, map[string]any) {
		t.Helper()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		if name != "" {
			fw, _ := w.CreateFormFile("file", name)
			fw.Write(body)
		}
		w.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/imports", &b)
		req.Header.Set("Content-Type", w.FormDataContentType())
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res, m
	}

	t.Run("needs a token with the right role", func(t *testing.T) {
		res, m := upload("", map[string]string{"kind": "parcels", "dry_run": "true"}, "parcels.gpkg", gpkg)
		if res.StatusCode != 401 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("anonymous: %d %v", res.StatusCode, m)
		}
		res, m = upload(planner, map[string]string{"kind": "parcels", "dry_run": "true"}, "parcels.gpkg", gpkg)
		if res.StatusCode != 403 {
			t.Errorf("planner importing parcels: %d %v", res.StatusCode, m)
		}
		res, m = upload(registrar, map[string]string{"kind": "block-lines", "dry_run": "true"}, "parcels.gpkg", gpkg)
		if res.StatusCode != 403 {
			t.Errorf("registrar importing block lines: %d %v", res.StatusCode, m)
		}
	})
	t.Run("dry run returns the report", func(t *testing.T) {
		res, m := upload(registrar, map[string]string{"kind": "parcels", "dry_run": "true"}, "parcels.gpkg", gpkg)
		// Every parcel is registered already: the report lists the duplicates.
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || m["dry_run"] != true ||
			m["features"] != float64(n) || m["error_count"].(float64) < float64(n) {
			t.Fatalf("dry run: %d %v", res.StatusCode, m["totals"])
		}
		p := m["problems"].([]any)[0].(map[string]any)
		if p["code"] == nil || p["message"] == nil || p["index"] == nil {
			t.Errorf("problem %v", p)
		}
	})
	t.Run("refused import is problem+json with the report", func(t *testing.T) {
		res, m := upload(registrar, map[string]string{"kind": "parcels"}, "parcels.gpkg", gpkg)
		if res.StatusCode != 422 || m["type"] != "urn:landreg:problem:import-refused" || m["report"] == nil {
			t.Fatalf("%d %v", res.StatusCode, m["type"])
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			fields map[string]string
			name   string
			body   []byte
			status int
		}{
			{map[string]string{"kind": "roads"}, "a.gpkg", gpkg, 400},
			{map[string]string{"kind": "parcels"}, "", nil, 400},
			{map[string]string{"kind": "parcels"}, "a.exe", []byte("MZ"), 400},
			{map[string]string{"kind": "parcels", "mapping": "{not json"}, "a.gpkg", gpkg, 400},
			{map[string]string{"kind": "parcels", "crs": "EPSG:3857"}, "a.gpkg", gpkg, 422},
			{map[string]string{"kind": "parcels"}, "a.geojson", []byte("this is not geojson"), 422},
		} {
			res, m := upload(registrar, tc.fields, tc.name, tc.body)
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%v %s: %d %v", tc.fields, tc.name, res.StatusCode, m)
			}
		}
		for _, q := range []string{"/v1/exports/roads", "/v1/exports/parcels?format=dxf", "/v1/exports/parcels?date=yesterday", "/v1/exports/parcels?crs=EPSG:3857", "/v1/exports/parcels?bbox=1",
			"/v1/exports/parcels?district=33030'", "/v1/exports/parcels?district=3303041"} {
			res, err := http.Get(srv.URL + q)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode < 400 || res.StatusCode >= 500 || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d", q, res.StatusCode)
			}
		}
	})
	t.Run("import new parcels", func(t *testing.T) {
		// Two new parcels in a free corner of 瓯海区, GeoJSON with Chinese columns.
		var g1, g2 string
		pool.QueryRow(ctx, `SELECT ST_AsGeoJSON(ST_MakeEnvelope(120.505, 28.040, 120.507, 28.042, 4490), 9, 0),
  ST_AsGeoJSON(ST_MakeEnvelope(120.508, 28.040, 120.510, 28.042, 4490), 9, 0)`).Scan(&g1, &g2)
		fc := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"宗地代码":"330304009020GB09001","权利人":"温州测试有限公司（示例）","土地用途":"0601"},"geometry":` + g1 + `},
{"type":"Feature","properties":{"宗地代码":"330304009020GB09002","权利人":"温州测试有限公司（示例）","土地用途":"0601"},"geometry":` + g2 + `}]}`
		res, m := upload(registrar, map[string]string{"kind": "parcels", "reason": "新增宗地"}, "new.geojson", []byte(fc))
		if res.StatusCode != 201 || m["imported"] != 2.0 {
			t.Fatalf("%d %v", res.StatusCode, m)
		}
		var actor string
		pool.QueryRow(ctx, `SELECT created_by FROM parcels WHERE zddm = '330304009020GB09001'`).Scan(&actor)
		if actor != "registrar-wang" {
			t.Errorf("created_by %q", actor)
		}
	})
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string { b, _ := json.Marshal(n); return string(b) }
