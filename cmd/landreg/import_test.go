package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

// TestImportSpreadsheetsCLI: landreg import enterprises|events FILE with a mapping file,
// --dry-run, --update and --json; a refused file exits non-zero with the report and
// writes nothing (issue 13.4, 13.5).
func TestImportSpreadsheetsCLI(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	ctx := context.Background()
	bin := buildBinary(t)
	pool, _ := demodb.Fixtures(t)
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv("DATABASE_URL="+url, "LANDREG_ACTOR=cli:zhang")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	first := "91330302MA0000021"
	c, _ := codes.USCCCheck(first)
	u := first + string(c)
	// A bureau's own headings, mapped by a file.
	csv := filepath.Join(dir, "名录.csv")
	os.WriteFile(csv, []byte("信用码,单位,所属行业\n"+u+",温州华东电器有限公司,3824\n"), 0o644)
	mapping := filepath.Join(dir, "mapping.json")
	os.WriteFile(mapping, []byte(`{"信用码": "uscc", "单位": "name", "所属行业": "industry_code"}`), 0o644)
	out, err := run("import", "enterprises", csv, "--mapping", mapping, "--dry-run")
	if err != nil || !strings.Contains(out, "ready to import: 1 enterprises new") || !strings.Contains(out, "encoding: UTF-8") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if out, err := run("import", "enterprises", csv, "--mapping", mapping, "--reason", "企业名录 2024"); err != nil || !strings.Contains(out, "1 enterprises new") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var name, by string
	pool.QueryRow(ctx, `SELECT e.name, a.actor FROM enterprises e JOIN audit_log a ON a.table_name = 'enterprises' AND a.row_key = e.uscc WHERE e.uscc = $1`, u).Scan(&name, &by)
	if name != "温州华东电器有限公司" || by != "cli:zhang" {
		t.Errorf("stored %q by %q", name, by)
	}
	// Again: a conflict, exit 1, unless --update.
	if out, err := run("import", "enterprises", csv, "--mapping", mapping); err == nil || !strings.Contains(out, "conflict") || !strings.Contains(out, "--update") {
		t.Errorf("conflict: %v\n%s", err, out)
	}
	if out, err := run("import", "enterprises", csv, "--mapping", mapping, "--update", "--json"); err != nil || !strings.Contains(out, `"unchanged": 1`) {
		t.Errorf("--update: %v\n%s", err, out)
	}

	var zddm string
	pool.QueryRow(ctx, `SELECT min(zddm) FROM parcels`).Scan(&zddm)
	ev := filepath.Join(dir, "事件.csv")
	os.WriteFile(ev, []byte(fmt.Sprintf("宗地代码,事件类型,事件日期,已开发面积比例\n%s,建设进度,2024-06-01,1.5\n%s,开工,2099-01-01,\n", zddm, zddm)), 0o644)
	before := 0
	pool.QueryRow(ctx, `SELECT count(*) FROM parcel_events`).Scan(&before)
	out, err = run("import", "events", ev)
	if err == nil || !strings.Contains(out, "payload.developed_land_ratio") || !strings.Contains(out, "event_date") || !strings.Contains(out, "nothing was written") {
		t.Errorf("bad events: %v\n%s", err, out)
	}
	n := 0
	pool.QueryRow(ctx, `SELECT count(*) FROM parcel_events`).Scan(&n)
	if n != before {
		t.Errorf("%d events written by a refused file", n-before)
	}
	os.WriteFile(ev, []byte(fmt.Sprintf("宗地代码,事件类型,事件日期,已开发面积比例\n%s,建设进度,2024-06-01,0.5\n", zddm)), 0o644)
	if out, err := run("import", "events", ev); err != nil || !strings.Contains(out, "imported 1 events") {
		t.Errorf("events: %v\n%s", err, out)
	}
}
