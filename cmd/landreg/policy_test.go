package main

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/landreg/landreg/dbtest"
)

// TestDistrictPolicyCLI: landreg district policy shows the defaults, writes versions by
// effective date with their documents (merged onto the version in force), refuses a
// negative month with nothing written, and shows the history.
func TestDistrictPolicyCLI(t *testing.T) {
	bin := buildBinary(t)
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom) VALUES ('330327', '苍南县', ST_Multi(ST_MakeEnvelope(120.30, 27.30, 120.60, 27.55, 4490)))`); err != nil {
		t.Fatal(err)
	}
	url := dbtest.URL(t, pool.Config().ConnConfig.Database)
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"district", "policy", "330327"}, args...)...)
		cmd.Env = cleanEnv("DATABASE_URL="+url, "LANDREG_ACTOR=cli:zhang")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	versions := func() (n int) {
		pool.QueryRow(ctx, `SELECT count(*) FROM idle_policy_all`).Scan(&n)
		return n
	}
	if out, err := run(); err != nil || !strings.Contains(out, "默认值 defaults") || !has(out, `production_grace_months\s+12\n`) {
		t.Fatalf("show defaults: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--set", "stopped_months=-1", "--doc-no", "x", "--effective-date", "2025-01-01"}, "stopped_months"},
		{[]string{"--set", "unused_share=2", "--doc-no", "x", "--effective-date", "2025-01-01"}, "unused_share"},
		{[]string{"--set", "grace=2", "--doc-no", "x", "--effective-date", "2025-01-01"}, "field one of"},
		{[]string{"--set", "stopped_months=3", "--effective-date", "2025-01-01"}, "--doc-no"},
		{[]string{"--set", "stopped_months=3", "--doc-no", "x"}, "--effective-date"},
		{[]string{"--set", "far_floor=", "--doc-no", "x", "--effective-date", "2025-01-01"}, "far_floor_from"},
	} {
		if out, err := run(c.args...); err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%v: %v\n%s", c.args, err, out)
		}
	}
	if n := versions(); n != 0 {
		t.Fatalf("refused changes wrote %d versions", n)
	}
	out, err := run("--set", "production_grace_months=6", "--set", "stopped_months=3", "--doc-no", "苍政办〔2025〕7号（示例）",
		"--effective-date", "2025-01-01", "--reason", "县政府调整闲置认定参数")
	if err != nil || !strings.Contains(out, "version 1, 2025-01-01") || !has(out, `production_grace_months\s+6\n`) {
		t.Fatalf("set: %v\n%s", err, out)
	}
	out, err = run("--set", "stopped_months=9", "--doc-no", "苍政办〔2025〕9号（示例）", "--effective-date", "2025-07-01")
	if err != nil || !has(out, `production_grace_months\s+6\n`) || !has(out, `stopped_months\s+9\n`) {
		t.Fatalf("second version (merged): %v\n%s", err, out)
	}
	if out, err := run("--date", "2024-12-31"); err != nil || !strings.Contains(out, "默认值 defaults") || !strings.Contains(out, "until 2025-01-01") {
		t.Errorf("in force before the first version: %v\n%s", err, out)
	}
	out, err = run("--history")
	if err != nil || !strings.Contains(out, "苍政办〔2025〕7号（示例）") || !strings.Contains(out, "苍政办〔2025〕9号（示例）") || !has(out, `audit rows\s+2\n`) {
		t.Errorf("history: %v\n%s", err, out)
	}
	var reason string
	pool.QueryRow(ctx, `SELECT reason FROM audit_log WHERE table_name = 'idle_policy' ORDER BY id LIMIT 1`).Scan(&reason)
	if reason != "县政府调整闲置认定参数" {
		t.Errorf("audit reason %q", reason)
	}
}

func has(out, pattern string) bool { return regexp.MustCompile(pattern).MatchString(out) }
