package api

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// Limits are the page sizes offered to clients. QGIS and GDAL read both from the
// OpenAPI document and size their pages by them.
type Limits struct {
	Default int
	Max     int
}

// itemsParams are the query parameters /items understands besides the queryables.
var itemsParams = map[string]bool{
	"bbox": true, "bbox-crs": true, "crs": true, "limit": true, "offset": true, "after": true, "f": true,
	"datetime": true, "filter": true, "filter-lang": true, "filter-crs": true, "sortby": true,
	// As known at a system time (collections with KnowsHistory: block_lines).
	"known_at": true,
	// Part 6: the properties to serve, and features without geometry.
	"properties": true, "skipGeometry": true,
}

// itemsFormats are the f values /items serves.
var itemsFormats = []string{"json", "geojson", "html", "csv", "jsonfg"}

// parseItemsQuery validates /items parameters for a collection. Unknown parameters are
// an error rather than ignored, so a typo never silently returns the whole layer.
func parseItemsQuery(v url.Values, lim Limits, coll *store.Collection) (store.ItemsQuery, *Problem) {
	q := store.ItemsQuery{Limit: lim.Default, CRS: geo.CRSs[0]}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if itemsParams[k] {
			continue
		}
		qq, ok := coll.Queryable(k)
		if !ok || qq.Type == cql2.Geometry {
			p := badParam(k, "未知参数 "+k, "unknown query parameter "+k)
			p.Allowed = allowedParams(coll)
			return q, p
		}
		val, p := typedValue(k, v.Get(k), qq.Type)
		if p != nil {
			return q, p
		}
		q.Equals = append(q.Equals, store.Equal{Name: k, Value: val})
	}
	if s, ok := single(v, "limit"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, badParam("limit", "limit 须为正整数", "limit must be a positive integer, got "+strconv.Quote(s))
		}
		// Part 1 lets the server cap limit; the next link keeps every feature reachable.
		q.Limit = min(n, lim.Max)
	}
	if s, ok := single(v, "offset"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, badParam("offset", "offset 须为非负整数", "offset must be a non-negative integer, got "+strconv.Quote(s))
		}
		q.Offset = n
	}
	if s, ok := single(v, "after"); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return q, badParam("after", "after 须为要素编号", "after must be a feature id, got "+strconv.Quote(s))
		}
		q.After = n
	}
	if s, ok := single(v, "crs"); ok {
		c, p := parseCRS("crs", s)
		if p != nil {
			return q, p
		}
		q.CRS = c
	}
	if s, ok := single(v, "bbox"); ok {
		bc := geo.CRSs[0]
		if bs, ok := single(v, "bbox-crs"); ok {
			c, p := parseCRS("bbox-crs", bs)
			if p != nil {
				return q, p
			}
			bc = c
		}
		b, p := parseBBox(s, bc)
		if p != nil {
			return q, p
		}
		q.BBox, q.BBoxSRID = b, bc.SRID
	} else if _, ok := single(v, "bbox-crs"); ok {
		return q, badParam("bbox-crs", "bbox-crs 需与 bbox 一起使用", "bbox-crs needs bbox")
	}
	if s, ok := single(v, "datetime"); ok {
		if !coll.Versioned {
			return q, badParam("datetime", coll.ID+" 没有历史版本", coll.ID+" keeps no versions; datetime applies to block_lines and parcels")
		}
		if p := parseDatetime(s, &q); p != nil {
			return q, p
		}
	}
	if s, ok := single(v, "known_at"); ok {
		if !coll.KnowsHistory() {
			return q, badParam("known_at", coll.ID+" 不支持 known_at", coll.ID+" does not answer as known at a past time; known_at applies to block_lines")
		}
		k, p := parseKnownAt("known_at", s)
		if p != nil {
			return q, p
		}
		q.KnownAt = &k
	}
	if s, ok := single(v, "filter"); ok {
		if lang, ok := single(v, "filter-lang"); ok && lang != "cql2-text" && lang != "cql-text" {
			p := badParam("filter-lang", "不支持的过滤语言 "+lang, "unsupported filter-lang "+strconv.Quote(lang))
			p.Allowed = []string{"cql2-text"}
			return q, p
		}
		if fc, ok := single(v, "filter-crs"); ok {
			if c, found := geo.LookupCRS(fc); !found || c.URI != geo.CRS84URI {
				p := badParam("filter-crs", "过滤条件的坐标系须为 CRS84", "filter-crs must be CRS84 (lon/lat)")
				p.Allowed = []string{geo.CRS84URI}
				return q, p
			}
		}
		e, err := cql2.Parse(s)
		if err != nil {
			return q, cqlProblem(err)
		}
		q.Filter = e
	}
	if s, ok := single(v, "sortby"); ok {
		for _, key := range strings.Split(s, ",") {
			key = strings.TrimSpace(key)
			k := store.SortKey{Name: strings.TrimLeft(key, "+- ")}
			k.Desc = strings.HasPrefix(key, "-")
			if qq, ok := coll.Queryable(k.Name); !ok || qq.Type == cql2.Geometry {
				p := badParam("sortby", "不能按 "+k.Name+" 排序", "cannot sort by "+strconv.Quote(k.Name))
				p.Allowed = sortableNames(coll)
				return q, p
			}
			q.SortBy = append(q.SortBy, k)
		}
	}
	if s, ok := single(v, "properties"); ok {
		q.Properties = []string{}
		for _, name := range strings.Split(s, ",") {
			name = strings.TrimSpace(name)
			if name == "id" {
				continue // always served
			}
			if !hasProperty(coll, name) {
				p := badParam("properties", "没有属性 "+name, "no property "+strconv.Quote(name)+" in "+coll.ID)
				for _, pr := range coll.Properties {
					p.Allowed = append(p.Allowed, pr.Name)
				}
				return q, p
			}
			q.Properties = append(q.Properties, name)
		}
	}
	if s, ok := single(v, "skipGeometry"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil || (s != "true" && s != "false") {
			return q, badParam("skipGeometry", "skipGeometry 须为 true 或 false", "skipGeometry must be true or false, got "+strconv.Quote(s))
		}
		q.SkipGeometry = b
	}
	q.JSONFG = v.Get("f") == "jsonfg"
	if s, ok := single(v, "f"); ok && !slices.Contains(itemsFormats, s) {
		p := badParam("f", "不支持的格式 "+s, "unsupported format "+strconv.Quote(s))
		p.Allowed = itemsFormats
		return q, p
	}
	return q, nil
}

func hasProperty(coll *store.Collection, name string) bool {
	for _, pr := range coll.Properties {
		if pr.Name == name {
			return true
		}
	}
	return false
}

func cqlProblem(err error) *Problem {
	var ce *cql2.Error
	msg := err.Error()
	if errors.As(err, &ce) {
		msg = ce.Error()
	}
	return badParam("filter", "CQL2 过滤条件有误", msg)
}

func parseCRS(field, s string) (geo.CRS, *Problem) {
	c, ok := geo.LookupCRS(s)
	if !ok {
		p := badParam(field, "不支持的坐标系 "+s, "unsupported CRS "+strconv.Quote(s))
		p.Allowed = geo.SupportedCRSURIs()
		return c, p
	}
	return c, nil
}

// parseDatetime reads an instant (the versions valid that day) or an interval
// "start/end" with ".." or "" for an open end (every version valid at some time in it).
func parseDatetime(s string, q *store.ItemsQuery) *Problem {
	if !strings.Contains(s, "/") {
		d, p := parseDate("datetime", s)
		if p != nil {
			return p
		}
		q.AsOf = &d
		return nil
	}
	parts := strings.SplitN(s, "/", 2)
	var ends [2]*time.Time
	for i, part := range parts {
		if part == "" || part == ".." {
			continue
		}
		d, p := parseDate("datetime", part)
		if p != nil {
			return p
		}
		ends[i] = &d
	}
	if ends[0] == nil && ends[1] == nil {
		return badParam("datetime", "时间段两端不能都开放", "an interval needs at least one end")
	}
	if ends[0] != nil && ends[1] != nil && ends[1].Before(*ends[0]) {
		return badParam("datetime", "时间段结束早于开始", "the interval ends before it starts")
	}
	q.Interval, q.From, q.To = true, ends[0], ends[1]
	return nil
}

// typedValue converts a simple filter value to its queryable's type.
func typedValue(name, s string, t cql2.Type) (any, *Problem) {
	switch t {
	case cql2.Integer:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, badParam(name, name+" 须为整数", name+" must be an integer, got "+strconv.Quote(s))
		}
		return n, nil
	case cql2.Number:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badParam(name, name+" 须为有限数值", name+" must be a finite number, got "+strconv.Quote(s))
		}
		return f, nil
	case cql2.Boolean:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, badParam(name, name+" 须为 true 或 false", name+" must be true or false, got "+strconv.Quote(s))
		}
		return b, nil
	case cql2.Date, cql2.Timestamp:
		d, p := parseDate(name, s)
		if p != nil {
			return nil, p
		}
		return d, nil
	}
	return s, nil
}

// parseBBox reads a bbox in crs's authority axis order: "minLon,minLat,maxLon,maxLat"
// for CRS84, lat-first for EPSG:4490/4326, northing-first for the Gauss-Krüger zones;
// the 6-number form carries heights, ignored for 2D data. The result has
// easting/longitude first.
func parseBBox(s string, crs geo.CRS) (*geo.BBox, *Problem) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, badParam("bbox", "bbox 须为 4 或 6 个数", "bbox needs 4 or 6 comma-separated numbers, got "+strconv.Itoa(len(parts)))
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f != f || f > 1e300 || f < -1e300 {
			return nil, badParam("bbox", "bbox 含非数字 "+strconv.Quote(p), "bbox value is not a number: "+strconv.Quote(p))
		}
		n[i] = f
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	b := geo.BBox{MinX: n[0], MinY: n[1], MaxX: n[2], MaxY: n[3]}
	if crs.LatFirst {
		b = geo.BBox{MinX: n[1], MinY: n[0], MaxX: n[3], MaxY: n[2]}
	}
	if crs.SRID == 4490 || crs.SRID == 4326 {
		if b.MinY < -90 || b.MaxY > 90 || b.MinX < -180 || b.MaxX > 180 {
			order := "minLon,minLat,maxLon,maxLat"
			if crs.LatFirst {
				order = "minLat,minLon,maxLat,maxLon"
			}
			return nil, badParam("bbox", "bbox 超出经纬度范围（顺序应为 "+order+"）", "bbox outside lon/lat range; for "+crs.Name+" the order is "+order)
		}
	} else if crs.Check(b) == geo.Swapped {
		return nil, badParam("bbox", "bbox 坐标轴顺序颠倒", "bbox axis order looks swapped for "+crs.Name+"; the order is northing,easting for Gauss-Krüger zones")
	}
	if b.MinX > b.MaxX || b.MinY > b.MaxY {
		return nil, badParam("bbox", "bbox 最小值大于最大值", "bbox minimum exceeds maximum")
	}
	return &b, nil
}

// single returns a parameter's only value; repeated parameters use the first.
func single(v url.Values, k string) (string, bool) {
	vals, ok := v[k]
	if !ok || len(vals) == 0 {
		return "", false
	}
	return vals[0], true
}

func allowedParams(coll *store.Collection) []string {
	out := sortedKeys(itemsParams)
	return append(out, sortableNames(coll)...)
}

func sortableNames(coll *store.Collection) []string {
	var out []string
	for _, qq := range coll.Queryables {
		if qq.Type != cql2.Geometry {
			out = append(out, qq.Name)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
