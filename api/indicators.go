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

// Annual indicators of an enterprise (企业年度亩均指标, issue 13.5) under
// /v1/enterprises/{uscc}/indicators: one set of figures per year, written whole by
// registrars; a correction is a new version and the replaced one stays in history.

func (s *Server) routesIndicators(g *echo.Group) {
	registrar := requireRole(landreg.RoleRegistrar)
	g.GET("/enterprises/:uscc/indicators", s.listIndicators)
	g.GET("/enterprises/:uscc/indicators/:year", s.getIndicators)
	g.PUT("/enterprises/:uscc/indicators/:year", s.putIndicators, registrar)
}

// indicatorYear reads the {year} of the path.
func indicatorYear(c echo.Context) (int, *Problem) {
	v := c.Param("year")
	y, err := strconv.Atoi(v)
	if err != nil || y < minYear || y > maxYear {
		return 0, badParam("year", "年度须为 1900–2199 间的整数", "the year must be an integer from 1900 to 2199, got "+strconv.Quote(v))
	}
	return y, nil
}

// knownEnterprise answers 404 for a USCC that is not registered.
func (s *Server) knownEnterprise(c echo.Context, uscc string) error {
	ok, err := store.EnterpriseExists(c.Request().Context(), s.pool, uscc)
	if err != nil {
		return err
	}
	if !ok {
		return enterpriseNotFound(uscc)
	}
	return nil
}

func (s *Server) listIndicators(c echo.Context) error {
	uscc := c.Param("uscc")
	if err := s.knownEnterprise(c, uscc); err != nil {
		return err
	}
	list, err := store.ListIndicators(c.Request().Context(), s.pool, uscc)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"uscc": uscc, "indicators": list})
}

func (s *Server) getIndicators(c echo.Context) error {
	uscc := c.Param("uscc")
	year, p := indicatorYear(c)
	if p != nil {
		return p
	}
	if err := s.knownEnterprise(c, uscc); err != nil {
		return err
	}
	return s.respondIndicators(c, uscc, year, http.StatusOK)
}

func (s *Server) respondIndicators(c echo.Context, uscc string, year, status int) error {
	cur, hist, err := store.GetIndicators(c.Request().Context(), s.pool, uscc, year)
	if errors.Is(err, store.ErrNotFound) {
		p := notFound("企业 "+uscc+" 没有 "+strconv.Itoa(year)+" 年的指标", "enterprise "+uscc+" has no indicators for "+strconv.Itoa(year))
		p.FeatureID = uscc
		return p
	}
	if err != nil {
		return err
	}
	return writeJSON(c, status, mtJSON, map[string]any{"uscc": uscc, "year": year, "current": cur, "history": hist})
}

// indicatorKeys are the body's keys besides the figures.
var indicatorKeys = []string{"reason", "uscc", "year"}

func (s *Server) putIndicators(c echo.Context) error {
	uscc := c.Param("uscc")
	year, p := indicatorYear(c)
	if p != nil {
		return p
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
	rec := map[string]string{"uscc": uscc, "year": strconv.Itoa(year)}
	var reason string
	for _, k := range keys {
		v, p := propertyText(k, body[k])
		if p != nil {
			p.Field = k
			return p
		}
		_, figure := landreg.IndicatorFields[k]
		switch {
		case figure:
			if v != nil {
				rec[k] = *v
			}
		case k == "reason":
			if v != nil {
				reason = *v
			}
		case k == "uscc" || k == "year":
			// The key may be repeated in the body, never changed there.
			if v != nil && *v != rec[k] {
				return badParam(k, k+" 与路径不一致", k+" in the body ("+*v+") differs from the path ("+rec[k]+")")
			}
		default:
			p := badParam(k, "未知字段 "+k, "unknown field "+strconv.Quote(k))
			for f := range landreg.IndicatorFields {
				p.Allowed = append(p.Allowed, f)
			}
			p.Allowed = append(p.Allowed, indicatorKeys...)
			sort.Strings(p.Allowed)
			return p
		}
	}
	if errs := landreg.ValidateIndicators(rec); len(errs) > 0 {
		p := refusal(errs[0])
		p.FeatureID = uscc
		return p
	}
	if err := s.knownEnterprise(c, uscc); err != nil {
		return err
	}
	ch, err := s.change(c, reason)
	if err != nil {
		return err
	}
	outcome, err := store.PutIndicators(c.Request().Context(), s.pool, ch, rec)
	if err != nil {
		return s.writeError(err, uscc)
	}
	status := http.StatusOK
	if outcome == "created" {
		status = http.StatusCreated
		c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/enterprises/"+uscc+"/indicators/"+strconv.Itoa(year))
	}
	return s.respondIndicators(c, uscc, year, status)
}
