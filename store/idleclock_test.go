package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/store"
)

// TestIdleParcelsYears (issue 14.8, domain.md §8.6 ruling 7): 闲置满 N 年 counts N years from
// the start deadline (deadline + N years ≤ d), and days idle count from deadline + 1
// year, not from the start of the current category.
func TestIdleParcelsYears(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	// Delivered, never started: start deadline 2020-01-01 (agreed), 满一年 on 2021-01-01,
	// 满两年 on 2022-01-01.
	id := addParcel(t, pool, parcelSpec{})
	find := func(d string, years int) *store.IdleParcel {
		t.Helper()
		rows, err := store.IdleParcels(ctx, pool, day(d), "330304", years)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if rows[i].ParcelID == id {
				return &rows[i]
			}
		}
		return nil
	}
	for _, c := range []struct {
		date     string
		years    int
		listed   bool
		category string
		days     int
	}{
		{"2020-12-31", 0, false, "", 0},
		{"2021-01-01", 0, true, "IDLE_1Y", 0},
		{"2021-01-01", 1, true, "IDLE_1Y", 0}, // exactly 满一年: idle for one year
		{"2021-01-01", 2, false, "", 0},
		{"2021-12-31", 1, true, "IDLE_1Y", 364},
		{"2021-12-31", 2, false, "", 0},
		{"2022-01-01", 2, true, "IDLE_2Y", 365}, // exactly 满两年: the clock did not restart
		{"2022-01-01", 1, true, "IDLE_2Y", 365},
		{"2022-01-01", 3, false, "", 0},
		{"2023-01-01", 3, true, "IDLE_2Y", 730},
	} {
		r := find(c.date, c.years)
		if (r != nil) != c.listed {
			t.Errorf("as of %s, years=%d: listed %v, want %v", c.date, c.years, r != nil, c.listed)
			continue
		}
		if r != nil && (r.Category != c.category || r.DaysIdle != c.days) {
			t.Errorf("as of %s, years=%d: %s, %d days idle; want %s, %d", c.date, c.years, r.Category, r.DaysIdle, c.category, c.days)
		}
	}
}

// TestPolicyAsKnownAt (issue 13.3): a policy version written later does not change the
// status as known before it was written, and changes the status as of its effective
// date and after, never before.
func TestPolicyAsKnownAt(t *testing.T) {
	pool := idleDB(t)
	ctx := context.Background()
	id := addParcel(t, pool, parcelSpec{events: []ev{{"STARTED", "2020-03-01", nil}, {"COMPLETED", "2021-12-15", nil}}})
	before := statusAt(t, pool, id, "2022-07-01")
	if before.Category != "NORMAL" {
		t.Fatalf("default 12-month production grace: %s", before.Category)
	}
	var written time.Time
	if err := pool.QueryRow(ctx, `SELECT now()`).Scan(&written); err != nil {
		t.Fatal(err)
	}
	six := "6"
	props := map[string]*string{"production_grace_months": &six}
	cur, err := store.PolicyProps(ctx, pool, "330304", day("2022-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range cur {
		if _, ok := props[k]; !ok {
			props[k] = v
		}
	}
	if _, err := store.PutPolicy(ctx, pool, store.Change{Actor: "test", Reason: "缩短投产宽限期"}, "330304",
		store.PolicyWrite{Props: props, DocNo: "瓯政办〔2022〕1号（示例）", Effective: day("2022-06-01")}); err != nil {
		t.Fatal(err)
	}
	if s := statusAt(t, pool, id, "2022-07-01"); s.Category != "BUILT_NOT_PRODUCING" {
		t.Errorf("as of 2022-07-01 under the 6-month grace: %s", s.Category)
	}
	if s := statusAt(t, pool, id, "2022-05-31"); s.Category != "NORMAL" {
		t.Errorf("as of 2022-05-31, before the version: %s", s.Category)
	}
	s, err := store.StatusKnownAt(ctx, pool, id, day("2022-07-01"), &written)
	if err != nil {
		t.Fatal(err)
	}
	if s.Category != before.Category {
		t.Errorf("as known before the version was written: %s, want %s", s.Category, before.Category)
	}
}

// TestPolicyHistoryHasEveryColumn: a column added to idle_policy must be added to its
// history and to idle_policy_all too, or versions would lose it when replaced and the
// policy as known at an earlier time would not have it.
func TestPolicyHistoryHasEveryColumn(t *testing.T) {
	pool := dbtest.New(t)
	for _, other := range []string{"idle_policy_history", "idle_policy_all"} {
		rows, err := pool.Query(context.Background(), `SELECT attname FROM pg_attribute WHERE attrelid = 'idle_policy'::regclass AND attnum > 0 AND NOT attisdropped
EXCEPT SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, other)
		if err != nil {
			t.Fatal(err)
		}
		missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(missing) > 0 {
			t.Errorf("%s lacks %v (add them there too) %v", other, missing, err)
		}
	}
}
