package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/geo"
)

// Adjustment (调整方案) is a proposal to take area out of and add area into a
// district's block lines; applying it writes new block-line versions in one transaction.
type Adjustment struct {
	ID            int64   `json:"id"`
	Xzqdm         string  `json:"xzqdm"`
	Kind          string  `json:"kind"`
	Status        string  `json:"status"`
	DocNo         *string `json:"doc_no"`
	Reason        string  `json:"reason"`
	EffectiveDate string  `json:"effective_date"`
	ProposedOn    string  `json:"proposed_on"`
	PublicityFrom *string `json:"publicity_from"`
	PublicityTo   *string `json:"publicity_to"`
	ApprovedOn    *string `json:"approved_on"`
	ApprovedBy    *string `json:"approved_by"`
	// ApprovedPreview is the preview's outcome when it was approved (raw Outcome JSON);
	// ApprovedOverrideReason why it was approved although that preview failed.
	ApprovedPreview        json.RawMessage  `json:"approved_preview" schema:"ApprovedPreviewOrNull"`
	ApprovedOverrideReason *string          `json:"approved_override_reason"`
	AppliedAt              *time.Time       `json:"applied_at"`
	AppliedBy              *string          `json:"applied_by"`
	CreatedAt              time.Time        `json:"created_at"`
	CreatedBy              string           `json:"created_by"`
	Parts                  []AdjustmentPart `json:"parts"`
}

// AdjustmentPart is one removal (调出) or addition (调入) polygon.
type AdjustmentPart struct {
	Seq      int             `json:"seq"`
	Role     string          `json:"role"`
	Level    *int            `json:"level"`
	LineCode *string         `json:"line_code"`
	LineName *string         `json:"line_name"`
	AreaM2   float64         `json:"area_m2"`
	Geometry json.RawMessage `json:"geometry" schema:"GeometryOrNull"`
}

// NewAdjustment is a validated proposal from the API.
type NewAdjustment struct {
	Xzqdm         string
	Kind          string
	DocNo         string
	Reason        string
	EffectiveDate time.Time
	// ProposedOn is the legal date of the proposal; nil means the day it is recorded.
	ProposedOn    *time.Time
	PublicityFrom *time.Time
	PublicityTo   *time.Time
	Parts         []NewPart
}

// NewPart is a removal or addition with its geometry in its input CRS.
type NewPart struct {
	Role     string
	Level    int // additions only
	LineCode string
	LineName string
	Geom     *geo.Polygonal
}

// PartError names the part whose geometry the database refused.
type PartError struct {
	Seq int
	Err error
}

func (e *PartError) Error() string { return fmt.Sprintf("part %d: %v", e.Seq, e.Err) }
func (e *PartError) Unwrap() error { return e.Err }

const insertAdjustmentSQL = `INSERT INTO adjustments (xzqdm, kind, doc_no, reason, effective_date, publicity_from, publicity_to, status, created_by, proposed_on)
VALUES ($1, $2, nullif($3, ''), $4, $5, $6, $7, CASE WHEN $6::date IS NULL THEN 'draft' ELSE 'publicised' END, landreg_sys.actor(), $8)
RETURNING id`

// Input geometries are transformed by PostGIS (GIS axis order: easting/longitude first).
const insertPartSQL = `INSERT INTO adjustment_parts (adjustment_id, seq, role, level, line_code, line_name, geom)
VALUES ($1, $2, $3, $4, nullif($5, ''), nullif($6, ''),
        ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB($7), $8::int), 4490)))`

// CreateAdjustment stores a proposal and its parts.
func CreateAdjustment(ctx context.Context, db DB, ch Change, a NewAdjustment) (int64, error) {
	var id int64
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, insertAdjustmentSQL, a.Xzqdm, a.Kind, a.DocNo, a.Reason, civil(a.EffectiveDate),
			civilPtr(a.PublicityFrom), civilPtr(a.PublicityTo), civilPtr(a.ProposedOn)).Scan(&id); err != nil {
			return err
		}
		for i, p := range a.Parts {
			var level *int
			if p.Role == "addition" {
				level = &p.Level
			}
			if _, err := tx.Exec(ctx, insertPartSQL, id, i+1, p.Role, level, p.LineCode, p.LineName, p.Geom.WKB, p.Geom.SRID); err != nil {
				return &PartError{Seq: i + 1, Err: err}
			}
		}
		return nil
	})
	return id, err
}

// adjustmentColumns are read into an Adjustment by scanAdjustment.
const adjustmentColumns = `id, xzqdm, kind, status, doc_no, reason, effective_date::text, proposed_on::text, publicity_from::text,
  publicity_to::text, approved_on::text, approved_by, approved_preview, approved_override_reason, applied_at, applied_by,
  created_at, created_by`

const getAdjustmentSQL = `SELECT ` + adjustmentColumns + ` FROM adjustments WHERE id = $1`

func scanAdjustment(r pgx.Row, a *Adjustment) error {
	var preview []byte
	err := r.Scan(&a.ID, &a.Xzqdm, &a.Kind, &a.Status, &a.DocNo, &a.Reason, &a.EffectiveDate, &a.ProposedOn,
		&a.PublicityFrom, &a.PublicityTo, &a.ApprovedOn, &a.ApprovedBy, &preview, &a.ApprovedOverrideReason,
		&a.AppliedAt, &a.AppliedBy, &a.CreatedAt, &a.CreatedBy)
	if preview != nil {
		a.ApprovedPreview = preview
	}
	return err
}

const getPartsSQL = `SELECT seq, role, level, line_code, line_name, area_m2, ST_AsGeoJSON(geom, 9, 0)::json
FROM adjustment_parts WHERE adjustment_id = $1 ORDER BY seq`

// GetAdjustment reads a proposal with its parts (geometry as lon/lat GeoJSON).
func GetAdjustment(ctx context.Context, db DB, id int64) (*Adjustment, error) {
	a := &Adjustment{}
	err := scanAdjustment(db.QueryRow(ctx, getAdjustmentSQL, id), a)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, getPartsSQL, id)
	if err != nil {
		return nil, err
	}
	a.Parts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AdjustmentPart, error) {
		var p AdjustmentPart
		var lvl *int16
		err := r.Scan(&p.Seq, &p.Role, &lvl, &p.LineCode, &p.LineName, &p.AreaM2, &p.Geometry)
		if lvl != nil {
			l := int(*lvl)
			p.Level = &l
		}
		return p, err
	})
	return a, err
}

// ListAdjustments lists a district's proposals (all districts when xzqdm is empty).
func ListAdjustments(ctx context.Context, db DB, xzqdm string) ([]Adjustment, error) {
	rows, err := db.Query(ctx, `SELECT `+adjustmentColumns+` FROM adjustments WHERE $1 = '' OR xzqdm = $1 ORDER BY id`, xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Adjustment, error) {
		var a Adjustment
		err := scanAdjustment(r, &a)
		a.Parts = []AdjustmentPart{}
		return a, err
	})
}

// ErrState means the adjustment is not in a state that allows the step.
var ErrState = errors.New("adjustment state does not allow this step")

// Transition moves an adjustment along draft → publicised → approved, or to
// rejected/withdrawn. Applying has its own function; approving is Approve without an
// override.
func Transition(ctx context.Context, db DB, ch Change, id int64, to string, docNo string, on time.Time) error {
	if to == "approved" {
		_, err := Approve(ctx, db, ch, id, docNo, on, "")
		return err
	}
	from := map[string][]string{
		"publicised": {"draft"},
		"rejected":   {"draft", "publicised", "approved"},
		"withdrawn":  {"draft", "publicised", "approved"},
	}[to]
	if from == nil {
		return fmt.Errorf("unknown target status %q", to)
	}
	return InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM adjustments WHERE id = $1 FOR UPDATE`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !slices.Contains(from, status) {
			return fmt.Errorf("%w: %s → %s", ErrState, status, to)
		}
		_, err = tx.Exec(ctx, `UPDATE adjustments SET status = $2,
  doc_no = coalesce(nullif($4, ''), doc_no),
  publicity_from = CASE WHEN $2 = 'publicised' THEN coalesce(publicity_from, $3::date) ELSE publicity_from END
WHERE id = $1`, id, to, civil(on), docNo)
		return err
	})
}

// Approve approves adjustment id as of date on (issue 14.3): the database runs its
// preview first (landreg_sys.approve_adjustment) and refuses (LRA05, with the preview's
// figures) when it fails, unless override says why it is approved anyway; the preview
// and the override are kept on the adjustment and in its audit row. The dates must be
// in order (LRA04): proposal ≤ publicity ≤ approval ≤ effective date, approval not
// after today. It returns the preview.
func Approve(ctx context.Context, db DB, ch Change, id int64, docNo string, on time.Time, override string) (*Outcome, error) {
	o := &Outcome{}
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM adjustments WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != "draft" && status != "publicised" {
			return fmt.Errorf("%w: %s → approved", ErrState, status)
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `SELECT landreg_sys.approve_adjustment($1, $2::date, $3, $4)`, id, civil(on), docNo, override).Scan(&raw); err != nil {
			return err
		}
		return json.Unmarshal(raw, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Outcome is the balance of an adjustment per level, as the rule check computes it.
type Outcome struct {
	Accepted       bool    `json:"accepted"`
	Message        string  `json:"message,omitempty"`
	Kind           string  `json:"kind,omitempty"`
	EffectiveDate  string  `json:"effective_date"`
	RemovedM2L1    float64 `json:"removed_m2_l1"`
	RemovedM2L2    float64 `json:"removed_m2_l2"`
	AddedM2L1      float64 `json:"added_m2_l1"`
	AddedM2L2      float64 `json:"added_m2_l2"`
	ReserveUsedM2  float64 `json:"reserve_used_m2"`
	ReserveAddedM2 float64 `json:"reserve_added_m2"`
	FreeAddedM2    float64 `json:"free_added_m2"`
	// CorrectedM2: land a 纠错 took back from unreviewed direct additions, uncompensated.
	CorrectedM2    float64 `json:"corrected_m2"`
	ShortfallM2L1  float64 `json:"shortfall_m2_l1"`
	ShortfallM2L2  float64 `json:"shortfall_m2_l2"`
	TotalBeforeM2  float64 `json:"total_before_m2"`
	TotalAfterM2   float64 `json:"total_after_m2"`
	TotalAfterM2L1 float64 `json:"total_after_m2_l1"`
	TotalAfterM2L2 float64 `json:"total_after_m2_l2"`
	ReserveAfterM2 float64 `json:"reserve_after_m2"`
	// BaselineM2 is the district's baseline the total is held to; BaselineShortM2 how
	// far the total after falls below it when that is why a preview is refused.
	BaselineM2      *float64 `json:"baseline_m2,omitempty"`
	BaselineShortM2 float64  `json:"baseline_short_m2,omitempty"`
	LedgerID        int64    `json:"ledger_id,omitempty"`
	// SQLState names the rule a preview ran into on the way (a line outside its
	// district, an overlap …), when that is why it is not accepted.
	SQLState string `json:"sqlstate,omitempty"`
}

// Preview runs the apply step and the rule check in a subtransaction that the database
// always rolls back (landreg_sys.preview_adjustment): the figures are those an apply
// would produce, because it is the same code.
func Preview(ctx context.Context, db DB, ch Change, id int64) (*Outcome, error) {
	o := &Outcome{}
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM adjustments WHERE id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `SELECT landreg_sys.preview_adjustment($1)`, id).Scan(&raw); err != nil {
			return err
		}
		return json.Unmarshal(raw, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

const ledgerOutcomeSQL = `SELECT effective_date::text, kind, removed_m2_l1, removed_m2_l2, added_m2_l1, added_m2_l2,
  reserve_used_m2, reserve_added_m2, free_added_m2, total_before_m2, total_after_m2, total_after_m2_l1,
  total_after_m2_l2, reserve_after_m2, id, corrected_m2
FROM block_line_ledger WHERE adjustment_id = $1 ORDER BY id DESC LIMIT 1`

// Apply writes the adjustment's new block-line versions, reserve and ledger rows in one
// transaction; the commit-time rule check rejects it with the shortfall per level.
func Apply(ctx context.Context, db DB, ch Change, id int64) (*Outcome, error) {
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT landreg_sys.apply_adjustment($1)`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	o := &Outcome{Accepted: true}
	err = db.QueryRow(ctx, ledgerOutcomeSQL, id).Scan(&o.EffectiveDate, &o.Kind, &o.RemovedM2L1, &o.RemovedM2L2,
		&o.AddedM2L1, &o.AddedM2L2, &o.ReserveUsedM2, &o.ReserveAddedM2, &o.FreeAddedM2, &o.TotalBeforeM2,
		&o.TotalAfterM2, &o.TotalAfterM2L1, &o.TotalAfterM2L2, &o.ReserveAfterM2, &o.LedgerID, &o.CorrectedM2)
	if errors.Is(err, pgx.ErrNoRows) {
		return &Outcome{Accepted: true, Message: "调整方案未改变区块线 / the adjustment changes no block line"}, nil
	}
	return o, err
}

// civilPtr is civil for an optional date.
func civilPtr(d *time.Time) *string {
	if d == nil {
		return nil
	}
	s := civil(*d)
	return &s
}
