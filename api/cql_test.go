package api_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/dbtest/demodb"
)

// TestTemporalRelations: each T_* predicate, compiled and run by PostgreSQL, agrees
// with Allen's relations on intervals and instants with shared, touching, nested and
// open ends.
func TestTemporalRelations(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	d := func(day int) time.Time { return time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC) }
	type iv struct{ s, e int } // 0 is an open end
	relations := map[string]func(a, b iv) bool{
		"T_AFTER":        func(a, b iv) bool { return a.s > b.e },
		"T_BEFORE":       func(a, b iv) bool { return a.e < b.s },
		"T_CONTAINS":     func(a, b iv) bool { return a.s < b.s && a.e > b.e },
		"T_DISJOINT":     func(a, b iv) bool { return a.e < b.s || a.s > b.e },
		"T_DURING":       func(a, b iv) bool { return a.s > b.s && a.e < b.e },
		"T_EQUALS":       func(a, b iv) bool { return a.s == b.s && a.e == b.e },
		"T_FINISHEDBY":   func(a, b iv) bool { return a.s < b.s && a.e == b.e },
		"T_FINISHES":     func(a, b iv) bool { return a.s > b.s && a.e == b.e },
		"T_INTERSECTS":   func(a, b iv) bool { return a.s <= b.e && a.e >= b.s },
		"T_MEETS":        func(a, b iv) bool { return a.e == b.s },
		"T_METBY":        func(a, b iv) bool { return a.s == b.e },
		"T_OVERLAPPEDBY": func(a, b iv) bool { return a.s > b.s && a.s < b.e && a.e > b.e },
		"T_OVERLAPS":     func(a, b iv) bool { return a.s < b.s && a.e > b.s && a.e < b.e },
		"T_STARTEDBY":    func(a, b iv) bool { return a.s == b.s && a.e > b.e },
		"T_STARTS":       func(a, b iv) bool { return a.s == b.s && a.e < b.e },
	}
	// B is [10, 20]; A runs over every placement of its ends around B's, instants too.
	ends := []int{5, 10, 15, 20, 25}
	q := map[string]cql2.Queryable{"s": {SQL: "s", Type: cql2.Date}, "e": {SQL: "e", Type: cql2.Date}}
	for op, want := range relations {
		e, err := cql2.Parse(op + "(INTERVAL(s, e), INTERVAL('2024-01-10', '2024-01-20'))")
		if err != nil {
			t.Fatal(err)
		}
		sql, args, err := cql2.Compile(e, q, 3, 4490)
		if err != nil {
			t.Fatal(err)
		}
		for _, as := range ends {
			for _, ae := range ends {
				if ae < as {
					continue
				}
				var got bool
				err := pool.QueryRow(ctx, "SELECT "+sql+" FROM (SELECT $1::date AS s, $2::date AS e) t",
					append([]any{d(as), d(ae)}, args...)...).Scan(&got)
				if err != nil {
					t.Fatalf("%s: %v\n%s", op, err, sql)
				}
				if w := want(iv{as, ae}, iv{10, 20}); got != w {
					t.Errorf("%s([%d, %d], [10, 20]) = %v, want %v", op, as, ae, got, w)
				}
			}
		}
	}

	// Through the API: the line versions whose validity meets 2023 (an open valid_to is
	// the current version, open-ended), and the parcels within 500 m of a point.
	var want int
	pool.QueryRow(ctx, `SELECT count(*) FROM block_lines_all WHERE valid_from <= '2023-12-31' AND coalesce(valid_to, 'infinity') >= '2023-01-01'`).Scan(&want)
	filter := "T_INTERSECTS(INTERVAL(valid_from, valid_to), INTERVAL('2023-01-01', '2023-12-31'))"
	fc := getFC(t, srv.URL+"/collections/block_lines/items?limit=1000&datetime=1900-01-01/..&filter="+url.QueryEscape(filter))
	if fc.NumberMatched != want || want == 0 {
		t.Errorf("%s: %d versions, want %d", filter, fc.NumberMatched, want)
	}
	var lon, lat float64
	pool.QueryRow(ctx, `SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM parcels ORDER BY id LIMIT 1) s`).Scan(&lon, &lat)
	pool.QueryRow(ctx, `SELECT count(*) FROM parcels WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, 500)`, lon, lat).Scan(&want)
	filter = fmt.Sprintf("S_DWITHIN(geometry, POINT(%f %f), 500, meters)", lon, lat)
	fc = getFC(t, srv.URL+"/collections/parcels/items?limit=1000&filter="+url.QueryEscape(filter))
	if fc.NumberMatched != want || want == 0 {
		t.Errorf("%s: %d parcels, want %d", filter, fc.NumberMatched, want)
	}
}
