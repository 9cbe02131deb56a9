package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// Enterprises (企业, 权利人) under /v1: registered by their 统一社会信用代码, changed by
// registrars, audited like every write.

func (s *Server) routesEnterprises(g *echo.Group) {
	registrar := requireRole(landreg.RoleRegistrar)
	g.GET("/enterprises", s.listEnterprises)
	g.POST("/enterprises", s.createEnterprise, registrar)
	g.GET("/enterprises/:uscc", s.getEnterprise)
	g.PATCH("/enterprises/:uscc", s.patchEnterprise, registrar)
}

// readEnterprise reads a JSON body of enterprise fields (uscc, the writable fields of
// landreg.EnterpriseFields, reason); null clears a field.
func readEnterprise(c echo.Context) (uscc, reason string, props map[string]*string, err error) {
	var body map[string]json.RawMessage
	if err := decodeJSON(c, &body, mtMergePatch); err != nil {
		return "", "", nil, err
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	props = map[string]*string{}
	for _, k := range keys {
		v, p := propertyText(k, body[k])
		if p != nil {
			p.Field = k
			return "", "", nil, p
		}
		switch _, ok := landreg.EnterpriseFields[k]; {
		case ok:
			props[k] = v
		case k == "uscc" || k == "reason":
			if v != nil && k == "uscc" {
				uscc = *v
			} else if v != nil {
				reason = *v
			}
		default:
			p := badParam(k, "未知字段 "+k, "unknown field "+strconv.Quote(k))
			p.Allowed = []string{"address", "industry_code", "is_above_size", "name", "reason", "uscc"}
			return "", "", nil, p
		}
	}
	return uscc, reason, props, nil
}

// checkEnterprise validates the record a write would leave.
func checkEnterprise(uscc string, cur, props map[string]*string) *Problem {
	rec := landreg.MergeRecord(cur, props)
	rec["uscc"] = uscc
	if errs := landreg.ValidateEnterprise(rec); len(errs) > 0 {
		return refusal(errs[0])
	}
	return nil
}

func enterpriseNotFound(uscc string) *Problem {
	p := notFound("企业 "+uscc+" 未登记", "no enterprise with USCC "+strconv.Quote(uscc))
	p.FeatureID = uscc
	return p
}

func (s *Server) createEnterprise(c echo.Context) error {
	uscc, reason, props, err := readEnterprise(c)
	if err != nil {
		return err
	}
	if p := checkEnterprise(uscc, nil, props); p != nil {
		return p
	}
	ctx := c.Request().Context()
	if ok, err := store.EnterpriseExists(ctx, s.pool, uscc); err != nil {
		return err
	} else if ok {
		p := problem(http.StatusConflict, "duplicate", "Duplicate key", "企业 "+uscc+" 已登记，请用 PATCH 修改",
			"enterprise "+uscc+" is already registered; change it with PATCH /v1/enterprises/"+uscc)
		p.Field, p.FeatureID = "uscc", uscc
		return p
	}
	ch, err := s.change(c, reason)
	if err != nil {
		return err
	}
	if err := store.CreateEnterprise(ctx, s.pool, ch, uscc, props); err != nil {
		return s.writeError(err, uscc)
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/enterprises/"+uscc)
	return s.respondEnterprise(c, uscc, http.StatusCreated)
}

func (s *Server) patchEnterprise(c echo.Context) error {
	uscc := c.Param("uscc")
	ctx := c.Request().Context()
	cur, err := store.EnterpriseProps(ctx, s.pool, uscc)
	if errors.Is(err, store.ErrNotFound) {
		return enterpriseNotFound(uscc)
	}
	if err != nil {
		return err
	}
	body, reason, props, err := readEnterprise(c)
	if err != nil {
		return err
	}
	if body != "" && body != uscc {
		return badParam("uscc", "统一社会信用代码不可修改", "the USCC is the enterprise's key and cannot change: "+body+" ≠ "+uscc)
	}
	if p := checkEnterprise(uscc, cur, props); p != nil {
		p.FeatureID = uscc
		return p
	}
	ch, err := s.change(c, reason)
	if err != nil {
		return err
	}
	err = store.UpdateEnterprise(ctx, s.pool, ch, uscc, props)
	if errors.Is(err, store.ErrNotFound) {
		return enterpriseNotFound(uscc)
	}
	if err != nil {
		return s.writeError(err, uscc)
	}
	return s.respondEnterprise(c, uscc, http.StatusOK)
}

func (s *Server) respondEnterprise(c echo.Context, uscc string, status int) error {
	e, err := store.GetEnterprise(c.Request().Context(), s.pool, uscc)
	if err != nil {
		return err
	}
	return writeJSON(c, status, mtJSON, e)
}

func (s *Server) getEnterprise(c echo.Context) error {
	uscc := c.Param("uscc")
	e, err := store.GetEnterprise(c.Request().Context(), s.pool, uscc)
	if errors.Is(err, store.ErrNotFound) {
		return enterpriseNotFound(uscc)
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, e)
}

// maxEnterprisePage bounds a page of /v1/enterprises.
const maxEnterprisePage = 1000

func (s *Server) listEnterprises(c echo.Context) error {
	q := store.EnterpriseQuery{Q: c.QueryParam("q"), IndustryCode: c.QueryParam("industry_code"), Limit: 100}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badParam("limit", "limit 须为正整数", "limit must be a positive integer, got "+strconv.Quote(v))
		}
		q.Limit = min(n, maxEnterprisePage)
	}
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1e9 {
			return badParam("offset", "offset 须为非负整数", "offset must be a non-negative integer, got "+strconv.Quote(v))
		}
		q.Offset = n
	}
	if v := c.QueryParam("is_above_size"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badParam("is_above_size", "is_above_size 须为 true 或 false", "is_above_size must be true or false")
		}
		q.AboveSize = &b
	}
	list, total, err := store.ListEnterprises(c.Request().Context(), s.pool, q)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"enterprises": list, "numberMatched": total,
		"numberReturned": len(list), "limit": q.Limit, "offset": q.Offset})
}
