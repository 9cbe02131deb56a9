package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/geo"
)

// District is one version of a county-level district (县级行政区): its rule settings,
// the Gauss-Krüger zone its registered areas are measured in (derived from the
// boundary), and the document and legal date of the change that made it.
type District struct {
	Xzqdm            string     `json:"xzqdm"`
	Name             string     `json:"name"`
	RuleStart        *string    `json:"rule_start"`
	RuleEnd          *string    `json:"rule_end"`
	CompRatio        float64    `json:"comp_ratio"`
	LevelForLevel    bool       `json:"level_for_level"`
	MinorEditM2      float64    `json:"minor_edit_m2"`
	IncludeLogistics bool       `json:"include_logistics"`
	BaselineAreaM2   *float64   `json:"baseline_area_m2"`
	BaselineDoc      *string    `json:"baseline_doc"`
	BaselineDate     *string    `json:"baseline_date"`
	GKSRID           int        `json:"gk_srid"`
	AreaM2           float64    `json:"area_m2"`
	BBox             []float64  `json:"bbox"`
	Synthetic        bool       `json:"synthetic"`
	DocNo            *string    `json:"doc_no"`
	ValidFrom        string     `json:"valid_from"`
	ValidTo          *string    `json:"valid_to"`
	Version          int        `json:"version"`
	SysFrom          time.Time  `json:"sys_from"`
	SysTo            *time.Time `json:"sys_to"`
	Retired          bool       `json:"retired"`
	CreatedBy        *string    `json:"created_by"`
	Reason           *string    `json:"reason"`
}

const districtColumns = `xzqdm, name, rule_start::text, rule_end::text, comp_ratio::float8, level_for_level, minor_edit_m2,
  include_logistics, baseline_area_m2, baseline_doc, baseline_date::text, gk_srid, area_m2,
  ARRAY[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)], synthetic, doc_no, valid_from::text,
  valid_to::text, version, sys_from, sys_to, retired, created_by, reason`

func scanDistrict(r pgx.CollectableRow) (District, error) {
	var d District
	err := r.Scan(&d.Xzqdm, &d.Name, &d.RuleStart, &d.RuleEnd, &d.CompRatio, &d.LevelForLevel, &d.MinorEditM2,
		&d.IncludeLogistics, &d.BaselineAreaM2, &d.BaselineDoc, &d.BaselineDate, &d.GKSRID, &d.AreaM2, &d.BBox,
		&d.Synthetic, &d.DocNo, &d.ValidFrom, &d.ValidTo, &d.Version, &d.SysFrom, &d.SysTo, &d.Retired,
		&d.CreatedBy, &d.Reason)
	return d, err
}

// DistrictWrite is a validated registration or change of a district.
type DistrictWrite struct {
	// Props maps landreg.DistrictSettings names to text values; nil means SQL NULL.
	Props map[string]*string
	// Geom is the boundary in its input CRS (PostGIS transforms it), nil to keep it.
	Geom *geo.Polygonal
	// IfVersions, when not nil, are the versions the write may replace (If-Match).
	IfVersions []int
}

func (w DistrictWrite) assignments(args *sqlArgs) (cols, vals []string) {
	names := make([]string, 0, len(w.Props))
	for k := range w.Props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		typ, ok := landreg.DistrictSettings[k]
		if !ok {
			continue
		}
		cols = append(cols, k)
		if v := w.Props[k]; v != nil {
			vals = append(vals, args.add(*v)+"::"+typ)
		} else {
			vals = append(vals, "NULL")
		}
	}
	if w.Geom != nil {
		cols = append(cols, "geom")
		vals = append(vals, fmt.Sprintf(geomInput, args.add(w.Geom.WKB), args.add(w.Geom.SRID)))
	}
	return cols, vals
}

// CreateDistrict registers a district; its first version is in force from ch.Effective
// (or, without one, from its delineation or rule start, else today).
func CreateDistrict(ctx context.Context, db DB, ch Change, xzqdm string, w DistrictWrite) error {
	args := sqlArgs{xzqdm}
	cols, vals := w.assignments(&args)
	sql := fmt.Sprintf("INSERT INTO districts (xzqdm, %s) VALUES ($1, %s)", strings.Join(cols, ", "), strings.Join(vals, ", "))
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql, args...)
		return err
	})
}

// UpdateDistrict changes a district's settings or boundary: a new version in force from
// ch.Effective (today without one), the old one closed into history.
func UpdateDistrict(ctx context.Context, db DB, ch Change, xzqdm string, w DistrictWrite) error {
	args := sqlArgs{xzqdm}
	cols, vals := w.assignments(&args)
	if len(cols) == 0 {
		return nil
	}
	sets := make([]string, len(cols))
	for i := range cols {
		sets[i] = cols[i] + " = " + vals[i]
	}
	sql := "UPDATE districts SET " + strings.Join(sets, ", ") + " WHERE xzqdm = $1"
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var v int
		err := tx.QueryRow(ctx, `SELECT version FROM districts WHERE xzqdm = $1 FOR UPDATE`, xzqdm).Scan(&v)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if w.IfVersions != nil && !containsInt(w.IfVersions, v) {
			return ErrPrecondition
		}
		_, err = tx.Exec(ctx, sql, args...)
		return err
	})
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// GetDistrict reads a district's current version, or with asOf the version in force
// on that legal date. ErrNotFound when there is none.
func GetDistrict(ctx context.Context, db DB, xzqdm string, asOf *time.Time) (*District, error) {
	sql := `SELECT ` + districtColumns + ` FROM districts_all WHERE xzqdm = $1 AND valid_to IS NULL AND NOT retired`
	args := []any{xzqdm}
	if asOf != nil {
		sql = `SELECT ` + districtColumns + ` FROM districts_all WHERE xzqdm = $1
  AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date) ORDER BY version DESC LIMIT 1`
		args = append(args, civil(*asOf))
	}
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, scanDistrict)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// ListDistricts lists the current districts in code order.
func ListDistricts(ctx context.Context, db DB) ([]District, error) {
	rows, err := db.Query(ctx, `SELECT `+districtColumns+` FROM districts_all WHERE valid_to IS NULL AND NOT retired ORDER BY xzqdm`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDistrict)
}

// DistrictVersions lists every version of a district, oldest first.
func DistrictVersions(ctx context.Context, db DB, xzqdm string) ([]District, error) {
	rows, err := db.Query(ctx, `SELECT `+districtColumns+` FROM districts_all WHERE xzqdm = $1 ORDER BY version`, xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanDistrict)
}

// DistrictProps reads a current district's writable settings as text (to validate a
// change as the record it would leave).
func DistrictProps(ctx context.Context, db DB, xzqdm string) (map[string]*string, error) {
	var raw map[string]any
	err := db.QueryRow(ctx, `SELECT to_jsonb(d) - 'geom' FROM districts d WHERE xzqdm = $1`, xzqdm).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := map[string]*string{}
	for k := range landreg.DistrictSettings {
		if v, ok := raw[k]; ok && v != nil {
			s := jsonText(v)
			out[k] = &s
		}
	}
	return out, nil
}

// DistrictHistory is every version of a district and its audit trail (geometry left
// out of the audit rows; it is in the versions, and the collection serves it).
type DistrictHistory struct {
	Versions []District   `json:"versions"`
	Audit    []AuditEntry `json:"audit"`
}

// GetDistrictHistory gathers a district's versions and audit rows; ErrNotFound if it
// never existed.
func GetDistrictHistory(ctx context.Context, db DB, xzqdm string) (*DistrictHistory, error) {
	h := &DistrictHistory{}
	var err error
	if h.Versions, err = DistrictVersions(ctx, db, xzqdm); err != nil {
		return nil, err
	}
	if len(h.Versions) == 0 {
		return nil, ErrNotFound
	}
	rows, err := db.Query(ctx, `SELECT a.id, a.at, a.actor, a.reason, a.table_name, a.op, a.row_key, a.txid,
  a.old_row - 'geom', a.new_row - 'geom', NULL::integer
FROM audit_log a WHERE a.table_name = 'districts' AND a.row_key = $1 ORDER BY a.id`, xzqdm)
	if err != nil {
		return nil, err
	}
	h.Audit, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
	return h, err
}
