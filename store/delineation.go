package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
)

// The two kinds of adjustment that make the base the block-line rule measures from
// (domain.md §1.2, §8.6.2): the delineation (划定) fixes a district's baseline as the
// area of its first lines, its correction (划定更正) re-fixes it.
const (
	KindDelineation           = "划定"
	KindDelineationCorrection = "划定更正"
)

// IsDelineation reports whether an adjustment kind is carried out by Delineate rather
// than approved and applied.
func IsDelineation(kind string) bool {
	return kind == KindDelineation || kind == KindDelineationCorrection
}

// Delineation is what a 划定 or 划定更正 did: the district's lines as of EffectiveDate and
// the baseline it fixed, with the baseline before (nil for a first delineation).
type Delineation struct {
	AdjustmentID     int64    `json:"adjustment_id"`
	Kind             string   `json:"kind"`
	Xzqdm            string   `json:"xzqdm"`
	EffectiveDate    string   `json:"effective_date"`
	DocNo            string   `json:"doc_no"`
	BaselineBeforeM2 *float64 `json:"baseline_before_m2"`
	BaselineM2       float64  `json:"baseline_m2"`
	TotalBeforeM2    float64  `json:"total_before_m2"`
	TotalAfterM2     float64  `json:"total_after_m2"`
	TotalAfterM2L1   float64  `json:"total_after_m2_l1"`
	TotalAfterM2L2   float64  `json:"total_after_m2_l2"`
}

// Delineate carries out adjustment id, a 划定 or 划定更正 (landreg_sys.delineate): its
// lines are drawn (or corrected) as of its date and the district's baseline is fixed
// with its document, in a new district version; the rule check writes its ledger row
// at commit. The database refuses a second 划定 (LRL01), a 划定 of a district that has
// lines or a correction of one that has none (LRL02), and dates out of order (LRA04).
// Only admins may call it (the API and CLI check; planners' logins cannot execute it).
func Delineate(ctx context.Context, db DB, ch Change, id int64) (*Delineation, error) {
	d := &Delineation{}
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var raw []byte
		if err := tx.QueryRow(ctx, `SELECT landreg_sys.delineate($1)`, id).Scan(&raw); err != nil {
			return err
		}
		return json.Unmarshal(raw, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// AdjustmentKind is the kind of adjustment id; ErrNotFound when there is none.
func AdjustmentKind(ctx context.Context, db DB, id int64) (string, error) {
	var kind string
	err := db.QueryRow(ctx, `SELECT kind FROM adjustments WHERE id = $1`, id).Scan(&kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	return kind, err
}
