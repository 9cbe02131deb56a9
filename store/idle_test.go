package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// idleDB is a fresh database with one district and one enterprise for synthetic parcels.
func idleDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	_, err := pool.Exec(context.Background(), `INSERT INTO districts (xzqdm, name, geom)
VALUES ('330304', '瓯海区', ST_Multi(ST_MakeEnvelope(120.50, 27.88, 120.72, 28.05, 4490)))`)
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

// ev is one event of a synthetic parcel.
type ev struct {
	typ, date string
	payload   map[string]any
}

// parcelSpec: a plain 出让 contract signed 2019-01-10 (price 100 万元, 30 亩), agreed start
// 2020-01-01, agreed completion 2022-01-01, FAR ≥ 1.5, 亩均税收 ≥ 30; mod changes it.
type parcelSpec struct {
	agreedStart *string
	events      []ev
	// holder: the holder's USCC (registered when missing); "" = no holder.
	holder string
}

var seq int

// testUSCC is a USCC of the database's format for synthetic holders.
func testUSCC(n int) string { return fmt.Sprintf("91330304%09dX", n) }

// addParcel inserts a synthetic parcel with its events and returns its id.
func addParcel(t *testing.T, pool *pgxpool.Pool, spec parcelSpec) int64 {
	t.Helper()
	ctx := context.Background()
	seq++
	start := "2020-01-01"
	if spec.agreedStart != nil {
		start = *spec.agreedStart
	}
	var id int64
	err := store.InTx(ctx, pool, store.Change{Actor: "test", Effective: day("2019-01-10")}, func(tx pgx.Tx) error {
		if spec.holder != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ($1, '企业 ' || $1) ON CONFLICT DO NOTHING`, spec.holder); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, registered_area_m2, geom,
  contract_date, price_wan, agreed_start, agreed_completion, far_min, tax_per_mu_wan, holder_uscc)
VALUES ($1, '330304', '0601', 20000, ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(120.6 + $2 * 0.002, 27.95), 4490), 0.0007, 2)),
  '2019-01-10', 100, nullif($3, '')::date, '2022-01-01', 1.5, 30, nullif($4, '')) RETURNING id`,
			fmt.Sprintf("330304001001GB%05d", seq), seq, start, spec.holder).Scan(&id)
		if err != nil {
			return err
		}
		for _, e := range append([]ev{{"CONTRACT_SIGNED", "2019-01-10", nil}, {"LAND_DELIVERED", "2019-03-01", nil}}, spec.events...) {
			if err := insertEvent(ctx, tx, id, e, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type execer interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}

func insertEvent(ctx context.Context, db execer, parcel int64, e ev, supersedes *int64) error {
	p := e.payload
	if p == nil {
		p = map[string]any{}
	}
	b, _ := json.Marshal(p)
	var reason *string
	if supersedes != nil {
		r := "更正 / correction"
		reason = &r
	}
	_, err := db.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, payload, supersedes, reason)
VALUES ($1, $2, $3, $4, $5, $6)`, parcel, e.typ, e.date, string(b), supersedes, reason)
	return err
}

func statusAt(t *testing.T, pool *pgxpool.Pool, id int64, d string) *store.ParcelStatus {
	t.Helper()
	s, err := store.StatusAt(context.Background(), pool, id, day(d))
	if err != nil {
		t.Fatalf("StatusAt(%d, %s): %v", id, d, err)
	}
	return s
}

func codes(t *testing.T, s *store.ParcelStatus) []string {
	t.Helper()
	rs, err := s.ReasonList()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		if r.Zh == "" || r.En == "" || r.Since == "" {
			t.Errorf("reason %s lacks zh/en/since: %s", r.Code, s.Reasons)
		}
		out = append(out, r.Code)
	}
	return out
}

var (
	started  = ev{"STARTED", "2020-01-01", nil}
	verified = func(far, cov, unused float64) ev {
		return ev{"PLANNING_VERIFIED", "2021-12-01", map[string]any{"far": far, "coverage": cov, "unused_area_m2": unused, "floor_area_m2": 30000}}
	}
	completed = ev{"COMPLETED", "2021-12-15", nil}
	producing = ev{"PRODUCTION_STARTED", "2022-01-10", nil}
	good      = verified(1.8, 0.5, 0)
	// 30 亩; year 2024 reported 2025-03-31.
	indicators = func(tax float64) ev {
		return ev{"ANNUAL_INDICATORS", "2025-03-31", map[string]any{"year": 2024, "tax_wan": tax, "va_wan": 3000, "land_mu_used": 30,
			"energy_tce": 500, "emission_t": 2, "employees": 80, "rd_wan": 100, "revenue_wan": 8000}}
	}
)

// One case per branch of domain.md §8.4, on synthetic parcels with fixed dates.
func TestIdleStatusBranches(t *testing.T) {
	// One of the package's longest tests, on a database of its own: it runs beside
	// the other parallel ones once the sequential tests are done.
	t.Parallel()
	pool := idleDB(t)
	noStart := ""
	tests := []struct {
		name   string
		spec   parcelSpec
		date   string
		want   string
		since  string
		reason []string
		fee    float64
		lowEff bool
	}{
		{"not due", parcelSpec{}, "2019-12-31", fixtures.SuppliedNotDue, "2019-03-01", []string{"START_NOT_DUE"}, 0, false},
		{"overdue start", parcelSpec{}, "2020-01-01", fixtures.OverdueStart, "2020-01-01", []string{"START_OVERDUE"}, 0, false},
		{"idle one year", parcelSpec{}, "2021-01-01", fixtures.Idle1Y, "2021-01-01", []string{"IDLE_1Y"}, 20, false},
		{"idle two years", parcelSpec{}, "2022-01-01", fixtures.Idle2Y, "2022-01-01", []string{"IDLE_2Y"}, 20, false},
		{"no agreed start: delivery + 1 year", parcelSpec{agreedStart: &noStart}, "2020-03-01", fixtures.OverdueStart, "2020-03-01", []string{"START_OVERDUE"}, 0, false},
		{"government cause", parcelSpec{events: []ev{{"GOV_CAUSE", "2020-06-10", map[string]any{"from": "2020-06-01", "to": nil, "cause_code": 2}}}},
			"2022-06-01", fixtures.IdleGov, "2021-01-01", []string{"IDLE_GOV"}, 0, false},
		{"government cause ended before the deadline", parcelSpec{events: []ev{{"GOV_CAUSE", "2019-06-10", map[string]any{"from": "2019-06-01", "to": "2019-12-01"}}}},
			"2021-06-01", fixtures.Idle1Y, "2021-01-01", []string{"IDLE_1Y"}, 20, false},
		{"extension moves the deadline", parcelSpec{events: []ev{{"EXTENSION_APPROVED", "2020-03-01", map[string]any{"new_start_deadline": "2021-01-01"}}}},
			"2021-06-01", fixtures.OverdueStart, "2021-01-01", []string{"START_OVERDUE"}, 0, false},
		{"under construction", parcelSpec{events: []ev{started}}, "2021-06-01", fixtures.UnderConstruction, "2020-01-01", []string{"UNDER_CONSTRUCTION"}, 0, false},
		{"suspended, not yet a year", parcelSpec{events: []ev{started, {"SUSPENDED", "2020-06-01", map[string]any{"developed_land_ratio": 0.2, "invested_ratio": 0.1}}}},
			"2021-05-31", fixtures.UnderConstruction, "2020-01-01", []string{"UNDER_CONSTRUCTION"}, 0, false},
		{"stalled", parcelSpec{events: []ev{started, {"SUSPENDED", "2020-06-01", map[string]any{"developed_land_ratio": 0.2, "invested_ratio": 0.1}}}},
			"2021-06-01", fixtures.IdleStalled, "2021-06-01", []string{"IDLE_STALLED", "UNDER_CONSTRUCTION"}, 0, false},
		{"stalled, ratios from PROGRESS", parcelSpec{events: []ev{started, {"PROGRESS", "2020-05-01", map[string]any{"developed_land_ratio": 0.5, "invested_ratio": 0.2}}, {"SUSPENDED", "2020-06-01", nil}}},
			"2021-06-01", fixtures.IdleStalled, "2021-06-01", []string{"IDLE_STALLED", "UNDER_CONSTRUCTION"}, 0, false},
		{"suspended past both thresholds", parcelSpec{events: []ev{started, {"SUSPENDED", "2020-06-01", map[string]any{"developed_land_ratio": 0.5, "invested_ratio": 0.4}}}},
			"2021-06-01", fixtures.UnderConstruction, "2020-01-01", []string{"UNDER_CONSTRUCTION"}, 0, false},
		{"suspended and resumed", parcelSpec{events: []ev{started, {"SUSPENDED", "2020-06-01", map[string]any{"developed_land_ratio": 0.2, "invested_ratio": 0.1}}, {"RESUMED", "2020-09-01", nil}}},
			"2021-06-01", fixtures.UnderConstruction, "2020-01-01", []string{"UNDER_CONSTRUCTION"}, 0, false},
		{"construction overdue", parcelSpec{events: []ev{started}}, "2022-07-01", fixtures.Underused, "2022-07-01", []string{"CONSTRUCTION_OVERDUE"}, 0, false},
		{"construction within grace", parcelSpec{events: []ev{started}}, "2022-06-30", fixtures.UnderConstruction, "2020-01-01", []string{"UNDER_CONSTRUCTION"}, 0, false},
		{"low FAR", parcelSpec{events: []ev{started, verified(1.0, 0.5, 0), completed, producing}}, "2022-02-01", fixtures.Underused, "2021-12-15", []string{"LOW_FAR"}, 0, false},
		{"low coverage", parcelSpec{events: []ev{started, verified(1.8, 0.2, 0), completed, producing}}, "2022-02-01", fixtures.Underused, "2021-12-15", []string{"LOW_COVERAGE"}, 0, false},
		// limit max(20 % × 20000, 5 亩 = 3333.33) = 4000 m²
		{"unused area", parcelSpec{events: []ev{started, verified(1.8, 0.5, 4000), completed, producing}}, "2022-02-01", fixtures.Underused, "2021-12-15", []string{"UNUSED_AREA"}, 0, false},
		{"unused area below the limit", parcelSpec{events: []ev{started, verified(1.8, 0.5, 3999), completed, producing}}, "2022-02-01", fixtures.Normal, "2022-01-10", []string{"RAMPUP_NOT_DUE"}, 0, false},
		{"awaiting production", parcelSpec{events: []ev{started, good, completed}}, "2022-12-14", fixtures.Normal, "2021-12-15", []string{"AWAITING_PRODUCTION"}, 0, false},
		{"built not producing", parcelSpec{events: []ev{started, good, completed}}, "2022-12-15", fixtures.BuiltNotProducing, "2022-12-15", []string{"NOT_PRODUCING"}, 0, false},
		{"stopped, within six months", parcelSpec{events: []ev{started, good, completed, producing, {"PRODUCTION_STOPPED", "2023-01-01", nil}}},
			"2023-06-30", fixtures.Normal, "2022-01-10", []string{"RAMPUP_NOT_DUE"}, 0, false},
		{"stopped production", parcelSpec{events: []ev{started, good, completed, producing, {"PRODUCTION_STOPPED", "2023-01-01", nil}}},
			"2023-07-01", fixtures.BuiltNotProducing, "2023-07-01", []string{"PRODUCTION_STOPPED"}, 0, false},
		{"stopped and restarted", parcelSpec{events: []ev{started, good, completed, producing, {"PRODUCTION_STOPPED", "2023-01-01", nil}, {"PRODUCTION_STARTED", "2023-03-01", nil}}},
			"2023-07-01", fixtures.Normal, "2022-01-10", []string{"RAMPUP_NOT_DUE"}, 0, false},
		{"below target (and low efficiency)", parcelSpec{events: []ev{started, good, completed, producing, indicators(200)}, holder: testUSCC(1)},
			"2025-04-01", fixtures.BelowTarget, "2025-03-31", []string{"BELOW_TARGET"}, 0, true},
		// 低效 is the holder's verdict (docs/decisions.md, issue 14.9): no holder, no verdict.
		{"below target, no holder: not judged", parcelSpec{events: []ev{started, good, completed, producing, indicators(200)}},
			"2025-04-01", fixtures.BelowTarget, "2025-03-31", []string{"BELOW_TARGET"}, 0, false},
		{"review not due", parcelSpec{events: []ev{started, good, completed, producing, indicators(200)}},
			"2025-01-09", fixtures.Normal, "2022-01-10", []string{"RAMPUP_NOT_DUE"}, 0, false},
		{"normal", parcelSpec{events: []ev{started, good, completed, producing, indicators(1200)}},
			"2025-04-01", fixtures.Normal, "2025-03-31", []string{"TARGETS_MET"}, 0, false},
		{"retired: recovery decided", parcelSpec{events: []ev{{"RECOVERY_DECIDED", "2022-03-01", map[string]any{"basis": "COMPENSATED", "compensation_wan": 120}}}}, "2022-03-01", fixtures.Retired, "2022-03-01", []string{"RECOVERY_DECIDED"}, 0, false},
		{"disposed after idle", parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-02-01", nil}, {"IDLE_DETERMINED", "2021-03-01", nil}, {"DISPOSED", "2021-08-01", map[string]any{"method": "协议有偿收回"}}}},
			"2022-06-01", fixtures.Normal, "2021-08-01", []string{"DISPOSED"}, 0, false},
		{"disposed, then an adverse fact", parcelSpec{events: []ev{{"IDLE_NOTICE", "2021-02-01", nil}, {"IDLE_DETERMINED", "2021-03-01", nil},
			{"DISPOSED", "2021-08-01", nil}, {"IDLE_NOTICE", "2021-09-01", nil}}},
			"2022-06-01", fixtures.Idle2Y, "2022-01-01", []string{"IDLE_2Y"}, 20, false},
		// Precedence: every matching reason is kept, the most serious decides.
		{"stalled and overdue", parcelSpec{events: []ev{started, {"SUSPENDED", "2020-06-01", map[string]any{"developed_land_ratio": 0.2, "invested_ratio": 0.1}}}},
			"2022-07-01", fixtures.IdleStalled, "2021-06-01", []string{"IDLE_STALLED", "CONSTRUCTION_OVERDUE"}, 0, false},
		{"low FAR and not producing", parcelSpec{events: []ev{started, verified(1.0, 0.5, 0), completed}},
			"2023-01-01", fixtures.Underused, "2021-12-15", []string{"LOW_FAR", "NOT_PRODUCING"}, 0, false},
		{"not producing and below target", parcelSpec{events: []ev{started, good, completed, producing, indicators(200), {"PRODUCTION_STOPPED", "2025-01-01", nil}}, holder: testUSCC(2)},
			"2025-07-01", fixtures.BuiltNotProducing, "2025-07-01", []string{"PRODUCTION_STOPPED", "BELOW_TARGET"}, 0, true},
	}
	ids := map[string]int64{}
	for _, tt := range tests {
		ids[tt.name] = addParcel(t, pool, tt.spec)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := statusAt(t, pool, ids[tt.name], tt.date)
			got := codes(t, s)
			if s.Category != tt.want || s.Since != tt.since || !reflect.DeepEqual(got, tt.reason) {
				t.Errorf("%s since %s %v, want %s since %s %v\n%s", s.Category, s.Since, got, tt.want, tt.since, tt.reason, s.Reasons)
			}
			if s.CategoryZh == "" {
				t.Errorf("no Chinese label for %s", s.Category)
			}
			if s.IdleFeeWan == nil || *s.IdleFeeWan != tt.fee {
				t.Errorf("idle fee %v, want %v", s.IdleFeeWan, tt.fee)
			}
			if s.LowEfficiency != tt.lowEff {
				t.Errorf("low efficiency %v, want %v", s.LowEfficiency, tt.lowEff)
			}
		})
	}
	t.Run("extension: deadline reported", func(t *testing.T) {
		s := statusAt(t, pool, ids["extension moves the deadline"], "2021-06-01")
		if s.Deadline == nil || *s.Deadline != "2021-01-01" {
			t.Errorf("deadline %v", s.Deadline)
		}
	})
	t.Run("single and set agree", func(t *testing.T) {
		for _, d := range []string{"2020-06-30", "2022-07-01", "2025-04-01"} {
			all, err := store.StatusesAt(context.Background(), pool, day(d), "")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range all {
				one := statusAt(t, pool, s.ParcelID, d)
				if !reflect.DeepEqual(*one, s) {
					t.Errorf("%s at %s: single %+v, set %+v", s.Zddm, d, *one, s)
				}
			}
		}
	})
}

// A parcel deleted from the register is RETIRED when asked by id, and absent from the set.
func TestIdleStatusDeletedParcel(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{events: []ev{started}})
	err := store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "注销", Effective: day("2023-03-01")}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM parcels WHERE id = $1`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := statusAt(t, pool, id, "2023-02-28"); s.Category != fixtures.Underused {
		t.Errorf("before retirement: %s", s.Category)
	}
	s := statusAt(t, pool, id, "2023-03-01")
	if s.Category != fixtures.Retired || s.Since != "2023-03-01" || codes(t, s)[0] != "PARCEL_RETIRED" {
		t.Errorf("after retirement: %s since %s %s", s.Category, s.Since, s.Reasons)
	}
	all, err := store.StatusesAt(ctx, pool, day("2023-03-01"), "330304")
	if err != nil || len(all) != 0 {
		t.Errorf("set after retirement: %v %v", all, err)
	}
	if _, err := store.StatusAt(ctx, pool, id, day("2018-01-01")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("before the parcel existed: %v", err)
	}
	if _, err := store.StatusAt(ctx, pool, 999999, day("2023-01-01")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown parcel: %v", err)
	}
}

// Replaying: as of an old date gives the old answer; as known at an earlier system time
// ignores events and corrections recorded later.
func TestIdleStatusReplay(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{events: []ev{started, verified(1.0, 0.5, 0), completed, producing}})
	if s := statusAt(t, pool, id, "2021-06-01"); s.Category != fixtures.UnderConstruction {
		t.Errorf("as of 2021-06-01: %s", s.Category)
	}
	var verifiedID int64
	var k time.Time
	if err := pool.QueryRow(ctx, `SELECT id, now() FROM parcel_events WHERE parcel_id = $1 AND type = 'PLANNING_VERIFIED'`, id).Scan(&verifiedID, &k); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	// The surveyor's figure was wrong: a correction replaces it.
	if err := insertEvent(ctx, pool, id, verified(1.8, 0.5, 0), &verifiedID); err != nil {
		t.Fatal(err)
	}
	if s := statusAt(t, pool, id, "2022-02-01"); s.Category != fixtures.Normal {
		t.Errorf("after correction: %s %s", s.Category, s.Reasons)
	}
	old, err := store.StatusKnownAt(ctx, pool, id, day("2022-02-01"), &k)
	if err != nil || old.Category != fixtures.Underused {
		t.Errorf("as known before the correction: %v %v", old, err)
	}
	all, err := store.StatusesKnownAt(ctx, pool, day("2022-02-01"), "", &k)
	if err != nil || len(all) != 1 || !reflect.DeepEqual(all[0], *old) {
		t.Errorf("set as known before the correction: %v %v", all, err)
	}
	before := k.Add(-time.Hour)
	if _, err := store.StatusKnownAt(ctx, pool, id, day("2022-02-01"), &before); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("as known before the parcel was registered: %v", err)
	}
}

func TestIdlePolicy(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{events: []ev{started, good, completed}})
	if s := statusAt(t, pool, id, "2022-07-01"); s.Category != fixtures.Normal {
		t.Errorf("default grace: %s", s.Category)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO idle_policy (xzqdm, production_grace_months) VALUES ('330304', 6)`); err != nil {
		t.Fatal(err)
	}
	if s := statusAt(t, pool, id, "2022-07-01"); s.Category != fixtures.BuiltNotProducing || s.Since != "2022-06-15" {
		t.Errorf("6-month grace: %s since %s", s.Category, s.Since)
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE table_name = 'idle_policy'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d audit rows for idle_policy", n)
	}
}

// Bad events are refused whole, with their SQLSTATE.
func TestParcelEventValidation(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	a := addParcel(t, pool, parcelSpec{})
	b := addParcel(t, pool, parcelSpec{})
	gone := addParcel(t, pool, parcelSpec{})
	if _, err := pool.Exec(ctx, `DELETE FROM parcels WHERE id = $1`, gone); err != nil {
		t.Fatal(err)
	}
	var other int64
	pool.QueryRow(ctx, `SELECT id FROM parcel_events WHERE parcel_id = $1 LIMIT 1`, b).Scan(&other)
	tomorrow := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 1).Format(time.DateOnly)
	tests := []struct {
		name   string
		parcel int64
		e      ev
		sup    *int64
		state  string
	}{
		{"unknown type", a, ev{"BUILT", "2020-01-01", nil}, nil, "23514"},
		{"date in the future", a, ev{"STARTED", tomorrow, nil}, nil, "LRE01"},
		{"retired parcel", gone, ev{"STARTED", "2020-01-01", nil}, nil, "LRP02"},
		{"negative money", a, ev{"ANNUAL_INDICATORS", "2021-03-01", map[string]any{"year": 2020, "tax_wan": -1}}, nil, "LRE02"},
		{"money as text", a, ev{"IDLE_FEE_LEVIED", "2021-03-01", map[string]any{"amount_wan": "20"}}, nil, "LRE02"},
		{"ratio above one", a, ev{"PROGRESS", "2021-03-01", map[string]any{"developed_land_ratio": 1.2}}, nil, "LRE02"},
		{"coverage above one", a, ev{"PLANNING_VERIFIED", "2021-03-01", map[string]any{"coverage": 1.5}}, nil, "LRE02"},
		{"year after the event", a, ev{"ANNUAL_INDICATORS", "2021-03-01", map[string]any{"year": 2022}}, nil, "LRE02"},
		{"bad date", a, ev{"EXTENSION_APPROVED", "2021-03-01", map[string]any{"new_start_deadline": "2021-02-30"}}, nil, "LRE02"},
		{"missing new_start_deadline", a, ev{"EXTENSION_APPROVED", "2021-03-01", nil}, nil, "LRE03"},
		{"missing year", a, ev{"ANNUAL_INDICATORS", "2021-03-01", map[string]any{"tax_wan": 1}}, nil, "LRE03"},
		{"missing from", a, ev{"GOV_CAUSE", "2021-03-01", map[string]any{"to": nil}}, nil, "LRE03"},
		{"supersedes another parcel's event", a, ev{"STARTED", "2020-01-01", nil}, &other, "LRE04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := insertEvent(ctx, pool, tt.parcel, tt.e, tt.sup)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != tt.state {
				t.Fatalf("got %v, want SQLSTATE %s", err, tt.state)
			}
			if strings.HasPrefix(tt.state, "LRE") && !strings.Contains(pe.Message, " / ") {
				t.Errorf("message not bilingual: %s", pe.Message)
			}
		})
	}
	if err := insertEvent(ctx, pool, a, ev{"GOV_CAUSE", "2021-03-01", map[string]any{"from": "2021-01-01", "to": nil}}, nil); err != nil {
		t.Errorf("valid GOV_CAUSE refused: %v", err)
	}
}

// The demo fixtures: golden parcels at every date of domain.md §9.3, and every parcel
// at both evaluation dates of expected.json, by id and as a set.
func TestIdleStatusFixtures(t *testing.T) {
	// One of the package's longest tests, on a database of its own: it runs beside
	// the other parallel ones once the sequential tests are done.
	t.Parallel()
	pool, _ := demodb.Fixtures(t)
	ctx := context.Background()
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	rows, _ := pool.Query(ctx, `SELECT zddm, id FROM parcels`)
	for rows.Next() {
		var z string
		var id int64
		rows.Scan(&z, &id)
		ids[z] = id
	}
	if rows.Err() != nil || len(ids) != len(exp.Parcels) {
		t.Fatalf("%d parcels loaded: %v", len(ids), rows.Err())
	}
	t.Run("golden", func(t *testing.T) {
		for _, g := range exp.Golden {
			for _, c := range g.Checks {
				s := statusAt(t, pool, ids[g.Zddm], c.Date)
				if s.Category != c.Category || s.LowEfficiency != c.LowEfficiency {
					t.Errorf("%s (%s) as of %s: %s low-eff %v, want %s %v", g.ID, g.Facts, c.Date, s.Category, s.LowEfficiency, c.Category, c.LowEfficiency)
				}
				if s.Category == fixtures.IdleGov && *s.IdleFeeWan != 0 {
					t.Errorf("%s: idle fee on IDLE_GOV", g.ID)
				}
			}
		}
	})
	for _, date := range []string{exp.AsOf, exp.YearEnd} {
		t.Run(date, func(t *testing.T) {
			all, err := store.StatusesAt(ctx, pool, day(date), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != len(exp.Parcels) {
				t.Fatalf("%d statuses, want %d", len(all), len(exp.Parcels))
			}
			counts := map[string]int{}
			for _, s := range all {
				counts[s.Category]++
				wantCat, wantLow, _ := exp.StatusAt(s.Zddm, date)
				if s.Category != wantCat || s.LowEfficiency != wantLow {
					t.Errorf("%s (%s): %s low-eff %v, want %s %v: %s", s.Zddm, exp.Parcels[s.Zddm].Scenario,
						s.Category, s.LowEfficiency, wantCat, wantLow, s.Reasons)
				}
				if rs, err := s.ReasonList(); err != nil || len(rs) == 0 || rs[0].Category != s.Category {
					t.Errorf("%s: reasons %s do not lead with %s", s.Zddm, s.Reasons, s.Category)
				}
				one := statusAt(t, pool, s.ParcelID, date)
				if !reflect.DeepEqual(*one, s) {
					t.Errorf("%s: single %+v ≠ set %+v", s.Zddm, *one, s)
				}
			}
			// Summary: per district × category, the same counts.
			sum, err := store.IdleSummary(ctx, pool, day(date), "")
			if err != nil {
				t.Fatal(err)
			}
			byCat := map[string]int{}
			for _, r := range sum {
				byCat[r.Category] += r.Parcels
				if r.RegisteredMu <= 0 || r.ComputedMu <= 0 || (r.IdleFeeWan > 0) != (r.Category == fixtures.Idle1Y || r.Category == fixtures.Idle2Y) {
					t.Errorf("summary row %+v", r)
				}
			}
			if !reflect.DeepEqual(byCat, counts) {
				t.Errorf("summary %v, statuses %v", byCat, counts)
			}
			one, err := store.IdleSummary(ctx, pool, day(date), "330304")
			if err != nil || len(one) == 0 || one[0].Xzqdm != "330304" {
				t.Errorf("district summary %v %v", one, err)
			}
		})
	}
}

// digestMismatchSQL counts the (date, parcel) statuses on which the two sources of a
// parcel's events disagree: the digest kept by the event trigger (known_at NULL) and
// the events aggregated directly (known_at after every event was recorded). Every
// column is compared, the reasons as jsonb. Dates: the first of every other month from
// 2015 to 2027, the dates given, the date and the day before of the four latest events
// of every kind (the edge events and corrections among them), and the start of every
// government cause and the day before.
const digestMismatchSQL = `WITH dates AS (
  SELECT generate_series(DATE '2015-01-01', DATE '2027-01-01', interval '2 months')::date AS d
  UNION SELECT unnest($1::date[])
  UNION SELECT d FROM (SELECT event_date, event_date - 1, row_number() OVER (PARTITION BY kind ORDER BY id DESC) AS rn
                      FROM parcel_events WHERE landreg_sys.status_kind(kind)) e, LATERAL (VALUES (e.event_date), (e.event_date - 1)) v(d)
        WHERE e.rn <= 4
  UNION SELECT (payload ->> 'from')::date FROM parcel_events WHERE type = 'GOV_CAUSE'
  UNION SELECT (payload ->> 'from')::date - 1 FROM parcel_events WHERE type = 'GOV_CAUSE'
), a AS (
  SELECT dates.d, s.parcel_id, (to_jsonb(s) - 'reasons') || jsonb_build_object('reasons', s.reasons::jsonb) AS j
  FROM dates, LATERAL landreg_sys.idle_core(dates.d, NULL, NULL, NULL) s
), b AS (
  SELECT dates.d, s.parcel_id, (to_jsonb(s) - 'reasons') || jsonb_build_object('reasons', s.reasons::jsonb) AS j
  FROM dates, LATERAL landreg_sys.idle_core(dates.d, now() + interval '1 day', NULL, NULL) s
)
SELECT count(*) FILTER (WHERE a.j IS DISTINCT FROM b.j), count(*), coalesce(min(d::text) FILTER (WHERE a.j IS DISTINCT FROM b.j), '')
FROM a FULL JOIN b USING (d, parcel_id)`

// TestIdleStatusDigestMatchesEvents: the digest must give exactly what the events give,
// for every fixture parcel (the demo city with its replayed history) around the dates
// events change it, and after corrections replace events.
func TestIdleStatusDigestMatchesEvents(t *testing.T) {
	// One of the package's longest tests, on a database of its own: it runs beside
	// the other parallel ones once the sequential tests are done.
	t.Parallel()
	pool, _ := demodb.Demo(t)
	ctx := context.Background()
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, g := range exp.Golden {
		for _, c := range g.Checks {
			dates = append(dates, c.Date)
		}
	}
	check := func(when string) {
		t.Helper()
		var bad, n int
		var first string
		if err := pool.QueryRow(ctx, digestMismatchSQL, dates).Scan(&bad, &n, &first); err != nil {
			t.Fatal(err)
		}
		if n < 15000 || bad != 0 {
			t.Errorf("%s: %d of %d statuses differ between the digest and the events (first on %s)", when, bad, n, first)
		}
	}
	check("demo city")

	// Events the demo does not have: a report filed in its own year (it counts from the
	// next 1 January), a late report for an earlier year, a government cause recorded
	// before it begins, an open-ended one, and an extension.
	_, err = pool.Exec(ctx, `WITH p AS (
  SELECT min(e.parcel_id) AS id FROM parcel_events e JOIN parcels c ON c.id = e.parcel_id WHERE e.type = 'ANNUAL_INDICATORS'
), q AS (
  -- Idle (holder's fault) by mid-2024: a government cause would change its category.
  SELECT min(s.parcel_id) AS id FROM landreg_sys.idle_core('2024-06-01', NULL, NULL, NULL) s
  WHERE s.category IN ('IDLE_1Y', 'IDLE_2Y')
), r AS (
  -- An extension by the most 53号令 art. 12 allows (one year).
  SELECT s.parcel_id AS id, s.deadline FROM landreg_sys.idle_core('2023-01-01', NULL, NULL, NULL) s
  WHERE s.category = 'SUPPLIED_NOT_DUE' AND s.deadline IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM parcel_events x WHERE x.parcel_id = s.parcel_id AND x.type = 'EXTENSION_APPROVED')
  ORDER BY s.parcel_id LIMIT 1
), v AS (
  -- Producing, with an agreed investment intensity (ruling 12).
  SELECT min(c.id) AS id FROM parcels c JOIN parcel_events e ON e.parcel_id = c.id AND e.type = 'PRODUCTION_STARTED'
  WHERE c.invest_intensity_wan_per_mu > 0
), u AS (
  -- Never started: a completion record proves a start (ruling 8).
  SELECT min(s.parcel_id) AS id FROM landreg_sys.idle_core('2024-06-01', NULL, NULL, NULL) s WHERE s.category = 'IDLE_1Y'
    AND NOT EXISTS (SELECT 1 FROM q WHERE q.id = s.parcel_id)
)
INSERT INTO parcel_events (parcel_id, type, event_date, payload)
SELECT p.id, 'ANNUAL_INDICATORS', DATE '2024-12-15', '{"year": 2024, "tax_wan": 1, "va_wan": 2}'::jsonb FROM p
UNION ALL SELECT p.id, 'ANNUAL_INDICATORS', DATE '2025-03-01', '{"year": 2021, "tax_wan": 900, "va_wan": 900}'::jsonb FROM p
UNION ALL SELECT q.id, 'GOV_CAUSE', DATE '2024-06-10', '{"from": "2024-01-15", "to": "2024-03-01"}'::jsonb FROM q
UNION ALL SELECT q.id, 'GOV_CAUSE', DATE '2024-06-20', '{"from": "2024-08-01", "to": "2024-08-15"}'::jsonb FROM q
UNION ALL SELECT q.id, 'GOV_CAUSE', DATE '2024-10-01', '{"from": "2024-09-01"}'::jsonb FROM q
UNION ALL SELECT r.id, 'EXTENSION_APPROVED', DATE '2023-02-01',
  jsonb_build_object('new_start_deadline', to_char(r.deadline + interval '1 year', 'YYYY-MM-DD')) FROM r
UNION ALL SELECT v.id, 'ANNUAL_INDICATORS', DATE '2025-03-15', '{"year": 2024, "tax_wan": 1e6, "va_wan": 1e6, "invest_wan": 1}'::jsonb FROM v
UNION ALL SELECT v.id, 'RAMPUP_REVIEWED', DATE '2024-05-01', '{"passed": false}'::jsonb FROM v
UNION ALL SELECT v.id, 'RAMPUP_REVIEWED', DATE '2025-02-01', '{"passed": true, "invest_wan": 1}'::jsonb FROM v
UNION ALL SELECT u.id, 'COMPLETED', DATE '2024-11-01', '{}'::jsonb FROM u`)
	if err != nil {
		t.Fatal(err)
	}
	dates = append(dates, "2024-04-30", "2024-05-01", "2024-10-31", "2024-11-01", "2025-01-31", "2025-02-01", "2025-03-14", "2025-03-15",
		"2023-01-31", "2023-02-01", "2024-06-09", "2024-06-10", "2024-06-20", "2024-07-01", "2024-07-31", "2024-08-01", "2024-08-31",
		"2024-09-01", "2024-09-30", "2024-10-01", "2024-12-14", "2024-12-15", "2024-12-31", "2025-01-01",
		"2025-02-28", "2025-03-01")
	check("edge events")

	// Correct one event of several kinds, moving it 20 days later and changing its
	// figures; the replaced events must drop out of the digest.
	_, err = pool.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, payload, supersedes, reason)
SELECT DISTINCT ON (e.type) e.parcel_id, e.type, e.event_date + 20,
  CASE e.type WHEN 'ANNUAL_INDICATORS' THEN e.payload || '{"tax_wan": 1}'
              WHEN 'PLANNING_VERIFIED' THEN e.payload || '{"far": 0.5}'
              ELSE e.payload END,
  e.id, '更正 / correction'
FROM parcel_events e
WHERE e.type IN ('ANNUAL_INDICATORS', 'PLANNING_VERIFIED', 'EXTENSION_APPROVED', 'GOV_CAUSE', 'PROGRESS', 'STARTED',
                 'RAMPUP_REVIEWED', 'COMPLETED')
  AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = e.id)
ORDER BY e.type, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	check("after corrections")
}

// TestEventDigestConcurrentWriters: two transactions add events to one parcel at the
// same time; once both have committed, the digest holds both.
func TestEventDigestConcurrentWriters(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{})
	insert := func(tx pgx.Tx, typ, date string) error {
		_, err := tx.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date) VALUES ($1, $2, $3)`, id, typ, date)
		return err
	}
	tx1, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx1.Rollback(ctx)
	if err := insert(tx1, "LAND_DELIVERED", "2020-03-01"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- pgx.BeginFunc(ctx, pool, func(tx2 pgx.Tx) error { return insert(tx2, "STARTED", "2020-09-01") })
	}()
	// Commit tx1 only once tx2 waits for it (without the refresh lock it would not wait,
	// and would have written a digest without tx1's event).
	for deadline := time.Now().Add(10 * time.Second); ; {
		var waiting bool
		pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted)`).Scan(&waiting)
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the second writer finished while the first was open (%v): nothing serialises them", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the second writer never waited for the first")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx1.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var delivered, started, nDelivered, nStarted int
	if err := pool.QueryRow(ctx, `SELECT cardinality(d.d_delivered), cardinality(d.d_started),
  (SELECT count(*) FROM parcel_events WHERE parcel_id = $1 AND type = 'LAND_DELIVERED'),
  (SELECT count(*) FROM parcel_events WHERE parcel_id = $1 AND type = 'STARTED')
FROM landreg_sys.parcel_event_digest d WHERE d.parcel_id = $1`, id).Scan(&delivered, &started, &nDelivered, &nStarted); err != nil {
		t.Fatal(err)
	}
	if delivered != nDelivered || started != nStarted || started != 1 {
		t.Errorf("digest after two concurrent writers: %d deliveries, %d starts; the events have %d and %d",
			delivered, started, nDelivered, nStarted)
	}
}
