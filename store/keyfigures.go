package store

import (
	"context"
	"time"

	"github.com/landreg/landreg"
)

// KeyFigures are the figures a 挂图作战 screen heads its panel with (关键指标), for a
// district or the city as of a date: statutory idle land, all idle and inefficient land,
// 低效 parcels, the block-line margin and the 亩均 of the latest year whose figures count
// by the date. One answer, so
// the panel reads them in one request (issue 16).
type KeyFigures struct {
	Date  string  `json:"date"`
	Xzqdm *string `json:"xzqdm"` // nil: the city
	Name  string  `json:"name"`
	// Statutory idle land (闲置土地: categories with idle_land) and every category but
	// normal and retired (闲置低效), parcels and registered 亩.
	IdleParcels    int     `json:"idle_parcels"`
	IdleMu         float64 `json:"idle_mu"`
	ProblemParcels int     `json:"problem_parcels"`
	ProblemMu      float64 `json:"problem_mu"`
	LowEfficiency  int     `json:"low_efficiency_parcels"`
	// The block-line margin (total − baseline, 亩) as the quota answers give it (the
	// city: its districts' totals less their baselines), whether the rule applies (the
	// city: in any district) and its verdict (the city: every district's).
	MarginMu    float64 `json:"margin_mu"`
	RuleApplies bool    `json:"rule_applies"`
	Pass        *bool   `json:"pass"`
	// 亩均 of the judged enterprises of the district (or city) for MujunYear: the latest
	// year whose figures count by the date (their year ended and recorded by then, as the
	// status reads them), in the district; the year before the date's when none does.
	MujunYear      int      `json:"mujun_year"`
	Enterprises    int      `json:"enterprises"`
	LowEnterprises int      `json:"low_enterprises"`
	TaxPerMu       *float64 `json:"tax_per_mu_wan"`
	VaPerMu        *float64 `json:"va_per_mu_wan"`
}

// KeyFiguresAt gives the key figures of district xzqdm ("" = the city) as of d.
// ErrNotFound for a district not registered.
func KeyFiguresAt(ctx context.Context, db DB, d time.Time, xzqdm string) (*KeyFigures, error) {
	k := &KeyFigures{Date: civil(d), Name: "全市 city", MujunYear: d.Year() - 1}
	codes := []string{xzqdm}
	if xzqdm == "" {
		var err error
		if codes, err = Districts(ctx, db); err != nil {
			return nil, err
		}
	} else {
		k.Xzqdm = &xzqdm
	}
	var total, baseline float64
	for _, code := range codes {
		q, err := QuotaAt(ctx, db, code, d)
		if err != nil {
			return nil, err
		}
		if xzqdm != "" {
			k.Name = q.Name
		}
		total += q.TotalM2
		if q.BaselineM2 != nil {
			baseline += *q.BaselineM2
		}
		k.RuleApplies = k.RuleApplies || q.RuleApplies
		if q.Pass != nil && (k.Pass == nil || *k.Pass) {
			k.Pass = q.Pass
		}
	}
	k.MarginMu = landreg.Mu(total - baseline)
	err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE c.idle_land),
  landreg_sys.m2_to_mu(coalesce(sum(s.registered_area_m2) FILTER (WHERE c.idle_land), 0)::float8),
  count(*) FILTER (WHERE s.category NOT IN ('NORMAL', 'RETIRED')),
  landreg_sys.m2_to_mu(coalesce(sum(s.registered_area_m2) FILTER (WHERE s.category NOT IN ('NORMAL', 'RETIRED')), 0)::float8),
  count(*) FILTER (WHERE s.low_efficiency)
FROM landreg_sys.idle_figures($1, NULL, nullif($2, '')) s
JOIN districts d ON d.xzqdm = s.xzqdm
JOIN landreg_sys.idle_categories c ON c.code = s.category`, civil(d), xzqdm).Scan(
		&k.IdleParcels, &k.IdleMu, &k.ProblemParcels, &k.ProblemMu, &k.LowEfficiency)
	if err != nil {
		return nil, err
	}
	var year *int
	if err := db.QueryRow(ctx, `SELECT max(v.year) FROM landreg_sys.enterprise_verdicts(NULL, $1, NULL) v
WHERE $2 = '' OR v.xzqdm = $2`, civil(d), xzqdm).Scan(&year); err != nil {
		return nil, err
	}
	if year != nil {
		k.MujunYear = *year
	}
	err = db.QueryRow(ctx, `SELECT coalesce(sum(m.enterprises), 0), coalesce(sum(m.low_efficiency), 0),
  landreg_sys.ratio(sum(m.tax_wan), sum(m.land_mu)), landreg_sys.ratio(sum(m.va_wan), sum(m.va_land_mu))
FROM landreg_sys.district_mujun($1) m WHERE $2 = '' OR m.xzqdm = $2`, k.MujunYear, xzqdm).Scan(
		&k.Enterprises, &k.LowEnterprises, &k.TaxPerMu, &k.VaPerMu)
	if err != nil {
		return nil, err
	}
	return k, nil
}
