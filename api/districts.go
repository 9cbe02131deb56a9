package api

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// Districts (县级行政区) under /v1: a bureau registers its county and changes its rule
// settings or boundary, each change a version with its document; admin only. The
// boundary comes as GeoJSON in a JSON body (geometry, in crs) or as a file in a
// multipart form (file: Shapefile, GeoPackage or GeoJSON, read as imports are).

func (s *Server) routesDistricts(g *echo.Group) {
	admin := requireRole()
	g.GET("/districts", s.listDistricts)
	g.POST("/districts", s.createDistrict, admin)
	g.GET("/districts/:code", s.getDistrict)
	g.PATCH("/districts/:code", s.patchDistrict, admin)
	g.GET("/districts/:code/history", s.districtHistory)
	s.routesPolicy(g)
}

// districtFields are the fields of a district write besides the settings
// (landreg.DistrictSettings): in a JSON body geometry and crs; in a form, the file with
// crs, layer and encoding.
var (
	districtJSONFields = []string{"xzqdm", "geometry", "crs", "effective_date", "reason"}
	districtFormFields = []string{"xzqdm", "crs", "layer", "encoding", "effective_date", "reason"}
)

// districtRequest is a parsed district write.
type districtRequest struct {
	xzqdm     string
	props     map[string]*string
	geom      *geo.Polygonal
	boundary  *exchange.Boundary // when the boundary came from a file
	effective time.Time          // zero: today
	reason    string
}

func allowedDistrictFields(form bool) []string {
	out := append([]string{}, districtJSONFields...)
	if form {
		out = append(append([]string{}, districtFormFields...), "file")
	}
	for k := range landreg.DistrictSettings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readDistrict parses a JSON body (application/json or merge patch) or a multipart form.
func (s *Server) readDistrict(c echo.Context) (*districtRequest, func(), error) {
	done := func() {}
	r := &districtRequest{props: map[string]*string{}}
	crs := geo.CRSs[0]
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt == "multipart/form-data" {
		fields := map[string]bool{}
		for _, f := range districtFormFields {
			fields[f] = true
		}
		for k := range landreg.DistrictSettings {
			fields[k] = true
		}
		up, err := readUpload(c, fields, districtBodyLimit, nil)
		if up != nil {
			done = func() { os.RemoveAll(up.dir) }
		}
		if err != nil {
			return nil, done, err
		}
		for k, v := range up.form {
			if _, ok := landreg.DistrictSettings[k]; ok {
				// An empty field clears its setting, as null does in JSON.
				if v == "" {
					r.props[k] = nil
				} else {
					v := v
					r.props[k] = &v
				}
			}
		}
		r.xzqdm, r.reason = up.form["xzqdm"], up.form["reason"]
		if v := up.form["effective_date"]; v != "" {
			d, p := parseDate("effective_date", v)
			if p != nil {
				return nil, done, p
			}
			r.effective = d
		}
		if len(up.saved) > 0 {
			if err := up.needFile(); err != nil {
				return nil, done, err
			}
			code := r.xzqdm
			if code == "" {
				code = c.Param("code")
			}
			b, err := exchange.ReadBoundary(c.Request().Context(), s.pool, exchange.BoundaryOptions{Path: up.main, Name: up.mainName,
				Layer: up.form["layer"], CRS: up.form["crs"], Encoding: up.form["encoding"], Xzqdm: code})
			if err != nil {
				return nil, done, fileProblem(err)
			}
			r.geom, r.boundary = b.Geom, b
		} else if up.form["layer"] != "" || up.form["encoding"] != "" {
			return nil, done, badParam("file", "layer、encoding 只用于上传的边界文件", "layer and encoding describe an uploaded boundary file; none was sent")
		} else if v := up.form["crs"]; v != "" {
			return nil, done, badParam("crs", "crs 只用于边界", "crs describes the boundary; none was sent")
		}
		return r, done, nil
	}
	var body map[string]json.RawMessage
	if err := decodeJSON(c, &body, mtMergePatch); err != nil {
		return nil, done, err
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	text := func(k string) (string, *Problem) {
		v, p := propertyText(k, body[k])
		if p != nil || v == nil {
			return "", p
		}
		return *v, nil
	}
	for _, k := range keys {
		if _, ok := landreg.DistrictSettings[k]; ok {
			v, p := propertyText(k, body[k])
			if p != nil {
				p.Field = k
				return nil, done, p
			}
			r.props[k] = v
			continue
		}
		if !contains(districtJSONFields, k) {
			p := badParam(k, "未知字段 "+k, "unknown field "+strconv.Quote(k))
			p.Allowed = allowedDistrictFields(false)
			return nil, done, p
		}
	}
	var p *Problem
	if r.xzqdm, p = text("xzqdm"); p != nil {
		return nil, done, p
	}
	if r.reason, p = text("reason"); p != nil {
		return nil, done, p
	}
	if v, p := text("effective_date"); p != nil {
		return nil, done, p
	} else if v != "" {
		d, p := parseDate("effective_date", v)
		if p != nil {
			return nil, done, p
		}
		r.effective = d
	}
	if v, p := text("crs"); p != nil {
		return nil, done, p
	} else if v != "" {
		if crs, p = parseCRS("crs", v); p != nil {
			return nil, done, p
		}
	}
	if g, ok := body["geometry"]; ok && string(g) != "null" {
		pg, err := geo.ParsePolygonal(g, crs, false)
		if err != nil {
			return nil, done, geometryProblem("geometry", err)
		}
		r.geom = pg
	}
	return r, done, nil
}

// districtBodyLimit is the body limit of district writes (the server-wide one).
const districtBodyLimit = 16 << 20

// checkDistrict validates the record a write would leave (current settings with the
// request's on top) by the registry's rules, numbers by the API's bounds first.
func checkDistrict(xzqdm string, cur, props map[string]*string) *Problem {
	for _, k := range []string{"comp_ratio", "minor_edit_m2"} {
		if v := props[k]; v != nil {
			r := landreg.DistrictBounds[k]
			if _, zh, en := (bound{Min: r.Min, Max: r.Max, Unit: r.Unit}).check(*v); zh != "" {
				return valueProblem(k, k+" "+zh, k+" "+en)
			}
		}
	}
	for _, k := range []string{"rule_start", "rule_end"} {
		if v := props[k]; v != nil {
			if p := checkProperty(k, "date", *v); p != nil {
				p.Field = k
				return p
			}
		}
	}
	rec := landreg.MergeRecord(cur, props)
	rec["xzqdm"] = xzqdm
	if errs := landreg.ValidateDistrict(rec); len(errs) > 0 {
		return refusal(errs[0])
	}
	return nil
}

// checkEffective: a district's change takes effect today or on a past date, never
// before the version it replaces (nor in the future, when the current row would
// already rule).
func checkEffective(eff time.Time, cur *store.District) *Problem {
	if eff.IsZero() {
		return nil
	}
	today := landreg.Today()
	if eff.After(today) {
		return valueProblem("effective_date", "生效日期 "+eff.Format(time.DateOnly)+" 不能晚于今天："+"行政区设置一经写入即为现行",
			"effective_date "+eff.Format(time.DateOnly)+" is after today: a district's settings rule from the moment they are written; write the change when it takes effect")
	}
	if cur != nil && eff.Format(time.DateOnly) < cur.ValidFrom {
		return valueProblem("effective_date", "生效日期 "+eff.Format(time.DateOnly)+" 早于现行版本的生效日期 "+cur.ValidFrom,
			"effective_date "+eff.Format(time.DateOnly)+" is before the current version took effect ("+cur.ValidFrom+"); a new version cannot start before the one it replaces")
	}
	return nil
}

func (s *Server) districtChange(c echo.Context, r *districtRequest) (store.Change, error) {
	ch, err := s.change(c, r.reason)
	ch.Effective = r.effective
	return ch, err
}

func districtNotFound(code string) *Problem {
	p := notFound("行政区 "+code+" 不存在", "unknown district "+strconv.Quote(code))
	p.FeatureID = code
	return p
}

func (s *Server) createDistrict(c echo.Context) error {
	r, done, err := s.readDistrict(c)
	defer done()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if r.xzqdm == "" && r.boundary != nil {
		r.xzqdm = r.boundary.Xzqdm
	}
	// A new district takes the defaults of what it leaves unset.
	for k, v := range r.props {
		if v == nil {
			delete(r.props, k)
		}
	}
	if _, ok := r.props["name"]; !ok && r.boundary != nil && r.boundary.Name != "" {
		r.props["name"] = &r.boundary.Name
	}
	if p := checkDistrict(r.xzqdm, nil, r.props); p != nil {
		return p
	}
	if r.geom == nil {
		return badParam("geometry", "缺少行政区边界：geometry（GeoJSON）或上传文件 file", "the district's boundary is required: geometry (GeoJSON) or an uploaded file")
	}
	if p := checkEffective(r.effective, nil); p != nil {
		return p
	}
	if _, err := store.GetDistrict(ctx, s.pool, r.xzqdm, nil); err == nil {
		p := problem(http.StatusConflict, "duplicate", "Duplicate key", "行政区 "+r.xzqdm+" 已登记，请用 PATCH 修改",
			"district "+r.xzqdm+" is already registered; change it with PATCH /v1/districts/"+r.xzqdm)
		p.Field, p.FeatureID = "xzqdm", r.xzqdm
		return p
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ch, err := s.districtChange(c, r)
	if err != nil {
		return err
	}
	if err := store.CreateDistrict(ctx, s.pool, ch, r.xzqdm, store.DistrictWrite{Props: r.props, Geom: r.geom}); err != nil {
		return districtWriteError(err, r.xzqdm)
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/districts/"+r.xzqdm)
	return s.respondDistrict(c, r.xzqdm, http.StatusCreated, r.boundary)
}

func (s *Server) patchDistrict(c echo.Context) error {
	code := c.Param("code")
	ctx := c.Request().Context()
	cur, err := store.GetDistrict(ctx, s.pool, code, nil)
	if errors.Is(err, store.ErrNotFound) {
		return districtNotFound(code)
	}
	if err != nil {
		return err
	}
	ifv, err := districtIfMatch(c, code)
	if err != nil {
		return err
	}
	r, done, err := s.readDistrict(c)
	defer done()
	if err != nil {
		return err
	}
	if r.xzqdm != "" && r.xzqdm != code {
		return badParam("xzqdm", "行政区划代码不可修改", "the district code is immutable: "+r.xzqdm+" ≠ "+code)
	}
	if v := r.props["doc_no"]; v == nil || strings.TrimSpace(*v) == "" {
		p := valueProblem("doc_no", "行政区的每次变更须有文号 doc_no", "every change of a district needs its document number (doc_no)")
		return p
	}
	if len(r.props) == 1 && r.geom == nil {
		return badParam("doc_no", "请求没有变更任何设置或边界", "the request changes no setting and no boundary; only doc_no was given")
	}
	curProps, err := store.DistrictProps(ctx, s.pool, code)
	if err != nil {
		return err
	}
	if p := checkDistrict(code, curProps, r.props); p != nil {
		p.FeatureID = code
		return p
	}
	if p := checkEffective(r.effective, cur); p != nil {
		return p
	}
	ch, err := s.districtChange(c, r)
	if err != nil {
		return err
	}
	err = store.UpdateDistrict(ctx, s.pool, ch, code, store.DistrictWrite{Props: r.props, Geom: r.geom, IfVersions: ifv})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return districtNotFound(code)
	case errors.Is(err, store.ErrPrecondition):
		return preconditionFailed()
	case err != nil:
		return districtWriteError(err, code)
	}
	return s.respondDistrict(c, code, http.StatusOK, r.boundary)
}

// districtIfMatch reads If-Match as for features: the versions of this district named.
func districtIfMatch(c echo.Context, code string) ([]int, error) {
	h := strings.Join(c.Request().Header.Values("If-Match"), ", ")
	if strings.TrimSpace(h) == "" {
		return nil, nil
	}
	tags, star, ok := parseETags(h)
	if !ok {
		return nil, badParam("If-Match", "If-Match 格式错误", `If-Match must be "*" or a list of entity tags such as "330304-2", got `+strconv.Quote(h))
	}
	if star {
		return nil, nil
	}
	versions := []int{}
	for _, t := range tags {
		if v, found := strings.CutPrefix(t.opaque, code+"-"); found && !t.weak {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				versions = append(versions, n)
			}
		}
	}
	return versions, nil
}

func districtWriteError(err error, code string) error {
	if p := dbProblem(err); p != nil {
		p.FeatureID = code
		switch p.Type {
		case problemBase + "invalid-geometry", problemBase + "empty-geometry", problemBase + "outside-china", problemBase + "district-overlap":
			p.Field = "geometry"
		}
		return p
	}
	return err
}

// districtView is a district version as the API shows it: areas in m², 亩 and 公顷 and
// the Gauss-Krüger zone as a CRS.
func districtView(d store.District) map[string]any {
	v := map[string]any{
		"xzqdm": d.Xzqdm, "name": d.Name, "rule_start": d.RuleStart, "rule_end": d.RuleEnd, "comp_ratio": d.CompRatio,
		"level_for_level": d.LevelForLevel, "minor_edit_m2": d.MinorEditM2, "include_logistics": d.IncludeLogistics,
		"baseline_doc": d.BaselineDoc, "baseline_date": d.BaselineDate, "area": area(d.AreaM2), "bbox": d.BBox,
		"gk_srid": d.GKSRID, "gk_crs": "EPSG:" + strconv.Itoa(d.GKSRID), "synthetic": d.Synthetic,
		"doc_no": d.DocNo, "valid_from": d.ValidFrom, "valid_to": d.ValidTo, "version": d.Version,
		"sys_from": d.SysFrom, "sys_to": d.SysTo, "retired": d.Retired, "created_by": d.CreatedBy, "reason": d.Reason,
	}
	if d.BaselineAreaM2 != nil {
		v["baseline"] = area(*d.BaselineAreaM2)
	}
	return v
}

func (s *Server) respondDistrict(c echo.Context, code string, status int, b *exchange.Boundary) error {
	d, err := store.GetDistrict(c.Request().Context(), s.pool, code, nil)
	if err != nil {
		return err
	}
	v := districtView(*d)
	if b != nil {
		v["boundary_file"] = map[string]any{"layer": b.Layer, "source_crs": b.SourceCRS, "crs_from": b.CRSFrom, "features": b.Features}
	}
	c.Response().Header().Set("ETag", `"`+code+"-"+strconv.Itoa(d.Version)+`"`)
	return writeJSON(c, status, mtJSON, v)
}

func (s *Server) listDistricts(c echo.Context) error {
	list, err := store.ListDistricts(c.Request().Context(), s.pool)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i, d := range list {
		out[i] = districtView(d)
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"districts": out})
}

func (s *Server) getDistrict(c echo.Context) error {
	code := c.Param("code")
	var asOf *time.Time
	if v := c.QueryParam("date"); v != "" {
		d, p := parseDate("date", v)
		if p != nil {
			return p
		}
		asOf = &d
	}
	d, err := store.GetDistrict(c.Request().Context(), s.pool, code, asOf)
	if errors.Is(err, store.ErrNotFound) {
		if asOf != nil {
			p := notFound("行政区 "+code+" 在 "+asOf.Format(time.DateOnly)+" 没有版本", "district "+strconv.Quote(code)+" has no version on "+asOf.Format(time.DateOnly))
			p.FeatureID = code
			return p
		}
		return districtNotFound(code)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", `"`+code+"-"+strconv.Itoa(d.Version)+`"`)
	return writeJSON(c, http.StatusOK, mtJSON, districtView(*d))
}

func (s *Server) districtHistory(c echo.Context) error {
	code := c.Param("code")
	h, err := store.GetDistrictHistory(c.Request().Context(), s.pool, code)
	if errors.Is(err, store.ErrNotFound) {
		return districtNotFound(code)
	}
	if err != nil {
		return err
	}
	versions := make([]map[string]any, len(h.Versions))
	for i, d := range h.Versions {
		versions[i] = districtView(d)
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"xzqdm": code, "versions": versions, "audit": h.Audit})
}
