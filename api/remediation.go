package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// Remediation projects of low-efficiency land (低效用地整治, issue 15) under
// /v1/remediation: listed, planned and closed by planners; the status moves one step at
// a time (POST …/status), the database refusing skipped or backward steps and any change
// of a closed project.

func (s *Server) routesRemediation(g *echo.Group) {
	planner := requireRole(landreg.RolePlanner)
	g.GET("/remediation", s.listProjects)
	g.POST("/remediation", s.createProject, planner)
	g.GET("/remediation/candidates", s.remediationCandidates)
	g.GET("/remediation/:id", s.getProject)
	g.PATCH("/remediation/:id", s.patchProject, planner)
	g.DELETE("/remediation/:id", s.deleteProject, planner)
	g.POST("/remediation/:id/status", s.projectStatus, planner)
	g.POST("/remediation/:id/events", s.projectProgress, planner)
	g.POST("/remediation/:id/links", s.projectLinks(false), planner)
	g.POST("/remediation/:id/unlinks", s.projectLinks(true), planner)
}

func projectNotFound(id int64) *Problem {
	p := notFound("整治项目 "+strconv.FormatInt(id, 10)+" 不存在", "no remediation project "+strconv.FormatInt(id, 10))
	p.FeatureID = strconv.FormatInt(id, 10)
	return p
}

// projectWritable: the project's columns, its legal date and the status-change fields.
var projectWritable = func() map[string]string {
	m := map[string]string{"effective_date": "date"}
	for k, v := range store.ProjectFields {
		if k != "documents" {
			m[k] = v
		}
	}
	return m
}()

// links reads parcels (ids) and enterprises (USCCs) of a body.
func links(arrays map[string][]string) ([]int64, []string, *Problem) {
	var ids []int64
	for _, v := range arrays["parcels"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return nil, nil, badParam("parcels", "parcels 须为宗地编号列表", "parcels must list parcel ids, got "+strconv.Quote(v))
		}
		ids = append(ids, id)
	}
	return ids, arrays["enterprises"], nil
}

// pgArray renders a list of texts as a PostgreSQL array literal.
func pgArray(list []string) string {
	b := []byte{'{'}
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		for _, r := range []byte(v) {
			if r == '"' || r == '\\' {
				b = append(b, '\\')
			}
			b = append(b, r)
		}
		b = append(b, '"')
	}
	return string(append(b, '}'))
}

func (s *Server) readProject(c echo.Context) (map[string]*string, []int64, []string, store.Change, error) {
	fields, arrays, reason, err := readFields(c, projectWritable, "documents", "parcels", "enterprises")
	if err != nil {
		return nil, nil, nil, store.Change{}, err
	}
	eff, p := effectiveParam(fields, "effective_date")
	if p != nil {
		return nil, nil, nil, store.Change{}, p
	}
	if d, ok := arrays["documents"]; ok {
		a := pgArray(d)
		fields["documents"] = &a
	}
	ids, usccs, p := links(arrays)
	if p != nil {
		return nil, nil, nil, store.Change{}, p
	}
	return fields, ids, usccs, change(c, reason, eff), nil
}

func (s *Server) createProject(c echo.Context) error {
	fields, ids, usccs, ch, err := s.readProject(c)
	if err != nil {
		return err
	}
	for _, k := range []string{"xzqdm", "town", "name", "method", "planned_mu", "planned_from", "planned_to"} {
		if fields[k] == nil {
			return badParam(k, "缺少必填字段 "+k, "missing required field "+k)
		}
	}
	for _, k := range store.ResultFields {
		if fields[k] != nil {
			return badParam(k, "整治结果在关闭项目时填写（POST …/status）", k+" is the result, written when the project closes (POST …/status)")
		}
	}
	id, err := store.CreateProject(c.Request().Context(), s.pool, ch, fields, ids, usccs)
	if err != nil {
		return s.writeError(err, "")
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/remediation/"+strconv.FormatInt(id, 10))
	return s.respondProject(c, id, http.StatusCreated)
}

func (s *Server) patchProject(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	fields, ids, usccs, ch, err := s.readProject(c)
	if err != nil {
		return err
	}
	if len(ids)+len(usccs) > 0 {
		return badParam("parcels", "宗地和企业用 POST …/links 增加", "add parcels and firms with POST …/links")
	}
	err = store.UpdateProject(c.Request().Context(), s.pool, ch, id, fields)
	if errors.Is(err, store.ErrNotFound) {
		return projectNotFound(id)
	}
	if err != nil {
		return s.writeError(err, strconv.FormatInt(id, 10))
	}
	return s.respondProject(c, id, http.StatusOK)
}

func (s *Server) deleteProject(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	err := store.DeleteProject(c.Request().Context(), s.pool, change(c, "", time.Time{}), id)
	if errors.Is(err, store.ErrNotFound) {
		return projectNotFound(id)
	}
	if err != nil {
		return s.writeError(err, strconv.FormatInt(id, 10))
	}
	return c.NoContent(http.StatusNoContent)
}

// POST /v1/remediation/{id}/status {"status", "date", "reason", "freed_mu", "new_holder_uscc", "new_project", "new_tax_per_mu_wan"}
func (s *Server) projectStatus(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	allowed := map[string]string{"status": "text", "date": "date"}
	for _, k := range store.ResultFields {
		allowed[k] = store.ProjectFields[k]
	}
	fields, _, reason, err := readFields(c, allowed)
	if err != nil {
		return err
	}
	st := fields["status"]
	if st == nil {
		return badParam("status", "缺少目标状态 status", "missing status (the next step: 制定方案, 整治中, 达标销号 or 关停退出)")
	}
	delete(fields, "status")
	eff, p := effectiveParam(fields, "date")
	if p != nil {
		return p
	}
	if eff.IsZero() {
		return badParam("date", "缺少状态变更日期 date", "missing date (the legal date of the step)")
	}
	err = store.SetProjectStatus(c.Request().Context(), s.pool, change(c, reason, eff), id, *st, fields)
	if errors.Is(err, store.ErrNotFound) {
		return projectNotFound(id)
	}
	if err != nil {
		return s.writeError(err, strconv.FormatInt(id, 10))
	}
	return s.respondProject(c, id, http.StatusOK)
}

// POST /v1/remediation/{id}/events {"date", "note", "doc_no"}: a dated note of progress.
func (s *Server) projectProgress(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	fields, _, reason, err := readFields(c, map[string]string{"date": "date", "note": "text", "doc_no": "text"})
	if err != nil {
		return err
	}
	eff, p := effectiveParam(fields, "date")
	if p != nil {
		return p
	}
	if eff.IsZero() {
		return badParam("date", "缺少进展日期 date", "missing date")
	}
	if fields["note"] == nil {
		return badParam("note", "缺少进展说明 note", "missing note")
	}
	_, err = store.AddProgress(c.Request().Context(), s.pool, change(c, reason, time.Time{}), id, eff, *fields["note"], fields["doc_no"])
	if err != nil {
		return s.writeError(err, strconv.FormatInt(id, 10))
	}
	return s.respondProject(c, id, http.StatusCreated)
}

// POST /v1/remediation/{id}/links|unlinks {"parcels": [ids], "enterprises": [USCCs]}
func (s *Server) projectLinks(remove bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, p := idParam(c)
		if p != nil {
			return p
		}
		_, arrays, reason, err := readFields(c, map[string]string{}, "parcels", "enterprises")
		if err != nil {
			return err
		}
		ids, usccs, p := links(arrays)
		if p != nil {
			return p
		}
		ctx := c.Request().Context()
		if _, err := store.GetProject(ctx, s.pool, id); errors.Is(err, store.ErrNotFound) {
			return projectNotFound(id)
		}
		if remove {
			err = store.UnlinkProject(ctx, s.pool, change(c, reason, time.Time{}), id, ids, usccs)
		} else {
			err = store.LinkProject(ctx, s.pool, change(c, reason, time.Time{}), id, ids, usccs)
		}
		if err != nil {
			return s.writeError(err, strconv.FormatInt(id, 10))
		}
		return s.respondProject(c, id, http.StatusOK)
	}
}

func (s *Server) respondProject(c echo.Context, id int64, status int) error {
	p, err := store.GetProject(c.Request().Context(), s.pool, id)
	if errors.Is(err, store.ErrNotFound) {
		return projectNotFound(id)
	}
	if err != nil {
		return err
	}
	return writeJSON(c, status, mtJSON, p)
}

func (s *Server) getProject(c echo.Context) error {
	id, p := idParam(c)
	if p != nil {
		return p
	}
	return s.respondProject(c, id, http.StatusOK)
}

func (s *Server) listProjects(c echo.Context) error {
	d, p := districtParam(c, false)
	if p != nil {
		return p
	}
	ps, err := store.ListProjects(c.Request().Context(), s.pool, store.ProjectQuery{Xzqdm: d, Status: c.QueryParam("status")})
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"projects": ps})
}

// GET /v1/remediation/candidates?year=&district=: the 整治企业清单 (default: the latest
// evaluated year).
func (s *Server) remediationCandidates(c echo.Context) error {
	d, p := districtParam(c, false)
	if p != nil {
		return p
	}
	ctx := c.Request().Context()
	year := 0
	if v := c.QueryParam("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < minYear || y > maxYear {
			return badParam("year", "year 须为年份", "year must be a year from 1900 to 2199")
		}
		year = y
	} else {
		y, err := store.LatestEvaluatedYear(ctx, s.pool)
		if err != nil {
			return err
		}
		year = y
	}
	list := []store.Candidate{}
	if year != 0 {
		var err error
		if list, err = store.Candidates(ctx, s.pool, year, d); err != nil {
			return err
		}
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"year": year, "candidates": list})
}
