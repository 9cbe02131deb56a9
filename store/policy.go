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
)

// IdlePolicy is one version of a district's idle policy (闲置/低效认定参数): in force from
// ValidFrom until ValidTo (the next version's date; nil: open), or, with Default, the
// §8.1 defaults that rule where the district has no version.
type IdlePolicy struct {
	Xzqdm                 string   `json:"xzqdm"`
	ProductionGraceMonths int      `json:"production_grace_months"`
	StoppedMonths         int      `json:"stopped_months"`
	CompletionGraceMonths int      `json:"completion_grace_months"`
	RampupYears           int      `json:"rampup_years"`
	UnusedShare           float64  `json:"unused_share"`
	UnusedMinMu           float64  `json:"unused_min_mu"`
	LowEffTaxPerMuWan     float64  `json:"low_eff_tax_per_mu_wan"`
	CoverageFloor         float64  `json:"coverage_floor"`
	FarFloor              *float64 `json:"far_floor"`
	FarFloorFrom          *string  `json:"far_floor_from"`
	IdleFeeShare          float64  `json:"idle_fee_share"`
	// Periods of the disposal procedure (days): idle → notice → determination →
	// decision, and a fee decision → payment.
	NoticeDays        int        `json:"notice_days"`
	DeterminationDays int        `json:"determination_days"`
	DecisionDays      int        `json:"decision_days"`
	FeePaymentDays    int        `json:"fee_payment_days"`
	DocNo             *string    `json:"doc_no"`
	ValidFrom         *string    `json:"valid_from"`
	ValidTo           *string    `json:"valid_to"`
	Version           int        `json:"version"`
	Default           bool       `json:"default"`
	SysFrom           *time.Time `json:"sys_from"`
	SysTo             *time.Time `json:"sys_to,omitempty"`
	Withdrawn         bool       `json:"withdrawn,omitempty"`
	CreatedBy         *string    `json:"created_by"`
	Reason            *string    `json:"reason"`
	ClosedBy          *string    `json:"closed_by,omitempty"`
	CloseReason       *string    `json:"close_reason,omitempty"`
}

// policyColumns reads a policy record p (of idle_policy's type, or idle_policy_all);
// %[1]s is its valid_to expression, %[2]s its system-time columns.
const policyColumns = `p.xzqdm, p.production_grace_months, p.stopped_months, p.completion_grace_months, p.rampup_years,
  p.unused_share::float8, p.unused_min_mu::float8, p.low_eff_tax_per_mu_wan::float8, p.coverage_floor::float8,
  p.far_floor::float8, p.far_floor_from::text, p.idle_fee_share::float8, p.doc_no, p.valid_from::text, %[1]s,
  p.version, p.sys_from, %[2]s, p.created_by, p.reason,
  p.notice_days, p.determination_days, p.decision_days, p.fee_payment_days`

func scanPolicy(r pgx.CollectableRow) (IdlePolicy, error) {
	var p IdlePolicy
	err := r.Scan(&p.Xzqdm, &p.ProductionGraceMonths, &p.StoppedMonths, &p.CompletionGraceMonths, &p.RampupYears,
		&p.UnusedShare, &p.UnusedMinMu, &p.LowEffTaxPerMuWan, &p.CoverageFloor, &p.FarFloor, &p.FarFloorFrom,
		&p.IdleFeeShare, &p.DocNo, &p.ValidFrom, &p.ValidTo, &p.Version, &p.SysFrom, &p.SysTo, &p.Withdrawn,
		&p.ClosedBy, &p.CloseReason, &p.CreatedBy, &p.Reason,
		&p.NoticeDays, &p.DeterminationDays, &p.DecisionDays, &p.FeePaymentDays)
	p.Default = p.Version == 0
	return p, err
}

const currentSys = `NULL::timestamptz, false, NULL::text, NULL::text`

// PolicyAt reads the policy of district xzqdm in force on legal date d (the defaults
// where no version is).
func PolicyAt(ctx context.Context, db DB, xzqdm string, d time.Time) (*IdlePolicy, error) {
	sql := `SELECT ` + fmt.Sprintf(policyColumns,
		`(SELECT min(q.valid_from)::text FROM idle_policy q WHERE q.xzqdm = p.xzqdm AND q.valid_from > coalesce(p.valid_from, '-infinity'))`,
		currentSys) + ` FROM landreg_sys.policy($1, $2::date) p`
	rows, err := db.Query(ctx, sql, xzqdm, civil(d))
	if err != nil {
		return nil, err
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanPolicy)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PolicyVersions lists the versions of a district's policy now in force or to come, in
// order of their effective dates (each valid until the next one's).
func PolicyVersions(ctx context.Context, db DB, xzqdm string) ([]IdlePolicy, error) {
	rows, err := db.Query(ctx, `SELECT `+fmt.Sprintf(policyColumns, `(lead(p.valid_from) OVER (ORDER BY p.valid_from))::text`, currentSys)+`
FROM idle_policy p WHERE p.xzqdm = $1 ORDER BY p.valid_from`, xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanPolicy)
}

// PolicyHistory is every version ever written of a district's policy (current ones and
// those replaced or withdrawn, by version number) and the audit trail of its writes.
type PolicyHistory struct {
	Versions []IdlePolicy `json:"versions"`
	Audit    []AuditEntry `json:"audit"`
}

// GetPolicyHistory reads a district's policy history (empty when it never had a version).
func GetPolicyHistory(ctx context.Context, db DB, xzqdm string) (*PolicyHistory, error) {
	rows, err := db.Query(ctx, `SELECT `+fmt.Sprintf(policyColumns, `NULL::text`, `p.sys_to, p.withdrawn, p.closed_by, p.close_reason`)+`
FROM idle_policy_all p WHERE p.xzqdm = $1 ORDER BY p.version`, xzqdm)
	if err != nil {
		return nil, err
	}
	h := &PolicyHistory{}
	if h.Versions, err = pgx.CollectRows(rows, scanPolicy); err != nil {
		return nil, err
	}
	// Rows are keyed "xzqdm,valid_from"; before versions (00018) by the code alone.
	rows, err = db.Query(ctx, `SELECT a.id, a.at, a.actor, a.reason, a.table_name, a.op, a.row_key, a.txid, a.old_row, a.new_row, NULL::integer
FROM audit_log a WHERE a.table_name = 'idle_policy' AND (a.row_key = $1 OR a.row_key LIKE $1 || ',%') ORDER BY a.id`, xzqdm)
	if err != nil {
		return nil, err
	}
	h.Audit, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
	return h, err
}

// PolicyProps reads the settings of the policy in force on d as text (to merge a
// partial change onto); nil values for unset ones.
func PolicyProps(ctx context.Context, db DB, xzqdm string, d time.Time) (map[string]*string, error) {
	var raw map[string]any
	if err := db.QueryRow(ctx, `SELECT to_jsonb(landreg_sys.policy($1, $2::date))`, xzqdm, civil(d)).Scan(&raw); err != nil {
		return nil, err
	}
	out := map[string]*string{}
	for k := range landreg.PolicySettings {
		if v, ok := raw[k]; ok && v != nil {
			s := jsonText(v)
			out[k] = &s
		} else {
			out[k] = nil
		}
	}
	return out, nil
}

// PolicyWrite is a validated policy version: every setting (landreg.PolicySettings, as
// text; nil is NULL), its document and its effective date.
type PolicyWrite struct {
	Props     map[string]*string
	DocNo     string
	Effective time.Time
}

// PutPolicy writes a version of a district's policy in force from w.Effective: a new
// version, or, when one already takes effect on that date, its replacement (the old
// one kept in history). It returns the version number written.
func PutPolicy(ctx context.Context, db DB, ch Change, xzqdm string, w PolicyWrite) (int, error) {
	names := make([]string, 0, len(w.Props))
	for k := range w.Props {
		if _, ok := landreg.PolicySettings[k]; ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	args := sqlArgs{xzqdm, civil(w.Effective), w.DocNo}
	vals := make([]string, len(names))
	for i, k := range names {
		if v := w.Props[k]; v != nil {
			vals[i] = args.add(*v) + "::" + landreg.PolicySettings[k]
		} else {
			vals[i] = "NULL"
		}
	}
	cols := strings.Join(append([]string{"doc_no"}, names...), ", ")
	ch.Effective = w.Effective
	var version int
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM districts WHERE xzqdm = $1)`, xzqdm).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		var cur int
		err := tx.QueryRow(ctx, `SELECT version FROM idle_policy WHERE xzqdm = $1 AND valid_from = $2::date FOR UPDATE`,
			xzqdm, civil(w.Effective)).Scan(&cur)
		var sql string
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			sql = fmt.Sprintf(`INSERT INTO idle_policy (xzqdm, valid_from, %s) VALUES ($1, $2::date, $3, %s) RETURNING version`,
				cols, strings.Join(vals, ", "))
		case err != nil:
			return err
		default:
			sql = fmt.Sprintf(`UPDATE idle_policy SET (%s) = ROW($3, %s) WHERE xzqdm = $1 AND valid_from = $2::date RETURNING version`,
				cols, strings.Join(vals, ", "))
		}
		err = tx.QueryRow(ctx, sql, args...).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			// An identical replacement is no change (the trigger keeps the version).
			version = cur
			return nil
		}
		return err
	})
	return version, err
}
