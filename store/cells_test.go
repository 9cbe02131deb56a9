package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// cellsReferenceSQL is what the cells of a zoom ($2) on a day ($1) should hold, made
// without landreg_sys.status_points: the day's statuses (idle_statuses) with the
// version valid that day, its flags and the grid cell of its point on the surface,
// grouped per tile, cell and attributes; each group as the key cellKey makes of a
// feature, with its tile.
const cellsReferenceSQL = `WITH p AS (
  SELECT s.xzqdm, s.category, s.low_efficiency, v.is_standard_land, s.area_m2, g.gx, g.gy
  FROM landreg_sys.idle_statuses($1::date) s
  JOIN parcels_all v ON v.id = s.parcel_id AND v.valid_from <= $1::date AND (v.valid_to IS NULL OR v.valid_to > $1::date)
  CROSS JOIN LATERAL (SELECT landreg_sys.web_mercator_column(ST_X(o.p)) AS gx, landreg_sys.web_mercator_row(ST_Y(o.p)) AS gy
    FROM (SELECT ST_PointOnSurface(v.geom) AS p) o) g
)
SELECT min(gx) >> (24 - $2::int), min(gy) >> (24 - $2::int),
  concat_ws('|', xzqdm, category, coalesce(low_efficiency::text, '-'), coalesce(is_standard_land::text, '-'), count(*),
    round(landreg_sys.m2_to_mu(sum(area_m2::numeric)::float8)::numeric, 2)::float8,
    round((sum(gx)::numeric / count(*) - ((min(gx) >> (24 - $2::int))::bigint << (24 - $2::int))) / (1::bigint << (12 - $2::int))) || ',' ||
    round((sum(gy)::numeric / count(*) - ((min(gy) >> (24 - $2::int))::bigint << (24 - $2::int))) / (1::bigint << (12 - $2::int))))
FROM p
GROUP BY gx >> (24 - $2::int - 5), gy >> (24 - $2::int - 5), xzqdm, category, low_efficiency, is_standard_land`

// cellKey is a cell feature as cellsReferenceSQL keys it.
func cellKey(p map[string]any, pt orb.Point) string {
	s := func(k string) string {
		switch v := p[k].(type) {
		case nil:
			return "-"
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return fmt.Sprint(v)
		}
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v,%v", s("xzqdm"), s("status"), s("low_efficiency"), s("is_standard_land"),
		s("n"), s("area_mu"), pt[0], pt[1])
}

// TestTileCells: every parcel_cells tile of zooms 8–11 holding a demo parcel carries
// exactly the cells made from the day's statuses and versions by the reference query
// (the parcels of each cell and combination of attributes, their count, 亩 and mean
// point), on three days, past and today, both from the cells kept for the day and
// from the parcels' points (the cells kept for another day); the cells' parcels add up
// to the day's parcels; the features come most serious status first; and the grid is
// PostGIS's Web Mercator. The server's roll (store.RollStatusCells) brings cells of
// another day to today, once.
func TestTileCells(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	if catalog.CellsPerTile != 32 {
		t.Fatalf("the reference query groups 32 cells a tile, the layer %d", catalog.CellsPerTile)
	}
	l, _ := store.TileLayerByID("parcel_cells")
	precedence := precedences(t, pool)
	today := landreg.Today()
	roll := func(d time.Time) {
		t.Helper()
		var got time.Time
		if err := pool.QueryRow(ctx, `SELECT landreg_sys.roll_status_cells($1::date)`, d.Format(time.DateOnly)).Scan(&got); err != nil || !got.Equal(d) {
			t.Fatal(err, got)
		}
	}
	defer roll(today)
	for _, c := range []struct {
		d    time.Time
		kept bool
	}{
		{time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC), true}, {time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), false}, {time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{today, true}, {today, false},
	} {
		d := c.d
		if c.kept {
			roll(d)
		} else {
			roll(d.AddDate(0, 0, 1))
		}
		var parcels int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM landreg_sys.idle_statuses($1::date) s
JOIN parcels_all v ON v.id = s.parcel_id AND v.valid_from <= $1::date AND (v.valid_to IS NULL OR v.valid_to > $1::date)`,
			d.Format(time.DateOnly)).Scan(&parcels); err != nil {
			t.Fatal(err)
		}
		if parcels < 100 {
			t.Fatalf("%s: only %d parcels", d.Format(time.DateOnly), parcels)
		}
		for z := l.MinZoom; z <= l.MaxZoom; z++ {
			want := map[[2]int][]string{}
			rows, err := pool.Query(ctx, cellsReferenceSQL, d.Format(time.DateOnly), z)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var x, y int
				var k string
				if err := rows.Scan(&x, &y, &k); err != nil {
					t.Fatal(err)
				}
				want[[2]int{x, y}] = append(want[[2]int{x, y}], k)
			}
			rows.Close()
			counted := 0
			for xy, keys := range want {
				asOf := &d
				if d.Equal(today) {
					asOf = nil // the tile of today without datetime=: the current versions
				}
				tile, cut, err := store.Tile(ctx, pool, []*store.TileLayer{l}, z, xy[0], xy[1], asOf, d)
				if err != nil || len(cut) > 0 {
					t.Fatal(err, cut)
				}
				layers, err := mvt.Unmarshal(tile)
				if err != nil || len(layers) != 1 || layers[0].Name != "parcel_cells" {
					t.Fatalf("z%d %v: %v, %d layers", z, xy, err, len(layers))
				}
				var got []string
				last := 0
				for _, f := range layers[0].Features {
					pt, ok := f.Geometry.(orb.Point)
					if !ok {
						t.Fatalf("z%d %v: a %T", z, xy, f.Geometry)
					}
					got = append(got, cellKey(f.Properties, pt))
					n, _ := f.Properties["n"].(float64)
					counted += int(n)
					p, ok := precedence[fmt.Sprint(f.Properties["status"])]
					if !ok {
						t.Fatalf("z%d %v: status %v", z, xy, f.Properties["status"])
					}
					if p < last {
						t.Errorf("z%d %v: %v after a less serious status", z, xy, f.Properties["status"])
					}
					last = p
				}
				slices.Sort(got)
				slices.Sort(keys)
				if !slices.Equal(got, keys) {
					t.Fatalf("%s z%d %v: cells\n%v\nwant\n%v", d.Format(time.DateOnly), z, xy, got, keys)
				}
			}
			if counted != parcels {
				t.Errorf("%s z%d: the cells hold %d parcels, the day has %d", d.Format(time.DateOnly), z, counted, parcels)
			}
			if z == 11 && len(want) < 2 {
				t.Errorf("z11: the demo's cells lie in %d tile: tile edges are not tested", len(want))
			}
		}
	}
	// The server's daily roll: cells of another day are rebuilt for today, once.
	roll(today.AddDate(0, 0, -1))
	for i, want := range []bool{true, false} {
		rolled, err := store.RollStatusCells(ctx, pool)
		if err != nil || rolled != want {
			t.Fatalf("roll %d: rolled %v (%v), want %v", i, rolled, err, want)
		}
	}
	var day time.Time
	if err := pool.QueryRow(ctx, `SELECT day FROM landreg_sys.status_cells_day`).Scan(&day); err != nil || !day.Equal(today) {
		t.Fatalf("the cells are of %v (%v), not today", day, err)
	}
	// A second server rolling at the same moment finds the cells of today, and leaves them.
	var again *time.Time
	if err := pool.QueryRow(ctx, `SELECT landreg_sys.roll_status_cells($1::date, true)`, today.Format(time.DateOnly)).Scan(&again); err != nil || again != nil {
		t.Fatalf("a stale-only roll of cells already of today: %v (%v), want NULL", again, err)
	}
	// The grid: the cell of each parcel's point is where ST_Transform puts it.
	var n, off int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE g.gx <> floor((ST_X(m) + pi() * 6378137) / (2 * pi() * 6378137) * 2 ^ 24)
    OR g.gy <> floor((pi() * 6378137 - ST_Y(m)) / (2 * pi() * 6378137) * 2 ^ 24))
FROM parcels_all v CROSS JOIN LATERAL (SELECT ST_PointOnSurface(v.geom) AS p) o
  CROSS JOIN LATERAL (SELECT landreg_sys.web_mercator_column(ST_X(o.p)) AS gx, landreg_sys.web_mercator_row(ST_Y(o.p)) AS gy) g
  CROSS JOIN LATERAL ST_Transform(o.p, 3857) m`).Scan(&n, &off); err != nil {
		t.Fatal(err)
	}
	if n < 100 || off > 0 {
		t.Errorf("the grid cells of %d of %d points are not ST_Transform's", off, n)
	}
}

// TestParcelStatusCount: a page of parcel_status with no condition of its own reports
// the database's count of the day's rows (collection_parcel_status_count): on the cells'
// day their sum, on any other day the rows counted; both equal count(*) of
// collection_parcel_status, before and after a parcel is retired. A page with a box
// counts its rows. A cell changed by hand shows which path each day takes.
func TestParcelStatusCount(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	c, _ := store.CollectionByID("parcel_status")
	today := landreg.Today()
	past := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	if _, err := pool.Exec(ctx, `SELECT landreg_sys.roll_status_cells($1::date)`, today.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	count := func(db store.DB, q store.ItemsQuery) (got, want int64) {
		t.Helper()
		countSQL, args, _, _, err := c.ItemsSQL(q)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, countSQL, args...).Scan(&got); err != nil {
			t.Fatal(countSQL, err)
		}
		d := today
		if q.AsOf != nil {
			d = *q.AsOf
		}
		if err := db.QueryRow(ctx, `SELECT count(*) FROM collection_parcel_status($1::date)`, d.Format(time.DateOnly)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		return got, want
	}
	check := func(when string) {
		t.Helper()
		for _, q := range []store.ItemsQuery{{Limit: 10}, {Limit: 10, AsOf: &today}, {Limit: 10, AsOf: &past}} {
			if got, want := count(pool, q); got != want || want < 100 {
				t.Errorf("%s, as of %v: numberMatched %d, rows %d", when, q.AsOf, got, want)
			}
		}
	}
	check("the demo")
	var id int64
	if err := pool.QueryRow(ctx, `SELECT id FROM parcels ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	ch := store.Change{Actor: "test", Reason: "测试 / test"}
	if _, err := store.RetireParcel(ctx, pool, ch, id, "", "测试注〔2026〕2号", nil); err != nil {
		t.Fatal(err)
	}
	check("a parcel retired")

	// A box: the ordinary count of the box's rows.
	countSQL, _, _, _, err := c.ItemsSQL(store.ItemsQuery{Limit: 10, BBox: &geo.BBox{MinX: 120, MinY: 27, MaxX: 121, MaxY: 28}})
	if err != nil || !strings.Contains(countSQL, "count(*)") {
		t.Errorf("a box's count: %s, %v", countSQL, err)
	}

	// One more parcel in a cell, by hand and rolled back: only the cells' day sees it.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE landreg_sys.status_cells SET n = n + 1
WHERE ctid = (SELECT ctid FROM landreg_sys.status_cells LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if got, want := count(tx, store.ItemsQuery{Limit: 10}); got != want+1 {
		t.Errorf("today with a cell changed: %d, rows %d (the cells are not read)", got, want)
	}
	if got, want := count(tx, store.ItemsQuery{Limit: 10, AsOf: &past}); got != want {
		t.Errorf("another day with a cell changed: %d, rows %d", got, want)
	}
}
