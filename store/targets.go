package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Target is an assessment target (考核目标, domain.md §8.7): a value of a kind for a
// district (Xzqdm) or the city (nil) over a period, set by a document.
type Target struct {
	ID            int64     `json:"id"`
	Version       int       `json:"version"`
	Xzqdm         *string   `json:"xzqdm"`
	Kind          string    `json:"kind"`
	Value         float64   `json:"value"`
	Unit          string    `json:"unit"`
	PeriodFrom    string    `json:"period_from"`
	PeriodTo      string    `json:"period_to"`
	SupplyMethod  *string   `json:"supply_method"`
	AboveSizeOnly bool      `json:"above_size_only"`
	DocNo         *string   `json:"doc_no"`
	Note          *string   `json:"note"`
	ValidFrom     string    `json:"valid_from"`
	SysFrom       time.Time `json:"sys_from"`
	CreatedBy     *string   `json:"created_by"`
	Reason        *string   `json:"reason"`
}

// TargetFields are the columns a caller writes, with the SQL type each is cast to; the
// database checks each (units, bounds, periods).
var TargetFields = map[string]string{
	"xzqdm": "text", "kind": "text", "value": "numeric", "unit": "text", "period_from": "date", "period_to": "date",
	"supply_method": "text", "above_size_only": "boolean", "doc_no": "text", "note": "text",
}

const targetColumns = `id, version, xzqdm, kind, value::float8, unit, period_from::text, period_to::text, supply_method,
  above_size_only, doc_no, note, valid_from::text, sys_from, created_by, reason`

func scanTarget(r pgx.CollectableRow) (Target, error) {
	var t Target
	err := r.Scan(&t.ID, &t.Version, &t.Xzqdm, &t.Kind, &t.Value, &t.Unit, &t.PeriodFrom, &t.PeriodTo, &t.SupplyMethod,
		&t.AboveSizeOnly, &t.DocNo, &t.Note, &t.ValidFrom, &t.SysFrom, &t.CreatedBy, &t.Reason)
	return t, err
}

// assignments turns fields (column → text, nil = NULL) into SQL with casts, in a stable
// order; unknown columns are the caller's bug.
func assignments(allowed map[string]string, fields map[string]*string, args *[]any) (cols, vals []string, err error) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		typ, ok := allowed[k]
		if !ok {
			return nil, nil, fmt.Errorf("store: unknown field %q", k)
		}
		*args = append(*args, fields[k])
		cols = append(cols, k)
		vals = append(vals, fmt.Sprintf("$%d::%s", len(*args), typ))
	}
	return cols, vals, nil
}

// insertRow inserts fields into table and returns the new id.
func insertRow(ctx context.Context, tx pgx.Tx, table string, allowed map[string]string, fields map[string]*string) (int64, error) {
	var args []any
	cols, vals, err := assignments(allowed, fields, &args)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.Join(vals, ", ")+") RETURNING id", args...).Scan(&id)
	return id, err
}

// updateRow updates fields of row id of table; ErrNotFound when there is none.
func updateRow(ctx context.Context, tx pgx.Tx, table string, allowed map[string]string, id int64, fields map[string]*string) error {
	args := []any{id}
	cols, vals, err := assignments(allowed, fields, &args)
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+table+" WHERE id = $1)", id).Scan(&ok); err != nil || ok {
			return err
		}
		return ErrNotFound
	}
	sets := make([]string, len(cols))
	for i := range cols {
		sets[i] = cols[i] + " = " + vals[i]
	}
	// The row is locked first so that a no-op update (no new version) still tells an
	// existing row from a missing one.
	var ok bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+table+" WHERE id = $1 FOR UPDATE)", id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	_, err = tx.Exec(ctx, "UPDATE "+table+" SET "+strings.Join(sets, ", ")+" WHERE id = $1", args...)
	return err
}

// CreateTarget registers a target and returns its id.
func CreateTarget(ctx context.Context, db DB, ch Change, fields map[string]*string) (int64, error) {
	var id int64
	err := InTx(ctx, db, ch, func(tx pgx.Tx) (err error) {
		id, err = insertRow(ctx, tx, "targets", TargetFields, fields)
		return err
	})
	return id, err
}

// UpdateTarget changes a target: a new version, the old one in targets_history.
func UpdateTarget(ctx context.Context, db DB, ch Change, id int64, fields map[string]*string) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error { return updateRow(ctx, tx, "targets", TargetFields, id, fields) })
}

// DeleteTarget retires a target (its last version stays in history).
func DeleteTarget(ctx context.Context, db DB, ch Change, id int64) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM targets WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return err
	})
}

// GetTarget reads the current version of a target.
func GetTarget(ctx context.Context, db DB, id int64) (*Target, error) {
	rows, err := db.Query(ctx, `SELECT `+targetColumns+` FROM targets WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanTarget)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return &t, err
}

// TargetHistory lists every version of a target, oldest first (closed ones from history).
func TargetHistory(ctx context.Context, db DB, id int64) ([]Target, error) {
	rows, err := db.Query(ctx, `SELECT `+targetColumns+` FROM targets_all WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanTarget)
}

// ListTargets lists the current targets, of one district when xzqdm is given ("city"
// for the city's own).
func ListTargets(ctx context.Context, db DB, xzqdm string) ([]Target, error) {
	rows, err := db.Query(ctx, `SELECT `+targetColumns+` FROM targets
WHERE $1 = '' OR ($1 = 'city' AND xzqdm IS NULL) OR xzqdm = $1 ORDER BY xzqdm NULLS FIRST, kind, period_from, id`, xzqdm)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, scanTarget)
	if out == nil {
		out = []Target{}
	}
	return out, err
}

// Progress is a target with its actual as of a date (landreg_sys.target_progress).
type Progress struct {
	ID             int64    `json:"id"`
	Version        int      `json:"version"`
	Xzqdm          *string  `json:"xzqdm"`
	Kind           string   `json:"kind"`
	KindZh         string   `json:"kind_zh"`
	Unit           string   `json:"unit"`
	Measure        string   `json:"measure"`
	Value          float64  `json:"value"`
	PeriodFrom     string   `json:"period_from"`
	PeriodTo       string   `json:"period_to"`
	SupplyMethod   *string  `json:"supply_method"`
	AboveSizeOnly  bool     `json:"above_size_only"`
	DocNo          *string  `json:"doc_no"`
	Note           *string  `json:"note"`
	Actual         *float64 `json:"actual"`
	Numerator      *float64 `json:"numerator"`
	Denominator    *float64 `json:"denominator"`
	Basis          *string  `json:"basis"`
	AchievedShare  *float64 `json:"achieved_share"`
	Expected       float64  `json:"expected"`
	NeededPerYear  *float64 `json:"needed_per_year"`
	Status         string   `json:"status"`
	DistrictName   *string  `json:"district"`
	StatusZh       string   `json:"status_zh"`
	AsOf           string   `json:"date"`
	KnownAt        *string  `json:"known_at"`
	MeasuredPeriod string   `json:"measured_to"`
}

// ProgressStatusZh labels the statuses of target_progress.
var ProgressStatusZh = map[string]string{
	"not_started": "未开始", "no_data": "无数据", "achieved": "已完成", "missed": "未完成",
	"on_track": "进度正常", "behind": "进度滞后",
}

// TargetProgress is every target in force at date d, as known at known (nil: now),
// with its actual; xzqdm narrows to one district ("city": the city's own targets).
func TargetProgress(ctx context.Context, db DB, d time.Time, known *time.Time, xzqdm string) ([]Progress, error) {
	rows, err := db.Query(ctx, `SELECT g.id, g.version, g.xzqdm, g.kind, g.kind_zh, g.unit, g.measure, g.value,
  g.period_from::text, g.period_to::text, g.supply_method, g.above_size_only, g.doc_no, g.note, g.actual, g.numerator,
  g.denominator, g.basis, g.achieved_share, g.expected, g.needed_per_year, g.status, d.name,
  least($1::date, g.period_to)::text
FROM landreg_sys.target_progress($1::date, $2::timestamptz) g LEFT JOIN districts d ON d.xzqdm = g.xzqdm
WHERE $3 = '' OR ($3 = 'city' AND g.xzqdm IS NULL) OR g.xzqdm = $3`, d.Format(time.DateOnly), known, xzqdm)
	if err != nil {
		return nil, err
	}
	var ks *string
	if known != nil {
		s := known.UTC().Format(time.RFC3339)
		ks = &s
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Progress, error) {
		p := Progress{AsOf: d.Format(time.DateOnly), KnownAt: ks}
		err := r.Scan(&p.ID, &p.Version, &p.Xzqdm, &p.Kind, &p.KindZh, &p.Unit, &p.Measure, &p.Value, &p.PeriodFrom,
			&p.PeriodTo, &p.SupplyMethod, &p.AboveSizeOnly, &p.DocNo, &p.Note, &p.Actual, &p.Numerator, &p.Denominator,
			&p.Basis, &p.AchievedShare, &p.Expected, &p.NeededPerYear, &p.Status, &p.DistrictName, &p.MeasuredPeriod)
		p.StatusZh = ProgressStatusZh[p.Status]
		return p, err
	})
	if out == nil {
		out = []Progress{}
	}
	return out, err
}

// LandTransfers is the bureau's figure of all land transferred (出让) in a district and year.
type LandTransfers struct {
	ID            int64     `json:"id"`
	Version       int       `json:"version"`
	Xzqdm         string    `json:"xzqdm"`
	Year          int       `json:"year"`
	TransferredMu float64   `json:"transferred_mu"`
	DocNo         *string   `json:"doc_no"`
	Note          *string   `json:"note"`
	ValidFrom     string    `json:"valid_from"`
	SysFrom       time.Time `json:"sys_from"`
	CreatedBy     *string   `json:"created_by"`
	Reason        *string   `json:"reason"`
}

// SetTransfer writes a district's figure for a year: the first one, or a new version of
// the one on file (history keeps the old).
func SetTransfer(ctx context.Context, db DB, ch Change, xzqdm string, year int, mu string, docNo, note *string) error {
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO transfers (xzqdm, year, transferred_mu, doc_no, note)
VALUES ($1, $2, $3::numeric, $4, $5)
ON CONFLICT (xzqdm, year) DO UPDATE SET transferred_mu = excluded.transferred_mu, doc_no = excluded.doc_no, note = excluded.note`,
			xzqdm, year, mu, docNo, note)
		return err
	})
}

// ListTransfers lists the current figures, of one district when xzqdm is given.
func ListTransfers(ctx context.Context, db DB, xzqdm string) ([]LandTransfers, error) {
	rows, err := db.Query(ctx, `SELECT id, version, xzqdm, year, transferred_mu::float8, doc_no, note, valid_from::text, sys_from,
  created_by, reason FROM transfers WHERE $1 = '' OR xzqdm = $1 ORDER BY xzqdm, year`, xzqdm)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[LandTransfers])
	if out == nil {
		out = []LandTransfers{}
	}
	return out, err
}
