package store

import (
	"context"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"time"

	"github.com/landreg/landreg/catalog"
)

// TileLayer executes a tile layer of the catalogue (package catalog): its features
// are the rows of its collection's sources (collection_* views), the attributes below.
type TileLayer struct {
	*catalog.TileLayer

	source catalog.Source
	// columns are the layer's attributes over the source aliased t, and statusColumns
	// those over s, the idle status, for IdleStatus layers; package catalog lists them
	// all for TileJSON.
	columns, statusColumns string
}

// tileColumns are the MVT attributes of each layer, named as catalog's Fields (plus
// the feature id); an IdleStatus layer's status attributes are tileStatusColumns.
var tileColumns = map[string]string{
	"districts":   `t.id, t.xzqdm, t.name`,
	"block_lines": `t.id, t.code, t.name, t.xzqdm, t.level, t.version, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu`,
	"parcels": `t.id, t.zddm, t.xzqdm, t.holder_name, t.landuse_code, t.project_name, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu,
  t.is_standard_land`,
	"parcel_points": `t.id, t.zddm, t.xzqdm, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu,
  t.is_standard_land`,
	"remediation_projects": `t.id, t.name, t.xzqdm, t.town, t.method, t.status, t.planned_mu::float8 AS planned_mu`,
	"districts_labels":     `t.id, t.xzqdm, t.name`,
	"block_lines_labels":   `t.id, t.code, t.name, t.level`,
	"parcels_labels":       `t.id, t.zddm, t.holder_name, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu`,
}

// tileStatusColumns are the idle status attributes of the IdleStatus layers, from the
// status join (s).
var tileStatusColumns = map[string]string{
	"parcels":       `s.category AS status, s.category_zh AS status_zh, s.low_efficiency`,
	"parcel_points": `s.category AS status, s.low_efficiency`,
}

var tileLayers []*TileLayer

func init() {
	for _, cl := range catalog.TileLayers() {
		cc, _ := catalog.ByID(cl.Collection)
		if cl.Cells {
			if cl.MaxZoom > cellsZoom || cellsZoom+bits.Len(uint(catalog.CellsPerTile))-1 != 16 {
				panic("store: the cells of 00035 are CellsPerTile = 32 a tile of zoom 11 at most: layer " + cl.ID)
			}
			tileLayers = append(tileLayers, &TileLayer{TileLayer: cl, source: cc.Source})
			continue
		}
		cols, ok := tileColumns[cl.ID]
		scols, sok := tileStatusColumns[cl.ID]
		if !ok || sok != cl.IdleStatus {
			panic("store: no attributes (or status attributes) for tile layer " + cl.ID)
		}
		tileLayers = append(tileLayers, &TileLayer{TileLayer: cl, source: cc.Source, columns: cols, statusColumns: scols})
	}
}

// TileLayers lists the layers in drawing order.
func TileLayers() []*TileLayer { return tileLayers }

// TileLayerByID finds a layer.
func TileLayerByID(id string) (*TileLayer, bool) {
	for _, l := range tileLayers {
		if l.ID == id {
			return l, true
		}
	}
	return nil, false
}

// maxTileFeatures bounds one layer of one tile. A layer with more features in the
// tile is cut to the first maxTileFeatures in the layer's order (tileOrder), and the
// tile says so (Tile's cut layers; the server's Landreg-Cut-Layers header): never a
// silent drop.
var maxTileFeatures = 50000

// One tile layer: the tile envelope is computed by PostGIS (Web Mercator), turned into
// the storage CRS for an index-backed && on the table, and the geometries are clipped
// and quantised by ST_AsMVTGeom. The features are read in the layer's order, one more
// than the bound, numbered, and the MVT holds those within the bound; cut says
// whether there were more. f is the feature with exactly the layer's attributes.
// %[1]s layer name, %[2]s columns, %[3]s source, %[4]s extra filter, %[5]d feature
// bound, %[6]s joins (status, label point), %[7]s the geometry, %[8]s the order,
// %[9]s the attributes of f, %[10]d the layer's position.
const tileLayerSQL = `(SELECT coalesce(ST_AsMVT(f, '%[1]s', 4096, 'geom', 'id') FILTER (WHERE w.n <= %[5]d), ''::bytea) AS mvt,
    count(*) > %[5]d AS cut
  FROM (SELECT o.*, row_number() OVER () AS n FROM (
    SELECT %[2]s, %[7]s AS geom
    FROM %[3]s t CROSS JOIN bounds%[6]s
    WHERE t.geom && bounds.query%[4]s
    ORDER BY %[8]s
    LIMIT %[5]d + 1) o) w
  CROSS JOIN LATERAL (SELECT %[9]s) f) l%[10]d`

// The geometry of a polygon layer, clipped to the tile and its margin.
const tileGeom = `ST_AsMVTGeom(ST_Transform(t.geom, 3857), bounds.merc, 4096, 64, true)`

// A label layer's point, kept only by the tile whose own square, without margin and
// half-open, holds it: each feature has one label point. It is a point on the
// feature's surface (ST_PointOnSurface, computed once per feature: OFFSET 0 keeps the
// planner from copying the expression into every condition), in Web Mercator by the
// formula of EPSG:3857 (the sphere of radius 6,378,137 m over longitude and
// latitude; PROJ's CGCS2000 → WGS 84 is a null transformation): ST_Transform's
// per-call cost, about 4 µs a point, was the largest part of a city-wide point tile.
// TestTileLabelPoint holds the formula to ST_Transform.
const (
	labelJoin = `
  CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(6378137 * radians(ST_X(o.p)),
      6378137 * ln(tan(pi() / 4 + radians(ST_Y(o.p)) / 2))), 3857) AS lp
    FROM (SELECT ST_PointOnSurface(t.geom) AS p OFFSET 0) o OFFSET 0) l`
	labelGeom   = `ST_AsMVTGeom(l.lp, bounds.merc, 4096, 0, false)`
	labelFilter = `
    AND ST_X(l.lp) >= ST_XMin(bounds.merc) AND ST_X(l.lp) < ST_XMax(bounds.merc)
    AND ST_Y(l.lp) >= ST_YMin(bounds.merc) AND ST_Y(l.lp) < ST_YMax(bounds.merc)`
)

// The idle status of each parcel of the tile as of the tile's date (%[1]s), from the
// status timeline: an index lookup per feature (the timeline's index on parcel
// and range start), or one pass over the day's statuses for a city-wide tile, as the
// planner finds cheaper from the table's statistics. A parcel without a status that
// day (none: it is not valid then) is drawn without one. The range's start, implied by
// @> (no range starts at -infinity), bounds the lookup: the ranges a parcel will enter
// after the day (deadlines known ahead) are not read (z14: 0.66–0.69 → 0.71–0.75 of the
// rate without the status).
const tileStatusJoin = `
  LEFT JOIN landreg_sys.status_timeline s ON s.parcel_id = t.id AND lower(s.during) <= %[1]s AND s.during @> %[1]s`

// tileOrder is the order in which a layer's features fill the bound: by id. The
// parcel points, of which one tile holds a city at low zoom, where the bound can
// bite, put the most serious status first (the vocabulary's precedence, c), so a cut
// drops normal land before idle land; elsewhere that order would cost a polygon tile
// a tenth of its rate for a cut that a tile of a town's parcels does not reach.
const (
	tileOrder         = `t.id`
	tileSeverityJoin  = "\n  LEFT JOIN landreg_sys.idle_categories c ON c.code = s.category"
	tileSeverityOrder = `c.precedence NULLS LAST, t.id`
)

// A Cells layer (catalog.CellsPerTile): the cells of zoom 11 in the tile (00035: a
// grid cell >> 8), added up into the tile's own. On the day the map's cells hold
// (landreg_sys.status_cells_day) they are read from landreg_sys.status_cells, a few
// rows per cell; on any other day they are made from the parcels' points
// (landreg_sys.status_points, each parcel's piece of the day by binary search). One
// branch runs: each is gated by a one-time test of the day. A cell's point is the mean
// of its parcels' grid points, in tile units. %[2]s is the day; on the zoom-11 grid,
// %[4]s and %[5]s are the tile's first column and row, %[6]s its width, %[7]s the
// shift to the layer's cells; %[8]s and %[9]s are the tile's first grid column and
// row, %[10]s grid cells per tile unit. The features are read most serious status
// first, so a cut (which a grid of CellsPerTile² cells of a few districts does not
// reach) would drop normal land first.
const cellsLayerSQL = `(SELECT coalesce(ST_AsMVT(f, '%[1]s', 4096, 'geom') FILTER (WHERE w.rn <= %[3]d), ''::bytea) AS mvt,
    count(*) > %[3]d AS cut
  FROM (SELECT o.*, row_number() OVER () AS rn FROM (
    SELECT ST_MakePoint(round((g.sum_gx::numeric / g.n - %[8]s) / %[10]s), round((g.sum_gy::numeric / g.n - %[9]s) / %[10]s)) AS geom,
      g.xzqdm, g.category AS status, g.low_efficiency, g.standard_land AS is_standard_land, g.n::int AS n,
      round(landreg_sys.m2_to_mu(g.area_m2::float8)::numeric, 2)::float8 AS area_mu
    FROM (
      SELECT p.cx >> %[7]s AS kx, p.cy >> %[7]s AS ky, p.xzqdm, p.category, p.low_efficiency, p.standard_land,
        sum(p.n) AS n, sum(p.area_m2) AS area_m2, sum(p.sum_gx) AS sum_gx, sum(p.sum_gy) AS sum_gy
      FROM (
        SELECT c.cx, c.cy, c.xzqdm, c.category, c.low_efficiency, c.standard_land, c.n, c.area_m2, c.sum_gx, c.sum_gy
        FROM landreg_sys.status_cells c
        WHERE %[2]s = (SELECT d.day FROM landreg_sys.status_cells_day d)
          AND c.cx >= %[4]s AND c.cx < %[4]s + %[6]s AND c.cy >= %[5]s AND c.cy < %[5]s + %[6]s
        UNION ALL
        SELECT o.cx, o.cy, o.xzqdm, o.category, o.low_efficiency, o.standard_land, 1, o.area_m2, o.gx, o.gy
        FROM landreg_sys.status_points x CROSS JOIN bounds
          CROSS JOIN LATERAL landreg_sys.status_point_on(%[2]s, x.starts, x.ends, x.gx, x.gy, x.xzqdm, x.category,
            x.low_efficiency, x.standard_land, x.area_m2) o
        WHERE %[2]s IS DISTINCT FROM (SELECT d.day FROM landreg_sys.status_cells_day d)
          AND x.extent && bounds.merc
          AND o.cx >= %[4]s AND o.cx < %[4]s + %[6]s AND o.cy >= %[5]s AND o.cy < %[5]s + %[6]s) p
      GROUP BY 1, 2, 3, 4, 5, 6) g
    LEFT JOIN landreg_sys.idle_categories k ON k.code = g.category
    ORDER BY k.precedence NULLS LAST, g.ky, g.kx, g.xzqdm, g.low_efficiency, g.standard_land
    LIMIT %[3]d + 1) o) w
  CROSS JOIN LATERAL (SELECT w.geom, w.xzqdm, w.status, w.low_efficiency, w.is_standard_land, w.n, w.area_mu) f) l%[11]d`

// cellsZoom is the zoom of the cells landreg_sys.status_cells holds (00035): 2^16 a
// side, CellsPerTile a tile of zoom 11. A Cells layer's tiles are of this zoom or below.
const cellsZoom = 11

// cellsLayer renders a Cells layer of tile z/x/y with its status on statusDate.
func cellsLayer(l *TileLayer, args *sqlArgs, z, x, y int, statusDate time.Time, n int) string {
	const gridZoom = 24
	cellBits := bits.Len(uint(catalog.CellsPerTile)) - 1
	gridSpan := int64(1) << (gridZoom - z)
	cellSpan := int64(1) << (cellsZoom - z)
	return fmt.Sprintf(cellsLayerSQL, l.ID, args.add(statusDate.Format(time.DateOnly))+"::date", maxTileFeatures,
		args.add(int64(x)*cellSpan<<cellBits)+"::int", args.add(int64(y)*cellSpan<<cellBits)+"::int",
		args.add(cellSpan<<cellBits)+"::int", args.add(cellsZoom-z)+"::int",
		args.add(int64(x)*gridSpan)+"::bigint", args.add(int64(y)*gridSpan)+"::bigint", args.add(gridSpan/4096)+"::bigint", n)
}

const tileBoundsSQL = `WITH bounds AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS merc,
         ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS query)`

// TileSQL is the single statement that renders the layers of one tile: one row of
// the tile, the concatenation of their MVT layers (a valid MVT), and the names of the
// layers cut at maxTileFeatures. Empty when no layer is visible at that zoom. asOf
// selects versions of versioned layers valid on that date; parcels carry their idle
// status as of statusDate.
func TileSQL(layers []*TileLayer, z, x, y int, asOf *time.Time, statusDate time.Time) (string, []any) {
	return tileSQL(layers, z, x, y, asOf, statusDate, true)
}

// TileSQLWithoutStatus is TileSQL without the idle status: the same statement with
// no status join and no status attributes, ordered by id, and without the Cells
// layers, which are counts of statuses. For benchmarks, which set the two side by side.
func TileSQLWithoutStatus(layers []*TileLayer, z, x, y int, asOf *time.Time) (string, []any) {
	return tileSQL(layers, z, x, y, asOf, time.Time{}, false)
}

func tileSQL(layers []*TileLayer, z, x, y int, asOf *time.Time, statusDate time.Time, withStatus bool) (string, []any) {
	args := sqlArgs{z, x, y}
	var parts, mvts, cuts []string
	for _, l := range layers {
		if z < l.MinZoom || z > l.MaxZoom {
			continue
		}
		if l.Cells {
			if !withStatus {
				continue
			}
			n := len(parts)
			parts = append(parts, cellsLayer(l, &args, z, x, y, statusDate, n))
			mvts = append(mvts, fmt.Sprintf("l%d.mvt", n))
			cuts = append(cuts, fmt.Sprintf("CASE WHEN l%d.cut THEN '%s' END", n, l.ID))
			continue
		}
		source, filter, join, cols, order := l.source.Current, "", "", l.columns, tileOrder
		if asOf != nil && l.Versioned {
			source = l.source.AllVersions
			d := args.add(*asOf)
			filter = "\n    AND " + validOn("t", d)
		}
		attrs := []string{"w.id", "w.geom"}
		for name := range l.Fields {
			if withStatus || !isStatusAttribute(l, name) {
				attrs = append(attrs, "w."+name)
			}
		}
		sort.Strings(attrs[2:])
		if l.IdleStatus && withStatus {
			join = fmt.Sprintf(tileStatusJoin, args.add(statusDate.Format(time.DateOnly))+"::date")
			cols += ", " + l.statusColumns
			if l.Labels {
				join, order = join+tileSeverityJoin, tileSeverityOrder
			}
		}
		geom := tileGeom
		if l.Labels {
			geom, filter, join = labelGeom, filter+labelFilter, join+labelJoin
		}
		n := len(parts)
		parts = append(parts, fmt.Sprintf(tileLayerSQL, l.ID, cols, source, filter, maxTileFeatures, join, geom, order,
			strings.Join(attrs, ", "), n))
		mvts = append(mvts, fmt.Sprintf("l%d.mvt", n))
		cuts = append(cuts, fmt.Sprintf("CASE WHEN l%d.cut THEN '%s' END", n, l.ID))
	}
	if len(parts) == 0 {
		return "", nil
	}
	return tileBoundsSQL + "\nSELECT " + strings.Join(mvts, " || ") +
		",\n  array_remove(ARRAY[" + strings.Join(cuts, ", ") + "]::text[], NULL)\nFROM " +
		strings.Join(parts, "\nCROSS JOIN "), args
}

// isStatusAttribute reports whether a layer's attribute comes from the status join.
func isStatusAttribute(l *TileLayer, name string) bool {
	for _, c := range strings.Split(l.statusColumns, ",") {
		f := strings.Fields(c)
		if len(f) > 0 && strings.TrimPrefix(f[len(f)-1], "s.") == name {
			return true
		}
	}
	return false
}

// Tile renders one tile (nil when no layer is visible at that zoom) and names the
// layers cut at maxTileFeatures features.
func Tile(ctx context.Context, db DB, layers []*TileLayer, z, x, y int, asOf *time.Time, statusDate time.Time) (tile []byte, cut []string, err error) {
	sql, args := TileSQL(layers, z, x, y, asOf, statusDate)
	if sql == "" {
		return nil, nil, nil
	}
	err = db.QueryRow(ctx, sql, args...).Scan(&tile, &cut)
	return tile, cut, err
}
