package api_test

import (
	"bytes"
	"context"
	"math"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/report"
)

// TestXLSXSheetPerDistrict (issue 16.6): the idle-land ledger, the 亩均 report and the
// targets sheet, asked for every district as XLSX, hold a 汇总 summary sheet and one sheet
// per district with rows, read back with report.ReadXLSXSheets: each district sheet has
// only its district's rows and the title block naming it, each sheet's totals are the sums
// of its rows, each summary row equals its district sheet (rows and totals), the summary's
// totals are the sums of the district sheets, and together the sheets hold every row of
// the JSON report. Asked for one district, the workbook has that one sheet.
func TestXLSXSheetPerDistrict(t *testing.T) {
	ctx := context.Background()
	pool, _ := demodb.Fixtures(t)
	if _, err := pool.Exec(ctx, `SELECT landreg_sys.begin_change('test', '考核目标', NULL);
INSERT INTO targets (kind, value, period_from, period_to, xzqdm, doc_no, valid_from) VALUES
  ('supply_mu', 200, '2025-01-01', '2025-12-31', '330304', '瓯政发〔2025〕1号（示例）', '2025-01-01'),
  ('supply_mu', 500, '2021-01-01', '2025-12-31', '330304', '瓯政发〔2021〕9号（示例）', '2021-01-01'),
  ('supply_mu', 300, '2025-01-01', '2025-12-31', '330381', '瑞政发〔2025〕2号（示例）', '2025-01-01'),
  ('supply_mu', 900, '2025-01-01', '2025-12-31', NULL, '温政发〔2025〕3号（示例）', '2025-01-01')`); err != nil {
		t.Fatalf("targets: %v", err)
	}
	srv := httptest.NewServer(api.New(api.Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	anon := client{t, srv.URL, ""}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil && s != "" {
			t.Fatalf("not a number: %q", s)
		}
		return v
	}
	cell := func(row []string, j int) string {
		if j < len(row) {
			return row[j]
		}
		return ""
	}
	for _, c := range []struct{ path, count string }{
		{"/v1/audit/idle-parcels?date=2025-06-30", "宗数 Parcels"},
		{"/v1/audit/mujun?year=2024", "企业数 Enterprises"},
		{"/v1/audit/targets?date=2025-06-30", "目标数 Targets"},
		{"/v1/targets/progress?date=2025-06-30", "目标数 Targets"},
	} {
		t.Run(c.path, func(t *testing.T) {
			var doc reportDoc
			getJSON(t, srv.URL+strings.Replace(c.path, "/v1/targets/progress", "/v1/audit/targets", 1), "application/json", &doc)
			res, body := anon.do("GET", c.path+"&format=xlsx", nil)
			if res.StatusCode != 200 {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			sheets, err := report.ReadXLSXSheets(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("xlsx: %v", err)
			}
			if len(sheets) < 3 || sheets[0].Name != "汇总" {
				t.Fatalf("sheets %d, first %q; want 汇总 and two districts or more", len(sheets), sheets[0].Name)
			}
			// Every sheet: its totals row is the sum of its rows.
			for _, s := range sheets {
				if s.Totals == nil {
					// The targets sheet has no column that adds up (targets of different
					// kinds and units); the summary counts them.
					if s.Name == "汇总" || !strings.Contains(c.path, "targets") {
						t.Errorf("sheet %s has no totals row", s.Name)
					}
					continue
				}
				for j := 1; j < len(s.Header); j++ {
					if cell(s.Totals, j) == "" {
						continue
					}
					var sum float64
					for _, r := range s.Rows {
						sum += num(cell(r, j))
					}
					if got := num(cell(s.Totals, j)); math.Abs(got-sum) > 1e-6*math.Max(1, math.Abs(sum)) {
						t.Errorf("sheet %s, %s: total %v, rows sum to %v", s.Name, s.Header[j], got, sum)
					}
				}
			}
			sum := sheets[0]
			col := func(s *report.Sheet, header string) int {
				for j, h := range s.Header {
					if h == header {
						return j
					}
				}
				return -1
			}
			code, count := col(sum, "行政区划代码 District code"), col(sum, c.count)
			if code != 0 || count != 2 || sum.Totals == nil {
				t.Fatalf("summary header %v, totals %v", sum.Header, sum.Totals)
			}
			byCode := map[string][]string{}
			for _, r := range sum.Rows {
				byCode[cell(r, 0)] = r
			}
			rows := 0
			for _, s := range sheets[1:] {
				if len(s.Rows) == 0 {
					t.Errorf("sheet %s has no rows", s.Name)
					continue
				}
				x := cell(s.Rows[0], col(s, "行政区划代码 District code"))
				for _, r := range s.Rows {
					if cell(r, col(s, "行政区划代码 District code")) != x {
						t.Errorf("sheet %s mixes districts: %v", s.Name, r)
					}
				}
				if x != "" && !strings.Contains(s.Name, x) && !strings.Contains(x, s.Name) {
					t.Errorf("sheet %s holds district %s", s.Name, x)
				}
				if !strings.Contains(strings.Join(s.Notes, "\n"), "行政区 District: "+x) {
					t.Errorf("sheet %s: title block %v does not name %s", s.Name, s.Notes, x)
				}
				line, ok := byCode[x]
				if !ok {
					t.Errorf("summary has no row for sheet %s (%s)", s.Name, x)
					continue
				}
				if int(num(cell(line, count))) != len(s.Rows) {
					t.Errorf("summary counts %s rows for %s, the sheet has %d", cell(line, count), s.Name, len(s.Rows))
				}
				for j := count + 1; j < len(sum.Header); j++ {
					k := col(s, sum.Header[j])
					if k < 0 || math.Abs(num(cell(line, j))-num(cell(s.Totals, k))) > 1e-6*math.Max(1, math.Abs(num(cell(line, j)))) {
						t.Errorf("summary %s for %s is %s, the sheet's total %s", sum.Header[j], s.Name, cell(line, j), cell(s.Totals, k))
					}
				}
				rows += len(s.Rows)
			}
			if rows != len(doc.Rows) || int(num(cell(sum.Totals, count))) != rows {
				t.Errorf("district sheets hold %d rows, the summary totals %s, the report %d", rows, cell(sum.Totals, count), len(doc.Rows))
			}
			for j := count + 1; j < len(sum.Header); j++ {
				var all float64
				for _, s := range sheets[1:] {
					all += num(cell(s.Totals, col(s, sum.Header[j])))
				}
				if got := num(cell(sum.Totals, j)); math.Abs(got-all) > 1e-6*math.Max(1, math.Abs(all)) {
					t.Errorf("summary total %s %v, district sheets %v", sum.Header[j], got, all)
				}
			}
			names := []string{}
			for _, s := range sheets {
				names = append(names, s.Name)
			}
			t.Logf("sheets %v; summary %v %v %v", names, sum.Header, sum.Rows, sum.Totals)
		})
	}
	// One district: one sheet, no summary.
	_, body := anon.do("GET", "/v1/audit/idle-parcels?date=2025-06-30&district=330304&format=xlsx", nil)
	sheets, err := report.ReadXLSXSheets(bytes.NewReader(body))
	if err != nil || len(sheets) != 1 || sheets[0].Name == "汇总" {
		t.Errorf("one district's ledger: %v sheets %d", err, len(sheets))
	}
}
