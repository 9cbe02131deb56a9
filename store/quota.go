package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Quota is a district's block-line position at a legal date (总量只增不减).
type Quota struct {
	Xzqdm       string   `json:"xzqdm"`
	Name        string   `json:"name"`
	Date        string   `json:"date"`
	TotalM2     float64  `json:"total_m2"`
	TotalM2L1   float64  `json:"total_m2_l1"`
	TotalM2L2   float64  `json:"total_m2_l2"`
	BaselineM2  *float64 `json:"baseline_m2"`
	BaselineDoc *string  `json:"baseline_doc"`
	ReserveM2   float64  `json:"reserve_m2"`
	ReserveM2L1 float64  `json:"reserve_m2_l1"`
	ReserveM2L2 float64  `json:"reserve_m2_l2"`
	CommittedM2 float64  `json:"committed_m2"`
	MarginM2    *float64 `json:"margin_m2"`
	InWindow    bool     `json:"in_window"`
	RuleStart   *string  `json:"rule_start"`
	RuleEnd     *string  `json:"rule_end"`
	// M2: industrial parcels' area inside the lines (reported, not enforced).
	IndustrialInsideM2 float64 `json:"industrial_inside_m2"`
	Pass               *bool   `json:"pass"`
}

// industrialCodes is the default industrial land-use set (domain.md §6); warehouse
// codes join it when the district's policy counts logistics land.
const quotaSQL = `WITH d AS (SELECT * FROM districts WHERE xzqdm = $1),
lines AS (
  SELECT level, geom FROM block_lines_all
  WHERE xzqdm = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)
),
m2 AS (
  SELECT coalesce(sum(ST_Area(ST_Intersection(p.geom, l.geom)::geography)), 0) AS m2
  FROM parcels_all p JOIN lines l ON p.geom && l.geom AND ST_Intersects(p.geom, l.geom), d
  WHERE p.xzqdm = $1 AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
    AND (p.landuse_code = ANY ('{1001,100101,100102,100103,0601,M,M1,M2,M3}')
         OR (d.include_logistics AND p.landuse_code = ANY ('{1101,110101,110102,110103,0604,0508,W,W1,W2,W3}')))
)
SELECT d.xzqdm, d.name, t.l1, t.l2, d.baseline_area_m2, d.baseline_doc, r.l1, r.l2,
  (d.rule_start IS NOT NULL OR d.rule_end IS NOT NULL) AND (d.rule_start IS NULL OR $2 >= d.rule_start) AND (d.rule_end IS NULL OR $2 <= d.rule_end),
  d.rule_start::text, d.rule_end::text, m2.m2
FROM d, landreg_sys.block_line_totals($1, $2) t, landreg_sys.reserve_at($1, $2) r, m2`

// QuotaAt computes a district's quota as of date.
func QuotaAt(ctx context.Context, db DB, xzqdm string, date time.Time) (*Quota, error) {
	q := &Quota{Date: date.Format(time.DateOnly)}
	err := db.QueryRow(ctx, quotaSQL, xzqdm, date).Scan(&q.Xzqdm, &q.Name, &q.TotalM2L1, &q.TotalM2L2,
		&q.BaselineM2, &q.BaselineDoc, &q.ReserveM2L1, &q.ReserveM2L2, &q.InWindow, &q.RuleStart, &q.RuleEnd,
		&q.IndustrialInsideM2)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	q.finish()
	return q, nil
}

func (q *Quota) finish() {
	q.TotalM2 = q.TotalM2L1 + q.TotalM2L2
	q.ReserveM2 = q.ReserveM2L1 + q.ReserveM2L2
	q.CommittedM2 = q.TotalM2 - q.ReserveM2
	if q.BaselineM2 != nil {
		m := q.TotalM2 - *q.BaselineM2
		q.MarginM2 = &m
		pass := m >= -1e-6*(*q.BaselineM2)
		q.Pass = &pass
	}
}

// Districts lists the district codes in order.
func Districts(ctx context.Context, db DB) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT xzqdm FROM districts ORDER BY xzqdm`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// LedgerEntry is one change of a district's block-line area.
type LedgerEntry struct {
	ID               int64     `json:"id"`
	EffectiveDate    string    `json:"effective_date"`
	Kind             string    `json:"kind"`
	AdjustmentID     *int64    `json:"adjustment_id"`
	AdjustmentKind   *string   `json:"adjustment_kind"`
	DocNo            *string   `json:"doc_no"`
	RemovedM2L1      float64   `json:"removed_m2_l1"`
	RemovedM2L2      float64   `json:"removed_m2_l2"`
	AddedM2L1        float64   `json:"added_m2_l1"`
	AddedM2L2        float64   `json:"added_m2_l2"`
	ReserveUsedM2    float64   `json:"reserve_used_m2"`
	ReserveAddedM2   float64   `json:"reserve_added_m2"`
	FreeAddedM2      float64   `json:"free_added_m2"`
	CorrectedM2      float64   `json:"corrected_m2"`
	TotalAfterM2     float64   `json:"total_after_m2"`
	ReserveAfterM2   float64   `json:"reserve_after_m2"`
	CommittedAfterM2 float64   `json:"committed_after_m2"`
	NeedsReview      bool      `json:"needs_review"`
	Actor            string    `json:"actor"`
	Reason           *string   `json:"reason"`
	RecordedAt       time.Time `json:"recorded_at"`
	// Review is the 复核 that confirmed a direct edit, if any.
	Review *DirectEditReview `json:"review"`
}

// DirectEditReview (直接编辑复核) is a reviewer's confirmation of a direct edit that
// added area: from then on a 纠错 can no longer take that land back without
// compensation (migration 00010).
type DirectEditReview struct {
	LedgerID   int64     `json:"ledger_id"`
	Note       string    `json:"note"`
	Reviewer   string    `json:"reviewer"`
	ReviewedAt time.Time `json:"reviewed_at"`
}

const ledgerSQL = `SELECT l.id, l.effective_date::text, l.kind, l.adjustment_id, a.kind, coalesce(l.doc_no, a.doc_no),
  l.removed_m2_l1, l.removed_m2_l2, l.added_m2_l1, l.added_m2_l2, l.reserve_used_m2, l.reserve_added_m2,
  l.free_added_m2, l.corrected_m2, l.total_after_m2, l.reserve_after_m2, l.committed_after_m2, l.needs_review,
  l.actor, l.reason, l.recorded_at, r.note, r.reviewer, r.reviewed_at
FROM block_line_ledger l LEFT JOIN adjustments a ON a.id = l.adjustment_id
  LEFT JOIN direct_edit_reviews r ON r.ledger_id = l.id
WHERE l.xzqdm = $1 ORDER BY l.effective_date, l.id`

// Ledger lists every recorded change of a district's block lines.
func Ledger(ctx context.Context, db DB, xzqdm string) ([]LedgerEntry, error) {
	rows, err := db.Query(ctx, ledgerSQL, xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (LedgerEntry, error) {
		var e LedgerEntry
		var note, reviewer *string
		var reviewedAt *time.Time
		err := r.Scan(&e.ID, &e.EffectiveDate, &e.Kind, &e.AdjustmentID, &e.AdjustmentKind, &e.DocNo,
			&e.RemovedM2L1, &e.RemovedM2L2, &e.AddedM2L1, &e.AddedM2L2, &e.ReserveUsedM2, &e.ReserveAddedM2,
			&e.FreeAddedM2, &e.CorrectedM2, &e.TotalAfterM2, &e.ReserveAfterM2, &e.CommittedAfterM2, &e.NeedsReview,
			&e.Actor, &e.Reason, &e.RecordedAt, &note, &reviewer, &reviewedAt)
		if note != nil {
			e.Review = &DirectEditReview{LedgerID: e.ID, Note: *note, Reviewer: *reviewer, ReviewedAt: *reviewedAt}
		}
		return e, err
	})
}

// reviewSQL records a review; the table's triggers check that the entry is a direct
// edit awaiting review (LRV01), fill in reviewer and time, and clear its flag.
const reviewSQL = `INSERT INTO direct_edit_reviews (ledger_id, note)
SELECT l.id, $3 FROM block_line_ledger l WHERE l.id = $2 AND l.xzqdm = $1
RETURNING ledger_id, note, reviewer, reviewed_at`

// ReviewDirectEdit records the 复核 of ledger entry id of district xzqdm: the reviewer
// (ch.Actor) confirms a direct edit that added area. ErrNotFound when the district has
// no such entry.
func ReviewDirectEdit(ctx context.Context, db DB, ch Change, xzqdm string, id int64, note string) (DirectEditReview, error) {
	var r DirectEditReview
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, reviewSQL, xzqdm, id, note).Scan(&r.LedgerID, &r.Note, &r.Reviewer, &r.ReviewedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// YearEnds returns the 12-31 dates from the baseline year to the end of the rule window
// (or this year, whichever is earlier).
func YearEnds(ctx context.Context, db DB, xzqdm string, today time.Time) ([]time.Time, error) {
	var from, to *time.Time
	err := db.QueryRow(ctx, `SELECT coalesce(baseline_date, rule_start), rule_end FROM districts WHERE xzqdm = $1`, xzqdm).Scan(&from, &to)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	start := today.Year() - 10
	if from != nil {
		start = from.Year()
	}
	end := today.Year()
	if to != nil && to.Year() < end {
		end = to.Year()
	}
	var out []time.Time
	for y := start; y <= end; y++ {
		out = append(out, time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
	}
	return out, nil
}
