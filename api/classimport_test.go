package api

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
	"github.com/landreg/landreg/testenv"
)

// TestImportClassesHTTP: the official 亩均 classes through POST /v1/imports
// (kind=mujun-classes, issue 15.5) with the guarantees of the other kinds: admins only,
// the dry run's report writing nothing, a bad row refusing the whole file as
// import-refused with the report, 201 when loaded with actor and reason in the audit, a
// replaced class kept in history, and a file that is not what its name says refused.
func TestImportClassesHTTP(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	srv := httptest.NewServer(New(Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	admin, _ := store.CreateToken(ctx, pool, "admin-zhao", landreg.RoleAdmin)
	registrar, _ := store.CreateToken(ctx, pool, "registrar-wang", landreg.RoleRegistrar)
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
	var u1, u2 string
	pool.QueryRow(ctx, `SELECT min(uscc), max(uscc) FROM enterprises`).Scan(&u1, &u2)
	book := func(rows ...[]any) []byte {
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"统一社会信用代码", "评价类别", "得分", "公布日期"})
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			f.SetSheetRow("Sheet1", cell, &r)
		}
		var b bytes.Buffer
		f.Write(&b)
		return b.Bytes()
	}
	good := book([]any{u1, "A类", 92.5, "2025-06-30"}, []any{u2, "D", 41, ""})
	bad := book([]any{u1, "A", 92.5, "2025-06-30"}, []any{u2, "E", 41, "2025-06-30"})
	count := func() (n int) {
		pool.QueryRow(ctx, `SELECT count(*) FROM mujun_results WHERE year = 2024`).Scan(&n)
		return n
	}
	form := [][2]string{{"kind", "mujun-classes"}, {"year", "2024"}, {"published_on", "2025-07-01"}, {"doc_no", "瓯海亩均〔2025〕1号"}}

	if st, m := upload(registrar, form, "c.xlsx", good); st != 403 {
		t.Errorf("registrar importing classes: %d %v", st, m)
	}
	st, m := upload(admin, append(form, [2]string{"dry_run", "true"}), "c.xlsx", good)
	if st != 200 || m["kind"] != "mujun-classes" || m["features"] != 2.0 || m["valid"] != 2.0 || m["error_count"] != 0.0 || count() != 0 {
		t.Fatalf("dry run: %d %v (%d on file)", st, m, count())
	}
	st, m = upload(admin, form, "c.xlsx", bad)
	if st != 422 || m["type"] != "urn:landreg:problem:import-refused" || count() != 0 {
		t.Fatalf("a bad class: %d %v", st, m)
	}
	rep := m["report"].(map[string]any)
	if p := rep["problems"].([]any)[0].(map[string]any); p["field"] != "class" || p["index"] != 1.0 || rep["invalid"] != 1.0 {
		t.Errorf("the refusal's report: %v", rep)
	}
	st, m = upload(admin, append(form, [2]string{"reason", "2024 年度亩均评价公布"}), "c.xlsx", good)
	if st != 201 || m["imported"] != 2.0 || count() != 2 {
		t.Fatalf("import: %d %v", st, m)
	}
	var class, published, actor, reason string
	pool.QueryRow(ctx, `SELECT class, published_on::text FROM mujun_results WHERE uscc = $1 AND year = 2024`, u2).Scan(&class, &published)
	if class != "D" || published != "2025-07-01" {
		t.Errorf("%s: class %s published %s (the form's date for a row without one)", u2, class, published)
	}
	pool.QueryRow(ctx, `SELECT actor, coalesce(reason, '') FROM audit_log WHERE table_name = 'mujun_results' ORDER BY id DESC LIMIT 1`).Scan(&actor, &reason)
	if actor != "admin-zhao" || reason != "2024 年度亩均评价公布" {
		t.Errorf("audit actor %q reason %q", actor, reason)
	}
	// A correction replaces the class, the old one kept in history.
	if st, m := upload(admin, form, "c.xlsx", book([]any{u2, "C", 61, "2025-08-01"})); st != 201 {
		t.Fatalf("correction: %d %v", st, m)
	}
	var history int
	pool.QueryRow(ctx, `SELECT count(*) FROM mujun_results_history WHERE uscc = $1 AND year = 2024 AND class = 'D'`, u2).Scan(&history)
	if pool.QueryRow(ctx, `SELECT class FROM mujun_results WHERE uscc = $1 AND year = 2024`, u2).Scan(&class); class != "C" || history != 1 {
		t.Errorf("after the correction: class %s, %d D in history", class, history)
	}
	if st, m := upload(admin, [][2]string{{"kind", "mujun-classes"}, {"published_on", "2025-13-01"}}, "c.xlsx", good); st != 400 || m["field"] != "published_on" {
		t.Errorf("published_on 2025-13-01: %d %v", st, m)
	}
	if st, m := upload(admin, form, "c.xlsx", []byte("统一社会信用代码,评价类别\n"+u1+",A\n")); st != 422 || m["type"] != "urn:landreg:problem:file-type-mismatch" {
		t.Errorf("CSV named .xlsx: %d %v", st, m)
	}
	if st, m := upload(admin, form, "c.csv", []byte("统一社会信用代码,评价类别,公布日期\n"+u1+",B类,2025-06-30\n")); st != 201 || m["imported"] != 1.0 {
		t.Errorf("CSV: %d %v", st, m)
	}
}
