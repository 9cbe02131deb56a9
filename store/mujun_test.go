package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/fixtures"
	"github.com/landreg/landreg/store"
)

// verdictsAt is each enterprise's verdict as of d read from the 亩均 report: its row of
// the latest year whose figures count by d.
func verdictsAt(t *testing.T, pool store.DB, d time.Time) map[string]store.Mujun {
	t.Helper()
	out := map[string]store.Mujun{}
	for y := 2010; y <= d.Year(); y++ {
		ms, err := store.MujunYear(context.Background(), pool, y, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.CountsFrom <= d.Format(time.DateOnly) {
				out[m.USCC] = m
			}
		}
	}
	return out
}

// checkOneVerdict compares, for every parcel as of d, its low-efficiency flag with its
// holder's verdict in the 亩均 report (false when retired or not judged), and returns
// how many holders were judged 低效 and not.
func checkOneVerdict(t *testing.T, pool store.DB, d time.Time) (low, fine int) {
	t.Helper()
	ctx := context.Background()
	verdicts := verdictsAt(t, pool, d)
	holders := map[int64]string{}
	rows, _ := pool.Query(ctx, `SELECT id, holder_uscc FROM parcels_all WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1) AND holder_uscc IS NOT NULL`, d)
	for rows.Next() {
		var id int64
		var u string
		rows.Scan(&id, &u)
		holders[id] = u
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	sts, err := store.StatusesAt(ctx, pool, d, "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range sts {
		u := holders[s.ParcelID]
		m, has := verdicts[u]
		want := has && m.LowEfficiency != nil && *m.LowEfficiency && s.Category != "RETIRED"
		if s.LowEfficiency != want {
			t.Errorf("%s as of %s: status low_efficiency %v, holder %q report %+v", s.Zddm, d.Format(time.DateOnly), s.LowEfficiency, u, m)
		}
		if has && !seen[u] && m.LowEfficiency != nil {
			seen[u] = true
			if *m.LowEfficiency {
				low++
			} else {
				fine++
			}
		}
	}
	return low, fine
}

// TestOneLowEfficiencyVerdict (issue 14.9, ruling 11): the 亩均 report and the parcel
// status give every enterprise of the fixtures the same 低效 verdict, at both of
// expected.json's dates, from the parcels' reports and, once enterprises have rows of
// their own, from those; a firm without land is not judged anywhere.
func TestOneLowEfficiencyVerdict(t *testing.T) {
	pool, _ := demodb.Fixtures(t)
	ctx := context.Background()
	exp, err := fixtures.Expected()
	if err != nil {
		t.Fatal(err)
	}
	asOf, _ := time.Parse(time.DateOnly, exp.AsOf)
	yearEnd, _ := time.Parse(time.DateOnly, exp.YearEnd)
	for _, d := range []time.Time{asOf, yearEnd} {
		low, fine := checkOneVerdict(t, pool, d)
		if low == 0 || fine == 0 {
			t.Errorf("as of %s: %d holders 低效, %d not: the fixtures should have both", d.Format(time.DateOnly), low, fine)
		}
	}

	// Enterprise rows for the latest year replace the parcels' reports: flip one firm
	// judged 低效 and one that is not, and give a firm without parcels figures.
	before := verdictsAt(t, pool, asOf)
	var lowFirm, fineFirm string
	for u, m := range before {
		if m.LowEfficiency == nil || m.Year != asOf.Year()-1 {
			continue
		}
		if *m.LowEfficiency && (lowFirm == "" || u < lowFirm) {
			lowFirm = u
		} else if !*m.LowEfficiency && (fineFirm == "" || u < fineFirm) {
			fineFirm = u
		}
	}
	if lowFirm == "" || fineFirm == "" {
		t.Fatalf("no firms to flip in %d: %q %q", asOf.Year()-1, lowFirm, fineFirm)
	}
	const landless = "91330304000000777X"
	err = store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "企业指标 / enterprise indicators"}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ($1, '无地企业')`, landless); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO enterprise_indicators (uscc, year, tax_wan, reported_on) VALUES
  ($1, $3, 1e6, $5), ($2, $3, 0, $5), ($4, $3, 50, $5)`, lowFirm, fineFirm, asOf.Year()-1, landless, asOf.AddDate(0, -2, 0))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after := verdictsAt(t, pool, asOf)
	if m := after[lowFirm]; m.Source != "enterprise" || m.LowEfficiency == nil || *m.LowEfficiency {
		t.Errorf("%s with tax 1e6: %+v, want not 低效 from its row", lowFirm, m)
	}
	if m := after[fineFirm]; m.Source != "enterprise" || m.LowEfficiency == nil || !*m.LowEfficiency {
		t.Errorf("%s with tax 0: %+v, want 低效 from its row", fineFirm, m)
	}
	if m, ok := after[landless]; !ok || m.LowEfficiency != nil || m.LandSource != "none" || m.PreviewClass != "" {
		t.Errorf("firm without land: %+v (listed %v), want not judged", m, ok)
	}
	checkOneVerdict(t, pool, asOf)
}

// TestVerdictAfterTransfer: a parcel that changed holder counts, for each year, for the
// holder of that year's end, on both paths of the status (now from the event digest, as
// known at a time from the events) and in the report: E keeps the transferred parcel's
// 2023 figures though the parcel's latest report (2024) is F's.
func TestVerdictAfterTransfer(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	e, f := testUSCC(71), testUSCC(72)
	annual := func(year int, tax float64) ev {
		return ev{"ANNUAL_INDICATORS", fmt.Sprintf("%d-03-31", year+1), map[string]any{"year": year, "tax_wan": tax, "land_mu_used": 30}}
	}
	a := addParcel(t, pool, parcelSpec{holder: e, events: []ev{annual(2023, 30)}})
	p := addParcel(t, pool, parcelSpec{holder: e, events: []ev{annual(2023, 900), annual(2024, 900)}})
	if _, err := pool.Exec(ctx, `INSERT INTO enterprises (uscc, name) VALUES ($1, '受让企业')`, f); err != nil {
		t.Fatal(err)
	}
	err := store.InTx(ctx, pool, store.Change{Actor: "test", Effective: day("2024-06-01")}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE parcels SET holder_uscc = $1 WHERE id = $2`, f, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := store.MujunYear(ctx, pool, 2023, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].USCC != e || ms[0].TaxWan != 930 || *ms[0].LowEfficiency {
		t.Fatalf("2023 report: %+v, want E with both parcels (930 万元 on 60 亩, not 低效)", ms)
	}
	now := time.Now()
	for _, known := range []*time.Time{nil, &now} {
		s, err := store.StatusKnownAt(ctx, pool, a, day("2025-06-30"), known)
		if err != nil {
			t.Fatal(err)
		}
		if s.LowEfficiency {
			t.Errorf("parcel of E (known at %v): flagged 低效; E's 2023 verdict is not", known)
		}
	}
	checkOneVerdict(t, pool, day("2025-06-30"))
}

// TestLoginsCannotWriteIndicators: planner and reader logins read enterprises' figures
// and their history but cannot write either, so no 低效 verdict can be changed from QGIS
// or psql without the owner's change context and audit.
func TestLoginsCannotWriteIndicators(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	u := testUSCC(81)
	addParcel(t, pool, parcelSpec{holder: u})
	err := store.InTx(ctx, pool, store.Change{Actor: "test"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO enterprise_indicators (uscc, year, tax_wan) VALUES ($1, 2024, 1)`, u)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, group := range []string{"landreg_planner", "landreg_reader"} {
		conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, group))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM enterprise_indicators) + (SELECT count(*) FROM enterprise_indicators_history)`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s reads the indicators: %d %v", group, n, err)
		}
		for _, sql := range []string{
			`UPDATE enterprise_indicators SET tax_wan = 1e6`,
			`INSERT INTO enterprise_indicators (uscc, year, tax_wan) VALUES ('` + u + `', 2023, 1e6)`,
			`DELETE FROM enterprise_indicators`,
			`INSERT INTO enterprise_indicators_history SELECT now(), false, 'x', NULL, i.* FROM enterprise_indicators i`,
			`DELETE FROM enterprise_indicators_history`,
		} {
			if _, err := conn.Exec(ctx, sql); sqlState(err) != "42501" {
				t.Errorf("%s could run %.60q: %v", group, sql, err)
			}
		}
		conn.Close(ctx)
	}
	var tax float64
	pool.QueryRow(ctx, `SELECT tax_wan FROM enterprise_indicators WHERE uscc = $1`, u).Scan(&tax)
	if tax != 1 {
		t.Errorf("tax after the logins tried: %v", tax)
	}
}
