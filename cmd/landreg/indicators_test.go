package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// TestImportIndicatorsCLI: landreg import indicators FILE --year Y, dry run then load,
// and a file naming an unknown USCC refused with its row (exit status 1, nothing
// written).
func TestImportIndicatorsCLI(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	bin := buildBinary(t)
	pool, _ := demodb.Fixtures(t)
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv("DATABASE_URL="+url, "LANDREG_ACTOR=cli:tax")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	var firm string
	pool.QueryRow(ctx, `SELECT holder_uscc FROM parcels WHERE holder_uscc IS NOT NULL ORDER BY 1 LIMIT 1`).Scan(&firm)
	dir := t.TempDir()
	csv := filepath.Join(dir, "亩均.csv")
	os.WriteFile(csv, []byte("统一社会信用代码,税收（万元）,用地面积（亩）\n"+firm+",40,12\n91330304MA2NEWK008,5,3\n"), 0o644)
	out, err := run("import", "indicators", csv, "--year", "2024")
	if err == nil || !strings.Contains(out, "unknown-enterprise") || !strings.Contains(out, "row 3") || !strings.Contains(out, "nothing was written") {
		t.Fatalf("unknown USCC: %v\n%s", err, out)
	}
	if out, err := run("import", "indicators", csv); err == nil || !strings.Contains(out, "--year") {
		t.Errorf("without --year: %v\n%s", err, out)
	}
	os.WriteFile(csv, []byte("统一社会信用代码,税收（万元）,用地面积（亩）\n"+firm+",40,12\n"), 0o644)
	if out, err := run("import", "indicators", csv, "--year", "2024", "--dry-run"); err != nil || !strings.Contains(out, "ready to import") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if out, err := run("import", "indicators", csv, "--year", "2024"); err != nil || !strings.Contains(out, "imported the 2024 indicators of 1") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var by string
	pool.QueryRow(ctx, `SELECT created_by FROM enterprise_indicators WHERE uscc = $1 AND year = 2024`, firm).Scan(&by)
	if by != "cli:tax" {
		t.Errorf("written by %q", by)
	}
}
