package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// GET /v1/audit/{report}?format=json|csv|xlsx|geojson&date=&district=&years=&from=&to=&year=&parcel=
func (s *Server) auditReport(c echo.Context) error {
	if s.cfg.AuthReads {
		if err := checkRole(c, store.RoleAuditor); err != nil {
			return err
		}
	}
	r, ok := audit.Reports[c.Param("report")]
	if !ok {
		p := notFound("没有报表 "+c.Param("report"), "unknown report "+strconv.Quote(c.Param("report")))
		p.Allowed = audit.Names()
		return p
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "json"
	}
	if !slices.Contains(report.Formats, format) || (format == "geojson" && !r.Geo) {
		p := badParam("format", "不支持的格式 "+format, "report "+r.Name+" is not available as "+strconv.Quote(format))
		p.Allowed = []string{"json", "csv", "xlsx"}
		if r.Geo {
			p.Allowed = append(p.Allowed, "geojson")
		}
		return p
	}
	params, p := auditParams(c)
	if p != nil {
		return p
	}
	t, err := r.Build(c.Request().Context(), s.pool, params)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("宗地不存在", "no such parcel")
	}
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, report.ContentType(format))
	if format == "csv" || format == "xlsx" {
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+r.Name+"-"+params.Date.Format("20060102")+"."+format+`"`)
	}
	c.Response().WriteHeader(http.StatusOK)
	return report.Write(c.Response(), t, format)
}

func auditParams(c echo.Context) (audit.Params, *Problem) {
	p := audit.Params{Date: today(), District: c.QueryParam("district"), Year: today().Year() - 1}
	dates := []struct {
		name string
		dst  *time.Time
	}{{"date", &p.Date}, {"from", &p.From}, {"to", &p.To}}
	for _, d := range dates {
		if v := c.QueryParam(d.name); v != "" {
			t, pr := parseDate(d.name, v)
			if pr != nil {
				return p, pr
			}
			*d.dst = t
		}
	}
	if p.To.IsZero() {
		p.To = p.Date
	}
	if p.From.IsZero() {
		p.From = p.To.AddDate(-1, 0, 0)
	}
	ints := []struct {
		name string
		dst  *int
	}{{"years", &p.Years}, {"year", &p.Year}}
	for _, n := range ints {
		if v := c.QueryParam(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 {
				return p, badParam(n.name, n.name+" 须为非负整数", n.name+" must be a non-negative integer")
			}
			*n.dst = i
		}
	}
	if v := c.QueryParam("parcel"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return p, badParam("parcel", "parcel 须为宗地编号", "parcel must be a parcel id")
		}
		p.ParcelID = id
	}
	if _, err := strconv.Atoi(p.District); p.District != "" && (len(p.District) != 6 || err != nil) {
		return p, badParam("district", "district 须为 6 位行政区划代码", "district must be a 6-digit code")
	}
	if c.Param("report") == "dossier" && p.ParcelID == 0 {
		return p, badParam("parcel", "一宗一档需要 parcel 参数", "the dossier needs parcel=<id>")
	}
	return p, nil
}
