package landreg

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A district's idle policy (闲置/低效认定参数, domain.md §8.1) sets the grace periods and
// thresholds by which its parcels' status is judged. It is set by documents, each a
// version in force from its effective date until the next version's (issue 13.3): the
// status as of a date d is judged by the version in force at d.

// PolicySettings are the settings of a policy version (column → SQL type); a version
// carries all of them, with its document (doc_no) and effective date.
var PolicySettings = map[string]string{
	"production_grace_months": "integer",
	"stopped_months":          "integer",
	"completion_grace_months": "integer",
	"rampup_years":            "integer",
	"unused_share":            "numeric",
	"unused_min_mu":           "numeric",
	"low_eff_tax_per_mu_wan":  "numeric",
	"coverage_floor":          "numeric",
	"far_floor":               "numeric",
	"far_floor_from":          "date",
	"idle_fee_share":          "numeric",
	// The periods of the idle-land disposal procedure (issue 15.6, 00026).
	"notice_days":        "integer",
	"determination_days": "integer",
	"decision_days":      "integer",
	"fee_payment_days":   "integer",
}

// PolicyBound is the accepted interval of a policy number.
type PolicyBound struct {
	Range
	// MinOpen refuses Min itself (a threshold is positive).
	MinOpen bool
	Integer bool
	// Zh names the setting in messages.
	Zh string
}

// PolicyBounds: months and years ≥ 0, shares in 0..1, thresholds > 0. The database's
// landreg_sys.value_bounds holds the same (a test holds them equal), and the CHECKs
// of idle_policy repeat them.
var PolicyBounds = map[string]PolicyBound{
	"production_grace_months": {Range{0, 600, "月"}, false, true, "竣工后投产宽限期"},
	"stopped_months":          {Range{0, 600, "月"}, false, true, "停产认定期限"},
	"completion_grace_months": {Range{0, 600, "月"}, false, true, "竣工宽限期"},
	"rampup_years":            {Range{0, 50, "年"}, false, true, "达产期"},
	"unused_share":            {Range{0, 1, ""}, false, false, "未利用土地比例"},
	"unused_min_mu":           {Range{0, 1e5, "亩"}, true, false, "未利用土地面积下限"},
	"low_eff_tax_per_mu_wan":  {Range{0, 1e4, "万元/亩"}, true, false, "低效企业亩均税收阈值"},
	"coverage_floor":          {Range{0, 1, ""}, false, false, "建筑系数下限"},
	"far_floor":               {Range{0, 20, ""}, true, false, "容积率下限"},
	"idle_fee_share":          {Range{0, 1, ""}, false, false, "土地闲置费比例"},
	"notice_days":             {Range{1, 3650, "日"}, false, true, "闲置后发出调查通知书期限"},
	"determination_days":      {Range{1, 3650, "日"}, false, true, "调查通知至认定期限"},
	"decision_days":           {Range{1, 3650, "日"}, false, true, "认定至处置决定期限"},
	"fee_payment_days":        {Range{1, 3650, "日"}, false, true, "闲置费缴纳期限"},
}

// CheckPolicyValue checks one setting's text (as written: a decimal number, a date
// YYYY-MM-DD); nil when it is acceptable.
func CheckPolicyValue(k, v string) *Error {
	if k == "far_floor_from" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil || t.Year() < 1900 || t.Year() > 2199 {
			return Refuse(KindConstraint, k, "容积率下限起用日期 far_floor_from 须为 1900–2199 年间的日期 YYYY-MM-DD",
				"far_floor_from must be a date YYYY-MM-DD in the years 1900–2199, got "+strconv.Quote(v))
		}
		return nil
	}
	b, ok := PolicyBounds[k]
	if !ok {
		return Refuse("invalid-parameter", k, "未知的闲置认定参数 "+k, "unknown idle policy setting "+strconv.Quote(k))
	}
	lo := "[" + strconv.FormatFloat(b.Min, 'g', -1, 64)
	if b.MinOpen {
		lo = "(" + strconv.FormatFloat(b.Min, 'g', -1, 64)
	}
	span := lo + ", " + strconv.FormatFloat(b.Max, 'g', -1, 64) + "]"
	if b.Unit != "" {
		span += " " + b.Unit
	}
	what, whatEn := "数值", "a number"
	if b.Integer {
		what, whatEn = "整数", "a whole number"
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < b.Min || f > b.Max || (b.MinOpen && f == b.Min) ||
		(b.Integer && f != math.Trunc(f)) {
		return Refuse(KindConstraint, k, b.Zh+" "+k+" 须为 "+span+" 之间的"+what+"，收到 "+v,
			k+" must be "+whatEn+" within "+span+", got "+strconv.Quote(v))
	}
	return nil
}

// ValidatePolicy checks a policy version as it would be stored (column → text; a
// missing key is unset): every setting present and within its bounds, except the FAR
// floor, which is set together with the date it applies from, or not at all. It
// returns every problem, in a stable order.
func ValidatePolicy(rec map[string]string) []*Error {
	var out []*Error
	names := make([]string, 0, len(PolicySettings))
	for k := range PolicySettings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v, ok := rec[k]
		if !ok || strings.TrimSpace(v) == "" {
			if k != "far_floor" && k != "far_floor_from" {
				out = append(out, Refuse(KindConstraint, k, "缺少闲置认定参数 "+k, "the idle policy setting "+k+" is required"))
			}
			continue
		}
		if e := CheckPolicyValue(k, v); e != nil {
			out = append(out, e)
		}
	}
	if (strings.TrimSpace(rec["far_floor"]) == "") != (strings.TrimSpace(rec["far_floor_from"]) == "") {
		out = append(out, Refuse(KindConstraint, "far_floor", "容积率下限 far_floor 与起用日期 far_floor_from 须同时给出或同时清除",
			"far_floor and far_floor_from are set together (the floor applies to contracts signed from that date) or cleared together"))
	}
	return out
}
