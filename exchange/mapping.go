package exchange

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// Kind is what an import loads.
type Kind string

const (
	Parcels    Kind = "parcels"
	BlockLines Kind = "block-lines"
	// Enterprises and Events are read from spreadsheets (XLSX, CSV; table.go).
	Enterprises Kind = "enterprises"
	Events      Kind = "events"
)

// ParseKind accepts parcels, block-lines (or block_lines), enterprises, events.
func ParseKind(s string) (Kind, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-") {
	case "parcels", "parcel":
		return Parcels, nil
	case "block-lines", "block-line", "blocklines":
		return BlockLines, nil
	case "enterprises", "enterprise":
		return Enterprises, nil
	case "events", "event":
		return Events, nil
	case "indicators", "indicator":
		return Indicators, nil
	case "mujun-classes", "mujun-class", "classes":
		return Classes, nil
	}
	return "", fmt.Errorf("未知的导入类型 %q / unknown import kind %q: use parcels, block-lines, enterprises, events, indicators or mujun-classes", s, s)
}

// tabular reports whether a kind is read from a spreadsheet rather than a layer of
// features.
func tabular(k Kind) bool { return k == Enterprises || k == Events }

// targets returns the landreg properties an import of kind may set, with SQL types.
// Events take payload keys besides (payload.KEY, events.go).
func targets(k Kind) map[string]string {
	switch k {
	case BlockLines:
		return map[string]string{"level": "smallint", "code": "text", "name": "text", "xzqdm": "text"}
	case Enterprises:
		t := map[string]string{"uscc": "text"}
		maps.Copy(t, landreg.EnterpriseFields)
		return t
	case Events:
		return map[string]string{"zddm": "text", "type": "text", "event_date": "date", "doc_no": "text", "reason": "text"}
	}
	if k == Indicators {
		return indicatorTargets()
	}
	w, _ := store.WritableFor("parcels")
	return w.Columns
}

// defaultNames maps common source column names (upper-cased) to properties: the codes
// of 不动产登记 databases (ZDDM, QLR …), Chinese headings, and the ≤ 10-character names
// of our own Shapefile exports (docs/exchange.md), so exports import back unchanged.
var defaultNames = map[Kind]map[string][]string{
	Parcels: {
		"zddm":                        {"ZDDM", "宗地代码", "宗地编码", "宗地号"},
		"bdcdyh":                      {"BDCDYH", "不动产单元号", "不动产单元代码", "单元号"},
		"cert_no":                     {"QZH", "BDCQZH", "权证号", "不动产权证号", "证书号"},
		"xzqdm":                       {"XZQDM", "XZQHDM", "行政区划代码", "行政区代码", "行政区"},
		"location":                    {"ZL", "TDZL", "坐落", "土地坐落", "宗地坐落"},
		"project_name":                {"XMMC", "项目名称", "PROJ_NAME"},
		"holder_name":                 {"QLR", "QLRMC", "权利人", "权利人名称", "使用权人", "HOLDER"},
		"holder_uscc":                 {"TYSHXYDM", "XYDM", "统一社会信用代码", "HOLDER_USC"},
		"landuse_code":                {"TDYT", "YT", "DLBM", "YDDM", "土地用途", "用途", "用地代码", "地类编码", "用途代码", "LANDUSE", "LANDUSE_CO"},
		"landuse_system":              {"分类体系", "用途分类", "LANDUSE_SY"},
		"industry_code":               {"HYDM", "行业代码", "INDUSTRY", "INDUSTRY_C"},
		"registered_area_m2":          {"ZDMJ", "DJMJ", "宗地面积", "登记面积", "REG_AREA"},
		"supply_method":               {"GDFS", "供地方式", "SUPPLY"},
		"supervision_no":              {"DZJGH", "电子监管号", "SUPERV_NO"},
		"contract_no":                 {"HTBH", "合同编号", "CONTR_NO"},
		"contract_date":               {"HTQDRQ", "合同签订日期", "签订日期", "CONTR_DATE"},
		"price_wan":                   {"CRJK", "出让价款", "成交价款"},
		"term_years":                  {"SYNX", "CRNX", "使用年限", "出让年限"},
		"is_standard_land":            {"BZD", "标准地", "STD_LAND"},
		"agreed_delivery":             {"约定交地日期", "AGR_DELIV"},
		"agreed_start":                {"约定开工日期", "AGR_START"},
		"agreed_completion":           {"约定竣工日期", "AGR_COMPL"},
		"agreed_rampup_review":        {"达产复核日期", "AGR_REVIEW"},
		"far_min":                     {"容积率下限", "最低容积率"},
		"far_max":                     {"容积率上限", "最高容积率"},
		"coverage_min":                {"建筑系数下限", "建筑密度下限", "COV_MIN"},
		"invest_intensity_wan_per_mu": {"投资强度", "INVEST_INT"},
		"tax_per_mu_wan":              {"亩均税收", "TAX_PER_MU"},
		"va_per_mu_wan":               {"亩均增加值", "VA_PER_MU"},
		"energy_va_wan_per_tce":       {"单位能耗增加值", "ENERGY_VA"},
		"emission_va_wan_per_t":       {"单位排放增加值", "EMISS_VA"},
		"rd_ratio":                    {"研发经费占比", "研发投入占比"},
		"valid_from":                  {"生效日期", "登记日期"},
	},
	// The headers of the files tax and economic bureaus and 企业 registers send.
	Enterprises: {
		"uscc":          {"统一社会信用代码", "社会信用代码", "信用代码", "TYSHXYDM", "XYDM", "USCC"},
		"name":          {"企业名称", "单位名称", "企业", "名称", "QYMC", "NAME"},
		"industry_code": {"行业代码", "国民经济行业代码", "国民经济行业分类代码", "行业分类代码", "HYDM", "INDUSTRY"},
		"is_above_size": {"是否规上", "规上", "规上企业", "是否规上企业", "是否规模以上", "规模以上", "SFGS"},
		"address":       {"地址", "住所", "注册地址", "企业地址", "经营地址", "DZ"},
	},
	Events: {
		"zddm":       {"ZDDM", "宗地代码", "宗地编码", "宗地号"},
		"type":       {"事件类型", "类型", "事件", "SJLX", "TYPE"},
		"event_date": {"事件日期", "日期", "发生日期", "SJRQ", "RQ", "DATE"},
		"doc_no":     {"文号", "文件编号", "批文号", "文书编号", "WH", "DOC_NO"},
		"reason":     {"说明", "原因", "REASON"},
		// Payload keys (payload.KEY) under their usual headings; a snake_case header
		// (tax_wan, passed …) names its key itself.
		"payload.year":                 {"年度", "年份"},
		"payload.tax_wan":              {"税收", "税收（万元）", "税收(万元)", "实缴税金", "实缴税收"},
		"payload.va_wan":               {"增加值", "增加值（万元）", "增加值(万元)", "工业增加值"},
		"payload.revenue_wan":          {"营业收入", "营业收入（万元）", "营业收入(万元)"},
		"payload.rd_wan":               {"研发经费", "研发投入", "研发经费（万元）", "研发经费(万元)"},
		"payload.energy_tce":           {"能耗", "综合能耗", "综合能耗（吨标准煤）", "综合能耗(吨标准煤)"},
		"payload.emission_t":           {"排放", "排放量", "主要污染物排放量"},
		"payload.employees":            {"从业人员", "员工人数", "职工人数"},
		"payload.land_mu_used":         {"用地面积（亩）", "用地面积(亩)", "用地亩数"},
		"payload.amount_wan":           {"金额", "金额（万元）", "金额(万元)"},
		"payload.from":                 {"开始日期", "起始日期"},
		"payload.to":                   {"结束日期", "截止日期"},
		"payload.new_start_deadline":   {"新开工期限", "延期后开工期限", "延期开工期限"},
		"payload.far":                  {"容积率"},
		"payload.coverage":             {"建筑系数", "建筑密度"},
		"payload.unused_area_m2":       {"未利用面积", "未利用土地面积"},
		"payload.floor_area_m2":        {"建筑面积"},
		"payload.developed_land_ratio": {"已开发面积比例", "开发比例"},
		"payload.invested_ratio":       {"已投资比例", "投资比例"},
		"payload.contract_no":          {"合同编号"},
	},
	BlockLines: {
		"level": {"JB", "QKJB", "级别", "区块级别", "区块线级别"},
		"code":  {"QKBH", "QKDM", "区块编号", "区块代码", "编号", "LINE_CODE"},
		"name":  {"QKMC", "区块名称", "名称", "LINE_NAME"},
		"xzqdm": {"XZQDM", "XZQHDM", "行政区划代码", "行政区代码", "行政区"},
	},
}

// Mapping resolves source field names to landreg properties.
type Mapping struct {
	kind  Kind
	exact map[string]string // source name as given in a mapping file → property ("" = ignore)
	upper map[string]string // upper-cased built-in names → property
}

// NewMapping combines the built-in names with user entries (source → property; an
// empty property or "-" ignores the field). Unknown properties are an error.
func NewMapping(k Kind, user map[string]string) (*Mapping, error) {
	m := &Mapping{kind: k, exact: map[string]string{}, upper: map[string]string{}}
	t := targets(k)
	for prop := range t {
		m.upper[strings.ToUpper(prop)] = prop
	}
	for prop, names := range defaultNames[k] {
		for _, n := range names {
			m.upper[strings.ToUpper(n)] = prop
		}
	}
	var bad []string
	for src, prop := range user {
		prop = strings.TrimSpace(prop)
		if prop == "-" {
			prop = ""
		}
		if _, ok := t[prop]; !ok && prop != "" && !(k == Events && payloadTarget(prop)) {
			bad = append(bad, fmt.Sprintf("%s→%s", src, prop))
			continue
		}
		m.exact[strings.TrimSpace(src)] = prop
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		names := make([]string, 0, len(t))
		for p := range t {
			names = append(names, p)
		}
		sort.Strings(names)
		if k == Events {
			names = append(names, "payload.KEY[:number|text|boolean|date]")
		}
		return nil, fmt.Errorf("字段映射指向未知属性 %s / the mapping names unknown properties %s; %s takes %s",
			strings.Join(bad, ", "), strings.Join(bad, ", "), k, strings.Join(names, ", "))
	}
	return m, nil
}

// ReadMappingFile reads a JSON object {"源字段": "property", …}.
func ReadMappingFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(b)
}

// ParseMapping parses a JSON mapping object.
func ParseMapping(b []byte) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("字段映射须为 JSON 对象 {\"源字段\": \"属性\"} / the field mapping must be a JSON object of source field → property: %v", err)
	}
	return m, nil
}

// Target returns the property a source field maps to ("" = not imported).
func (m *Mapping) Target(src string) string {
	if p, ok := m.exact[src]; ok {
		return p
	}
	if p, ok := m.upper[strings.ToUpper(strings.TrimSpace(src))]; ok {
		return p
	}
	if m.kind == Events {
		// A header that is a payload key (tax_wan), or says so (payload.tax_wan).
		n := strings.TrimSpace(src)
		if reKey.MatchString(n) {
			n = "payload." + n
		}
		if payloadTarget(n) {
			return n
		}
	}
	return ""
}

// reKey is a payload key as the database's events use them (snake_case).
var reKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// payloadTarget: payload.KEY, optionally typed payload.KEY:number|text|boolean|date.
func payloadTarget(p string) bool {
	k, ok := strings.CutPrefix(p, "payload.")
	if !ok {
		return false
	}
	k, typ, typed := strings.Cut(k, ":")
	if typed && typ != "number" && typ != "text" && typ != "boolean" && typ != "date" {
		return false
	}
	return reKey.MatchString(k)
}

// Resolve maps a layer's fields, and reports fields that map nowhere and properties
// that two fields map to (the first field wins).
func (m *Mapping) Resolve(fields []string) (used map[string]string, ignored []string, conflicts []string) {
	used = map[string]string{}
	taken := map[string]string{}
	for _, f := range fields {
		p := m.Target(f)
		if p == "" {
			ignored = append(ignored, f)
			continue
		}
		if prev, ok := taken[p]; ok {
			conflicts = append(conflicts, fmt.Sprintf("%s and %s → %s (using %s)", prev, f, p, prev))
			continue
		}
		taken[p] = f
		used[f] = p
	}
	return used, ignored, conflicts
}
