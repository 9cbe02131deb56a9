package store_test

import (
	"github.com/landreg/landreg"

	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// TestEventTypes: landreg_sys.event_types (migration 00014) is the one list of event
// types. parcel_events refers to it; the numbers and the kind predicates the status
// function and the digest use (event_kind, status_kind, adverse_kind, ratio_kind) agree
// with its rows, every fact type has its accessor, and the API's Go list is the same set.
func TestEventTypes(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT code,
  landreg_sys.event_kind(code) IS NOT DISTINCT FROM kind,
  landreg_sys.status_kind(kind) = bears_on_status,
  landreg_sys.adverse_kind(kind) = adverse,
  landreg_sys.ratio_kind(kind) = reports_ratios,
  fact_type IS NULL OR (to_regtype(fact_type) IS NOT NULL AND to_regproc(fact_type || '_of') IS NOT NULL),
  coalesce(required_key, '')
FROM landreg_sys.event_types ORDER BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	required := map[string]string{}
	for rows.Next() {
		var code, req string
		var kind, status, adverse, ratios, fact bool
		if err := rows.Scan(&code, &kind, &status, &adverse, &ratios, &fact, &req); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
		if req != "" {
			required[code] = req
		}
		if !kind || !status || !adverse || !ratios || !fact {
			t.Errorf("%s: event_kind %v, status_kind %v, adverse_kind %v, ratio_kind %v, fact accessor %v",
				code, kind, status, adverse, ratios, fact)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	// The generated column parcel_events.kind (its expression is in the migrations) gives
	// every type the same number as event_kind.
	var expr string
	if err := pool.QueryRow(ctx, `SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE d.adrelid = 'parcel_events'::regclass AND a.attname = 'kind'`).Scan(&expr); err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		var same bool
		if err := pool.QueryRow(ctx, `SELECT (`+expr+`) IS NOT DISTINCT FROM landreg_sys.event_kind($1) FROM (SELECT $1::text AS type) e`, code).Scan(&same); err != nil {
			t.Fatal(err)
		}
		if !same {
			t.Errorf("%s: parcel_events.kind (%s) differs from event_kind", code, expr)
		}
	}
	goList := append([]string(nil), landreg.EventTypes...)
	sort.Strings(goList)
	sort.Strings(codes)
	if strings.Join(codes, ",") != strings.Join(goList, ",") {
		t.Errorf("event_types %v, landreg.EventTypes %v", codes, goList)
	}
	if len(required) != 7 || required["EXTENSION_APPROVED"] != "new_start_deadline" ||
		required["ANNUAL_INDICATORS"] != "year" || required["GOV_CAUSE"] != "from" ||
		required["RAMPUP_REVIEWED"] != "passed" || required["IDLE_FEE_LEVIED"] != "amount_wan" ||
		required["IDLE_FEE_PAID"] != "amount_wan" || required["RECOVERY_DECIDED"] != "basis" {
		t.Errorf("required keys %v", required)
	}
	var unknownKind *int
	var fk string
	var checks int
	err = pool.QueryRow(ctx, `SELECT landreg_sys.event_kind('BUILT'),
  (SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'parcel_events'::regclass AND contype = 'f'
     AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'parcel_events'::regclass AND attname = 'type')]),
  (SELECT count(*) FROM pg_constraint WHERE conrelid = 'parcel_events'::regclass AND contype = 'c'
     AND pg_get_constraintdef(oid) LIKE '%type%IN%')`).Scan(&unknownKind, &fk, &checks)
	if err != nil {
		t.Fatal(err)
	}
	if unknownKind != nil || fk != "landreg_sys.event_types" || checks != 0 {
		t.Errorf("event_kind of an unknown type %v; parcel_events.type refers to %q; %d CHECKs still list types", unknownKind, fk, checks)
	}

	// An unknown type is refused by the validation trigger (23514, as the CHECK did), and
	// by the foreign key even where the trigger does not run.
	idle := idleDB(t)
	a := addParcel(t, idle, parcelSpec{})
	err = insertEvent(ctx, idle, a, ev{"BUILT", "2020-01-01", nil}, nil)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23514" || pe.ColumnName != "type" || !strings.Contains(pe.Message, " / ") {
		t.Errorf("unknown type: %v", err)
	}
	err = pgx.BeginFunc(ctx, idle, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE parcel_events DISABLE TRIGGER parcel_events_validate`); err != nil {
			return err
		}
		return insertEvent(ctx, tx, a, ev{"BUILT", "2020-01-01", nil}, nil)
	})
	if !errors.As(err, &pe) || pe.Code != "23503" {
		t.Errorf("unknown type without the trigger: %v", err)
	}
}

// TestIdleCategories: landreg_sys.idle_categories holds every category the status
// function returns, one label each, and its precedence is the order in which
// started_category decides.
func TestIdleCategories(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT code, zh, landreg_sys.idle_category_zh(code), idle_land FROM landreg_sys.idle_categories ORDER BY precedence`)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	var order, idle []string
	for rows.Next() {
		var code, zh, viaFn string
		var idleLand bool
		if err := rows.Scan(&code, &zh, &viaFn, &idleLand); err != nil {
			t.Fatal(err)
		}
		if zh != viaFn {
			t.Errorf("%s: idle_category_zh %q, table %q", code, viaFn, zh)
		}
		labels[code] = zh
		order = append(order, code)
		if idleLand {
			idle = append(idle, code)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for _, c := range []string{fixtures.SuppliedNotDue, fixtures.OverdueStart, fixtures.Idle1Y, fixtures.Idle2Y,
		fixtures.IdleGov, fixtures.IdleStalled, fixtures.UnderConstruction, fixtures.Underused,
		fixtures.BuiltNotProducing, fixtures.BelowTarget, fixtures.Normal, fixtures.Retired} {
		if labels[c] == "" {
			t.Errorf("no row for %s", c)
		}
	}
	if len(labels) != 12 {
		t.Errorf("%d categories: %v", len(labels), order)
	}
	// The idle-land ledger's categories (statutory 闲置土地).
	if strings.Join(idle, ",") != "IDLE_2Y,IDLE_1Y,IDLE_STALLED,IDLE_GOV" {
		t.Errorf("idle land: %v", idle)
	}

	// Every combination of the started tests: started_category picks the holding
	// category of least precedence.
	var bad []string
	rows, err = pool.Query(ctx, `WITH t AS (
  SELECT s, u, n, b, c FROM (VALUES (NULL::date), (DATE '2022-01-01')) s(s), (VALUES (NULL::date), (DATE '2022-01-01')) u(u),
    (VALUES (NULL::date), (DATE '2022-01-01')) n(n), (VALUES (NULL::date), (DATE '2022-01-01')) b(b),
    (VALUES (NULL::date), (DATE '2021-12-15')) c(c)
)
SELECT format('%s/%s/%s/%s/%s', t.s, t.u, t.n, t.b, t.c) FROM t
WHERE landreg_sys.started_category(t.s, t.u, t.n, t.b, t.c) IS DISTINCT FROM (
  SELECT ic.code FROM landreg_sys.idle_categories ic
  WHERE (ic.code = 'IDLE_STALLED' AND t.s IS NOT NULL) OR (ic.code = 'UNDERUSED' AND t.u IS NOT NULL)
     OR (ic.code = 'BUILT_NOT_PRODUCING' AND t.n IS NOT NULL) OR (ic.code = 'BELOW_TARGET' AND t.b IS NOT NULL)
     OR (ic.code = 'UNDER_CONSTRUCTION' AND t.c IS NULL) OR (ic.code = 'NORMAL' AND t.c IS NOT NULL)
  ORDER BY ic.precedence LIMIT 1)`)
	if err != nil {
		t.Fatal(err)
	}
	bad, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(bad) != 0 {
		t.Errorf("started_category disagrees with the precedence for %v (%v)", bad, err)
	}

	// The status carries the table's label.
	id := addParcel(t, pool, parcelSpec{})
	if s := statusAt(t, pool, id, "2020-06-01"); s.CategoryZh != labels[s.Category] || s.CategoryZh != "供而未用（逾期未动工）" {
		t.Errorf("%s labelled %q", s.Category, s.CategoryZh)
	}
}

// TestDisposalVocabulary: the disposal stages and recovery bases (00019) are the Go
// lists' (landreg.DisposalStages in the order of the procedure, the two bases), each
// with its labels, and the reports' stage labels are the table's.
func TestDisposalVocabulary(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	v, err := store.GetVocabulary(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	var stages, bases []string
	for _, s := range v.DisposalStages {
		stages = append(stages, s.Code)
		if s.Zh == "" || s.En == "" {
			t.Errorf("stage %v without labels", s)
		}
	}
	for _, b := range v.RecoveryBases {
		bases = append(bases, b.Code+" "+b.Zh)
	}
	if strings.Join(stages, ",") != strings.Join(landreg.DisposalStages, ",") {
		t.Errorf("disposal_stages %v, landreg.DisposalStages %v", stages, landreg.DisposalStages)
	}
	if strings.Join(bases, ",") != landreg.RecoveryUncompensated+" 无偿收回,"+landreg.RecoveryCompensated+" 协议有偿收回" {
		t.Errorf("recovery bases %v", bases)
	}
	id := addParcel(t, pool, parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-03-01", nil}}})
	d := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	q, err := store.DisposalAt(ctx, pool, id, &d)
	if err != nil || q == nil || q.Stage != "SURVEY" || q.StageZh != v.DisposalStages[1].Zh || q.StageSince == nil || *q.StageSince != "2021-03-01" {
		t.Errorf("disposal %+v (%v)", q, err)
	}
}

// decisionFunctions are the rules in named pieces (schema/functions, one file each).
var decisionFunctions = []string{
	// facts and kinds
	"fact_day", "extension_fact_of", "gov_cause_fact_of", "progress_fact_of", "planning_fact_of", "annual_fact_of",
	"rampup_fact_of", "status_kind", "adverse_kind", "ratio_kind",
	// the idle status
	"years_after", "months_after", "start_deadline", "idle_since", "gov_cause_covers", "unstarted_category",
	"started_category", "disposal_stands", "open_suspension", "stalled_since", "completion_due",
	"construction_overdue", "far_needed", "coverage_needed", "unused_limit", "below_minimum_since", "unused_since",
	"production_due", "not_producing_since", "production_stopped_since", "rampup_review", "indicators_count_from",
	"gov_cause_counts_from", "indicators_judged", "short_of", "below_target_since", "indicator_mu", "ratio",
	"is_low_efficiency", "idle_fee", "started_by", "completed_by", "invest_per_mu", "review_failed_since",
	// the block-line rule
	"in_rule_window", "needs_adjustment", "comp_need", "draw_order", "compensation_short", "under_baseline",
	"below_baseline", "correction_reaches",
	// the reasons' JSON text
	"json_date", "json_number", "json_float", "idle_reason_json",
}

// TestDecisionsInlined: every decision function is one the planner can inline (plain
// SQL, no SET clause, not SECURITY DEFINER, not STRICT, immutable or stable, parallel
// safe), and none is left as a call in the plan of idle_core, now or as known earlier.
func TestDecisionsInlined(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT p.proname, l.lanname, p.prosecdef, p.proconfig IS NOT NULL, p.proisstrict,
  p.provolatile::text, p.proparallel::text, p.prosqlbody IS NOT NULL
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'landreg_sys'::regnamespace AND p.proname = ANY ($1)`, decisionFunctions)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for rows.Next() {
		var name, lang, volatile, parallel string
		var secdef, set, strict, parsed bool
		if err := rows.Scan(&name, &lang, &secdef, &set, &strict, &volatile, &parallel, &parsed); err != nil {
			t.Fatal(err)
		}
		seen[name] = true
		if lang != "sql" || secdef || set || strict || volatile == "v" || parallel != "s" || !parsed {
			t.Errorf("%s: language %s, security definer %v, SET %v, strict %v, volatility %s, parallel %s, SQL-standard body %v",
				name, lang, secdef, set, strict, volatile, parallel, parsed)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for _, n := range decisionFunctions {
		if !seen[n] {
			t.Errorf("no function landreg_sys.%s", n)
		}
	}
	for _, known := range []string{"NULL", "now()"} {
		var plan []string
		rows, err := pool.Query(ctx, `EXPLAIN (VERBOSE) SELECT * FROM landreg_sys.idle_core('2025-06-30', `+known+`, NULL, NULL)`)
		if err != nil {
			t.Fatal(err)
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "Function Scan on idle_core") || !strings.Contains(text, "parcels_history") {
			t.Fatalf("idle_core is not inlined (known_at %s):\n%s", known, text)
		}
		for _, n := range append(decisionFunctions, "event_kind", "idle_category_zh") {
			if strings.Contains(text, "landreg_sys."+n+"(") {
				t.Errorf("known_at %s: %s is called, not inlined", known, n)
			}
		}
	}
}
