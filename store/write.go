package store

import (
	"github.com/landreg/landreg"

	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/geo"
)

// Writable describes the columns a client may set on a collection (OGC API – Features
// Part 4 and the /v1 registry), with their SQL types. Values arrive as text and are
// cast by PostgreSQL, which reports malformed ones precisely.
type Writable struct {
	Columns map[string]string // property name → SQL type
	// ReadOnly properties appear in responses; clients (QGIS) echo them back on writes,
	// so they are accepted and ignored.
	ReadOnly map[string]bool
	// Role that may write.
	Role string
}

var writables = map[string]*Writable{
	"block_lines": {
		Role: landreg.RolePlanner,
		Columns: map[string]string{"code": "text", "name": "text", "xzqdm": "text", "level": "smallint",
			"approval_doc": "text", "adjustment_id": "bigint", "valid_from": "date"},
		ReadOnly: map[string]bool{"id": true, "level_name": true, "version": true, "valid_to": true, "area_m2": true, "area_mu": true, "area_ha": true},
	},
	"parcels": {
		Role: landreg.RoleRegistrar,
		Columns: map[string]string{"zddm": "text", "bdcdyh": "text", "cert_no": "text", "xzqdm": "text", "location": "text",
			"project_name": "text", "holder_name": "text", "holder_uscc": "text", "landuse_code": "text",
			"landuse_system": "text", "industry_code": "text", "registered_area_m2": "numeric",
			"supply_method": "text", "supervision_no": "text", "contract_no": "text", "contract_date": "date",
			"price_wan": "numeric", "term_years": "integer", "is_standard_land": "boolean",
			"agreed_delivery": "date", "agreed_start": "date", "agreed_completion": "date", "agreed_rampup_review": "date",
			"far_min": "numeric", "far_max": "numeric", "coverage_min": "numeric",
			"invest_intensity_wan_per_mu": "numeric", "tax_per_mu_wan": "numeric", "va_per_mu_wan": "numeric",
			"energy_va_wan_per_tce": "numeric", "emission_va_wan_per_t": "numeric", "rd_ratio": "numeric",
			"valid_from": "date"},
		ReadOnly: map[string]bool{"id": true, "version": true, "valid_to": true, "area_m2": true, "area_mu": true, "area_ha": true,
			// Its idle status (today or as of datetime=) is derived: landreg_sys.status_timeline.
			"status": true, "status_zh": true},
	},
}

// WritableFor returns the write description of a collection, if it takes writes.
func WritableFor(collection string) (*Writable, bool) {
	w, ok := writables[collection]
	return w, ok
}

// FeatureWrite is a validated create, replace or patch.
type FeatureWrite struct {
	// Props maps writable property names to text values; nil means SQL NULL.
	Props map[string]*string
	Geom  *geo.Polygonal
	// EchoedID is the properties' id when the client sent one back (features carry their
	// id as a property too); 0 when absent.
	EchoedID int64
	// IfVersions, when not nil, are the versions the client's If-Match names; the write
	// happens only if the current version is one of them (none: never).
	IfVersions []int
}

// ErrPrecondition means the feature changed since the client read it.
var ErrPrecondition = errors.New("the feature was changed by someone else (ETag mismatch)")

// geomInput turns client WKB in its CRS into storage CRS; PostGIS transforms.
const geomInput = `ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(%s), %s::int), 4490))`

func (w *Writable) assignments(fw FeatureWrite, args *sqlArgs) (cols, vals []string) {
	names := make([]string, 0, len(fw.Props))
	for k := range fw.Props {
		names = append(names, k)
	}
	sort.Strings(names) // stable SQL text for the statement cache
	for _, k := range names {
		cols = append(cols, k)
		v := fw.Props[k]
		if v == nil {
			vals = append(vals, "NULL")
			continue
		}
		vals = append(vals, args.add(*v)+"::"+w.Columns[k])
	}
	if fw.Geom != nil {
		cols = append(cols, "geom")
		vals = append(vals, fmt.Sprintf(geomInput, args.add(fw.Geom.WKB), args.add(fw.Geom.SRID)))
	}
	return cols, vals
}

// CreateFeature inserts a feature and returns its id.
func CreateFeature(ctx context.Context, db DB, ch Change, collection string, fw FeatureWrite) (int64, error) {
	w := writables[collection]
	var args sqlArgs
	cols, vals := w.assignments(fw, &args)
	sql := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) RETURNING id", collection, strings.Join(cols, ", "), strings.Join(vals, ", "))
	var id int64
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, sql, args...).Scan(&id)
	})
	return id, err
}

// lockVersion locks the current row and checks the client's versions (nil: any).
func lockVersion(ctx context.Context, tx pgx.Tx, collection string, id int64, want []int) error {
	var v int
	err := tx.QueryRow(ctx, "SELECT version FROM "+collection+" WHERE id = $1 FOR UPDATE", id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if want != nil && !slices.Contains(want, v) {
		return ErrPrecondition
	}
	return nil
}

// UpdateFeature replaces (replace = true: unset writable properties become NULL) or
// patches a feature; the triggers version it and write history and audit.
func UpdateFeature(ctx context.Context, db DB, ch Change, collection string, id int64, fw FeatureWrite, replace bool) error {
	w := writables[collection]
	if replace {
		for k := range w.Columns {
			if _, ok := fw.Props[k]; !ok && k != "valid_from" {
				fw.Props[k] = nil
			}
		}
	}
	var args sqlArgs
	cols, vals := w.assignments(fw, &args)
	if len(cols) == 0 {
		return nil
	}
	sets := make([]string, len(cols))
	for i := range cols {
		sets[i] = cols[i] + " = " + vals[i]
	}
	sql := fmt.Sprintf("UPDATE %s SET %s WHERE id = %s", collection, strings.Join(sets, ", "), args.add(id))
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		if err := lockVersion(ctx, tx, collection, id, fw.IfVersions); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, sql, args...)
		return err
	})
}

// RetireFeature deletes the current row; the trigger keeps it in history as retired.
func RetireFeature(ctx context.Context, db DB, ch Change, collection string, id int64, ifVersions []int) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		if err := lockVersion(ctx, tx, collection, id, ifVersions); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM "+collection+" WHERE id = $1", id)
		return err
	})
}
