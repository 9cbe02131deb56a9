package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// Disposal is where the disposal of a parcel's idle land stands (闲置土地处置, domain.md
// §2.1, §7.1) as of a date, from its events (landreg_sys.idle_disposal): the stage
// (landreg_sys.disposal_stages), the idle fee due (computed, 20 % of the price for
// IDLE_1Y / IDLE_2Y), levied, paid and outstanding (levied − paid), and the basis of a
// recovery (landreg_sys.recovery_bases).
type Disposal struct {
	ParcelID          int64    `json:"parcel_id"`
	Stage             string   `json:"stage"`
	StageZh           string   `json:"stage_zh"`
	StageSince        *string  `json:"stage_since"`
	FeeDueWan         float64  `json:"fee_due_wan"`
	FeeLeviedWan      float64  `json:"fee_levied_wan"`
	FeePaidWan        float64  `json:"fee_paid_wan"`
	FeeOutstandingWan float64  `json:"fee_outstanding_wan"`
	RecoveryBasis     *string  `json:"recovery_basis"`
	RecoveryBasisZh   *string  `json:"recovery_basis_zh"`
	CompensationWan   *float64 `json:"compensation_wan"`
	// GovCauseUnresolved: 90 days after every government cause ended with no disposal
	// recorded since (原因消除未处置, ruling 14); nil otherwise.
	GovCauseUnresolved *string `json:"gov_cause_unresolved"`
}

// disposalColumns reads landreg_sys.idle_disposal as d beside the parcel's status s.
const disposalColumns = `d.parcel_id, d.stage, d.stage_zh, d.stage_since::text, coalesce(s.idle_fee_wan, 0)::float8,
  d.fee_levied_wan::float8, d.fee_paid_wan::float8, (d.fee_levied_wan - d.fee_paid_wan)::float8,
  d.recovery_basis, d.recovery_basis_zh, d.compensation_wan::float8, d.gov_cause_unresolved::text`

// DisposalAt is parcel id's disposal as of legal date d (nil: today), as known now.
func DisposalAt(ctx context.Context, db DB, id int64, d *time.Time) (*Disposal, error) {
	day := "today"
	if d != nil {
		day = civil(*d)
	}
	rows, err := db.Query(ctx, `WITH a AS (SELECT CASE WHEN $2 = 'today' THEN landreg_sys.today() ELSE $2::date END AS day)
SELECT `+disposalColumns+`
FROM a CROSS JOIN LATERAL landreg_sys.idle_disposal(a.day, NULL, ARRAY[$1::bigint]) d
LEFT JOIN LATERAL landreg_sys.idle_status(d.parcel_id, a.day) s ON true`, id, day)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Disposal])
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return &out[0], nil
}

// DisposalRow is one parcel's disposal procedure in the ledger (闲置土地处置台账,
// landreg_sys.disposal_ledger): its status, the dates of each step since the latest
// survey notice, the step it is at, the next step and the day it is due by (the
// district's idle policy in force when the step's period began), and how many days it
// is overdue.
type DisposalRow struct {
	ParcelID       int64
	Zddm           string
	Xzqdm          string
	District       string
	Holder         *string
	HolderUSCC     *string
	Category       string
	CategoryZh     string
	IdleFrom       *time.Time
	RegisteredMu   *float64
	IdleFeeWan     float64
	Step           string
	StepZh         string
	NoticeDate     *time.Time
	DeterminedDate *time.Time
	FeeLeviedDate  *time.Time
	FeeLeviedWan   float64
	FeePaidWan     float64
	FeePaidDate    *time.Time
	Decision       *string
	DecisionZh     *string
	DecisionDate   *time.Time
	NextStep       *string
	NextStepZh     *string
	PeriodFrom     *time.Time
	PeriodDays     *int
	PolicyVersion  *int
	NextDue        *time.Time
	OverdueDays    int
	Geometry       json.RawMessage
}

// disposalLedgerSQL: the parcel's holder and outline are those of its version in force
// on the date, as known at known_at.
const disposalLedgerSQL = `SELECT l.parcel_id, l.zddm, l.xzqdm, d.name, v.holder_name, v.holder_uscc, l.category, l.category_zh,
  CASE WHEN l.category IN ('IDLE_1Y', 'IDLE_2Y', 'IDLE_GOV', 'IDLE_STALLED') THEN l.idle_from END,
  l.registered_mu, l.idle_fee_wan::float8, l.step, l.step_zh, l.notice_date, l.determined_date, l.fee_levied_date,
  l.fee_levied_wan::float8, l.fee_paid_wan::float8, l.fee_paid_date, l.decision, l.decision_zh, l.decision_date,
  l.next_step, l.next_step_zh, l.period_from, l.period_days, l.policy_version, l.next_due, l.overdue_days,
  ST_AsGeoJSON(v.geom, 9, 0)::json
FROM landreg_sys.disposal_ledger($1::date, $2::timestamptz, nullif($3, '')) l
JOIN districts d ON d.xzqdm = l.xzqdm
LEFT JOIN LATERAL (
  SELECT p.holder_name, p.holder_uscc, p.geom FROM parcels_all p
  WHERE p.id = l.parcel_id AND p.valid_from <= $1::date AND ($2::timestamptz IS NULL OR p.sys_from <= $2::timestamptz)
  ORDER BY p.valid_from DESC, p.version DESC LIMIT 1) v ON true
WHERE NOT $4 OR l.overdue_days > 0
ORDER BY l.overdue_days DESC, l.idle_from NULLS LAST, l.zddm`

// DisposalLedger lists the disposal procedures of district xzqdm ("" = every district)
// as of legal date d, as known at knownAt (nil: now); overdueOnly keeps those whose next
// step is overdue. Most overdue first.
func DisposalLedger(ctx context.Context, db DB, d time.Time, knownAt *time.Time, xzqdm string, overdueOnly bool) ([]DisposalRow, error) {
	rows, err := db.Query(ctx, disposalLedgerSQL, civil(d), knownAt, xzqdm, overdueOnly)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[DisposalRow])
}
