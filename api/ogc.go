package api

import (
	"bufio"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/store"
)

// Media types OGC clients match exactly.
const (
	mtJSON    = "application/json"
	mtGeoJSON = "application/geo+json"
	mtOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	crs84     = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
)

// Link is an OGC API link object.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
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

func (s *Server) landing(c echo.Context) error {
	b := s.base(c)
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{
		"title":       "landreg 工业用地登记 Industrial land registry",
		"description": "工业区块线、宗地与闲置土地 / industrial block lines, parcels and idle land (OGC API – Features)",
		"links": []Link{
			{Href: b + "/", Rel: "self", Type: mtJSON, Title: "This document"},
			{Href: b + "/api", Rel: "service-desc", Type: mtOpenAPI, Title: "OpenAPI 3.0 definition"},
			{Href: b + "/conformance", Rel: "conformance", Type: mtJSON, Title: "Conformance classes"},
			{Href: b + "/collections", Rel: "data", Type: mtJSON, Title: "Collections"},
		},
	})
}

func (s *Server) conformance(c echo.Context) error {
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"conformsTo": conformanceClasses})
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
	return map[string]any{
		"id":          coll.ID,
		"title":       coll.Title,
		"description": coll.Description,
		"itemType":    "feature",
		"crs":         []string{crs84},
		"extent":      extent,
		"itemCount":   ext.Count,
		"links": []Link{
			{Href: b, Rel: "self", Type: mtJSON},
			{Href: b + "/items", Rel: "items", Type: mtGeoJSON, Title: coll.Title},
		},
	}, nil
}

func (s *Server) collections(c echo.Context) error {
	var docs []map[string]any
	for _, coll := range store.Collections() {
		d, err := s.collectionDoc(c, coll)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	b := s.base(c)
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{
		"collections": docs,
		"links":       []Link{{Href: b + "/collections", Rel: "self", Type: mtJSON}},
	})
}

func (s *Server) lookup(c echo.Context) (*store.Collection, error) {
	coll, ok := store.CollectionByID(c.Param("collectionId"))
	if !ok {
		p := notFound("没有图层 "+c.Param("collectionId"), "unknown collection "+strconv.Quote(c.Param("collectionId")))
		for _, cc := range store.Collections() {
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
	return writeJSON(c, http.StatusOK, mtJSON, d)
}

func (s *Server) item(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	fid := c.Param("featureId")
	id, perr := strconv.ParseInt(fid, 10, 64)
	if perr != nil {
		p := notFound("要素编号须为整数", "feature id must be an integer, got "+strconv.Quote(fid))
		p.FeatureID = fid
		return p
	}
	feature, err := coll.Item(c.Request().Context(), s.pool, id)
	if err == store.ErrNotFound {
		p := notFound("要素 "+fid+" 不存在", "feature "+fid+" not found in "+coll.ID)
		p.FeatureID = fid
		return p
	}
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, mtGeoJSON, feature)
}

// fcWriter streams a FeatureCollection: the opening members, then each Feature as
// PostGIS produced it, then the members known only at the end (member order is free).
type fcWriter struct {
	res *echo.Response
	w   *bufio.Writer
	n   int
}

func (f *fcWriter) Begin(matched int64) error {
	h := f.res.Header()
	h.Set(echo.HeaderContentType, mtGeoJSON)
	h.Set("Content-Crs", "<"+crs84+">")
	h.Set("OGC-NumberMatched", strconv.FormatInt(matched, 10))
	f.res.WriteHeader(http.StatusOK)
	f.w = bufio.NewWriterSize(f.res, 64<<10)
	_, err := f.w.WriteString(`{"type":"FeatureCollection","numberMatched":` + strconv.FormatInt(matched, 10) + `,"features":[`)
	return err
}

func (f *fcWriter) Feature(_ int64, feature []byte) error {
	if f.n > 0 {
		f.w.WriteByte(',')
	}
	f.n++
	_, err := f.w.Write(feature)
	return err
}

func (s *Server) items(c echo.Context) error {
	coll, err := s.lookup(c)
	if err != nil {
		return err
	}
	params := c.QueryParams()
	q, p := parseItemsQuery(params, s.cfg.Limits)
	if p != nil {
		return p
	}
	if q.AsOf != nil && !coll.Versioned {
		return badParam("datetime", coll.ID+" 没有历史版本", coll.ID+" keeps no versions; datetime applies to block_lines and parcels")
	}
	fw := &fcWriter{res: c.Response()}
	page, err := coll.Items(c.Request().Context(), s.pool, q, fw)
	if err != nil {
		if fw.w == nil {
			return err // nothing sent yet: a proper problem response
		}
		// Mid-stream failure: the status is gone; cut the connection so the client
		// sees a broken response instead of a valid-looking partial collection.
		s.log.Error().Err(err).Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Msg("stream aborted")
		panic(http.ErrAbortHandler)
	}
	self := s.base(c) + "/collections/" + coll.ID + "/items"
	links := []Link{{Href: withQuery(self, params), Rel: "self", Type: mtGeoJSON}}
	if page.HasNext {
		next := cloneValues(params)
		if q.Offset > 0 {
			next.Set("offset", strconv.Itoa(q.Offset+q.Limit))
		} else {
			next.Set("after", strconv.FormatInt(page.LastID, 10))
		}
		next.Set("limit", strconv.Itoa(q.Limit))
		links = append(links, Link{Href: withQuery(self, next), Rel: "next", Type: mtGeoJSON, Title: "Next page"})
	}
	links = append(links, Link{Href: s.base(c) + "/collections/" + coll.ID, Rel: "collection", Type: mtJSON})
	fw.w.WriteString(`],"numberReturned":` + strconv.Itoa(page.Returned) +
		`,"timeStamp":"` + time.Now().UTC().Format(time.RFC3339) + `","links":`)
	if err := jsonEncode(fw.w, links); err != nil {
		return nil
	}
	fw.w.WriteString("}")
	return fw.w.Flush()
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
