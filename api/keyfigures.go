package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// GET /v1/key-figures?date=&district= : the map panel's key figures (关键指标) of a
// district or the city as of a date, in one answer (store.KeyFiguresAt).
func (s *Server) keyFigures(c echo.Context) error {
	if s.cfg.AuthReads {
		// The idle figures are the idle report's: the same role reads them.
		if err := checkRole(c, landreg.RoleAuditor); err != nil {
			return err
		}
	}
	d := landreg.Today()
	if q := c.QueryParam("date"); q != "" {
		t, p := parseDate("date", q)
		if p != nil {
			return p
		}
		d = t
	}
	district, p := districtParam(c, false)
	if p != nil {
		return p
	}
	k, err := store.KeyFiguresAt(c.Request().Context(), s.pool, d, district)
	if errors.Is(err, store.ErrNotFound) {
		p := notFound("行政区 "+district+" 不存在", "unknown district "+strconv.Quote(district))
		p.Field = "district"
		return p
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, k)
}

func init() {
	routeParams["GET /v1/key-figures"] = []string{"date", "district"}
}

// keyFiguresSchema documents the answer of GET /v1/key-figures.
var keyFiguresSchema = obj{"type": "object", "required": []string{"date", "xzqdm", "name", "idle_parcels", "idle_mu", "problem_parcels",
	"problem_mu", "low_efficiency_parcels", "margin_mu", "rule_applies", "pass", "mujun_year", "enterprises", "low_enterprises",
	"tax_per_mu_wan", "va_per_mu_wan"}, "properties": obj{
	"date":                   dateSchema,
	"xzqdm":                  obj{"type": "string", "nullable": true, "description": "the district; null: the city"},
	"name":                   obj{"type": "string"},
	"idle_parcels":           obj{"type": "integer", "description": "statutory idle land (闲置土地), parcels"},
	"idle_mu":                obj{"type": "number", "description": "statutory idle land, registered 亩"},
	"problem_parcels":        obj{"type": "integer", "description": "idle and inefficient land (every category but normal and retired), parcels"},
	"problem_mu":             obj{"type": "number", "description": "idle and inefficient land, registered 亩"},
	"low_efficiency_parcels": obj{"type": "integer", "description": "parcels whose holder is judged 低效"},
	"margin_mu":              obj{"type": "number", "description": "block-line total less baseline, 亩"},
	"rule_applies":           obj{"type": "boolean", "description": "总量只增不减 applies on the date (the city: in any district)"},
	"pass":                   obj{"type": "boolean", "nullable": true, "description": "the rule's verdict (the city: every district's); null when it does not apply"},
	"mujun_year":             obj{"type": "integer", "description": "the year of the 亩均 figures: the latest whose figures count by the date (year ended, recorded by then); else the year before the date's"},
	"enterprises":            obj{"type": "integer", "description": "enterprises judged that year"},
	"low_enterprises":        obj{"type": "integer", "description": "of which 低效"},
	"tax_per_mu_wan":         obj{"type": "number", "nullable": true, "description": "亩均税收: their tax over their land, 万元/亩"},
	"va_per_mu_wan":          obj{"type": "number", "nullable": true, "description": "亩均增加值: value added over the land of the firms that reported it, 万元/亩"},
}}
