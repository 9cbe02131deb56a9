package api

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// routeParams lists the query parameters of every route, keyed by method and pattern as
// registered (HEAD is served by the GET route). One table so that a parameter a route
// does not understand is refused everywhere the same way instead of silently ignored;
// New refuses to start with a route missing from it.
//
// itemsParamsChecked marks /items, whose handler validates the names and values itself:
// it takes the collection's queryables as parameters and answers with the list of those.
// anyParams marks the map's static files.
var routeParams = map[string][]string{
	"GET /healthz":                         nil,
	"GET /readyz":                          nil,
	"GET /metrics":                         nil,
	"GET /":                                {"f"},
	"GET /conformance":                     {"f"},
	"GET /api":                             {"f"},
	"GET /api.html":                        nil,
	"GET /collections":                     {"f"},
	"GET /collections/:collectionId":       {"f"},
	"GET /collections/:collectionId/items": itemsParamsChecked,
	"GET /collections/:collectionId/items/:featureId":                                     {"crs", "f"},
	"POST /collections/:collectionId/items":                                               nil,
	"PUT /collections/:collectionId/items/:featureId":                                     nil,
	"PATCH /collections/:collectionId/items/:featureId":                                   nil,
	"DELETE /collections/:collectionId/items/:featureId":                                  nil,
	"OPTIONS /collections/:collectionId/items":                                            nil,
	"OPTIONS /collections/:collectionId/items/:featureId":                                 nil,
	"GET /collections/:collectionId/queryables":                                           {"f"},
	"GET /collections/:collectionId/schema":                                               {"f"},
	"GET /tiles/:layers/:z/:x/:y":                                                         {"datetime"},
	"GET /tiles/:layers":                                                                  nil,
	"GET /tileMatrixSets":                                                                 {"f"},
	"GET /tileMatrixSets/:tileMatrixSetId":                                                {"f"},
	"GET /tiles":                                                                          {"f"},
	"GET /tiles/WebMercatorQuad":                                                          {"f"},
	"GET /tiles/WebMercatorQuad/:tileMatrix/:tileRow/:tileCol":                            {"datetime"},
	"GET /collections/:collectionId/tiles":                                                {"f"},
	"GET /collections/:collectionId/styles":                                               {"f"},
	"GET /collections/:collectionId/styles/:styleId":                                      {"f"},
	"GET /collections/:collectionId/tiles/:tileMatrixSetId":                               {"f"},
	"GET /collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": {"datetime"},
	"GET /map": nil,
	// Static files of the map: browsers and bundlers add cache-busting parameters.
	"GET /map/*":    anyParams,
	"GET /apidoc/*": anyParams,

	"GET /v1/vocabulary":                          nil,
	"GET /v1/search":                              {"q", "limit"},
	"GET /v1/adjustments":                         {"xzqdm"},
	"POST /v1/adjustments":                        nil,
	"GET /v1/adjustments/:id":                     nil,
	"GET /v1/adjustments/:id/preview":             nil,
	"POST /v1/adjustments/:id/publicise":          nil,
	"POST /v1/adjustments/:id/withdraw":           nil,
	"POST /v1/adjustments/:id/approve":            nil,
	"POST /v1/adjustments/:id/reject":             nil,
	"POST /v1/adjustments/:id/apply":              nil,
	"GET /v1/districts":                           nil,
	"POST /v1/districts":                          nil,
	"GET /v1/districts/:code":                     {"date"},
	"PATCH /v1/districts/:code":                   nil,
	"GET /v1/districts/:code/history":             nil,
	"GET /v1/districts/:code/idle-policy":         {"date"},
	"PUT /v1/districts/:code/idle-policy":         nil,
	"GET /v1/districts/:code/idle-policy/history": nil,
	"GET /v1/enterprises":                         {"q", "industry_code", "is_above_size", "limit", "offset"},
	"POST /v1/enterprises":                        nil,
	"GET /v1/enterprises/:uscc":                   nil,
	"PATCH /v1/enterprises/:uscc":                 nil,
	"GET /v1/enterprises/:uscc/indicators":        nil,
	"GET /v1/enterprises/:uscc/indicators/:year":  nil,
	"PUT /v1/enterprises/:uscc/indicators/:year":  nil,
	"GET /v1/quota":                               {"date", "known_at"},
	"GET /v1/districts/:code/quota":               {"date", "known_at"},
	"GET /v1/districts/:code/quota/history":       {"known_at"},
	"POST /v1/districts/:code/ledger/:id/review":  nil,
	"POST /v1/parcels":                            nil,
	"GET /v1/parcels/:featureId":                  {"crs", "f"},
	"PUT /v1/parcels/:featureId":                  nil,
	"PATCH /v1/parcels/:featureId":                nil,
	"DELETE /v1/parcels/:featureId":               {"effective_date", "doc_no", "kind", "reason"},
	"GET /v1/parcels/:featureId/events":           nil,
	"POST /v1/parcels/:featureId/events":          nil,
	"GET /v1/parcels/:featureId/status":           {"date", "known_at"},
	"GET /v1/parcels/:featureId/history":          nil,
	"GET /v1/exports/:collection":                 {"format", "date", "crs", "district"},
	"GET /v1/audit/:report":                       {"format", "date", "district", "years", "from", "to", "year", "parcel"},
	// The upload's form fields may also come in the query (echo's FormValue reads both).
	"POST /v1/imports": {"kind", "dry_run", "create_holders", "crs", "layer", "mapping", "encoding", "xzqdm", "adjustment_kind", "effective_date", "doc_no", "reason", "proposed_on", "year"},
}

var (
	itemsParamsChecked = []string{"(items)"}
	anyParams          = []string{"(any)"}
)

// checkRouteTable reports the registered routes missing from routeParams.
func checkRouteTable(routes []*echo.Route) []string {
	var missing []string
	for _, r := range routes {
		if _, ok := routeParams[r.Method+" "+r.Path]; !ok {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	return missing
}

// checkRequest refuses, for every route, what must never reach a handler: a query
// string that does not parse (echo's QueryParam ignores url.ParseQuery's error, so
// bbox=%zz used to return the whole layer), NUL or invalid UTF-8 in the path, the query
// or the reason header (PostgreSQL refuses both in text), parameters the route does not
// know, repeated parameters and empty values.
func (s *Server) checkRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !cleanText(r.URL.Path) {
			return badParam("path", "路径含有 NUL 或无效的 UTF-8 字符", "the path holds NUL or invalid UTF-8")
		}
		if h := r.Header.Get("X-Landreg-Reason"); !cleanText(h) {
			return badParam("X-Landreg-Reason", "X-Landreg-Reason 须为 UTF-8 文本", "X-Landreg-Reason must be UTF-8 text")
		}
		values, p := parseQuery(r.URL.RawQuery)
		if p != nil {
			return p
		}
		allowed, known := routeParams[r.Method+" "+c.Path()]
		// Unknown method or path: the 404/405 says more than a parameter complaint. A
		// non-preflight OPTIONS describes the resource whatever its query.
		if !known || r.Method == http.MethodOptions || sameList(allowed, anyParams) {
			return next(c)
		}
		items := sameList(allowed, itemsParamsChecked)
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if items {
				// Names and values are the handler's; a repeated parameter is not.
				if len(values[k]) > 1 {
					return badParam(k, "参数 "+k+" 重复", "query parameter "+k+" is given more than once")
				}
				continue
			}
			if !contains(allowed, k) {
				p := badParam(k, "未知参数 "+k, "unknown query parameter "+strconv.Quote(k))
				p.Allowed = append([]string{}, allowed...)
				sort.Strings(p.Allowed)
				return p
			}
			if len(values[k]) > 1 {
				return badParam(k, "参数 "+k+" 重复", "query parameter "+k+" is given more than once")
			}
			if values[k][0] == "" {
				return badParam(k, "参数 "+k+" 没有值", "query parameter "+k+" has no value; leave it out for the default")
			}
		}
		return next(c)
	}
}

// parseQuery is url.ParseQuery that stops at the first malformed pair and says which.
func parseQuery(raw string) (url.Values, *Problem) {
	out := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || !cleanText(key) {
			return nil, badParam("query", "查询字符串无法解析："+strconv.Quote(k), fmt.Sprintf("the query string does not parse at %q (percent-encoding, NUL or UTF-8)", k))
		}
		if strings.Contains(pair, ";") {
			return nil, badParam(key, "查询参数须以 & 分隔，不能用分号", "query parameters are separated by &, not ;")
		}
		val, err := url.QueryUnescape(v)
		if err != nil || !cleanText(val) {
			return nil, badParam(key, "参数 "+key+" 的值无法解析", fmt.Sprintf("the value of %s does not parse: %q (percent-encoding, NUL or UTF-8)", key, v))
		}
		out[key] = append(out[key], val)
	}
	return out, nil
}

// cleanText: valid UTF-8 without NUL, which PostgreSQL cannot store in text.
func cleanText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// sameList tells a marker list (itemsParamsChecked, anyParams) from a list of names.
func sameList(a, marker []string) bool { return len(a) == 1 && a[0] == marker[0] }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
