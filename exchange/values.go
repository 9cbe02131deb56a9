package exchange

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// text renders a GeoJSON property value as text ("" for null).
func text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(t)
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "20060102", "2006.01.02", "2006年1月2日", "2006-1-2", "2006/1/2"}

// normalize checks a text value against its SQL type and returns the form PostgreSQL
// casts exactly; the error is bilingual.
func normalize(sqlType, s string) (string, error) {
	switch sqlType {
	case "numeric", "double precision":
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("不是数字 / not a number: %q", s)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case "integer", "smallint", "bigint":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e15 {
			return "", fmt.Errorf("不是整数 / not an integer: %q", s)
		}
		return strconv.FormatInt(int64(f), 10), nil
	case "date":
		d := s
		if len(d) > 10 && (d[10] == 'T' || d[10] == ' ') {
			d = d[:10]
		}
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, d); err == nil {
				return t.Format(time.DateOnly), nil
			}
		}
		return "", fmt.Errorf("不是日期 / not a date (YYYY-MM-DD): %q", s)
	case "boolean":
		switch strings.ToLower(s) {
		case "true", "t", "1", "y", "yes", "是", "√":
			return "true", nil
		case "false", "f", "0", "n", "no", "否", "":
			return "false", nil
		}
		return "", fmt.Errorf("不是布尔值 / not a boolean (是/否, true/false, 1/0): %q", s)
	}
	return s, nil
}

// parseLevel accepts 1, 2, 一级, 二级, 1级.
func parseLevel(s string) (string, bool) {
	switch strings.TrimSpace(strings.ReplaceAll(s, " ", "")) {
	case "1", "1.0", "一级", "1级", "一", "I":
		return "1", true
	case "2", "2.0", "二级", "2级", "二", "II":
		return "2", true
	}
	return "", false
}
