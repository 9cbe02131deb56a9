package codes

import (
	"sort"
	"strings"
)

// Land-use classification systems (domain.md §6). The codes below are recalled from the
// standards [R in domain.md]: check against the original before quoting them to a bureau.
const (
	SystemGBT21010 = "GB/T 21010" // 土地利用现状分类 (2017); registration default
	SystemYDYH     = "用地用海分类"     // 国土空间调查、规划、用途管制用地用海分类指南 (2023)
	SystemGB50137  = "GB 50137"   // 城市用地分类与规划建设用地标准 (2011), old 控规 codes
	SystemSanDiao  = "三调"         // 第三次全国国土调查工作分类 (GB/T 21010 with 0508 物流仓储)
)

// Systems lists the accepted values of landuse_system.
func Systems() []string { return []string{SystemGBT21010, SystemYDYH, SystemGB50137, SystemSanDiao} }

// NormalizeSystem maps common spellings ("GB/T21010-2017", "GB50137", "国土空间") to a
// System constant; ok is false for an unknown system.
func NormalizeSystem(s string) (string, bool) {
	u := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	switch {
	case u == "":
		return SystemGBT21010, true
	case strings.HasPrefix(u, "GB/T21010") || strings.HasPrefix(u, "GBT21010") || u == "土地利用现状分类":
		return SystemGBT21010, true
	case strings.HasPrefix(u, "GB50137") || u == "城市用地分类":
		return SystemGB50137, true
	case strings.Contains(u, "用地用海") || strings.Contains(u, "国土空间"):
		return SystemYDYH, true
	case strings.Contains(u, "三调"):
		return SystemSanDiao, true
	}
	return "", false
}

var gbt21010 = map[string]string{
	"01": "耕地", "0101": "水田", "0102": "水浇地", "0103": "旱地",
	"02": "园地", "0201": "果园", "0202": "茶园", "0203": "橡胶园", "0204": "其他园地",
	"03": "林地", "0301": "乔木林地", "0302": "竹林地", "0303": "红树林地", "0304": "森林沼泽", "0305": "灌木林地", "0306": "灌丛沼泽", "0307": "其他林地",
	"04": "草地", "0401": "天然牧草地", "0402": "沼泽草地", "0403": "人工牧草地", "0404": "其他草地",
	"05": "商服用地", "0501": "零售商业用地", "0502": "批发市场用地", "0503": "餐饮用地", "0504": "旅馆用地", "0505": "商务金融用地", "0506": "娱乐用地", "0507": "其他商服用地",
	"06": "工矿仓储用地", "0601": "工业用地", "0602": "采矿用地", "0603": "盐田", "0604": "仓储用地",
	"07": "住宅用地", "0701": "城镇住宅用地", "0702": "农村宅基地",
	"08": "公共管理与公共服务用地", "0801": "机关团体用地", "0802": "新闻出版用地", "0803": "教育用地", "0804": "科研用地", "0805": "医疗卫生用地",
	"0806": "社会福利用地", "0807": "文化设施用地", "0808": "体育用地", "0809": "公用设施用地", "0810": "公园与绿地",
	"09": "特殊用地", "0901": "军事设施用地", "0902": "使领馆用地", "0903": "监教场所用地", "0904": "宗教用地", "0905": "殡葬用地", "0906": "风景名胜设施用地",
	"10": "交通运输用地", "1001": "铁路用地", "1002": "轨道交通用地", "1003": "公路用地", "1004": "城镇村道路用地", "1005": "交通服务场站用地",
	"1006": "农村道路", "1007": "机场用地", "1008": "港口码头用地", "1009": "管道运输用地",
	"11": "水域及水利设施用地", "1101": "河流水面", "1102": "湖泊水面", "1103": "水库水面", "1104": "坑塘水面", "1105": "沿海滩涂", "1106": "内陆滩涂",
	"1107": "沟渠", "1108": "沼泽地", "1109": "水工建筑用地", "1110": "冰川及永久积雪",
	"12": "其他土地", "1201": "空闲地", "1202": "设施农用地", "1203": "田坎", "1204": "盐碱地", "1205": "沙地", "1206": "裸土地", "1207": "裸岩石砾地",
}

// 三调 工作分类: GB/T 21010 with 0508 物流仓储用地 moved under 05 and 0604 gone (domain.md §6).
var sanDiao = func() map[string]string {
	m := map[string]string{}
	for k, v := range gbt21010 {
		m[k] = v
	}
	delete(m, "0604")
	m["0508"] = "物流仓储用地"
	return m
}()

var ydyh = map[string]string{
	"01": "耕地", "0101": "水田", "0102": "水浇地", "0103": "旱地",
	"02": "园地", "0201": "果园", "0202": "茶园", "0203": "橡胶园地", "0204": "油料园地", "0205": "其他园地",
	"03": "林地", "0301": "乔木林地", "0302": "竹林地", "0303": "灌木林地", "0304": "其他林地",
	"04": "草地", "0401": "天然牧草地", "0402": "人工牧草地", "0403": "其他草地",
	"05": "湿地", "0501": "森林沼泽", "0502": "灌丛沼泽", "0503": "沼泽草地", "0504": "其他沼泽地", "0505": "沿海滩涂", "0506": "内陆滩涂", "0507": "红树林地",
	"06": "农业设施建设用地", "0601": "乡村道路用地", "060101": "村道用地", "060102": "田间道", "0602": "种植设施建设用地", "0603": "畜禽养殖设施建设用地", "0604": "水产养殖设施建设用地",
	"07": "居住用地", "0701": "城镇住宅用地", "070101": "一类城镇住宅用地", "070102": "二类城镇住宅用地", "070103": "三类城镇住宅用地",
	"0702": "城镇社区服务设施用地", "0703": "农村宅基地", "070301": "一类农村宅基地", "070302": "二类农村宅基地", "0704": "农村社区服务设施用地",
	"08": "公共管理与公共服务用地", "0801": "机关团体用地", "0802": "科研用地", "0803": "文化用地", "0804": "教育用地", "0805": "体育用地", "0806": "医疗卫生用地", "0807": "社会福利用地",
	"09": "商业服务业用地", "0901": "商业用地", "0902": "商务金融用地", "0903": "娱乐康体用地", "0904": "其他商业服务业用地",
	"10": "工矿用地", "1001": "工业用地", "100101": "一类工业用地", "100102": "二类工业用地", "100103": "三类工业用地", "1002": "采矿用地", "1003": "盐田",
	"11": "仓储用地", "1101": "物流仓储用地", "110101": "一类物流仓储用地", "110102": "二类物流仓储用地", "110103": "三类物流仓储用地", "1102": "储备库用地",
	"12": "交通运输用地", "1201": "铁路用地", "1202": "公路用地", "1203": "机场用地", "1204": "港口码头用地", "1205": "管道运输用地", "1206": "城市轨道交通用地",
	"1207": "城镇道路用地", "1208": "交通场站用地", "1209": "其他交通设施用地",
	"13": "公用设施用地", "1301": "供水用地", "1302": "排水用地", "1303": "供电用地", "1304": "供燃气用地", "1305": "供热用地", "1306": "通信用地", "1307": "邮政用地",
	"1308": "广播电视设施用地", "1309": "环卫用地", "1310": "消防用地", "1311": "干渠", "1312": "水工设施用地", "1313": "其他公用设施用地",
	"14": "绿地与开敞空间用地", "1401": "公园绿地", "1402": "防护绿地", "1403": "广场用地",
	"15": "特殊用地", "1501": "军事设施用地", "1502": "使领馆用地", "1503": "宗教用地", "1504": "文物古迹用地", "1505": "监教场所用地", "1506": "殡葬用地", "1507": "其他特殊用地",
	"16": "留白用地",
	"17": "陆地水域", "1701": "河流水面", "1702": "湖泊水面", "1703": "水库水面", "1704": "坑塘水面", "1705": "沟渠", "1706": "冰川及常年积雪",
	"18": "渔业用海", "19": "工矿通信用海", "20": "交通运输用海", "21": "游憩用海", "22": "特殊用海",
	"23": "其他土地", "2301": "空闲地", "2302": "田坎", "2303": "田间道", "2304": "盐碱地", "2305": "沙地", "2306": "裸土地", "2307": "裸岩石砾地",
	"24": "其他海域",
}

var gb50137 = map[string]string{
	"R": "居住用地", "R1": "一类居住用地", "R2": "二类居住用地", "R3": "三类居住用地",
	"A": "公共管理与公共服务设施用地", "A1": "行政办公用地", "A2": "文化设施用地", "A3": "教育科研用地", "A4": "体育用地", "A5": "医疗卫生用地",
	"A6": "社会福利用地", "A7": "文物古迹用地", "A8": "外事用地", "A9": "宗教用地",
	"B": "商业服务业设施用地", "B1": "商业用地", "B2": "商务用地", "B3": "娱乐康体用地", "B4": "公用设施营业网点用地", "B9": "其他服务设施用地",
	"M": "工业用地", "M0": "新型产业用地（地方）", "M1": "一类工业用地", "M2": "二类工业用地", "M3": "三类工业用地",
	"W": "物流仓储用地", "W1": "一类物流仓储用地", "W2": "二类物流仓储用地", "W3": "三类物流仓储用地",
	"S": "道路与交通设施用地", "S1": "城市道路用地", "S2": "城市轨道交通用地", "S3": "交通枢纽用地", "S4": "交通场站用地", "S9": "其他交通设施用地",
	"U": "公用设施用地", "U1": "供应设施用地", "U2": "环境设施用地", "U3": "安全设施用地", "U9": "其他公用设施用地",
	"G": "绿地与广场用地", "G1": "公园绿地", "G2": "防护绿地", "G3": "广场用地",
	"H": "建设用地", "H1": "城乡居民点建设用地", "H2": "区域交通设施用地", "H3": "区域公用设施用地", "H4": "特殊用地", "H5": "采矿用地", "H9": "其他建设用地",
	"E": "非建设用地", "E1": "水域", "E2": "农林用地", "E9": "其他非建设用地",
}

func table(system string) map[string]string {
	switch system {
	case SystemYDYH:
		return ydyh
	case SystemGB50137:
		return gb50137
	case SystemSanDiao:
		return sanDiao
	case SystemGBT21010:
		return gbt21010
	}
	return nil
}

// LandUseName returns the class name of a code in a system ("" if unknown).
func LandUseName(system, code string) string {
	if sys, ok := NormalizeSystem(system); ok {
		return table(sys)[strings.TrimSpace(code)]
	}
	return ""
}

// LandUse checks a land-use code against its classification system. GB 50137 codes are
// matched case-insensitively (m1 = M1); the others are digits.
func LandUse(system, code string) error {
	sys, ok := NormalizeSystem(system)
	if !ok {
		return fail("landuse_system", system, "未知的用地分类体系", "unknown land-use classification %q; use one of %s", system, strings.Join(Systems(), ", "))
	}
	c := strings.TrimSpace(code)
	if sys == SystemGB50137 {
		c = strings.ToUpper(c)
	}
	if _, ok := table(sys)[c]; !ok {
		return fail("landuse_code", code, "用地代码不在《"+sys+"》分类中", "land-use code %q is not a class of %s", code, sys)
	}
	return nil
}

// industrial holds the default "industrial" classes of domain.md §6 per system.
var industrial = map[string][]string{
	SystemGBT21010: {"0601"},
	SystemSanDiao:  {"0601"},
	SystemYDYH:     {"1001", "100101", "100102", "100103"},
	SystemGB50137:  {"M", "M0", "M1", "M2", "M3"},
}

var warehouse = map[string][]string{
	SystemGBT21010: {"0604"},
	SystemSanDiao:  {"0508"},
	SystemYDYH:     {"1101", "110101", "110102", "110103"},
	SystemGB50137:  {"W", "W1", "W2", "W3"},
}

func in(list []string, c string) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// IsIndustrial reports whether a code is industrial land in its system (domain.md §6).
func IsIndustrial(system, code string) bool {
	sys, ok := NormalizeSystem(system)
	return ok && in(industrial[sys], strings.ToUpper(strings.TrimSpace(code)))
}

// IsWarehouse reports whether a code is warehouse/logistics land in its system.
func IsWarehouse(system, code string) bool {
	sys, ok := NormalizeSystem(system)
	return ok && in(warehouse[sys], strings.ToUpper(strings.TrimSpace(code)))
}

// LandUseCodes lists the codes of a system, sorted (for documentation and forms).
func LandUseCodes(system string) []string {
	sys, _ := NormalizeSystem(system)
	t := table(sys)
	out := make([]string, 0, len(t))
	for k := range t {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
