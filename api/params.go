package api

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// Limits are the page sizes offered to clients. QGIS and GDAL read both from the
// OpenAPI document and size their pages by them.
type Limits struct {
	Default int
	Max     int
}

// itemsParams are the query parameters /items understands.
var itemsParams = map[string]bool{"bbox": true, "limit": true, "offset": true, "after": true, "f": true, "datetime": true}

// parseItemsQuery validates /items parameters. Unknown parameters are an error rather
// than ignored, so a typo never silently returns the whole layer.
func parseItemsQuery(v url.Values, lim Limits) (store.ItemsQuery, *Problem) {
	q := store.ItemsQuery{Limit: lim.Default}
	for k := range v {
		if !itemsParams[k] {
			p := badParam(k, "未知参数 "+k, "unknown query parameter "+k)
			p.Allowed = sortedKeys(itemsParams)
			return q, p
		}
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
	if s, ok := single(v, "bbox"); ok {
		b, p := parseBBox(s)
		if p != nil {
			return q, p
		}
		q.BBox = b
	}
	if s, ok := single(v, "datetime"); ok {
		if strings.Contains(s, "/") {
			return q, badParam("datetime", "暂只支持时刻，不支持时间段", "datetime intervals are not supported yet; give one date or instant")
		}
		d, p := parseDate("datetime", s)
		if p != nil {
			return q, p
		}
		q.AsOf = &d
	}
	if s, ok := single(v, "f"); ok && s != "json" && s != "geojson" {
		p := badParam("f", "不支持的格式 "+s, "unsupported format "+strconv.Quote(s))
		p.Allowed = []string{"json", "geojson"}
		return q, p
	}
	return q, nil
}

// parseBBox reads "minLon,minLat,maxLon,maxLat" (CRS84), or the 6-number form with
// heights, which are ignored for 2D data.
func parseBBox(s string) (*geo.BBox, *Problem) {
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
	b := geo.BBox{MinX: n[0], MinY: n[1], MaxX: n[2], MaxY: n[3]}
	if len(n) == 6 {
		b = geo.BBox{MinX: n[0], MinY: n[1], MaxX: n[3], MaxY: n[4]}
	}
	if b.MinY < -90 || b.MaxY > 90 || b.MinX < -180 || b.MaxX > 180 {
		return nil, badParam("bbox", "bbox 超出经纬度范围（顺序应为 经度,纬度）", "bbox outside lon/lat range; CRS84 order is minLon,minLat,maxLon,maxLat")
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

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
