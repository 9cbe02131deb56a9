package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// Media types OGC clients match exactly.
const (
	mtJSON       = "application/json"
	mtGeoJSON    = "application/geo+json"
	mtJSONFG     = "application/vnd.ogc.fg+json"
	jsonfgCore   = "http://www.opengis.net/spec/json-fg-1/0.2/conf/core"
	mtHTML       = "text/html; charset=utf-8"
	mtOpenAPI    = "application/vnd.oai.openapi+json;version=3.0"
	mtSchemaJSON = "application/schema+json"
	crs84        = geo.CRS84URI
)

// Link is an OGC API link object.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
	// Templated marks an href that is a URI template (OGC API – Tiles' tile links).
	Templated bool `json:"templated,omitempty"`
}

var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
	"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
	"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
}

// base is the absolute URL prefix of this server as the client sees it.
func (s *Server) base(c echo.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	r := c.Request()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/ \\") {
		host = h
	}
	return scheme + "://" + host
}

// wantsHTML: f=html, or a browser's Accept header without an explicit f.
func wantsHTML(c echo.Context) bool {
	if f := c.QueryParam("f"); f != "" {
		return f == "html"
	}
	accept := c.Request().Header.Get("Accept")
	return strings.Contains(accept, "text/html")
}

func (s *Server) landing(c echo.Context) error {
	b := s.base(c)
	doc := map[string]any{
		"title":       "landreg 工业用地登记 Industrial land registry",
		"description": "工业区块线、宗地与闲置土地 / industrial block lines, parcels and idle land (OGC API – Features)",
		"links": []Link{
			{Href: b + "/", Rel: "self", Type: mtJSON, Title: "This document"},
			{Href: b + "/?f=html", Rel: "alternate", Type: mtHTML, Title: "This document as HTML"},
			{Href: b + "/api", Rel: "service-desc", Type: mtOpenAPI, Title: "OpenAPI 3.0 definition"},
			{Href: b + "/api.html", Rel: "service-doc", Type: mtHTML, Title: "API documentation"},
			{Href: b + "/conformance", Rel: "conformance", Type: mtJSON, Title: "Conformance classes"},
			{Href: b + "/collections", Rel: "data", Type: mtJSON, Title: "Collections"},
			{Href: b + "/tileMatrixSets", Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", Type: mtJSON, Title: "Tile matrix sets"},
			{Href: b + "/tiles", Rel: relTilesetsVector, Type: mtJSON, Title: "矢量瓦片 vector tiles (OGC API – Tiles)"},
			{Href: b + "/map/", Rel: "alternate", Type: mtHTML, Title: "工业用地一张图 Map"},
		},
	}
	if wantsHTML(c) {
		return s.renderHTML(c, "landing", doc)
	}
	return writeJSON(c, http.StatusOK, mtJSON, doc)
}

func (s *Server) conformance(c echo.Context) error {
	doc := map[string]any{"conformsTo": append(append(slices.Clip(conformanceClasses), tilesConformance...), stylesConformance...)}
	if wantsHTML(c) {
		return s.renderHTML(c, "conformance", doc)
	}
	return writeJSON(c, http.StatusOK, mtJSON, doc)
}

func (s *Server) apiDoc(c echo.Context) error {
	return c.Blob(http.StatusOK, mtOpenAPI, s.openapi)
}

// collectionDoc describes one collection with its current extent.
func (s *Server) collectionDoc(c echo.Context, coll *store.Collection) (map[string]any, error) {
	ext, err := coll.Extent(c.Request().Context(), s.pool)
	if err != nil {
		return nil, err
	}
	b := s.base(c) + "/collections/" + coll.ID
	extent := map[string]any{}
	if ext.BBox != nil {
		extent["spatial"] = map[string]any{
			"bbox": [][]float64{{ext.BBox.MinX, ext.BBox.MinY, ext.BBox.MaxX, ext.BBox.MaxY}},
			"crs":  crs84,
		}
	}
	if ext.ValidFrom != nil {
		extent["temporal"] = map[string]any{
			"interval": [][]any{{ext.ValidFrom.Format(time.RFC3339), nil}},
			"trs":      "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
		}
	}
	links := []Link{
		{Href: b, Rel: "self", Type: mtJSON},
		{Href: b + "?f=html", Rel: "alternate", Type: mtHTML},
		{Href: b + "/items", Rel: "items", Type: mtGeoJSON, Title: coll.Title},
		{Href: b + "/items?f=html", Rel: "items", Type: mtHTML, Title: coll.Title},
		{Href: b + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: mtSchemaJSON, Title: "Queryables"},
		{Href: b + "/schema", Rel: "http://www.opengis.net/def/rel/ogc/1.0/schema", Type: mtSchemaJSON, Title: "Schema"},
		{Href: b + "/schema", Rel: "describedby", Type: mtSchemaJSON, Title: "Schema"},
	}
	if _, ok := catalog.TileLayerByID(coll.ID); ok {
		links = append(links, Link{Href: s.base(c) + "/tiles/" + coll.ID, Rel: "tiles", Type: mtJSON, Title: "TileJSON (vector tiles)"})
	}
	if hasStyle(coll.ID) {
		links = append(links, Link{Href: b + "/styles", Rel: relStyles, Type: mtJSON, Title: "样式 styles"})
		links = append(links, s.styleLinks(c, coll)...)
	}
	if len(catalog.TileLayersOf(coll.ID)) > 0 {
		links = append(links, Link{Href: b + "/tiles", Rel: relTilesetsVector, Type: mtJSON, Title: "矢量瓦片 vector tiles (OGC API – Tiles)"})
	}
	return map[string]any{
		"id":          coll.ID,
		"title":       coll.Title,
		"description": coll.Description,
		"itemType":    "feature",
		"crs":         geo.SupportedCRSURIs(),
		"storageCrs":  geo.CRSs[1].URI,
		"extent":      extent,
		"itemCount":   ext.Count,
		"links":       links,
	}, nil
}

func (s *Server) collections(c echo.Context) error {
	docs := []map[string]any{}
	for _, coll := range store.Collections() {
		d, err := s.collectionDoc(c, coll)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	b := s.base(c)
	doc := map[string]any{
		"collections": docs,
		"crs":         geo.SupportedCRSURIs(),
		"links": []Link{
			{Href: b + "/collections", Rel: "self", Type: mtJSON},
			{Href: b + "/collections?f=html", Rel: "alternate", Type: mtHTML},
		},
	}
	if wantsHTML(c) {
		return s.renderHTML(c, "collections", doc)
	}
	return writeJSON(c, http.StatusOK, mtJSON, doc)
}

func (s *Server) lookup(c echo.Context) (*store.Collection, error) {
	coll, ok := store.CollectionByID(c.Param("collectionId"))
	if !ok {
		p := notFound("没有图层 "+c.Param("collectionId"), "unknown collection "+strconv.Quote(c.Param("collectionId")))
		for _, cc := range catalog.Collections() {
			p.Allowed = append(p.Allowed, cc.ID)
		}
		return nil, p
	}
	return coll, nil
}

func (s *Server) collection(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	d, err := s.collectionDoc(c, coll)
	if err != nil {
		return err
	}
	if wantsHTML(c) {
		return s.renderHTML(c, "collection", d)
	}
	return writeJSON(c, http.StatusOK, mtJSON, d)
}

var cqlTypeSchema = map[cql2.Type]map[string]any{
	cql2.String:    {"type": "string"},
	cql2.Number:    {"type": "number"},
	cql2.Integer:   {"type": "integer"},
	cql2.Boolean:   {"type": "boolean"},
	cql2.Date:      {"type": "string", "format": "date"},
	cql2.Timestamp: {"type": "string", "format": "date-time"},
	cql2.Geometry:  {"format": "geometry-multipolygon", "x-ogc-role": "primary-geometry"},
}

// queryables lists the filterable properties as JSON Schema (Part 3).
func (s *Server) queryables(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	props := map[string]any{}
	for _, qq := range coll.Queryables {
		p := map[string]any{"title": qq.Title}
		for k, v := range cqlTypeSchema[qq.Type] {
			p[k] = v
		}
		props[qq.Name] = p
	}
	return writeJSON(c, http.StatusOK, mtSchemaJSON, s.schemaDoc(c, coll, "queryables", props))
}

// propTypeSchema is the JSON Schema of each property type; null is allowed for all
// (a parcel without a contract date has null there).
var propTypeSchema = map[catalog.PropType]map[string]any{
	catalog.Text:    {"type": []string{"string", "null"}},
	catalog.Number:  {"type": []string{"number", "null"}},
	catalog.Integer: {"type": []string{"integer", "null"}},
	catalog.Boolean: {"type": []string{"boolean", "null"}},
	catalog.Date:    {"type": []string{"string", "null"}, "format": "date"},
	catalog.List:    {"type": []string{"array", "null"}},
}

// schema describes every property of the collection's features (Part 5): the id
// (also sent as a property), each property with its type, format, unit and title,
// and the geometry.
func (s *Server) schema(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	props := map[string]any{
		"id": map[string]any{"title": "要素编号 feature id", "type": "integer", "x-ogc-role": "id", "readOnly": true,
			"x-ogc-propertySeq": 1},
		"geometry": map[string]any{"title": "几何 geometry", "format": "geometry-multipolygon",
			"x-ogc-role": "primary-geometry"},
	}
	for i, pr := range coll.Properties {
		p := map[string]any{"title": pr.Title, "x-ogc-propertySeq": i + 2}
		for k, v := range propTypeSchema[pr.Type] {
			p[k] = v
		}
		if pr.Unit != "" {
			p["x-ogc-unit"] = pr.Unit
		}
		props[pr.Name] = p
	}
	return writeJSON(c, http.StatusOK, mtSchemaJSON, s.schemaDoc(c, coll, "schema", props))
}

func (s *Server) schemaDoc(c echo.Context, coll *store.Collection, kind string, props map[string]any) map[string]any {
	return map[string]any{
		"$schema":    "https://json-schema.org/draft/2020-12/schema",
		"$id":        s.base(c) + "/collections/" + coll.ID + "/" + kind,
		"type":       "object",
		"title":      coll.Title,
		"properties": props,
	}
}

func (s *Server) item(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	fid := c.Param("featureId")
	id, version, ok := parseFeatureID(fid)
	if !ok {
		p := notFound("要素编号须为整数（或 编号.版本）", "feature id must be an integer, or id.version for a version, got "+strconv.Quote(fid))
		p.FeatureID = fid
		return p
	}
	for k := range c.QueryParams() {
		if k != "crs" && k != "f" {
			p := badParam(k, "未知参数 "+k, "unknown query parameter "+k)
			p.Allowed = []string{"crs", "f"}
			return p
		}
	}
	crs := geo.CRSs[0]
	if cs := c.QueryParam("crs"); cs != "" {
		cc, p := parseCRS("crs", cs)
		if p != nil {
			return p
		}
		crs = cc
	}
	feature, version, err := coll.Item(c.Request().Context(), s.pool, id, version, crs)
	if errors.Is(err, store.ErrNotFound) {
		p := notFound("要素 "+fid+" 不存在", "feature "+fid+" not found in "+coll.ID)
		p.FeatureID = fid
		return p
	}
	if err != nil {
		return err
	}
	etag := itemETag(id, version)
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Content-Crs", "<"+crs.URI+">")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	if wantsHTML(c) {
		var f map[string]any
		json.Unmarshal(feature, &f)
		return s.renderHTML(c, "item", map[string]any{"collection": coll, "feature": f, "id": fid})
	}
	return c.Blob(http.StatusOK, mtGeoJSON, withLinks(feature, s.itemLinks(c, coll, fid, crs)))
}

// parseFeatureID reads a feature id: N, or N.V for version V of feature N (the ids a
// datetime interval gives). Version 0 means the current feature.
func parseFeatureID(fid string) (id int64, version int, ok bool) {
	idText, verText, versioned := strings.Cut(fid, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, false
	}
	if versioned {
		// Versions are int4 in the database.
		v, err := strconv.ParseInt(verText, 10, 32)
		if err != nil || v <= 0 {
			return 0, 0, false
		}
		version = int(v)
	}
	return id, version, true
}

// itemLinks are a feature's own links (Part 1 requirement /req/geojson/content): itself,
// its HTML page and its collection.
func (s *Server) itemLinks(c echo.Context, coll *store.Collection, fid string, crs geo.CRS) []Link {
	cu := s.base(c) + "/collections/" + coll.ID
	self := cu + "/items/" + fid
	q := ""
	if cs := c.QueryParam("crs"); cs != "" {
		q = "&crs=" + url.QueryEscape(crs.URI)
	}
	return []Link{
		{Href: self + "?f=json" + q, Rel: "self", Type: mtGeoJSON, Title: "本要素 this feature"},
		{Href: self + "?f=html", Rel: "alternate", Type: mtHTML, Title: "网页 as HTML"},
		{Href: cu, Rel: "collection", Type: mtJSON, Title: coll.Title},
	}
}

// withLinks adds a links member to a Feature PostGIS assembled (a JSON object).
func withLinks(feature []byte, links []Link) []byte {
	lj, _ := json.Marshal(links)
	out := make([]byte, 0, len(feature)+len(lj)+10)
	out = append(out, feature[:len(feature)-1]...)
	out = append(out, `,"links":`...)
	out = append(out, lj...)
	return append(out, '}')
}

// itemETag identifies a feature version; a write bumps the version.
func itemETag(id int64, version int) string {
	return `"` + strconv.FormatInt(id, 10) + "-" + strconv.Itoa(version) + `"`
}

// fcWriter streams a FeatureCollection: the opening members, then each Feature as
// PostGIS produced it, then the members known only at the end (member order is free).
type fcWriter struct {
	res *echo.Response
	crs string
	// jsonfg is the feature type (the collection id) of a JSON-FG answer; "" for GeoJSON.
	jsonfg string
	w      *bufio.Writer
	n      int
}

func (f *fcWriter) Begin(matched int64) error {
	h := f.res.Header()
	mt, head := mtGeoJSON, ""
	if f.jsonfg != "" {
		// JSON-FG: the collection says what the features are and, for a CRS other than
		// CRS84, the CRS of their place.
		mt = mtJSONFG
		head = `"conformsTo":["` + jsonfgCore + `"],"featureType":"` + f.jsonfg + `",`
		if f.crs != geo.CRSs[0].URI {
			head += `"coordRefSys":"` + f.crs + `",`
		}
	}
	h.Set(echo.HeaderContentType, mt)
	h.Set("Content-Crs", "<"+f.crs+">")
	h.Set("OGC-NumberMatched", strconv.FormatInt(matched, 10))
	f.w = writerPool.Get().(*bufio.Writer)
	f.w.Reset(lazyHeader{f.res})
	_, err := f.w.WriteString(`{"type":"FeatureCollection",` + head + `"numberMatched":` + strconv.FormatInt(matched, 10) + `,"features":[`)
	return err
}

// finish sends what is left. A page that fits the buffer goes out with a
// Content-Length in one write; a larger one has been streaming (chunked) all along.
func (f *fcWriter) finish() error {
	if !f.res.Committed {
		f.res.Header().Set(echo.HeaderContentLength, strconv.Itoa(f.w.Buffered()))
	}
	return f.w.Flush()
}

// lazyHeader sends the status line on the first write, so a response that turns out
// small can still be given a Content-Length.
type lazyHeader struct{ res *echo.Response }

func (l lazyHeader) Write(p []byte) (int, error) {
	if !l.res.Committed {
		l.res.WriteHeader(http.StatusOK)
	}
	return l.res.Write(p)
}

func (f *fcWriter) Feature(_ int64, feature []byte) error {
	if f.n > 0 {
		f.w.WriteByte(',')
	}
	f.n++
	_, err := f.w.Write(feature)
	return err
}

// writerPool recycles the 256 KiB response buffers: a fresh one per request was a
// measurable share of a small bbox query's cost. 256 KiB holds a default page of 100
// parcels (~80 KB) with room to spare, so it leaves in one write with a Content-Length;
// 64 KiB split such pages into chunked writes.
var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

// release returns the buffer once the response is complete.
func (f *fcWriter) release() {
	if f.w != nil {
		f.w.Reset(nil)
		writerPool.Put(f.w)
		f.w = nil
	}
}

// collectSink keeps a page in memory (HTML views only; JSON streams).
type collectSink struct {
	matched  int64
	features []json.RawMessage
}

func (cs *collectSink) Begin(n int64) error { cs.matched = n; return nil }
func (cs *collectSink) Feature(_ int64, f []byte) error {
	cs.features = append(cs.features, append(json.RawMessage(nil), f...))
	return nil
}

func (s *Server) items(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	params := c.QueryParams()
	q, p := parseItemsQuery(params, s.cfg.Limits, coll)
	if p != nil {
		return p
	}
	if n, ok := s.carriedMatched(coll, params); ok {
		q.Matched = &n
	}
	ctx := c.Request().Context()
	if wantsHTML(c) {
		cs := &collectSink{}
		page, err := coll.Items(ctx, s.pool, q, cs)
		if err != nil {
			return filterOr(err, q.Filter != nil)
		}
		return s.renderHTML(c, "items", map[string]any{"collection": coll, "features": cs.features,
			"matched": cs.matched, "links": s.pageLinks(c, coll, params, q, page, mtHTML)})
	}
	if c.QueryParam("f") == "csv" {
		return s.itemsCSV(c, coll, params, q)
	}
	fw := &fcWriter{res: c.Response(), crs: q.CRS.URI}
	if q.JSONFG {
		fw.jsonfg = coll.ID
	}
	page, err := coll.Items(ctx, s.pool, q, fw)
	defer fw.release()
	if err != nil {
		if !c.Response().Committed {
			return filterOr(err, q.Filter != nil) // nothing sent yet: a proper problem response
		}
		// Mid-stream failure: the status is gone; cut the connection so the client
		// sees a broken response instead of a valid-looking partial collection.
		s.log.Error().Err(err).Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Msg("stream aborted")
		panic(http.ErrAbortHandler)
	}
	fw.w.WriteString(`],"numberReturned":` + strconv.Itoa(page.Returned) +
		`,"timeStamp":"` + time.Now().UTC().Format(time.RFC3339) + `","links":`)
	mt := mtGeoJSON
	if q.JSONFG {
		mt = mtJSONFG
	}
	if err := jsonEncode(fw.w, s.pageLinks(c, coll, params, q, page, mt)); err != nil {
		return nil
	}
	fw.w.WriteString("}")
	return fw.finish()
}

// csvKinds write each property type as reports write their columns.
var csvKinds = map[catalog.PropType]report.Kind{catalog.Text: report.Text, catalog.Number: report.Number,
	catalog.Integer: report.Integer, catalog.Boolean: report.Text, catalog.Date: report.Date, catalog.List: report.Text}

// itemsCSV serves a page of features as a table, one row per feature and one column per
// property, headed by the properties' titles as reports are (no geometry: a table for
// spreadsheets). The next page is in the Link header.
func (s *Server) itemsCSV(c echo.Context, coll *store.Collection, params url.Values, q store.ItemsQuery) error {
	cs := &collectSink{}
	page, err := coll.Items(c.Request().Context(), s.pool, q, cs)
	if err != nil {
		return filterOr(err, q.Filter != nil)
	}
	t := &report.Table{Title: coll.Title, Columns: []report.Column{{Key: "id", Header: "要素编号 feature id", Kind: report.Integer}}}
	for _, pr := range coll.Properties {
		if q.Properties == nil || slices.Contains(q.Properties, pr.Name) {
			t.Columns = append(t.Columns, report.Column{Key: pr.Name, Header: pr.Title, Kind: csvKinds[pr.Type]})
		}
	}
	for _, f := range cs.features {
		var feature struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(f, &feature); err != nil {
			return err
		}
		row := make([]any, len(t.Columns))
		for i, col := range t.Columns {
			row[i] = csvValue(feature.Properties[col.Key])
		}
		t.Rows = append(t.Rows, row)
	}
	for _, l := range s.pageLinks(c, coll, params, q, page, "text/csv") {
		if l.Rel == "next" || l.Rel == "prev" {
			c.Response().Header().Add("Link", "<"+l.Href+">; rel=\""+l.Rel+"\"")
		}
	}
	c.Response().Header().Set("Content-Type", report.ContentType("csv"))
	c.Response().WriteHeader(http.StatusOK)
	return report.WriteCSV(c.Response(), t)
}

// csvValue is a property's JSON value as CSV text: strings unquoted, numbers as written
// (no float rounding), lists as JSON, null empty.
func csvValue(raw json.RawMessage) any {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var str string
	if raw[0] == '"' && json.Unmarshal(raw, &str) == nil {
		return str
	}
	return string(raw)
}

// filterOr turns a filter compilation error into a 400, and so a value PostgreSQL
// refuses while evaluating a filter (a LIKE pattern ending in the escape character,
// a date out of range): with a filter, the request's values are the likely cause.
func filterOr(err error, filtered bool) error {
	var fe *store.FilterError
	if errors.As(err, &fe) {
		var ce *cql2.Error
		if errors.As(err, &ce) {
			return cqlProblem(ce)
		}
		return badParam("filter", "过滤条件有误", fe.Error())
	}
	if p := dbProblem(err); filtered && p != nil && p.dataException {
		return badParam("filter", "过滤条件无法执行", p.Detail)
	}
	return err
}

// pageLinks carries every query parameter into self, next and prev. Pages cut by id
// continue with after=<last id>; offset pages (sortby, intervals) with offset.
func (s *Server) pageLinks(c echo.Context, coll *store.Collection, params url.Values, q store.ItemsQuery, page store.Page, mt string) []Link {
	self := s.base(c) + "/collections/" + coll.ID + "/items"
	links := []Link{{Href: withQuery(self, params), Rel: "self", Type: mt}}
	alt := cloneValues(params)
	if mt == mtHTML {
		alt.Del("f")
		links = append(links, Link{Href: withQuery(self, alt), Rel: "alternate", Type: mtGeoJSON})
	} else {
		alt.Set("f", "html")
		links = append(links, Link{Href: withQuery(self, alt), Rel: "alternate", Type: mtHTML})
		if mt != "text/csv" {
			table := cloneValues(params)
			table.Set("f", "csv")
			links = append(links, Link{Href: withQuery(self, table), Rel: "alternate", Type: "text/csv", Title: "表格 as CSV"})
		}
	}
	carry := func(v url.Values) { v.Set("matched", s.matchedToken(coll, params, page.Matched)) }
	if page.HasNext {
		next := cloneValues(params)
		carry(next)
		if q.Keyset() {
			next.Set("after", strconv.FormatInt(page.LastID, 10))
		} else {
			next.Set("offset", strconv.Itoa(q.Offset+q.Limit))
		}
		next.Set("limit", strconv.Itoa(q.Limit))
		links = append(links, Link{Href: withQuery(self, next), Rel: "next", Type: mt, Title: "Next page"})
	}
	if q.Offset > 0 {
		prev := cloneValues(params)
		carry(prev)
		prev.Set("offset", strconv.Itoa(max(0, q.Offset-q.Limit)))
		prev.Set("limit", strconv.Itoa(q.Limit))
		links = append(links, Link{Href: withQuery(self, prev), Rel: "prev", Type: mt, Title: "Previous page"})
	}
	links = append(links, Link{Href: s.base(c) + "/collections/" + coll.ID, Rel: "collection", Type: mtJSON})
	return links
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func withQuery(u string, v url.Values) string {
	if len(v) == 0 {
		return u
	}
	return u + "?" + v.Encode()
}
