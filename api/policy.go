package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// A district's idle policy (闲置/低效认定参数) under /v1/districts/{code}/idle-policy
// (issue 13.3): GET the version in force today or on date= with every version, PUT a
// version (admin) with its document and effective date, GET …/history for every
// version ever written and the audit trail.

func (s *Server) routesPolicy(g *echo.Group) {
	g.GET("/districts/:code/idle-policy", s.getIdlePolicy)
	g.PUT("/districts/:code/idle-policy", s.putIdlePolicy, requireRole())
	g.GET("/districts/:code/idle-policy/history", s.idlePolicyHistory)
}

// policyFields are the members of a PUT body besides the settings.
var policyFields = []string{"doc_no", "effective_date", "reason"}

func allowedPolicyFields() []string {
	out := append([]string{}, policyFields...)
	for k := range landreg.PolicySettings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// currentDistrict answers 404 for a district that is not registered now.
func (s *Server) currentDistrict(c echo.Context, code string) error {
	_, err := store.GetDistrict(c.Request().Context(), s.pool, code, nil)
	if errors.Is(err, store.ErrNotFound) {
		return districtNotFound(code)
	}
	return err
}

func (s *Server) getIdlePolicy(c echo.Context) error {
	code := c.Param("code")
	if err := s.currentDistrict(c, code); err != nil {
		return err
	}
	d := landreg.Today()
	if v := c.QueryParam("date"); v != "" {
		var p *Problem
		if d, p = parseDate("date", v); p != nil {
			return p
		}
	}
	return s.respondPolicy(c, code, d, http.StatusOK)
}

func (s *Server) respondPolicy(c echo.Context, code string, d time.Time, status int) error {
	ctx := c.Request().Context()
	in, err := store.PolicyAt(ctx, s.pool, code, d)
	if err != nil {
		return err
	}
	versions, err := store.PolicyVersions(ctx, s.pool, code)
	if err != nil {
		return err
	}
	return writeJSON(c, status, mtJSON, map[string]any{"xzqdm": code, "date": d.Format(time.DateOnly),
		"policy": in, "versions": versions})
}

func (s *Server) idlePolicyHistory(c echo.Context) error {
	code := c.Param("code")
	if err := s.currentDistrict(c, code); err != nil {
		return err
	}
	h, err := store.GetPolicyHistory(c.Request().Context(), s.pool, code)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"xzqdm": code, "versions": h.Versions, "audit": h.Audit})
}

// putIdlePolicy writes a version of the district's policy in force from effective_date
// (required, with doc_no): the settings given, merged onto the version in force on that
// date (or the defaults). A version already taking effect on that date is replaced.
func (s *Server) putIdlePolicy(c echo.Context) error {
	code := c.Param("code")
	if err := s.currentDistrict(c, code); err != nil {
		return err
	}
	var body map[string]json.RawMessage
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	props := map[string]*string{}
	var docNo, effective, reason string
	for _, k := range keys {
		v, p := propertyText(k, body[k])
		if p != nil {
			p.Field = k
			return p
		}
		if _, ok := landreg.PolicySettings[k]; ok {
			if v != nil {
				if e := landreg.CheckPolicyValue(k, *v); e != nil {
					return refusal(e)
				}
			}
			props[k] = v
			continue
		}
		text := ""
		if v != nil {
			text = *v
		}
		switch k {
		case "doc_no":
			docNo = strings.TrimSpace(text)
		case "effective_date":
			effective = text
		case "reason":
			reason = text
		default:
			p := badParam(k, "未知字段 "+k, "unknown field "+strconv.Quote(k))
			p.Allowed = allowedPolicyFields()
			return p
		}
	}
	if docNo == "" {
		return valueProblem("doc_no", "闲置认定参数的每个版本须有文号 doc_no", "every version of the idle policy needs its document number (doc_no)")
	}
	if effective == "" {
		return valueProblem("effective_date", "须给出生效日期 effective_date（YYYY-MM-DD）",
			"effective_date (YYYY-MM-DD) is required: the legal date from which the version is in force")
	}
	eff, p := parseDate("effective_date", effective)
	if p != nil {
		return p
	}
	if len(props) == 0 {
		return badParam("doc_no", "请求没有给出任何参数", "the request sets no setting; give the settings that change ("+strings.Join(allowedPolicyFields(), ", ")+")")
	}
	ch, err := s.change(c, reason)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur, err := store.PolicyProps(ctx, s.pool, code, eff)
	if err != nil {
		return err
	}
	rec := landreg.MergeRecord(cur, props)
	if errs := landreg.ValidatePolicy(rec); len(errs) > 0 {
		pr := refusal(errs[0])
		pr.FeatureID = code
		return pr
	}
	merged := map[string]*string{}
	for k := range landreg.PolicySettings {
		if v, ok := rec[k]; ok {
			merged[k] = &v
		} else {
			merged[k] = nil
		}
	}
	_, err = store.PutPolicy(ctx, s.pool, ch, code, store.PolicyWrite{Props: merged, DocNo: docNo, Effective: eff})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return districtNotFound(code)
	case err != nil:
		if p := dbProblem(err); p != nil {
			p.FeatureID = code
			if p.Field == "valid_from" {
				p.Field = "effective_date"
			}
			return p
		}
		return err
	}
	return s.respondPolicy(c, code, eff, http.StatusOK)
}
