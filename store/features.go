package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/geo"
)

// Collection is a feature layer served over OGC API – Features. Its SQL is fixed at
// start-up from the definitions below; requests only bind parameters.
type Collection struct {
	ID          string
	Title       string
	Description string
	// Versioned collections keep history (valid_from/valid_to).
	Versioned bool

	table  string // current rows
	idExpr string // integer feature id, also the paging key
	props  string // json_build_object(...) over alias t

	allView   string // current and closed versions (versioned collections)
	itemSQL   string
	extentSQL string
}

// areaProps are the computed ellipsoidal areas (CGCS2000 ellipsoid, ST_Area on
// geography), in m², 亩 and 公顷.
const areaProps = `'area_m2', round(t.area_m2::numeric, 2),
  'area_mu', round((t.area_m2 * 3 / 2000)::numeric, 4),
  'area_ha', round((t.area_m2 / 10000)::numeric, 4)`

var collections = []*Collection{
	{
		ID:          "districts",
		Title:       "行政区 Districts",
		Description: "县级行政区及区块线基数 / county-level districts with their block-line baseline. Areas are ellipsoidal (CGCS2000).",
		table:       "districts",
		idExpr:      "t.xzqdm::int8",
		props: `json_build_object('xzqdm', t.xzqdm, 'name', t.name,
  'baseline_area_m2', round(t.baseline_area_m2::numeric, 2),
  'baseline_area_mu', round((t.baseline_area_m2 * 3 / 2000)::numeric, 4),
  'baseline_doc', t.baseline_doc, 'baseline_date', t.baseline_date,
  'rule_start', t.rule_start, 'rule_end', t.rule_end, 'comp_ratio', t.comp_ratio,
  'synthetic', t.synthetic, ` + areaProps + `)`,
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
  'valid_from', t.valid_from, 'version', t.version, ` + areaProps + `)`,
	},
	{
		ID:          "parcels",
		Title:       "宗地 Industrial parcels",
		Description: "现行工业宗地 / current industrial land parcels with supply contract facts. Areas are ellipsoidal (CGCS2000); registered_area_m2 is the legal (GK-plane) area.",
		Versioned:   true,
		table:       "parcels",
		idExpr:      "t.id",
		props: `json_build_object('zddm', t.zddm, 'bdcdyh', t.bdcdyh, 'cert_no', t.cert_no,
  'xzqdm', t.xzqdm, 'location', t.location, 'project_name', t.project_name,
  'holder_name', t.holder_name, 'holder_uscc', t.holder_uscc,
  'landuse_code', t.landuse_code, 'landuse_system', t.landuse_system, 'industry_code', t.industry_code,
  'registered_area_m2', t.registered_area_m2,
  'supply_method', t.supply_method, 'supervision_no', t.supervision_no,
  'contract_no', t.contract_no, 'contract_date', t.contract_date, 'price_wan', t.price_wan,
  'term_years', t.term_years, 'is_standard_land', t.is_standard_land,
  'agreed_delivery', t.agreed_delivery, 'agreed_start', t.agreed_start,
  'agreed_completion', t.agreed_completion, 'agreed_rampup_review', t.agreed_rampup_review,
  'far_min', t.far_min, 'far_max', t.far_max, 'coverage_min', t.coverage_min,
  'invest_intensity_wan_per_mu', t.invest_intensity_wan_per_mu, 'tax_per_mu_wan', t.tax_per_mu_wan,
  'va_per_mu_wan', t.va_per_mu_wan, 'valid_from', t.valid_from, 'version', t.version, ` + areaProps + `)`,
	},
}

var byID = map[string]*Collection{}

// The feature is assembled as text by PostGIS: Go streams it without decoding.
// options=0 keeps ST_AsGeoJSON from adding a "crs" member (our SRID is not 4326).
const featureSelect = `SELECT (%[1]s)::int8, '{"type":"Feature","id":' || %[1]s || ',"geometry":' ||
  ST_AsGeoJSON(t.geom, 9, 0) || ',"properties":' || (%[2]s)::text || '}'
FROM %[3]s t`

// Filter fragments; %s are placeholders ($n) allocated by the builder, never values.
const (
	// && lets the GIST index prune before the exact test.
	bboxFilter = `t.geom && ST_MakeEnvelope(%[1]s, %[2]s, %[3]s, %[4]s, 4490)
  AND ST_Intersects(t.geom, ST_MakeEnvelope(%[1]s, %[2]s, %[3]s, %[4]s, 4490))`
	// A version is valid on [valid_from, valid_to): the lines as of a legal date.
	asOfFilter = `t.valid_from <= %[1]s AND (t.valid_to IS NULL OR t.valid_to > %[1]s)`
)

func init() {
	for _, c := range collections {
		c.itemSQL = fmt.Sprintf(featureSelect, c.idExpr, c.props, c.table) + fmt.Sprintf("\nWHERE %s = $1", c.idExpr)
		validFrom := "NULL::date"
		if c.Versioned {
			validFrom = "min(t.valid_from)"
			c.allView = c.table + "_all"
		}
		c.extentSQL = fmt.Sprintf(`SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n, vf
FROM (SELECT ST_Extent(t.geom) AS e, count(*) AS n, %s AS vf FROM %s t) s`, validFrom, c.table)
		byID[c.ID] = c
	}
}

// sqlArgs allocates numbered placeholders for bind values.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// where builds the filter of a query and its arguments; the SQL text depends only on
// which filters are present, so prepared statements are reused.
func (c *Collection) where(q ItemsQuery, args *sqlArgs) (from string, conds []string) {
	from = c.table
	if q.AsOf != nil && c.Versioned {
		from = c.allView
		conds = append(conds, fmt.Sprintf(asOfFilter, args.add(*q.AsOf)))
	}
	if bb := q.BBox; bb != nil {
		conds = append(conds, fmt.Sprintf(bboxFilter, args.add(bb.MinX), args.add(bb.MinY), args.add(bb.MaxX), args.add(bb.MaxY)))
	}
	return from, conds
}

// Collections lists the served collections in a stable order.
func Collections() []*Collection { return collections }

// CollectionByID finds a collection.
func CollectionByID(id string) (*Collection, bool) {
	c, ok := byID[id]
	return c, ok
}

// Extent is a collection's spatial and temporal extent and size.
type Extent struct {
	BBox      *geo.BBox
	Count     int64
	ValidFrom *time.Time
}

// Extent computes the collection's current extent.
func (c *Collection) Extent(ctx context.Context, pool *pgxpool.Pool) (Extent, error) {
	var minx, miny, maxx, maxy *float64
	var ext Extent
	err := pool.QueryRow(ctx, c.extentSQL).Scan(&minx, &miny, &maxx, &maxy, &ext.Count, &ext.ValidFrom)
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
	BBox   *geo.BBox // lon/lat
	Limit  int
	Offset int
	After  int64 // keyset cursor: features with id > After
	// AsOf selects the versions valid on that legal date (versioned collections).
	AsOf *time.Time
}

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

// Items streams one page of features to sink. The count and the page go to the server
// in one round trip; the page asks for Limit+1 rows to learn whether a next page exists.
func (c *Collection) Items(ctx context.Context, pool *pgxpool.Pool, q ItemsQuery, sink FeatureSink) (Page, error) {
	var page Page
	after := q.After
	if after == 0 {
		after = -1 << 62
	}
	var cargs, fargs sqlArgs
	from, conds := c.where(q, &cargs)
	countSQL := "SELECT count(*) FROM " + from + " t"
	if len(conds) > 0 {
		countSQL += "\nWHERE " + strings.Join(conds, "\n  AND ")
	}
	_, fconds := c.where(q, &fargs)
	fconds = append([]string{c.idExpr + " > " + fargs.add(after)}, fconds...)
	featuresSQL := fmt.Sprintf(featureSelect, c.idExpr, c.props, from) +
		"\nWHERE " + strings.Join(fconds, "\n  AND ") +
		"\nORDER BY " + c.idExpr + "\nLIMIT " + fargs.add(q.Limit+1) + " OFFSET " + fargs.add(q.Offset)
	b := &pgx.Batch{}
	b.Queue(countSQL, cargs...)
	b.Queue(featuresSQL, fargs...)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return page, err
	}
	defer conn.Release()
	br := conn.SendBatch(ctx, b)
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

// Item returns one finished GeoJSON Feature.
func (c *Collection) Item(ctx context.Context, pool *pgxpool.Pool, id int64) ([]byte, error) {
	var fid int64
	var feature []byte
	err := pool.QueryRow(ctx, c.itemSQL, id).Scan(&fid, &feature)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return feature, err
}

// rawInt64 reads an int8 column in pgx's binary result format.
func rawInt64(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("feature id: unexpected %d-byte value", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
