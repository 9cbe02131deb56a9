package landreg

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// An enterprise's annual indicators (企业年度亩均指标, domain.md §4, §8.5): the figures the
// tax and economic bureaus send for one enterprise and year, from which 亩均税收 and the
// 低效企业 verdict are computed. They attach to the enterprise, since 亩均 is judged per
// enterprise; a correction replaces a year's figures and keeps the old ones in history.

// IndicatorFields are the writable fields of a year's indicators (column → SQL type);
// uscc and year are the key.
var IndicatorFields = map[string]string{
	"tax_wan":      "numeric",
	"va_wan":       "numeric",
	"energy_tce":   "numeric",
	"emission_t":   "numeric",
	"employees":    "numeric",
	"rd_wan":       "numeric",
	"revenue_wan":  "numeric",
	"land_mu_used": "numeric",
	"invest_wan":   "numeric",
	"reported_on":  "date",
	"source":       "text",
}

// IndicatorBounds are the bounds of the indicators' numbers; the database's
// landreg_sys.value_bounds holds the same (a test holds them equal). land_mu_used
// excludes its lower bound: land is positive.
var IndicatorBounds = map[string]Range{
	"year":         {1900, 2199, "年"},
	"tax_wan":      {0, 1e8, "万元"},
	"va_wan":       {0, 1e8, "万元"},
	"energy_tce":   {0, 1e8, "吨标准煤"},
	"emission_t":   {0, 1e8, "吨"},
	"employees":    {0, 1e6, "人"},
	"rd_wan":       {0, 1e8, "万元"},
	"revenue_wan":  {0, 1e8, "万元"},
	"land_mu_used": {0, 1.5e5, "亩"},
	"invest_wan":   {0, 1e8, "万元"},
}

// ValidateIndicators checks one enterprise-year of indicators as it would be stored
// (column → text; a missing or empty key is unset): the USCC with its check character,
// the year, tax (required), every figure a finite number within its bounds, and the
// report date. Every problem, in field order.
func ValidateIndicators(r map[string]string) []*Error {
	var out []*Error
	get := func(k string) string { return strings.TrimSpace(r[k]) }
	bad := func(k, zh, en string) { out = append(out, Refuse(KindConstraint, k, zh, en)) }
	out = append(out, ValidateEnterprise(map[string]string{"uscc": r["uscc"], "name": "-"})...)
	if v := get("year"); v == "" {
		bad("year", "缺少年度 year", "the year of the indicators is required")
	} else if y, err := strconv.Atoi(v); err != nil || y < 1900 || y > 2199 {
		bad("year", "year 须为 1900–2199 间的年份", "year must be a year from 1900 to 2199, got "+strconv.Quote(v))
	}
	if get("tax_wan") == "" {
		bad("tax_wan", "缺少税收 tax_wan（万元）", "the tax figure tax_wan (万元) is required: 亩均税收 is made of it")
	}
	for _, k := range []string{"tax_wan", "va_wan", "energy_tce", "emission_t", "employees", "rd_wan", "revenue_wan", "land_mu_used", "invest_wan"} {
		v := get(k)
		if v == "" {
			continue
		}
		b := IndicatorBounds[k]
		f, err := strconv.ParseFloat(v, 64)
		open := k == "land_mu_used"
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < b.Min || f > b.Max || (open && f == b.Min) {
			zh, en := k+" 须为 "+b.text()+" 之间的数值", k+" must be a number within "+b.text()+", got "+strconv.Quote(v)
			if open {
				zh, en = k+" 须为大于 0、不超过 "+strconv.FormatFloat(b.Max, 'g', -1, 64)+" 的数值（亩）", k+" must be a number above 0 and at most "+strconv.FormatFloat(b.Max, 'g', -1, 64)+" 亩, got "+strconv.Quote(v)
			}
			bad(k, zh, en)
		}
	}
	if v := get("reported_on"); v != "" {
		if t, err := time.Parse(time.DateOnly, v); err != nil || t.Year() < 1900 || t.Year() > 2199 {
			bad("reported_on", "reported_on 须为 1900–2199 年间的日期 YYYY-MM-DD", "reported_on must be a date YYYY-MM-DD in the years 1900–2199, got "+strconv.Quote(v))
		}
	}
	return out
}
