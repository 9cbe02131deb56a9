package store

import (
	"context"
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
