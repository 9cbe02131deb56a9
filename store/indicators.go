package store

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
)

// Indicators are one enterprise's figures for one year (企业年度亩均指标), a version of
// enterprise_indicators: the current one, or (SysTo set) one a correction replaced.
type Indicators struct {
	USCC       string     `json:"uscc"`
	Year       int        `json:"year"`
	TaxWan     float64    `json:"tax_wan"`
	VaWan      *float64   `json:"va_wan"`
	EnergyTce  *float64   `json:"energy_tce"`
	EmissionT  *float64   `json:"emission_t"`
	Employees  *float64   `json:"employees"`
	RdWan      *float64   `json:"rd_wan"`
	RevenueWan *float64   `json:"revenue_wan"`
	LandMuUsed *float64   `json:"land_mu_used"`
	InvestWan  *float64   `json:"invest_wan"`
	ReportedOn string     `json:"reported_on"`
	Source     *string    `json:"source"`
	Version    int        `json:"version"`
	SysFrom    time.Time  `json:"sys_from"`
	CreatedBy  *string    `json:"created_by"`
	Reason     *string    `json:"reason"`
	SysTo      *time.Time `json:"sys_to,omitempty"`
	ClosedBy   *string    `json:"closed_by,omitempty"`
	Retired    bool       `json:"retired,omitempty"`
}

const indicatorColumns = `uscc, year, tax_wan::float8, va_wan::float8, energy_tce::float8, emission_t::float8,
  employees::float8, rd_wan::float8, revenue_wan::float8, land_mu_used::float8, invest_wan::float8,
  reported_on::text, source, version, sys_from, created_by, reason`

func scanIndicators(r pgx.CollectableRow) (Indicators, error) {
	var i Indicators
	err := r.Scan(&i.USCC, &i.Year, &i.TaxWan, &i.VaWan, &i.EnergyTce, &i.EmissionT, &i.Employees, &i.RdWan,
		&i.RevenueWan, &i.LandMuUsed, &i.InvestWan, &i.ReportedOn, &i.Source, &i.Version, &i.SysFrom, &i.CreatedBy, &i.Reason)
	return i, err
}

// ListIndicators returns an enterprise's current indicators, by year.
func ListIndicators(ctx context.Context, db DB, uscc string) ([]Indicators, error) {
	rows, err := db.Query(ctx, `SELECT `+indicatorColumns+` FROM enterprise_indicators WHERE uscc = $1 ORDER BY year`, uscc)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, scanIndicators)
	if out == nil {
		out = []Indicators{}
	}
	return out, err
}

// GetIndicators returns an enterprise's current indicators for a year and the versions
// they replaced, newest first. ErrNotFound when the year has neither.
func GetIndicators(ctx context.Context, db DB, uscc string, year int) (*Indicators, []Indicators, error) {
	rows, err := db.Query(ctx, `SELECT `+indicatorColumns+` FROM enterprise_indicators WHERE uscc = $1 AND year = $2`, uscc, year)
	if err != nil {
		return nil, nil, err
	}
	cur, err := pgx.CollectExactlyOneRow(rows, scanIndicators)
	var current *Indicators
	switch {
	case err == nil:
		current = &cur
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, nil, err
	}
	rows, err = db.Query(ctx, `SELECT `+indicatorColumns+`, sys_to, closed_by, retired FROM enterprise_indicators_history
WHERE uscc = $1 AND year = $2 ORDER BY version DESC`, uscc, year)
	if err != nil {
		return nil, nil, err
	}
	hist, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Indicators, error) {
		var i Indicators
		err := r.Scan(&i.USCC, &i.Year, &i.TaxWan, &i.VaWan, &i.EnergyTce, &i.EmissionT, &i.Employees, &i.RdWan,
			&i.RevenueWan, &i.LandMuUsed, &i.InvestWan, &i.ReportedOn, &i.Source, &i.Version, &i.SysFrom, &i.CreatedBy,
			&i.Reason, &i.SysTo, &i.ClosedBy, &i.Retired)
		return i, err
	})
	if err != nil {
		return nil, nil, err
	}
	if current == nil && len(hist) == 0 {
		return nil, nil, ErrNotFound
	}
	if hist == nil {
		hist = []Indicators{}
	}
	return current, hist, nil
}

// indicatorValues renders one record (landreg.IndicatorFields names → text, absent or
// empty = NULL) as the value list of an INSERT after uscc and year, in column order.
func indicatorValues(rec map[string]string, args *sqlArgs) (cols, vals []string) {
	names := make([]string, 0, len(landreg.IndicatorFields))
	for k := range landreg.IndicatorFields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		cols = append(cols, k)
		if v := strings.TrimSpace(rec[k]); v != "" {
			vals = append(vals, args.add(v)+"::"+landreg.IndicatorFields[k])
		} else {
			vals = append(vals, "NULL")
		}
	}
	return cols, vals
}

// upsertIndicators is the statement that writes a year's figures whole: a new row, or a
// new version of the current one (the versioning trigger keeps the old in history; an
// unchanged row writes nothing). It returns 'created', 'replaced' or no row. A new row
// without reported_on is dated by the change context (today by default).
func upsertIndicators(rec map[string]string) (string, sqlArgs) {
	args := sqlArgs{rec["uscc"], rec["year"]}
	cols, vals := indicatorValues(rec, &args)
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = EXCLUDED." + c
		if c == "reported_on" && strings.TrimSpace(rec[c]) == "" {
			// A correction that states no date corrects what was reported then.
			sets[i] = c + " = enterprise_indicators." + c
		}
	}
	return `INSERT INTO enterprise_indicators (uscc, year, ` + strings.Join(cols, ", ") + `)
VALUES ($1, $2::int, ` + strings.Join(vals, ", ") + `)
ON CONFLICT (uscc, year) DO UPDATE SET ` + strings.Join(sets, ", ") + `
RETURNING CASE WHEN version = 1 AND sys_from = now() AND xmax = 0 THEN 'created' ELSE 'replaced' END`, args
}

// QueueIndicators adds the write of one year's figures (as PutIndicators) to a batch,
// for an import that writes many in one transaction.
func QueueIndicators(b *pgx.Batch, rec map[string]string) {
	sql, args := upsertIndicators(rec)
	b.Queue(sql, args...)
}

// PutIndicators writes an enterprise's figures for a year (rec: uscc, year and
// landreg.IndicatorFields as text), replacing the current ones whole. outcome is
// "created", "replaced" or "unchanged".
func PutIndicators(ctx context.Context, db DB, ch Change, rec map[string]string) (outcome string, err error) {
	sql, args := upsertIndicators(rec)
	err = InTx(ctx, db, ch, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, sql, args...).Scan(&outcome)
		if errors.Is(err, pgx.ErrNoRows) {
			outcome, err = "unchanged", nil
		}
		return err
	})
	return outcome, err
}
