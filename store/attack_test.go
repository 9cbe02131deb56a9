package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/landreg/landreg/dbtest"
)

// plannerLogin creates a LOGIN role in landreg_planner (as the cluster's superuser, the
// only one allowed to create roles) and returns a connection of it to pool's database.
func plannerLogin(t *testing.T, pool *pgxpool.Pool) (*pgx.Conn, string) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	role := "qgis_planner_" + hex.EncodeToString(b)
	pw := hex.EncodeToString(b) + "-pw"
	admin, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s' IN ROLE landreg_planner", role, pw)); err != nil {
		t.Fatal(err)
	}
	db := pool.Config().ConnConfig.Database
	t.Cleanup(func() {
		ctx := context.Background()
		if a, err := pgx.Connect(ctx, dbtest.AdminURL(t)); err == nil {
			cfg := a.Config().Copy()
			a.Close(ctx)
			cfg.Database = db
			if c, err := pgx.ConnectConfig(ctx, cfg); err == nil {
				c.Exec(ctx, "DROP OWNED BY "+role)
				c.Close(ctx)
			}
			if a, err := pgx.Connect(ctx, dbtest.AdminURL(t)); err == nil {
				a.Exec(ctx, "DROP ROLE IF EXISTS "+role)
				a.Close(ctx)
			}
		}
	})
	cfg := pool.Config().ConnConfig.Copy()
	cfg.User, cfg.Password = role, pw
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn, role
}

// registerState is what an attack must leave as it was.
type registerState struct {
	lines, ledger, uses int
	total               float64
}

func snapshot(t *testing.T, pool *pgxpool.Pool) registerState {
	t.Helper()
	var s registerState
	err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM block_lines),
  (SELECT count(*) FROM block_line_ledger), (SELECT count(*) FROM compensation_use),
  (SELECT coalesce(sum(area_m2), 0) FROM block_lines)`).Scan(&s.lines, &s.ledger, &s.uses, &s.total)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPlannerCannotSwitchTheRuleOff tries, as a planner's own database login, every
// session setting the triggers once trusted, each in its own transaction, to remove a
// whole block line; each must be refused and leave the register and its ledger as they
// were. The actor of a direct login is the login, whatever it sets.
func TestPlannerCannotSwitchTheRuleOff(t *testing.T) {
	pool := setup(t)
	ctx := context.Background()
	conn, role := plannerLogin(t, pool)
	draft := propose(t, pool, "调整", "2023-06-30", []orb.MultiPolygon{stripA}, nil)
	if _, err := pool.Exec(ctx, `UPDATE adjustments SET status = 'draft' WHERE id = $1`, draft); err != nil {
		t.Fatal(err)
	}
	old := propose(t, pool, "划定", "2020-12-31", nil, nil) // approved, dated before the rule window
	before := snapshot(t, pool)
	const remove = `DELETE FROM block_lines WHERE code = '330304-GYQK-02'`
	attacks := []struct {
		name  string
		steps []string
	}{
		{"preview on", []string{`SET LOCAL landreg.preview = 'on'`, remove}},
		{"rule already checked", []string{`SET LOCAL landreg.rule_checked = ':330304:'`, remove}},
		{"unapproved adjustment", []string{fmt.Sprintf(`SET LOCAL landreg.adjustment_id = '%d'`, draft), remove}},
		{"unapproved adjustment in preview", []string{fmt.Sprintf(`SET LOCAL landreg.adjustment_id = '%d'`, draft), `SET LOCAL landreg.preview = 'on'`, remove}},
		{"date before the rule window", []string{`SET LOCAL landreg.effective_date = '2020-12-31'`, remove}},
		{"date after the rule window", []string{`SET LOCAL landreg.effective_date = '2031-01-01'`, remove}},
		{"valid_from before the window", []string{`UPDATE block_lines SET valid_from = '2020-12-31', geom = ST_Multi(ST_MakeEnvelope(120.640, 27.930, 120.6401, 27.9301, 4490)) WHERE code = '330304-GYQK-02'`}},
		{"check forced early", []string{`UPDATE block_lines SET name = name || '改' WHERE code = '330304-GYQK-02'`, `SET CONSTRAINTS ALL IMMEDIATE`, remove}},
		{"old adjustment named on the row", []string{fmt.Sprintf(`UPDATE block_lines SET adjustment_id = %d, geom = ST_Multi(ST_MakeEnvelope(120.640, 27.930, 120.6401, 27.9301, 4490)) WHERE code = '330304-GYQK-02'`, old)}},
		{"forged change context", []string{`SELECT landreg_sys.begin_change('admin', 'x', '2020-12-31')`, remove}},
		{"direct rule call", []string{remove, `SELECT landreg_sys.check_district('330304')`}},
		{"direct apply", []string{fmt.Sprintf(`SELECT landreg_sys.apply_adjustment(%d)`, draft)}},
		{"forged context row", []string{`INSERT INTO landreg_sys.change_context (xid, actor, trusted, effective_date) VALUES (pg_current_xact_id(), 'admin', true, '2020-12-31')`, remove}},
	}
	for _, a := range attacks {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range a.steps {
			if _, err = tx.Exec(ctx, s); err != nil {
				break
			}
		}
		if err == nil {
			err = tx.Commit(ctx)
		} else {
			tx.Rollback(ctx)
		}
		if err == nil {
			t.Errorf("%s: the removal was committed", a.name)
		}
		if after := snapshot(t, pool); after != before {
			t.Errorf("%s: register changed from %+v to %+v (error %v)", a.name, before, after, err)
		}
	}

	// A setting cannot rename the actor of a direct login either.
	tx, _ := conn.Begin(ctx)
	tx.Exec(ctx, `SET LOCAL landreg.actor = 'admin'`)
	if _, err := tx.Exec(ctx, `INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES ('330304-GYQK-20', '新增', '330304', 2, ST_Multi(ST_MakeEnvelope(120.600, 27.930, 120.601, 27.931, 4490)))`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var actors string
	pool.QueryRow(ctx, `SELECT string_agg(DISTINCT actor, ',') FROM (
  SELECT actor FROM audit_log WHERE table_name = 'block_lines' AND new_row->>'code' = '330304-GYQK-20'
  UNION ALL SELECT created_by FROM block_lines WHERE code = '330304-GYQK-20'
  UNION ALL SELECT actor FROM block_line_ledger WHERE id = (SELECT max(id) FROM block_line_ledger)) a`).Scan(&actors)
	if actors != "db:"+role {
		t.Errorf("actors of a direct addition under landreg.actor = 'admin': %q, want db:%s", actors, role)
	}
}

// TestParallelAppliesKeepEveryCut applies many adjustments of one district at once,
// round after round, each cutting its own strip out of the same line and paid from one
// shared reserve; afterwards the database must show every applied cut outside the
// current lines and every reserve use belonging to an applied removal of that size.
func TestParallelAppliesKeepEveryCut(t *testing.T) {
	const rounds, perRound = 6, 8
	pool := setup(t)
	ctx := context.Background()
	// One bank large enough for about two thirds of all cuts, so some applies must fail.
	mustApply(t, pool, propose(t, pool, "补划", "2021-06-30", nil, []add{{1, rect(120.600, 27.930, 120.6022, 27.940)}}))
	n := 0
	for r := 0; r < rounds; r++ {
		ids := make([]int64, perRound)
		for i := range ids {
			x := 120.6201 + float64(n)*0.0002 // strips inside line A, 0.0001° wide, apart
			n++
			ids[i] = propose(t, pool, "调整", "2023-03-31", []orb.MultiPolygon{rect(x, 27.931, x+0.0001, 27.939)}, nil)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := apply(t, pool, id); err != nil && !strings.Contains(err.Error(), "LRR01") {
					t.Errorf("apply %d: %v", id, err)
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	var applied, inside, orphanUses, wrongUses int
	err := pool.QueryRow(ctx, `
WITH applied AS (SELECT id FROM adjustments WHERE status = 'applied' AND kind = '调整')
SELECT (SELECT count(*) FROM applied),
  (SELECT count(*) FROM applied a JOIN adjustment_parts p ON p.adjustment_id = a.id AND p.role = 'removal'
   WHERE EXISTS (SELECT FROM block_lines b WHERE b.geom && p.geom
                 AND ST_Area(ST_Intersection(b.geom, p.geom)::geography) > 0.01)),
  (SELECT count(*) FROM compensation_use u
   WHERE u.adjustment_id IS NULL OR u.adjustment_id NOT IN (SELECT id FROM applied)),
  (SELECT count(*) FROM applied a
   WHERE abs((SELECT coalesce(sum(area_m2), 0) FROM compensation_use WHERE adjustment_id = a.id)
             - (SELECT sum(area_m2) FROM adjustment_parts WHERE adjustment_id = a.id AND role = 'removal')) > 0.01)`).
		Scan(&applied, &inside, &orphanUses, &wrongUses)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rounds of %d parallel applies: %d applied", rounds, perRound, applied)
	if applied == 0 || applied == rounds*perRound {
		t.Errorf("%d of %d applied: the reserve should cover some but not all", applied, rounds*perRound)
	}
	if wrongUses != 0 {
		rows, _ := pool.Query(ctx, `SELECT a.id, (SELECT coalesce(sum(area_m2), 0) FROM compensation_use WHERE adjustment_id = a.id),
  (SELECT sum(area_m2) FROM adjustment_parts WHERE adjustment_id = a.id AND role = 'removal'),
  (SELECT removed_m2_l1 FROM block_line_ledger WHERE adjustment_id = a.id), (SELECT reserve_used_m2 FROM block_line_ledger WHERE adjustment_id = a.id)
  FROM adjustments a WHERE status = 'applied' AND kind = '调整' ORDER BY id`)
		for rows.Next() {
			var id int64
			var u, r, lr, lu float64
			rows.Scan(&id, &u, &r, &lr, &lu)
			t.Logf("adjustment %d: uses %.3f removal %.3f ledger removed %.3f used %.3f", id, u, r, lr, lu)
		}
		rows.Close()
	}
	if inside != 0 || orphanUses != 0 || wrongUses != 0 {
		t.Errorf("applied removals still inside the lines: %d; reserve uses of no applied removal: %d; applies whose uses differ from their removal: %d",
			inside, orphanUses, wrongUses)
	}
	// The ledger agrees with the lines: its last total is the lines' total now.
	var ledgerTotal, linesTotal float64
	pool.QueryRow(ctx, `SELECT total_after_m2 FROM block_line_ledger ORDER BY id DESC LIMIT 1`).Scan(&ledgerTotal)
	pool.QueryRow(ctx, `SELECT sum(area_m2) FROM block_lines`).Scan(&linesTotal)
	if !near(ledgerTotal, linesTotal) {
		t.Errorf("ledger total %v, lines total %v", ledgerTotal, linesTotal)
	}
}
