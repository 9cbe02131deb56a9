package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/store"
)

// insertPlots writes n small plots of district 330304 in one INSERT … SELECT (codes from
// 330304002001GB first+1), stating created_by and reason as a direct editor may.
func insertPlots(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, first, n int) error {
	_, err := db.Exec(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, created_by, reason)
SELECT format('330304002001GB%s', lpad(i::text, 5, '0')), '330304', '0601',
  ST_Multi(ST_MakeEnvelope(120.51 + (i % 100) * 0.001, 27.89 + (i / 100) * 0.001, 120.5108 + (i % 100) * 0.001, 27.8908 + (i / 100) * 0.001, 4490)),
  '伪造的操作人 / forged', '伪造的原因 / forged'
FROM generate_series($1::int + 1, $1::int + $2::int) i`, first, n)
	return err
}

// TestBulkInsertAuditedOnce (issue 18.4): a statement that inserts more than 1,000
// parcels is audited by one row naming its actor, reason, row count and the parcels'
// ids, whoever writes it, here a login granted INSERT on parcels writing in QGIS's way
// (no change context) and stating another created_by: the audit row names the login,
// and every reader of the audit (store.ParcelAudit, the dossier) shows each parcel's
// entry with that actor and the row as written. A statement of 1,000 rows keeps a row
// per parcel.
func TestBulkInsertAuditedOnce(t *testing.T) {
	ctx := context.Background()
	pool := idleDB(t)
	cfg := dbtest.NewLogin(t, pool, "landreg_planner")
	if _, err := pool.Exec(ctx, fmt.Sprintf(`GRANT INSERT ON parcels TO %[1]s; GRANT USAGE ON SEQUENCE parcels_id_seq TO %[1]s`,
		pgx.Identifier{cfg.User}.Sanitize())); err != nil {
		t.Fatal(err)
	}
	editor, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer editor.Close(ctx)
	// The one session setting that silences triggers is not the editor's.
	if _, err := editor.Exec(ctx, `SET session_replication_role = 'replica'`); err == nil {
		t.Fatal("a login may set session_replication_role (it would silence every trigger)")
	}
	if err := insertPlots(ctx, editor, 0, 1000); err != nil {
		t.Fatal(err)
	}
	if err := insertPlots(ctx, editor, 1000, 1001); err != nil {
		t.Fatal(err)
	}
	actor := "db:" + cfg.User
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'parcels' AND actor = $1 AND row_key IS NOT NULL AND new_row IS NOT NULL`, actor); n != 1000 {
		t.Errorf("a 1,000-row insert: %d audit rows of its own, want one per parcel", n)
	}
	var rows int
	var ids, want string
	err = pool.QueryRow(ctx, `SELECT a.row_count, a.row_ids::text,
  (SELECT range_agg(int8range(id, id, '[]'))::text FROM parcels WHERE zddm > '330304002001GB01000')
FROM audit_log a WHERE a.table_name = 'parcels' AND a.row_count IS NOT NULL AND a.actor = $1 AND a.op = 'INSERT' AND a.reason IS NULL
  AND a.row_key IS NULL AND a.old_row IS NULL AND a.new_row IS NULL`, actor).Scan(&rows, &ids, &want)
	if err != nil {
		t.Fatalf("the 1,001-row insert's one audit row: %v", err)
	}
	if rows != 1001 || ids != want {
		t.Errorf("the statement's audit row: %d rows, ids %s; want 1001, %s", rows, ids, want)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'parcels'`); n != 1001 {
		t.Errorf("%d audit rows of parcels, want 1,000 + 1", n)
	}

	// The readers: each of the 1,001 parcels has one entry, the login's, at the version's
	// system time, with the row it wrote (created_by as the editor stated it).
	var all []int64
	r, err := pool.Query(ctx, `SELECT id FROM parcels WHERE zddm > '330304002001GB01000' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if all, err = pgx.CollectRows(r, pgx.RowTo[int64]); err != nil || len(all) != 1001 {
		t.Fatalf("%d parcels: %v", len(all), err)
	}
	entries, err := store.ParcelAudit(ctx, pool, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range all {
		es := entries[id]
		if len(es) != 1 || es[0].Actor != actor || es[0].Op != "INSERT" || es[0].Table != "parcels" || es[0].Key == nil ||
			*es[0].Key != fmt.Sprint(id) || es[0].StatementRows == nil || *es[0].StatementRows != 1001 || es[0].Old != nil {
			t.Fatalf("parcel %d: audit entries %+v", id, es)
		}
		var row map[string]any
		if err := json.Unmarshal(es[0].New, &row); err != nil {
			t.Fatal(err)
		}
		if row["id"] != float64(id) || row["created_by"] != "伪造的操作人 / forged" || row["version"] != float64(1) || row["area_m2"] == nil ||
			row["geom"] != nil || row["props_json"] != nil {
			t.Fatalf("parcel %d: audited row %v", id, row)
		}
	}
	d, err := store.ParcelDossier(ctx, pool, all[500])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Audit) != 1 || d.Audit[0].Actor != actor || !d.Audit[0].At.Equal(d.Versions[0].SysFrom) {
		t.Errorf("dossier of parcel %d: audit %+v, versions %+v", all[500], d.Audit, d.Versions)
	}
	// A later edit of one of them is audited on its own, after the import's entry.
	if err := store.InTx(ctx, pool, store.Change{Actor: "registrar", Reason: "更正"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE parcels SET location = '园区路 1 号' WHERE id = $1`, all[500])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if d, err = store.ParcelDossier(ctx, pool, all[500]); err != nil {
		t.Fatal(err)
	}
	if len(d.Audit) != 2 || d.Audit[0].Actor != actor || d.Audit[1].Actor != "registrar" || d.Audit[1].Op != "UPDATE" || d.Audit[1].StatementRows != nil {
		t.Errorf("dossier after an edit: %+v", d.Audit)
	}
	// The editor cannot reach the audit log itself.
	for _, q := range []string{`INSERT INTO audit_log (actor, table_name, op, row_count, row_ids) VALUES ('x', 'parcels', 'INSERT', 1, '{[1,1]}')`,
		`UPDATE audit_log SET actor = 'x' WHERE row_count IS NOT NULL`, `DELETE FROM audit_log WHERE row_count IS NOT NULL`} {
		if _, err := editor.Exec(ctx, q); err == nil {
			t.Errorf("the editor ran %s", q)
		}
	}
}

// TestParcelReferencesPerStatement (issue 18.4): the references of parcels to districts
// and enterprises, checked once per statement in place of the foreign keys, refuse what
// the foreign keys refused with the same problem (unknown-reference, the field), lock
// the referenced rows as RI does (a delete of a parcel's holder waits for the parcel's
// transaction and is then refused) and keep the referenced side from deleting, re-keying
// or truncating what parcels name.
func TestParcelReferencesPerStatement(t *testing.T) {
	ctx := context.Background()
	pool := idleDB(t)
	holder, other := testUSCC(901), testUSCC(902)
	if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ($1, '甲'), ($2, '乙')`, holder, other); err != nil {
		t.Fatal(err)
	}
	id := addParcel(t, pool, parcelSpec{holder: holder})
	refused := func(what string, err error, kind, field string) {
		t.Helper()
		e := store.Translate(err)
		if e == nil || e.Kind != kind || e.Field != field || e.Zh == "" || e.En == "" || strings.Contains(e.Error(), "_fkey") {
			t.Errorf("%s: %v (%+v), want %s of %s", what, err, e, kind, field)
		}
	}
	_, err := pool.Exec(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom) VALUES ('330399001001GB00001', '330399', '0601',
  ST_Multi(ST_MakeEnvelope(120.6, 27.9, 120.601, 27.901, 4490)))`)
	refused("a parcel of an unknown district", err, "unknown-reference", "xzqdm")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23503" || pe.ConstraintName != "parcels_xzqdm_fkey" || pe.Detail != `Key (xzqdm)=(330399) is not present in table "districts".` {
		t.Errorf("the error is not the foreign key's: %+v", pe)
	}
	if e := store.Translate(err); e == nil || !strings.Contains(e.Zh, "330399") {
		t.Errorf("the message does not name the district: %v", e)
	}
	_, err = pool.Exec(ctx, `UPDATE parcels SET holder_uscc = $2 WHERE id = $1`, id, testUSCC(903))
	refused("an unregistered holder", err, "unknown-reference", "holder_uscc")
	// One bad row among 1,500 refuses the statement: nothing written.
	before := count(t, pool, `SELECT count(*) FROM parcels`)
	err = store.InTx(ctx, pool, store.Change{Actor: "test"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, holder_uscc)
SELECT format('330304003001GB%s', lpad(i::text, 5, '0')), '330304', '0601',
  ST_Multi(ST_MakeEnvelope(120.51 + (i % 100) * 0.001, 27.95 + (i / 100) * 0.001, 120.5108 + (i % 100) * 0.001, 27.9508 + (i / 100) * 0.001, 4490)),
  CASE WHEN i = 777 THEN $1 ELSE $2 END
FROM generate_series(1, 1500) i`, testUSCC(904), other)
		return err
	})
	refused("one unregistered holder among 1,500", err, "unknown-reference", "holder_uscc")
	if n := count(t, pool, `SELECT count(*) FROM parcels`); n != before {
		t.Errorf("%d parcels after a refused statement, want %d", n, before)
	}

	// The referenced side.
	_, err = pool.Exec(ctx, `DELETE FROM enterprises WHERE uscc = $1`, holder)
	refused("deleting a parcel's holder", err, "unknown-reference", "uscc")
	if e := store.Translate(err); e == nil || !strings.Contains(e.En, "still referenced") {
		t.Errorf("deleting a parcel's holder: %v", e)
	}
	_, err = pool.Exec(ctx, `UPDATE enterprises SET uscc = $2 WHERE uscc = $1`, holder, testUSCC(905))
	refused("re-keying a parcel's holder", err, "unknown-reference", "uscc")
	if _, err := pool.Exec(ctx, `UPDATE enterprises SET name = '甲公司' WHERE uscc = $1`, holder); err != nil {
		t.Errorf("renaming a parcel's holder: %v", err)
	}
	if _, err := pool.Exec(ctx, `TRUNCATE enterprises CASCADE`); err == nil {
		t.Error("enterprises truncated under their parcels")
	}
	err = store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "撤区"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM districts WHERE xzqdm = '330304'`)
		return err
	})
	if err == nil {
		t.Error("a district with parcels was deleted")
	}
	if n := count(t, pool, `SELECT count(*) FROM enterprises WHERE uscc = $1`, holder); n != 1 {
		t.Errorf("the holder is gone")
	}
	// Under REPEATABLE READ a concurrent parcel could be missed: removing a key is refused.
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM enterprises WHERE uscc = $1`, other)
	tx.Rollback(ctx)
	if !errors.As(err, &pe) || pe.Code != "LR009" || !strings.Contains(pe.Message, " / ") {
		t.Errorf("a REPEATABLE READ delete of an enterprise: %v", err)
	}

	// Locking: a parcel being written for "other" holds it; the delete waits, then sees
	// the parcel and is refused.
	writer, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback(ctx)
	if _, err := writer.Exec(ctx, `UPDATE parcels SET holder_uscc = $2 WHERE id = $1`, id, other); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := pool.Exec(ctx, `DELETE FROM enterprises WHERE uscc = $1`, other)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the delete did not wait for the parcel's transaction: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	if err := writer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	refused("deleting a holder a concurrent transaction gave a parcel", <-done, "unknown-reference", "uscc")
	// An enterprise no parcel names may go.
	if _, err := pool.Exec(ctx, `DELETE FROM enterprises WHERE uscc = $1`, holder); err != nil {
		t.Errorf("deleting an enterprise no parcel names: %v", err)
	}
}

// TestAreaFromGeometry (issue 18.4): a parcel's area_m2, set by its trigger (no longer a
// generated column), is the geometry's ellipsoidal area after every write, and cannot be
// written: a stated area other than the geometry's is refused naming the field, never
// replaced silently (the area a pasted copy carries is the geometry's, and accepted).
func TestAreaFromGeometry(t *testing.T) {
	ctx := context.Background()
	pool := idleDB(t)
	id := addParcel(t, pool, parcelSpec{})
	exact := `SELECT count(*) FROM parcels WHERE area_m2 = ST_Area(geom::geography) AND props_json::json->>'area_m2' = round(area_m2::numeric, 2)::text`
	if n := count(t, pool, exact); n != 1 {
		t.Fatalf("area after an insert: %d of 1 parcels exact", n)
	}
	for _, q := range []string{`UPDATE parcels SET area_m2 = 5 WHERE id = $1`, `UPDATE parcels SET area_m2 = NULL WHERE id = $1`,
		`UPDATE parcels SET geom = ST_Multi(ST_Buffer(ST_Centroid(geom), 0.0001)), area_m2 = area_m2 + 1 WHERE id = $1`,
		`INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, area_m2) SELECT '330304004001GB00001', xzqdm, landuse_code, geom, 1 FROM parcels WHERE id = $1`} {
		_, err := pool.Exec(ctx, q, id)
		e := store.Translate(err)
		if e == nil || e.Field != "area_m2" || !strings.Contains(e.Zh, "不可填写") || !strings.Contains(e.En, "cannot be written") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE parcels SET geom = ST_Multi(ST_Buffer(ST_Centroid(geom), 0.0001)) WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, area_m2)
SELECT '330304004001GB00002', xzqdm, landuse_code, geom, area_m2 FROM parcels WHERE id = $1`, id); err != nil {
		t.Errorf("a copy stating its own area: %v", err)
	}
	if n := count(t, pool, exact); n != 2 {
		t.Errorf("area after a geometry edit and a copy: %d of 2 parcels exact", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM parcels_history WHERE id = $1 AND area_m2 = ST_Area(geom::geography)`, id); n != 1 {
		t.Errorf("the closed version keeps its area: %d", n)
	}
}

// TestParcelReferencesConcurrent: a parcel naming an enterprise and the enterprise's
// deletion, in two transactions racing in either order, many rounds: exactly one of
// them commits, refused the other with the foreign key's error, and afterwards no parcel
// in the database names a missing enterprise or district.
func TestParcelReferencesConcurrent(t *testing.T) {
	ctx := context.Background()
	pool := idleDB(t)
	const rounds = 40
	for r := 0; r < rounds; r++ {
		uscc := testUSCC(3000 + r)
		if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ($1, '并发 ' || $1)`, uscc); err != nil {
			t.Fatal(err)
		}
		ch := store.Change{Actor: "test", Reason: "并发 / concurrent"}
		// Each side holds its write uncommitted for a moment, longer on alternate rounds,
		// so that either one's lock can come first.
		pause := func(side int) { time.Sleep(time.Duration((r+side)%3) * time.Millisecond) }
		start := make(chan struct{})
		errs := make(chan error, 2)
		go func() {
			<-start
			errs <- store.InTx(ctx, pool, ch, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, holder_uscc)
VALUES (format('330304005001GB%s', lpad($1::int::text, 5, '0')), '330304', '0601',
  ST_Multi(ST_MakeEnvelope(120.52 + $1::int * 0.002, 28.01, 120.521 + $1::int * 0.002, 28.011, 4490)), $2)`, r, uscc)
				pause(0)
				return err
			})
		}()
		go func() {
			<-start
			errs <- store.InTx(ctx, pool, ch, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `DELETE FROM enterprises WHERE uscc = $1`, uscc)
				pause(1)
				return err
			})
		}()
		close(start)
		var failed []error
		for i := 0; i < 2; i++ {
			if err := <-errs; err != nil {
				failed = append(failed, err)
			}
		}
		if len(failed) != 1 {
			t.Fatalf("round %d: %d of the two writers refused (%v), want exactly one", r, len(failed), failed)
		}
		if e := store.Translate(failed[0]); e == nil || e.Kind != "unknown-reference" {
			t.Errorf("round %d: %v, want the reference's problem", r, failed[0])
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM parcels p
WHERE (p.holder_uscc IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.uscc = p.holder_uscc))
   OR NOT EXISTS (SELECT 1 FROM districts d WHERE d.xzqdm = p.xzqdm)`); n != 0 {
		t.Errorf("%d parcels name a missing enterprise or district", n)
	}
	kept := count(t, pool, `SELECT count(*) FROM parcels WHERE zddm LIKE '330304005001GB%'`)
	gone := count(t, pool, `SELECT count(*) FROM generate_series(0, $1 - 1) r
WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.uscc = format('91330304%s', lpad((3000 + r)::text, 9, '0')) || 'X')`, rounds)
	if kept+gone != rounds {
		t.Errorf("%d parcels written and %d enterprises deleted in %d rounds", kept, gone, rounds)
	}
	t.Logf("%d rounds: the parcel won %d, the deletion %d", rounds, kept, gone)
}
