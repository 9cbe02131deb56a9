package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/report"
)

// TestAuditCLI runs the example: landreg audit idle --date 2025-12-31
// --district 330304 --format xlsx -o idle.xlsx, against a database with the demo data.
func TestAuditCLI(t *testing.T) {
	bin := buildBinary(t)
	pool, _ := demodb.Fixtures(t)
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	out := filepath.Join(t.TempDir(), "idle.xlsx")
	cmd := exec.Command(bin, "audit", "idle", "--date", "2025-12-31", "--district", "330304", "--format", "xlsx", "-o", out)
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("audit idle: %v\n%s", err, b)
	}
	xf, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	sheet, err := report.ReadXLSX(xf)
	if err != nil {
		t.Fatalf("idle.xlsx does not open: %v", err)
	}
	if len(sheet.Rows) < 2 || !strings.HasPrefix(sheet.Header[0], "行政区划代码") || sheet.Rows[0][0] != "330304" ||
		!strings.HasPrefix(sheet.Title, "闲置低效用地汇总") {
		t.Errorf("idle.xlsx: %+v", sheet)
	}
	// The other reports from the command line, and clear errors.
	for _, args := range [][]string{
		{"audit", "idle-parcels", "--date", "2025-12-31", "--years", "1", "--format", "csv"},
		{"audit", "quality", "--district", "330381", "--format", "geojson"},
		{"audit", "mujun", "--year", "2024"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv("DATABASE_URL=" + url)
		if b, err := cmd.CombinedOutput(); err != nil || len(b) < 100 {
			t.Errorf("%v: %v\n%s", args, err, b)
		}
	}
	// Issue 15.6: the disposal ledger, overdue only: every row overdue, the same as the API's.
	{
		cmd := exec.Command(bin, "audit", "disposals", "--date", "2025-12-31", "--district", "330304", "--overdue", "--format", "csv")
		cmd.Env = cleanEnv("DATABASE_URL=" + url)
		b, err := cmd.CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if err != nil || len(lines) < 2 || !strings.Contains(lines[0], "逾期天数 Days overdue") {
			t.Fatalf("audit disposals --overdue: %v\n%s", err, b)
		}
		for _, l := range lines[1:] {
			cells := strings.Split(l, ",")
			if last := cells[len(cells)-1]; last == "0" || last == "" {
				t.Errorf("audit disposals --overdue lists a row not overdue: %s", l)
			}
		}
		cmd = exec.Command(bin, "audit", "disposals", "--date", "2025-12-31", "--district", "330304", "--format", "csv")
		cmd.Env = cleanEnv("DATABASE_URL=" + url)
		if all, err := cmd.CombinedOutput(); err != nil || strings.Count(string(all), "\n") <= len(lines) {
			t.Errorf("audit disposals (all): %v, %d lines against %d overdue", err, strings.Count(string(all), "\n"), len(lines))
		}
	}
	// Issue 14.15: an unknown district is refused; mujun is for the latest year on file.
	cmd = exec.Command(bin, "audit", "idle", "--district", "330399")
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "unknown district") {
		t.Errorf("unknown district: %v %s", err, b)
	}
	var latest int
	pool.QueryRow(context.Background(), `SELECT max((payload->>'year')::int) FROM parcel_events WHERE type = 'ANNUAL_INDICATORS'`).Scan(&latest)
	cmd = exec.Command(bin, "audit", "mujun", "--format", "geojson")
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), fmt.Sprintf(`"name":"%d 年`, latest)) || !strings.Contains(string(b), "MultiPolygon") {
		t.Errorf("mujun without --year (latest %d): %v %.300s", latest, err, b)
	}
	// Issue 16: the ranking on the command line, and the ledger for every district as
	// a workbook of a summary and one sheet per district.
	cmd = exec.Command(bin, "audit", "mujun", "--year", "2024", "--order", "tax_per_mu_desc", "--limit", "3", "--format", "csv")
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err != nil || strings.Count(string(b), "\n") != 4 || !strings.Contains(string(b), "亩均税收排名") {
		t.Errorf("mujun ranking: %v\n%s", err, b)
	}
	cmd = exec.Command(bin, "audit", "idle", "--order", "tax_per_mu_desc")
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "mujun report only") {
		t.Errorf("--order on the idle report: %v %s", err, b)
	}
	ledger := filepath.Join(t.TempDir(), "ledger.xlsx")
	cmd = exec.Command(bin, "audit", "idle-parcels", "--date", "2025-06-30", "--format", "xlsx", "-o", ledger)
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("audit idle-parcels: %v\n%s", err, b)
	}
	lf, err := os.Open(ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if sheets, err := report.ReadXLSXSheets(lf); err != nil || len(sheets) != 4 || sheets[0].Name != "汇总" || sheets[2].Name != "瓯海区 330304" {
		t.Errorf("ledger.xlsx: %v, %d sheets", err, len(sheets))
	}
	cmd = exec.Command(bin, "audit", "idle", "--date", "31/12/2025")
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "YYYY-MM-DD") {
		t.Errorf("bad date accepted: %s", b)
	}
}
