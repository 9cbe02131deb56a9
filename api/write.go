package api

import (
	"github.com/landreg/landreg"

	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// Part 4 (create, replace, update, delete) on the editable collections. QGIS 3.32+ uses
// these to edit block lines over HTTP: it learns what is allowed from OPTIONS, sends
// Content-Crs with coordinates in that CRS's axis order, never sends If-Match, and
// reads the new id from Location.

func (s *Server) writable(c echo.Context) (*store.Collection, *store.Writable, error) {
	coll, err := s.lookup(c)
	if err != nil {
		return nil, nil, err
	}
	w, ok := store.WritableFor(coll.ID)
	if !ok {
		p := problem(http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			coll.ID+" 只读", coll.ID+" is read-only")
		c.Response().Header().Set("Allow", "GET, HEAD, OPTIONS")
		return nil, nil, p
	}
	if err := checkRole(c, w.Role); err != nil {
		return nil, nil, err
	}
	return coll, w, nil
}

func (s *Server) optionsItems(c echo.Context) error {
	allow := "GET, HEAD, OPTIONS"
	if _, ok := store.WritableFor(c.Param("collectionId")); ok {
		allow = "GET, HEAD, POST, OPTIONS"
	}
	if _, err := s.lookup(c); err != nil {
		return err
	}
	c.Response().Header().Set("Allow", allow)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) optionsItem(c echo.Context) error {
	allow := "GET, HEAD, OPTIONS"
	if _, ok := store.WritableFor(c.Param("collectionId")); ok {
		allow = "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
	}
	if _, err := s.lookup(c); err != nil {
		return err
	}
	c.Response().Header().Set("Allow", allow)
	return c.NoContent(http.StatusNoContent)
}

type featureBody struct {
	Type       string                     `json:"type"`
	ID         json.RawMessage            `json:"id"`
	BBox       json.RawMessage            `json:"bbox"`
	Links      json.RawMessage            `json:"links"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
	// Reason is why (a foreign member of the Feature; see reason.go).
	Reason *string `json:"reason"`
}

// contentCRS reads Content-Crs (with or without angle brackets; QGIS sends none).
func contentCRS(c echo.Context) (geo.CRS, bool, *Problem) {
	h := c.Request().Header.Get("Content-Crs")
	if h == "" {
		return geo.CRSs[0], false, nil
	}
	crs, p := parseCRS("Content-Crs", h)
	return crs, true, p
}

// parseFeatureWrite validates a Feature (or merge patch) against the writable columns;
// reason is the Feature's reason member ("" without one).
func parseFeatureWrite(c echo.Context, w *store.Writable, patch bool) (store.FeatureWrite, string, error) {
	fw := store.FeatureWrite{Props: map[string]*string{}}
	var body featureBody
	if err := decodeJSON(c, &body, featureBodyTypes...); err != nil {
		return fw, "", err
	}
	reason := ""
	if body.Reason != nil {
		reason = *body.Reason
	}
	if !patch && body.Type != "Feature" {
		return fw, "", badParam("type", "请求体须为 GeoJSON Feature", "the body must be a GeoJSON Feature")
	}
	names := make([]string, 0, len(body.Properties))
	for k := range body.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		raw := body.Properties[k]
		if k == "id" && string(raw) != "null" {
			// The id a client echoes back must be a feature id; updateItem checks it
			// names the feature written.
			if err := json.Unmarshal(raw, &fw.EchoedID); err != nil || fw.EchoedID <= 0 {
				return fw, "", badParam("properties.id", "要素编号须为正整数", "properties.id must be a positive integer feature id")
			}
		}
		if w.ReadOnly[k] {
			continue
		}
		if _, ok := w.Columns[k]; !ok {
			p := badParam("properties."+k, "未知或不可写的属性 "+k, "unknown or read-only property "+k)
			for col := range w.Columns {
				p.Allowed = append(p.Allowed, col)
			}
			sort.Strings(p.Allowed)
			return fw, "", p
		}
		v, p := propertyText(k, raw)
		if p != nil {
			return fw, "", p
		}
		if v != nil {
			if p := checkProperty(k, w.Columns[k], *v); p != nil {
				return fw, "", p
			}
		}
		fw.Props[k] = v
	}
	if len(body.Geometry) > 0 && string(body.Geometry) != "null" {
		crs, authority, p := contentCRS(c)
		if p != nil {
			return fw, "", p
		}
		g, err := geo.ParsePolygonal(body.Geometry, crs, authority)
		if err != nil {
			return fw, "", geometryProblem("geometry", err)
		}
		fw.Geom = g
	} else if !patch {
		return fw, "", badParam("geometry", "缺少几何", "geometry is required")
	}
	v, err := ifMatch(c)
	if err != nil {
		return fw, "", err
	}
	fw.IfVersions = v
	return fw, reason, nil
}

// propertyText turns a JSON scalar into the text PostgreSQL casts to the column type.
func propertyText(k string, raw json.RawMessage) (*string, *Problem) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, badParam("properties."+k, k+" 不是有效字符串", k+" is not a valid string")
		}
		return &s, nil
	case raw[0] == '{' || raw[0] == '[':
		return nil, badParam("properties."+k, k+" 须为标量", k+" must be a string, number or boolean")
	default:
		s := string(raw)
		return &s, nil
	}
}

// ifMatch reads If-Match (RFC 9110 §13.1.1): absent or "*" is unconditional (nil;
// the feature must exist, which the write checks); otherwise a list of entity tags,
// compared strongly: weak tags and tags of other features never match. The result is
// the versions of this feature the list names, possibly none (then only a 412 can
// follow, once the feature is known to exist).
func ifMatch(c echo.Context) ([]int, error) {
	h := strings.Join(c.Request().Header.Values("If-Match"), ", ")
	if strings.TrimSpace(h) == "" {
		return nil, nil
	}
	tags, star, ok := parseETags(h)
	if !ok {
		p := badParam("If-Match", "If-Match 格式错误", `If-Match must be "*" or a list of entity tags such as "12-3", got `+strconv.Quote(h))
		return nil, p
	}
	if star {
		return nil, nil
	}
	versions := []int{}
	prefix := c.Param("featureId") + "-"
	for _, t := range tags {
		if t.weak {
			continue
		}
		if v, found := strings.CutPrefix(t.opaque, prefix); found {
			if n, err := strconv.Atoi(v); err == nil && n > 0 && strconv.Itoa(n) == v {
				versions = append(versions, n)
			}
		}
	}
	return versions, nil
}

type entityTag struct {
	weak   bool
	opaque string // without the quotes
}

// parseETags reads "*" or #entity-tag (RFC 9110 §8.8.3): [W/]"etagc*", comma-separated
// with optional whitespace; empty list elements are allowed, anything else is not.
func parseETags(h string) (tags []entityTag, star bool, ok bool) {
	if strings.TrimSpace(h) == "*" {
		return nil, true, true
	}
	rest := h
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return tags, false, len(tags) > 0
		}
		if rest[0] == ',' {
			rest = rest[1:]
			continue
		}
		var t entityTag
		if strings.HasPrefix(rest, "W/") {
			t.weak, rest = true, rest[2:]
		}
		if rest == "" || rest[0] != '"' {
			return nil, false, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, false, false
		}
		t.opaque = rest[1 : 1+end]
		for _, b := range []byte(t.opaque) {
			// etagc = %x21 / %x23-7E / obs-text
			if b < 0x21 || b == 0x7f {
				return nil, false, false
			}
		}
		tags = append(tags, t)
		rest = strings.TrimLeft(rest[2+end:], " \t")
		if rest != "" && rest[0] != ',' {
			return nil, false, false
		}
	}
}

func preconditionFailed() *Problem {
	return problem(http.StatusPreconditionFailed, "precondition-failed", "Precondition failed",
		"要素已被他人修改，请重新读取后再提交", "the feature changed since it was read (ETag mismatch); read it again and retry")
}

func (s *Server) writeError(err error, id string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		p := notFound("要素 "+id+" 不存在", "feature "+id+" not found")
		p.FeatureID = id
		return p
	case errors.Is(err, store.ErrPrecondition):
		return preconditionFailed()
	}
	if p := dbProblem(err); p != nil {
		p.FeatureID = id
		return p
	}
	return err
}

// featureWriteError is writeError for a Feature write: a refusal naming one of the
// collection's writable columns names it as the body does (properties.holder_uscc).
func (s *Server) featureWriteError(err error, id string, w *store.Writable) error {
	err = s.writeError(err, id)
	var p *Problem
	if errors.As(err, &p) {
		if _, ok := w.Columns[p.Field]; ok {
			p.Field = "properties." + p.Field
		}
	}
	return err
}

// checkHolder: a parcel write that names a holder names a registered enterprise (the
// foreign key refuses it too, in the same terms, for any other writer).
func (s *Server) checkHolder(c echo.Context, collection string, props map[string]*string) error {
	u := props["holder_uscc"]
	if collection != "parcels" || u == nil || *u == "" {
		return nil
	}
	ok, err := store.EnterpriseExists(c.Request().Context(), s.pool, *u)
	if err != nil || ok {
		return err
	}
	p := problem(http.StatusUnprocessableEntity, "unknown-reference", "Unknown reference",
		"权利人 "+*u+" 未登记为企业，请先登记（POST /v1/enterprises）",
		"the holder "+*u+" is not a registered enterprise: register it first (POST /v1/enterprises)")
	p.Field = "properties.holder_uscc"
	return p
}

// respondFeature sends the stored feature with its ETag, as GET would.
func (s *Server) respondFeature(c echo.Context, coll *store.Collection, id int64, status int) error {
	feature, version, err := coll.Item(c.Request().Context(), s.pool, id, 0, geo.CRSs[0])
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("ETag", itemETag(id, version))
	h.Set("Content-Crs", "<"+crs84+">")
	if coll.ID == "parcels" {
		// A registered area far from the surveyed shape is a data-quality finding, not an
		// error: the write stands and the response says so.
		if ac, err := store.CheckArea(c.Request().Context(), s.pool, id); err == nil && ac != nil && ac.Flagged {
			w, _ := json.Marshal([]map[string]any{{"field": "registered_area_m2", "registered_m2": ac.RegisteredM2,
				"plane_m2": round(ac.PlaneM2, 2),
				"zh":       "登记面积与图形面积（CGCS2000 3度带投影）相差超过 1% 或 10 m²",
				"en":       "registered area differs from the GK-plane area of the geometry by more than max(1 %, 10 m²)"}})
			feature = append(append(append(feature[:len(feature)-1:len(feature)-1], `,"warnings":`...), w...), '}')
		}
	}
	return c.Blob(status, mtGeoJSON, feature)
}

// validate applies the registry's rules to a parcel record (other collections are
// checked by the database alone).
func (s *Server) validate(c echo.Context, collection string, props map[string]*string, id int64) error {
	if collection != "parcels" {
		return nil
	}
	if p := validateParcel(props, landreg.Today()); p != nil {
		if id != 0 {
			p.FeatureID = strconv.FormatInt(id, 10)
		}
		return p
	}
	return nil
}

// merged is the record a merge patch would leave, for validation.
func (s *Server) merged(c echo.Context, collection string, id int64, patch map[string]*string) (map[string]*string, error) {
	if collection != "parcels" {
		return patch, nil
	}
	cur, err := store.ParcelProps(c.Request().Context(), s.pool, id)
	if err != nil {
		return nil, s.writeError(err, strconv.FormatInt(id, 10))
	}
	for k, v := range patch {
		cur[k] = v
	}
	return cur, nil
}

func (s *Server) createItem(c echo.Context) error {
	coll, w, err := s.writable(c)
	if err != nil {
		return err
	}
	fw, reason, err := parseFeatureWrite(c, w, false)
	if err != nil {
		return err
	}
	ch, err := s.change(c, reason)
	if err != nil {
		return err
	}
	if err := s.validate(c, coll.ID, fw.Props, 0); err != nil {
		return err
	}
	if err := s.checkHolder(c, coll.ID, fw.Props); err != nil {
		return err
	}
	// A parcel registered today still has a past: its record is valid from the
	// contract date unless the client says otherwise, so status as of earlier dates works.
	if coll.ID == "parcels" && fw.Props["valid_from"] == nil && fw.Props["contract_date"] != nil {
		fw.Props["valid_from"] = fw.Props["contract_date"]
	}
	id, err := store.CreateFeature(c.Request().Context(), s.pool, ch, coll.ID, fw)
	if err != nil {
		return s.featureWriteError(err, "", w)
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/collections/"+coll.ID+"/items/"+strconv.FormatInt(id, 10))
	return s.respondFeature(c, coll, id, http.StatusCreated)
}

func (s *Server) featureID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("featureId"), 10, 64)
	if err != nil {
		p := notFound("要素编号须为整数", "feature id must be an integer")
		p.FeatureID = c.Param("featureId")
		return 0, p
	}
	return id, nil
}

func (s *Server) replaceItem(c echo.Context) error { return s.updateItem(c, false) }
func (s *Server) patchItem(c echo.Context) error   { return s.updateItem(c, true) }

func (s *Server) updateItem(c echo.Context, patch bool) error {
	coll, w, err := s.writable(c)
	if err != nil {
		return err
	}
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	fw, reason, err := parseFeatureWrite(c, w, patch)
	if err != nil {
		return err
	}
	ch, err := s.change(c, reason)
	if err != nil {
		return err
	}
	if fw.EchoedID != 0 && fw.EchoedID != id {
		// Another feature's properties pasted onto this one: refused, not written over.
		return badParam("properties.id", "属性中的要素编号 "+strconv.FormatInt(fw.EchoedID, 10)+" 与地址中的 "+
			strconv.FormatInt(id, 10)+" 不一致", "properties.id "+strconv.FormatInt(fw.EchoedID, 10)+
			" does not match the feature "+strconv.FormatInt(id, 10)+" in the path")
	}
	check := fw.Props
	if patch {
		if check, err = s.merged(c, coll.ID, id, fw.Props); err != nil {
			return err
		}
	}
	if err := s.validate(c, coll.ID, check, id); err != nil {
		return err
	}
	if err := s.checkHolder(c, coll.ID, fw.Props); err != nil {
		return err
	}
	if err := store.UpdateFeature(c.Request().Context(), s.pool, ch, coll.ID, id, fw, !patch); err != nil {
		return s.featureWriteError(err, c.Param("featureId"), w)
	}
	return s.respondFeature(c, coll, id, http.StatusOK)
}

func (s *Server) deleteItem(c echo.Context) error {
	coll, _, err := s.writable(c)
	if err != nil {
		return err
	}
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	// DELETE has no body: the reason comes in the header.
	ch, err := s.change(c, "")
	if err != nil {
		return err
	}
	if coll.ID == "parcels" {
		// A parcel's retirement is recorded (注销, today, without a document here; see
		// DELETE /v1/parcels/{id} for the legal date and the document).
		_, err = store.RetireParcel(c.Request().Context(), s.pool, ch, id, "", "", v)
	} else {
		err = store.RetireFeature(c.Request().Context(), s.pool, ch, coll.ID, id, v)
	}
	if err != nil {
		return s.writeError(err, c.Param("featureId"))
	}
	return c.NoContent(http.StatusNoContent)
}
