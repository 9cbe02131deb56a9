// Package codes validates the identifiers of China's land and real-estate registers:
// 宗地代码 (ZDDM, GB/T 26424 / TD/T 1060 style, 19 characters), 不动产单元号 (BDCDYH,
// GB/T 37346, 28 characters), 统一社会信用代码 (USCC, GB 32100-2015, 18 characters with a
// check character), 行政区划代码 (6 digits) and land-use codes of GB/T 21010-2017, the
// 国土空间 用地用海分类 (2023) and GB 50137-2011.
//
// Every validator returns nil or an *Error whose message is bilingual ("中文 / English"),
// so the API, the importer and the CLI can show it as it is.
package codes

import (
	"fmt"
	"strings"
)

// Error explains why a code is invalid.
type Error struct {
	Field string // zddm, bdcdyh, uscc, xzqdm, landuse_code
	Value string
	ZH    string
	EN    string
}

func (e *Error) Error() string { return e.ZH + " / " + e.EN }

func fail(field, value, zh, en string, args ...any) *Error {
	return &Error{Field: field, Value: value, ZH: zh, EN: fmt.Sprintf(en, args...)}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Xzqdm checks a county-level 行政区划代码: six digits, not starting with 0, and a
// county part (last two digits) other than 00 (a prefecture code is not a district).
func Xzqdm(s string) error {
	if len(s) != 6 || !allDigits(s) || s[0] == '0' {
		return fail("xzqdm", s, "行政区划代码须为 6 位数字", "district code %q must be 6 digits (e.g. 330304)", s)
	}
	if s[4:] == "00" {
		return fail("xzqdm", s, "行政区划代码须为县级（末两位不为 00）", "district code %q is a prefecture or province, not a county-level district", s)
	}
	return nil
}

// 宗地特征码: first letter the ownership (G 国有, J 集体, Z 争议), second the kind of
// right: A 集体土地所有权, B 建设用地使用权（地表）, S 地上, X 地下, C 宅基地使用权,
// D 土地承包经营权, E 林地使用权, F 草原使用权, H 海域使用权, W 使用权未确定或有争议,
// Y 无居民海岛使用权, G 其他 (the letters the registry's database accepts).
const zdTypeOwner, zdTypeRight = "GJZ", "ABCDEFGHSXWY"

// ZDDM checks a 宗地代码: 6-digit district + 3-digit 地籍区 + 3-digit 地籍子区 +
// 2-letter 宗地特征码 + 5-digit 宗地顺序号, 19 characters.
func ZDDM(s string) error {
	if len(s) != 19 {
		return fail("zddm", s, "宗地代码须为 19 位", "parcel code %q has %d characters; a 宗地代码 has 19", s, len(s))
	}
	if err := Xzqdm(s[:6]); err != nil {
		return fail("zddm", s, "宗地代码前 6 位须为县级行政区划代码", "parcel code %q must start with a county-level district code", s)
	}
	if !allDigits(s[6:12]) {
		return fail("zddm", s, "宗地代码第 7–12 位（地籍区、地籍子区）须为数字", "parcel code %q: characters 7–12 (地籍区 and 地籍子区) must be digits", s)
	}
	if s[6:9] == "000" || s[9:12] == "000" {
		return fail("zddm", s, "地籍区、地籍子区编号不能为 000", "parcel code %q: 地籍区 and 地籍子区 numbers start at 001", s)
	}
	if !strings.ContainsRune(zdTypeOwner, rune(s[12])) || !strings.ContainsRune(zdTypeRight, rune(s[13])) {
		return fail("zddm", s, "宗地特征码无效（第 13 位 G/J/Z，第 14 位 A–H、S、X、W、Y）",
			"parcel code %q: characters 13–14 (宗地特征码) must be G/J/Z then one of A–H, S, X, W, Y", s)
	}
	if !allDigits(s[14:]) || s[14:] == "00000" {
		return fail("zddm", s, "宗地顺序号须为 00001–99999", "parcel code %q: the last 5 characters (宗地顺序号) must be 00001–99999", s)
	}
	return nil
}

// BDCDYH checks a 不动产单元号: the 19-character 宗地代码, then the kind of fixture
// (F 房屋, L 林木, Q 其他, W 无定着物) and an 8-digit 定着物单元编号 (1 + 8, domain.md §10.4).
// A vacant unit (W) has 00000000.
func BDCDYH(s string) error {
	if len(s) != 28 {
		return fail("bdcdyh", s, "不动产单元号须为 28 位", "unit number %q has %d characters; a 不动产单元号 has 28", s, len(s))
	}
	if err := ZDDM(s[:19]); err != nil {
		e := err.(*Error)
		return fail("bdcdyh", s, "不动产单元号前 19 位须为有效宗地代码："+e.ZH, "unit number %q: the first 19 characters must be a valid parcel code: %s", s, e.EN)
	}
	if !strings.ContainsRune("FLQW", rune(s[19])) || !allDigits(s[20:]) {
		return fail("bdcdyh", s, "定着物特征码须为 F/L/Q/W 加 8 位数字", "unit number %q: character 20 must be F, L, Q or W followed by 8 digits", s)
	}
	if s[19] == 'W' && s[20:] != "00000000" {
		return fail("bdcdyh", s, "无定着物（W）单元的编号须为 00000000", "unit number %q: a W (no fixture) unit is numbered 00000000", s)
	}
	if s[19] != 'W' && s[20:] == "00000000" {
		return fail("bdcdyh", s, "有定着物的单元编号不能为 00000000", "unit number %q: a unit with a fixture (F/L/Q) is not numbered 00000000", s)
	}
	return nil
}

// usccChars is the GB 32100-2015 character set: digits and capital letters without
// I, O, Z, S, V. A character's value is its index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheck returns the check character for the first 17 characters of a USCC.
func USCCCheck(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("character %q at %d is not in the GB 32100 set", first17[i], i+1)
		}
		sum += v * usccWeights[i]
	}
	c := (31 - sum%31) % 31
	return usccChars[c], nil
}

// USCC checks a 统一社会信用代码 (GB 32100-2015): 18 characters of the code set, a
// registering authority (1 机构编制, 5 民政, 9 工商/市场监管, Y 其他 …), six digits of the
// 行政区划码 in characters 3–8, and the check character computed with weights
// 3^i mod 31. Lower-case input is refused rather than silently upper-cased.
func USCC(s string) error {
	if len(s) != 18 {
		return fail("uscc", s, "统一社会信用代码须为 18 位", "USCC %q has %d characters; it has 18", s, len(s))
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(usccChars, s[i]) < 0 {
			return fail("uscc", s, fmt.Sprintf("第 %d 位字符 %q 不属于统一社会信用代码字符集（不含 I、O、Z、S、V）", i+1, s[i]),
				"USCC %q: character %d (%q) is not in the GB 32100 set (digits and capitals without I, O, Z, S, V)", s, i+1, s[i])
		}
	}
	if !strings.ContainsRune("123456789ANY", rune(s[0])) {
		return fail("uscc", s, "登记管理部门代码（第 1 位）无效", "USCC %q: character 1 (registering authority) must be 1–9, A, N or Y", s)
	}
	if !allDigits(s[2:8]) {
		return fail("uscc", s, "第 3–8 位须为行政区划码", "USCC %q: characters 3–8 must be an administrative division code", s)
	}
	want, _ := USCCCheck(s[:17])
	if s[17] != want {
		return fail("uscc", s, fmt.Sprintf("校验码错误，应为 %c", want), "USCC %q: check character is %c, expected %c (GB 32100)", s, s[17], want)
	}
	return nil
}

// Industry checks a GB/T 4754-2017 国民经济行业分类 code: a 门类 letter (A–T), or the
// digits of a 大类 (2), 中类 (3) or 小类 (4), whose first two digits are a 大类 (01–97),
// e.g. 3443 阀门和旋塞制造. The format only: the list of classes is not checked.
func Industry(s string) error {
	if len(s) == 1 && s[0] >= 'A' && s[0] <= 'T' {
		return nil
	}
	if len(s) < 2 || len(s) > 4 || !allDigits(s) || s[:2] == "00" || s[:2] > "97" {
		return fail("industry_code", s, "行业代码须为 GB/T 4754 门类字母（A–T）或 2–4 位数字（如 3443）",
			"industry code %q must be a GB/T 4754 section letter (A–T) or 2–4 digits starting with a division 01–97 (e.g. 3443)", s)
	}
	return nil
}
