package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// Targets (考核目标), the bureau's yearly transfers figures and the official 亩均 classes
// under /v1 (issue 15): written by admins, read by anyone the server lets read; the
// progress of every target as of a date and as known at a time.

func (s *Server) routesTargets(g *echo.Group) {
	admin := requireRole()
	g.GET("/targets", s.listTargets)
	g.POST("/targets", s.createTarget, admin)
	g.GET("/targets/progress", s.targetProgress)
	g.GET("/targets/:id", s.getTarget)
	g.PATCH("/targets/:id", s.patchTarget, admin)
	g.DELETE("/targets/:id", s.deleteTarget, admin)
	g.GET("/transfers", s.listTransfers)
	g.PUT("/transfers/:code/:year", s.putTransfer, admin)
	g.GET("/mujun/classes", s.listMujunClasses)
	g.POST("/mujun/classes", s.postMujunClasses, admin)
}

// readFields reads a JSON object of scalar fields (null clears) limited to allowed,
// besides reason (returned apart). lists names fields that are arrays of scalars, read
// into []string.
func readFields(c echo.Context, allowed map[string]string, lists ...string) (fields map[string]*string, arrays map[string][]string, reason string, err error) {
	var body map[string]json.RawMessage
	if err := decodeJSON(c, &body, mtMergePatch); err != nil {
		return nil, nil, "", err
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fields, arrays = map[string]*string{}, map[string][]string{}
	for _, k := range keys {
		if slices.Contains(lists, k) {
			var raw []json.RawMessage
			if err := json.Unmarshal(body[k], &raw); err != nil {
				return nil, nil, "", badParam(k, k+" 须为数组", k+" must be an array")
			}
			list := []string{}
			for _, r := range raw {
				v, p := propertyText(k, r)
				if p != nil || v == nil {
					return nil, nil, "", badParam(k, k+" 的元素须为非空标量", k+" must hold strings or numbers, not null")
				}
				list = append(list, *v)
			}
			arrays[k] = list
			continue
		}
		v, p := propertyText(k, body[k])
		if p != nil {
			p.Field = k
			return nil, nil, "", p
		}
		switch _, ok := allowed[k]; {
		case ok:
			fields[k] = v
		case k == "reason":
			if v != nil {
				reason = *v
			}
		default:
			p := badParam(k, "未知字段 "+k, "unknown field "+strconv.Quote(k))
			for a := range allowed {
				p.Allowed = append(p.Allowed, a)
			}
			p.Allowed = append(p.Allowed, append(lists, "reason")...)
			sort.Strings(p.Allowed)
			return nil, nil, "", p
		}
	}
	return fields, arrays, reason, nil
}

// change is the change context of a request: its token's name, the reason given in the
// body or X-Landreg-Reason, and the legal date (zero: today).
func change(c echo.Context, reason string, effective time.Time) store.Change {
	if reason == "" {
		reason = c.Request().Header.Get("X-Landreg-Reason")
	}
	return store.Change{Actor: actor(c), Reason: reason, Effective: effective}
}

// effectiveParam takes effective_date (or date) out of fields as the change's legal date.
func effectiveParam(fields map[string]*string, names ...string) (time.Time, *Problem) {
	for _, n := range names {
		v, ok := fields[n]
		if !ok {
			continue
		}
		delete(fields, n)
		if v == nil {
			return time.Time{}, badParam(n, n+" 不能为空", n+" cannot be null")
		}
		return parseDate(n, *v)
	}
	return time.Time{}, nil
}

func idParam(c echo.Context) (int64, *Problem) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, badParam("id", "id 须为正整数", "id must be a positive integer, got "+strconv.Quote(c.Param("id")))
	}
	return id, nil
}

// targetFields: the writable columns and the legal date of the change.
var targetFields = func() map[string]string {
	m := map[string]string{"effective_date": "date"}
	for k, v := range store.TargetFields {
		m[k] = v
	}
	return m
}()

func targetNotFound(id int64) *Problem {
	p := notFound("考核目标 "+strconv.FormatInt(id, 10)+" 不存在", "no target "+strconv.FormatInt(id, 10))
	p.FeatureID = strconv.FormatInt(id, 10)
	return p
}

func (s *Server) createTarget(c echo.Context) error {
	fields, _, reason, err := readFields(c, targetFields)
	if err != nil {
		return err
	}
	eff, p := effectiveParam(fields, "effective_date")
	if p != nil {
		return p
	}
	for _, k := range []string{"kind", "value", "period_from", "period_to"} {
		if fields[k] == nil {
			return badParam(k, "缺少必填字段 "+k, "missing required field "+k)
		}
	}
	id, err := store.CreateTarget(c.Request().Context(), s.pool, change(c, reason, eff), fields)
	if err != nil {
		return s.writeError(err, "")
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/targets/"+strconv.FormatInt(id, 10))
	return s.respondTarget(c, id, http.StatusCreated)
}

func (s *Server) patchTarget(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	fields, _, reason, err := readFields(c, targetFields)
	if err != nil {
		return err
	}
	eff, p := effectiveParam(fields, "effective_date")
	if p != nil {
		return p
	}
	err = store.UpdateTarget(c.Request().Context(), s.pool, change(c, reason, eff), id, fields)
	if errors.Is(err, store.ErrNotFound) {
		return targetNotFound(id)
	}
	if err != nil {
		return s.writeError(err, strconv.FormatInt(id, 10))
	}
	return s.respondTarget(c, id, http.StatusOK)
}

func (s *Server) deleteTarget(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	err := store.DeleteTarget(c.Request().Context(), s.pool, change(c, "", time.Time{}), id)
	if errors.Is(err, store.ErrNotFound) {
		return targetNotFound(id)
	}
	if err != nil {
		return s.writeError(err, strconv.FormatInt(id, 10))
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) respondTarget(c echo.Context, id int64, status int) error {
	ctx := c.Request().Context()
	t, err := store.GetTarget(ctx, s.pool, id)
	if errors.Is(err, store.ErrNotFound) {
		return targetNotFound(id)
	}
	if err != nil {
		return err
	}
	h, err := store.TargetHistory(ctx, s.pool, id)
	if err != nil {
		return err
	}
	return writeJSON(c, status, mtJSON, struct {
		*store.Target
		Versions []store.Target `json:"versions"`
	}{t, h})
}

func (s *Server) getTarget(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	return s.respondTarget(c, id, http.StatusOK)
}

// districtParam reads district= (a 6-digit code, or "city" where allowed).
func districtParam(c echo.Context, city bool) (string, *Problem) {
	d := c.QueryParam("district")
	if d == "" || (city && d == "city") {
		return d, nil
	}
	if _, err := strconv.Atoi(d); len(d) != 6 || err != nil {
		return "", badParam("district", "district 须为 6 位行政区划代码", "district must be a 6-digit code")
	}
	return d, nil
}

func (s *Server) listTargets(c echo.Context) error {
	d, p := districtParam(c, true)
	if p != nil {
		return p
	}
	ts, err := store.ListTargets(c.Request().Context(), s.pool, d)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"targets": ts})
}

// GET /v1/targets/progress?date=&known_at=&district=&format=json|csv|xlsx
func (s *Server) targetProgress(c echo.Context) error {
	if s.cfg.AuthReads {
		if err := checkRole(c, landreg.RoleAuditor); err != nil {
			return err
		}
	}
	d, known, err := s.quotaAsOf(c)
	if err != nil {
		return err
	}
	district, p := districtParam(c, true)
	if p != nil {
		return p
	}
	format := c.QueryParam("format")
	ctx := c.Request().Context()
	switch format {
	case "", "json":
		ps, err := store.TargetProgress(ctx, s.pool, d, known, district)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"date": d.Format(time.DateOnly), "known_at": known, "targets": ps})
	case "csv", "xlsx":
		t, err := audit.Reports["targets"].Run(ctx, s.pool, audit.Params{Date: d, KnownAt: known, District: district})
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, report.ContentType(format))
		h.Set(echo.HeaderContentDisposition, `attachment; filename="targets-`+d.Format("20060102")+"."+format+`"`)
		c.Response().WriteHeader(http.StatusOK)
		return report.Write(c.Response(), t, format)
	}
	p = badParam("format", "不支持的格式 "+format, "targets progress is not available as "+strconv.Quote(format))
	p.Allowed = []string{"json", "csv", "xlsx"}
	return p
}

func (s *Server) listTransfers(c echo.Context) error {
	d, p := districtParam(c, false)
	if p != nil {
		return p
	}
	ts, err := store.ListTransfers(c.Request().Context(), s.pool, d)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"transfers": ts})
}

// PUT /v1/transfers/{xzqdm}/{year} {"transferred_mu": 1600, "doc_no": …, "reason": …}
func (s *Server) putTransfer(c echo.Context) error {
	code := c.Param("code")
	if _, err := strconv.Atoi(code); len(code) != 6 || err != nil {
		return badParam("xzqdm", "行政区划代码须为 6 位数字", "the district code must be 6 digits")
	}
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < minYear || year > maxYear {
		return badParam("year", "year 须为年份", "year must be a year from 1900 to 2199")
	}
	fields, _, reason, err := readFields(c, map[string]string{"transferred_mu": "numeric", "doc_no": "text", "note": "text"})
	if err != nil {
		return err
	}
	if fields["transferred_mu"] == nil {
		return badParam("transferred_mu", "缺少出让总面积 transferred_mu（亩）", "missing transferred_mu (亩)")
	}
	ctx := c.Request().Context()
	if err := store.SetTransfer(ctx, s.pool, change(c, reason, time.Time{}), code, year, *fields["transferred_mu"],
		fields["doc_no"], fields["note"]); err != nil {
		return s.writeError(err, code+"/"+strconv.Itoa(year))
	}
	ts, err := store.ListTransfers(ctx, s.pool, code)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Year == year {
			return writeJSON(c, http.StatusOK, mtJSON, t)
		}
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listMujunClasses(c echo.Context) error {
	year := 0
	if v := c.QueryParam("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < minYear || y > maxYear {
			return badParam("year", "year 须为年份", "year must be a year from 1900 to 2199")
		}
		year = y
	}
	rs, err := store.MujunResults(c.Request().Context(), s.pool, year)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"classes": rs, "official": true})
}

// POST /v1/mujun/classes {"results": [{"uscc", "year", "class", "score", "published_on", "doc_no"}], "reason"}:
// the published evaluation, one transaction; a class on file is replaced (history keeps it).
func (s *Server) postMujunClasses(c echo.Context) error {
	var body struct {
		Results []store.MujunResult `json:"results"`
		Reason  string              `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if len(body.Results) == 0 {
		return badParam("results", "results 不能为空", "results must list at least one class")
	}
	for i, r := range body.Results {
		if p := checkMujunResult(r); p != nil {
			p.Field = "results[" + strconv.Itoa(i) + "]." + p.Field
			p.FeatureID = r.USCC
			return p
		}
	}
	if err := store.SetMujunResults(c.Request().Context(), s.pool, change(c, body.Reason, time.Time{}), body.Results); err != nil {
		return s.writeError(err, "")
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"written": len(body.Results)})
}

// checkMujunResult is the friendly check of one class before the database's.
func checkMujunResult(r store.MujunResult) *Problem {
	switch {
	case !slices.Contains([]string{"A", "B", "C", "D"}, strings.TrimSpace(r.Class)):
		return badParam("class", "评价类别须为 A、B、C 或 D", "class must be A, B, C or D, got "+strconv.Quote(r.Class))
	case r.Year < minYear || r.Year > maxYear:
		return badParam("year", "year 须为年份", "year must be a year from 1900 to 2199")
	}
	d, p := parseDate("published_on", r.PublishedOn)
	if p != nil {
		return p
	}
	if d.Year() <= r.Year {
		return badParam("published_on", "评价结果须在评价年度结束后公布", "a class is published after its year ends")
	}
	return nil
}

// The query parameters of the routes of issue 15 (routeParams, query.go); the audit
// reports take known_at for the targets sheet and the remediation ledger.
func init() {
	for route, params := range map[string][]string{
		"GET /v1/targets":                  {"district"},
		"POST /v1/targets":                 nil,
		"GET /v1/targets/progress":         {"date", "known_at", "district", "format"},
		"GET /v1/targets/:id":              nil,
		"PATCH /v1/targets/:id":            nil,
		"DELETE /v1/targets/:id":           nil,
		"GET /v1/transfers":                {"district"},
		"PUT /v1/transfers/:code/:year":    nil,
		"GET /v1/mujun/classes":            {"year"},
		"POST /v1/mujun/classes":           nil,
		"GET /v1/remediation":              {"district", "status"},
		"POST /v1/remediation":             nil,
		"GET /v1/remediation/candidates":   {"year", "district"},
		"GET /v1/remediation/:id":          nil,
		"PATCH /v1/remediation/:id":        nil,
		"DELETE /v1/remediation/:id":       nil,
		"POST /v1/remediation/:id/status":  nil,
		"POST /v1/remediation/:id/events":  nil,
		"POST /v1/remediation/:id/links":   nil,
		"POST /v1/remediation/:id/unlinks": nil,
	} {
		routeParams[route] = params
	}
	if !slices.Contains(routeParams["GET /v1/audit/:report"], "known_at") {
		routeParams["GET /v1/audit/:report"] = append(routeParams["GET /v1/audit/:report"], "known_at")
	}
}
