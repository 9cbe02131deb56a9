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

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/geo"
)

// Collection executes queries for a collection of the catalogue (package catalog):
// every statement reads the collection's sources, the views and function the database
// owns (schema/views/collection_*.sql, schema/functions/collection_parcel_status.sql),
// through their fixed columns (t.id, t.version, t.valid_from, t.valid_to, t.geom,
// t.props and one column per queryable). Requests only choose among fixed fragments
// and bind parameters.
type Collection struct {
	*catalog.Collection

	queries   map[string]cql2.Queryable
	extentSQL string
}

var (
	collections []*Collection
	byID        = map[string]*Collection{}
)

func init() {
	for _, cc := range catalog.Collections() {
		c := &Collection{Collection: cc, queries: map[string]cql2.Queryable{}}
		c.extentSQL = `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n, vf
FROM (SELECT ST_Extent(t.geom) AS e, count(*) AS n, min(t.valid_from) AS vf FROM ` + cc.Source.Current + ` t) s`
		for _, qq := range cc.Queryables {
			c.queries[qq.Name] = cql2.Queryable{SQL: "t." + qq.Column, Type: qq.Type}
		}
		collections = append(collections, c)
		byID[c.ID] = c
	}
}

// Collections lists the served collections in the catalogue's order.
func Collections() []*Collection { return collections }

// CollectionByID finds a collection.
func CollectionByID(id string) (*Collection, bool) {
	c, ok := byID[id]
	return c, ok
}

// KnowsHistory reports whether the collection answers as known at a past system time
// (ItemsQuery.KnownAt).
func (c *Collection) KnowsHistory() bool { return c.Source.KnownAt != "" }

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
	// KnownAt answers as the register stood at that system time (collections that
	// KnowsHistory): the versions recorded by then, a version closed later shown as the
	// open one it then was; without AsOf or an interval, the lines current then.
	KnownAt *time.Time
	// From/To select every version valid at some time in [From, To] (either may be open).
	Interval bool
	From, To *time.Time
	Equals   []Equal
	Filter   cql2.Expr
	SortBy   []SortKey
	CRS      geo.CRS // output CRS; zero value = CRS84
	// Properties, when not nil, are the only properties served (besides the id, which
	// always leads): OGC API – Features Part 6 properties=. The api checks the names.
	Properties []string
	// SkipGeometry serves every feature with a null geometry (skipGeometry=true).
	SkipGeometry bool
	// Matched, when not nil, is the number of matching features counted on the first
	// page of this paging run: the page is served without counting again.
	Matched *int64
	// JSONFG serves OGC Features and Geometries JSON (JSON-FG): geometry in CRS84, the
	// geometry in CRS as place (null for CRS84), and the version's validity as time.
	JSONFG bool
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
	// Matched is the number of features matching the query (counted, or carried).
	Matched  int64
	Returned int
	LastID   int64
	HasNext  bool
}

// featureColumns are the feature id and the finished Feature, assembled as text by
// PostGIS from the source's columns: Go streams it without decoding. %s is the geometry
// expression (geometryExpr); options=0 keeps ST_AsGeoJSON from adding a "crs" member
// (our SRID is not 4326).
const featureColumns = `t.id, '{"type":"Feature","id":' || t.id || ',"geometry":' ||
  %s || ',"properties":' || t.props || '}'`

// jsonfgColumns are featureColumns for JSON-FG: %[1]s the geometry (CRS84), %[2]s the
// place. A version is valid on [valid_from, valid_to); JSON-FG intervals are closed,
// so the interval ends the day before valid_to, and is open ("..") for a current one.
const jsonfgColumns = `t.id, '{"type":"Feature","id":' || t.id ||
  ',"time":{"interval":["' || to_char(t.valid_from, 'YYYY-MM-DD') || '",' ||
  coalesce('"' || to_char(t.valid_to - 1, 'YYYY-MM-DD') || '"', '".."') || ']},"place":' || %[2]s ||
  ',"geometry":' || %[1]s || ',"properties":' || t.props || '}'`

func (q ItemsQuery) jsonfgGeometry() string {
	if q.SkipGeometry {
		return "'null'"
	}
	return geometryExpr(geo.CRSs[0])
}

// jsonfgPlace is the geometry in the requested CRS, in its axis order; null when the
// geometry member already holds it (CRS84).
func (q ItemsQuery) jsonfgPlace() string {
	if q.SkipGeometry || q.CRS.URI == "" || q.CRS.URI == geo.CRSs[0].URI {
		return "'null'"
	}
	return geometryExpr(q.CRS)
}

// featureColumns are featureColumns for the query's geometry and properties: without a
// choice of properties, the source's props as they are (no JSON is parsed).
func (q ItemsQuery) featureColumns(args *sqlArgs) string {
	g := "'null'"
	if !q.SkipGeometry {
		g = geometryExpr(q.CRS)
	}
	cols := fmt.Sprintf(featureColumns, g)
	if q.JSONFG {
		cols = fmt.Sprintf(jsonfgColumns, q.jsonfgGeometry(), q.jsonfgPlace())
	}
	if q.Properties != nil {
		chosen := `(SELECT json_object_agg(p.key, p.value)::text FROM json_each(t.props::json) p
    WHERE p.key = 'id' OR p.key = ANY (` + args.add(q.Properties) + `::text[]))`
		cols = strings.Replace(cols, "t.props", chosen, 1)
	}
	return cols
}

// versionedID gives each Feature the id of its version, "id.version": an interval
// returns several versions of one feature, and a collection's ids must be unique. The
// properties keep the plain id and the version; /items/{id}.{version} serves the
// version again.
func versionedID(cols string) string {
	return strings.Replace(cols, `'{"type":"Feature","id":' || t.id ||`, `'{"type":"Feature","id":"' || t.id || '.' || t.version || '"' ||`, 1)
}

// Filter fragments; %s are placeholders ($n) allocated by the builder, never values.
const (
	// && lets the GIST index prune before the exact test.
	bboxFilter = `t.geom && %[1]s AND ST_Intersects(t.geom, %[1]s)`
	envelope   = `ST_MakeEnvelope(%s, %s, %s, %s, 4490)`
	// A box in another CRS: densified before transforming so its curved edges stay close.
	envelopeFrom  = `ST_Transform(ST_Segmentize(ST_MakeEnvelope(%[1]s, %[2]s, %[3]s, %[4]s, %[5]d), (%[3]s - %[1]s) / 32.0), 4490)`
	intervalStart = `(t.valid_to IS NULL OR t.valid_to > %s)`
	intervalEnd   = `t.valid_from <= %s`
)

// validOn selects the versions valid on a legal date (%[2]s) from the source aliased
// %[1]s: a version is valid on [valid_from, valid_to).
func validOn(alias, date string) string {
	return fmt.Sprintf(`%[1]s.valid_from <= %[2]s AND (%[1]s.valid_to IS NULL OR %[1]s.valid_to > %[2]s)`, alias, date)
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

// statusDate is the date parcel_status is computed for: the query's, else today in
// Asia/Shanghai.
func statusDate(q ItemsQuery) string {
	if q.AsOf != nil {
		return q.AsOf.Format(time.DateOnly)
	}
	return landreg.Today().Format(time.DateOnly)
}

// bboxEnvelope is the query's box in the storage CRS, as SQL over new placeholders.
func bboxEnvelope(q ItemsQuery, args *sqlArgs) string {
	bb := q.BBox
	if q.BBoxSRID == 0 || q.BBoxSRID == 4490 || q.BBoxSRID == 4326 {
		return fmt.Sprintf(envelope, args.add(bb.MinX), args.add(bb.MinY), args.add(bb.MaxX), args.add(bb.MaxY))
	}
	return fmt.Sprintf(envelopeFrom, args.add(bb.MinX), args.add(bb.MinY), args.add(bb.MaxX), args.add(bb.MaxY), q.BBoxSRID)
}

// where chooses the source of a query and builds its filter.
func (c *Collection) where(q ItemsQuery, args *sqlArgs) (from string, conds []string, err error) {
	src := c.Source
	from = src.Current
	var env string
	if q.BBox != nil {
		env = bboxEnvelope(q, args)
	}
	if src.AsOf != "" {
		// The features as of one date, computed for the parcels in the box only when
		// a box is given (the bbox filter below still applies).
		if q.Interval {
			return "", nil, &FilterError{fmt.Errorf("%s takes one date, not an interval", c.ID)}
		}
		within := ""
		if env != "" {
			within = ", within => " + env
		}
		from = fmt.Sprintf("%s(%s::date%s)", src.AsOf, args.add(statusDate(q)), within)
		q.AsOf = nil
	} else if c.Versioned && q.AsOf != nil && src.OnDate != "" && q.KnownAt == nil {
		// The versions valid on the date, with what they are on it (OnDate).
		within := ""
		if env != "" {
			within = ", within => " + env
		}
		from = fmt.Sprintf("%s(%s::date%s)", src.OnDate, args.add(q.AsOf.Format(time.DateOnly)), within)
		q.AsOf = nil
	} else if c.Versioned && (q.AsOf != nil || q.Interval) {
		from = src.AllVersions
	}
	if q.KnownAt != nil {
		if src.KnownAt == "" {
			return "", nil, &FilterError{fmt.Errorf("%s does not answer as known at a past time", c.ID)}
		}
		from = fmt.Sprintf(src.KnownAt, args.add(*q.KnownAt))
		if q.AsOf == nil && !q.Interval {
			conds = append(conds, "t.valid_to IS NULL")
		}
	}
	if q.AsOf != nil && c.Versioned {
		conds = append(conds, validOn("t", args.add(*q.AsOf)))
	}
	if q.Interval && c.Versioned {
		if q.From != nil {
			conds = append(conds, fmt.Sprintf(intervalStart, args.add(*q.From)))
		}
		if q.To != nil {
			conds = append(conds, fmt.Sprintf(intervalEnd, args.add(*q.To)))
		}
	}
	if env != "" {
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
	keys = append(keys, "t.id")
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
	if src := c.Source; src.AsOfCount != "" && len(conds) == 0 && q.KnownAt == nil {
		// Every row of the day (a box or a filter would be a condition): the database's
		// own count of them (catalog.Source.AsOfCount).
		var ca sqlArgs
		countSQL, cargs = fmt.Sprintf("SELECT %s(%s::date)", src.AsOfCount, ca.add(statusDate(q))), ca
	} else {
		countSQL = "SELECT count(*) FROM " + from + " t"
		if len(conds) > 0 {
			countSQL += "\nWHERE " + strings.Join(conds, "\n  AND ")
		}
		cargs = append([]any(nil), args...)
	}
	if q.Keyset() && q.After > 0 {
		after := args.add(q.After)
		conds = append(conds, "t.id > "+after)
		if c.Source.AsOf != "" {
			// The page's bound also narrows the as-of source's own work (its joins).
			from = strings.TrimSuffix(from, ")") + ", after => " + after + ")"
		}
	}
	cols := q.featureColumns(&args)
	if q.Interval && c.Versioned {
		cols = versionedID(cols)
	}
	featuresSQL = "SELECT " + cols + "\nFROM " + from + " t"
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
	if q.Matched == nil {
		b.Queue(countSQL, cargs...)
	}
	b.Queue(featuresSQL, args...)
	br := db.SendBatch(ctx, b)
	defer br.Close()
	var matched int64
	if q.Matched != nil {
		matched = *q.Matched
	} else if err := br.QueryRow().Scan(&matched); err != nil {
		return page, err
	}
	page.Matched = matched
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
// ETags; 0 for collections without versions). With version > 0 it is that version of
// the feature, current or closed, under its version id (versionedID).
func (c *Collection) Item(ctx context.Context, db DB, id int64, version int, crs geo.CRS) ([]byte, int, error) {
	ver := "0"
	if c.Versioned {
		ver = "t.version"
	}
	args := sqlArgs{id}
	from := c.Source.Current
	cols := fmt.Sprintf(featureColumns, geometryExpr(crs))
	cond := "t.id = $1"
	switch {
	case version > 0 && c.Source.AllVersions == "":
		return nil, 0, ErrNotFound
	case version > 0:
		from, cols = c.Source.AllVersions, versionedID(cols)
		cond += " AND t.version = " + args.add(version)
	case c.Source.AsOf != "":
		// Today's version, classified alone.
		from = fmt.Sprintf("%s(%s::date, ids => ARRAY[$1::int8])", c.Source.AsOf, args.add(statusDate(ItemsQuery{})))
	}
	sql := "SELECT " + ver + ", " + cols + "\nFROM " + from + " t\nWHERE " + cond
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
