package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
	"github.com/landreg/landreg/testenv"
)

// TestImportSpreadsheetsHTTP: POST /v1/imports with kind=enterprises and kind=events
// takes an .xlsx or .csv: registrars only, the dry run's report, a refusal as
// problem+json with the report, 201 when loaded, update=true for registered
// enterprises, and a file that is not what its name says refused (issue 13.4, 13.5).
func TestImportSpreadsheetsHTTP(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	srv := httptest.NewServer(New(Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	registrar, _ := store.CreateToken(ctx, pool, "registrar-wang", landreg.RoleRegistrar)
	planner, _ := store.CreateToken(ctx, pool, "planner-li", landreg.RolePlanner)

	upload := func(token string, fields [][2]string, name string, body []byte) (int, map[string]any) {
		t.Helper()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, f := range fields {
			w.WriteField(f[0], f[1])
		}
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(body)
		w.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/v1/imports", &b)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	uscc := func(n int) string {
		first := fmt.Sprintf("91330302MA%07d", n)
		c, _ := codes.USCCCheck(first)
		return first + string(c)
	}
	var known string
	pool.QueryRow(ctx, `SELECT min(uscc) FROM enterprises`).Scan(&known)
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"统一社会信用代码", "企业名称", "是否规上"})
	f.SetSheetRow("Sheet1", "A2", &[]any{uscc(11), "温州东方轴承有限公司", "是"})
	f.SetSheetRow("Sheet1", "A3", &[]any{known, "", "否"})
	var xlsx bytes.Buffer
	f.Write(&xlsx)

	if st, m := upload(planner, [][2]string{{"kind", "enterprises"}, {"dry_run", "true"}}, "e.xlsx", xlsx.Bytes()); st != 403 {
		t.Errorf("planner importing enterprises: %d %v", st, m)
	}
	st, m := upload(registrar, [][2]string{{"kind", "enterprises"}, {"dry_run", "true"}}, "e.xlsx", xlsx.Bytes())
	if st != 200 || m["kind"] != "enterprises" || m["error_count"] != 1.0 || m["totals"].(map[string]any)["conflict"] != 1.0 {
		t.Fatalf("dry run: %d %v", st, m)
	}
	st, m = upload(registrar, [][2]string{{"kind", "enterprises"}}, "e.xlsx", xlsx.Bytes())
	if st != 422 || m["type"] != "urn:landreg:problem:import-refused" || m["report"] == nil {
		t.Fatalf("conflict: %d %v", st, m)
	}
	st, m = upload(registrar, [][2]string{{"kind", "enterprises"}, {"update", "true"}, {"reason", "2024 年企业名录"}}, "e.xlsx", xlsx.Bytes())
	if st != 201 || m["created"] != 1.0 || m["updated"] != 1.0 {
		t.Fatalf("import with update: %d %v", st, m)
	}
	var actor, reason string
	pool.QueryRow(ctx, `SELECT actor, reason FROM audit_log WHERE table_name = 'enterprises' AND row_key = $1 ORDER BY id DESC LIMIT 1`, uscc(11)).Scan(&actor, &reason)
	if actor != "registrar-wang" || reason != "2024 年企业名录" {
		t.Errorf("audit actor %q reason %q", actor, reason)
	}
	if st, m := upload(registrar, [][2]string{{"kind", "enterprises"}, {"update", "maybe"}}, "e.xlsx", xlsx.Bytes()); st != 400 || m["field"] != "update" {
		t.Errorf("update=maybe: %d %v", st, m)
	}
	// A CSV named .xlsx, and a workbook named .csv.
	if st, m := upload(registrar, [][2]string{{"kind", "enterprises"}}, "e.xlsx", []byte("统一社会信用代码\n"+uscc(12)+"\n")); st != 422 || m["type"] != "urn:landreg:problem:file-type-mismatch" {
		t.Errorf("CSV named .xlsx: %d %v", st, m)
	}
	if st, m := upload(registrar, [][2]string{{"kind", "enterprises"}}, "e.csv", xlsx.Bytes()); st != 422 || m["type"] != "urn:landreg:problem:file-type-mismatch" {
		t.Errorf("workbook named .csv: %d %v", st, m)
	}
	// Parcels need geometry.
	if st, m := upload(registrar, [][2]string{{"kind", "parcels"}}, "e.xlsx", xlsx.Bytes()); st != 422 {
		t.Errorf("parcels from a workbook: %d %v", st, m)
	}

	// Events, as CSV.
	var zddm string
	pool.QueryRow(ctx, `SELECT min(zddm) FROM parcels`).Scan(&zddm)
	csv := []byte("宗地代码,事件类型,事件日期,文号,已开发面积比例\n" + zddm + ",建设进度,2024-05-01,温建〔2024〕7号,0.6\n")
	st, m = upload(registrar, [][2]string{{"kind", "events"}, {"dry_run", "true"}}, "events.csv", csv)
	if st != 200 || m["valid"] != 1.0 || m["error_count"] != 0.0 {
		t.Fatalf("events dry run: %d %v", st, m)
	}
	st, m = upload(registrar, [][2]string{{"kind", "events"}}, "events.csv", csv)
	if st != 201 || m["imported"] != 1.0 {
		t.Fatalf("events import: %d %v", st, m)
	}
	var by string
	pool.QueryRow(ctx, `SELECT e.recorded_by FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id WHERE p.zddm = $1 AND e.doc_no = '温建〔2024〕7号'`, zddm).Scan(&by)
	if by != "registrar-wang" {
		t.Errorf("event recorded by %q", by)
	}
	st, m = upload(registrar, [][2]string{{"kind", "events"}}, "events.csv", csv)
	if st != 422 || m["report"].(map[string]any)["totals"].(map[string]any)["duplicate"] != 1.0 {
		t.Fatalf("events again: %d %v", st, m)
	}
}

// TestImportGBKShapefileHTTP: a shapefile uploaded as its parts, with a GBK .dbf and no
// .cpg, is read as GBK and the report says so (issue 14.17).
func TestImportGBKShapefileHTTP(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	srv := httptest.NewServer(New(Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	registrar, _ := store.CreateToken(ctx, pool, "registrar-wang", landreg.RoleRegistrar)
	var gj string
	pool.QueryRow(ctx, `SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object('type', 'Feature',
  'properties', json_build_object('宗地代码', zddm || 'X', '权利人', '温州瓯海塑料厂', '土地用途', landuse_code), 'geometry', ST_AsGeoJSON(geom)::json)))
FROM (SELECT * FROM parcels ORDER BY id LIMIT 1) p`).Scan(&gj)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "in.geojson"), []byte(gj), 0o644)
	if out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", filepath.Join(dir, "宗地.shp"), filepath.Join(dir, "in.geojson"), "-lco", "ENCODING=GBK").CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("kind", "parcels")
	w.WriteField("dry_run", "true")
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj"} {
		body, err := os.ReadFile(filepath.Join(dir, "宗地"+ext))
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := w.CreateFormFile("file", "宗地"+ext)
		fw.Write(body)
	}
	w.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/v1/imports", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+registrar)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	enc, _ := m["encoding"].(map[string]any)
	mapping, _ := m["mapping"].(map[string]any)
	if res.StatusCode != 200 || enc["name"] != "GBK" || enc["from"] != "detected" || mapping["权利人"] != "holder_name" {
		t.Fatalf("%d %v", res.StatusCode, m)
	}
	// The one problem is the 宗地代码 made bad on purpose, read as written.
	for _, p := range m["problems"].([]any) {
		if msg := p.(map[string]any)["message"].(string); strings.ContainsRune(msg, '\uFFFD') {
			t.Errorf("U+FFFD in %q", msg)
		}
	}
}
