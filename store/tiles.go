package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/landreg/landreg/catalog"
)

// TileLayer executes a tile layer of the catalogue (package catalog): its features
// are the rows of its collection's sources (collection_* views), the attributes below.
type TileLayer struct {
	*catalog.TileLayer

	source catalog.Source
	// columns are the layer's attributes over the source aliased t (and s, the idle
	// status, for IdleStatus layers); package catalog lists them for TileJSON.
	columns string
}

// tileColumns are the MVT attributes of each layer, named as catalog's Fields (plus
// the feature id).
var tileColumns = map[string]string{
	"districts":   `t.id, t.xzqdm, t.name`,
	"block_lines": `t.id, t.code, t.name, t.xzqdm, t.level, t.version, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu`,
	"parcels": `t.id, t.zddm, t.xzqdm, t.holder_name, t.landuse_code, t.project_name, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu,
  t.is_standard_land, s.category AS status, s.category_zh AS status_zh, s.low_efficiency`,
	"parcel_points": `t.id, t.zddm, t.xzqdm, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu,
  t.is_standard_land, s.category AS status, s.low_efficiency`,
	"remediation_projects": `t.id, t.name, t.xzqdm, t.town, t.method, t.status, t.planned_mu::float8 AS planned_mu`,
	"districts_labels":     `t.id, t.xzqdm, t.name`,
	"block_lines_labels":   `t.id, t.code, t.name, t.level`,
	"parcels_labels":       `t.id, t.zddm, t.holder_name, round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 2)::float8 AS area_mu`,
}

var tileLayers []*TileLayer

func init() {
	for _, cl := range catalog.TileLayers() {
		cc, _ := catalog.ByID(cl.Collection)
		cols, ok := tileColumns[cl.ID]
		if !ok {
			panic("store: no attributes for tile layer " + cl.ID)
		}
		tileLayers = append(tileLayers, &TileLayer{TileLayer: cl, source: cc.Source, columns: cols})
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

// maxTileFeatures bounds one layer of one tile.
const maxTileFeatures = 50000

// One tile layer: the tile envelope is computed by PostGIS (Web Mercator), turned into
// the storage CRS for an index-backed && on the table, and the geometries are clipped
// and quantised by ST_AsMVTGeom. %[1]s layer name, %[2]s columns, %[3]s source,
// %[4]s extra filter, %[5]d feature limit, %[6]s status join, %[7]s the geometry.
const tileLayerSQL = `(SELECT coalesce(ST_AsMVT(q, '%[1]s', 4096, 'geom', 'id'), ''::bytea) FROM (
  SELECT %[2]s, %[7]s AS geom
  FROM %[3]s t CROSS JOIN bounds%[6]s
  WHERE t.geom && bounds.query%[4]s
  LIMIT ` + "%[5]d" + `) q)`

// The geometry of a polygon layer, clipped to the tile and its margin.
const tileGeom = `ST_AsMVTGeom(ST_Transform(t.geom, 3857), bounds.merc, 4096, 64, true)`

// A label layer's point (computed once per feature, in the lateral join), kept only by
// the tile whose own square, without margin and half-open, holds it: each feature has
// one label point.
const (
	labelJoin   = "\n  CROSS JOIN LATERAL (SELECT ST_Transform(ST_PointOnSurface(t.geom), 3857) AS lp) l"
	labelGeom   = `ST_AsMVTGeom(l.lp, bounds.merc, 4096, 0, false)`
	labelFilter = `
    AND ST_X(l.lp) >= ST_XMin(bounds.merc) AND ST_X(l.lp) < ST_XMax(bounds.merc)
    AND ST_Y(l.lp) >= ST_YMin(bounds.merc) AND ST_Y(l.lp) < ST_YMax(bounds.merc)`
)

// The idle status of each parcel of the tile as of the tile's date (%[1]s), from the
// status timeline: an index lookup per feature (the timeline's index on parcel
// and range start), or one pass over the day's statuses for a city-wide tile, as the
// planner finds cheaper from the table's statistics. A parcel without a status that
// day (none: it is not valid then) is drawn without one.
const tileStatusJoin = `
  LEFT JOIN landreg_sys.status_timeline s ON s.parcel_id = t.id AND s.during @> %[1]s`

const tileBoundsSQL = `WITH bounds AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS merc,
         ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS query)`

// TileSQL is the single statement that renders the layers of one tile; the result is
// the concatenation of their MVT layers (a valid MVT). Empty when no layer is visible at
// that zoom. asOf selects versions of versioned layers valid on that date; parcels carry
// their idle status as of statusDate.
func TileSQL(layers []*TileLayer, z, x, y int, asOf *time.Time, statusDate time.Time) (string, []any) {
	args := sqlArgs{z, x, y}
	parts := make([]string, 0, len(layers))
	for _, l := range layers {
		if z < l.MinZoom || z > l.MaxZoom {
			continue
		}
		source, filter, join := l.source.Current, "", ""
		if asOf != nil && l.Versioned {
			source = l.source.AllVersions
			d := args.add(*asOf)
			filter = "\n    AND " + validOn("t", d)
		}
		if l.IdleStatus {
			join = fmt.Sprintf(tileStatusJoin, args.add(statusDate.Format(time.DateOnly))+"::date")
		}
		geom := tileGeom
		if l.Labels {
			geom, filter, join = labelGeom, filter+labelFilter, join+labelJoin
		}
		parts = append(parts, fmt.Sprintf(tileLayerSQL, l.ID, l.columns, source, filter, maxTileFeatures, join, geom))
	}
	if len(parts) == 0 {
		return "", nil
	}
	return tileBoundsSQL + "\nSELECT " + strings.Join(parts, " ||\n") + " FROM bounds", args
}

// Tile renders one tile (nil when no layer is visible at that zoom).
func Tile(ctx context.Context, db DB, layers []*TileLayer, z, x, y int, asOf *time.Time, statusDate time.Time) ([]byte, error) {
	sql, args := TileSQL(layers, z, x, y, asOf, statusDate)
	if sql == "" {
		return nil, nil
	}
	var tile []byte
	err := db.QueryRow(ctx, sql, args...).Scan(&tile)
	return tile, err
}
