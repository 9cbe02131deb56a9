package api_test

import (
	"github.com/landreg/landreg"

	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/fixtures"
)

// secretMarker stands for data outside an upload; no answer may carry it.
const secretMarker = "S3CR3T-MARKER"

func noFixtures(context.Context, *pgxpool.Pool) (fixtures.Counts, error) {
	return fixtures.Counts{}, nil
}

type part struct {
	field, filename string
	body            []byte
}

// multipartBody builds a form with the file names exactly as given (Go's writer would
// not let a test send a name with a NUL or a path).
func multipartBody(fields map[string]string, files ...part) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="%s"`, f.field, f.filename))
		h.Set("Content-Type", "application/octet-stream")
		pw, _ := w.CreatePart(h)
		pw.Write(f.body)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func postUpload(t *testing.T, url, token string, fields map[string]string, files ...part) (*http.Response, map[string]any, string) {
	t.Helper()
	body, ct := multipartBody(fields, files...)
	req, _ := http.NewRequest("POST", url+"/v1/imports", body)
	req.Header.Set("Content-Type", ct)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return res, m, string(raw)
}

func zipOf(t *testing.T, entries map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	zw.Close()
	return b.Bytes()
}

func vrtOf(src, sql string) []byte {
	s := "<OGRVRTDataSource><OGRVRTLayer name=\"parcels\"><SrcDataSource>" + src + "</SrcDataSource>"
	if sql != "" {
		s += "<SrcSQL>" + sql + "</SrcSQL>"
	}
	return []byte(s + "<GeometryType>wkbPolygon</GeometryType><LayerSRS>EPSG:4490</LayerSRS>" +
		"<GeometryField encoding=\"WKT\" field=\"WKT\"/></OGRVRTLayer></OGRVRTDataSource>")
}

func gdalRun(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "CPL_DEBUG=OFF")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

// TestUploadsRefuseDisguises: POST /v1/imports answers every disguised upload with a
// 4xx problem naming the field file, and never with data from outside the upload.
func TestUploadsRefuseDisguises(t *testing.T) {
	if !exchange.HaveGDAL() {
		t.Skip("GDAL tools not installed")
	}
	pool, srv, _ := demoServer(t, loadedBy(noFixtures))
	registrar := token(t, pool, "registrar-wang", landreg.RoleRegistrar)
	token(t, pool, secretMarker+"-owner", landreg.RoleAdmin) // a row the database must not give away
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.csv")
	os.WriteFile(secret, []byte("WKT,ZDDM,TDYT\n\"POLYGON((120.60 27.95,120.61 27.95,120.61 27.96,120.60 27.95))\","+secretMarker+",0601\n"), 0o600)
	secretTxt := filepath.Join(dir, "secret.txt")
	os.WriteFile(secretTxt, []byte("zddm:landuse\n"+secretMarker+":0601\n"), 0o600)
	pc := pool.Config().ConnConfig
	dbVRT := vrtOf(fmt.Sprintf("PG:host='%s' port=%d dbname='%s' user='%s'", pc.Host, pc.Port, pc.Database, pc.User),
		`SELECT 'POLYGON((120.60 27.95,120.61 27.95,120.61 27.96,120.60 27.95))' AS "WKT", name AS "ZDDM", '0601' AS "TDYT" FROM api_tokens`)
	feature := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ZDDM":"330304009020GB09001","TDYT":"0601"},"geometry":{"type":"Polygon","coordinates":[[[120.6,27.95],[120.61,27.95],[120.61,27.96],[120.6,27.95]]]}}]}`)
	csv, _ := os.ReadFile(secret)
	gpx := []byte(`<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="27.9" lon="120.6"><name>` + secretMarker + `</name></wpt></gpx>`)

	// A GeoPackage whose only layer is a SpatiaLite virtual table over a local file.
	leak := filepath.Join(dir, "leak.gpkg")
	seed := filepath.Join(dir, "seed.geojson")
	os.WriteFile(seed, feature, 0o644)
	gdalRun(t, "ogr2ogr", "-f", "GPKG", leak, seed, "-nln", "seed")
	for _, s := range []string{
		"CREATE VIRTUAL TABLE leak USING VirtualText('" + secretTxt + "', 'UTF-8', 1, POINT, NONE, ':')",
		"INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('leak', 'attributes', 'leak')",
		"DELETE FROM gpkg_contents WHERE table_name = 'seed'"} {
		gdalRun(t, "ogrinfo", leak, "-sql", s)
	}
	leakGPKG, _ := os.ReadFile(leak)

	long := strings.Repeat("宗", 100) + ".geojson" // 308 bytes
	for _, tc := range []struct {
		name     string
		filename string
		body     []byte
		status   int
		typ      string
	}{
		{"VRT named .geojson", "parcels.geojson", vrtOf(secret, ""), 422, "file-type-mismatch"},
		{"VRT named .geojson reading the database over its socket", "parcels.geojson", dbVRT, 422, "file-type-mismatch"},
		{"VRT inside a zip", "parcels.zip", zipOf(t, map[string][]byte{"parcels.geojson": vrtOf(secret, "")}), 422, "file-type-mismatch"},
		{"zip entry climbing out with ../", "parcels.zip", zipOf(t, map[string][]byte{"../parcels.geojson": feature}), 422, "unsafe-archive"},
		{"GeoPackage reading a local file through SpatiaLite", "parcels.gpkg", leakGPKG, 422, "invalid-file"},
		{"CSV named .geojson", "parcels.geojson", csv, 422, "file-type-mismatch"},
		{"GPX named .geojson", "parcels.geojson", gpx, 422, "file-type-mismatch"},
		{"file name over 255 bytes", long, feature, 400, "invalid-file-name"},
		{"file name with a path", "../../parcels.geojson", feature, 400, "invalid-file-name"},
		{"file name with a Windows path", `C:\data\parcels.geojson`, feature, 400, "invalid-file-name"},
		{"file name with a NUL", "parcels\x00.geojson", feature, 400, "invalid-file-name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, m, raw := postUpload(t, srv.URL, registrar, map[string]string{"kind": "parcels", "dry_run": "true", "crs": "EPSG:4490"},
				part{"file", tc.filename, tc.body})
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/problem+json" ||
				m["type"] != "urn:landreg:problem:"+tc.typ || m["field"] != "file" {
				t.Errorf("want %d %s on field file, got %d %s", tc.status, tc.typ, res.StatusCode, raw)
			}
			if d, _ := m["detail"].(string); !strings.Contains(d, " / ") || !strings.ContainsFunc(d, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
				t.Errorf("detail is not Chinese / English: %q", d)
			}
			if strings.Contains(raw, secretMarker) {
				t.Errorf("the answer carries data from outside the upload: %s", raw)
			}
		})
	}
}

// TestUploadShapefileGBK: the genuine uploads the rules must keep: a zipped Shapefile
// with a GBK .dbf in a folder, and the same Shapefile as separate parts.
func TestUploadShapefileGBK(t *testing.T) {
	if !exchange.HaveGDAL() {
		t.Skip("GDAL tools not installed")
	}
	ctx := context.Background()
	pool, srv, counts := demoServer(t, demodb.Fixtures)
	registrar := token(t, pool, "registrar-wang", landreg.RoleRegistrar)
	dir := t.TempDir()
	gpkg := filepath.Join(dir, "parcels.gpkg")
	if err := exchange.Export(ctx, pool, exchange.ExportOptions{Collection: "parcels", Format: "gpkg"}, gpkg); err != nil {
		t.Fatal(err)
	}
	gdalRun(t, "ogr2ogr", "-f", "ESRI Shapefile", filepath.Join(dir, "宗地.shp"), gpkg, "-t_srs", "EPSG:4549", "-lco", "ENCODING=GBK", "-nln", "宗地",
		"-dialect", "SQLite", "-sql", `SELECT zddm AS "宗地代码", holder_name AS "权利人", landuse_code AS "土地用途", geom FROM parcels`)
	entries := map[string][]byte{}
	var parts []part
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		b, err := os.ReadFile(filepath.Join(dir, "宗地"+ext))
		if err != nil {
			t.Fatal(err)
		}
		entries["宗地/宗地"+ext] = b
		parts = append(parts, part{"file", "宗地" + ext, b})
	}
	for name, files := range map[string][]part{"zip": {{"file", "宗地.zip", zipOf(t, entries)}}, "parts": parts} {
		t.Run(name, func(t *testing.T) {
			res, m, raw := postUpload(t, srv.URL, registrar, map[string]string{"kind": "parcels", "dry_run": "true"}, files...)
			mapping, _ := m["mapping"].(map[string]any)
			// Every parcel is registered already, so the dry run reports duplicates; what
			// matters is that all were read, in the file's CRS, with the GBK names decoded.
			if res.StatusCode != 200 || m["features"] != float64(counts.Parcels) || m["source_crs"] != "EPSG:4549" ||
				mapping["宗地代码"] != "zddm" || mapping["权利人"] != "holder_name" {
				t.Errorf("%d %s", res.StatusCode, raw[:min(len(raw), 600)])
			}
		})
	}
}

// rawRequest writes head and the start of a body that the headers say is far longer,
// then reads the answer. A server that read the body before answering would wait for
// the rest; the read deadline only keeps such a failure from hanging the suite.
func rawRequest(t *testing.T, addr, head, bodyStart string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(conn, head+"\r\n"+bodyStart); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	return res, string(b)
}

// uploadTemps lists what uploads left in dir.
func uploadTemps(t *testing.T, dir string) []string {
	t.Helper()
	es, _ := os.ReadDir(dir)
	var out []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), "landreg-import-") || strings.HasPrefix(e.Name(), "multipart-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestImportChecksTokenBeforeBody: an upload without a token, or with a role that may
// import nothing, is answered from its headers alone: nothing of the body is read and
// nothing is spooled to the temp folder.
func TestImportChecksTokenBeforeBody(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	pool, srv, _ := demoServer(t, loadedBy(noFixtures))
	auditor := token(t, pool, "auditor-zhao", landreg.RoleAuditor)
	const boundary = "landreg-test-boundary"
	start := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nparcels\r\n--" + boundary +
		"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"parcels.geojson\"\r\n\r\n{\"type\":"
	for _, tc := range []struct {
		auth   string
		status int
		typ    string
	}{{"", 401, "unauthorized"}, {"Authorization: Bearer " + auditor + "\r\n", 403, "forbidden"}} {
		head := "POST /v1/imports HTTP/1.1\r\nHost: landreg\r\nContent-Type: multipart/form-data; boundary=" + boundary +
			"\r\nContent-Length: 209715200\r\n" + tc.auth
		res, body := rawRequest(t, srv.Listener.Addr().String(), head, start)
		if res.StatusCode != tc.status || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, tc.typ) {
			t.Errorf("want %d %s, got %d %s", tc.status, tc.typ, res.StatusCode, body)
		}
	}
	if left := uploadTemps(t, tmp); len(left) > 0 {
		t.Errorf("temp files of refused uploads: %v", left)
	}
}

// TestImportTooLargeIsRefusedAtOnce: a body announced larger than the upload limit
// (256 MiB by default) is refused with 413 before any of it is read.
func TestImportTooLargeIsRefusedAtOnce(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	pool, srv, _ := demoServer(t, loadedBy(noFixtures))
	registrar := token(t, pool, "registrar-wang", landreg.RoleRegistrar)
	head := "POST /v1/imports HTTP/1.1\r\nHost: landreg\r\nContent-Type: multipart/form-data; boundary=b\r\n" +
		"Content-Length: " + fmt.Sprint(300<<20) + "\r\nAuthorization: Bearer " + registrar + "\r\n"
	res, body := rawRequest(t, srv.Listener.Addr().String(), head, "--b\r\n")
	var m map[string]any
	json.Unmarshal([]byte(body), &m)
	if res.StatusCode != 413 || m["type"] != "urn:landreg:problem:payload-too-large" || m["field"] != "file" {
		t.Errorf("want 413 payload-too-large, got %d %s", res.StatusCode, body)
	}
	if left := uploadTemps(t, tmp); len(left) > 0 {
		t.Errorf("temp files of a refused upload: %v", left)
	}
}

// TestImportStreamedTooLarge: a body that does not announce its length (chunked) is
// cut off at the limit (serve --max-upload) with 413, and what was spooled is removed.
func TestImportStreamedTooLarge(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	pool := dbtest.New(t)
	h := api.New(api.Config{Version: "test", MaxUpload: 1 << 20}, pool, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel))
	srv := httptest.NewUnstartedServer(h)
	srv.Config = api.NewHTTPServer("", h)
	srv.Start()
	defer srv.Close()
	registrar := token(t, pool, "registrar-wang", landreg.RoleRegistrar)
	for _, size := range []int{1 << 19, 2 << 20} {
		body, ct := multipartBody(map[string]string{"kind": "parcels", "dry_run": "true"},
			part{"file", "parcels.geojson", append([]byte(`{"type":"FeatureCollection","features":[]}`), bytes.Repeat([]byte(" "), size)...)})
		req, _ := http.NewRequest("POST", srv.URL+"/v1/imports", io.MultiReader(body)) // unknown length: chunked
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+registrar)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if size > 1<<20 {
			if res.StatusCode != 413 || !strings.Contains(string(raw), "urn:landreg:problem:payload-too-large") {
				t.Errorf("%d bytes: want 413, got %d %s", size, res.StatusCode, raw)
			}
		} else if res.StatusCode == 413 {
			t.Errorf("%d bytes (under the limit): 413", size)
		}
	}
	if left := uploadTemps(t, tmp); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
}

// TestRemoveStaleUploads: only this user's import and export folders and multipart
// spool files older than the cut-off go; links, young files and other names stay.
func TestRemoveStaleUploads(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, isDir bool, mtime time.Time) {
		p := filepath.Join(dir, name)
		if isDir {
			os.Mkdir(p, 0o700)
			os.WriteFile(filepath.Join(p, "upload.zip"), []byte("x"), 0o600)
		} else {
			os.WriteFile(p, []byte("x"), 0o600)
		}
		os.Chtimes(p, mtime, mtime)
	}
	mk("landreg-import-1", true, old)
	mk("landreg-export-2", false, old)
	mk("multipart-3", false, old)
	mk("landreg-import-young", true, time.Now())
	mk("landreg-other", false, old)
	mk("target", true, old)
	os.Symlink(filepath.Join(dir, "target"), filepath.Join(dir, "landreg-import-link"))
	foreign := os.Getuid() == 0
	if foreign {
		mk("multipart-foreign", false, old)
		os.Lchown(filepath.Join(dir, "multipart-foreign"), 65534, 65534)
	}
	removed, err := api.RemoveStaleUploads(dir, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(removed, ","); got != "landreg-export-2,landreg-import-1,multipart-3" {
		t.Errorf("removed %s", got)
	}
	want := []string{"landreg-import-young", "landreg-import-link", "landreg-other", "target", "target/upload.zip"}
	if foreign {
		want = append(want, "multipart-foreign")
	}
	for _, n := range want {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed", n)
		}
	}
}
