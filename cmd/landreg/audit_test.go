package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/report"
)

// TestAuditCLI runs the example: landreg audit idle --date 2025-12-31
// --district 330304 --format xlsx -o idle.xlsx, against a database with the demo data.
func TestAuditCLI(t *testing.T) {
	bin := buildBinary(t)
	pool := dbtest.New(t)
	if _, err := fixtures.Load(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
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
	cmd = exec.Command(bin, "audit", "idle", "--date", "31/12/2025")
	cmd.Env = cleanEnv("DATABASE_URL=" + url)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "YYYY-MM-DD") {
		t.Errorf("bad date accepted: %s", b)
	}
}
