package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TileLayer is a collection served as a Mapbox Vector Tile layer.
type TileLayer struct {
	ID      string
	MinZoom int
	MaxZoom int
	// Fields names the attributes and their types, for TileJSON.
	Fields map[string]string
	// Versioned layers can be asked for as of a date.
	Versioned bool

	table   string
	columns string // attribute expressions over alias t (and s, the idle status, when status)
	// status joins each parcel's idle status as of the tile's date (alias s).
	status bool
}

// Zoom limits keep low zooms cheap: parcels (up to 10^5–10^6) appear from z12, where a
// tile holds a town's worth; districts and lines are few and shown from z5.
var tileLayers = []*TileLayer{
	{ID: "districts", MinZoom: 5, MaxZoom: 22, table: "districts",
		columns: `t.xzqdm::int8 AS id, t.xzqdm, t.name`,
		Fields:  map[string]string{"xzqdm": "String", "name": "String"}},
	{ID: "block_lines", MinZoom: 5, MaxZoom: 22, Versioned: true, table: "block_lines",
		columns: `t.id, t.code, t.name, t.xzqdm, t.level, t.version, round(landreg_sys.m2_to_mu(t.area_m2::numeric), 2)::float8 AS area_mu`,
		Fields:  map[string]string{"code": "String", "name": "String", "xzqdm": "String", "level": "Number", "version": "Number", "area_mu": "Number"}},
	{ID: "parcels", MinZoom: 12, MaxZoom: 22, Versioned: true, table: "parcels", status: true,
		columns: `t.id, t.zddm, t.xzqdm, t.holder_name, t.landuse_code, t.project_name, round(landreg_sys.m2_to_mu(t.area_m2::numeric), 2)::float8 AS area_mu,
  s.category AS status, s.category_zh AS status_zh, s.low_efficiency`,
		Fields: map[string]string{"zddm": "String", "xzqdm": "String", "holder_name": "String", "landuse_code": "String",
			"project_name": "String", "area_mu": "Number", "status": "String", "status_zh": "String", "low_efficiency": "Boolean"}},
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
// and quantised by ST_AsMVTGeom. %[1]s layer name, %[2]s columns, %[3]s table,
// %[4]s extra filter.
const tileLayerSQL = `(SELECT coalesce(ST_AsMVT(q, '%[1]s', 4096, 'geom', 'id'), ''::bytea) FROM (
  SELECT %[2]s, ST_AsMVTGeom(ST_Transform(t.geom, 3857), bounds.merc, 4096, 64, true) AS geom
  FROM %[3]s t CROSS JOIN bounds%[6]s
  WHERE t.geom && bounds.query%[4]s
  LIMIT ` + "%[5]d" + `) q)`

// The idle status of the parcels in the tile only, as of the tile's date (%[1]s) —
// classifying the whole city per tile would cost seconds.
const tileStatusJoin = `
  LEFT JOIN LATERAL landreg_sys.idle_statuses_of(ARRAY(SELECT p.id FROM %[2]s p WHERE p.geom && bounds.query%[3]s), %[1]s) s
    ON s.parcel_id = t.id`

const tileBoundsSQL = `WITH bounds AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS merc,
         ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS query)
SELECT `

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
		table, filter, pfilter, join := l.table, "", "", ""
		if asOf != nil && l.Versioned {
			table = l.table + "_all"
			d := args.add(*asOf)
			filter = "\n    AND " + fmt.Sprintf(asOfFilter, d)
			pfilter = " AND " + strings.ReplaceAll(fmt.Sprintf(asOfFilter, d), "t.", "p.")
		}
		if l.status {
			join = fmt.Sprintf(tileStatusJoin, args.add(statusDate.Format(time.DateOnly))+"::date", table, pfilter)
		}
		parts = append(parts, fmt.Sprintf(tileLayerSQL, l.ID, l.columns, table, filter, maxTileFeatures, join))
	}
	if len(parts) == 0 {
		return "", nil
	}
	return tileBoundsSQL + strings.Join(parts, " ||\n") + " FROM bounds", args
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
