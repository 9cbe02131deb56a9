package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg/store"
)

// TestDisposalPreconditions: the legal order of the idle-land disposal (issue 15.6,
// landreg_sys.disposal_rules) refuses, for every writer, a determination without an open
// survey notice, a fee or a decision without a determination, a fee on land not idle a
// year of the holder's making, and accepts the procedure in order. Each parcel's start
// deadline is 2020-01-01: idle from 2021-01-01, 闲置满两年 from 2022-01-01.
func TestDisposalPreconditions(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	refused := func(id int64, e ev, code, field string) {
		t.Helper()
		err := insertEvent(ctx, pool, id, e, nil)
		var pg *pgconn.PgError
		if !errors.As(err, &pg) || pg.Code != code || pg.ColumnName != field || !strings.Contains(pg.Message, " / ") {
			t.Errorf("%s %s: got %v (column %q), want %s on %s", e.typ, e.date, err, columnOf(err), code, field)
			return
		}
		if k := store.Translate(err); code == "LRE08" && (k == nil || k.Kind != "disposal-precondition" || k.Field != field) {
			t.Errorf("%s %s: translated %+v", e.typ, e.date, k)
		}
	}
	ok := func(id int64, e ev) {
		t.Helper()
		if err := insertEvent(ctx, pool, id, e, nil); err != nil {
			t.Errorf("%s %s refused: %v", e.typ, e.date, err)
		}
	}
	fee := map[string]any{"amount_wan": 20}

	a := addParcel(t, pool, parcelSpec{})
	refused(a, ev{"IDLE_DETERMINED", "2021-03-01", nil}, "LRE08", "event_date") // no notice
	refused(a, ev{"IDLE_FEE_LEVIED", "2021-03-01", fee}, "LRE08", "type")       // no procedure
	refused(a, ev{"DISPOSED", "2021-03-01", map[string]any{"method": "置换土地"}}, "LRE08", "type")
	ok(a, ev{"IDLE_NOTICE", "2021-02-01", nil})
	refused(a, ev{"IDLE_DETERMINED", "2021-01-31", nil}, "LRE08", "event_date") // before the notice
	refused(a, ev{"IDLE_FEE_LEVIED", "2021-03-01", fee}, "LRE08", "event_date") // notice, no determination
	// While a procedure is open, an extension and a compensated recovery are decisions too.
	refused(a, ev{"EXTENSION_APPROVED", "2021-03-01", map[string]any{"new_start_deadline": "2021-01-01"}}, "LRE08", "event_date")
	refused(a, ev{"RECOVERY_DECIDED", "2021-03-01", map[string]any{"basis": "COMPENSATED", "compensation_wan": 50}}, "LRE08", "event_date")
	ok(a, ev{"IDLE_DETERMINED", "2021-03-01", nil})
	refused(a, ev{"DISPOSED", "2021-04-01", map[string]any{"decision": "COMPENSATED"}}, "LRE02", "payload.decision")
	refused(a, ev{"DISPOSED", "2021-04-01", map[string]any{"decision": 3}}, "LRE02", "payload.decision")
	ok(a, ev{"IDLE_FEE_LEVIED", "2021-04-01", fee})
	// 无偿收回: two years idle first (LRE07, ruling 9), then it is a decision like any.
	refused(a, ev{"RECOVERY_DECIDED", "2021-12-01", map[string]any{"basis": "UNCOMPENSATED"}}, "LRE07", "payload.basis")
	ok(a, ev{"DISPOSED", "2021-06-01", map[string]any{"decision": "CHANGE_USE", "method": "调整用途"}})
	// The decision closed the procedure: a new determination needs a new notice.
	refused(a, ev{"IDLE_DETERMINED", "2021-07-01", nil}, "LRE08", "event_date")
	refused(a, ev{"IDLE_FEE_LEVIED", "2021-07-01", fee}, "LRE08", "type")

	// A fee before the land is idle a full year: refused on its date.
	b := addParcel(t, pool, parcelSpec{events: []ev{{"IDLE_NOTICE", "2020-06-01", nil}, {"IDLE_DETERMINED", "2020-07-01", nil}}})
	refused(b, ev{"IDLE_FEE_LEVIED", "2020-12-31", fee}, "LRE08", "event_date")
	ok(b, ev{"IDLE_FEE_LEVIED", "2021-01-01", fee})
	// The procedure of 2020 is still open (a fee decides nothing): 无偿收回 once two years idle.
	ok(b, ev{"RECOVERY_DECIDED", "2022-02-01", map[string]any{"basis": "UNCOMPENSATED"}})

	// A government cause: the procedure runs, but no fee.
	g := addParcel(t, pool, parcelSpec{events: []ev{{"GOV_CAUSE", "2019-12-10", map[string]any{"from": "2019-12-01", "to": nil}},
		{"IDLE_NOTICE", "2021-02-01", nil}, {"IDLE_DETERMINED", "2021-03-01", nil}}})
	refused(g, ev{"IDLE_FEE_LEVIED", "2021-04-01", fee}, "LRE08", "type")
	refused(g, ev{"RECOVERY_DECIDED", "2022-06-01", map[string]any{"basis": "UNCOMPENSATED"}}, "LRE07", "payload.basis")
	ok(g, ev{"EXTENSION_APPROVED", "2021-04-01", map[string]any{"new_start_deadline": "2021-01-01"}})

	// Outside a procedure an extension is a contract's and a compensated recovery one for
	// other ends (收储): accepted.
	c := addParcel(t, pool, parcelSpec{})
	ok(c, ev{"EXTENSION_APPROVED", "2019-11-01", map[string]any{"new_start_deadline": "2020-06-01"}})
	d := addParcel(t, pool, parcelSpec{})
	ok(d, ev{"RECOVERY_DECIDED", "2022-03-01", map[string]any{"basis": "COMPENSATED", "compensation_wan": 120}})
}

func columnOf(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ColumnName
	}
	return ""
}

// TestDisposalLedger: the ledger's steps, due dates and days overdue on a scenario
// computed by hand, the period of the policy version in force when it began, and the
// ledger of a past date as known then unchanged by later records. District 330304's
// policy: notice 20 days, determination 45, decision 100, fee payment 15; from
// 2021-06-01 determination 10. Every parcel's start deadline is 2020-01-01: idle from
// 2021-01-01, 闲置满两年 from 2022-01-01.
func TestDisposalLedger(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO idle_policy (xzqdm, valid_from, doc_no, notice_days, determination_days, decision_days, fee_payment_days)
VALUES ('330304', '1900-01-01', '温资规〔2020〕1号', 20, 45, 100, 15)`,
		`INSERT INTO idle_policy (xzqdm, valid_from, doc_no, notice_days, determination_days, decision_days, fee_payment_days)
VALUES ('330304', '2021-06-01', '温资规〔2021〕5号', 20, 10, 100, 15)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	p1 := addParcel(t, pool, parcelSpec{})
	p2 := addParcel(t, pool, parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-02-01", nil}}})
	p3 := addParcel(t, pool, parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-06-15", nil}}})
	p4 := addParcel(t, pool, parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-02-01", nil}, {"IDLE_DETERMINED", "2021-03-01", nil},
		{"IDLE_FEE_LEVIED", "2021-04-01", map[string]any{"amount_wan": 20}}}})
	p5 := addParcel(t, pool, parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-02-01", nil}, {"IDLE_DETERMINED", "2021-03-01", nil}}})
	normal := addParcel(t, pool, parcelSpec{agreedStart: ptr("2021-12-01")}) // not idle by 2022-05-01, no procedure: not listed

	type want struct {
		step, next, due string
		overdue         int
		version         int
	}
	check := func(date string, known *time.Time, overdueOnly bool, exp map[int64]want) []store.DisposalRow {
		t.Helper()
		rows, err := store.DisposalLedger(ctx, pool, day(date), known, "330304", overdueOnly)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]store.DisposalRow{}
		for _, r := range rows {
			got[r.ParcelID] = r
		}
		if len(got) != len(exp) {
			t.Errorf("%s: %d rows, want %d: %+v", date, len(got), len(exp), rows)
		}
		for id, w := range exp {
			r, ok := got[id]
			if !ok {
				t.Errorf("%s: parcel %d missing", date, id)
				continue
			}
			next, due, version := "", "", 0
			if r.NextStep != nil {
				next = *r.NextStep
			}
			if r.NextDue != nil {
				due = r.NextDue.Format(time.DateOnly)
			}
			if r.PolicyVersion != nil {
				version = *r.PolicyVersion
			}
			if r.Step != w.step || next != w.next || due != w.due || r.OverdueDays != w.overdue || version != w.version {
				t.Errorf("%s parcel %d: step %s next %s due %s overdue %d version %d, want %+v", date, id, r.Step, next, due,
					r.OverdueDays, version, w)
			}
		}
		for i := 1; i < len(rows); i++ {
			if rows[i].OverdueDays > rows[i-1].OverdueDays {
				t.Errorf("%s: not most overdue first: %d after %d", date, rows[i].OverdueDays, rows[i-1].OverdueDays)
			}
		}
		return rows
	}
	_ = normal
	// 2021-03-01: p1 idle since 2021-01-01, notice due 01-21 (39 days late); p2's
	// determination due 02-01 + 45 = 03-18; p4, p5 determined: decision due 03-01 + 100.
	check("2021-03-01", nil, false, map[int64]want{
		p1: {"PENDING", "NOTICE", "2021-01-21", 39, 1},
		p2: {"SURVEY", "DETERMINATION", "2021-03-18", 0, 1},
		p3: {"PENDING", "NOTICE", "2021-01-21", 39, 1},
		p4: {"DETERMINED", "DECISION", "2021-06-09", 0, 1},
		p5: {"DETERMINED", "DECISION", "2021-06-09", 0, 1},
	})
	// 2021-05-01, overdue only: p4's fee levied 04-01, payment due 04-16 (15 late); p5's
	// decision is not due yet.
	check("2021-05-01", nil, true, map[int64]want{
		p1: {"PENDING", "NOTICE", "2021-01-21", 100, 1},
		p2: {"SURVEY", "DETERMINATION", "2021-03-18", 44, 1},
		p3: {"PENDING", "NOTICE", "2021-01-21", 100, 1},
		p4: {"FEE", "FEE_PAYMENT", "2021-04-16", 15, 1},
	})
	known := time.Now()
	time.Sleep(10 * time.Millisecond)
	// 2021-07-01: p3's notice of 06-15 runs under the version of 2021-06-01 (10 days:
	// due 06-25); p2's of 02-01 keeps the 45 days it began with (due 03-18, 105 late).
	july := map[int64]want{
		p1: {"PENDING", "NOTICE", "2021-01-21", 161, 1},
		p2: {"SURVEY", "DETERMINATION", "2021-03-18", 105, 1},
		p3: {"SURVEY", "DETERMINATION", "2021-06-25", 6, 2},
		p4: {"FEE", "FEE_PAYMENT", "2021-04-16", 76, 1},
		p5: {"DETERMINED", "DECISION", "2021-06-09", 22, 1},
	}
	before := check("2021-07-01", nil, false, july)

	// Later records: p4 pays (dated 04-10, recorded now), p5 is swapped on 08-01, p2
	// determined on 06-20 (recorded now).
	for _, e := range []struct {
		id int64
		e  ev
	}{
		{p4, ev{"IDLE_FEE_PAID", "2021-04-10", map[string]any{"amount_wan": 20}}},
		{p5, ev{"DISPOSED", "2021-08-01", map[string]any{"method": "置换土地"}}},
		{p2, ev{"IDLE_DETERMINED", "2021-06-20", nil}},
	} {
		if err := insertEvent(ctx, pool, e.id, e.e, nil); err != nil {
			t.Fatal(err)
		}
	}
	// As known before them, 2021-07-01 reads as it did.
	after := check("2021-07-01", &known, false, july)
	if len(before) != len(after) {
		t.Fatalf("as known: %d rows, before %d", len(after), len(before))
	}
	for i := range before {
		b, a := before[i], after[i]
		a.Geometry, b.Geometry = nil, nil
		if b.ParcelID != a.ParcelID || b.Step != a.Step || !sameDate(b.NextDue, a.NextDue) || b.FeePaidWan != a.FeePaidWan ||
			!sameDate(b.DeterminedDate, a.DeterminedDate) {
			t.Errorf("as known at %s, row %d changed: %+v, was %+v", known.Format(time.RFC3339Nano), i, a, b)
		}
	}
	// As known now: p4 paid in full (no next step, still 闲置满一年), p2 determined on 06-20
	// (decision due 06-20 + 100 = 09-28), p5's swap is after the date.
	check("2021-07-01", nil, false, map[int64]want{
		p1: {"PENDING", "NOTICE", "2021-01-21", 161, 1},
		p2: {"DETERMINED", "DECISION", "2021-09-28", 0, 2},
		p3: {"SURVEY", "DETERMINATION", "2021-06-25", 6, 2},
		p4: {"FEE", "", "", 0, 0},
		p5: {"DETERMINED", "DECISION", "2021-06-09", 22, 1},
	})
	// 2022-05-01: p4 闲置满两年 since 2022-01-01: recovery due 01-01 + 100 = 04-11 (20
	// late); p5 swapped (NORMAL since) stays on the ledger with its decision, no step.
	rows := check("2022-05-01", nil, false, map[int64]want{
		p1: {"PENDING", "NOTICE", "2021-01-21", 465, 1},
		p2: {"DETERMINED", "DECISION", "2021-09-28", 215, 2},
		p3: {"SURVEY", "DETERMINATION", "2021-06-25", 310, 2},
		p4: {"FEE", "RECOVERY", "2022-04-11", 20, 2},
		p5: {"SWAPPED", "", "", 0, 0},
	})
	for _, r := range rows {
		if r.ParcelID == p5 && (r.Decision == nil || *r.Decision != "SWAP" || r.DecisionZh == nil || *r.DecisionZh != "置换" ||
			r.DecisionDate == nil || r.DecisionDate.Format(time.DateOnly) != "2021-08-01" || r.Category != "NORMAL") {
			t.Errorf("p5 after the swap: %+v", r)
		}
		if r.ParcelID == p4 && (r.NoticeDate == nil || r.NoticeDate.Format(time.DateOnly) != "2021-02-01" ||
			r.DeterminedDate == nil || r.DeterminedDate.Format(time.DateOnly) != "2021-03-01" ||
			r.FeeLeviedDate == nil || r.FeeLeviedDate.Format(time.DateOnly) != "2021-04-01" || r.FeeLeviedWan != 20 || r.FeePaidWan != 20 ||
			r.FeePaidDate == nil || r.FeePaidDate.Format(time.DateOnly) != "2021-04-10" || r.Category != "IDLE_2Y" || r.Holder != nil) {
			t.Errorf("p4's steps: %+v", r)
		}
	}
}

func sameDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// TestFreedIncludesDisposals: the 腾出/盘活 actual (freed_mu) counts idle land disposed of
// or recovered in the period by its decision date, but not a parcel of a remediation
// project closed by the date (its project's freed_mu counts it), on the scenario of
// TestTargetsAgainstActuals (projects: A closed 2024-10-15 12.5 亩 with P7, B closed
// 2025-03-01 6 亩 with P8; target 50 亩 over 2024–2025) plus:
//   - P9 (12 亩, no project) swapped 2024-09-01;
//   - P7 (18 亩, in A) disposed 2024-12-01: A is closed, not counted again;
//   - P8 (6 亩, in B) disposed 2024-12-15: counted on 2024-12-31, when B is open; from
//     B's closing on, B's 6 亩 count and P8's disposal does not;
//   - P10 (6 亩) recovered with compensation 2025-04-01 (no procedure: 收储);
//   - P11 (3 亩) extended 2025-05-01 (time, nothing freed), P12 (3 亩) swapped 2026-01-10
//     (after the period).
//
// 2024-12-31: 12.5 + 12 + 6 = 30.5 (due 50 × 366/731 = 25.03: on track).
// 2025-06-30: 12.5 + 6 + 12 + 6 = 36.5 (due 50 × 546/731 = 37.35: behind).
func TestFreedIncludesDisposals(t *testing.T) {
	pool, parcels, ids := targetsScenario(t)
	ctx := context.Background()
	before := progressByID(t, pool, "2025-06-30", nil)[ids["freed_mu"]]
	known := time.Now()
	time.Sleep(10 * time.Millisecond)
	procedure := func(id int64, notice, det string, decision ev) {
		t.Helper()
		for _, e := range []ev{{"IDLE_NOTICE", notice, nil}, {"IDLE_DETERMINED", det, nil}, decision} {
			if err := insertEvent(ctx, pool, id, e, nil); err != nil {
				t.Fatalf("%d %s: %v", id, e.typ, err)
			}
		}
	}
	p9 := addSupplyParcel(t, pool, "2012-05-01", supplyParcel{"0601", "招拍挂", false, 8000, "2012-05-01", ""})
	p10 := addSupplyParcel(t, pool, "2013-05-01", supplyParcel{"0601", "招拍挂", false, 4000, "2013-05-01", ""})
	p11 := addSupplyParcel(t, pool, "2014-05-01", supplyParcel{"0601", "招拍挂", false, 2000, "2014-05-01", ""})
	p12 := addSupplyParcel(t, pool, "2014-06-01", supplyParcel{"0601", "招拍挂", false, 2000, "2014-06-01", ""})
	procedure(p9, "2024-05-01", "2024-06-01", ev{"DISPOSED", "2024-09-01", map[string]any{"method": "置换土地"}})
	procedure(parcels["P7"], "2024-11-01", "2024-11-20", ev{"DISPOSED", "2024-12-01", map[string]any{"decision": "CHANGE_USE"}})
	procedure(parcels["P8"], "2024-11-01", "2024-11-20", ev{"DISPOSED", "2024-12-15", map[string]any{"decision": "TEMPORARY_USE"}})
	if err := insertEvent(ctx, pool, p10, ev{"RECOVERY_DECIDED", "2025-04-01", map[string]any{"basis": "COMPENSATED", "compensation_wan": 80}}, nil); err != nil {
		t.Fatal(err)
	}
	procedure(p11, "2025-03-01", "2025-04-01", ev{"EXTENSION_APPROVED", "2025-05-01", map[string]any{"new_start_deadline": "2015-01-01"}})
	procedure(p12, "2025-09-01", "2025-10-01", ev{"DISPOSED", "2026-01-10", map[string]any{"method": "置换土地"}})

	for _, c := range []struct {
		date   string
		want   float64
		status string
	}{{"2024-12-31", 30.5, "on_track"}, {"2025-06-30", 36.5, "behind"}, {"2026-03-01", 36.5, "missed"}} {
		p := progressByID(t, pool, c.date, nil)[ids["freed_mu"]]
		if !nearp(p.Actual, c.want) || p.Status != c.status || p.Basis == nil || !strings.Contains(*p.Basis, "闲置土地") {
			t.Errorf("freed on %s: %v %s, want %v %s", c.date, deref(p.Actual), p.Status, c.want, c.status)
		}
	}
	// As known before the disposals, the actual is the projects' alone.
	if p := progressByID(t, pool, "2025-06-30", &known)[ids["freed_mu"]]; !nearp(p.Actual, 18.5) || !nearp(before.Actual, 18.5) {
		t.Errorf("freed as known before the disposals: %v (before %v), want 18.5", deref(p.Actual), deref(before.Actual))
	}
	// cleared_mu (低效用地出清) is the projects' land alone.
	if p := progressByID(t, pool, "2025-06-30", nil)[ids["cleared_mu"]]; !nearp(p.Actual, 24) {
		t.Errorf("cleared: %v, want 24", deref(p.Actual))
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
