package store

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"
)

// Mujun is an enterprise's 亩均 figures for one year (domain.md §4, §8.5).
type Mujun struct {
	USCC          string   `json:"uscc"`
	Name          string   `json:"name"`
	Xzqdm         string   `json:"xzqdm"`
	Year          int      `json:"year"`
	LandMu        float64  `json:"land_mu"`
	LandSource    string   `json:"land_source"` // "reported" (land_mu_used) or "parcels" (titled area at year end)
	TaxWan        float64  `json:"tax_wan"`
	VaWan         *float64 `json:"va_wan"`
	EnergyTce     *float64 `json:"energy_tce"`
	EmissionT     *float64 `json:"emission_t"`
	Employees     *float64 `json:"employees"`
	RdWan         *float64 `json:"rd_wan"`
	RevenueWan    *float64 `json:"revenue_wan"`
	TaxPerMu      float64  `json:"tax_per_mu_wan"`
	VaPerMu       *float64 `json:"va_per_mu_wan"`
	LowEfficiency bool     `json:"low_efficiency"` // 低效企业: 亩均税收 below the district threshold
	Threshold     float64  `json:"low_efficiency_threshold_wan"`
	// PreviewScore and PreviewClass are an unofficial preview (黄岩 2022 form, rank
	// bands); the official classes come from the bureau.
	PreviewScore float64 `json:"preview_score"`
	PreviewClass string  `json:"preview_class"`
}

// One row per enterprise: its parcels' ANNUAL_INDICATORS for the year (corrections
// replace what they supersede), summed; land from the reported land_mu_used when every
// record has it, else the registered area of the parcels it held at year end.
const mujunSQL = `WITH ev AS (
  SELECT p.holder_uscc AS uscc, p.xzqdm, e.payload AS j
  FROM parcel_events e
  JOIN parcels_all p ON p.id = e.parcel_id AND p.valid_from <= make_date($1, 12, 31)
   AND (p.valid_to IS NULL OR p.valid_to > make_date($1, 12, 31))
  WHERE e.type = 'ANNUAL_INDICATORS' AND (e.payload->>'year')::int = $1
    AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = e.id)
    AND p.holder_uscc IS NOT NULL AND ($2 = '' OR p.xzqdm = $2)
), agg AS (
  SELECT uscc, min(xzqdm) AS xzqdm,
    sum((j->>'tax_wan')::float8) AS tax, sum((j->>'va_wan')::float8) AS va,
    sum((j->>'energy_tce')::float8) AS energy, sum((j->>'emission_t')::float8) AS emission,
    sum((j->>'employees')::float8) AS employees, sum((j->>'rd_wan')::float8) AS rd,
    sum((j->>'revenue_wan')::float8) AS revenue,
    CASE WHEN bool_and(j ? 'land_mu_used') THEN sum((j->>'land_mu_used')::float8) END AS reported_mu
  FROM ev GROUP BY uscc
), held AS (
  SELECT p.holder_uscc AS uscc, landreg_sys.m2_to_mu(sum(coalesce(p.registered_area_m2::float8, p.area_m2))) AS mu
  FROM parcels_all p
  WHERE p.valid_from <= make_date($1, 12, 31) AND (p.valid_to IS NULL OR p.valid_to > make_date($1, 12, 31))
    AND p.holder_uscc IN (SELECT uscc FROM agg)
  GROUP BY 1
)
SELECT a.uscc, coalesce(en.name, a.uscc), a.xzqdm, coalesce(a.reported_mu, h.mu, 0),
  CASE WHEN a.reported_mu IS NOT NULL THEN 'reported' ELSE 'parcels' END,
  coalesce(a.tax, 0), a.va, a.energy, a.emission, a.employees, a.rd, a.revenue,
  coalesce((landreg_sys.policy(a.xzqdm, make_date($1, 12, 31))).low_eff_tax_per_mu_wan, 10)::float8
FROM agg a LEFT JOIN held h USING (uscc) LEFT JOIN enterprises en ON en.uscc = a.uscc
ORDER BY a.uscc`

// Regional benchmarks of the 黄岩 2022 score (domain.md §4, S14): weight and divisor per
// indicator. A preview only; bureaus publish their own.
var mujunWeights = []struct {
	weight, benchmark float64
	value             func(m *Mujun) *float64
}{
	{30, 24.097, func(m *Mujun) *float64 { return &m.TaxPerMu }},
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

// MujunYear computes every enterprise's 亩均 figures for a year, with the low-efficiency
// flag and the unofficial preview score and class (A top 25 %, B to 70 %, C to 95 %, D
// the last 5 %, by score).
func MujunYear(ctx context.Context, db DB, year int, xzqdm string) ([]Mujun, error) {
	rows, err := db.Query(ctx, mujunSQL, year, xzqdm)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Mujun, error) {
		m := Mujun{Year: year}
		err := r.Scan(&m.USCC, &m.Name, &m.Xzqdm, &m.LandMu, &m.LandSource, &m.TaxWan, &m.VaWan, &m.EnergyTce,
			&m.EmissionT, &m.Employees, &m.RdWan, &m.RevenueWan, &m.Threshold)
		return m, err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		m := &out[i]
		if m.LandMu > 0 {
			m.TaxPerMu = m.TaxWan / m.LandMu
			if m.VaWan != nil {
				v := *m.VaWan / m.LandMu
				m.VaPerMu = &v
			}
		}
		m.LowEfficiency = m.TaxPerMu < m.Threshold
		for _, w := range mujunWeights {
			if v := w.value(m); v != nil {
				m.PreviewScore += w.weight * *v / w.benchmark
			}
		}
	}
	Rank(out)
	return out, nil
}

// Rank assigns preview classes by score: A for the top 25 %, B to 70 %, C to 95 %, D for
// the rest (ties share the better class).
func Rank(ms []Mujun) {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ms[idx[a]].PreviewScore > ms[idx[b]].PreviewScore })
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
		if r > 0 && ms[i].PreviewScore == prevScore {
			class = prevClass
		}
		ms[i].PreviewClass = class
		prevScore, prevClass = ms[i].PreviewScore, class
	}
}
