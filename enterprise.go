package landreg

import (
	"errors"
	"strconv"
	"strings"

	"github.com/landreg/landreg/codes"
)

// An enterprise (企业, 权利人) holds parcels: its 统一社会信用代码 (GB 32100) is its key;
// its GB/T 4754 industry, whether it is 规上 (above designated size, evaluated on the
// six 亩均 indicators, domain.md §4) and its registered address describe it.

// EnterpriseFields are the writable fields of an enterprise (column → SQL type).
var EnterpriseFields = map[string]string{
	"name":          "text",
	"industry_code": "text",
	"is_above_size": "boolean",
	"address":       "text",
}

// ValidateEnterprise checks an enterprise record as it would be stored (column → text;
// a missing key is unset): the USCC with its check character, a name, the industry
// code's format and the 规上 flag. Every problem, in a stable order.
func ValidateEnterprise(e map[string]string) []*Error {
	var out []*Error
	get := func(k string) string { return strings.TrimSpace(e[k]) }
	code := func(k string, err error) {
		var ce *codes.Error
		if errors.As(err, &ce) {
			out = append(out, Refuse(KindInvalidCode, k, ce.ZH, ce.EN))
		}
	}
	if u := e["uscc"]; u == "" {
		out = append(out, Refuse(KindConstraint, "uscc", "缺少统一社会信用代码 uscc", "the unified social credit code (uscc) is required"))
	} else {
		code("uscc", codes.USCC(u))
	}
	if get("name") == "" {
		out = append(out, Refuse(KindConstraint, "name", "缺少企业名称 name", "the enterprise's name is required"))
	}
	if v, ok := e["industry_code"]; ok && v != "" {
		code("industry_code", codes.Industry(v))
	}
	if v := get("is_above_size"); v != "" && v != "true" && v != "false" {
		out = append(out, Refuse(KindConstraint, "is_above_size", "is_above_size（规上）须为 true 或 false",
			"is_above_size must be true or false, got "+strconv.Quote(v)))
	}
	return out
}
