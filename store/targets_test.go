package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/store"
)

// scenario parcels: m² chosen so that 亩 (× 3/2000) are whole numbers.
type supplyParcel struct {
	landuse, method string
	standard        bool
	m2              float64
	contract        string
	holder          string
}

var tseq int

func addSupplyParcel(t *testing.T, pool *pgxpool.Pool, effective string, p supplyParcel) int64 {
	t.Helper()
	tseq++
	var id int64
	var holder *string
	if p.holder != "" {
		holder = &p.holder
	}
	err := store.InTx(context.Background(), pool, store.Change{Actor: "test", Effective: day(effective)}, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `INSERT INTO parcels (zddm, xzqdm, landuse_code, registered_area_m2, geom,
  contract_date, supply_method, is_standard_land, holder_uscc)
VALUES ($1, '330304', $2, $3, ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(120.55 + $4 * 0.003, 27.99), 4490), 0.0007, 2)),
  $5, nullif($6, ''), $7, $8) RETURNING id`,
			fmt.Sprintf("330304001001GB%05d", 500+tseq), p.landuse, p.m2, tseq, p.contract, p.method, p.standard, holder).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func exec(t *testing.T, pool *pgxpool.Pool, ch store.Change, sql string, args ...any) {
	t.Helper()
	err := store.InTx(context.Background(), pool, ch, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func nearp(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 1e-9 }

// targetsScenario builds the scenario of TestTargetsAgainstActuals (numbers in its
// comment) and returns the pool and the targets' ids by kind.
func targetsScenario(t *testing.T) (*pgxpool.Pool, map[string]int64, map[string]int64) {
	pool := idleDB(t)
	ctx := context.Background()
	ch := store.Change{Actor: "test", Effective: day("2024-01-01")}
	for _, e := range []struct {
		uscc  string
		above bool
	}{{"91330304MA2AAAAF01", true}, {"91330304MA2AAAAF02", false}, {"91330304MA2AAAAF03", true},
		{"91330304MA2AAAAE01", false}, {"91330304MA2AAAAE02", false}, {"91330304MA2AAAAE03", false}} {
		exec(t, pool, ch, `INSERT INTO enterprises (uscc, name, is_above_size) VALUES ($1, $1, $2)`, e.uscc, e.above)
	}
	parcels := map[string]int64{}
	// Supply of 2024: P1 30 亩 招拍挂 标准地, P2 15 亩 协议, P3 6 亩 划拨; P4 is residential.
	parcels["P1"] = addSupplyParcel(t, pool, "2024-03-01", supplyParcel{"0601", "招拍挂", true, 20000, "2024-03-01", "91330304MA2AAAAF01"})
	parcels["P2"] = addSupplyParcel(t, pool, "2024-07-01", supplyParcel{"1001", "协议", false, 10000, "2024-07-01", "91330304MA2AAAAF02"})
	parcels["P3"] = addSupplyParcel(t, pool, "2024-09-01", supplyParcel{"M1", "划拨", false, 4000, "2024-09-01", ""})
	parcels["P4"] = addSupplyParcel(t, pool, "2024-05-01", supplyParcel{"0701", "招拍挂", false, 20000, "2024-05-01", ""})
	// 2025: P5 9 亩 招拍挂 标准地.
	parcels["P5"] = addSupplyParcel(t, pool, "2025-02-01", supplyParcel{"0601", "招拍挂", true, 6000, "2025-02-01", ""})
	// Old parcels of the remediation projects: P7 18 亩, P8 6 亩 (held by F3).
	parcels["P7"] = addSupplyParcel(t, pool, "2010-05-01", supplyParcel{"0601", "招拍挂", false, 12000, "2010-05-01", "91330304MA2AAAAE01"})
	parcels["P8"] = addSupplyParcel(t, pool, "2011-05-01", supplyParcel{"0601", "协议", false, 4000, "2011-05-01", "91330304MA2AAAAF03"})

	exec(t, pool, store.Change{Actor: "test", Effective: day("2025-01-20")},
		`INSERT INTO transfers (xzqdm, year, transferred_mu, doc_no) VALUES ('330304', 2024, 160, '瓯海自然资源〔2025〕1号')`)

	// 亩均 of 2024, reported 2025-03-15: F1 600 万元 tax, 3000 va on 30 亩 (规上); F2 150
	// tax on 15 亩 (规下); F3 30 tax, 120 va, on a reported 5 亩 (规上).
	for _, a := range []struct {
		parcel  string
		payload string
	}{{"P1", `{"year": 2024, "tax_wan": 600, "va_wan": 3000}`}, {"P2", `{"year": 2024, "tax_wan": 150}`},
		{"P8", `{"year": 2024, "tax_wan": 30, "va_wan": 120, "land_mu_used": 5}`}} {
		exec(t, pool, store.Change{Actor: "test", Effective: day("2025-03-15")},
			`INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES ($1, 'ANNUAL_INDICATORS', '2025-03-15', $2)`,
			parcels[a.parcel], a.payload)
	}

	// Remediation: A (P7, E1) through the chain to 达标销号 on 2024-10-15, 12.5 亩 freed;
	// B (P8, E2 and E3) 关停退出 on 2025-03-01, 6 亩 freed, a block renewed; C stays open.
	projects := map[string]int64{}
	mk := func(name string, from string, parcels []int64, usccs []string, block bool) int64 {
		id, err := store.CreateProject(ctx, pool, store.Change{Actor: "test", Effective: day(from)}, map[string]*string{
			"xzqdm": str("330304"), "town": str("娄桥街道"), "name": str(name), "method": str("整体腾退"),
			"planned_mu": str("20"), "planned_from": str("2024-01-01"), "planned_to": str("2025-12-31"),
			"block_renewal": str(fmt.Sprint(block)),
		}, parcels, usccs)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	projects["A"] = mk("A 厂区整体腾退", "2024-02-01", []int64{parcels["P7"]}, []string{"91330304MA2AAAAE01"}, false)
	projects["B"] = mk("B 区块关停", "2024-02-01", []int64{parcels["P8"]}, []string{"91330304MA2AAAAE02", "91330304MA2AAAAE03"}, true)
	projects["C"] = mk("C 改造", "2024-02-01", nil, nil, false)
	step := func(p, status, date string, result map[string]*string) {
		t.Helper()
		if err := store.SetProjectStatus(ctx, pool, store.Change{Actor: "test", Effective: day(date)}, projects[p], status, result); err != nil {
			t.Fatalf("%s → %s: %v", p, status, err)
		}
	}
	step("A", "制定方案", "2024-04-01", nil)
	step("A", "整治中", "2024-06-01", nil)
	step("A", "达标销号", "2024-10-15", map[string]*string{"freed_mu": str("12.5"), "new_project": str("智能装备产业园")})
	step("B", "制定方案", "2024-03-01", nil)
	step("B", "整治中", "2024-05-01", nil)
	step("B", "关停退出", "2025-03-01", map[string]*string{"freed_mu": str("6")})
	step("C", "制定方案", "2024-03-01", nil)

	targets := map[string]int64{}
	add := func(kind, value, from, to string, extra map[string]*string) {
		f := map[string]*string{"xzqdm": str("330304"), "kind": str(kind), "value": str(value),
			"period_from": str(from), "period_to": str(to), "doc_no": str("温政办〔2024〕1号")}
		for k, v := range extra {
			f[k] = v
		}
		id, err := store.CreateTarget(ctx, pool, store.Change{Actor: "admin", Effective: day("2024-01-01")}, f)
		if err != nil {
			t.Fatalf("target %s: %v", kind, err)
		}
		key := kind
		if _, ok := targets[key]; ok {
			key += "_above"
		}
		targets[key] = id
	}
	add("supply_mu", "120", "2024-01-01", "2025-12-31", nil)
	add("industrial_share_of_transfers", "0.3", "2024-01-01", "2024-12-31", nil)
	add("standard_land_share", "1", "2024-01-01", "2024-12-31", nil)
	add("freed_mu", "50", "2024-01-01", "2025-12-31", nil)
	add("cleared_mu", "20", "2024-01-01", "2025-12-31", nil)
	add("firms_cleared", "3", "2024-01-01", "2025-12-31", nil)
	add("blocks_renewed", "2", "2024-01-01", "2025-12-31", nil)
	add("tax_per_mu_wan", "15", "2024-01-01", "2024-12-31", nil)
	add("tax_per_mu_wan", "20", "2024-01-01", "2024-12-31", map[string]*string{"above_size_only": str("true")})
	add("va_per_mu_wan", "80", "2024-01-01", "2024-12-31", nil)
	return pool, parcels, targets
}

func progressByID(t *testing.T, pool *pgxpool.Pool, d string, known *time.Time) map[int64]store.Progress {
	t.Helper()
	ps, err := store.TargetProgress(context.Background(), pool, day(d), known, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]store.Progress{}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out
}

// TestTargetsAgainstActuals: every kind of target against its actual on a scenario
// computed by hand.
//
// Supply (industrial, by contract date; P4 is residential): 2024 P1 30 + P2 15 + P3 6 =
// 51 亩, 2025 P5 9 亩. supply_mu 120 亩 over 2024–2025 (731 days): on 2024-12-31 51 亩
// against 120 × 366/731 = 60.08 expected → behind, needing (120 − 51)/(365/365.25) a year.
// Industrial share of 2024 transfers: 出让 (招拍挂 + 协议) 45 ÷ 160 = 0.28125 (< 0.3,
// missed); 标准地 share 30 ÷ 51. Remediation: A closed 2024-10-15 with 12.5 亩 freed, P7
// 18 亩 cleared, 1 firm; B closed 2025-03-01, 6 亩 freed, P8 6 亩, 2 firms, a block.
// 亩均 2024 (§8.5, Σ tax ÷ Σ 亩): (600 + 150 + 30) ÷ (30 + 15 + 5) = 15.6 (the mean of
// the firms' own figures would be 12); 规上 (600 + 30) ÷ (30 + 5) = 18; value added
// (3000 + 120) ÷ (30 + 5) = 89.142857…; known from 2025-03-15.
func TestTargetsAgainstActuals(t *testing.T) {
	pool, _, ids := targetsScenario(t)
	end24 := progressByID(t, pool, "2024-12-31", nil)
	mid25 := progressByID(t, pool, "2025-06-30", nil)
	check := func(name string, p store.Progress, actual float64, status string) {
		t.Helper()
		if !nearp(p.Actual, actual) || p.Status != status {
			got := "null"
			if p.Actual != nil {
				got = fmt.Sprint(*p.Actual)
			}
			t.Errorf("%s on %s: actual %s, status %s; want %v, %s", name, p.AsOf, got, p.Status, actual, status)
		}
	}
	s := end24[ids["supply_mu"]]
	check("supply_mu", s, 51, "behind")
	if math.Abs(s.Expected-120*366.0/731) > 1e-9 || !nearp(s.NeededPerYear, 69/(365/365.25)) || !nearp(s.AchievedShare, 51.0/120) {
		t.Errorf("supply pace: expected %v, needed %v, share %v", s.Expected, *s.NeededPerYear, *s.AchievedShare)
	}
	check("supply_mu", mid25[ids["supply_mu"]], 60, "behind")
	check("industrial share", end24[ids["industrial_share_of_transfers"]], 45.0/160, "missed")
	check("standard share", end24[ids["standard_land_share"]], 30.0/51, "missed")
	check("freed", end24[ids["freed_mu"]], 12.5, "behind")
	check("freed", mid25[ids["freed_mu"]], 18.5, "behind")
	check("cleared", end24[ids["cleared_mu"]], 18, "on_track")
	check("cleared", mid25[ids["cleared_mu"]], 24, "achieved")
	check("firms", end24[ids["firms_cleared"]], 1, "behind")
	check("firms", mid25[ids["firms_cleared"]], 3, "achieved")
	check("blocks", end24[ids["blocks_renewed"]], 0, "behind")
	check("blocks", mid25[ids["blocks_renewed"]], 1, "behind")
	// 亩均 of 2024 is on file from 2025-03-15 only.
	if p := end24[ids["tax_per_mu_wan"]]; p.Actual != nil || p.Status != "no_data" {
		t.Errorf("tax per mu on 2024-12-31: %+v, want no_data", p)
	}
	if p := progressByID(t, pool, "2025-03-14", nil)[ids["tax_per_mu_wan"]]; p.Actual != nil || p.Status != "no_data" {
		t.Errorf("tax per mu on 2025-03-14: %+v, want no_data", p)
	}
	check("tax per mu", mid25[ids["tax_per_mu_wan"]], 15.6, "achieved")
	check("tax per mu 规上", mid25[ids["tax_per_mu_wan_above"]], 18, "missed")
	check("va per mu", mid25[ids["va_per_mu_wan"]], 3120.0/35, "achieved")
	if p := mid25[ids["tax_per_mu_wan"]]; !nearp(p.Numerator, 780) || !nearp(p.Denominator, 50) {
		t.Errorf("tax per mu: Σ tax %v ÷ Σ 亩 %v, want 780 ÷ 50", p.Numerator, p.Denominator)
	}
	// The 整治企业清单 of 2024: F3 (6 万元/亩 < 10) in project B through its parcel P8, and
	// F4 (5 万元/亩) on a parcel of no project; F1 (20) and F2 (10, not below) are not 低效.
	ctx := context.Background()
	exec(t, pool, store.Change{Actor: "test"}, `INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2AAAAF04', 'F4')`)
	p9 := addSupplyParcel(t, pool, "2012-05-01", supplyParcel{"0601", "招拍挂", false, 6000, "2012-05-01", "91330304MA2AAAAF04"})
	exec(t, pool, store.Change{Actor: "test", Effective: day("2025-03-15")},
		`INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES ($1, 'ANNUAL_INDICATORS', '2025-03-15', '{"year": 2024, "tax_wan": 45}')`, p9)
	cands, err := store.Candidates(ctx, pool, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cands {
		got = append(got, fmt.Sprintf("%s %v %s", c.USCC, *c.TaxPerMu, c.ProjectStatus))
	}
	if strings.Join(got, "|") != "91330304MA2AAAAF04 5 未列项目|91330304MA2AAAAF03 6 关停退出" {
		t.Errorf("整治企业清单: %v", got)
	}
	// A target's period not begun.
	if p := progressByID(t, pool, "2023-06-30", nil); len(p) != 0 {
		t.Errorf("targets in force on 2023-06-30 (set 2024-01-01): %d, want none", len(p))
	}
}

// TestTargetsSheetAsKnown: the progress as of a past date, as known on a day, is what it
// was on that day, whatever is recorded later (a late-registered parcel, a target
// changed, a transfers figure corrected, a project closed, indicators corrected);
// without known_at the same date shows what is known now.
func TestTargetsSheetAsKnown(t *testing.T) {
	pool, parcels, ids := targetsScenario(t)
	ctx := context.Background()
	before, err := store.TargetProgress(ctx, pool, day("2025-06-30"), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	var k time.Time
	if err := pool.QueryRow(ctx, `SELECT now()`).Scan(&k); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	// Later records: a 2024 contract registered in 2026 (3 亩 招拍挂 标准地), the supply
	// target raised, the 2024 transfers figure corrected, C closed, F2's 2024 tax corrected.
	addSupplyParcel(t, pool, "2026-01-05", supplyParcel{"0601", "招拍挂", true, 2000, "2024-11-01", ""})
	if err := store.UpdateTarget(ctx, pool, store.Change{Actor: "admin", Effective: day("2024-06-01")}, ids["supply_mu"],
		map[string]*string{"value": str("150")}); err != nil {
		t.Fatal(err)
	}
	if err := store.SetTransfer(ctx, pool, store.Change{Actor: "admin", Effective: day("2025-02-01")}, "330304", 2024, "150", nil, nil); err != nil {
		t.Fatal(err)
	}
	var ann int64
	if err := pool.QueryRow(ctx, `SELECT id FROM parcel_events WHERE parcel_id = $1 AND type = 'ANNUAL_INDICATORS'`, parcels["P2"]).Scan(&ann); err != nil {
		t.Fatal(err)
	}
	exec(t, pool, store.Change{Actor: "test", Effective: day("2025-04-01")},
		`INSERT INTO parcel_events (parcel_id, type, event_date, payload, supersedes, reason)
VALUES ($1, 'ANNUAL_INDICATORS', '2025-04-01', '{"year": 2024, "tax_wan": 300}', $2, '更正 / correction')`, parcels["P2"], ann)

	asKnown, err := store.TargetProgress(ctx, pool, day("2025-06-30"), &k, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range asKnown {
		asKnown[i].KnownAt = nil // the one field that says how it was asked
	}
	a, _ := json.Marshal(before)
	b, _ := json.Marshal(asKnown)
	if string(a) != string(b) {
		t.Errorf("the sheet of 2025-06-30 as known then changed:\nthen %s\nnow  %s", a, b)
	}
	now := progressByID(t, pool, "2025-06-30", nil)
	if p := now[ids["supply_mu"]]; !nearp(p.Actual, 63) || p.Value != 150 {
		t.Errorf("supply as known now: actual %v of %v, want 63 of 150", *p.Actual, p.Value)
	}
	if p := now[ids["industrial_share_of_transfers"]]; !nearp(p.Actual, 48.0/150) || p.Status != "achieved" {
		t.Errorf("industrial share as known now: %v %s, want 0.32 achieved", *p.Actual, p.Status)
	}
	if p := now[ids["tax_per_mu_wan"]]; !nearp(p.Actual, 930.0/50) {
		t.Errorf("tax per mu as known now: %v, want 18.6", *p.Actual)
	}
}

func pgCode(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// TestRemediationChain: a project through its whole status chain, each step a version
// with its legal date and a dated event, audited; skipped and backward steps refused
// with a bilingual reason, a closed project frozen, a project closed only with its result.
func TestRemediationChain(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	exec(t, pool, store.Change{Actor: "test"}, `INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2AAAAE01', '甲厂')`)
	p7 := addSupplyParcel(t, pool, "2010-05-01", supplyParcel{"0601", "招拍挂", false, 12000, "2010-05-01", "91330304MA2AAAAE01"})
	id, err := store.CreateProject(ctx, pool, store.Change{Actor: "planner-a", Reason: "列入 2024 年清单", Effective: day("2024-02-01")},
		map[string]*string{"xzqdm": str("330304"), "town": str("娄桥街道"), "name": str("甲厂整体腾退"), "method": str("整体腾退"),
			"planned_mu": str("18"), "planned_from": str("2024-02-01"), "planned_to": str("2025-06-30"), "plan_text": str("一企一策：腾退后收储")},
		[]int64{p7}, []string{"91330304MA2AAAAE01"})
	if err != nil {
		t.Fatal(err)
	}
	refused := func(status, date, code, zh, en string, result map[string]*string) {
		t.Helper()
		err := store.SetProjectStatus(ctx, pool, store.Change{Actor: "planner-a", Effective: day(date)}, id, status, result)
		if code == "" {
			if err != nil {
				t.Errorf("→ %s again: %v, want no change", status, err)
			}
			return
		}
		le := store.Translate(err)
		if pgCode(err) != code || le == nil || !strings.Contains(le.Zh, zh) || !strings.Contains(le.En, en) {
			t.Errorf("→ %s: %v (%+v), want %s naming %q / %q", status, err, le, code, zh, en)
		}
	}
	refused("整治中", "2024-03-01", "LRT01", "跳至", "skipped step", nil)
	refused("达标销号", "2024-03-01", "LRT01", "下一步应为 “制定方案”", "the next step is 制定方案", map[string]*string{"freed_mu": str("1")})
	steps := []struct{ status, date string }{{"制定方案", "2024-04-01"}, {"整治中", "2024-06-01"}}
	for _, s := range steps {
		if err := store.SetProjectStatus(ctx, pool, store.Change{Actor: "planner-a", Reason: "推进", Effective: day(s.date)}, id, s.status, nil); err != nil {
			t.Fatalf("→ %s: %v", s.status, err)
		}
	}
	refused("制定方案", "2024-07-01", "LRT01", "退回", "a step back", nil)
	refused("整治中", "2024-07-01", "", "", "", nil) // the same status again: no change, no error
	refused("达标销号", "2024-05-01", "LRT03", "早于", "before the project's current version", map[string]*string{"freed_mu": str("1")})
	refused("达标销号", "2024-10-15", "23514", "freed_mu", "needs its result", nil)
	if _, err := store.AddProgress(ctx, pool, store.Change{Actor: "planner-a"}, id, day("2024-08-01"), "厂房拆除完成", str("娄桥〔2024〕8号")); err != nil {
		t.Fatal(err)
	}
	if err := store.SetProjectStatus(ctx, pool, store.Change{Actor: "planner-a", Reason: "验收", Effective: day("2024-10-15")}, id, "达标销号",
		map[string]*string{"freed_mu": str("12.5"), "new_project": str("智能装备产业园"), "new_tax_per_mu_wan": str("45")}); err != nil {
		t.Fatal(err)
	}
	// Frozen: fields, a step (even to the other closing status), links, progress, deletion.
	if err := store.UpdateProject(ctx, pool, store.Change{Actor: "planner-a"}, id, map[string]*string{"name": str("改名")}); pgCode(err) != "LRT02" {
		t.Errorf("change of a closed project: %v, want LRT02", err)
	}
	refused("关停退出", "2024-11-01", "LRT02", "项目已关闭", "frozen", nil)
	if err := store.UnlinkProject(ctx, pool, store.Change{Actor: "planner-a"}, id, []int64{p7}, nil); pgCode(err) != "LRT02" {
		t.Errorf("unlink from a closed project: %v, want LRT02", err)
	}
	if _, err := store.AddProgress(ctx, pool, store.Change{Actor: "planner-a"}, id, day("2024-11-01"), "补记", nil); pgCode(err) != "LRT02" {
		t.Errorf("progress on a closed project: %v, want LRT02", err)
	}
	if err := store.DeleteProject(ctx, pool, store.Change{Actor: "planner-a"}, id); pgCode(err) != "LRT02" {
		t.Errorf("delete of a closed project: %v, want LRT02", err)
	}

	p, err := store.GetProject(ctx, pool, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "达标销号" || p.StatusSince != "2024-10-15" || p.Version != 4 || !nearp(p.FreedMu, 12.5) {
		t.Errorf("closed project: %+v", p)
	}
	var chain []string
	for _, h := range p.History {
		chain = append(chain, h.Status+"@"+h.ValidFrom+"–"+*h.ValidTo)
	}
	if got := strings.Join(chain, " "); got != "列入清单@2024-02-01–2024-04-01 制定方案@2024-04-01–2024-06-01 整治中@2024-06-01–2024-10-15" {
		t.Errorf("history: %s", got)
	}
	var events []string
	for _, e := range p.Events {
		s := e.Kind
		if e.Status != nil {
			s += ":" + *e.Status
		}
		events = append(events, e.EventDate+" "+s+" by "+e.RecordedBy)
	}
	want := "2024-02-01 status:列入清单 by planner-a|2024-04-01 status:制定方案 by planner-a|2024-06-01 status:整治中 by planner-a|" +
		"2024-08-01 progress by planner-a|2024-10-15 status:达标销号 by planner-a"
	if got := strings.Join(events, "|"); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	var audits int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE table_name = 'remediation_projects' AND row_key = $1::text
  AND actor = 'planner-a'`, fmt.Sprint(id)).Scan(&audits); err != nil || audits != 4 {
		t.Errorf("audit rows of the project: %d (%v), want 4 (insert, three steps)", audits, err)
	}
	// A new project starts at 列入清单.
	err = store.InTx(ctx, pool, store.Change{Actor: "x"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO remediation_projects (xzqdm, town, name, method, planned_mu, planned_from, planned_to, status)
VALUES ('330304', '娄桥街道', '跳步', '收储', 1, '2024-01-01', '2024-12-31', '整治中')`)
		return err
	})
	if pgCode(err) != "LRT01" {
		t.Errorf("a new project at 整治中: %v, want LRT01", err)
	}
}

// TestRemediationDirectLogins: planners edit projects in QGIS under the same rules, and
// neither planners nor readers write targets, transfers, official classes or status
// events directly.
func TestRemediationDirectLogins(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	planner, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_planner"))
	if err != nil {
		t.Fatal(err)
	}
	defer planner.Close(ctx)
	reader, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close(ctx)
	exec(t, pool, store.Change{Actor: "test"}, `INSERT INTO enterprises (uscc, name) VALUES ('91330304MA2AAAAE01', '甲厂')`)
	var id int64
	if err := planner.QueryRow(ctx, `INSERT INTO remediation_projects (xzqdm, town, name, method, planned_mu, planned_from, planned_to)
VALUES ('330304', '娄桥街道', 'QGIS 项目', '改造提升', 10, '2024-01-01', '2025-12-31') RETURNING id`).Scan(&id); err != nil {
		t.Fatalf("planner lists a project: %v", err)
	}
	for _, c := range []struct {
		conn *pgx.Conn
		who  string
		sql  string
		code string
	}{
		{planner, "planner", `UPDATE remediation_projects SET status = '整治中' WHERE id = $1`, "LRT01"},
		{planner, "planner", `UPDATE remediation_projects SET status_since = '2020-01-01', name = 'x' WHERE id = $1 RETURNING 1/(CASE WHEN status_since = '2020-01-01' THEN 0 ELSE 1 END)`, ""},
		{planner, "planner", `INSERT INTO remediation_events (project_id, event_date, kind, status, recorded_by) VALUES ($1, '2024-03-01', 'status', '达标销号', 'me')`, "LRT01"},
		{planner, "planner", `INSERT INTO targets (kind, value, unit, period_from, period_to, valid_from) VALUES ('supply_mu', $1::int, '亩', '2024-01-01', '2024-12-31', '2024-01-01')`, "42501"},
		{planner, "planner", `INSERT INTO transfers (xzqdm, year, transferred_mu, valid_from) VALUES ('330304', $1::int, 1, '2024-01-01')`, "42501"},
		{planner, "planner", `INSERT INTO mujun_results (uscc, year, class, published_on, valid_from) VALUES ('91330304MA2AAAAE01', $1::int, 'A', '2026-06-01', '2026-06-01')`, "42501"},
		{planner, "planner", `INSERT INTO remediation_projects_history SELECT '2030-01-01', now(), false, 'x', NULL, p.* FROM remediation_projects p WHERE id = $1`, "42501"},
		{reader, "reader", `UPDATE remediation_projects SET name = 'x' WHERE id = $1`, "42501"},
		{reader, "reader", `INSERT INTO remediation_events (project_id, event_date, kind, note, recorded_by) VALUES ($1, '2024-03-01', 'progress', 'x', 'me')`, "42501"},
	} {
		tx, err := c.conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, c.sql, id)
		tx.Rollback(ctx)
		if pgCode(err) != c.code {
			t.Errorf("%s: %s: %v, want %q", c.who, c.sql, err, c.code)
		}
	}
	// A planner's step is a version and an event in their own name.
	if _, err := planner.Exec(ctx, `UPDATE remediation_projects SET status = '制定方案' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := planner.Exec(ctx, `INSERT INTO remediation_events (project_id, event_date, kind, note, recorded_by) VALUES ($1, '2024-03-01', 'progress', '调研', 'someone else')`, id); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT kind || ':' || coalesce(status, note) || ':' || (recorded_by = 'db:' || $2) FROM remediation_events WHERE project_id = $1 ORDER BY id`,
		id, planner.Config().User)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	if strings.Join(got, " ") != "status:列入清单:true status:制定方案:true progress:调研:true" {
		t.Errorf("events of the planner's project: %v", got)
	}
	var hist int
	pool.QueryRow(ctx, `SELECT count(*) FROM remediation_projects_history WHERE id = $1`, id).Scan(&hist)
	if hist != 1 {
		t.Errorf("%d history rows, want 1", hist)
	}
}

// TestTargetRefusals: a target's unit, share and narrowing are checked by the database.
func TestTargetRefusals(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	for _, c := range []struct {
		fields map[string]*string
		field  string
	}{
		{map[string]*string{"kind": str("industrial_share_of_transfers"), "value": str("30")}, "value"},
		{map[string]*string{"kind": str("supply_mu"), "value": str("500"), "unit": str("公顷")}, "unit"},
		{map[string]*string{"kind": str("freed_mu"), "value": str("5"), "supply_method": str("协议")}, "supply_method"},
		{map[string]*string{"kind": str("supply_mu"), "value": str("5"), "above_size_only": str("true")}, "above_size_only"},
		{map[string]*string{"kind": str("supply_mu"), "value": str("NaN")}, "value"},
		{map[string]*string{"kind": str("supply_mu"), "value": str("5"), "period_to": str("2023-12-31")}, "period_to"},
		{map[string]*string{"kind": str("no_such_kind"), "value": str("5")}, "kind"},
	} {
		f := map[string]*string{"period_from": str("2024-01-01"), "period_to": str("2024-12-31")}
		for k, v := range c.fields {
			f[k] = v
		}
		_, err := store.CreateTarget(ctx, pool, store.Change{Actor: "admin"}, f)
		le := store.Translate(err)
		if le == nil || le.Field != c.field || le.En == "" || le.Zh == "" {
			t.Errorf("%v: %v (%+v), want a refusal naming %s", c.fields, err, le, c.field)
		}
	}
}
