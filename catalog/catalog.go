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
	// Queryables are the properties clients may filter and sort by, in order.
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
	// within geometry DEFAULT NULL) of the features as of d, which the collection reads
	// for every request; ids and within only narrow the work (rows whose id is in ids,
	// or whose box meets within).
	AsOf string
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
}

func q(name, title string, typ cql2.Type) Queryable {
	col := name
	if typ == cql2.Geometry {
		col = "geom"
	}
	return Queryable{Name: name, Title: title, Type: typ, Column: col}
}

var collections = []*Collection{
	{
		ID:          "districts",
		Title:       "行政区 Districts",
		Description: "县级行政区及区块线基数与规则设置，按版本 / county-level districts with their block-line baseline and rule settings, versioned (datetime= gives the version in force). Areas are ellipsoidal (CGCS2000).",
		Versioned:   true,
		Source:      Source{Current: "collection_districts", AllVersions: "collection_districts_all"},
		Queryables: []Queryable{
			q("xzqdm", "行政区划代码 district code", cql2.String),
			q("name", "名称 name", cql2.String),
			q("doc_no", "文号 document", cql2.String),
			q("valid_from", "生效日期 valid from", cql2.Date),
			q("version", "版本 version", cql2.Integer),
			q("area_m2", "面积 area (m²)", cql2.Number),
			q("geometry", "几何 geometry", cql2.Geometry),
		},
	},
	{
		ID:          "block_lines",
		Title:       "工业区块线 Industrial block lines",
		Description: "现行工业区块线（一级/二级）/ current industrial block lines, level 1 and 2. Areas are ellipsoidal (CGCS2000).",
		Versioned:   true,
		Source: Source{Current: "collection_block_lines", AllVersions: "collection_block_lines_all",
			KnownAt: "landreg_sys.collection_block_lines_known(%s::timestamptz)"},
		Queryables: []Queryable{
			q("code", "区块编号 code", cql2.String),
			q("name", "名称 name", cql2.String),
			q("xzqdm", "行政区划代码 district code", cql2.String),
			q("level", "级别 level (1, 2)", cql2.Integer),
			q("approval_doc", "批复文号 approval document", cql2.String),
			q("adjustment_id", "调整方案 adjustment", cql2.Integer),
			q("valid_from", "生效日期 valid from", cql2.Date),
			q("version", "版本 version", cql2.Integer),
			q("area_m2", "面积 area (m²)", cql2.Number),
			q("geometry", "几何 geometry", cql2.Geometry),
		},
	},
	{
		ID:          "parcels",
		Title:       "宗地 Industrial parcels",
		Description: "现行工业宗地 / current industrial land parcels with supply contract facts. Areas are ellipsoidal (CGCS2000); registered_area_m2 is the legal (GK-plane) area.",
		Versioned:   true,
		Source:      Source{Current: "collection_parcels", AllVersions: "collection_parcels_all"},
		Queryables: []Queryable{
			q("zddm", "宗地代码 parcel code", cql2.String),
			q("bdcdyh", "不动产单元号 unit number", cql2.String),
			q("xzqdm", "行政区划代码 district code", cql2.String),
			q("project_name", "项目名称 project", cql2.String),
			q("holder_name", "权利人 holder", cql2.String),
			q("holder_uscc", "统一社会信用代码 holder USCC", cql2.String),
			q("landuse_code", "用途代码 land-use code", cql2.String),
			q("industry_code", "行业代码 industry (GB/T 4754)", cql2.String),
			q("supply_method", "供地方式 supply method", cql2.String),
			q("is_standard_land", "标准地 standard land", cql2.Boolean),
			q("registered_area_m2", "登记面积 registered area (m²)", cql2.Number),
			q("area_m2", "椭球面积 area (m²)", cql2.Number),
			q("price_wan", "出让价款 price (万元)", cql2.Number),
			q("contract_date", "合同日期 contract date", cql2.Date),
			q("agreed_start", "约定开工 agreed start", cql2.Date),
			q("agreed_completion", "约定竣工 agreed completion", cql2.Date),
			q("valid_from", "生效日期 valid from", cql2.Date),
			q("version", "版本 version", cql2.Integer),
			q("geometry", "几何 geometry", cql2.Geometry),
		},
	},
	{
		ID:    "parcel_status",
		Title: "宗地闲置状态 Parcel idle status",
		Description: "宗地及其闲置/低效状态（默认今天，datetime= 指定日期）/ parcels with their idle status as of today " +
			"or the date given by datetime=, computed by landreg_sys.idle_core (docs/idle.md). Style by the status property.",
		Versioned: true,
		// The extent and count are the current parcels'; the features are the parcel
		// versions valid on the date, with their status as of it.
		Source: Source{Current: "collection_parcels", AsOf: "collection_parcel_status"},
		Queryables: []Queryable{
			q("zddm", "宗地代码 parcel code", cql2.String),
			q("xzqdm", "行政区划代码 district code", cql2.String),
			q("status", "闲置状态 idle status", cql2.String),
			q("low_efficiency", "低效企业 low efficiency", cql2.Boolean),
			q("since", "状态起始 since", cql2.Date),
			q("area_m2", "面积 area (m²)", cql2.Number),
			q("geometry", "几何 geometry", cql2.Geometry),
		},
	},
}

// Parcels (10^5–10^6) appear from z12, where a tile holds a town's worth; districts and
// lines are few and shown from z5.
var tileLayers = []*TileLayer{
	{ID: "districts", Collection: "districts", MinZoom: 5, MaxZoom: 22,
		Fields: map[string]string{"xzqdm": "String", "name": "String"}},
	{ID: "block_lines", Collection: "block_lines", MinZoom: 5, MaxZoom: 22, Versioned: true,
		Fields: map[string]string{"code": "String", "name": "String", "xzqdm": "String", "level": "Number", "version": "Number", "area_mu": "Number"}},
	{ID: "parcels", Collection: "parcels", MinZoom: 12, MaxZoom: 22, Versioned: true, IdleStatus: true,
		Fields: map[string]string{"zddm": "String", "xzqdm": "String", "holder_name": "String", "landuse_code": "String",
			"project_name": "String", "area_mu": "Number", "status": "String", "status_zh": "String", "low_efficiency": "Boolean"}},
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
		for _, name := range []string{s.AllVersions, s.AsOf} {
			if name != "" && !identifier.MatchString(name) {
				return nil, fmt.Errorf("%s: source %q", c.ID, name)
			}
		}
		seen := map[string]bool{}
		for _, qq := range c.Queryables {
			if seen[qq.Name] || !identifier.MatchString(qq.Column) {
				return nil, fmt.Errorf("%s: queryable %q (column %q)", c.ID, qq.Name, qq.Column)
			}
			seen[qq.Name] = true
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
