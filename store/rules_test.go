package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/store"
)

// A small synthetic district: two level-1 lines and one level-2 line drawn on
// 2020-12-31, rule window 2021-01-01 … 2030-12-31, baseline = their total.
const setupSQL = `
INSERT INTO districts (xzqdm, name, geom, rule_start, rule_end, baseline_doc, baseline_date)
VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)), '2021-01-01', '2030-12-31', '测试划定', '2020-12-31');
SELECT landreg_sys.begin_change('test', '划定', '2020-12-31');
INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES
 ('330304-GYQK-01', '一级A', '330304', 1, ST_Multi(ST_MakeEnvelope(120.620, 27.930, 120.630, 27.940, 4490))),
 ('330304-GYQK-02', '一级B', '330304', 1, ST_Multi(ST_MakeEnvelope(120.640, 27.930, 120.650, 27.940, 4490))),
 ('330304-GYQK-03', '二级A', '330304', 2, ST_Multi(ST_MakeEnvelope(120.660, 27.930, 120.665, 27.940, 4490)));
`

func setup(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, setupSQL)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE districts SET baseline_area_m2 = (SELECT sum(area_m2) FROM block_lines)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// Areas used below (ellipsoidal, computed by PostGIS in the tests).
var (
	stripA   = rect(120.620, 27.930, 120.621, 27.940) // inside line A (level 1)
	stripB   = rect(120.640, 27.930, 120.641, 27.940) // inside line B (level 1)
	bank1    = rect(120.600, 27.930, 120.602, 27.940) // outside every line
	bank2    = rect(120.590, 27.930, 120.592, 27.940)
	smallAdd = rect(120.580, 27.930, 120.5805, 27.940)
)

func area(t *testing.T, pool *pgxpool.Pool, g orb.MultiPolygon) float64 {
	t.Helper()
	b, _ := wkb.Marshal(g)
	var a float64
	if err := pool.QueryRow(context.Background(), `SELECT ST_Area(ST_SetSRID(ST_GeomFromWKB($1), 4490)::geography)`, b).Scan(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

type add struct {
	level int
	g     orb.MultiPolygon
}

// propose creates and approves an adjustment, proposed and approved on its effective
// date. The approval overrides a failing preview: these tests are about what apply
// itself refuses (approval's own check: TestApprovalChecksThePreview).
func propose(t *testing.T, pool *pgxpool.Pool, kind, eff string, removals []orb.MultiPolygon, additions []add) int64 {
	t.Helper()
	ctx := context.Background()
	d, _ := time.Parse(time.DateOnly, eff)
	na := store.NewAdjustment{Xzqdm: "330304", Kind: kind, DocNo: "测试〔" + eff + "〕号", Reason: "test " + kind, EffectiveDate: d, ProposedOn: &d}
	for _, r := range removals {
		b, _ := wkb.Marshal(r)
		na.Parts = append(na.Parts, store.NewPart{Role: "removal", Geom: polygonal(b)})
	}
	for _, a := range additions {
		b, _ := wkb.Marshal(a.g)
		na.Parts = append(na.Parts, store.NewPart{Role: "addition", Level: a.level, Geom: polygonal(b)})
	}
	ch := store.Change{Actor: "planner-test", Reason: "test"}
	id, err := store.CreateAdjustment(ctx, pool, ch, na)
	if err != nil {
		t.Fatalf("create adjustment: %v", err)
	}
	if _, err := store.Approve(ctx, pool, store.Change{Actor: "admin-test"}, id, "", d, "测试实施时的校验 / testing apply's own check"); err != nil {
		t.Fatalf("approve: %v", err)
	}
	return id
}

func apply(t *testing.T, pool *pgxpool.Pool, id int64) (*store.Outcome, error) {
	t.Helper()
	return store.Apply(context.Background(), pool, store.Change{Actor: "planner-test"}, id)
}

func mustApply(t *testing.T, pool *pgxpool.Pool, id int64) *store.Outcome {
	t.Helper()
	o, err := apply(t, pool, id)
	if err != nil {
		t.Fatalf("apply %d: %v", id, err)
	}
	return o
}

// wantRule asserts a rule rejection with the SQLSTATE and message fragment.
func wantRule(t *testing.T, err error, code, fragment string) *pgconn.PgError {
	t.Helper()
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		t.Fatalf("want %s rejection, got %v", code, err)
	}
	if pg.Code != code || !strings.Contains(pg.Message, fragment) {
		t.Fatalf("want %s containing %q, got %s %q", code, fragment, pg.Code, pg.Message)
	}
	return pg
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func quota(t *testing.T, pool *pgxpool.Pool, date string) *store.Quota {
	t.Helper()
	d, _ := time.Parse(time.DateOnly, date)
	q, err := store.QuotaAt(context.Background(), pool, "330304", d)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func ledgerRows(t *testing.T, pool *pgxpool.Pool) int {
	var n int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM block_line_ledger WHERE effective_date > '2020-12-31'`).Scan(&n)
	return n
}

func TestRemovalWithoutCompensationRejected(t *testing.T) {
	pool := setup(t)
	id := propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, nil)
	_, err := apply(t, pool, id)
	pg := wantRule(t, err, "LRR01", "level 1 short")
	if !strings.Contains(pg.Message, "一级缺口") {
		t.Errorf("message lacks the Chinese shortfall: %s", pg.Message)
	}
	want := fmt.Sprintf("%.2f", area(t, pool, stripA)*3/2000)
	if !strings.Contains(pg.Message, want+" mu") {
		t.Errorf("shortfall should be %s mu: %s", want, pg.Message)
	}
	if ledgerRows(t, pool) != 0 {
		t.Error("a rejected adjustment left ledger rows")
	}
	var status string
	pool.QueryRow(context.Background(), `SELECT status FROM adjustments WHERE id = $1`, id).Scan(&status)
	if status != "approved" {
		t.Errorf("status after rejected apply = %s, want approved", status)
	}
}

func TestCompensateFirstThenTake(t *testing.T) {
	pool := setup(t)
	base := quota(t, pool, "2021-01-01")
	bank := area(t, pool, bank1)
	strip := area(t, pool, stripA)

	// 先补: a 补划 banks level-1 area in 2022.
	o := mustApply(t, pool, propose(t, pool, "补划", "2022-09-30", nil, []add{{1, bank1}}))
	if !near(o.ReserveAddedM2, bank) || o.FreeAddedM2 != 0 {
		t.Fatalf("补划 outcome %+v, want reserve +%v", o, bank)
	}
	// 后占: a removal in 2024 draws on it.
	o = mustApply(t, pool, propose(t, pool, "调整", "2024-03-31", []orb.MultiPolygon{stripA}, nil))
	if !near(o.ReserveUsedM2, strip) || !near(o.RemovedM2L1, strip) {
		t.Fatalf("removal outcome %+v, want reserve used %v", o, strip)
	}
	q := quota(t, pool, "2024-12-31")
	if !near(q.TotalM2, base.TotalM2+bank-strip) || !near(q.ReserveM2, bank-strip) || !near(q.CommittedM2, base.CommittedM2) {
		t.Errorf("2024 quota total %v reserve %v committed %v; want %v, %v, %v",
			q.TotalM2, q.ReserveM2, q.CommittedM2, base.TotalM2+bank-strip, bank-strip, base.CommittedM2)
	}
	// As of mid-2023 the removal had not happened yet; the bank had.
	q = quota(t, pool, "2023-06-30")
	if !near(q.TotalM2, base.TotalM2+bank) || !near(q.ReserveM2, bank) {
		t.Errorf("2023 quota total %v reserve %v", q.TotalM2, q.ReserveM2)
	}
	// Taking before compensating is refused: a removal dated before the bank.
	_, err := apply(t, pool, propose(t, pool, "调整", "2022-06-30", []orb.MultiPolygon{stripB}, nil))
	wantRule(t, err, "LRR01", "level 1 short")
}

func TestLevelOneNotCoveredByLevelTwo(t *testing.T) {
	pool := setup(t)
	_, err := apply(t, pool, propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, []add{{2, bank1}}))
	wantRule(t, err, "LRR01", "level 1 short")
	// Level-2 removals may be covered by level-1 additions.
	strip2 := rect(120.660, 27.930, 120.6605, 27.940)
	o := mustApply(t, pool, propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{strip2}, []add{{1, bank1}}))
	if !near(o.RemovedM2L2, area(t, pool, strip2)) || !near(o.FreeAddedM2, area(t, pool, bank1)-area(t, pool, strip2)) {
		t.Errorf("outcome %+v", o)
	}
}

func TestRelevelCountsAsRemoval(t *testing.T) {
	pool := setup(t)
	// Moving a strip of line A from level 1 to level 2 without compensation.
	_, err := apply(t, pool, propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, []add{{2, stripA}}))
	wantRule(t, err, "LRR01", "level 1 short")
	// With a level-1 bank it passes and consumes it; the total stays the same.
	before := quota(t, pool, "2023-01-01")
	mustApply(t, pool, propose(t, pool, "补划", "2023-01-01", nil, []add{{1, bank1}}))
	o := mustApply(t, pool, propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, []add{{2, stripA}}))
	strip := area(t, pool, stripA)
	if !near(o.RemovedM2L1, strip) || !near(o.AddedM2L2, strip) || !near(o.ReserveUsedM2, strip) {
		t.Errorf("relevel outcome %+v", o)
	}
	after := quota(t, pool, "2023-06-30")
	if !near(after.TotalM2L1, before.TotalM2L1-strip+area(t, pool, bank1)) || !near(after.TotalM2L2, before.TotalM2L2+strip) {
		t.Errorf("levels after relevel: %v / %v", after.TotalM2L1, after.TotalM2L2)
	}
}

func TestReserveFIFO(t *testing.T) {
	pool := setup(t)
	first := mustApply(t, pool, propose(t, pool, "补划", "2022-01-01", nil, []add{{1, bank1}}))
	second := mustApply(t, pool, propose(t, pool, "补划", "2022-06-01", nil, []add{{1, bank2}}))
	// Remove more than the first bank holds: it is emptied first, the rest from the second.
	removal := rect(120.620, 27.930, 120.623, 27.940)
	mustApply(t, pool, propose(t, pool, "调整", "2023-01-01", []orb.MultiPolygon{removal}, nil))
	rows, err := pool.Query(context.Background(), `SELECT r.effective_date::text, u.area_m2 FROM compensation_use u
JOIN compensation_reserve r ON r.id = u.reserve_id ORDER BY u.id`)
	if err != nil {
		t.Fatal(err)
	}
	type use struct {
		Date string
		M2   float64
	}
	uses, _ := pgx.CollectRows(rows, pgx.RowToStructByPos[use])
	rem := area(t, pool, removal)
	if len(uses) != 2 || uses[0].Date != "2022-01-01" || !near(uses[0].M2, first.ReserveAddedM2) ||
		uses[1].Date != "2022-06-01" || !near(uses[1].M2, rem-first.ReserveAddedM2) {
		t.Errorf("uses %+v; want all of %v from 2022-01-01 then %v from 2022-06-01", uses, first.ReserveAddedM2, rem-first.ReserveAddedM2)
	}
	if q := quota(t, pool, "2023-01-01"); !near(q.ReserveM2, first.ReserveAddedM2+second.ReserveAddedM2-rem) {
		t.Errorf("reserve left %v", q.ReserveM2)
	}
}

func TestTotalNeverBelowBaseline(t *testing.T) {
	pool := setup(t)
	// A bureau whose official baseline exceeds today's lines: even a balanced swap that
	// removes area must not leave the total below it.
	if _, err := pool.Exec(context.Background(), `UPDATE districts SET baseline_area_m2 = baseline_area_m2 + 1e6`); err != nil {
		t.Fatal(err)
	}
	_, err := apply(t, pool, propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, []add{{1, bank1}}))
	wantRule(t, err, "LRR05", "below the baseline")
	// Pure additions are always welcome.
	mustApply(t, pool, propose(t, pool, "调整", "2023-06-30", nil, []add{{1, bank1}}))
}

func TestOutsideWindowOnlyLedger(t *testing.T) {
	pool := setup(t)
	// A window that has ended (a change after it is in the past: future changes are
	// not applied, TestFutureAdjustmentIsNotApplied).
	if _, err := pool.Exec(context.Background(), `UPDATE districts SET rule_end = '2024-12-31'`); err != nil {
		t.Fatal(err)
	}
	o := mustApply(t, pool, propose(t, pool, "调整", "2025-03-01", []orb.MultiPolygon{stripA}, nil))
	if o.Kind != "outside-window" || !near(o.RemovedM2L1, area(t, pool, stripA)) {
		t.Errorf("outcome %+v", o)
	}
	if ledgerRows(t, pool) != 1 {
		t.Error("outside the window the change must still be in the ledger")
	}
}

func TestPreviewMatchesApply(t *testing.T) {
	pool := setup(t)
	mustApply(t, pool, propose(t, pool, "补划", "2022-01-01", nil, []add{{1, bank1}}))
	cases := []struct {
		name      string
		removals  []orb.MultiPolygon
		additions []add
	}{
		{"removal from reserve", []orb.MultiPolygon{stripA}, nil},
		{"swap with surplus", []orb.MultiPolygon{stripB}, []add{{1, bank2}}},
		{"level-2 addition", nil, []add{{2, smallAdd}}},
	}
	for _, c := range cases {
		id := propose(t, pool, "调整", "2023-06-30", c.removals, c.additions)
		p, err := store.Preview(context.Background(), pool, store.Change{Actor: "x"}, id)
		if err != nil {
			t.Fatalf("%s preview: %v", c.name, err)
		}
		a := mustApply(t, pool, id)
		for _, pair := range [][2]float64{{p.RemovedM2L1, a.RemovedM2L1}, {p.RemovedM2L2, a.RemovedM2L2}, {p.AddedM2L1, a.AddedM2L1},
			{p.AddedM2L2, a.AddedM2L2}, {p.ReserveUsedM2, a.ReserveUsedM2}, {p.FreeAddedM2, a.FreeAddedM2},
			{p.TotalBeforeM2, a.TotalBeforeM2}, {p.TotalAfterM2, a.TotalAfterM2}, {p.ReserveAfterM2, a.ReserveAfterM2}} {
			if !near(pair[0], pair[1]) {
				t.Errorf("%s: preview %+v differs from apply %+v", c.name, p, a)
				break
			}
		}
		if !p.Accepted {
			t.Errorf("%s: preview not accepted: %s", c.name, p.Message)
		}
	}
	// A short adjustment previews its shortfall and writes nothing.
	id := propose(t, pool, "调整", "2023-07-01", []orb.MultiPolygon{rect(120.645, 27.930, 120.650, 27.940)}, []add{{1, rect(120.570, 27.930, 120.5705, 27.940)}})
	before := ledgerRows(t, pool)
	p, err := store.Preview(context.Background(), pool, store.Change{Actor: "x"}, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Accepted || p.ShortfallM2L1 <= 0 {
		t.Errorf("short preview %+v", p)
	}
	if ledgerRows(t, pool) != before {
		t.Error("preview wrote ledger rows")
	}
}

// TestDirectSQLEditsObeyTheRules edits block_lines as a QGIS planner would: its own
// database login in the landreg_planner group, no API, no session settings.
func TestDirectSQLEditsObeyTheRules(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	cfg := dbtest.NewLogin(t, pool, "landreg_planner")
	role := cfg.User
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// Moving a vertex by a few centimetres: minor, accepted.
	if _, err := conn.Exec(ctx, `UPDATE block_lines SET geom = ST_Multi(ST_MakeEnvelope(120.620, 27.930, 120.6300003, 27.940, 4490)) WHERE code = '330304-GYQK-01'`); err != nil {
		t.Fatalf("minor edit refused: %v", err)
	}
	// Cutting off ~150 m² without an adjustment: refused, with the message QGIS shows.
	_, err = conn.Exec(ctx, `UPDATE block_lines SET geom = ST_Multi(ST_MakeEnvelope(120.620, 27.930, 120.630, 27.93986, 4490)) WHERE code = '330304-GYQK-01'`)
	wantRule(t, err, "LRR01", "needs an approved adjustment")
	// Deleting a line is a removal too.
	_, err = conn.Exec(ctx, `DELETE FROM block_lines WHERE code = '330304-GYQK-02'`)
	wantRule(t, err, "LRR01", "needs an approved adjustment")
	// Drawing a new line is accepted and flagged for review.
	if _, err := conn.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ('330304-GYQK-09', '新增', '330304', 2, ST_Multi(ST_MakeEnvelope(120.600, 27.930, 120.601, 27.931, 4490)))`); err != nil {
		t.Fatalf("direct addition refused: %v", err)
	}
	var kind, actor string
	var review bool
	pool.QueryRow(ctx, `SELECT kind, actor, needs_review FROM block_line_ledger ORDER BY id DESC LIMIT 1`).Scan(&kind, &actor, &review)
	if kind != "direct" || !review || actor != "db:"+role {
		t.Errorf("direct addition ledger: kind %s review %v actor %s", kind, review, actor)
	}
	// Overlaps are refused for direct editors too.
	_, err = conn.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ('330304-GYQK-10', '重叠', '330304', 1, ST_Multi(ST_MakeEnvelope(120.625, 27.935, 120.626, 27.936, 4490)))`)
	wantRule(t, err, "LRB01", "overlaps")
	// Inside an approved adjustment named on the row, a compensated change passes.
	mustApply(t, pool, propose(t, pool, "补划", "2022-01-01", nil, []add{{1, bank2}}))
	// The line was just edited with today's date, so the adjustment takes effect today.
	var today string
	pool.QueryRow(ctx, `SELECT landreg_sys.effective_date()::text`).Scan(&today)
	adj := propose(t, pool, "调整", today, nil, nil)
	if _, err := conn.Exec(ctx, `UPDATE block_lines SET adjustment_id = $1, geom = ST_Multi(ST_MakeEnvelope(120.621, 27.930, 120.6300003, 27.940, 4490)) WHERE code = '330304-GYQK-01'`, adj); err != nil {
		t.Fatalf("edit inside an approved adjustment refused: %v", err)
	}
	var vf string
	pool.QueryRow(ctx, `SELECT valid_from::text FROM block_lines WHERE code = '330304-GYQK-01'`).Scan(&vf)
	if vf != today {
		t.Errorf("edit inside adjustment took effect %s, want the adjustment's %s", vf, today)
	}
	// The planner cannot forge history, ledger or audit rows.
	for _, sql := range []string{
		`INSERT INTO block_line_ledger (xzqdm, effective_date, kind, removed_m2_l1, removed_m2_l2, added_m2_l1, added_m2_l2, reserve_used_m2, reserve_added_m2, free_added_m2, total_before_m2, total_after_m2, total_after_m2_l1, total_after_m2_l2, reserve_after_m2, committed_after_m2, actor) VALUES ('330304', '2024-01-01', 'direct', 0,0,0,0,0,0,0,0,0,0,0,0,0,'x')`,
		`DELETE FROM block_lines_history`,
		`INSERT INTO audit_log (actor, table_name, op) VALUES ('x', 'x', 'INSERT')`,
		`INSERT INTO compensation_reserve (xzqdm, level, area_m2, effective_date) VALUES ('330304', 1, 1e9, '2020-01-01')`,
	} {
		if _, err := conn.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("planner could run %q: %v", sql[:40], err)
		}
	}
}

// TestPlannerLoginPrivileges connects as a planner's own database login, created by the
// superuser in landreg_planner as a bureau would: it edits block_lines, and cannot write
// the ledger, the audit log, the reserve or the API tokens (nor read the tokens). Those
// rows are written by landreg's SECURITY DEFINER functions, owned by the (non-superuser)
// owner role.
func TestPlannerLoginPrivileges(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	cfg := dbtest.NewLogin(t, pool, "landreg_planner")
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var super, createrole, bypass bool
	if err := conn.QueryRow(ctx, `SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &createrole, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || createrole || bypass {
		t.Fatalf("planner login: super %v createrole %v bypassrls %v", super, createrole, bypass)
	}
	count := func(table string) (n int) {
		t.Helper()
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ledger, audit := count("block_line_ledger"), count("audit_log")

	// block_lines: insert, update and delete (a line under the district's 1 m² minor-edit
	// allowance, so the rule lets it go again without an adjustment).
	var id int64
	if err := conn.QueryRow(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom)
VALUES ('330304-GYQK-77', '规划员新增', '330304', 2, ST_Multi(ST_MakeEnvelope(120.600, 27.930, 120.600005, 27.930005, 4490))) RETURNING id`).Scan(&id); err != nil {
		t.Fatalf("planner INSERT block_lines: %v", err)
	}
	if _, err := conn.Exec(ctx, `UPDATE block_lines SET name = '规划员改名' WHERE id = $1`, id); err != nil {
		t.Fatalf("planner UPDATE block_lines: %v", err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM block_lines WHERE id = $1`, id); err != nil {
		t.Fatalf("planner DELETE block_lines: %v", err)
	}
	// … and the definer functions wrote the ledger and audit rows on its behalf.
	if count("block_line_ledger") <= ledger || count("audit_log") <= audit {
		t.Errorf("planner edits wrote no ledger or audit rows")
	}
	var actor string
	pool.QueryRow(ctx, `SELECT actor FROM audit_log WHERE table_name = 'block_lines' ORDER BY id DESC LIMIT 1`).Scan(&actor)
	if actor != "db:"+cfg.User {
		t.Errorf("audit actor %q, want db:%s", actor, cfg.User)
	}

	// Everything else it may not write, however it tries.
	before := map[string]int{}
	set := map[string]string{"block_line_ledger": "actor = 'x'", "audit_log": "actor = 'x'", "compensation_reserve": "area_m2 = 1e9", "api_tokens": "name = 'x'",
		"landreg_sys.status_timeline": "category = 'NORMAL'", "landreg_sys.status_figures": "category = '{NORMAL}'",
		"landreg_sys.status_points": "category = '{NORMAL}'", "landreg_sys.status_cells": "n = 0",
		"landreg_sys.status_cells_day": "day = '2000-01-01'"}
	for table, assign := range set {
		before[table] = count(table)
		for _, sql := range []string{
			"INSERT INTO " + table + " DEFAULT VALUES",
			"UPDATE " + table + " SET " + assign,
			"DELETE FROM " + table,
			"TRUNCATE " + table,
		} {
			_, err := conn.Exec(ctx, sql)
			var pg *pgconn.PgError
			if !errors.As(err, &pg) || pg.Code != "42501" {
				t.Errorf("planner: %s: %v, want permission denied (42501)", sql, err)
			}
		}
	}
	// The status timeline is derived: only the triggers' definer function rewrites it.
	if _, err := conn.Exec(ctx, `SELECT landreg_sys.refresh_status_timeline(NULL)`); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("planner could rebuild the status timeline: %v", err)
	}
	// Nor the map's cells (00035): rebuilding them for a day is the server's.
	for _, sql := range []string{`SELECT landreg_sys.roll_status_cells('2000-01-01')`, `SELECT landreg_sys.status_cells_tidy()`} {
		if _, err := conn.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("planner: %s: %v, want permission denied", sql, err)
		}
	}
	if _, err := conn.Exec(ctx, `SELECT token_hash FROM api_tokens`); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("planner could read the API token hashes: %v", err)
	}
	for table, n := range before {
		if got := count(table); got != n {
			t.Errorf("%s: %d rows after the planner's attempts, %d before", table, got, n)
		}
	}
}

// TestConcurrentRemovalsSerialise runs two transactions that each fit the reserve alone
// but not together: exactly one may commit, every time.
func TestConcurrentRemovalsSerialise(t *testing.T) {
	for i := 0; i < 8; i++ {
		pool := setup(t)
		bank := mustApply(t, pool, propose(t, pool, "补划", "2022-01-01", nil, []add{{1, rect(120.600, 27.930, 120.6015, 27.940)}}))
		// Each removal is ~2/3 of the bank.
		a := propose(t, pool, "调整", "2023-01-01", []orb.MultiPolygon{rect(120.620, 27.930, 120.621, 27.940)}, nil)
		b := propose(t, pool, "调整", "2023-01-01", []orb.MultiPolygon{rect(120.640, 27.930, 120.641, 27.940)}, nil)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for j, id := range []int64{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[j] = apply(t, pool, id)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantRule(t, err, "LRR01", "short")
			}
		}
		if ok != 1 {
			t.Fatalf("run %d: %d of 2 commits succeeded (errors %v)", i, ok, errs)
		}
		if q := quota(t, pool, "2023-01-01"); q.ReserveM2 < -1e-6 || q.ReserveM2 > bank.ReserveAddedM2 {
			t.Fatalf("run %d: reserve %v out of range", i, q.ReserveM2)
		}
	}
}

// TestCorrectionTakesBackUnreviewedAddition: a direct edit adds a line without review
// (2024-03-01); a 纠错 within 30 days may take that land out again uncompensated, and
// nothing else: not later, not under another kind, not land the edit did not add.
func TestCorrectionTakesBackUnreviewedAddition(t *testing.T) {
	addedLine := rect(120.600, 27.930, 120.602, 27.940) // = bank1, outside every line
	for _, tc := range []struct {
		name, kind, eff string
		removal         orb.MultiPolygon
		ok              bool
	}{
		{"纠错 within 30 days", "纠错", "2024-03-20", addedLine, true},
		{"纠错 on day 30", "纠错", "2024-03-31", addedLine, true},
		{"纠错 after 30 days", "纠错", "2024-04-15", addedLine, false},
		{"调整 within 30 days", "调整", "2024-03-20", addedLine, false},
		{"纠错 of land the edit did not add", "纠错", "2024-03-20", stripA, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := setup(t)
			ctx := context.Background()
			directAddition(t, pool, addedLine, "2024-03-01")
			var review bool
			pool.QueryRow(ctx, `SELECT needs_review FROM block_line_ledger WHERE kind = 'direct'`).Scan(&review)
			if !review {
				t.Fatal("the direct addition is not flagged for review")
			}
			before := quota(t, pool, tc.eff)
			o, err := apply(t, pool, propose(t, pool, tc.kind, tc.eff, []orb.MultiPolygon{tc.removal}, nil))
			if !tc.ok {
				wantRule(t, err, "LRR01", "compensation short")
				return
			}
			if err != nil {
				t.Fatalf("correction refused: %v", err)
			}
			want := area(t, pool, addedLine)
			if !near(o.CorrectedM2, want) || o.ReserveUsedM2 != 0 || !near(o.RemovedM2L1, want) {
				t.Errorf("outcome %+v: want %.2f m² corrected, no reserve used", o, want)
			}
			after := quota(t, pool, tc.eff)
			if !near(before.TotalM2-after.TotalM2, want) {
				t.Errorf("total %.2f → %.2f, want a decrease of %.2f", before.TotalM2, after.TotalM2, want)
			}
			ledger, err := store.Ledger(ctx, pool, "330304")
			if err != nil || len(ledger) == 0 || !near(ledger[len(ledger)-1].CorrectedM2, want) {
				t.Errorf("ledger does not show the correction: %v", err)
			}
		})
	}
}

// directAddition draws a new level-1 line without an adjustment, as QGIS would.
func directAddition(t *testing.T, pool *pgxpool.Pool, g orb.MultiPolygon, eff string) {
	t.Helper()
	ctx := context.Background()
	d, _ := time.Parse(time.DateOnly, eff)
	err := store.InTx(ctx, pool, store.Change{Actor: "db:qgis", Reason: "数字化 / digitised", Effective: d}, func(tx pgx.Tx) error {
		b, _ := wkb.Marshal(g)
		_, err := tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom)
VALUES ('330304-GYQK-08', '直接新增', '330304', 1, ST_Multi(ST_SetSRID(ST_GeomFromWKB($1), 4490)))`, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCorrectionOnlyOnce: land a 纠错 took back and a 补划 drew again is no longer the
// direct edit's; a second 纠错 within the 30 days must compensate it.
func TestCorrectionOnlyOnce(t *testing.T) {
	pool := setup(t)
	added := rect(120.600, 27.930, 120.602, 27.940)
	directAddition(t, pool, added, "2024-03-01")
	o := mustApply(t, pool, propose(t, pool, "纠错", "2024-03-05", []orb.MultiPolygon{added}, nil))
	want := area(t, pool, added)
	if !near(o.CorrectedM2, want) {
		t.Fatalf("first correction: %.2f m² corrected, want %.2f", o.CorrectedM2, want)
	}
	mustApply(t, pool, propose(t, pool, "补划", "2024-03-10", nil, []add{{1, added}}))
	o = mustApply(t, pool, propose(t, pool, "纠错", "2024-03-20", []orb.MultiPolygon{added}, nil))
	if o.CorrectedM2 != 0 || !near(o.ReserveUsedM2, want) {
		t.Errorf("second correction: %.2f m² corrected, %.2f m² of reserve used; want 0 and %.2f", o.CorrectedM2, o.ReserveUsedM2, want)
	}
}

// TestReviewEndsCorrectionAllowance: once the bureau has reviewed (复核) a direct
// addition, a 纠错 can no longer take that land back without compensation; the review
// is recorded once, by the database's clock and actor, and the ledger stays append-only
// for everything else.
func TestReviewEndsCorrectionAllowance(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	added := rect(120.600, 27.930, 120.602, 27.940)
	directAddition(t, pool, added, "2024-03-01")
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM block_line_ledger WHERE kind = 'direct' AND needs_review`).Scan(&id); err != nil {
		t.Fatal(err)
	}

	if _, err := store.ReviewDirectEdit(ctx, pool, store.Change{Actor: "reviewer"}, "330302", id, "核实"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("review through another district: %v", err)
	}
	r, err := store.ReviewDirectEdit(ctx, pool, store.Change{Actor: "reviewer"}, "330304", id, "现场核实无误")
	if err != nil {
		t.Fatal(err)
	}
	if r.Reviewer != "reviewer" || r.LedgerID != id || time.Since(r.ReviewedAt) > time.Minute {
		t.Errorf("review %+v", r)
	}
	_, err = store.ReviewDirectEdit(ctx, pool, store.Change{Actor: "reviewer"}, "330304", id, "again")
	wantRule(t, err, "LRV01", "not a direct edit awaiting review")

	ledger, err := store.Ledger(ctx, pool, "330304")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ledger {
		if e.ID == id && (e.NeedsReview || e.Review == nil || e.Review.Note != "现场核实无误") {
			t.Errorf("ledger entry after review: %+v (review %+v)", e, e.Review)
		}
	}
	var audited int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE table_name = 'direct_edit_reviews' AND actor = 'reviewer'`).Scan(&audited)
	if audited != 1 {
		t.Errorf("%d audit rows for the review, want 1", audited)
	}

	// The same 纠错 that took the land back free before review (TestCorrectionTakesBack…)
	// now needs compensation.
	_, err = apply(t, pool, propose(t, pool, "纠错", "2024-03-20", []orb.MultiPolygon{added}, nil))
	wantRule(t, err, "LRR01", "compensation short")

	// Only a review may clear a flag, and nothing else in the ledger changes.
	for _, sql := range []string{
		`UPDATE block_line_ledger SET reason = 'edited' WHERE id = $1`,
		`UPDATE block_line_ledger SET needs_review = true WHERE id = $1`,
		`DELETE FROM block_line_ledger WHERE id = $1`,
		`UPDATE direct_edit_reviews SET note = 'rewritten' WHERE ledger_id = $1`,
		`DELETE FROM direct_edit_reviews WHERE ledger_id = $1`,
	} {
		_, err := pool.Exec(ctx, sql, id)
		wantRule(t, err, "LR004", "append-only")
	}
	directAddition2 := func() int64 {
		err := store.InTx(ctx, pool, store.Change{Actor: "db:qgis", Effective: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom)
VALUES ('330304-GYQK-09', '直接新增二', '330304', 1, ST_Multi(ST_MakeEnvelope(120.604, 27.930, 120.606, 27.940, 4490)))`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var id2 int64
		pool.QueryRow(ctx, `SELECT id FROM block_line_ledger WHERE kind = 'direct' AND needs_review`).Scan(&id2)
		return id2
	}
	id2 := directAddition2()
	_, err = pool.Exec(ctx, `UPDATE block_line_ledger SET needs_review = false WHERE id = $1`, id2)
	wantRule(t, err, "LR004", "append-only")
}
