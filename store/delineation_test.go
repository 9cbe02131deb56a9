package store_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/store"
)

// Issue 13.2 and 14.4 in the database: the delineation (划定) fixes the baseline and
// closes the past, its correction (划定更正) re-fixes it; the minor-edit tolerance is for
// the calendar year; the quota's pass flag is the rule check's own comparison.

var (
	lineA   = rect(120.620, 27.930, 120.630, 27.940) // level 1
	lineC   = rect(120.660, 27.930, 120.665, 27.940) // level 2
	fixBank = rect(120.600, 27.930, 120.602, 27.940) // outside both
)

// delineation creates a 划定 or 划定更正 of 330304 (addOuhai) as an admin would.
func delineation(t *testing.T, pool *pgxpool.Pool, kind, date, doc string, removals []orb.MultiPolygon, additions []add) int64 {
	t.Helper()
	d := day(date)
	na := store.NewAdjustment{Xzqdm: "330304", Kind: kind, DocNo: doc, Reason: kind + " test", EffectiveDate: d, ProposedOn: &d}
	for _, r := range removals {
		b, _ := wkb.Marshal(r)
		na.Parts = append(na.Parts, store.NewPart{Role: "removal", Geom: polygonal(b)})
	}
	for i, a := range additions {
		b, _ := wkb.Marshal(a.g)
		na.Parts = append(na.Parts, store.NewPart{Role: "addition", Level: a.level, LineCode: fmt.Sprintf("330304-GYQK-%02d", 40+i), Geom: polygonal(b)})
	}
	id, err := store.CreateAdjustment(context.Background(), pool, store.Change{Actor: "admin-test", Reason: kind}, na)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDelineationFixesTheBaseline(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	admin := store.Change{Actor: "admin-test", Reason: "划定成果入库"}
	want := area(t, pool, lineA) + area(t, pool, lineC)

	// A planner's login may neither carry out a delineation nor change the district.
	id := delineation(t, pool, "划定", "2020-12-31", "温政办〔2020〕72号配套划定（测试）", nil, []add{{1, lineA}, {2, lineC}})
	planner, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
	if err != nil {
		t.Fatal(err)
	}
	defer planner.Close(ctx)
	for _, sql := range []string{fmt.Sprintf(`SELECT landreg_sys.delineate(%d)`, id),
		`UPDATE districts SET baseline_area_m2 = 1 WHERE xzqdm = '330304'`} {
		if _, err := planner.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("planner ran %q: %v", sql, err)
		}
	}
	// Nor is a delineation approved and applied like an adjustment.
	if _, err := store.Apply(ctx, pool, admin, id); sqlState(err) != "LRL03" {
		t.Errorf("apply of a 划定: %v", err)
	}

	d, err := store.Delineate(ctx, pool, admin, id)
	if err != nil {
		t.Fatal(err)
	}
	if !near(d.BaselineM2, want) || d.BaselineBeforeM2 != nil || d.EffectiveDate != "2020-12-31" {
		t.Errorf("delineation %+v, want baseline %v", d, want)
	}
	var base float64
	var doc, bdate, vdoc string
	var version int
	pool.QueryRow(ctx, `SELECT baseline_area_m2, baseline_doc, baseline_date::text, doc_no, version FROM districts WHERE xzqdm = '330304'`).Scan(&base, &doc, &bdate, &vdoc, &version)
	if !near(base, want) || doc != "温政办〔2020〕72号配套划定（测试）" || bdate != "2020-12-31" || vdoc != doc || version != 2 {
		t.Errorf("district after 划定: baseline %v doc %q date %s version doc %q version %d", base, doc, bdate, vdoc, version)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'districts' AND row_key = '330304' AND op = 'UPDATE'
  AND actor = 'admin-test' AND (new_row->>'baseline_area_m2')::float8 > 0`); n != 1 {
		t.Errorf("%d audit rows of the baseline, want 1", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM block_line_ledger WHERE kind = 'delineation' AND adjustment_id = $1
  AND effective_date = '2020-12-31' AND abs(baseline_m2 - $2) < 1e-6`, id, want); n != 1 {
		t.Errorf("%d ledger rows of the delineation", n)
	}
	if q := quota(t, pool, "2021-06-30"); !q.RuleApplies || q.Pass == nil || !*q.Pass || !near(*q.BaselineM2, want) {
		t.Errorf("quota after 划定: %+v", q)
	}

	// A second 划定 is refused: the baseline is fixed; correcting it is a 划定更正.
	again := delineation(t, pool, "划定", "2020-12-31", "重复划定", nil, []add{{1, fixBank}})
	if _, err := store.Delineate(ctx, pool, admin, again); sqlState(err) != "LRL01" || !strings.Contains(err.Error(), "划定更正") {
		t.Errorf("second 划定: %v", err)
	}

	// The delineation is closed: no change may take effect before the rule window, not
	// the owner's code stating the date, not an approved adjustment, not a planner
	// naming the delineation on a row.
	err = store.InTx(ctx, pool, store.Change{Actor: "owner", Reason: "补录", Effective: day("2020-12-31")}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ('330304-GYQK-60', '补录', '330304', 1, ST_Multi(ST_MakeEnvelope(120.600, 27.930, 120.601, 27.931, 4490)))`)
		return err
	})
	wantRule(t, err, "LRR08", "before the rule window starts")
	early := propose(t, pool, "补划", "2020-12-31", nil, []add{{1, fixBank}})
	o, err := store.Preview(ctx, pool, admin, early)
	if err != nil || o.Accepted || o.SQLState != "LRR08" || !near(o.AddedM2L1, area(t, pool, fixBank)) {
		t.Errorf("preview of a change before the window: %+v %v", o, err)
	}
	_, err = apply(t, pool, early)
	wantRule(t, err, "LRR08", "before the rule window starts")
	borrow := `INSERT INTO block_lines (code, name, xzqdm, level, geom, adjustment_id) VALUES ('330304-GYQK-61', '借用划定', '330304', 1, ST_Multi(ST_MakeEnvelope(120.570, 27.930, 120.571, 27.931, 4490)), $1)`
	_, err = planner.Exec(ctx, borrow, id)
	wantRule(t, err, "LRR07", "outside the rule window")
	// Inside the window, changes go on as before.
	mustApply(t, pool, propose(t, pool, "补划", "2021-01-01", nil, []add{{1, rect(120.580, 27.930, 120.5805, 27.940)}}))

	// 划定更正: the admin corrects the delineation with a document, as of the
	// delineation; the baseline is re-fixed by what the correction adds and removes,
	// shown in the ledger, and the margin is what it was at every date.
	bank, strip := area(t, pool, fixBank), area(t, pool, stripA)
	margins := map[string]float64{}
	for _, date := range []string{"2020-12-31", "2021-06-30", "2024-12-31"} {
		margins[date] = *quota(t, pool, date).MarginM2
	}
	fix := delineation(t, pool, "划定更正", "2020-12-31", "温自然资规〔2024〕3号划定更正（测试）", []orb.MultiPolygon{stripA}, []add{{1, fixBank}})
	d, err = store.Delineate(ctx, pool, admin, fix)
	if err != nil {
		t.Fatal(err)
	}
	if !near(d.BaselineM2, want+bank-strip) || d.BaselineBeforeM2 == nil || !near(*d.BaselineBeforeM2, want) {
		t.Errorf("correction %+v, want baseline %v", d, want+bank-strip)
	}
	pool.QueryRow(ctx, `SELECT baseline_area_m2, baseline_doc, baseline_date::text, version FROM districts WHERE xzqdm = '330304'`).Scan(&base, &doc, &bdate, &version)
	if !near(base, want+bank-strip) || doc != "温自然资规〔2024〕3号划定更正（测试）" || bdate != "2020-12-31" || version != 3 {
		t.Errorf("district after 划定更正: baseline %v doc %q date %s version %d", base, doc, bdate, version)
	}
	ledger, err := store.Ledger(ctx, pool, "330304")
	if err != nil {
		t.Fatal(err)
	}
	last := ledger[0] // the earliest effective date
	for _, e := range ledger {
		if e.AdjustmentID != nil && *e.AdjustmentID == fix {
			last = e
		}
	}
	if last.Kind != "delineation" || last.AdjustmentKind == nil || *last.AdjustmentKind != "划定更正" || last.BaselineM2 == nil ||
		!near(*last.BaselineM2, want+bank-strip) || !near(last.RemovedM2L1, strip) || !near(last.AddedM2L1, bank) || last.EffectiveDate != "2020-12-31" {
		t.Errorf("ledger row of the correction: %+v", last)
	}
	for date, m := range margins {
		if q := quota(t, pool, date); !near(*q.MarginM2, m) || q.RuleApplies && !*q.Pass {
			t.Errorf("margin at %s: %v → %v", date, m, *q.MarginM2)
		}
	}
	// A correction dated otherwise than the delineation is refused.
	bad := delineation(t, pool, "划定更正", "2024-06-30", "更正（测试）", nil, []add{{2, rect(120.590, 27.930, 120.591, 27.940)}})
	if _, err := store.Delineate(ctx, pool, admin, bad); sqlState(err) != "LRA04" {
		t.Errorf("correction before the delineation: %v", err)
	}
}

// TestDelineationNeedsAnEmptyDistrict: a 划定 loads a district's first lines; a
// correction needs a delineation to correct.
func TestDelineationNeedsAnEmptyDistrict(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	admin := store.Change{Actor: "admin-test"}
	fix := delineation(t, pool, "划定更正", "2021-06-30", "更正（测试）", nil, []add{{1, lineA}})
	if _, err := store.Delineate(ctx, pool, admin, fix); sqlState(err) != "LRL02" {
		t.Errorf("correction without delineation: %v", err)
	}
	late := delineation(t, pool, "划定", "2021-06-30", "迟到的划定", nil, []add{{1, lineA}})
	if _, err := store.Delineate(ctx, pool, admin, late); sqlState(err) != "LRA04" {
		t.Errorf("划定 after the rule start: %v", err)
	}
	mustApply(t, pool, propose(t, pool, "补划", "2021-06-30", nil, []add{{1, lineC}}))
	first := delineation(t, pool, "划定", "2020-12-31", "划定（测试）", nil, []add{{1, lineA}})
	if _, err := store.Delineate(ctx, pool, admin, first); sqlState(err) != "LRL02" {
		t.Errorf("划定 of a district with lines: %v", err)
	}
}

// plannerEdit runs one direct edit as a planner's own login would (QGIS).
func plannerEdit(ctx context.Context, conn *pgx.Conn, sql string, args ...any) error {
	_, err := conn.Exec(ctx, sql, args...)
	return err
}

// toleranceDistrict is 330304 with six level-1 lines delineated on 2020-12-31 and a
// tolerance of 2.5 strips a year, strip being the area of one cut below.
func toleranceDistrict(t *testing.T) (*pgxpool.Pool, float64) {
	t.Helper()
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	var adds []add
	for i := range 6 {
		x := 120.600 + 0.02*float64(i)
		adds = append(adds, add{1, rect(x, 27.930, x+0.01, 27.940)})
	}
	if _, err := store.Delineate(ctx, pool, store.Change{Actor: "admin-test"}, delineation(t, pool, "划定", "2020-12-31", "划定（测试）", nil, adds)); err != nil {
		t.Fatal(err)
	}
	strip := area(t, pool, cut(0))
	if err := store.InTx(ctx, pool, store.Change{Actor: "admin-test", Reason: "容差"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE districts SET minor_edit_m2 = $1, doc_no = '容差（测试）'`, 2.5*strip)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return pool, strip
}

// cut is a strip 1e-6° wide (about 110 m²) inside line i of toleranceDistrict.
func cut(i int) orb.MultiPolygon {
	x := 120.605 + 0.02*float64(i)
	return rect(x, 27.930, x+1e-6, 27.940)
}

const cutSQL = `UPDATE block_lines SET geom = ST_Multi(ST_Difference(geom, ST_SetSRID(ST_GeomFromWKB($1), 4490))) WHERE code = $2`

func cutArgs(i int) []any {
	b, _ := wkb.Marshal(cut(i))
	return []any{b, fmt.Sprintf("330304-GYQK-%02d", 40+i)}
}

// TestMinorEditToleranceIsPerYear (§8.6.3): small direct edits that each pass are
// refused at the one that takes the year's removals past minor_edit_m2.
func TestMinorEditToleranceIsPerYear(t *testing.T) {
	pool, strip := toleranceDistrict(t)
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for i := range 2 {
		if err := plannerEdit(ctx, conn, cutSQL, cutArgs(i)...); err != nil {
			t.Fatalf("small edit %d refused: %v", i+1, err)
		}
	}
	err = plannerEdit(ctx, conn, cutSQL, cutArgs(2)...)
	pg := wantRule(t, err, "LRR01", "together they exceed the tolerance")
	year := fmt.Sprint(time.Now().In(time.FixedZone("CST", 8*3600)).Year())
	if !strings.Contains(pg.Message, "in "+year) || !strings.Contains(pg.Detail, `"removed_this_year_m2"`) {
		t.Errorf("message %q detail %q", pg.Message, pg.Detail)
	}
	// An edit that only adds is still accepted.
	if err := plannerEdit(ctx, conn, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ('330304-GYQK-70', '新增', '330304', 2, ST_Multi(ST_MakeEnvelope(120.580, 27.930, 120.581, 27.931, 4490)))`); err != nil {
		t.Errorf("addition refused: %v", err)
	}
	var removed float64
	pool.QueryRow(ctx, `SELECT landreg_sys.direct_removed_in_year('330304', landreg_sys.today())`).Scan(&removed)
	if !near(removed, 2*strip) {
		t.Errorf("removed this year %v, want %v", removed, 2*strip)
	}
	// Another year's edits are not this year's: the owner's code may date a direct edit
	// (here in the previous year, on a line not edited since).
	last := day(fmt.Sprintf("%d-06-30", time.Now().Year()-1))
	if err := store.InTx(ctx, pool, store.Change{Actor: "owner", Reason: "去年", Effective: last}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, cutSQL, cutArgs(3)...)
		return err
	}); err != nil {
		t.Errorf("edit dated last year refused: %v", err)
	}
}

// TestMinorEditToleranceConcurrent: six planners cut a strip each at the same time;
// the district's lock lets exactly two through, and the database shows it afterwards.
func TestMinorEditToleranceConcurrent(t *testing.T) {
	pool, strip := toleranceDistrict(t)
	ctx := context.Background()
	var before float64
	pool.QueryRow(ctx, `SELECT sum(area_m2) FROM block_lines`).Scan(&before)
	const n = 6
	conns := make([]*pgx.Conn, n)
	for i := range conns {
		c, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		conns[i] = c
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := conns[i].Begin(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			defer tx.Rollback(ctx)
			<-start
			if _, err := tx.Exec(ctx, cutSQL, cutArgs(i)...); err != nil {
				errs[i] = err
				return
			}
			errs[i] = tx.Commit(ctx)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case sqlState(err) != "LRR01":
			t.Errorf("edit %d: %v", i, err)
		}
	}
	if ok != 2 {
		t.Errorf("%d concurrent edits got through, want 2 (tolerance 2.5 strips)", ok)
	}
	// The invariant, from the database: this year's direct removals stay within the
	// tolerance, and they are exactly what the lines lost.
	var removed, tol, after float64
	var rows int
	if err := pool.QueryRow(ctx, `SELECT landreg_sys.direct_removed_in_year('330304', landreg_sys.today()), d.minor_edit_m2,
  (SELECT sum(area_m2) FROM block_lines), (SELECT count(*) FROM block_line_ledger WHERE adjustment_id IS NULL AND kind = 'minor')
FROM districts d WHERE d.xzqdm = '330304'`).Scan(&removed, &tol, &after, &rows); err != nil {
		t.Fatal(err)
	}
	// (area_m2 is each line's own ellipsoidal area; the cut's is measured on the
	// difference: they agree to a few cm².)
	if removed > tol || !near(removed, float64(ok)*strip) || rows != ok || math.Abs(before-after-removed) > 0.01 {
		t.Errorf("removed %v (tolerance %v, %d ledger rows), lines lost %v", removed, tol, rows, before-after)
	}
}

// TestQuotaPassAtTheBoundary: the quota's pass flag is landreg_sys.under_baseline, the
// comparison by which the rule check refuses a change, to the last bit; outside the
// rule window it does not apply.
func TestQuotaPassAtTheBoundary(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	setBaseline := func(b float64) {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE districts SET baseline_area_m2 = $1`, b); err != nil {
			t.Fatal(err)
		}
	}
	// A balanced swap: strip A out, compensated by a bank of the same level.
	id := propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, []add{{1, bank1}})
	o, err := store.Preview(ctx, pool, store.Change{Actor: "planner-test"}, id)
	if err != nil || !o.Accepted {
		t.Fatalf("preview %+v %v", o, err)
	}
	total := o.TotalAfterM2
	// Half a millionth above the total: within the tolerance the Go flag used to allow
	// (1e-6 × baseline), below the database's (1e-9 relative + 1e-6 m²).
	above := total * (1 + 5e-7)
	setBaseline(above)
	if o, _ := store.Preview(ctx, pool, store.Change{Actor: "planner-test"}, id); o.Accepted || !strings.Contains(o.Message, "below the baseline") {
		t.Fatalf("preview at baseline %v: %+v", above, o)
	}
	setBaseline(total)
	mustApply(t, pool, id)
	q := quota(t, pool, "2023-06-30")
	if !q.RuleApplies || q.Pass == nil || !*q.Pass || !near(q.TotalM2, total) {
		t.Errorf("at baseline = total: %+v", q)
	}
	for _, b := range []float64{above, total * (1 + 2e-9), total + 1e-3, total * (1 + 5e-10)} {
		setBaseline(b)
		var under bool
		pool.QueryRow(ctx, `SELECT landreg_sys.under_baseline($1, $2)`, q.TotalM2, b).Scan(&under)
		q := quota(t, pool, "2023-06-30")
		if q.Pass == nil || *q.Pass == under {
			t.Errorf("baseline %v (total %v): pass %v, the database says under %v", b, q.TotalM2, q.Pass, under)
		}
	}
	setBaseline(above)
	if q := quota(t, pool, "2023-06-30"); *q.Pass {
		t.Error("half a millionth below the baseline passes")
	}
	// Outside the rule window the flag does not apply.
	if q := quota(t, pool, "2020-12-31"); q.RuleApplies || q.Pass != nil || q.InWindow {
		t.Errorf("outside the window: rule_applies %v pass %v", q.RuleApplies, q.Pass)
	}
}

// TestEditCannotNameTheDelineation: a planner naming a delineation (here dated on the
// rule start, inside the window) on a row does not borrow its date or its exemption.
func TestEditCannotNameTheDelineation(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	id := delineation(t, pool, "划定", "2021-01-01", "划定（测试）", nil, []add{{1, lineA}})
	if _, err := store.Delineate(ctx, pool, store.Change{Actor: "admin-test"}, id); err != nil {
		t.Fatal(err)
	}
	planner, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
	if err != nil {
		t.Fatal(err)
	}
	defer planner.Close(ctx)
	_, err = planner.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom, adjustment_id) VALUES ('330304-GYQK-61', '借用划定', '330304', 1, ST_Multi(ST_MakeEnvelope(120.570, 27.930, 120.571, 27.931, 4490)), $1)`, id)
	wantRule(t, err, "LRR03", "cannot name the delineation")
}
