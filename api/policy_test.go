package api_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// Issue 13.3: a district's idle policy in versions by effective date, each with its
// document; the status as of a date is judged by the version in force then.
func TestIdlePolicyVersionsAPI(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	admin := client{t, srv.URL, token(t, pool, "admin-li", landreg.RoleAdmin)}
	planner := client{t, srv.URL, token(t, pool, "planner-zhao", landreg.RolePlanner)}
	count := func(sql string) (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Every parcel's category as of a date, through the idle-land ledger's source: the
	// summary per category of the district.
	summary := func(date string) any {
		t.Helper()
		m := admin.want(200, "", "GET", "/v1/audit/idle?district=330304&date="+date, nil)
		return m["rows"]
	}
	dates := []string{"2023-06-30", "2024-06-30", "2024-12-31", "2025-01-01", "2025-06-30"}
	before := map[string]any{}
	for _, d := range dates {
		before[d] = summary(d)
	}
	const reason = "按温政办〔2025〕12号调整投产宽限期"

	t.Run("defaults without a version", func(t *testing.T) {
		m := admin.want(200, "", "GET", "/v1/districts/330304/idle-policy", nil)
		p := m["policy"].(map[string]any)
		if p["default"] != true || p["production_grace_months"] != 12.0 || len(m["versions"].([]any)) != 0 {
			t.Errorf("policy without versions: %v", m)
		}
		admin.want(404, "not-found", "GET", "/v1/districts/999999/idle-policy", nil)
	})

	t.Run("refused: negative month, no document, planner", func(t *testing.T) {
		versions, audits := count(`SELECT count(*) FROM idle_policy_all`), count(`SELECT count(*) FROM audit_log`)
		p := admin.want(422, "constraint-violation", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"production_grace_months": -1, "doc_no": "温政办〔2025〕12号（示例）", "effective_date": "2025-01-01"})
		if p["field"] != "production_grace_months" {
			t.Errorf("negative month: field %v: %v", p["field"], p)
		}
		admin.want(422, "constraint-violation", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"unused_share": 1.5, "doc_no": "x", "effective_date": "2025-01-01"})
		admin.want(422, "constraint-violation", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"low_eff_tax_per_mu_wan": 0, "doc_no": "x", "effective_date": "2025-01-01"})
		admin.want(422, "constraint-violation", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"production_grace_months": 6, "effective_date": "2025-01-01"})
		admin.want(422, "constraint-violation", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"production_grace_months": 6, "doc_no": "x"})
		admin.want(400, "invalid-parameter", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"grace": 6, "doc_no": "x", "effective_date": "2025-01-01"})
		planner.want(403, "forbidden", "PUT", "/v1/districts/330304/idle-policy",
			map[string]any{"production_grace_months": 6, "doc_no": "x", "effective_date": "2025-01-01"})
		if v, a := count(`SELECT count(*) FROM idle_policy_all`), count(`SELECT count(*) FROM audit_log`); v != versions || a != audits {
			t.Errorf("refused writes left %d→%d versions, %d→%d audit rows", versions, v, audits, a)
		}
	})

	t.Run("a threshold change on a date changes statuses after it and none before", func(t *testing.T) {
		m := admin.want(200, "", "PUT", "/v1/districts/330304/idle-policy", map[string]any{
			"production_grace_months": 1, "completion_grace_months": 0, "stopped_months": 1,
			"doc_no": "温政办〔2025〕12号（示例）", "effective_date": "2025-01-01", "reason": reason})
		p := m["policy"].(map[string]any)
		if p["production_grace_months"] != 1.0 || p["stopped_months"] != 1.0 || p["rampup_years"] != 3.0 ||
			p["valid_from"] != "2025-01-01" || p["default"] != false || p["reason"] != reason {
			t.Errorf("written version: %v", p)
		}
		for _, d := range dates {
			got := summary(d)
			if d < "2025-01-01" && !reflect.DeepEqual(got, before[d]) {
				t.Errorf("as of %s (before the version): summary changed\nbefore %v\nafter  %v", d, before[d], got)
			}
			if d == "2025-06-30" && reflect.DeepEqual(got, before[d]) {
				t.Errorf("as of %s (after the version): summary unchanged: %v", d, got)
			}
		}
		old := admin.want(200, "", "GET", "/v1/districts/330304/idle-policy?date=2024-12-31", nil)["policy"].(map[string]any)
		if old["default"] != true || old["production_grace_months"] != 12.0 || old["valid_to"] != "2025-01-01" {
			t.Errorf("in force on 2024-12-31: %v", old)
		}
	})

	t.Run("a partial version merges onto the one in force; history shows both", func(t *testing.T) {
		m := admin.want(200, "", "PUT", "/v1/districts/330304/idle-policy", map[string]any{
			"stopped_months": 9, "doc_no": "温政办〔2025〕30号（示例）", "effective_date": "2025-03-01"})
		p := m["policy"].(map[string]any)
		if p["stopped_months"] != 9.0 || p["production_grace_months"] != 1.0 || p["version"] != 2.0 {
			t.Errorf("merged version: %v", p)
		}
		vs := m["versions"].([]any)
		if len(vs) != 2 || vs[0].(map[string]any)["valid_to"] != "2025-03-01" || vs[1].(map[string]any)["valid_to"] != nil {
			t.Errorf("versions: %v", vs)
		}
		// A correction of the first version (same date) replaces it; the old one stays in history.
		admin.want(200, "", "PUT", "/v1/districts/330304/idle-policy", map[string]any{
			"production_grace_months": 2, "doc_no": "温政办〔2025〕12号（示例，更正）", "effective_date": "2025-01-01"})
		h := admin.want(200, "", "GET", "/v1/districts/330304/idle-policy/history", nil)
		hv := h["versions"].([]any)
		if len(hv) != 3 {
			t.Fatalf("history: %d versions: %v", len(hv), hv)
		}
		first := hv[0].(map[string]any)
		if first["sys_to"] == nil || first["production_grace_months"] != 1.0 || first["reason"] != reason {
			t.Errorf("replaced version in history: %v", first)
		}
		audit := h["audit"].([]any)
		if len(audit) != 3 {
			t.Errorf("%d audit rows: %v", len(audit), audit)
		} else if a := audit[0].(map[string]any); a["reason"] != reason || a["actor"] != "admin-li" {
			t.Errorf("first audit row: %v", a)
		}
		in := admin.want(200, "", "GET", "/v1/districts/330304/idle-policy?date=2025-02-01", nil)["policy"].(map[string]any)
		if in["production_grace_months"] != 2.0 || in["version"] != 3.0 {
			t.Errorf("in force on 2025-02-01 after the correction: %v", in)
		}
	})

	t.Run("database logins", func(t *testing.T) {
		for _, role := range []string{"landreg_planner", "landreg_reader"} {
			conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, role))
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM idle_policy_all WHERE xzqdm = '330304'`).Scan(&n); err != nil || n != 3 {
				t.Errorf("%s reads %d versions: %v", role, n, err)
			}
			for _, sql := range []string{
				`INSERT INTO idle_policy (xzqdm, valid_from, production_grace_months) VALUES ('330304', '2026-01-01', 0)`,
				`UPDATE idle_policy SET production_grace_months = 0 WHERE xzqdm = '330304'`,
				`DELETE FROM idle_policy WHERE xzqdm = '330304'`,
				`INSERT INTO idle_policy_history SELECT now(), 'x', NULL, false, p.* FROM idle_policy p`,
			} {
				if _, err := conn.Exec(ctx, sql); err == nil {
					t.Errorf("%s: %s accepted", role, sql)
				}
			}
			conn.Close(ctx)
		}
		if n := count(`SELECT count(*) FROM idle_policy WHERE xzqdm = '330304' AND production_grace_months = 0`); n != 0 {
			t.Errorf("a login changed the policy")
		}
	})

	t.Run("check in the database for every writer", func(t *testing.T) {
		_, err := pool.Exec(ctx, `UPDATE idle_policy SET stopped_months = -3 WHERE xzqdm = '330304'`)
		if err == nil {
			t.Fatal("negative month accepted by the database")
		}
		if e := store.Translate(err); e == nil || e.Field != "stopped_months" || e.Zh == "" {
			t.Errorf("a negative month from SQL is told as %+v", e)
		}
	})
}
