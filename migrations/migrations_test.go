package migrations_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/migrations"
)

func TestUpOnEmptyDatabaseThenNoop(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := "landreg_t_empty_migrate"
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	// Empty as the private cluster's set-up leaves it: owned by the owner role, with
	// PostGIS; the migrations then run as that role, which is no superuser.
	if err := dbtest.Prepare(ctx, admin, name, dbtest.Owner(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	pool := dbtest.Connect(t, name)

	applied, err := migrations.Up(ctx, pool)
	if err != nil {
		t.Fatalf("first Up: %v", err)
	}
	if len(applied) == 0 {
		t.Fatal("first Up applied nothing on an empty database")
	}
	cur, latest, err := migrations.Status(ctx, pool)
	if err != nil || cur != latest || cur == 0 {
		t.Fatalf("status after Up: cur=%d latest=%d err=%v", cur, latest, err)
	}
	again, err := migrations.Up(ctx, pool)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Up should be a no-op, applied %v, err %v", again, err)
	}
	for _, table := range []string{"districts", "block_lines", "block_lines_history", "parcels", "parcels_history", "parcel_events", "audit_log", "enterprises"} {
		var typ string
		err := pool.QueryRow(ctx, `SELECT coalesce((SELECT type || ',' || srid FROM geometry_columns WHERE f_table_name = $1), 'none')`, table).Scan(&typ)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if strings.HasPrefix(table, "districts") || strings.HasPrefix(table, "block_lines") || strings.HasPrefix(table, "parcels") {
			if typ != "MULTIPOLYGON,4490" {
				t.Errorf("%s geometry column is %s, want MULTIPOLYGON,4490", table, typ)
			}
		}
	}
}

// TestConcurrentUpTakeTurns starts two migrators on one empty database at once, as two
// servers starting together would: both succeed and each migration is applied once
// (goose's session lock holds the second back while the first applies).
func TestConcurrentUpTakeTurns(t *testing.T) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := "landreg_t_concurrent_migrate"
	admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	if err := dbtest.Prepare(ctx, admin, name, dbtest.Owner(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	pools := []*pgxpool.Pool{dbtest.Connect(t, name), dbtest.Connect(t, name)}

	type result struct {
		applied []string
		err     error
	}
	results := make(chan result, len(pools))
	for _, pool := range pools {
		go func() {
			applied, err := migrations.Up(ctx, pool)
			results <- result{applied, err}
		}()
	}
	seen := map[string]int{}
	for range pools {
		r := <-results
		if r.err != nil {
			t.Errorf("Up: %v", r.err)
		}
		for _, a := range r.applied {
			seen[a]++
		}
	}
	for a, n := range seen {
		if n != 1 {
			t.Errorf("%s applied %d times", a, n)
		}
	}
	cur, latest, err := migrations.Status(ctx, pools[0])
	if err != nil || cur != latest || cur == 0 {
		t.Fatalf("status after both: cur=%d latest=%d err=%v", cur, latest, err)
	}
}

const (
	district  = `INSERT INTO districts (xzqdm, name, geom) VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)))`
	lineA     = `INSERT INTO block_lines (code, name, xzqdm, level, geom, valid_from) VALUES ('330304-GYQK-01', '一级区块1', '330304', 1, ST_Multi(ST_MakeEnvelope(120.62, 27.93, 120.63, 27.94, 4490)), '2020-12-31') RETURNING id`
	actorTxSQ = `SELECT landreg_sys.begin_change($1, $2, nullif($3, '')::date)`
)

// inTx runs fn in a transaction carrying actor, reason and effective date, as the API does.
func inTx(t *testing.T, pool *pgxpool.Pool, actor, reason, eff string, fn func(pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, actorTxSQ, actor, reason, eff); err != nil {
			return err
		}
		return fn(tx)
	})
}

func TestHistoryAndAudit(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	if _, err := pool.Exec(ctx, district); err != nil {
		t.Fatal(err)
	}
	var id int64
	err := inTx(t, pool, "alice", "划定", "2020-12-31", func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, lineA).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	// An update by bob effective 2023-06-30 closes version 1 at that date.
	err = inTx(t, pool, "bob", "道路调整", "2023-06-30", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE block_lines SET geom = ST_Multi(ST_MakeEnvelope(120.62, 27.93, 120.635, 27.94, 4490)) WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var version int
	var validFrom, createdBy string
	if err := pool.QueryRow(ctx, `SELECT version, valid_from::text, created_by FROM block_lines WHERE id = $1`, id).Scan(&version, &validFrom, &createdBy); err != nil {
		t.Fatal(err)
	}
	if version != 2 || validFrom != "2023-06-30" || createdBy != "bob" {
		t.Errorf("current version = %d from %s by %s; want 2 from 2023-06-30 by bob", version, validFrom, createdBy)
	}
	var hv int
	var hFrom, hTo, closedBy string
	var retired bool
	if err := pool.QueryRow(ctx, `SELECT version, valid_from::text, valid_to::text, closed_by, retired FROM block_lines_history WHERE id = $1`, id).Scan(&hv, &hFrom, &hTo, &closedBy, &retired); err != nil {
		t.Fatal(err)
	}
	if hv != 1 || hFrom != "2020-12-31" || hTo != "2023-06-30" || closedBy != "bob" || retired {
		t.Errorf("history row = v%d %s..%s closed by %s retired=%v", hv, hFrom, hTo, closedBy, retired)
	}

	// A no-op update writes neither a version nor an audit row.
	var auditBefore int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&auditBefore)
	if _, err := pool.Exec(ctx, `UPDATE block_lines SET name = name WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	var auditAfter int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&auditAfter)
	if auditAfter != auditBefore {
		t.Errorf("no-op update wrote %d audit rows", auditAfter-auditBefore)
	}

	// Delete retires: the row leaves the current table and stays in history.
	err = inTx(t, pool, "carol", "撤销", "2024-01-01", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM block_lines WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines WHERE id = $1`, id).Scan(&n)
	if n != 0 {
		t.Error("deleted line still current")
	}
	var lastTo string
	if err := pool.QueryRow(ctx, `SELECT valid_to::text, closed_by FROM block_lines_history WHERE id = $1 AND retired`, id).Scan(&lastTo, &closedBy); err != nil {
		t.Fatalf("retired version missing from history: %v", err)
	}
	if lastTo != "2024-01-01" || closedBy != "carol" {
		t.Errorf("retired version ends %s by %s", lastTo, closedBy)
	}
	// As of 2022 the line existed with its first geometry.
	var asOf int
	pool.QueryRow(ctx, `SELECT version FROM block_lines_all WHERE id = $1 AND valid_from <= '2022-01-01' AND (valid_to IS NULL OR valid_to > '2022-01-01')`, id).Scan(&asOf)
	if asOf != 1 {
		t.Errorf("as of 2022-01-01: version %d, want 1", asOf)
	}

	// The audit log has who, why, old and new rows for every step.
	rows, err := pool.Query(ctx, `SELECT op, actor, coalesce(reason, ''), old_row IS NOT NULL, new_row IS NOT NULL FROM audit_log WHERE table_name = 'block_lines' AND row_key = $1 ORDER BY id`, strconv.FormatInt(id, 10))
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		Op, Actor, Reason string
		HasOld, HasNew    bool
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[rec])
	if err != nil {
		t.Fatal(err)
	}
	want := []rec{{"INSERT", "alice", "划定", false, true}, {"UPDATE", "bob", "道路调整", true, true}, {"DELETE", "carol", "撤销", true, false}}
	if len(got) != len(want) {
		t.Fatalf("audit rows %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("audit row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A direct database edit without landreg.actor is attributed to the login role.
	if _, err := pool.Exec(ctx, `UPDATE districts SET name = '瓯海区（改）'`); err != nil {
		t.Fatal(err)
	}
	var actor string
	pool.QueryRow(ctx, `SELECT actor FROM audit_log WHERE table_name = 'districts' AND op = 'UPDATE'`).Scan(&actor)
	if !strings.HasPrefix(actor, "db:") {
		t.Errorf("direct edit actor = %q, want db:<role>", actor)
	}
	// Every audited table has a row key, enterprises (keyed by uscc) too, and an update
	// that changes the key itself is recorded with its old and new rows.
	if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2H3J8X5N', '测试企业')`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE enterprises SET name = '测试企业（更名）'`); err != nil {
		t.Fatal(err)
	}
	var key, oldName, newName string
	err = pool.QueryRow(ctx, `SELECT row_key, old_row->>'name', new_row->>'name' FROM audit_log
WHERE table_name = 'enterprises' AND op = 'UPDATE'`).Scan(&key, &oldName, &newName)
	if err != nil || key != "91330304MA2H3J8X5N" || oldName != "测试企业" || newName != "测试企业（更名）" {
		t.Errorf("enterprise update audit: key %q, %q → %q (%v)", key, oldName, newName, err)
	}
	// The audit copy of a geometry is the stored one (15 significant digits, as the cast).
	var same bool
	err = pool.QueryRow(ctx, `SELECT (SELECT old_row->'geom' FROM audit_log WHERE table_name = 'block_lines' AND op = 'DELETE')
  = (SELECT to_jsonb(geom) FROM block_lines_history WHERE id = $1 AND retired)`, id).Scan(&same)
	if err != nil || !same {
		t.Errorf("audit geometry differs from the stored one (%v)", err)
	}
	// The audit log itself cannot be rewritten.
	if _, err := pool.Exec(ctx, `DELETE FROM audit_log`); err == nil {
		t.Error("audit_log accepted a DELETE")
	}
}

func TestGeometryRulesRejectWithReason(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	if _, err := pool.Exec(ctx, district); err != nil {
		t.Fatal(err)
	}
	// A direct session (no change context): the lines take effect today.
	if _, err := pool.Exec(ctx, strings.Replace(lineA, ", '2020-12-31')", ", landreg_sys.today())", 1)); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ($1, 'x', '330304', 1, ST_Multi(ST_GeomFromText($2, 4490)))`
	cases := []struct {
		name, wkt, code, msg string
	}{
		{"bow-tie", "POLYGON((120.60 27.90, 120.61 27.91, 120.61 27.90, 120.60 27.91, 120.60 27.90))", "LRG01", "Self-intersection"},
		{"swapped axes", "POLYGON((27.90 120.60, 27.91 120.60, 27.91 120.61, 27.90 120.61, 27.90 120.60))", "LRG03", "swapped"},
		{"projected metres", "POLYGON((568000 3098000, 568100 3098000, 568100 3098100, 568000 3098000))", "LRG03", "outside China"},
		{"overlap", "POLYGON((120.625 27.935, 120.64 27.935, 120.64 27.945, 120.625 27.945, 120.625 27.935))", "LRB01", "overlaps"},
		{"empty", "POLYGON EMPTY", "LRG02", "empty"},
	}
	for i, c := range cases {
		_, err := pool.Exec(ctx, insert, "X-"+string(rune('a'+i)), c.wkt)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) {
			t.Errorf("%s: accepted (err %v)", c.name, err)
			continue
		}
		if pg.Code != c.code || !strings.Contains(pg.Message, c.msg) {
			t.Errorf("%s: got %s %q, want %s containing %q", c.name, pg.Code, pg.Message, c.code, c.msg)
		}
	}
	// Touching lines (shared edge, no shared interior) are fine.
	if _, err := pool.Exec(ctx, insert, "touch", "POLYGON((120.63 27.93, 120.64 27.93, 120.64 27.94, 120.63 27.94, 120.63 27.93))"); err != nil {
		t.Errorf("touching line rejected: %v", err)
	}
	// Nothing half-written: only the two accepted lines exist.
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines`).Scan(&n)
	if n != 2 {
		t.Errorf("%d block lines, want 2", n)
	}
}

// TestRegistryTablesAudited: every table of the registry has its three audit triggers,
// except those derived from audited ones (history, reserve bookkeeping) and the audit
// log itself; a new table must join schema/triggers/audit.sql or this list.
func TestRegistryTablesAudited(t *testing.T) {
	pool := dbtest.New(t)
	rows, err := pool.Query(context.Background(), `
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  AND (SELECT count(*) FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname LIKE '%\_audit\_%'
       AND g.tgfoid = 'landreg_sys.audit'::regproc) <> 3
ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	derived := []string{"audit_log", "block_lines_history", "compensation_reserve", "compensation_use", "districts_history",
		"enterprise_indicators_history", "goose_db_version", "idle_policy_history", "mujun_results_history", "parcels_history",
		"remediation_projects_history", "targets_history", "transfers_history"}
	if strings.Join(missing, ",") != strings.Join(derived, ",") {
		t.Errorf("tables without the three audit triggers: %v, want only the derived %v", missing, derived)
	}
}
