package landreg

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/landreg/landreg/codes"
)

// A district (县级行政区, GB/T 2260 code) carries the block-line rule settings of its
// county: the rule window, the compensation ratio (改一补一: k ≥ 1), the level rule
// (一级 removals compensated by 一级), the minor-edit allowance of direct edits and
// whether logistics land counts as industrial (domain.md §1.2, §8.1). Each change is a
// version with its document (文号) and legal date.

// DistrictSettings are the settings a bureau writes (column → SQL type); the boundary
// and the document come with them. The baseline (baseline_area_m2, _doc, _date) is
// fixed by the delineation (划定), not written here.
var DistrictSettings = map[string]string{
	"name":              "text",
	"rule_start":        "date",
	"rule_end":          "date",
	"comp_ratio":        "numeric",
	"level_for_level":   "boolean",
	"minor_edit_m2":     "double precision",
	"include_logistics": "boolean",
	"doc_no":            "text",
}

// Range is the accepted interval of a stored number, in its unit.
type Range struct {
	Min, Max float64
	Unit     string
}

// DistrictBounds are the bounds of a district's numbers; the database's
// landreg_sys.value_bounds holds the same (a test holds them equal).
var DistrictBounds = map[string]Range{
	"baseline_area_m2": {0, 2e10, "m²"},
	"minor_edit_m2":    {0, 1e4, "m²"},
	"comp_ratio":       {1, 10, ""},
}

// ValidateDistrict checks a district record as it would be stored (column → text as
// written, dates YYYY-MM-DD, booleans true/false; a missing key is unset): the code, a
// name, the rule window in order, the ratio and the allowance within their bounds, and
// the document of the change. It returns every problem found, in a stable order.
func ValidateDistrict(d map[string]string) []*Error {
	var out []*Error
	get := func(k string) string { return strings.TrimSpace(d[k]) }
	bad := func(k, zh, en string) { out = append(out, Refuse(KindConstraint, k, zh, en)) }
	if x := get("xzqdm"); x == "" {
		bad("xzqdm", "缺少行政区划代码 xzqdm", "the district code (xzqdm) is required")
	} else if err := codes.Xzqdm(x); err != nil {
		ce := err.(*codes.Error)
		out = append(out, Refuse(KindInvalidCode, "xzqdm", ce.ZH, ce.EN))
	}
	if get("name") == "" {
		bad("name", "缺少行政区名称 name", "the district's name is required")
	}
	dates := map[string]time.Time{}
	for _, k := range []string{"rule_start", "rule_end"} {
		v := get(k)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil || t.Year() < 1900 || t.Year() > 2199 {
			bad(k, k+" 须为 1900–2199 年间的日期 YYYY-MM-DD", k+" must be a date YYYY-MM-DD in the years 1900–2199, got "+strconv.Quote(v))
			continue
		}
		dates[k] = t
	}
	if s, ok := dates["rule_start"]; ok {
		if e, ok := dates["rule_end"]; ok && !e.After(s) {
			bad("rule_end", "规则期限结束日 "+get("rule_end")+" 须晚于开始日 "+get("rule_start"),
				"rule_end ("+get("rule_end")+") must be after rule_start ("+get("rule_start")+")")
		}
	}
	for _, k := range []string{"comp_ratio", "minor_edit_m2"} {
		v := get(k)
		if v == "" {
			continue
		}
		r := DistrictBounds[k]
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < r.Min || f > r.Max {
			bad(k, k+" 须为 "+r.text()+" 之间的数值", k+" must be a number within "+r.text()+", got "+strconv.Quote(v))
		}
	}
	for _, k := range []string{"level_for_level", "include_logistics"} {
		if v := get(k); v != "" && v != "true" && v != "false" {
			bad(k, k+" 须为 true 或 false", k+" must be true or false, got "+strconv.Quote(v))
		}
	}
	if get("doc_no") == "" {
		bad("doc_no", "行政区的每次变更须有文号 doc_no", "every change of a district needs its document number (doc_no)")
	}
	return out
}

func (r Range) text() string {
	s := "[" + strconv.FormatFloat(r.Min, 'g', -1, 64) + ", " + strconv.FormatFloat(r.Max, 'g', -1, 64) + "]"
	if r.Unit != "" {
		s += " " + r.Unit
	}
	return s
}
