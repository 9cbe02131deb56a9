package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// additive are the columns whose values add up across rows (areas, fees, counts, a
// firm's tax and value added), which the XLSX totals row sums; ratios, scores and
// per-亩 figures do not add up and get no total.
var additive = map[string]bool{
	"parcels": true, "registered_mu": true, "computed_mu": true, "unused_m2": true,
	"idle_fee_wan": true, "low_efficient": true, "land_mu": true, "tax_wan": true, "va_wan": true,
	"fee_levied_wan": true, "fee_paid_wan": true, "fee_outstanding_wan": true,
	"enterprises": true, "low_enterprises": true, "projects": true, "planned_mu": true, "freed_mu": true,
}

// Run builds the report and gives it what a handed-out sheet needs: the title block's
// notes (as of when, which district, the source), the totals of additive columns and,
// for every district at once, a sheet per district after a summary (bySheet).
func (r Report) Run(ctx context.Context, pool *pgxpool.Pool, p Params) (*report.Table, error) {
	t, err := r.Build(ctx, pool, p)
	if err != nil {
		return nil, err
	}
	for i := range t.Columns {
		t.Columns[i].Total = additive[t.Columns[i].Key]
	}
	switch {
	case r.Name == "changes":
		t.Notes = append(t.Notes, fmt.Sprintf("期间 Period: %s – %s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)))
	case r.Name == "mujun" || r.Name == "mujun-districts":
		t.Notes = append(t.Notes, fmt.Sprintf("年度 Year: %d", p.Year))
	case r.Name == "dossier":
		t.Notes = append(t.Notes, fmt.Sprintf("宗地 Parcel id: %d", p.ParcelID))
	case !p.Date.IsZero():
		t.Notes = append(t.Notes, "截至 As of: "+p.Date.Format(time.DateOnly))
	}
	district := "全部 all districts"
	if p.District != "" {
		district = p.District
	}
	t.Notes = append(t.Notes, "行政区 District: "+district,
		"来源 Source: landreg 工业用地登记 — "+r.Title)
	if _, split := bySheet[r.Name]; split && p.District == "" {
		names, current, err := store.DistrictNames(ctx, pool)
		if err != nil {
			return nil, err
		}
		t.Sheets = districtSheets(r, t, names, current)
	}
	return t, nil
}
