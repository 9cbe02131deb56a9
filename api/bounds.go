package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// The accepted range of every number a write body can carry, in one place (issue 11).
// PostgreSQL's numeric type takes 'NaN' (and NaN passes CHECK (x >= 0)), and a figure
// like 1e308 overflows float8 the moment a report adds two of them: either poisons the
// reports of a whole city long after the write. So the API refuses NaN, ±Infinity,
// numbers written as anything but plain decimals, and values outside realistic bounds
// before anything reaches the database. The schema's CHECK constraints mirror this
// table (docs/decisions.md, "HTTP semantics"); change both together.

// bound is the accepted range of one field, in its unit.
type bound struct {
	Min, Max float64
	// MinOpen refuses Min itself (an area or a land figure must be positive).
	MinOpen bool
	Integer bool
	Unit    string // for messages: m², 万元, 亩 …
}

// propertyBounds: the numeric properties of the writable collections (parcels and
// block_lines; their names do not overlap). Every numeric column in store's
// writable lists must have an entry (TestEveryNumericColumnIsBounded).
var propertyBounds = map[string]bound{
	// 宗地: 1e8 m² = 100 km² = 15 万亩, beyond any single industrial parcel.
	"registered_area_m2": {Min: 0, MinOpen: true, Max: 1e8, Unit: "m²"},
	// 出让价款: 1e7 万元 = 1000 亿元; the largest land sales are tens of 亿元.
	"price_wan":  {Min: 0, Max: 1e7, Unit: "万元"},
	"term_years": {Min: 1, Max: 70, Integer: true, Unit: "年"},
	// 容积率: industrial land is agreed at 1–4; 20 leaves room for any use.
	"far_min":      {Min: 0, Max: 20},
	"far_max":      {Min: 0, Max: 20},
	"coverage_min": {Min: 0, Max: 1},
	// Agreed targets per 亩: the demo's are 250–500 (investment), 15–40 (tax),
	// 80–200 (value added); the bounds are two orders of magnitude above.
	"invest_intensity_wan_per_mu": {Min: 0, Max: 1e5, Unit: "万元/亩"},
	"tax_per_mu_wan":              {Min: 0, Max: 1e4, Unit: "万元/亩"},
	"va_per_mu_wan":               {Min: 0, Max: 1e5, Unit: "万元/亩"},
	"energy_va_wan_per_tce":       {Min: 0, Max: 1e4, Unit: "万元/吨标准煤"},
	"emission_va_wan_per_t":       {Min: 0, Max: 1e7, Unit: "万元/吨"},
	"rd_ratio":                    {Min: 0, Max: 1},
	// 工业区块线
	"level":         {Min: 1, Max: 2, Integer: true},
	"adjustment_id": {Min: 1, Max: math.MaxInt64, Integer: true},
}

// payloadBounds: the figures of parcel events (ANNUAL_INDICATORS, PROGRESS,
// PLANNING_VERIFIED, IDLE_FEE_LEVIED …). They must be JSON numbers, as the database's
// event check demands; a number given as a string is refused.
var payloadBounds = map[string]bound{
	// Money of one enterprise on one parcel in one year: 1e8 万元 = 1 万亿元.
	"tax_wan":     {Min: 0, Max: 1e8, Unit: "万元"},
	"va_wan":      {Min: 0, Max: 1e8, Unit: "万元"},
	"rd_wan":      {Min: 0, Max: 1e8, Unit: "万元"},
	"revenue_wan": {Min: 0, Max: 1e8, Unit: "万元"},
	"amount_wan":  {Min: 0, Max: 1e8, Unit: "万元"},
	// Cumulative fixed-asset investment (投资强度, ruling 12) and a recovery's compensation.
	"invest_wan":       {Min: 0, Max: 1e8, Unit: "万元"},
	"compensation_wan": {Min: 0, Max: 1e8, Unit: "万元"},
	// The largest steel works use ~1e7 tce a year.
	"energy_tce": {Min: 0, Max: 1e8, Unit: "吨标准煤"},
	"emission_t": {Min: 0, Max: 1e8, Unit: "吨"},
	"employees":  {Min: 0, Max: 1e6, Integer: true, Unit: "人"},
	// 亩均 divides by it: zero land is refused. 1.5e5 亩 = 1e8 m², the parcel bound.
	"land_mu_used":   {Min: 0, MinOpen: true, Max: 1.5e5, Unit: "亩"},
	"floor_area_m2":  {Min: 0, Max: 2e9, Unit: "m²"}, // 容积率 20 × 1e8 m²
	"unused_area_m2": {Min: 0, Max: 1e8, Unit: "m²"},
	"far":            {Min: 0, Max: 20},
	"coverage":       {Min: 0, Max: 1},
	// Shares of the agreed land developed / investment made.
	"developed_land_ratio": {Min: 0, Max: 1},
	"invested_ratio":       {Min: 0, Max: 1},
	"year":                 {Min: minYear, Max: maxYear, Integer: true},
}

// otherPayloadNumber bounds any other number in an event payload (nested or under a
// key the table does not know): finite and far from float8's limits.
var otherPayloadNumber = bound{Min: -1e12, Max: 1e12}

// Dates anywhere in a request (bodies and query parameters) lie in these years. The
// registry's facts start with land contracts in the 1980s; PostgreSQL would take
// 'infinity' or the year 200000, and either breaks every date computation downstream.
const (
	minYear = 1900
	maxYear = 2199
)

// Text: at most this many characters per JSON string (names, reasons, document numbers;
// geometries are numbers), and strings never hold NUL, which PostgreSQL refuses in
// text and jsonb.
const maxStringChars = 10000

// maxDepth bounds the nesting of a JSON body (a GeoJSON MultiPolygon inside an
// adjustment is 8 deep).
const maxDepth = 32

// plainNumber is a decimal number as JSON writes one (strings carrying numbers must look
// the same): no NaN, Infinity, hex, underscores or spaces.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// check returns the value of text if it is a plain number inside b, else a message.
func (b bound) check(text string) (float64, string, string) {
	if !plainNumber.MatchString(text) {
		return 0, "须为有限的十进制数值（不接受 NaN、Infinity）", "must be a finite decimal number (NaN and Infinity are refused), got " + strconv.Quote(text)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, "数值超出范围", "is out of range: " + text
	}
	if b.Integer && v != math.Trunc(v) {
		return 0, "须为整数", "must be an integer, got " + text
	}
	if v < b.Min || v > b.Max || (b.MinOpen && v == b.Min) {
		return 0, "须在 " + b.rangeText() + " 之间", "must be within " + b.rangeText() + ", got " + text
	}
	return v, "", ""
}

func (b bound) rangeText() string {
	lo := "[" + fmtBound(b.Min)
	if b.MinOpen {
		lo = "(" + fmtBound(b.Min)
	}
	s := lo + ", " + fmtBound(b.Max) + "]"
	if b.Unit != "" {
		s += " " + b.Unit
	}
	return s
}

func fmtBound(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// checkProperty validates the text of a numeric or date property of a Feature write.
// sqlType is the column's type in store's writable list.
func checkProperty(name, sqlType, text string) *Problem {
	switch sqlType {
	case "numeric", "integer", "smallint", "bigint", "double precision", "real":
		b, ok := propertyBounds[name]
		if !ok {
			// A numeric column without a bound is a programming error that the test of
			// the table catches; refuse rather than let NaN through.
			b = bound{Min: 0, Max: 0}
		}
		if _, zh, en := b.check(text); zh != "" {
			return valueProblem("properties."+name, name+" "+zh, name+" "+en)
		}
	case "date":
		if d, err := time.Parse(time.DateOnly, text); err != nil || !dateInRange(d) {
			return valueProblem("properties."+name, name+" 须为 "+strconv.Itoa(minYear)+"–"+strconv.Itoa(maxYear)+" 年间的日期 YYYY-MM-DD",
				name+" must be a date YYYY-MM-DD in the years "+strconv.Itoa(minYear)+"–"+strconv.Itoa(maxYear)+", got "+strconv.Quote(text))
		}
	}
	return nil
}

func valueProblem(field, zh, en string) *Problem {
	p := problem(http.StatusUnprocessableEntity, "constraint-violation", "Value violates a rule", zh, en)
	p.Field = field
	return p
}

// checkPayload validates the figures of an event payload (a JSON object).
func checkPayload(raw json.RawMessage) *Problem {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return badParam("payload", "payload 须为 JSON 对象", "payload must be a JSON object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field := "payload." + k
		if b, ok := payloadBounds[k]; ok {
			n, isNum := m[k].(json.Number)
			if !isNum {
				return eventProblem(field, k+" 须为 JSON 数值", k+" must be a JSON number, got "+jsonText(m[k]))
			}
			if _, zh, en := b.check(n.String()); zh != "" {
				return eventProblem(field, k+" "+zh, k+" "+en)
			}
			continue
		}
		if p := checkNumbers(field, m[k]); p != nil {
			return p
		}
	}
	return nil
}

// checkNumbers applies otherPayloadNumber to every number inside v.
func checkNumbers(field string, v any) *Problem {
	switch x := v.(type) {
	case json.Number:
		if _, zh, en := otherPayloadNumber.check(x.String()); zh != "" {
			return eventProblem(field, field+" "+zh, field+" "+en)
		}
	case map[string]any:
		for k, e := range x {
			if p := checkNumbers(field+"."+k, e); p != nil {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := checkNumbers(field+"["+strconv.Itoa(i)+"]", e); p != nil {
				return p
			}
		}
	}
	return nil
}

func eventProblem(field, zh, en string) *Problem {
	p := problem(http.StatusUnprocessableEntity, "invalid-event", "Invalid event", zh, en)
	p.Field = field
	return p
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// dateInRange reports whether d lies in the accepted years.
func dateInRange(d time.Time) bool { return d.Year() >= minYear && d.Year() <= maxYear }
