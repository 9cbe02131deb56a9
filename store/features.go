package store

import (
	"github.com/landreg/landreg"

	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/geo"
)

// Collection is a feature layer served over OGC API – Features. Its SQL is fixed at
// start-up from the definitions below; requests only choose among fixed fragments and
// bind parameters.
type Collection struct {
	ID          string
	Title       string
	Description string
	// Versioned collections keep history (valid_from/valid_to) and accept datetime.
	Versioned bool
	// Queryables are the properties clients may filter and sort by, in order.
	Queryables []Queryable

	table    string // current rows
	idExpr   string // integer feature id, also the paging key
	props    string // json_build_object(...) over alias t
	propsAll string // when set, replaces props over the all-versions view
	allView  string // current and closed versions (versioned collections)
	// statusLayer: parcels joined with their idle status as of the requested date.
	statusLayer bool
	queries     map[string]cql2.Queryable
	extentSQL   string
}

// Queryable is a property clients may filter by (OGC API – Features Part 3).
type Queryable struct {
	Name  string
	Title string
	SQL   string
	Type  cql2.Type
}

// areaProps are the computed ellipsoidal areas (CGCS2000 ellipsoid, ST_Area on
// geography), in m², 亩 and 公顷.
const areaProps = `'area_m2', round(t.area_m2::numeric, 2),
  'area_mu', round(landreg_sys.m2_to_mu(t.area_m2)::numeric, 4),
  'area_ha', round(landreg_sys.m2_to_ha(t.area_m2)::numeric, 4)`

func q(name, title, sql string, typ cql2.Type) Queryable {
	return Queryable{Name: name, Title: title, SQL: sql, Type: typ}
}

var collections = []*Collection{
	{
		ID:          "districts",
		Title:       "行政区 Districts",
		Description: "县级行政区及区块线基数与规则设置，按版本 / county-level districts with their block-line baseline and rule settings, versioned (datetime= gives the version in force). Areas are ellipsoidal (CGCS2000).",
		Versioned:   true,
		table:       "districts",
		idExpr:      "t.xzqdm::int8",
		props: `json_build_object('xzqdm', t.xzqdm, 'name', t.name,
  'baseline_area_m2', round(t.baseline_area_m2::numeric, 2),
  'baseline_area_mu', round(landreg_sys.m2_to_mu(t.baseline_area_m2)::numeric, 4),
  'baseline_doc', t.baseline_doc, 'baseline_date', t.baseline_date,
  'rule_start', t.rule_start, 'rule_end', t.rule_end, 'comp_ratio', t.comp_ratio,
  'level_for_level', t.level_for_level, 'minor_edit_m2', t.minor_edit_m2, 'include_logistics', t.include_logistics,
  'gk_srid', t.gk_srid, 'doc_no', t.doc_no, 'valid_from', t.valid_from, 'valid_to', t.valid_to, 'version', t.version,
  'synthetic', t.synthetic, ` + areaProps + `)`,
		Queryables: []Queryable{
			q("xzqdm", "行政区划代码 district code", "t.xzqdm", cql2.String),
			q("name", "名称 name", "t.name", cql2.String),
			q("doc_no", "文号 document", "t.doc_no", cql2.String),
			q("valid_from", "生效日期 valid from", "t.valid_from", cql2.Date),
			q("version", "版本 version", "t.version", cql2.Integer),
			q("area_m2", "面积 area (m²)", "t.area_m2", cql2.Number),
			q("geometry", "几何 geometry", "t.geom", cql2.Geometry),
		},
	},
	{
		ID:          "block_lines",
		Title:       "工业区块线 Industrial block lines",
		Description: "现行工业区块线（一级/二级）/ current industrial block lines, level 1 and 2. Areas are ellipsoidal (CGCS2000).",
		Versioned:   true,
		table:       "block_lines",
		idExpr:      "t.id",
		props: `json_build_object('code', t.code, 'name', t.name, 'xzqdm', t.xzqdm,
  'level', t.level, 'level_name', CASE t.level WHEN 1 THEN '一级' ELSE '二级' END,
  'approval_doc', t.approval_doc, 'adjustment_id', t.adjustment_id,
  'valid_from', t.valid_from, 'valid_to', t.valid_to, 'version', t.version, ` + areaProps + `)`,
		Queryables: []Queryable{
			q("code", "区块编号 code", "t.code", cql2.String),
			q("name", "名称 name", "t.name", cql2.String),
			q("xzqdm", "行政区划代码 district code", "t.xzqdm", cql2.String),
			q("level", "级别 level (1, 2)", "t.level", cql2.Integer),
			q("approval_doc", "批复文号 approval document", "t.approval_doc", cql2.String),
			q("adjustment_id", "调整方案 adjustment", "t.adjustment_id", cql2.Integer),
			q("valid_from", "生效日期 valid from", "t.valid_from", cql2.Date),
			q("version", "版本 version", "t.version", cql2.Integer),
			q("area_m2", "面积 area (m²)", "t.area_m2", cql2.Number),
			q("geometry", "几何 geometry", "t.geom", cql2.Geometry),
		},
	},
	{
		ID:          "parcels",
		Title:       "宗地 Industrial parcels",
		Description: "现行工业宗地 / current industrial land parcels with supply contract facts. Areas are ellipsoidal (CGCS2000); registered_area_m2 is the legal (GK-plane) area.",
		Versioned:   true,
		table:       "parcels",
		idExpr:      "t.id",
		// Built once per version by a trigger (migration 00005); versions from history
		// get their valid_to filled in.
		props:    "t.props_json",
		propsAll: `jsonb_set(t.props_json::jsonb, '{valid_to}', coalesce(to_jsonb(t.valid_to), 'null'::jsonb))::text`,
		Queryables: []Queryable{
			q("zddm", "宗地代码 parcel code", "t.zddm", cql2.String),
			q("bdcdyh", "不动产单元号 unit number", "t.bdcdyh", cql2.String),
			q("xzqdm", "行政区划代码 district code", "t.xzqdm", cql2.String),
			q("project_name", "项目名称 project", "t.project_name", cql2.String),
			q("holder_name", "权利人 holder", "t.holder_name", cql2.String),
			q("holder_uscc", "统一社会信用代码 holder USCC", "t.holder_uscc", cql2.String),
			q("landuse_code", "用途代码 land-use code", "t.landuse_code", cql2.String),
			q("industry_code", "行业代码 industry (GB/T 4754)", "t.industry_code", cql2.String),
			q("supply_method", "供地方式 supply method", "t.supply_method", cql2.String),
			q("is_standard_land", "标准地 standard land", "t.is_standard_land", cql2.Boolean),
			q("registered_area_m2", "登记面积 registered area (m²)", "t.registered_area_m2", cql2.Number),
			q("area_m2", "椭球面积 area (m²)", "t.area_m2", cql2.Number),
			q("price_wan", "出让价款 price (万元)", "t.price_wan", cql2.Number),
			q("contract_date", "合同日期 contract date", "t.contract_date", cql2.Date),
			q("agreed_start", "约定开工 agreed start", "t.agreed_start", cql2.Date),
			q("agreed_completion", "约定竣工 agreed completion", "t.agreed_completion", cql2.Date),
			q("valid_from", "生效日期 valid from", "t.valid_from", cql2.Date),
			q("version", "版本 version", "t.version", cql2.Integer),
			q("geometry", "几何 geometry", "t.geom", cql2.Geometry),
		},
	},
	{
		ID:    "parcel_status",
		Title: "宗地闲置状态 Parcel idle status",
		Description: "宗地及其闲置/低效状态（默认今天，datetime= 指定日期）/ parcels with their idle status as of today " +
			"or the date given by datetime=, computed by landreg_sys.idle_core (docs/idle.md). Style by the status property.",
		Versioned:   true,
		statusLayer: true,
		table:       "parcels",
		idExpr:      "t.id",
		props: `json_build_object('zddm', t.zddm, 'xzqdm', t.xzqdm, 'holder_name', t.holder_name,
  'landuse_code', t.landuse_code, 'project_name', t.project_name,
  'registered_area_m2', t.registered_area_m2, 'status', t.status, 'status_zh', t.status_zh,
  'since', t.since, 'deadline', t.deadline, 'idle_fee_wan', t.idle_fee_wan, 'low_efficiency', t.low_efficiency,
  'reasons', t.reasons, 'as_of', t.as_of, ` + areaProps + `)`,
		Queryables: []Queryable{
			q("zddm", "宗地代码 parcel code", "t.zddm", cql2.String),
			q("xzqdm", "行政区划代码 district code", "t.xzqdm", cql2.String),
			q("status", "闲置状态 idle status", "t.status", cql2.String),
			q("low_efficiency", "低效企业 low efficiency", "t.low_efficiency", cql2.Boolean),
			q("since", "状态起始 since", "t.since", cql2.Date),
			q("area_m2", "面积 area (m²)", "t.area_m2", cql2.Number),
			q("geometry", "几何 geometry", "t.geom", cql2.Geometry),
		},
	},
}

var byID = map[string]*Collection{}

func init() {
	for _, c := range collections {
		validFrom := "NULL::date"
		if c.Versioned {
			validFrom = "min(t.valid_from)"
			c.allView = c.table + "_all"
		}
		c.extentSQL = fmt.Sprintf(`SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n, vf
FROM (SELECT ST_Extent(t.geom) AS e, count(*) AS n, %s AS vf FROM %s t) s`, validFrom, c.table)
		c.queries = map[string]cql2.Queryable{}
		for _, qq := range c.Queryables {
			c.queries[qq.Name] = cql2.Queryable{SQL: qq.SQL, Type: qq.Type}
		}
		byID[c.ID] = c
	}
}

// Collections lists the served collections in a stable order.
func Collections() []*Collection { return collections }

// CollectionByID finds a collection.
func CollectionByID(id string) (*Collection, bool) {
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

// Extent is a collection's spatial and temporal extent and size.
type Extent struct {
	BBox      *geo.BBox
	Count     int64
	ValidFrom *time.Time
}

// Extent computes the collection's current extent.
func (c *Collection) Extent(ctx context.Context, db DB) (Extent, error) {
	var minx, miny, maxx, maxy *float64
	var ext Extent
	err := db.QueryRow(ctx, c.extentSQL).Scan(&minx, &miny, &maxx, &maxy, &ext.Count, &ext.ValidFrom)
	if err != nil {
		return ext, err
	}
	if minx != nil {
		ext.BBox = &geo.BBox{MinX: *minx, MinY: *miny, MaxX: *maxx, MaxY: *maxy}
	}
	return ext, nil
}

// ItemsQuery selects a page of features.
type ItemsQuery struct {
	// BBox is in BBoxSRID with easting/longitude first (the API has already put the
	// axes in that order); zero SRID means storage lon/lat.
	BBox     *geo.BBox
	BBoxSRID int
	Limit    int
	Offset   int
	After    int64 // keyset cursor: features with id > After
	// AsOf selects the versions valid on that legal date (versioned collections).
	AsOf *time.Time
	// From/To select every version valid at some time in [From, To] (either may be open).
	Interval bool
	From, To *time.Time
	Equals   []Equal
	Filter   cql2.Expr
	SortBy   []SortKey
	CRS      geo.CRS // output CRS; zero value = CRS84
}

// Equal is a simple property filter (?name=value), value already typed.
type Equal struct {
	Name  string
	Value any
}

// SortKey orders by a queryable.
type SortKey struct {
	Name string
	Desc bool
}

// Keyset reports whether the page is cut by id (cheap at any depth) rather than offset.
func (q ItemsQuery) Keyset() bool { return !q.Interval && len(q.SortBy) == 0 && q.Offset == 0 }

// FeatureSink receives a page as it streams from the database.
type FeatureSink interface {
	// Begin is called once, before any feature, with the number of features that
	// match the query regardless of paging.
	Begin(numberMatched int64) error
	// Feature receives one finished GeoJSON Feature; the bytes are only valid during the call.
	Feature(id int64, feature []byte) error
}

// Page summarises a streamed page.
type Page struct {
	Returned int
	LastID   int64
	HasNext  bool
}

// The feature is assembled as text by PostGIS: Go streams it without decoding.
// options=0 keeps ST_AsGeoJSON from adding a "crs" member (our SRID is not 4326).
// %[1]s id expression, %[2]s geometry expression, %[3]s properties, %[4]s table.
const featureSelect = `SELECT (%[1]s)::int8, '{"type":"Feature","id":' || %[1]s || ',"geometry":' ||
  %[2]s || ',"properties":' || (%[3]s)::text || '}'
FROM %[4]s t`

// Filter fragments; %s are placeholders ($n) allocated by the builder, never values.
const (
	// && lets the GIST index prune before the exact test.
	bboxFilter = `t.geom && %[1]s AND ST_Intersects(t.geom, %[1]s)`
	envelope   = `ST_MakeEnvelope(%s, %s, %s, %s, 4490)`
	// A box in another CRS: densified before transforming so its curved edges stay close.
	envelopeFrom = `ST_Transform(ST_Segmentize(ST_MakeEnvelope(%[1]s, %[2]s, %[3]s, %[4]s, %[5]d), (%[3]s - %[1]s) / 32.0), 4490)`
	// A version is valid on [valid_from, valid_to): the lines as of a legal date.
	asOfFilter    = `t.valid_from <= %[1]s AND (t.valid_to IS NULL OR t.valid_to > %[1]s)`
	intervalStart = `(t.valid_to IS NULL OR t.valid_to > %s)`
	intervalEnd   = `t.valid_from <= %s`
)

// propsFor adapts the properties to the source: current tables have no valid_to.
func (c *Collection) propsFor(from string) string {
	if from == c.table {
		return strings.ReplaceAll(c.props, "t.valid_to", "NULL::date")
	}
	if c.propsAll != "" {
		return c.propsAll
	}
	return c.props
}

// geometryExpr renders the geometry in the output CRS, in that CRS's authority axis
// order (OGC API – Features Part 2): lat/lon for EPSG:4490 and 4326, northing/easting
// for the Gauss-Krüger zones; CRS84 and EPSG:3857 keep x first. CGCS2000 → CRS84/WGS 84
// needs no transformation (PROJ treats it as a ballpark no-op; the difference is < 1 m).
func geometryExpr(c geo.CRS) string {
	g := "t.geom"
	digits := 9
	if c.SRID != 0 && c.SRID != 4490 && c.SRID != 4326 {
		g = fmt.Sprintf("ST_Transform(t.geom, %d)", c.SRID)
		digits = 3
	}
	if c.LatFirst {
		g = "ST_FlipCoordinates(" + g + ")"
	}
	return fmt.Sprintf("ST_AsGeoJSON(%s, %d, 0)", g, digits)
}

// sqlArgs allocates numbered placeholders for bind values.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// FilterError is a client error in a filter (unknown property, bad CQL2).
type FilterError struct{ Err error }

func (e *FilterError) Error() string { return e.Err.Error() }
func (e *FilterError) Unwrap() error { return e.Err }

// where builds the table and filter of a query.
// statusFrom is the parcel_status source: the parcel versions valid at %[1]s with their
// status, classified for the parcels in the bbox only when one is given (%[2]s).
const statusFrom = `(SELECT v.*, s.category AS status, s.category_zh AS status_zh, s.since, s.deadline,
    s.idle_fee_wan, s.low_efficiency, s.reasons, %[1]s::date AS as_of
  FROM parcels_all v JOIN %[2]s s ON s.parcel_id = v.id
  WHERE v.valid_from <= %[1]s::date AND (v.valid_to IS NULL OR v.valid_to > %[1]s::date))`

func (c *Collection) where(q ItemsQuery, args *sqlArgs) (from string, conds []string, err error) {
	from = c.table
	if c.statusLayer {
		if q.Interval {
			return "", nil, &FilterError{errors.New("parcel_status takes one date, not an interval")}
		}
		d := landreg.Today().Format(time.DateOnly)
		if q.AsOf != nil {
			d = q.AsOf.Format(time.DateOnly)
		}
		dp := args.add(d)
		source := fmt.Sprintf("landreg_sys.idle_statuses(%s::date)", dp)
		if bb := q.BBox; bb != nil && (q.BBoxSRID == 0 || q.BBoxSRID == 4490 || q.BBoxSRID == 4326) {
			env := fmt.Sprintf(envelope, args.add(bb.MinX), args.add(bb.MinY), args.add(bb.MaxX), args.add(bb.MaxY))
			source = fmt.Sprintf("landreg_sys.idle_statuses_of(ARRAY(SELECT b.id FROM parcels_all b WHERE b.geom && %s), %s::date)", env, dp)
		}
		from = fmt.Sprintf(statusFrom, dp, source)
		q.AsOf, q.Interval = nil, false
	}
	if c.Versioned && (q.AsOf != nil || q.Interval) {
		from = c.allView
	}
	if q.AsOf != nil && c.Versioned {
		conds = append(conds, fmt.Sprintf(asOfFilter, args.add(*q.AsOf)))
	}
	if q.Interval && c.Versioned {
		if q.From != nil {
			conds = append(conds, fmt.Sprintf(intervalStart, args.add(*q.From)))
		}
		if q.To != nil {
			conds = append(conds, fmt.Sprintf(intervalEnd, args.add(*q.To)))
		}
	}
	if bb := q.BBox; bb != nil {
		var env string
		if q.BBoxSRID == 0 || q.BBoxSRID == 4490 || q.BBoxSRID == 4326 {
			env = fmt.Sprintf(envelope, args.add(bb.MinX), args.add(bb.MinY), args.add(bb.MaxX), args.add(bb.MaxY))
		} else {
			env = fmt.Sprintf(envelopeFrom, args.add(bb.MinX), args.add(bb.MinY), args.add(bb.MaxX), args.add(bb.MaxY), q.BBoxSRID)
		}
		conds = append(conds, fmt.Sprintf(bboxFilter, env))
	}
	for _, e := range q.Equals {
		qq, ok := c.queries[e.Name]
		if !ok {
			return "", nil, &FilterError{fmt.Errorf("unknown property %q", e.Name)}
		}
		conds = append(conds, qq.SQL+" = "+args.add(e.Value))
	}
	if q.Filter != nil {
		sql, fargs, err := cql2.Compile(q.Filter, c.queries, len(*args)+1, 4490)
		if err != nil {
			return "", nil, &FilterError{err}
		}
		*args = append(*args, fargs...)
		conds = append(conds, "("+sql+")")
	}
	return from, conds, nil
}

func (c *Collection) orderBy(q ItemsQuery) (string, error) {
	var keys []string
	for _, k := range q.SortBy {
		qq, ok := c.queries[k.Name]
		if !ok || qq.Type == cql2.Geometry {
			return "", &FilterError{fmt.Errorf("cannot sort by %q", k.Name)}
		}
		dir := " ASC NULLS LAST"
		if k.Desc {
			dir = " DESC NULLS LAST"
		}
		keys = append(keys, qq.SQL+dir)
	}
	// The id (and version, for intervals) last keeps the order stable across pages.
	keys = append(keys, c.idExpr)
	if q.Interval && c.Versioned {
		keys = append(keys, "t.version")
	}
	return strings.Join(keys, ", "), nil
}

// ItemsSQL is the SQL of a page: the count of matching features and the page itself
// (Limit+1 rows, to learn whether a next page exists). Exported for benchmarks that run
// the same statements against the database alone.
func (c *Collection) ItemsSQL(q ItemsQuery) (countSQL string, cargs []any, featuresSQL string, fargs []any, err error) {
	var args sqlArgs
	from, conds, err := c.where(q, &args)
	if err != nil {
		return "", nil, "", nil, err
	}
	order, err := c.orderBy(q)
	if err != nil {
		return "", nil, "", nil, err
	}
	countSQL = "SELECT count(*) FROM " + from + " t"
	if len(conds) > 0 {
		countSQL += "\nWHERE " + strings.Join(conds, "\n  AND ")
	}
	cargs = append([]any(nil), args...)
	if q.Keyset() && q.After > 0 {
		conds = append(conds, c.idExpr+" > "+args.add(q.After))
	}
	featuresSQL = fmt.Sprintf(featureSelect, c.idExpr, geometryExpr(q.CRS), c.propsFor(from), from)
	if len(conds) > 0 {
		featuresSQL += "\nWHERE " + strings.Join(conds, "\n  AND ")
	}
	featuresSQL += "\nORDER BY " + order + "\nLIMIT " + args.add(q.Limit+1) + " OFFSET " + args.add(q.Offset)
	return countSQL, cargs, featuresSQL, args, nil
}

// Items streams one page of features to sink. The count and the page go to the server
// in one round trip.
func (c *Collection) Items(ctx context.Context, db DB, q ItemsQuery, sink FeatureSink) (Page, error) {
	var page Page
	countSQL, cargs, featuresSQL, args, err := c.ItemsSQL(q)
	if err != nil {
		return page, err
	}
	b := &pgx.Batch{}
	b.Queue(countSQL, cargs...)
	b.Queue(featuresSQL, args...)
	br := db.SendBatch(ctx, b)
	defer br.Close()
	var matched int64
	if err := br.QueryRow().Scan(&matched); err != nil {
		return page, err
	}
	if err := sink.Begin(matched); err != nil {
		return page, err
	}
	rows, err := br.Query()
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		if page.Returned == q.Limit {
			page.HasNext = true
			break
		}
		raw := rows.RawValues()
		id, err := rawInt64(raw[0])
		if err != nil {
			return page, err
		}
		if err := sink.Feature(id, raw[1]); err != nil {
			return page, err
		}
		page.Returned++
		page.LastID = id
	}
	rows.Close()
	return page, rows.Err()
}

// ErrNotFound means no row has the requested key.
var ErrNotFound = errors.New("not found")

// Item returns one finished GeoJSON Feature in the output CRS, and its version (for
// ETags; 0 for collections without versions).
func (c *Collection) Item(ctx context.Context, db DB, id int64, crs geo.CRS) ([]byte, int, error) {
	version := "0"
	if c.Versioned {
		version = "t.version"
	}
	args := sqlArgs{id}
	from := c.table
	if c.statusLayer {
		var err error
		if from, _, err = c.where(ItemsQuery{}, &args); err != nil {
			return nil, 0, err
		}
	}
	sql := fmt.Sprintf(featureSelect, c.idExpr, geometryExpr(crs), c.propsFor(from), from)
	sql = strings.Replace(sql, "SELECT (", "SELECT "+version+", (", 1) + "\nWHERE " + c.idExpr + " = $1"
	var fid int64
	var v int
	var feature []byte
	err := db.QueryRow(ctx, sql, args...).Scan(&v, &fid, &feature)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	return feature, v, err
}

// rawInt64 reads an int8 column in pgx's binary result format.
func rawInt64(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("feature id: unexpected %d-byte value", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
