package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Quota is a district's block-line position at a legal date (总量只增不减).
type Quota struct {
	Xzqdm string `json:"xzqdm"`
	Name  string `json:"name"`
	Date  string `json:"date"`
	// KnownAt: the system time the figures are as known at; nil = now.
	KnownAt     *time.Time `json:"known_at"`
	TotalM2     float64    `json:"total_m2"`
	TotalM2L1   float64    `json:"total_m2_l1"`
	TotalM2L2   float64    `json:"total_m2_l2"`
	BaselineM2  *float64   `json:"baseline_m2"`
	BaselineDoc *string    `json:"baseline_doc"`
	ReserveM2   float64    `json:"reserve_m2"`
	ReserveM2L1 float64    `json:"reserve_m2_l1"`
	ReserveM2L2 float64    `json:"reserve_m2_l2"`
	CommittedM2 float64    `json:"committed_m2"`
	MarginM2    *float64   `json:"margin_m2"`
	InWindow    bool       `json:"in_window"`
	RuleStart   *string    `json:"rule_start"`
	RuleEnd     *string    `json:"rule_end"`
	// M2: industrial parcels' area inside the lines (reported, not enforced).
	IndustrialInsideM2 float64 `json:"industrial_inside_m2"`
	// RuleApplies: the date is inside the rule window and the district has a baseline,
	// so 总量只增不减 applies; Pass (nil otherwise) is then the database's own verdict,
	// landreg_sys.under_baseline, the comparison the rule check refuses a change by.
	RuleApplies bool  `json:"rule_applies"`
	Pass        *bool `json:"pass"`
}

// quotaSQL: $1 district, $2 legal date, $3 system time the answer is "as known at"
// (NULL: now; issue 14.6). Lines, parcels, reserve and the district's rule settings are
// those the register held at $3: versions recorded by then, a version closed later
// counting as the open one it then was (landreg_sys.block_lines_known, and the same
// test on parcels_all as landreg_sys.idle_core makes); districts are not versioned, so
// their settings at $3 are read from the district's last audit row recorded by then
// (the current row when there is none).
//
// industrialCodes is the default industrial land-use set (domain.md §6); warehouse
// codes join it when the district's policy counts logistics land.
const quotaSQL = `WITH cur AS (SELECT * FROM districts WHERE xzqdm = $1),
was AS (
  SELECT a.new_row FROM audit_log a
  WHERE $3::timestamptz IS NOT NULL AND a.table_name = 'districts' AND a.row_key = $1 AND a.op <> 'DELETE' AND a.at <= $3
  ORDER BY a.id DESC LIMIT 1
),
d AS (
  SELECT cur.xzqdm, coalesce(was.new_row->>'name', cur.name) AS name,
    CASE WHEN was.new_row IS NULL THEN cur.baseline_area_m2 ELSE (was.new_row->>'baseline_area_m2')::float8 END AS baseline_area_m2,
    CASE WHEN was.new_row IS NULL THEN cur.baseline_doc ELSE was.new_row->>'baseline_doc' END AS baseline_doc,
    CASE WHEN was.new_row IS NULL THEN cur.rule_start ELSE (was.new_row->>'rule_start')::date END AS rule_start,
    CASE WHEN was.new_row IS NULL THEN cur.rule_end ELSE (was.new_row->>'rule_end')::date END AS rule_end,
    CASE WHEN was.new_row IS NULL THEN cur.include_logistics ELSE (was.new_row->>'include_logistics')::boolean END AS include_logistics
  FROM cur LEFT JOIN was ON true
),
lines AS (
  SELECT level, geom FROM landreg_sys.block_lines_known($3) l
  WHERE l.xzqdm = $1 AND l.valid_from <= $2 AND (l.valid_to IS NULL OR l.valid_to > $2)
),
m2 AS (
  SELECT coalesce(sum(ST_Area(ST_Intersection(p.geom, l.geom)::geography)), 0) AS m2
  FROM parcels_all p JOIN lines l ON p.geom && l.geom AND ST_Intersects(p.geom, l.geom), d
  WHERE p.xzqdm = $1 AND p.valid_from <= $2 AND ($3::timestamptz IS NULL OR p.sys_from <= $3)
    AND (p.valid_to IS NULL OR p.valid_to > $2 OR ($3::timestamptz IS NOT NULL AND p.sys_to > $3))
    AND (p.landuse_code = ANY ('{1001,100101,100102,100103,0601,M,M1,M2,M3}')
         OR (d.include_logistics AND p.landuse_code = ANY ('{1101,110101,110102,110103,0604,0508,W,W1,W2,W3}')))
)
SELECT d.xzqdm, d.name, t.l1, t.l2, d.baseline_area_m2, d.baseline_doc, r.l1, r.l2,
  landreg_sys.in_rule_window(d.rule_start, d.rule_end, $2), d.rule_start::text, d.rule_end::text, m2.m2,
  CASE WHEN landreg_sys.in_rule_window(d.rule_start, d.rule_end, $2) AND d.baseline_area_m2 IS NOT NULL
       THEN NOT landreg_sys.under_baseline(t.l1 + t.l2, d.baseline_area_m2) END
FROM d, landreg_sys.block_line_totals($1, $2, $3) t, landreg_sys.reserve_at($1, $2, $3) r, m2`

// QuotaAt computes a district's quota as of date.
func QuotaAt(ctx context.Context, db DB, xzqdm string, date time.Time) (*Quota, error) {
	return QuotaKnownAt(ctx, db, xzqdm, date, nil)
}

// QuotaKnownAt is QuotaAt as the register stood at system time known (nil = now): a
// figure published on a past day can be reproduced although back-dated changes were
// recorded since.
func QuotaKnownAt(ctx context.Context, db DB, xzqdm string, date time.Time, known *time.Time) (*Quota, error) {
	q := &Quota{Date: date.Format(time.DateOnly), KnownAt: known}
	err := db.QueryRow(ctx, quotaSQL, xzqdm, civil(date), known).Scan(&q.Xzqdm, &q.Name, &q.TotalM2L1, &q.TotalM2L2,
		&q.BaselineM2, &q.BaselineDoc, &q.ReserveM2L1, &q.ReserveM2L2, &q.InWindow, &q.RuleStart, &q.RuleEnd,
		&q.IndustrialInsideM2, &q.Pass)
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
	}
	q.RuleApplies = q.Pass != nil
}

// Districts lists the district codes in order.
func Districts(ctx context.Context, db DB) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT xzqdm FROM districts ORDER BY xzqdm`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// LedgerEntry is one change of a district's block-line area. Its figures come in two
// kinds (issue 14.5): Recorded* are the totals the rule check wrote when the change was
// recorded (recorded_at), which a later back-dated change does not touch; Restated* are
// recomputed now (or as known at the time asked) from the versions valid at the entry's
// effective date, exactly as QuotaAt computes them for that date.
type LedgerEntry struct {
	ID             int64   `json:"id"`
	EffectiveDate  string  `json:"effective_date"`
	Kind           string  `json:"kind"`
	AdjustmentID   *int64  `json:"adjustment_id"`
	AdjustmentKind *string `json:"adjustment_kind"`
	DocNo          *string `json:"doc_no"`
	RemovedM2L1    float64 `json:"removed_m2_l1"`
	RemovedM2L2    float64 `json:"removed_m2_l2"`
	AddedM2L1      float64 `json:"added_m2_l1"`
	AddedM2L2      float64 `json:"added_m2_l2"`
	ReserveUsedM2  float64 `json:"reserve_used_m2"`
	ReserveAddedM2 float64 `json:"reserve_added_m2"`
	FreeAddedM2    float64 `json:"free_added_m2"`
	CorrectedM2    float64 `json:"corrected_m2"`
	// BaselineM2 is the baseline a delineation (划定) or its correction (划定更正) fixed;
	// nil on other entries.
	BaselineM2 *float64 `json:"baseline_m2"`
	// As recorded.
	TotalAfterM2     float64 `json:"total_after_m2"`
	TotalAfterM2L1   float64 `json:"total_after_m2_l1"`
	TotalAfterM2L2   float64 `json:"total_after_m2_l2"`
	ReserveAfterM2   float64 `json:"reserve_after_m2"`
	CommittedAfterM2 float64 `json:"committed_after_m2"`
	// Restated: the position at the end of EffectiveDate, from the versions valid then
	// (as QuotaAt).
	RestatedTotalM2L1   float64   `json:"restated_total_m2_l1"`
	RestatedTotalM2L2   float64   `json:"restated_total_m2_l2"`
	RestatedReserveM2L1 float64   `json:"restated_reserve_m2_l1"`
	RestatedReserveM2L2 float64   `json:"restated_reserve_m2_l2"`
	NeedsReview         bool      `json:"needs_review"`
	Actor               string    `json:"actor"`
	Reason              *string   `json:"reason"`
	RecordedAt          time.Time `json:"recorded_at"`
	// Review is the 复核 that confirmed a direct edit, if any.
	Review *DirectEditReview `json:"review"`
}

// RestatedTotalM2 is the restated block-line total.
func (e LedgerEntry) RestatedTotalM2() float64 { return e.RestatedTotalM2L1 + e.RestatedTotalM2L2 }

// RestatedReserveM2 is the restated reserve.
func (e LedgerEntry) RestatedReserveM2() float64 {
	return e.RestatedReserveM2L1 + e.RestatedReserveM2L2
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

// ledgerSQL: $1 district, $2 system time (NULL: now). As known at $2, the ledger holds
// the entries recorded by then, a review recorded later has not happened yet, and the
// restated figures use what was known then.
const ledgerSQL = `SELECT l.id, l.effective_date::text, l.kind, l.adjustment_id, a.kind, coalesce(l.doc_no, a.doc_no),
  l.removed_m2_l1, l.removed_m2_l2, l.added_m2_l1, l.added_m2_l2, l.reserve_used_m2, l.reserve_added_m2,
  l.free_added_m2, l.corrected_m2, l.total_after_m2, l.total_after_m2_l1, l.total_after_m2_l2, l.reserve_after_m2,
  l.committed_after_m2, t.l1, t.l2, res.l1, res.l2, l.needs_review OR r.ledger_id IS NOT NULL AND rv.ledger_id IS NULL,
  l.actor, l.reason, l.recorded_at, rv.note, rv.reviewer, rv.reviewed_at, l.baseline_m2
FROM block_line_ledger l LEFT JOIN adjustments a ON a.id = l.adjustment_id
  LEFT JOIN direct_edit_reviews r ON r.ledger_id = l.id
  LEFT JOIN direct_edit_reviews rv ON rv.ledger_id = l.id AND ($2::timestamptz IS NULL OR rv.reviewed_at <= $2),
  landreg_sys.block_line_totals(l.xzqdm, l.effective_date, $2) t, landreg_sys.reserve_at(l.xzqdm, l.effective_date, $2) res
WHERE l.xzqdm = $1 AND ($2::timestamptz IS NULL OR l.recorded_at <= $2)
ORDER BY l.effective_date, l.id`

// Ledger lists every recorded change of a district's block lines.
func Ledger(ctx context.Context, db DB, xzqdm string) ([]LedgerEntry, error) {
	return LedgerKnownAt(ctx, db, xzqdm, nil)
}

// LedgerKnownAt is Ledger as the register stood at system time known (nil = now).
func LedgerKnownAt(ctx context.Context, db DB, xzqdm string, known *time.Time) ([]LedgerEntry, error) {
	rows, err := db.Query(ctx, ledgerSQL, xzqdm, known)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (LedgerEntry, error) {
		var e LedgerEntry
		var note, reviewer *string
		var reviewedAt *time.Time
		err := r.Scan(&e.ID, &e.EffectiveDate, &e.Kind, &e.AdjustmentID, &e.AdjustmentKind, &e.DocNo,
			&e.RemovedM2L1, &e.RemovedM2L2, &e.AddedM2L1, &e.AddedM2L2, &e.ReserveUsedM2, &e.ReserveAddedM2,
			&e.FreeAddedM2, &e.CorrectedM2, &e.TotalAfterM2, &e.TotalAfterM2L1, &e.TotalAfterM2L2, &e.ReserveAfterM2,
			&e.CommittedAfterM2, &e.RestatedTotalM2L1, &e.RestatedTotalM2L2, &e.RestatedReserveM2L1, &e.RestatedReserveM2L2,
			&e.NeedsReview, &e.Actor, &e.Reason, &e.RecordedAt, &note, &reviewer, &reviewedAt, &e.BaselineM2)
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
