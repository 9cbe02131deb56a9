package api_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
)

// TestQGISClient reads every collection with QGIS's own OAPIF provider (Debian
// python3-qgis). QGIS is a large install, so CI does not carry it: the test runs where it
// is installed (apt-get install python3-qgis qgis-providers) and says so when it is not.
func TestQGISClient(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import qgis.core").Run(); err != nil {
		t.Skip("python3-qgis not installed (apt-get install python3-qgis qgis-providers): QGIS client test not run")
	}
	_, srv, counts := demoServer(t, fixtures.Load)
	cmd := exec.Command("/usr/bin/python3", "testdata/qgis_read.py", srv.URL, "districts", "block_lines", "parcels", "parcel_status")
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("QGIS: %v\n%s", err, out)
	}
	want := map[string]int{"districts": counts.Districts, "block_lines": counts.BlockLines, "parcels": counts.Parcels, "parcel_status": counts.Parcels}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			continue
		}
		seen++
		n, _ := strconv.Atoi(f[2])
		it, _ := strconv.Atoi(f[3])
		if f[1] != "valid" || n != want[f[0]] || it != want[f[0]] {
			t.Errorf("QGIS %s: %s", f[0], line)
		}
	}
	if seen != 4 {
		t.Errorf("QGIS output:\n%s", out)
	}
}

// TestQGISDirectEditObeysTheRule edits block_lines with QGIS's PostgreSQL provider as a
// login in the landreg_planner group: cutting a strip off a line without an adjustment
// must fail to commit, with landreg's bilingual message in QGIS's commit errors.
func TestQGISDirectEditObeysTheRule(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import qgis.core").Run(); err != nil {
		t.Skip("python3-qgis not installed (apt-get install python3-qgis qgis-providers): QGIS editing test not run")
	}
	ctx := context.Background()
	pool, _, _ := demoServer(t, fixtures.Load)
	login := dbtest.NewLogin(t, pool, "landreg_planner")
	var id int64
	pool.QueryRow(ctx, `SELECT id FROM block_lines WHERE level = 1 ORDER BY id LIMIT 1`).Scan(&id)
	var before int
	pool.QueryRow(ctx, `SELECT version FROM block_lines WHERE id = $1`, id).Scan(&before)
	conn := fmt.Sprintf("dbname='%s' host=%s port=%d user='%s' password='%s' sslmode=disable", login.Database, login.Host, login.Port, login.User, login.Password)
	cmd := exec.Command("/usr/bin/python3", "testdata/qgis_edit.py", conn, strconv.FormatInt(id, 10))
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("QGIS: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "cut-strip False") || !strings.Contains(text, "needs an approved adjustment") || !strings.Contains(text, "需经批准的调整方案") {
		t.Errorf("QGIS commit of a removal should fail with landreg's message:\n%s", text)
	}
	var after int
	pool.QueryRow(ctx, `SELECT version FROM block_lines WHERE id = $1`, id).Scan(&after)
	if after != before {
		t.Errorf("the refused edit changed the line: version %d → %d", before, after)
	}
}
