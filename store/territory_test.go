package store_test

import (
	"context"
	"errors"
	"fmt"
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

// Degrees of longitude per metre at 27.95°N (the test lines' latitude), near enough
// for placing vertices a few tenths of a metre from a border.
const lonPerM = 1 / (111320 * 0.88337)

// setupTwoDistricts is setup's 瓯海 with its eastern neighbour 龙湾 along 120.72°E.
func setupTwoDistricts(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := setup(t)
	if _, err := pool.Exec(context.Background(), `INSERT INTO districts (xzqdm, name, geom, rule_start, rule_end, baseline_area_m2)
VALUES ('330303', '龙湾区', ST_Multi(ST_MakeEnvelope(120.72, 27.88, 120.98, 28.05, 4490)), '2021-01-01', '2030-12-31', 0)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

func box(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf("ST_Multi(ST_MakeEnvelope(%.9f, %.9f, %.9f, %.9f, 4490))", x0, y0, x1, y1)
}

func insertLine(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, code, xzqdm, geom string) error {
	_, err := db.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ($1, '测试', $2, 2, `+geom+`)`, code, xzqdm)
	return err
}

// TestLinesLieInTheirTerritory (issue 14.1) draws lines as a planner does in QGIS, on
// its own database login: a line of 瓯海 inside 龙湾, or far outside Zhejiang, is
// refused; one that crosses the common border by less than the 0.5 m tolerance passes,
// one that crosses it by more does not; a 龙湾 line on top of it is refused, so the same
// land never counts in two districts; moving a line into the other district by
// changing its xzqdm is refused too.
func TestLinesLieInTheirTerritory(t *testing.T) {
	pool := setupTwoDistricts(t)
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	err = insertLine(ctx, conn, "330304-GYQK-20", "330304", box(120.80, 27.95, 120.802, 27.952))
	pg := wantRule(t, err, "LRB02", "lies outside its district 330304")
	if pg.ColumnName != "geom" {
		t.Errorf("LRB02 names column %q", pg.ColumnName)
	}
	err = insertLine(ctx, conn, "330304-GYQK-21", "330304", box(116.40, 39.90, 116.402, 39.902)) // Beijing
	wantRule(t, err, "LRB02", "outside its district")

	// 0.3 m over the border: within the tolerance.
	if err := insertLine(ctx, conn, "330304-GYQK-22", "330304", box(120.718, 27.95, 120.72+0.3*lonPerM, 27.952)); err != nil {
		t.Fatalf("a line 0.3 m over the border was refused: %v", err)
	}
	// 0.8 m over it: not.
	err = insertLine(ctx, conn, "330304-GYQK-23", "330304", box(120.718, 27.96, 120.72+0.8*lonPerM, 27.962))
	wantRule(t, err, "LRB02", "outside its district")

	// 龙湾's line reaching 0.3 m back into 瓯海 is in its tolerance too, but overlaps
	// 瓯海's line there: refused.
	err = insertLine(ctx, conn, "330303-GYQK-20", "330303", box(120.72-0.3*lonPerM, 27.951, 120.722, 27.953))
	wantRule(t, err, "LRB03", "overlaps line 330304-GYQK-22 of district 330304")
	// Touching along the border is fine.
	if err := insertLine(ctx, conn, "330303-GYQK-21", "330303", box(120.72+0.3*lonPerM, 27.951, 120.722, 27.953)); err != nil {
		t.Fatalf("a 龙湾 line touching 瓯海's: %v", err)
	}
	// A line cannot change district into a territory it does not lie in.
	_, err = conn.Exec(ctx, `UPDATE block_lines SET xzqdm = '330303' WHERE code = '330304-GYQK-01'`)
	wantRule(t, err, "LRB02", "outside its district 330303")
	// Renaming a line leaves its geometry alone and is not checked again.
	if _, err := conn.Exec(ctx, `UPDATE block_lines SET name = '改名' WHERE code = '330304-GYQK-22'`); err != nil {
		t.Fatalf("rename: %v", err)
	}
}

// TestBorderEditsSerialise (issue 14.1): two planners of neighbouring districts draw,
// at the same time, lines that overlap in the tolerance strip along the border. Each
// transaction alone is fine; the second must see the first, so it waits for the border
// lock until the first commits, and is then refused. Meanwhile the first goes on editing
// its own district (it waits for nothing the second holds: no deadlock).
func TestBorderEditsSerialise(t *testing.T) {
	pool := setupTwoDistricts(t)
	ctx := context.Background()
	connect := func() *pgx.Conn {
		c, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	ouhai, longwan := connect(), connect()

	tx1, err := ouhai.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	if err := insertLine(ctx, tx1, "330304-GYQK-30", "330304", box(120.718, 27.95, 120.72+0.3*lonPerM, 27.952)); err != nil {
		t.Fatal(err)
	}

	var pid uint32
	if err := longwan.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	tx2, err := longwan.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx2.Rollback(ctx)
	// Away from the border first: 龙湾's own lock only.
	if err := insertLine(ctx, tx2, "330303-GYQK-30", "330303", box(120.80, 27.95, 120.801, 27.951)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- insertLine(ctx, tx2, "330303-GYQK-31", "330303", box(120.72-0.3*lonPerM, 27.951, 120.722, 27.953))
	}()
	// The second waits on a lock (the border lock) …
	for waiting := false; !waiting; {
		select {
		case err := <-done:
			t.Fatalf("the overlapping 龙湾 line went through while 瓯海's was uncommitted: %v", err)
		default:
		}
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted AND locktype = 'advisory')`, pid).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	// … while the first still edits its own district and commits.
	if err := insertLine(ctx, tx1, "330304-GYQK-31", "330304", box(120.60, 27.95, 120.601, 27.951)); err != nil {
		t.Fatalf("瓯海 blocked by 龙湾: %v", err)
	}
	if err := tx1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wantRule(t, <-done, "LRB03", "overlaps line 330304-GYQK-30")
}

// TestFutureAdjustmentIsNotApplied (issue 14.2, domain.md §8.6.4): an approved
// adjustment effective tomorrow can be previewed, not applied; a direct editor cannot
// use it to draw tomorrow's line today, nor can the owner's code state a future date.
func TestFutureAdjustmentIsNotApplied(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	var tomorrow string
	pool.QueryRow(ctx, `SELECT (landreg_sys.today() + 1)::text`).Scan(&tomorrow)
	d, _ := time.Parse(time.DateOnly, tomorrow)
	today := d.AddDate(0, 0, -1)
	na := store.NewAdjustment{Xzqdm: "330304", Kind: "调整", Reason: "明日生效", EffectiveDate: d}
	b := wkbOf(bank1)
	na.Parts = []store.NewPart{{Role: "addition", Level: 1, Geom: polygonal(b)}}
	id, err := store.CreateAdjustment(ctx, pool, store.Change{Actor: "planner"}, na)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.Approve(ctx, pool, store.Change{Actor: "admin"}, id, "", today, "")
	if err != nil || !p.Accepted || p.EffectiveDate != tomorrow {
		t.Fatalf("approve (preview %+v): %v", p, err)
	}
	_, err = apply(t, pool, id)
	wantRule(t, err, "LRA06", "takes effect on "+tomorrow)
	if e := store.Translate(err); e == nil || e.Kind != "not-yet-effective" {
		t.Errorf("translated %+v", e)
	}
	var lines int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines`).Scan(&lines)
	if lines != 3 {
		t.Errorf("%d lines after a refused apply", lines)
	}

	conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom, adjustment_id) VALUES ('330304-GYQK-40', '明日', '330304', 1, `+box(120.600, 27.930, 120.602, 27.940)+`, $1)`, id)
	wantRule(t, err, "LRA06", "after today")

	err = store.InTx(ctx, pool, store.Change{Actor: "loader", Effective: d}, func(tx pgx.Tx) error {
		return insertLine(ctx, tx, "330304-GYQK-41", "330304", box(120.600, 27.930, 120.602, 27.940))
	})
	wantRule(t, err, "LRA06", "after today")
	err = store.InTx(ctx, pool, store.Change{Actor: "loader", Effective: d}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM block_lines WHERE code = '330304-GYQK-03'`)
		return err
	})
	wantRule(t, err, "LRA06", "after today")
}

// TestApprovalChecksThePreview (issue 14.3): approving runs the preview and refuses a
// failing one unless the admin gives the reason to override it, which the audit keeps;
// nobody sets the status without that check; dates follow the procedure.
func TestApprovalChecksThePreview(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	d := time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC)
	proposed := d.AddDate(0, -2, 0)
	na := store.NewAdjustment{Xzqdm: "330304", Kind: "调整", Reason: "道路", EffectiveDate: d, ProposedOn: &proposed,
		Parts: []store.NewPart{{Role: "removal", Geom: polygonal(wkbOf(stripA))}}}
	id, err := store.CreateAdjustment(ctx, pool, store.Change{Actor: "planner"}, na)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Approve(ctx, pool, store.Change{Actor: "admin"}, id, "", d, "")
	wantRule(t, err, "LRA05", "fails its preview (compensation short")
	if e := store.Translate(err); e == nil || e.Kind != "preview-failed" || len(e.Rule) == 0 {
		t.Errorf("translated %+v", e)
	}
	// The owner's own SQL cannot approve without the check either.
	_, err = pool.Exec(ctx, `UPDATE adjustments SET status = 'approved', approved_on = '2023-06-30' WHERE id = $1`, id)
	wantRule(t, err, "LRA05", "needs its preview")
	_, err = pool.Exec(ctx, `UPDATE adjustments SET status = 'approved', approved_on = '2023-06-30',
  approved_preview = '{"accepted": false}' WHERE id = $1`, id)
	wantRule(t, err, "LRA05", "fails its preview")

	o, err := store.Approve(ctx, pool, store.Change{Actor: "admin", Reason: "市政府专题会议纪要"}, id, "", d, "市政府专题会议纪要同意先占后补")
	if err != nil || o.Accepted {
		t.Fatalf("override: %+v %v", o, err)
	}
	a, _ := store.GetAdjustment(ctx, pool, id)
	if a.Status != "approved" || a.ApprovedOverrideReason == nil || *a.ApprovedOverrideReason != "市政府专题会议纪要同意先占后补" || len(a.ApprovedPreview) == 0 {
		t.Errorf("approved adjustment %+v", a)
	}
	var override, preview *string
	pool.QueryRow(ctx, `SELECT new_row->>'approved_override_reason', new_row->'approved_preview'->>'accepted' FROM audit_log
WHERE table_name = 'adjustments' AND op = 'UPDATE' AND row_key = $1 ORDER BY id DESC LIMIT 1`, fmt.Sprint(id)).Scan(&override, &preview)
	if override == nil || *override != "市政府专题会议纪要同意先占后补" || preview == nil || *preview != "false" {
		t.Errorf("audit of the approval: override %v, preview accepted %v", override, preview)
	}
	// Apply still refuses what the rule refuses.
	_, err = apply(t, pool, id)
	wantRule(t, err, "LRR01", "compensation short")

	// Dates.
	for _, c := range []struct {
		name                               string
		proposed, pubFrom, pubTo, approved string
		fragment                           string
	}{
		{"approval before the proposal", "2023-06-01", "", "", "2023-05-31", "dated before the proposal"},
		{"approval before the publicity ends", "2023-05-01", "2023-05-10", "2023-06-10", "2023-06-09", "before the publicity ends"},
		{"approval after the effective date", "2023-05-01", "", "", "2023-07-01", "after the effective date"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _ := time.Parse(time.DateOnly, c.proposed)
			na := store.NewAdjustment{Xzqdm: "330304", Kind: "调整", Reason: "x", EffectiveDate: d, ProposedOn: &p,
				Parts: []store.NewPart{{Role: "addition", Level: 1, Geom: polygonal(wkbOf(smallAdd))}}}
			if c.pubFrom != "" {
				f, _ := time.Parse(time.DateOnly, c.pubFrom)
				to, _ := time.Parse(time.DateOnly, c.pubTo)
				na.PublicityFrom, na.PublicityTo = &f, &to
			}
			id, err := store.CreateAdjustment(ctx, pool, store.Change{Actor: "planner"}, na)
			if err != nil {
				t.Fatal(err)
			}
			on, _ := time.Parse(time.DateOnly, c.approved)
			_, err = store.Approve(ctx, pool, store.Change{Actor: "admin"}, id, "", on, "")
			pg := wantRule(t, err, "LRA04", c.fragment)
			if pg.ColumnName != "approved_on" {
				t.Errorf("column %q", pg.ColumnName)
			}
		})
	}
	future := time.Now().AddDate(0, 0, 3)
	_, err = store.CreateAdjustment(ctx, pool, store.Change{Actor: "planner"}, store.NewAdjustment{Xzqdm: "330304", Kind: "调整",
		Reason: "x", EffectiveDate: d, ProposedOn: &future, Parts: []store.NewPart{{Role: "addition", Level: 1, Geom: polygonal(wkbOf(smallAdd))}}})
	wantRule(t, err, "LRA04", "after today")
	before := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = store.CreateAdjustment(ctx, pool, store.Change{Actor: "planner"}, store.NewAdjustment{Xzqdm: "330304", Kind: "调整",
		Reason: "x", EffectiveDate: d, ProposedOn: &proposed, PublicityFrom: &before, PublicityTo: &before,
		Parts: []store.NewPart{{Role: "addition", Level: 1, Geom: polygonal(wkbOf(smallAdd))}}})
	wantRule(t, err, "LRA04", "before the proposal")
	var pe *store.PartError
	if errors.As(err, &pe) {
		t.Errorf("a date error reported as a part's: %v", err)
	}
}

func wkbOf(g orb.MultiPolygon) []byte {
	b, err := wkb.Marshal(g)
	if err != nil {
		panic(err)
	}
	return b
}
