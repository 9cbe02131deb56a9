package landreg

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/landreg/landreg/codes"
)

// contractDates are the dates of a supply contract in the order they must happen.
var contractDates = []string{"contract_date", "agreed_delivery", "agreed_start", "agreed_completion", "agreed_rampup_review"}

// ValidateParcel checks a parcel record (column → text as written, dates YYYY-MM-DD):
// the 宗地代码 and 不动产单元号 with their check digits and their district prefix, the
// holder's 统一社会信用代码, the land-use code of its classification system, and the
// contract's dates in order and not after today. It returns every problem found, in a
// stable order: the API answers with the first, the importer reports them all. The
// database holds the same rules that a CHECK can hold; this names the field first.
func ValidateParcel(p map[string]string, today time.Time) []*Error {
	var out []*Error
	get := func(k string) string { return strings.TrimSpace(p[k]) }
	bad := func(k, zh, en string) { out = append(out, Refuse(KindConstraint, k, zh, en)) }
	code := func(k string, err error) bool {
		if err == nil {
			return true
		}
		var ce *codes.Error
		if errors.As(err, &ce) {
			out = append(out, Refuse(KindInvalidCode, k, ce.ZH, ce.EN))
		} else {
			out = append(out, Refuse(KindInvalidCode, k, k+" 无效", err.Error()))
		}
		return false
	}

	zddm, x := get("zddm"), get("xzqdm")
	switch {
	case zddm == "":
		bad("zddm", "缺少宗地代码 zddm", "the parcel code (zddm) is required")
	case code("zddm", codes.ZDDM(zddm)) && x != "" && x != zddm[:6]:
		out = append(out, Refuse(KindInvalidCode, "xzqdm", "宗地代码 "+zddm+" 不属于行政区 "+x+"（前 6 位须为行政区划代码）",
			"parcel code "+zddm+" does not belong to district "+x+" (its first six digits are the district code)"))
	}
	if x == "" {
		bad("xzqdm", "缺少行政区划代码 xzqdm", "the district code (xzqdm) is required")
	} else {
		code("xzqdm", codes.Xzqdm(x))
	}
	if b := get("bdcdyh"); b != "" && code("bdcdyh", codes.BDCDYH(b)) && zddm != "" && !strings.HasPrefix(b, zddm) {
		out = append(out, Refuse(KindInvalidCode, "bdcdyh", "不动产单元号 "+b+" 须以宗地代码 "+zddm+" 开头",
			"unit number "+b+" must start with the parcel code "+zddm))
	}
	if u := get("holder_uscc"); u != "" {
		code("holder_uscc", codes.USCC(u))
	}
	system := get("landuse_system")
	if system == "" {
		system = codes.SystemGBT21010
	}
	norm, known := codes.NormalizeSystem(system)
	if !known {
		out = append(out, Refuse(KindInvalidCode, "landuse_system", "未知的用地分类体系 "+system,
			"unknown land-use system "+strconv.Quote(system)+"; one of "+strings.Join(codes.Systems(), ", ")))
	}
	if lu := get("landuse_code"); lu == "" {
		bad("landuse_code", "缺少土地用途代码 landuse_code", "the land-use code (landuse_code) is required")
	} else if known {
		code("landuse_code", codes.LandUse(norm, lu))
	}

	var prev string
	var prevDate time.Time
	for _, k := range contractDates {
		v := get(k)
		if v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad(k, k+" 须为日期 YYYY-MM-DD", k+" must be a date YYYY-MM-DD, got "+strconv.Quote(v))
			continue
		}
		if prev != "" && d.Before(prevDate) {
			bad(k, k+"（"+v+"）不能早于 "+prev+"（"+prevDate.Format(time.DateOnly)+"）",
				k+" ("+v+") cannot be before "+prev+" ("+prevDate.Format(time.DateOnly)+")")
		}
		if k == "contract_date" && d.After(today) {
			bad(k, "合同日期 "+v+" 不能晚于今天 "+today.Format(time.DateOnly), "contract_date "+v+" cannot be after today ("+today.Format(time.DateOnly)+")")
		}
		prev, prevDate = k, d
	}
	return out
}
