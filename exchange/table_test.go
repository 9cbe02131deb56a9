package exchange_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/exchange"
)

// uscc makes a valid 统一社会信用代码 from a serial.
func uscc(t testing.TB, n int) string {
	first := fmt.Sprintf("91330302MA%07d", n)
	c, err := codes.USCCCheck(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

func writeXLSX(t testing.TB, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func codesOf(rep *exchange.Report) map[int][]string {
	m := map[int][]string{}
	for _, p := range rep.Problems {
		m[p.Index] = append(m[p.Index], p.Code+":"+p.Field)
	}
	return m
}

// TestImportEnterprisesXLSX: an XLSX of enterprises under Chinese headings is checked row
// by row (USCC check character, industry code, 规上 flag, repeats, registered ones), all
// or nothing; registered enterprises change only with Update (issue 13.4).
func TestImportEnterprisesXLSX(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	pool := demo(t)
	var known, knownName string
	pool.QueryRow(ctx, `SELECT uscc, name FROM enterprises WHERE NOT synthetic ORDER BY uscc LIMIT 1`).Scan(&known, &knownName)
	if known == "" {
		pool.QueryRow(ctx, `SELECT uscc, name FROM enterprises ORDER BY uscc LIMIT 1`).Scan(&known, &knownName)
	}
	before := count(t, pool, `SELECT count(*) FROM enterprises`)
	dir := t.TempDir()
	a, b := uscc(t, 1), uscc(t, 2)
	badCheck := a[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", a[17])+1)%31])
	path := filepath.Join(dir, "企业名录.xlsx")
	writeXLSX(t, path, [][]any{
		{"统一社会信用代码", "企业名称", "行业代码", "是否规上", "地址", "备注"},
		{a, "温州瓯江阀门有限公司", "3443", "是", "鹿城区七都街道 1 号", "x"},
		{badCheck, "错码公司", "3443", "否", "", ""},
		{known, "改名公司", "", "", "", ""},
		{a, "重复公司", "", "", "", ""},
		{b, "行业有误公司", "ABC", "否", "", ""},
		{uscc(t, 3), "规上有误公司", "", "也许", "", ""},
		{uscc(t, 4), "", "", "", "", ""},
	})
	rep := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path, DryRun: true})
	got := codesOf(rep)
	want := map[int]string{1: "bad-code:uscc", 2: "conflict:uscc", 3: "duplicate:uscc", 4: "bad-code:industry_code", 5: "bad-value:is_above_size", 6: "missing-value:name"}
	for idx, w := range want {
		if len(got[idx]) != 1 || got[idx][0] != w {
			t.Errorf("row %d: problems %v, want %s", idx, got[idx], w)
		}
	}
	if rep.OK() || len(got[0]) != 0 || rep.Features != 7 || rep.Invalid != 6 || rep.Mapping["统一社会信用代码"] != "uscc" || rep.Mapping["是否规上"] != "is_above_size" {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	if len(rep.Ignored) != 1 || rep.Ignored[0] != "备注" {
		t.Errorf("ignored %v, want 备注", rep.Ignored)
	}
	if rep.Encoding == nil || rep.Encoding.Name != "UTF-8" {
		t.Errorf("encoding %+v", rep.Encoding)
	}
	// Without the dry run the same: nothing written.
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path})
	if rep.OK() || count(t, pool, `SELECT count(*) FROM enterprises`) != before {
		t.Fatalf("a file with errors wrote something:\n%s", reportText(rep))
	}

	// A clean file: one new, one registered, which is a conflict unless asked to update.
	path = filepath.Join(dir, "clean.xlsx")
	writeXLSX(t, path, [][]any{
		{"统一社会信用代码", "企业名称", "行业代码", "是否规上", "地址"},
		{a, "温州瓯江阀门有限公司", "3443", "是", "鹿城区七都街道 1 号"},
		{known, "", "", "是", "鹿城区新地址"},
	})
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path})
	if rep.OK() || rep.Totals["conflict"] != 1 || count(t, pool, `SELECT count(*) FROM enterprises`) != before {
		t.Fatalf("conflict not reported:\n%s", reportText(rep))
	}
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path, Update: true, DryRun: true})
	if !rep.OK() || rep.Created != 1 || rep.Updated != 1 || count(t, pool, `SELECT count(*) FROM enterprises`) != before {
		t.Fatalf("dry run with update:\n%s", reportText(rep))
	}
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path, Update: true})
	if !rep.OK() || rep.Created != 1 || rep.Updated != 1 || rep.Imported != 2 {
		t.Fatalf("import with update:\n%s", reportText(rep))
	}
	var name, ind, addr string
	var above bool
	pool.QueryRow(ctx, `SELECT name, industry_code, is_above_size, address FROM enterprises WHERE uscc = $1`, a).Scan(&name, &ind, &above, &addr)
	if name != "温州瓯江阀门有限公司" || ind != "3443" || !above || addr != "鹿城区七都街道 1 号" {
		t.Errorf("new enterprise %q %q %v %q", name, ind, above, addr)
	}
	pool.QueryRow(ctx, `SELECT name, is_above_size, address FROM enterprises WHERE uscc = $1`, known).Scan(&name, &above, &addr)
	if name != knownName || !above || addr != "鹿城区新地址" {
		t.Errorf("updated enterprise %q %v %q: the empty name cell must leave the name", name, above, addr)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'enterprises' AND actor = 'test-import' AND row_key IN ($1, $2)`, a, known); n != 2 {
		t.Errorf("%d audit rows, want 2 (one insert, one update)", n)
	}
	// Again: nothing to change, nothing written.
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path, Update: true})
	if !rep.OK() || rep.Unchanged != 2 || rep.Imported != 0 {
		t.Fatalf("re-import:\n%s", reportText(rep))
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'enterprises' AND actor = 'test-import'`); n != 2 {
		t.Errorf("%d audit rows after an import that changed nothing, want 2", n)
	}
}

// TestImportEnterprisesGBKCSV: a CSV saved by Excel on Chinese Windows (GBK, no BOM) is
// detected as GBK, reported so, and its names arrive intact.
func TestImportEnterprisesGBKCSV(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	pool := demo(t)
	text := "统一社会信用代码,企业名称,是否规上,地址\r\n" + uscc(t, 7) + ",温州龙湾精密机械有限公司,否,\"龙湾区, 状元街道\"\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "企业.csv")
	os.WriteFile(path, []byte(gbk), 0o644)
	rep := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path})
	if !rep.OK() || rep.Created != 1 || rep.Encoding == nil || rep.Encoding.Name != "GBK" || rep.Encoding.From != "detected" {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	var name, addr string
	pool.QueryRow(ctx, `SELECT name, address FROM enterprises WHERE uscc = $1`, uscc(t, 7)).Scan(&name, &addr)
	if name != "温州龙湾精密机械有限公司" || addr != "龙湾区, 状元街道" {
		t.Errorf("stored %q %q", name, addr)
	}
	// Bytes valid in neither encoding: refused, naming the line.
	os.WriteFile(path, append([]byte(gbk[:len(gbk)-2]), 0xFF, '\r', '\n'), 0o644)
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Enterprises, Path: path, DryRun: true})
	if rep.OK() || rep.Totals["bad-encoding"] != 1 || rep.Problems[0].Field != "line 2" {
		t.Fatalf("report:\n%s", reportText(rep))
	}
}

// TestImportEvents: one row per event under Chinese headings; every row's problems are
// listed (unknown parcel, unknown type, what parcel_event_validate refuses, repeats),
// nothing is written until none is left, then all rows are, with their actor; the same
// file again is refused as already recorded (issue 13.5).
func TestImportEvents(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	pool := demo(t)
	var za, zb string
	pool.QueryRow(ctx, `SELECT min(zddm), max(zddm) FROM parcels`).Scan(&za, &zb)
	before := count(t, pool, `SELECT count(*) FROM parcel_events`)
	dir := t.TempDir()
	path := filepath.Join(dir, "事件.xlsx")
	writeXLSX(t, path, [][]any{
		{"宗地代码", "事件类型", "事件日期", "文号", "已开发面积比例", "已投资比例", "年度", "税收（万元）", "开始日期", "备注"},
		{za, "建设进度", "2024-03-01", "温建〔2024〕1号", 0.5, 0.4, "", "", "", ""},
		{"330302001001GB99999", "PROGRESS", "2024-03-01", "", 0.5, "", "", "", "", ""},
		{za, "FOO", "2024-03-01", "", "", "", "", "", "", ""},
		{zb, "ANNUAL_INDICATORS", "2024-03-01", "", "", "", 2023, -5, "", ""},
		{zb, "PROGRESS", "2099-01-01", "", 0.2, "", "", "", "", ""},
		{zb, "GOV_CAUSE", "2024-03-01", "", "", "", "", "", "", ""},
		{za, "建设进度", "2024-03-01", "温建〔2024〕1号", 0.5, 0.4, "", "", "", ""},
		{zb, "TRANSFERRED", "2024-03-01", "", "", "", "", "", "", ""},
		{zb, "PROGRESS", "2024-13-01", "", "半", "", "", "", "", ""},
	})
	rep := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Events, Path: path, DryRun: true})
	got := codesOf(rep)
	want := map[int][]string{
		1: {"unknown-parcel:zddm"}, 2: {"unknown-type:type"}, 3: {"invalid-event:payload.tax_wan"},
		4: {"invalid-event:event_date"}, 5: {"invalid-event:payload"}, 6: {"duplicate:type"},
		7: {"not-importable:type"}, 8: {"bad-value:event_date", "bad-value:payload.developed_land_ratio"},
	}
	for idx, w := range want {
		if strings.Join(got[idx], " ") != strings.Join(w, " ") {
			t.Errorf("row %d: problems %v, want %v", idx, got[idx], w)
		}
	}
	if rep.OK() || len(got[0]) != 0 || rep.Features != 9 || rep.Valid != 1 {
		t.Fatalf("report:\n%s", reportText(rep))
	}
	if rep.Mapping["税收（万元）"] != "payload.tax_wan" || rep.Mapping["已开发面积比例"] != "payload.developed_land_ratio" {
		t.Errorf("mapping %v", rep.Mapping)
	}
	if count(t, pool, `SELECT count(*) FROM parcel_events`) != before {
		t.Fatal("the dry run wrote events")
	}

	// The good rows alone, as CSV with English headers and one payload key by name.
	path = filepath.Join(dir, "events.csv")
	os.WriteFile(path, []byte("zddm,type,event_date,doc_no,developed_land_ratio,invested_ratio,年度,税收\n"+
		za+",PROGRESS,2024/3/1,温建〔2024〕1号,0.5,0.4,,\n"+
		zb+",年度亩均指标,2024-03-01,,,,2023,12.5\n"), 0o644)
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Events, Path: path})
	if !rep.OK() || rep.Imported != 2 {
		t.Fatalf("import:\n%s", reportText(rep))
	}
	if n := count(t, pool, `SELECT count(*) FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id
WHERE e.recorded_by = 'test-import' AND ((p.zddm = $1 AND e.type = 'PROGRESS' AND e.event_date = '2024-03-01' AND e.doc_no = '温建〔2024〕1号'
  AND e.payload = '{"developed_land_ratio": 0.5, "invested_ratio": 0.4}')
 OR (p.zddm = $2 AND e.type = 'ANNUAL_INDICATORS' AND e.payload = '{"year": 2023, "tax_wan": 12.5}'))`, za, zb); n != 2 {
		t.Errorf("%d of the 2 events stored as given", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'parcel_events' AND actor = 'test-import'`); n != 2 {
		t.Errorf("%d audit rows, want 2", n)
	}
	rep = mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Events, Path: path, DryRun: true})
	if rep.OK() || rep.Totals["duplicate"] != 2 {
		t.Fatalf("the same file again:\n%s", reportText(rep))
	}
}

// TestEventMapping: payload columns by heading, by key, and typed by a mapping file;
// targets that are no payload key are refused.
func TestEventMapping(t *testing.T) {
	m, err := exchange.NewMapping(exchange.Events, map[string]string{"复核结果": "payload.passed:boolean", "备注": "-"})
	if err != nil {
		t.Fatal(err)
	}
	for src, want := range map[string]string{"宗地代码": "zddm", "事件类型": "type", "税收（万元）": "payload.tax_wan", "basis": "payload.basis",
		"payload.compensation_wan": "payload.compensation_wan", "复核结果": "payload.passed:boolean", "备注": "", "Remark": ""} {
		if got := m.Target(src); got != want {
			t.Errorf("%s → %q, want %q", src, got, want)
		}
	}
	for _, bad := range []string{"payload.Tax", "payload.x:json", "tax_wan", "payload."} {
		if _, err := exchange.NewMapping(exchange.Events, map[string]string{"x": bad}); err == nil || !strings.Contains(err.Error(), "payload.KEY") {
			t.Errorf("mapping to %q: %v", bad, err)
		}
	}
	if _, err := exchange.NewMapping(exchange.Enterprises, map[string]string{"x": "payload.tax_wan"}); err == nil {
		t.Error("enterprises took a payload key")
	}
}
