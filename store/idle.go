package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// ParcelStatus is a parcel's idle status as of a legal date (domain.md §8.4), computed
// in the database by landreg_sys.idle_core (migrations/00004_idle_status.sql). How to
// read it: docs/idle.md.
type ParcelStatus struct {
	ParcelID   int64  `json:"parcel_id"`
	Zddm       string `json:"zddm"`
	Xzqdm      string `json:"xzqdm"`
	Category   string `json:"category"`    // SUPPLIED_NOT_DUE … RETIRED
	CategoryZh string `json:"category_zh"` // 供而未用（未到开工期限）…
	Since      string `json:"since"`       // date the category's reason first held (YYYY-MM-DD)
	// Reasons: every matching reason, most serious first; the first gives Category.
	// A JSON array of StatusReason objects, passed through as the database built it
	// (decode with ReasonList).
	Reasons  json.RawMessage `json:"reasons"`
	Deadline *string         `json:"deadline"` // start deadline in use (after extensions)
	// IdleFeeWan is idle_fee_share × price_wan for IDLE_1Y / IDLE_2Y, else 0 (万元).
	IdleFeeWan *float64 `json:"idle_fee_wan"`
	// LowEfficiency: the holder's 低效企业 verdict for its latest year on file
	// (landreg_sys.enterprise_verdicts, the same as the 亩均 report's); false when
	// retired, without a holder or not judged.
	LowEfficiency bool `json:"low_efficiency"`
	// Latest full year's indicators (the year ended before the date).
	IndicatorYear    *int     `json:"indicator_year"`
	TaxPerMuWan      *float64 `json:"tax_per_mu_wan"`
	VaPerMuWan       *float64 `json:"va_per_mu_wan"`
	UnusedAreaM2     *float64 `json:"unused_area_m2"` // from the latest planning verification
	RegisteredAreaM2 *float64 `json:"registered_area_m2"`
	AreaM2           float64  `json:"area_m2"` // computed ellipsoidal area
}

// StatusReason is one matching test: code (e.g. LOW_FAR), the category it implies, the
// bilingual explanation, since when it holds, and its figures (Detail: the remaining
// keys, such as far and far_min).
type StatusReason struct {
	Code     string         `json:"code"`
	Category string         `json:"category"`
	Zh       string         `json:"zh"`
	En       string         `json:"en"`
	Since    string         `json:"since"`
	Detail   map[string]any `json:"detail,omitempty"`
}

// The status functions take a legal date and, optionally, the system time the answer
// is "as known on"; nil means now.
const (
	statusColumns = `parcel_id, zddm, xzqdm, category, category_zh, since::text, reasons, deadline::text,
  idle_fee_wan::float8, low_efficiency, indicator_year, tax_per_mu_wan, va_per_mu_wan, unused_area_m2,
  registered_area_m2::float8, area_m2`
	statusAtSQL   = `SELECT ` + statusColumns + ` FROM landreg_sys.idle_status($1, $2, $3)`
	statusesAtSQL = `SELECT ` + statusColumns + ` FROM landreg_sys.idle_statuses($1, $2, nullif($3, ''))
ORDER BY zddm`

	// Per district × category: official (registered) and computed area in 亩, and the
	// idle fees due, in 亩 (landreg_sys.m2_to_mu); from the statuses' figures
	// (landreg_sys.idle_figures), which is all a report adds up. Grouped before the
	// districts are joined: the figures' row estimate is a guess, and on it the planner
	// sorted every status on disk to group them.
	idleSummarySQL = `SELECT s.xzqdm, d.name, s.category, landreg_sys.idle_category_zh(s.category), s.n,
  landreg_sys.m2_to_mu(s.registered::float8), landreg_sys.m2_to_mu(s.area), s.unused, s.fee::float8, s.low
FROM (SELECT s.xzqdm, s.category, count(*) AS n, coalesce(sum(s.registered_area_m2), 0) AS registered,
        sum(s.area_m2) AS area, coalesce(sum(s.unused_area_m2) FILTER (WHERE s.category = 'UNDERUSED'), 0) AS unused,
        sum(s.idle_fee_wan) AS fee, count(*) FILTER (WHERE s.low_efficiency) AS low
      FROM landreg_sys.idle_figures($1, $2, nullif($3, '')) s
      GROUP BY s.xzqdm, s.category) s
JOIN districts d ON d.xzqdm = s.xzqdm
ORDER BY s.xzqdm, s.category`
)

// StatusAt is parcel id's status as of legal date d. ErrNotFound when the parcel does
// not exist or has no version on or before d.
func StatusAt(ctx context.Context, db DB, id int64, d time.Time) (*ParcelStatus, error) {
	return StatusKnownAt(ctx, db, id, d, nil)
}

// StatusKnownAt is StatusAt as the register stood at system time known (nil = now):
// events recorded later, and corrections recorded later, are ignored.
func StatusKnownAt(ctx context.Context, db DB, id int64, d time.Time, known *time.Time) (*ParcelStatus, error) {
	rows, err := db.Query(ctx, statusAtSQL, id, civil(d), known)
	if err != nil {
		return nil, err
	}
	out, err := collectStatuses(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return &out[0], nil
}

// StatusesAt is the status of every parcel valid at d, in zddm order; xzqdm "" means
// every district.
func StatusesAt(ctx context.Context, db DB, d time.Time, xzqdm string) ([]ParcelStatus, error) {
	return StatusesKnownAt(ctx, db, d, xzqdm, nil)
}

// StatusesKnownAt is StatusesAt as known at system time known (nil = now).
func StatusesKnownAt(ctx context.Context, db DB, d time.Time, xzqdm string, known *time.Time) ([]ParcelStatus, error) {
	rows, err := db.Query(ctx, statusesAtSQL, civil(d), known, xzqdm)
	if err != nil {
		return nil, err
	}
	return collectStatuses(rows)
}

// IdleRow is one district × category line of the idle-land summary (domain.md §7.1/§7.3).
type IdleRow struct {
	Xzqdm        string  `json:"xzqdm"`
	District     string  `json:"district"`
	Category     string  `json:"category"`
	CategoryZh   string  `json:"category_zh"`
	Parcels      int     `json:"parcels"`
	RegisteredMu float64 `json:"registered_mu"` // official figure: registered area
	ComputedMu   float64 `json:"computed_mu"`   // ellipsoidal area, beside it
	UnusedM2     float64 `json:"unused_m2"`     // 用而未尽: verified unused area
	IdleFeeWan   float64 `json:"idle_fee_wan"`
	LowEfficient int     `json:"low_efficient"` // parcels flagged LOW_EFFICIENCY
}

// IdleSummary counts parcels per district and category as of d; xzqdm "" means every
// district.
func IdleSummary(ctx context.Context, db DB, d time.Time, xzqdm string) ([]IdleRow, error) {
	rows, err := db.Query(ctx, idleSummarySQL, civil(d), nil, xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (IdleRow, error) {
		var s IdleRow
		err := r.Scan(&s.Xzqdm, &s.District, &s.Category, &s.CategoryZh, &s.Parcels, &s.RegisteredMu,
			&s.ComputedMu, &s.UnusedM2, &s.IdleFeeWan, &s.LowEfficient)
		return s, err
	})
}

// civil passes a legal date as a DATE string, so no time zone can move it by a day.
func civil(d time.Time) string { return d.Format(time.DateOnly) }

func collectStatuses(rows pgx.Rows) ([]ParcelStatus, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ParcelStatus, error) {
		var s ParcelStatus
		var reasons []byte
		err := r.Scan(&s.ParcelID, &s.Zddm, &s.Xzqdm, &s.Category, &s.CategoryZh, &s.Since, &reasons,
			&s.Deadline, &s.IdleFeeWan, &s.LowEfficiency, &s.IndicatorYear, &s.TaxPerMuWan, &s.VaPerMuWan,
			&s.UnusedAreaM2, &s.RegisteredAreaM2, &s.AreaM2)
		s.Reasons = reasons
		return s, err
	})
}

// ReasonList decodes Reasons.
func (s *ParcelStatus) ReasonList() ([]StatusReason, error) {
	var raw []map[string]any
	if err := json.Unmarshal(s.Reasons, &raw); err != nil {
		return nil, err
	}
	out := make([]StatusReason, len(raw))
	for i, m := range raw {
		r := &out[i]
		r.Code, _ = m["code"].(string)
		r.Category, _ = m["category"].(string)
		r.Zh, _ = m["zh"].(string)
		r.En, _ = m["en"].(string)
		r.Since, _ = m["since"].(string)
		for _, k := range []string{"code", "category", "zh", "en", "since"} {
			delete(m, k)
		}
		if len(m) > 0 {
			r.Detail = m
		}
	}
	return out, nil
}
