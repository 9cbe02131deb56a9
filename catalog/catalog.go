// Package catalog describes the collections landreg serves: their ids, titles and
// descriptions, the properties clients may filter and sort by, the vector-tile layers
// with their zoom limits, and the database source each one reads. It holds no SQL
// beyond the names of those sources: the features themselves are the columns of views
// the database owns (schema/views/collection_*.sql, schema/functions/
// collection_parcel_status.sql), which psql and QGIS users can read as they are.
//
// Package store executes queries over these sources and package api renders the
// descriptions; both import catalog, and catalog imports neither.
package catalog

import (
	"fmt"
	"regexp"

	"github.com/landreg/landreg/cql2"
)

// Collection is a feature collection of OGC API – Features.
type Collection struct {
	ID          string
	Title       string
	Description string
	// Versioned collections keep history (valid_from/valid_to) and accept datetime.
	Versioned bool
	// Properties are every property of the collection's features, in the order they
	// are served: the schema of the features (/collections/{id}/schema).
	Properties []Property
	// Filterable names the properties clients may filter and sort by, in order, and
	// "geometry" for the geometry.
	Filterable []string
	// Queryables are the filterable properties (OGC API – Features Part 3), built from
	// Properties and Filterable when the catalogue is indexed.
	Queryables []Queryable
	// Source names what the collection reads.
	Source Source
}

// Source names the relations a collection reads. Every one of them has the columns of
// the feature contract (docs/decisions.md, "Collections are views"): id bigint,
// version integer, valid_from date, valid_to date (NULL for current versions), geom
// geometry (MultiPolygon, EPSG:4490), props text (the GeoJSON properties exactly as
// served), then one column per queryable, named as the queryable (geometry is geom).
type Source struct {
	// Current is the view of the current features. Its rows are the collection's
	// extent and count; for collections without AsOf it is what /items reads unless a
	// datetime asks for other versions.
	Current string
	// AllVersions is the view of every version, current and closed, read for datetime
	// queries of versioned collections. Kept apart from Current so the current path
	// never scans history.
	AllVersions string
	// AsOf, when set, is a set-returning function (d date, ids bigint[] DEFAULT NULL,
	// within geometry DEFAULT NULL, after bigint DEFAULT NULL) of the features as of d,
	// which the collection reads for every request; ids, within and after only narrow
	// the work (rows whose id is in ids, whose box meets within, or whose id is above
	// after: a keyset page).
	AsOf string
	// AsOfCount, when set beside AsOf, is a function (d date) RETURNS bigint of the
	// number of AsOf(d)'s rows: a page with no condition of its own (no box, filter or
	// property) reports it as numberMatched instead of counting the rows.
	AsOfCount string
	// OnDate, when set, is a set-returning function (d date, within geometry DEFAULT
	// NULL) of the versions valid on d, read for a single datetime instead of
	// AllVersions: the collection's properties depend on the day asked (the parcels'
	// idle status on d), which a view of every version cannot know. Current then holds
	// them as of today, and AllVersions (datetime intervals) as of each version's last
	// day. within only narrows the work.
	OnDate string
	// KnownAt, when set, is the source "as known at" a system time: a format with one
	// %s, the placeholder of the time, giving AllVersions' columns as the register held
	// them then (a version closed later shown as the open one it then was).
	KnownAt string
}

// Queryable is a property clients may filter and sort by (OGC API – Features Part 3).
type Queryable struct {
	Name string
	// Title is Chinese, then English, as served in /queryables.
	Title string
	Type  cql2.Type
	// Column is the source's column holding the value (the name, or geom).
	Column string
}

// TileLayer is a collection served as a Mapbox Vector Tile layer.
type TileLayer struct {
	ID string
	// Collection is the id of the collection whose sources the layer reads.
	Collection string
	// Zoom limits keep low zooms cheap.
	MinZoom, MaxZoom int
	// Fields names the attributes and their types, for TileJSON.
	Fields map[string]string
	// Versioned layers can be asked for as of a date.
	Versioned bool
	// IdleStatus layers carry each parcel's idle status as of the tile's date.
	IdleStatus bool
	// Labels layers hold one point per feature (a point on its surface), in the one
	// tile that contains it, so a label is placed once rather than in every tile the
	// polygon crosses.
	Labels bool
	// Cells layers draw the collection's parcels at city scale as a grid of cells
	// (状态格网): CellsPerTile × CellsPerTile a tile, one point per cell and combination
	// of district, status, 低效 and 标准地 flags (at the mean of its parcels' points on
	// their surface), with how many parcels and 亩 it holds. The attributes are the
	// parcels' own, so a filter on status, district or flags is exact on cells too.
	Cells bool
}

// CellsPerTile is the side of a Cells layer's grid: a cell is 4096 / CellsPerTile tile
// units, 16 px of a 512 px tile.
const CellsPerTile = 32

// Property is one property of a collection's features, as /schema describes it.
type Property struct {
	Name string
	// Title is Chinese, then English.
	Title string
	Type  PropType
	// Unit is the unit of a number (m², 亩, 万元, 万元/亩 …), empty for none.
	Unit string
}

// PropType is the JSON type of a property's values (null aside).
type PropType int

// Property types. Dates are JSON strings in ISO 8601 form.
const (
	Text PropType = iota
	Number
	Integer
	Boolean
	Date
	// List is a JSON array (the reasons of a status).
	List
)

// cqlTypes are the filter types of the property types that can be filtered.
var cqlTypes = map[PropType]cql2.Type{Text: cql2.String, Number: cql2.Number, Integer: cql2.Integer,
	Boolean: cql2.Boolean, Date: cql2.Date}

func p(name, title string, typ PropType, unit ...string) Property {
	pr := Property{Name: name, Title: title, Type: typ}
	if len(unit) > 0 {
		pr.Unit = unit[0]
	}
	return pr
}

// The geometry, filterable by its own name, is no property.
var geometryQueryable = Queryable{Name: "geometry", Title: "几何 geometry", Type: cql2.Geometry, Column: "geom"}

// The properties every versioned collection ends with.
var versionProps = []Property{
	p("valid_from", "生效日期 valid from", Date),
	p("valid_to", "失效日期 valid to (null: current)", Date),
	p("version", "版本 version", Integer),
}

var areaProps = []Property{
	p("area_m2", "椭球面积 area", Number, "m²"),
	p("area_mu", "面积（亩）area", Number, "亩"),
	p("area_ha", "面积（公顷）area", Number, "公顷"),
}

// The idle status a parcel's features end with (names and vocabulary of parcel_status
// and the parcels tiles). Not filterable on parcels: a filter would read the timeline
// for every parcel; parcel_status filters by status.
var statusProps = []Property{
	p("status", "闲置状态 idle status (/v1/vocabulary)", Text),
	p("status_zh", "闲置状态名称 idle status name", Text),
}

func props(lists ...[]Property) []Property {
	var out []Property
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var collections = []*Collection{
	{
		ID:          "districts",
		Title:       "行政区 Districts",
		Description: "县级行政区及区块线基数与规则设置，按版本 / county-level districts with their block-line baseline and rule settings, versioned (datetime= gives the version in force). Areas are ellipsoidal (CGCS2000).",
		Versioned:   true,
		Source:      Source{Current: "collection_districts", AllVersions: "collection_districts_all"},
		Properties: props([]Property{
			p("xzqdm", "行政区划代码 district code (GB/T 2260)", Text),
			p("name", "名称 name", Text),
			p("baseline_area_m2", "区块线基数 block-line baseline", Number, "m²"),
			p("baseline_area_mu", "区块线基数（亩）block-line baseline", Number, "亩"),
			p("baseline_doc", "基数文号 baseline document", Text),
			p("baseline_date", "基数日期 baseline date", Date),
			p("rule_start", "只增不减起始 rule window start", Date),
			p("rule_end", "只增不减截止 rule window end", Date),
			p("comp_ratio", "补划比例 compensation ratio", Number),
			p("level_for_level", "同级补划 level for level", Boolean),
			p("minor_edit_m2", "微调容差 minor-edit allowance per year", Number, "m²"),
			p("include_logistics", "物流用地计入 logistics land counts", Boolean),
			p("gk_srid", "高斯-克吕格投影带 Gauss-Krüger zone (EPSG)", Integer),
			p("doc_no", "文号 document", Text),
		}, versionProps, []Property{
			p("synthetic", "示例数据 synthetic demo data", Boolean),
		}, areaProps),
		Filterable: []string{"xzqdm", "name", "doc_no", "valid_from", "valid_to", "version", "area_m2", "geometry"},
	},
	{
		ID:          "block_lines",
		Title:       "工业区块线 Industrial block lines",
		Description: "现行工业区块线（一级/二级）/ current industrial block lines, level 1 and 2. Areas are ellipsoidal (CGCS2000).",
		Versioned:   true,
		Source: Source{Current: "collection_block_lines", AllVersions: "collection_block_lines_all",
			KnownAt: "landreg_sys.collection_block_lines_known(%s::timestamptz)"},
		Properties: props([]Property{
			p("code", "区块编号 code", Text),
			p("name", "名称 name", Text),
			p("xzqdm", "行政区划代码 district code", Text),
			p("level", "级别 level (1, 2)", Integer),
			p("level_name", "级别名称 level name", Text),
			p("approval_doc", "批复文号 approval document", Text),
			p("adjustment_id", "调整方案 adjustment", Integer),
		}, versionProps, areaProps),
		Filterable: []string{"code", "name", "xzqdm", "level", "approval_doc", "adjustment_id", "valid_from", "valid_to",
			"version", "area_m2", "geometry"},
	},
	{
		ID:    "parcels",
		Title: "宗地 Industrial parcels",
		Description: "现行工业宗地及其闲置状态（默认今天，datetime= 指定日期）/ current industrial land parcels with supply contract facts " +
			"and their idle status (status, status_zh) as of today or the date given by datetime= (for an interval: each version's on its last day). " +
			"Areas are ellipsoidal (CGCS2000); registered_area_m2 is the legal (GK-plane) area. Style by the status property.",
		Versioned: true,
		Source:    Source{Current: "collection_parcels", AllVersions: "collection_parcels_all", OnDate: "collection_parcels_on"},
		Properties: props([]Property{
			p("zddm", "宗地代码 parcel code", Text),
			p("bdcdyh", "不动产单元号 unit number", Text),
			p("cert_no", "不动产权证号 title certificate", Text),
			p("xzqdm", "行政区划代码 district code", Text),
			p("location", "坐落 location", Text),
			p("project_name", "项目名称 project", Text),
			p("holder_name", "权利人 holder", Text),
			p("holder_uscc", "统一社会信用代码 holder USCC", Text),
			p("landuse_code", "用途代码 land-use code", Text),
			p("landuse_system", "用地分类体系 land-use classification", Text),
			p("industry_code", "行业代码 industry (GB/T 4754)", Text),
			p("registered_area_m2", "登记面积 registered area (GK plane)", Number, "m²"),
			p("supply_method", "供地方式 supply method", Text),
			p("supervision_no", "电子监管号 supervision number", Text),
			p("contract_no", "合同编号 contract number", Text),
			p("contract_date", "合同日期 contract date", Date),
			p("price_wan", "出让价款 price", Number, "万元"),
			p("term_years", "出让年限 term", Integer, "年"),
			p("is_standard_land", "标准地 standard land", Boolean),
			p("agreed_delivery", "约定交地 agreed delivery", Date),
			p("agreed_start", "约定开工 agreed start", Date),
			p("agreed_completion", "约定竣工 agreed completion", Date),
			p("agreed_rampup_review", "约定达产复核 agreed ramp-up review", Date),
			p("far_min", "容积率下限 minimum floor-area ratio", Number),
			p("far_max", "容积率上限 maximum floor-area ratio", Number),
			p("coverage_min", "建筑密度下限 minimum coverage", Number),
			p("invest_intensity_wan_per_mu", "投资强度 agreed investment intensity", Number, "万元/亩"),
			p("tax_per_mu_wan", "亩均税收 agreed tax per mu", Number, "万元/亩"),
			p("va_per_mu_wan", "亩均增加值 agreed value added per mu", Number, "万元/亩"),
			p("energy_va_wan_per_tce", "单位能耗增加值 value added per energy", Number, "万元/吨标煤"),
			p("emission_va_wan_per_t", "单位排放增加值 value added per emission", Number, "万元/吨"),
			p("rd_ratio", "研发经费占比 R&D share of revenue", Number),
		}, versionProps, areaProps, statusProps),
		Filterable: []string{"zddm", "bdcdyh", "xzqdm", "project_name", "holder_name", "holder_uscc", "landuse_code",
			"industry_code", "supply_method", "is_standard_land", "registered_area_m2", "area_m2", "price_wan",
			"contract_date", "agreed_start", "agreed_completion", "valid_from", "valid_to", "version", "geometry"},
	},
	{
		ID:    "parcel_status",
		Title: "宗地闲置状态 Parcel idle status",
		Description: "宗地及其闲置/低效状态（默认今天，datetime= 指定日期）/ parcels with their idle status as of today " +
			"or the date given by datetime=, computed by landreg_sys.idle_core (docs/idle.md). Style by the status property.",
		Versioned: true,
		// The extent and count are the current parcels'; the features are the parcel
		// versions valid on the date, with their status as of it.
		Source: Source{Current: "collection_parcels", AsOf: "collection_parcel_status", AsOfCount: "collection_parcel_status_count"},
		Properties: props([]Property{
			p("zddm", "宗地代码 parcel code", Text),
			p("xzqdm", "行政区划代码 district code", Text),
			p("holder_name", "权利人 holder", Text),
			p("landuse_code", "用途代码 land-use code", Text),
			p("project_name", "项目名称 project", Text),
			p("registered_area_m2", "登记面积 registered area (GK plane)", Number, "m²"),
			p("status", "闲置状态 idle status (/v1/vocabulary)", Text),
			p("status_zh", "闲置状态名称 idle status name", Text),
			p("since", "状态起始 since", Date),
			p("deadline", "开工期限 start deadline", Date),
			p("idle_fee_wan", "闲置费 idle fee due", Number, "万元"),
			p("low_efficiency", "低效企业 low efficiency", Boolean),
			p("reasons", "认定理由 reasons", List),
			p("as_of", "认定日期 as of", Date),
		}, areaProps),
		Filterable: []string{"zddm", "xzqdm", "status", "low_efficiency", "since", "area_m2", "geometry"},
	},
	{
		ID:    "remediation_projects",
		Title: "低效用地整治项目 Remediation projects",
		Description: "现行低效用地整治项目（腾笼换鸟），图形为其宗地之并 / current remediation projects of low-efficiency land, " +
			"drawn as the union of their parcels (a project without parcels has no geometry). Style by the status property.",
		Source: Source{Current: "collection_remediation_projects"},
		Properties: []Property{
			p("xzqdm", "行政区划代码 district code", Text),
			p("town", "责任单位（乡镇/街道）responsible town", Text),
			p("name", "项目名称 project", Text),
			p("method", "整治方式 method", Text),
			p("status", "整治状态 status (列入清单 → 制定方案 → 整治中 → 达标销号 | 关停退出)", Text),
			p("status_since", "状态日期 status since", Date),
			p("planned_mu", "计划整治面积 planned area", Number, "亩"),
			p("freed_mu", "腾出面积 freed area", Number, "亩"),
			p("planned_from", "计划起 planned from", Date),
			p("planned_to", "计划止 planned to", Date),
			p("block_renewal", "区块整体更新 renews a block", Boolean),
		},
		Filterable: []string{"xzqdm", "town", "name", "method", "status", "status_since", "planned_mu", "geometry"},
	},
}

// Parcels (10^5–10^6) appear as polygons from z12, where a tile holds a town's worth,
// and below that, z8–z11, as one point each (on the surface) carrying the idle status, so
// idle land shows at city and district scale (issue 16); districts and lines are few and
// shown from z5.
var tileLayers = []*TileLayer{
	{ID: "districts", Collection: "districts", MinZoom: 5, MaxZoom: 22,
		Fields: map[string]string{"xzqdm": "String", "name": "String"}},
	{ID: "block_lines", Collection: "block_lines", MinZoom: 5, MaxZoom: 22, Versioned: true,
		Fields: map[string]string{"code": "String", "name": "String", "xzqdm": "String", "level": "Number", "version": "Number", "area_mu": "Number"}},
	{ID: "parcels", Collection: "parcels", MinZoom: 12, MaxZoom: 22, Versioned: true, IdleStatus: true,
		Fields: map[string]string{"zddm": "String", "xzqdm": "String", "holder_name": "String", "landuse_code": "String",
			"project_name": "String", "area_mu": "Number", "is_standard_land": "Boolean",
			"status": "String", "status_zh": "String", "low_efficiency": "Boolean"}},
	{ID: "parcel_points", Collection: "parcels", MinZoom: 8, MaxZoom: 11, Versioned: true, IdleStatus: true, Labels: true,
		Fields: map[string]string{"zddm": "String", "xzqdm": "String", "area_mu": "Number", "is_standard_land": "Boolean",
			"status": "String", "low_efficiency": "Boolean"}},
	// The same parcels at the same zooms, counted per cell (issue 18.2): a city's
	// tile in a few thousand features where its points are 10^4–10^5.
	{ID: "parcel_cells", Collection: "parcels", MinZoom: 8, MaxZoom: 11, Versioned: true, IdleStatus: true, Cells: true,
		Fields: map[string]string{"xzqdm": "String", "is_standard_land": "Boolean", "status": "String", "low_efficiency": "Boolean",
			"n": "Number", "area_mu": "Number"}},
	// Remediation projects (issue 15 item 7), from district scale: few, coloured by status.
	{ID: "remediation_projects", Collection: "remediation_projects", MinZoom: 8, MaxZoom: 22,
		Fields: map[string]string{"name": "String", "xzqdm": "String", "town": "String", "method": "String",
			"status": "String", "planned_mu": "Number"}},
	{ID: "districts_labels", Collection: "districts", MinZoom: 5, MaxZoom: 22, Labels: true,
		Fields: map[string]string{"xzqdm": "String", "name": "String"}},
	{ID: "block_lines_labels", Collection: "block_lines", MinZoom: 10, MaxZoom: 22, Versioned: true, Labels: true,
		Fields: map[string]string{"code": "String", "name": "String", "level": "Number"}},
	{ID: "parcels_labels", Collection: "parcels", MinZoom: 14, MaxZoom: 22, Versioned: true, Labels: true,
		Fields: map[string]string{"zddm": "String", "holder_name": "String", "area_mu": "Number"}},
}

// TileLayersOf lists the tile layers that read a collection, in drawing order.
func TileLayersOf(collection string) []*TileLayer {
	var out []*TileLayer
	for _, l := range tileLayers {
		if l.Collection == collection {
			out = append(out, l)
		}
	}
	return out
}

var byID map[string]*Collection

// identifier is what a source or column name may be: the SQL built from them is
// never quoted.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func init() {
	var err error
	if byID, err = index(collections, tileLayers); err != nil {
		panic("catalog: " + err.Error())
	}
}

// index checks a catalogue against the rules the SQL builders rely on and maps its
// collections by id.
func index(cs []*Collection, ls []*TileLayer) (map[string]*Collection, error) {
	byID := map[string]*Collection{}
	for _, c := range cs {
		if byID[c.ID] != nil {
			return nil, fmt.Errorf("collection %s twice", c.ID)
		}
		byID[c.ID] = c
		s := c.Source
		if !identifier.MatchString(s.Current) {
			return nil, fmt.Errorf("%s: current source %q", c.ID, s.Current)
		}
		if c.Versioned != (s.AllVersions != "" || s.AsOf != "") {
			return nil, fmt.Errorf("%s: a versioned collection needs an all-versions or as-of source, and only it", c.ID)
		}
		if s.OnDate != "" && (s.AllVersions == "" || s.AsOf != "") {
			return nil, fmt.Errorf("%s: an on-date source stands beside an all-versions source, and not beside as-of", c.ID)
		}
		if s.AsOfCount != "" && s.AsOf == "" {
			return nil, fmt.Errorf("%s: an as-of count stands beside an as-of source", c.ID)
		}
		for _, name := range []string{s.AllVersions, s.AsOf, s.AsOfCount, s.OnDate} {
			if name != "" && !identifier.MatchString(name) {
				return nil, fmt.Errorf("%s: source %q", c.ID, name)
			}
		}
		known := map[string]Property{}
		for _, pr := range c.Properties {
			if _, twice := known[pr.Name]; twice || !identifier.MatchString(pr.Name) {
				return nil, fmt.Errorf("%s: property %q", c.ID, pr.Name)
			}
			known[pr.Name] = pr
		}
		c.Queryables = nil
		seen := map[string]bool{}
		for _, name := range c.Filterable {
			pr, ok := known[name]
			typ, filterable := cqlTypes[pr.Type]
			switch {
			case seen[name]:
				return nil, fmt.Errorf("%s: queryable %q twice", c.ID, name)
			case name == geometryQueryable.Name:
				c.Queryables = append(c.Queryables, geometryQueryable)
			case !ok || !filterable:
				return nil, fmt.Errorf("%s: queryable %q is no property that can be filtered", c.ID, name)
			default:
				// The source has a column of the property's name (Source).
				c.Queryables = append(c.Queryables, Queryable{Name: name, Title: pr.Title, Type: typ, Column: name})
			}
			seen[name] = true
		}
	}
	for _, l := range ls {
		c, ok := byID[l.Collection]
		if !ok {
			return nil, fmt.Errorf("tile layer %s reads unknown collection %s", l.ID, l.Collection)
		}
		if l.Versioned && c.Source.AllVersions == "" {
			return nil, fmt.Errorf("tile layer %s: %s has no versions", l.ID, c.ID)
		}
	}
	return byID, nil
}

// Collections lists the served collections in a stable order.
func Collections() []*Collection { return collections }

// ByID finds a collection.
func ByID(id string) (*Collection, bool) {
	c, ok := byID[id]
	return c, ok
}

// Queryable finds a filterable property by name.
func (c *Collection) Queryable(name string) (Queryable, bool) {
	for _, qq := range c.Queryables {
		if qq.Name == name {
			return qq, true
		}
	}
	return Queryable{}, false
}

// TileLayers lists the tile layers in drawing order.
func TileLayers() []*TileLayer { return tileLayers }

// TileLayerByID finds a tile layer.
func TileLayerByID(id string) (*TileLayer, bool) {
	for _, l := range tileLayers {
		if l.ID == id {
			return l, true
		}
	}
	return nil, false
}
