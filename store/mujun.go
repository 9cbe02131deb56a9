package store

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"
)

// Mujun is an enterprise's 亩均 figures for one year (domain.md §4, §8.5) and its 低效
// verdict, as landreg_sys.enterprise_verdicts gives them: the parcel status carries
// the same verdict (docs/decisions.md, "Enterprise indicators and one 低效 verdict").
type Mujun struct {
	USCC  string  `json:"uscc"`
	Name  string  `json:"name"`
	Xzqdm *string `json:"xzqdm"`
	Year  int     `json:"year"`
	// Source is where the figures come from: "enterprise" (enterprise_indicators) or
	// "events" (the parcels' ANNUAL_INDICATORS reports, for years without a row).
	Source string `json:"source"`
	// CountsFrom is the day from which the figures count for the parcel status (their
	// year ended and the last of them on file).
	CountsFrom string   `json:"counts_from"`
	LandMu     *float64 `json:"land_mu"`
	LandSource string   `json:"land_source"` // "reported" (land_mu_used), "parcels" (titled area at year end) or "none"
	TaxWan     float64  `json:"tax_wan"`
	VaWan      *float64 `json:"va_wan"`
	EnergyTce  *float64 `json:"energy_tce"`
	EmissionT  *float64 `json:"emission_t"`
	Employees  *float64 `json:"employees"`
	RdWan      *float64 `json:"rd_wan"`
	RevenueWan *float64 `json:"revenue_wan"`
	InvestWan  *float64 `json:"invest_wan"`
	TaxPerMu   *float64 `json:"tax_per_mu_wan"`
	VaPerMu    *float64 `json:"va_per_mu_wan"`
	// LowEfficiency is the 低效企业 verdict: 亩均税收 below the district's threshold;
	// null when the enterprise is not judged (no land).
	LowEfficiency *bool   `json:"low_efficiency"`
	Threshold     float64 `json:"low_efficiency_threshold_wan"`
	// PreviewScore and PreviewClass are an unofficial preview (黄岩 2022 form, rank
	// bands); the official classes come from the bureau. Not judged: no score, no class.
	PreviewScore *float64 `json:"preview_score"`
	PreviewClass string   `json:"preview_class"`
	// TaxRank is the rank by 亩均税收 among the judged enterprises of the report's scope
	// (the district asked for, or all): 1 the highest, ties share; nil when not judged.
	TaxRank *int `json:"tax_per_mu_rank"`
}

// mujunSQL reads the year's verdicts, one row per enterprise, in a district or all, with
// each judged enterprise's rank by 亩均税收 among the judged of that scope (1 = highest;
// ties share a rank).
const mujunSQL = `SELECT v.uscc, coalesce(en.name, v.uscc), v.xzqdm, v.source, v.counts_from::text, v.land_mu, v.land_source,
  v.tax_wan, v.va_wan, v.energy_tce, v.emission_t, v.employees, v.rd_wan, v.revenue_wan, v.invest_wan,
  v.tax_per_mu, landreg_sys.ratio(v.va_wan, v.land_mu), v.low_efficiency, v.threshold,
  CASE WHEN v.low_efficiency IS NOT NULL
    THEN rank() OVER (PARTITION BY v.low_efficiency IS NULL ORDER BY v.tax_per_mu DESC NULLS LAST) END
FROM landreg_sys.enterprise_verdicts($1, NULL, NULL) v LEFT JOIN enterprises en ON en.uscc = v.uscc
WHERE $2 = '' OR v.xzqdm = $2
ORDER BY v.uscc`

// LatestMujunYear is the latest year with indicators on file (an enterprise row or a
// parcel's ANNUAL_INDICATORS report), in a district or anywhere; 0 when there is none.
func LatestMujunYear(ctx context.Context, db DB, xzqdm string) (int, error) {
	var y *int
	err := db.QueryRow(ctx, `SELECT max(year) FROM landreg_sys.enterprise_verdicts(NULL, NULL, NULL) WHERE $1 = '' OR xzqdm = $1`, xzqdm).Scan(&y)
	if err != nil || y == nil {
		return 0, err
	}
	return *y, nil
}

// Regional benchmarks of the 黄岩 2022 score (domain.md §4, S14): weight and divisor per
// indicator. A preview only; bureaus publish their own.
var mujunWeights = []struct {
	weight, benchmark float64
	value             func(m *Mujun) *float64
}{
	{30, 24.097, func(m *Mujun) *float64 { return m.TaxPerMu }},
	{20, 136.16, func(m *Mujun) *float64 { return m.VaPerMu }},
	{20, 2.694, func(m *Mujun) *float64 { return ratio(m.VaWan, m.EnergyTce) }},
	{10, 4929.81, func(m *Mujun) *float64 { return ratio(m.VaWan, m.EmissionT) }},
	{10, 18.14, func(m *Mujun) *float64 { return ratio(m.VaWan, m.Employees) }},
	{10, 0.0302, func(m *Mujun) *float64 { return ratio(m.RdWan, m.RevenueWan) }},
}

func ratio(a, b *float64) *float64 {
	if a == nil || b == nil || *b == 0 {
		return nil
	}
	r := *a / *b
	return &r
}

// MujunYear reads every enterprise's 亩均 figures and verdict for a year, with the
// unofficial preview score and class (A top 25 %, B to 70 %, C to 95 %, D the last 5 %,
// by score, among the judged).
func MujunYear(ctx context.Context, db DB, year int, xzqdm string) ([]Mujun, error) {
	rows, err := db.Query(ctx, mujunSQL, year, xzqdm)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Mujun, error) {
		m := Mujun{Year: year}
		err := r.Scan(&m.USCC, &m.Name, &m.Xzqdm, &m.Source, &m.CountsFrom, &m.LandMu, &m.LandSource, &m.TaxWan, &m.VaWan, &m.EnergyTce,
			&m.EmissionT, &m.Employees, &m.RdWan, &m.RevenueWan, &m.InvestWan, &m.TaxPerMu, &m.VaPerMu, &m.LowEfficiency, &m.Threshold, &m.TaxRank)
		return m, err
	})
	if err != nil {
		return nil, err
	}
	judged := make([]Mujun, 0, len(out))
	for i := range out {
		m := &out[i]
		if m.LowEfficiency == nil {
			continue
		}
		var score float64
		for _, w := range mujunWeights {
			if v := w.value(m); v != nil {
				score += w.weight * *v / w.benchmark
			}
		}
		m.PreviewScore = &score
		judged = append(judged, *m)
	}
	Rank(judged)
	k := 0
	for i := range out {
		if out[i].LowEfficiency != nil {
			out[i].PreviewClass = judged[k].PreviewClass
			k++
		}
	}
	return out, nil
}

// Rank assigns preview classes by score: A for the top 25 %, B to 70 %, C to 95 %, D for
// the rest (ties share the better class).
func Rank(ms []Mujun) {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	score := func(i int) float64 {
		if ms[i].PreviewScore == nil {
			return 0
		}
		return *ms[i].PreviewScore
	}
	sort.SliceStable(idx, func(a, b int) bool { return score(idx[a]) > score(idx[b]) })
	n := float64(len(ms))
	prevScore, prevClass := -1.0, ""
	for r, i := range idx {
		share := float64(r+1) / n
		class := "D"
		switch {
		case share <= 0.25:
			class = "A"
		case share <= 0.70:
			class = "B"
		case share <= 0.95:
			class = "C"
		}
		if r > 0 && score(i) == prevScore {
			class = prevClass
		}
		ms[i].PreviewClass = class
		prevScore, prevClass = score(i), class
	}
}

// DistrictMujun is a district's 亩均 figures for a year (区域亩均): its judged
// enterprises' tax and value added over their land, from landreg_sys.district_mujun
// (the same verdicts as the 亩均 report). A district without judged enterprises has
// zero counts and no ratios.
type DistrictMujun struct {
	Xzqdm *string `json:"xzqdm"` // nil: firms judged on reported land without parcels
	Name  string  `json:"name"`
	Year  int     `json:"year"`
	// Enterprises judged, of which LowEfficiency 低效.
	Enterprises   int      `json:"enterprises"`
	LowEfficiency int      `json:"low_efficiency"`
	LandMu        *float64 `json:"land_mu"`
	TaxWan        *float64 `json:"tax_wan"`
	VaWan         *float64 `json:"va_wan"`
	TaxPerMu      *float64 `json:"tax_per_mu_wan"`
	VaPerMu       *float64 `json:"va_per_mu_wan"`
}

// DistrictMujunYear gives every current district's 亩均 figures for a year (and a row
// for judged firms without a district, when there are any), by district code.
func DistrictMujunYear(ctx context.Context, db DB, year int) ([]DistrictMujun, error) {
	rows, err := db.Query(ctx, `SELECT coalesce(d.xzqdm, m.xzqdm),
  coalesce(d.name, (SELECT a.name FROM districts_all a WHERE a.xzqdm = m.xzqdm ORDER BY a.version DESC LIMIT 1), '无所在行政区 no district'),
  coalesce(m.enterprises, 0), coalesce(m.low_efficiency, 0), m.land_mu, m.tax_wan, m.va_wan, m.tax_per_mu, m.va_per_mu
FROM landreg_sys.district_mujun($1) m FULL JOIN districts d ON d.xzqdm = m.xzqdm
ORDER BY 1 NULLS LAST`, year)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DistrictMujun, error) {
		m := DistrictMujun{Year: year}
		err := r.Scan(&m.Xzqdm, &m.Name, &m.Enterprises, &m.LowEfficiency, &m.LandMu, &m.TaxWan, &m.VaWan, &m.TaxPerMu, &m.VaPerMu)
		return m, err
	})
}
