package store

import (
	"context"
	"encoding/json"
	"time"
)

// Geometry for the reports whose rows are about a place but whose figures do not carry
// one (issue 14.15: every report has a GeoJSON form): a district's boundary, a parcel's
// outline, the parcels an enterprise holds. GeoJSON in CRS84 as the other reports
// write it (ST_AsGeoJSON(geom, 9, 0)).

// DistrictExists reports whether xzqdm is a registered district (current or retired).
func DistrictExists(ctx context.Context, db DB, xzqdm string) (bool, error) {
	var ok bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM districts_all WHERE xzqdm = $1)`, xzqdm).Scan(&ok)
	return ok, err
}

// DistrictGeometries returns every district's boundary in force on d (the latest
// version's for a district not yet in force then).
func DistrictGeometries(ctx context.Context, db DB, d time.Time) (map[string]json.RawMessage, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT ON (xzqdm) xzqdm, ST_AsGeoJSON(geom, 9, 0)::json FROM districts_all
ORDER BY xzqdm, (valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)) DESC, version DESC`, d)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]json.RawMessage{}
	for rows.Next() {
		var x string
		var g json.RawMessage
		if err := rows.Scan(&x, &g); err != nil {
			return nil, err
		}
		out[x] = g
	}
	return out, rows.Err()
}

// ParcelGeometry is the outline of a parcel's latest version (retired ones too).
func ParcelGeometry(ctx context.Context, db DB, id int64) (json.RawMessage, error) {
	var g json.RawMessage
	err := db.QueryRow(ctx, `SELECT ST_AsGeoJSON(geom, 9, 0)::json FROM parcels_all WHERE id = $1 ORDER BY version DESC LIMIT 1`, id).Scan(&g)
	return g, err
}

// HoldingGeometries returns, per enterprise, the parcels it held at the end of year as
// one MultiPolygon: the land its 亩均 figures are divided by.
func HoldingGeometries(ctx context.Context, db DB, year int) (map[string]json.RawMessage, error) {
	rows, err := db.Query(ctx, `SELECT p.holder_uscc, ST_AsGeoJSON(ST_Multi(ST_Collect(d.geom)), 9, 0)::json
FROM parcels_all p CROSS JOIN LATERAL ST_Dump(p.geom) d
WHERE p.holder_uscc IS NOT NULL AND p.valid_from <= make_date($1, 12, 31)
  AND (p.valid_to IS NULL OR p.valid_to > make_date($1, 12, 31))
GROUP BY p.holder_uscc`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]json.RawMessage{}
	for rows.Next() {
		var u string
		var g json.RawMessage
		if err := rows.Scan(&u, &g); err != nil {
			return nil, err
		}
		out[u] = g
	}
	return out, rows.Err()
}

// DistrictNames gives every registered district's name (its latest version's), and the
// codes of the current districts in order.
func DistrictNames(ctx context.Context, db DB) (map[string]string, []string, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT ON (xzqdm) xzqdm, name, EXISTS (SELECT 1 FROM districts c WHERE c.xzqdm = a.xzqdm)
FROM districts_all a ORDER BY xzqdm, version DESC`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	names := map[string]string{}
	var current []string
	for rows.Next() {
		var x, n string
		var cur bool
		if err := rows.Scan(&x, &n, &cur); err != nil {
			return nil, nil, err
		}
		names[x] = n
		if cur {
			current = append(current, x)
		}
	}
	return names, current, rows.Err()
}
