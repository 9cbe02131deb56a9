package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/testenv"
)

func validUSCC(t *testing.T, first17 string) string {
	c, err := codes.USCCCheck(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// TestTargetsCLI: landreg target, transfer, remediation and mujun-classes as a bureau
// uses them: a target and the year's transfers, a project through its chain (a skipped
// step refused in both languages), the progress and the targets sheet as known on a day,
// and the published classes imported from a table (a bad row refuses the file).
func TestTargetsCLI(t *testing.T) {
	if !exchange.HaveGDAL() {
		testenv.MissingClient(t, "GDAL tools not installed (apt-get install gdal-bin)")
	}
	bin := buildBinary(t)
	pool := dbtest.New(t)
	ctx := context.Background()
	firm := validUSCC(t, "91330304MA2AAAAF0")
	if _, err := pool.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom)
VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)));
INSERT INTO enterprises (uscc, name) VALUES ('`+firm+`', '甲厂')`); err != nil {
		t.Fatal(err)
	}
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv("DATABASE_URL="+url, "LANDREG_ACTOR=cli:zhang")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(want string, args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("landreg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must(`"unit": "亩"`, "target", "add", "--district", "330304", "--kind", "freed_mu", "--value", "100", "--from", "2024-01-01",
		"--to", "2026-12-31", "--doc-no", "瓯政办〔2024〕9号", "--effective-date", "2024-01-01")
	must(`"transferred_mu": 800`, "transfer", "set", "330304", "2024", "800", "--doc-no", "统计〔2025〕2号")
	var known time.Time
	if err := pool.QueryRow(ctx, `SELECT now()`).Scan(&known); err != nil {
		t.Fatal(err)
	}
	out := must(`"status": "列入清单"`, "remediation", "add", "--district", "330304", "--town", "娄桥街道", "--name", "甲厂腾退",
		"--method", "整体腾退", "--planned-mu", "40", "--from", "2024-01-01", "--to", "2025-12-31", "--enterprise", firm,
		"--doc", "娄桥〔2024〕3号", "--date", "2024-02-01")
	var p struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	id := strconv.FormatInt(p.ID, 10)
	out, err := run("remediation", "status", id, "达标销号", "--date", "2024-03-01", "--freed-mu", "10")
	if err == nil || !strings.Contains(out, "跳至") || !strings.Contains(out, "skipped step") {
		t.Errorf("skipped step: %v\n%s", err, out)
	}
	must(`"status": "制定方案"`, "remediation", "status", id, "制定方案", "--date", "2024-03-01")
	must(`"status": "整治中"`, "remediation", "status", id, "整治中", "--date", "2024-05-01")
	must(`"progress"`, "remediation", "event", id, "--date", "2024-06-01", "--note", "厂房腾空")
	must(`"status": "达标销号"`, "remediation", "status", id, "达标销号", "--date", "2024-09-30", "--freed-mu", "38.5")
	out = must(`"actual": 38.5`, "target", "progress", "--date", "2024-12-31")
	if !strings.Contains(out, `"status": "on_track"`) { // 38.5 ≥ 100 × 366/1096
		t.Errorf("progress: %s", out)
	}
	must(`"actual": 0`, "target", "progress", "--date", "2024-12-31", "--known-at", known.Format(time.RFC3339Nano), "--district", "330304")
	must("38.5,0.385", "audit", "targets", "--date", "2024-12-31", "--format", "csv")
	must("达标销号", "audit", "remediation", "--date", "2024-12-31", "--format", "csv")

	dir := t.TempDir()
	// The published evaluation as the bureau sends it: a CSV with Chinese headings.
	table := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := table("坏.csv", "统一社会信用代码,评价类别,得分\n"+firm+",E类,10\n")
	out, err = run("mujun-classes", "import", bad, "--year", "2024", "--published-on", "2025-06-30")
	if err == nil || !strings.Contains(out, "class") || !strings.Contains(out, "A、B、C 或 D") {
		t.Errorf("bad class: %v\n%s", err, out)
	}
	good := table("评价结果.csv", "统一社会信用代码,评价类别,得分,公布日期\n"+firm+",D类,12.5,2025-06-30\n")
	must(`"written": 1`, "mujun-classes", "import", good, "--year", "2024", "--doc-no", "瓯海亩均〔2025〕1号")
	must(`"class": "D"`, "mujun-classes", "list", "--year", "2024")
	out = must(`"year": 2024`, "remediation", "candidates")
	if !strings.Contains(out, `"official_class": "D"`) || !strings.Contains(out, `"project_status": "达标销号"`) {
		t.Errorf("candidates: %s", out)
	}
}
