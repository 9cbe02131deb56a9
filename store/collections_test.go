package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// contract is the leading columns of every collection source and their types.
var contract = []struct{ name, typ string }{
	{"id", "int8"}, {"version", "int4"}, {"valid_from", "date"}, {"valid_to", "date"},
	{"geom", "geometry"}, {"props", "text"},
}

// sources lists every relation the catalogue names, as FROM items.
func sources(c *catalog.Collection) []string {
	out := []string{c.Source.Current}
	if c.Source.AllVersions != "" {
		out = append(out, c.Source.AllVersions)
	}
	if c.Source.AsOf != "" {
		out = append(out, c.Source.AsOf+"(landreg_sys.today())")
	}
	if c.Source.OnDate != "" {
		out = append(out, c.Source.OnDate+"(landreg_sys.today())")
	}
	return out
}

func loaded(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, _ := demodb.Demo(t)
	return pool
}

// TestCollectionSourcesContract: every source of every collection has the columns
// store's SQL names (docs/decisions.md, "Collections are views"), with the same
// types, and those /items reads a column for each queryable (the current view of a
// collection read as of a date only gives its extent).
func TestCollectionSourcesContract(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	for _, c := range catalog.Collections() {
		for _, src := range sources(c) {
			rows, err := pool.Query(ctx, `SELECT * FROM `+src+` t LIMIT 0`)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			fields := rows.FieldDescriptions()
			rows.Close()
			cols := map[string]bool{}
			for i, f := range fields {
				cols[f.Name] = true
				if i >= len(contract) {
					continue
				}
				var typ string
				pool.QueryRow(ctx, `SELECT typname FROM pg_type WHERE oid = $1`, f.DataTypeOID).Scan(&typ)
				if f.Name != contract[i].name || typ != contract[i].typ {
					t.Errorf("%s: column %d is %s %s, want %s %s", src, i+1, f.Name, typ, contract[i].name, contract[i].typ)
				}
			}
			if c.Source.AsOf != "" && !strings.HasPrefix(src, c.Source.AsOf+"(") {
				continue
			}
			for _, qq := range c.Queryables {
				if !cols[qq.Column] {
					t.Errorf("%s: no column %s for queryable %s", src, qq.Column, qq.Name)
				}
			}
		}
	}
}

// TestAllVersionsAgreeWithCurrent: the all-versions view of a versioned collection
// gives its current versions exactly as the current view does. Parcels' all-versions
// properties go through jsonb to fill in valid_to (as they always have), so their
// keys come in another order: they are compared as jsonb.
func TestAllVersionsAgreeWithCurrent(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	err := store.InTx(ctx, pool, store.Change{Actor: "test"}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE parcels SET project_name = 'x' WHERE id = (SELECT min(id) FROM parcels)`); err != nil {
			return err
		}
		// Districts are versioned too (issue 13).
		_, err := tx.Exec(ctx, `UPDATE districts SET comp_ratio = 1.5, doc_no = 'x' WHERE xzqdm = (SELECT min(xzqdm) FROM districts)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range catalog.Collections() {
		all := c.Source.AllVersions
		if all == "" {
			continue
		}
		var history, current, differ int
		err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE a.valid_to IS NOT NULL),
  count(*) FILTER (WHERE a.valid_to IS NULL),
  count(*) FILTER (WHERE a.valid_to IS NULL AND (c.id IS NULL OR a.version <> c.version OR a.valid_from <> c.valid_from
    OR NOT ST_Equals(a.geom, c.geom) OR a.props::jsonb <> c.props::jsonb OR ($1 AND a.props <> c.props)))
FROM `+all+` a LEFT JOIN `+c.Source.Current+` c ON c.id = a.id AND a.valid_to IS NULL`, c.ID != "parcels").Scan(&history, &current, &differ)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM `+c.Source.Current).Scan(&n)
		if history == 0 || current != n || differ != 0 {
			t.Errorf("%s: %d closed versions, %d current of %d, %d differ", all, history, current, n, differ)
		}
	}
}

// TestCollectionsForReaders: a landreg_reader login (a bureau's read-only user in
// psql or QGIS) reads every collection source and gets what the owner gets.
func TestCollectionsForReaders(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, "landreg_reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	digest := `SELECT count(*), md5(string_agg(t.id || ' ' || coalesce(t.version, 0) || ' ' || t.props || ' ' || ST_AsEWKT(t.geom), E'\n' ORDER BY t.id, t.version)) FROM `
	srcs := []string{"collection_parcel_status('2024-12-31', ids => ARRAY[1, 2, 3]::int8[])",
		"collection_parcel_status('2024-12-31', within => ST_MakeEnvelope(120.60, 27.92, 120.68, 27.97, 4490))"}
	for _, c := range catalog.Collections() {
		srcs = append(srcs, sources(c)...)
	}
	for _, src := range srcs {
		var n, owner int
		var sum, ownerSum string
		if err := conn.QueryRow(ctx, digest+src+" t").Scan(&n, &sum); err != nil {
			t.Errorf("reader: %s: %v", src, err)
			continue
		}
		if err := pool.QueryRow(ctx, digest+src+" t").Scan(&owner, &ownerSum); err != nil {
			t.Fatal(err)
		}
		if n == 0 || n != owner || sum != ownerSum {
			t.Errorf("%s: the reader got %d rows (%s), the owner %d (%s)", src, n, sum, owner, ownerSum)
		}
	}
	// Read-only: the views take no writes.
	if _, err := conn.Exec(ctx, `DELETE FROM collection_parcels`); err == nil {
		t.Error("a reader deleted through collection_parcels")
	}
}

// TestParcelStatusNarrowing: collection_parcel_status gives the same rows whether it
// classifies the whole city or only the parcels asked for (ids, within, after).
func TestParcelStatusNarrowing(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	var whole, byIDs, byBox, boxN int
	err := pool.QueryRow(ctx, `WITH w AS (SELECT * FROM collection_parcel_status('2024-12-31')),
  box AS (SELECT ST_MakeEnvelope(120.60, 27.92, 120.68, 27.97, 4490) AS b)
SELECT (SELECT count(*) FROM w),
  (SELECT count(*) FROM collection_parcel_status('2024-12-31', ids => ARRAY(SELECT id FROM w WHERE id % 3 = 0)) i
     JOIN w USING (id) WHERE i.props = w.props AND i.status = w.status),
  (SELECT count(*) FROM box, collection_parcel_status('2024-12-31', within => box.b) i
     JOIN w USING (id) WHERE i.props = w.props AND i.geom && box.b),
  (SELECT count(*) FROM w, box WHERE w.geom && box.b)`).Scan(&whole, &byIDs, &byBox, &boxN)
	if err != nil {
		t.Fatal(err)
	}
	if whole == 0 || byIDs == 0 || boxN == 0 || byBox != boxN {
		t.Errorf("whole city %d; by ids %d equal; in the box %d equal of %d", whole, byIDs, byBox, boxN)
	}
	var expected int
	pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT id FROM collection_parcel_status('2024-12-31') WHERE id % 3 = 0) s`).Scan(&expected)
	if byIDs != expected {
		t.Errorf("by ids: %d rows equal to the whole city's, want %d", byIDs, expected)
	}
	// A keyset page's bound: the rows above it, each as the whole city has it.
	var above, aboveEqual, aboveWant int
	err = pool.QueryRow(ctx, `WITH w AS (SELECT * FROM collection_parcel_status('2024-12-31')),
  k AS (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY id) AS k FROM w)
SELECT (SELECT count(*) FROM k, collection_parcel_status('2024-12-31', after => k.k) a),
  (SELECT count(*) FROM k, collection_parcel_status('2024-12-31', after => k.k) a JOIN w USING (id)
     WHERE a.props = w.props AND a.status = w.status),
  (SELECT count(*) FROM k, w WHERE w.id > k.k)`).Scan(&above, &aboveEqual, &aboveWant)
	if err != nil {
		t.Fatal(err)
	}
	if aboveWant == 0 || above != aboveWant || aboveEqual != aboveWant {
		t.Errorf("after the median id: %d rows, %d equal to the whole city's, want %d", above, aboveEqual, aboveWant)
	}
}

// TestTileLayerAttributes: the attributes of every tile layer are the fields the
// catalogue announces in TileJSON.
func TestTileLayerAttributes(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	// The z14 tile holding the first parcel, which has block lines and a district too.
	var x, y int
	err := pool.QueryRow(ctx, `SELECT floor((ST_X(c) + 180) / 360 * 16384)::int,
  floor((1 - ln(tan(radians(ST_Y(c))) + 1 / cos(radians(ST_Y(c)))) / pi()) / 2 * 16384)::int
FROM (SELECT ST_Centroid(p.geom) c FROM parcels p JOIN block_lines b ON ST_Intersects(p.geom, b.geom) ORDER BY p.id LIMIT 1) s`).Scan(&x, &y)
	if err != nil {
		t.Fatal(err)
	}
	// A label layer holds a feature only in the tile of its label point: the tile of
	// the first feature's point of its collection, at z14 or the layer's highest zoom
	// below (parcel_points ends at z11). So does a cells layer, whose cells are of points.
	zoomOf := func(l *store.TileLayer) int { return min(14, l.MaxZoom) }
	labelTile := map[string][2]int{}
	for _, l := range store.TileLayers() {
		if !l.Labels && !l.Cells {
			continue
		}
		var lx, ly int
		err := pool.QueryRow(ctx, `SELECT floor((ST_X(c) + 180) / 360 * 2 ^ $1)::int,
  floor((1 - ln(tan(radians(ST_Y(c))) + 1 / cos(radians(ST_Y(c)))) / pi()) / 2 * 2 ^ $1)::int
FROM (SELECT ST_PointOnSurface(geom) c FROM `+l.Collection+` ORDER BY valid_from, geom LIMIT 1) s`, zoomOf(l)).Scan(&lx, &ly)
		if err != nil {
			t.Fatal(err)
		}
		labelTile[l.ID] = [2]int{lx, ly}
	}
	for _, asOf := range []*time.Time{nil, ptr(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))} {
		var layers mvt.Layers
		for _, tl := range store.TileLayers() {
			tx, ty := x, y
			if xy, ok := labelTile[tl.ID]; ok {
				tx, ty = xy[0], xy[1]
			}
			tile, cut, err := store.Tile(ctx, pool, []*store.TileLayer{tl}, zoomOf(tl), tx, ty, asOf, time.Now())
			if err != nil || len(cut) > 0 {
				t.Fatal(err, cut)
			}
			ls, err := mvt.Unmarshal(tile)
			if err != nil {
				t.Fatal(err)
			}
			layers = append(layers, ls...)
		}
		if len(layers) != len(store.TileLayers()) {
			t.Fatalf("%d layers in the tiles", len(layers))
		}
		for _, l := range layers {
			cl, _ := catalog.TileLayerByID(l.Name)
			var want []string
			for k := range cl.Fields {
				want = append(want, k)
			}
			sort.Strings(want)
			// MVT leaves NULL attributes out: the layer's features together have them all.
			seen := map[string]bool{}
			for _, f := range l.Features {
				if f.ID == nil && !cl.Cells { // a cell stands for many parcels
					t.Errorf("layer %s: a feature without id", l.Name)
				}
				for k := range f.Properties {
					seen[k] = true
				}
			}
			var got []string
			for k := range seen {
				got = append(got, k)
			}
			sort.Strings(got)
			if len(l.Features) == 0 || !slices.Equal(got, want) {
				t.Errorf("layer %s (%d features) has %s, TileJSON says %s", l.Name, len(l.Features), strings.Join(got, ","), strings.Join(want, ","))
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestTileLabelPoint: the label layers' point (a point on the surface, in Web
// Mercator by the formula of EPSG:3857) is PostGIS's ST_Transform of it, for every
// feature of the label layers' collections.
func TestTileLabelPoint(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	for _, table := range []string{"parcels", "parcels_history", "districts", "block_lines"} {
		var n int
		var worst float64
		err := pool.QueryRow(ctx, `SELECT count(*), coalesce(max(ST_Distance(l.lp, ST_Transform(ST_PointOnSurface(t.geom), 3857))), 0)
FROM `+table+` t`+store.LabelJoin).Scan(&n, &worst)
		if err != nil {
			t.Fatal(err)
		}
		if (n == 0 && table != "parcels_history") || worst > 1e-6 {
			t.Errorf("%s: %d label points, up to %g m from ST_Transform's", table, n, worst)
		}
	}
}

// cityTileZ8 is the z8 tile (x, y) of the demo city: the one holding its first parcel.
func cityTileZ8(t *testing.T, pool *pgxpool.Pool) (x, y int) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `SELECT floor((ST_X(c) + 180) / 360 * 256)::int,
  floor((1 - ln(tan(radians(ST_Y(c))) + 1 / cos(radians(ST_Y(c)))) / pi()) / 2 * 256)::int
FROM (SELECT ST_PointOnSurface(geom) c FROM parcels ORDER BY id LIMIT 1) s`).Scan(&x, &y)
	if err != nil {
		t.Fatal(err)
	}
	return x, y
}

// TestTileCut: a layer with more features in a tile than the bound is cut to the
// first ones in its order, the most serious status first, and the tile names it; the
// same tile under a bound it does not reach is whole and names nothing.
func TestTileCut(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	l, _ := store.TileLayerByID("parcel_points")
	x, y := cityTileZ8(t, pool)
	precedence := precedences(t, pool)
	date := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	features := func() ([]*geojson.Feature, []string) {
		tile, cut, err := store.Tile(ctx, pool, []*store.TileLayer{l}, 8, x, y, nil, date)
		if err != nil {
			t.Fatal(err)
		}
		layers, err := mvt.Unmarshal(tile)
		if err != nil || len(layers) != 1 {
			t.Fatalf("%v, %d layers", err, len(layers))
		}
		return layers[0].Features, cut
	}
	whole, cut := features()
	if len(whole) < 100 || len(cut) != 0 {
		t.Fatalf("the z8 tile holds %d parcels, cut %v", len(whole), cut)
	}
	// The layer's order: precedence (no status last), then id.
	key := func(f *geojson.Feature) [2]int64 {
		p, ok := precedence[fmt.Sprint(f.Properties["status"])]
		if !ok {
			p = math.MaxInt32
		}
		return [2]int64{int64(p), int64(f.ID.(float64))}
	}
	slices.SortFunc(whole, func(a, b *geojson.Feature) int {
		ka, kb := key(a), key(b)
		return cmp.Or(cmp.Compare(ka[0], kb[0]), cmp.Compare(ka[1], kb[1]))
	})
	const bound = 37
	defer store.SetMaxTileFeatures(bound)()
	got, cut := features()
	if !slices.Equal(cut, []string{"parcel_points"}) || len(got) != bound {
		t.Fatalf("under a bound of %d: %d features, cut %v", bound, len(got), cut)
	}
	want := map[int64]bool{}
	for _, f := range whole[:bound] {
		want[key(f)[1]] = true
	}
	for _, f := range got {
		if !want[key(f)[1]] {
			t.Errorf("parcel %v (%v) kept, not among the %d most serious", f.ID, f.Properties["status"], bound)
		}
	}
	if key(whole[0])[0] >= key(whole[len(whole)-1])[0] {
		t.Errorf("the tile's parcels all have one status: the order is not tested")
	}
}

// precedences maps each status category to its precedence (1: the most serious).
func precedences(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT code, precedence FROM landreg_sys.idle_categories`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var p int
		if err := rows.Scan(&code, &p); err != nil {
			t.Fatal(err)
		}
		out[code] = p
	}
	if rows.Err() != nil || len(out) == 0 {
		t.Fatal(rows.Err(), len(out))
	}
	return out
}

// TestTileStatusIsTheCollections: every parcel point of the demo city's z8 tile carries
// the status and 低效 flag parcel_status gives it on the tile's date, past and today.
func TestTileStatusIsTheCollections(t *testing.T) {
	ctx := context.Background()
	pool := loaded(t)
	l, _ := store.TileLayerByID("parcel_points")
	x, y := cityTileZ8(t, pool)
	for _, d := range []time.Time{time.Date(2023, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), landreg.Today()} {
		want := map[int64]string{}
		rows, err := pool.Query(ctx, `SELECT id, status || '/' || low_efficiency FROM collection_parcel_status($1::date)`, d.Format(time.DateOnly))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var s string
			rows.Scan(&id, &s)
			want[id] = s
		}
		rows.Close()
		tile, cut, err := store.Tile(ctx, pool, []*store.TileLayer{l}, 8, x, y, &d, d)
		if err != nil || len(cut) > 0 {
			t.Fatal(err, cut)
		}
		layers, err := mvt.Unmarshal(tile)
		if err != nil || len(layers) != 1 {
			t.Fatalf("%v, %d layers", err, len(layers))
		}
		statuses := map[string]bool{}
		for _, f := range layers[0].Features {
			id := int64(f.ID.(float64))
			got := fmt.Sprintf("%v/%v", f.Properties["status"], f.Properties["low_efficiency"])
			statuses[got] = true
			if got != want[id] {
				t.Errorf("%s: parcel %d is %s in the tile, %q in parcel_status", d.Format(time.DateOnly), id, got, want[id])
			}
		}
		if len(layers[0].Features) < 100 || len(statuses) < 3 {
			t.Errorf("%s: %d points, %d statuses: too few to compare", d.Format(time.DateOnly), len(layers[0].Features), len(statuses))
		}
	}
}
