package exchange_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// TestImportIndicators (issue 13.5): a bureau's spreadsheet of one year's indicators,
// Chinese headers and all, loads into enterprise_indicators all or nothing with the
// dry-run report and audit of a parcel import; a second file for the year replaces the
// figures with history and says so per row; an unknown USCC, a bad figure and a wrong
// year are refused with row and field, and nothing is written; a GBK CSV reads too.
func TestImportIndicators(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	pool := demo(t)
	var firms []string
	rows, err := pool.Query(ctx, `SELECT DISTINCT holder_uscc FROM parcels WHERE holder_uscc IS NOT NULL ORDER BY 1 LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		rows.Scan(&u)
		firms = append(firms, u)
	}
	if len(firms) != 3 {
		t.Fatalf("firms %v", firms)
	}
	dir := t.TempDir()
	count := func(sql string, args ...any) (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const header = "统一社会信用代码,企业名称,税收（万元）,增加值（万元）,综合能耗（吨标煤）,从业人员,用地面积（亩）,固定资产投资（万元）\n"
	csvFile := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(header+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xlsx := func(name, body string) string {
		c := csvFile(strings.TrimSuffix(name, ".xlsx")+".csv", body)
		p := filepath.Join(dir, name)
		ogr(t, "ogr2ogr", "-f", "XLSX", p, c, "-nln", "2024年度", "-oo", "AUTODETECT_TYPE=YES")
		return p
	}
	good := firms[0] + ",甲公司,120.5,800,300,45,,5000\n" + firms[1] + ",乙公司,\"1,234\",2000,,80,25.5,\n" + firms[2] + ",丙公司,3,10,,,,\n"
	book := xlsx("indicators.xlsx", good)

	if _, err := exchange.Import(ctx, pool, exchange.ImportOptions{Kind: exchange.Indicators, Path: book}); err == nil {
		t.Error("an indicators import without a year was accepted")
	} else if ie := (*exchange.InputError)(nil); !errors.As(err, &ie) {
		t.Errorf("no year: %v", err)
	}
	dry := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Indicators, Path: book, Year: 2024, DryRun: true})
	if !dry.OK() || dry.Valid != 3 || dry.Features != 3 || dry.Imported != 0 || dry.Mapping["税收（万元）"] != "tax_wan" {
		t.Fatalf("dry run:\n%s", reportText(dry))
	}
	if n := count(`SELECT count(*) FROM enterprise_indicators`); n != 0 {
		t.Fatalf("dry run wrote %d rows", n)
	}
	audits := count(`SELECT count(*) FROM audit_log`)
	rep := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Indicators, Path: book, Year: 2024,
		Change: store.Change{Actor: "tax-bureau-import"}})
	if !rep.OK() || rep.Imported != 3 || rep.Warnings != 0 {
		t.Fatalf("import:\n%s", reportText(rep))
	}
	var tax, land, invest *float64
	pool.QueryRow(ctx, `SELECT tax_wan::float8, land_mu_used::float8, invest_wan::float8 FROM enterprise_indicators WHERE uscc = $1 AND year = 2024`, firms[1]).
		Scan(&tax, &land, &invest)
	if tax == nil || *tax != 1234 || land == nil || *land != 25.5 || invest != nil {
		t.Errorf("row of %s: tax %v land %v invest %v", firms[1], tax, land, invest)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE table_name = 'enterprise_indicators' AND actor = 'tax-bureau-import'`); n != 3 || count(`SELECT count(*) FROM audit_log`) != audits+3 {
		t.Errorf("%d audit rows for the import", n)
	}

	// The same year again, corrected: replaced with history, a warning per row.
	again := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Indicators, Path: xlsx("corrected.xlsx",
		strings.Replace(good, "120.5", "130", 1)), Year: 2024})
	if !again.OK() || again.Imported != 3 || again.Totals["replaces-existing"] != 3 {
		t.Fatalf("re-import:\n%s", reportText(again))
	}
	if n := count(`SELECT count(*) FROM enterprise_indicators_history WHERE uscc = $1 AND tax_wan = 120.5`, firms[0]); n != 1 {
		t.Errorf("the replaced figures are not in history (%d)", n)
	}

	// Refusals name row and field, and nothing is written.
	first17 := "91330304MA2TXTY00"
	ch, err := codes.USCCCheck(first17)
	if err != nil {
		t.Fatal(err)
	}
	unknown := first17 + string(ch)
	before := count(`SELECT count(*) FROM enterprise_indicators_history`)
	bad := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Indicators, Year: 2024,
		Path: csvFile("bad.csv", firms[0]+",甲,999,,,,,\n"+unknown+",未登记公司,5,,,,,\n"+firms[2]+",丙,abc,,,,,\n"+firms[1]+",乙,1,,,,0,\n")})
	want := map[string]string{"unknown-enterprise": "uscc", "bad-value": "tax_wan"}
	for _, p := range bad.Problems {
		if f, ok := want[p.Code]; ok && p.Field == f {
			delete(want, p.Code)
			if p.Code == "unknown-enterprise" && (p.Index != 1 || p.SourceID != unknown || !strings.Contains(p.Message, "第 3 行")) {
				t.Errorf("unknown enterprise: %+v", p)
			}
		}
	}
	if bad.OK() || len(want) != 0 || bad.Imported != 0 || bad.Totals["bad-value"] != 2 { // abc, and land 0
		t.Errorf("refusals missing %v:\n%s", want, reportText(bad))
	}
	if count(`SELECT count(*) FROM enterprise_indicators_history`) != before || count(`SELECT count(*) FROM enterprise_indicators WHERE tax_wan = 999`) != 0 {
		t.Error("a refused file wrote figures")
	}
	wrong := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Indicators, Year: 2024,
		Path: func() string {
			p := filepath.Join(dir, "year.csv")
			os.WriteFile(p, []byte("信用代码,年度,税收\n"+firms[0]+",2023,5\n"), 0o644)
			return p
		}()})
	if wrong.OK() || wrong.Totals["wrong-year"] != 1 {
		t.Errorf("wrong year:\n%s", reportText(wrong))
	}

	// A CSV saved by Excel on Chinese Windows (GBK) for 2023.
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(header + firms[0] + ",甲公司,77,,,,,\n")
	p := filepath.Join(dir, "gbk.csv")
	os.WriteFile(p, []byte(gbk), 0o644)
	g := mustImport(t, pool, exchange.ImportOptions{Kind: exchange.Indicators, Path: p, Year: 2023})
	if !g.OK() || g.Imported != 1 || g.Encoding == nil || !strings.HasPrefix(g.Encoding.Name, "GB") || g.Encoding.From != "detected" {
		t.Errorf("GBK CSV:\n%s", reportText(g))
	}
	// A table is no source of parcels.
	if _, err := exchange.Import(ctx, pool, exchange.ImportOptions{Kind: exchange.Parcels, Path: p}); err == nil {
		t.Error("parcels imported from a CSV")
	}
}
