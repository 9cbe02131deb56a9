package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// The 亩均 ranking (the dashboard's chart) and 亩均 by district (the map's shading), both
// from the one verdict per enterprise (issue 16).
func init() {
	Reports["mujun-districts"] = Report{"mujun-districts", "亩均效益分区汇总 Per-mu performance by district", true, mujunDistricts}
}

// rankOrder is the 亩均 report's rows in the order asked: as read (by USCC) without an
// order; else the judged enterprises by the rank the database gave them (ties by USCC),
// highest or lowest first, the first limit of them (0: all).
func rankOrder(ms []store.Mujun, order string, limit int) []store.Mujun {
	if order != "" {
		ranked := make([]store.Mujun, 0, len(ms))
		for _, m := range ms {
			if m.TaxRank != nil {
				ranked = append(ranked, m)
			}
		}
		sort.SliceStable(ranked, func(i, j int) bool {
			a, b := *ranked[i].TaxRank, *ranked[j].TaxRank
			if order == OrderTaxAsc {
				a, b = b, a
			}
			return a < b
		})
		ms = ranked
	}
	if limit > 0 && len(ms) > limit {
		ms = ms[:limit]
	}
	return ms
}

func rankCell(r *int) any {
	if r == nil {
		return nil
	}
	return int64(*r)
}

func mujunDistricts(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	ds, err := store.DistrictMujunYear(ctx, pool, p.Year)
	if err != nil {
		return nil, err
	}
	geoms, err := store.DistrictGeometries(ctx, pool, yearEnd(p.Year))
	if err != nil {
		return nil, err
	}
	t := &report.Table{Title: fmt.Sprintf("%d 年亩均效益分区汇总 Per-mu performance by district %d", p.Year, p.Year), Columns: []report.Column{
		col("xzqdm", "行政区划代码 District code", report.Text),
		col("district", "行政区 District", report.Text),
		col("enterprises", "参评企业数 Enterprises judged", report.Integer),
		col("low_enterprises", "低效企业数 Low-efficiency enterprises", report.Integer),
		col("land_mu", "用地面积（亩） Land (mu)", report.Number),
		col("tax_wan", "税收（万元） Tax (10k CNY)", report.Number),
		col("va_wan", "增加值（万元） Value added (10k CNY)", report.Number),
		col("tax_per_mu_wan", "亩均税收（万元/亩） Tax per mu", report.Number),
		col("va_per_mu_wan", "亩均增加值（万元/亩） Value added per mu", report.Number),
	}}
	for _, d := range ds {
		if p.District != "" && (d.Xzqdm == nil || *d.Xzqdm != p.District) {
			continue
		}
		t.Rows = append(t.Rows, []any{d.Xzqdm, d.Name, int64(d.Enterprises), int64(d.LowEfficiency), roundp(d.LandMu, 4),
			roundp(d.TaxWan, 2), roundp(d.VaWan, 2), roundp(d.TaxPerMu, 4), roundp(d.VaPerMu, 4)})
		var g json.RawMessage
		if d.Xzqdm != nil {
			g = geoms[*d.Xzqdm]
		}
		t.Geometry = append(t.Geometry, g)
	}
	return t, nil
}

// yearEnd is the last day of year, the day a year's figures are held at.
func yearEnd(year int) time.Time { return time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC) }
