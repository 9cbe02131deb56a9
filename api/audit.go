package api

import (
	"github.com/landreg/landreg"

	"bufio"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// GET /v1/audit/{report}?format=json|csv|xlsx|geojson&date=&district=&years=&from=&to=&year=&parcel=
func (s *Server) auditReport(c echo.Context) error { return s.serveReport(c, c.Param("report")) }

// serveReport answers the report named name (an audit report, or a route of its own
// such as /v1/disposals) in the format asked.
func (s *Server) serveReport(c echo.Context, name string) error {
	if s.cfg.AuthReads {
		if err := checkRole(c, landreg.RoleAuditor); err != nil {
			return err
		}
	}
	r, ok := audit.Reports[name]
	if !ok {
		p := notFound("没有报表 "+name, "unknown report "+strconv.Quote(name))
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
	params, p := auditParams(c, name)
	if p != nil {
		return p
	}
	ctx := c.Request().Context()
	if err := audit.Resolve(ctx, s.pool, r, &params, c.QueryParam("year") != ""); errors.Is(err, audit.ErrUnknownDistrict) {
		p := notFound("行政区 "+params.District+" 不存在", "unknown district "+strconv.Quote(params.District))
		p.Field = "district"
		return p
	} else if err != nil {
		return err
	}
	t, err := r.Run(ctx, s.pool, params)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("宗地不存在", "no such parcel")
	}
	if err != nil {
		return err
	}
	if p := nonFiniteCell(t); p != nil {
		return p
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, report.ContentType(format))
	if format == "csv" || format == "xlsx" {
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+r.Name+"-"+params.Date.Format("20060102")+"."+format+`"`)
	}
	// The status line goes out with the first 256 KiB (lazyHeader): a report that fails
	// before is a problem response; one that fits goes out with a Content-Length.
	w := writerPool.Get().(*bufio.Writer)
	w.Reset(lazyHeader{c.Response()})
	defer func() { w.Reset(nil); writerPool.Put(w) }()
	if err := report.Write(w, t, format); err != nil {
		if !c.Response().Committed {
			return err
		}
		s.log.Error().Err(err).Str("request_id", h.Get(echo.HeaderXRequestID)).Msg("report aborted")
		panic(http.ErrAbortHandler) // the status is gone: a cut connection, not a valid-looking part
	}
	if !c.Response().Committed {
		h.Set(echo.HeaderContentLength, strconv.Itoa(w.Buffered()))
	}
	return w.Flush()
}

// nonFiniteCell finds a NaN or infinite figure in a report (stored before the bounds
// existed): every format would show it as a number it is not, so the report is refused
// with the column and the row's parcel, if the report has one.
func nonFiniteCell(t *report.Table) *Problem {
	for _, row := range t.Rows {
		for j, col := range t.Columns {
			if _, bad := findNonFinite(reflect.ValueOf(row[j]), ""); !bad {
				continue
			}
			p := storedValueProblem(col.Key, "NaN or infinite")
			for k, cc := range t.Columns {
				if cc.Key == "parcel_id" || cc.Key == "zddm" || cc.Key == "uscc" {
					p.FeatureID = fmt.Sprint(deref(row[k]))
					break
				}
			}
			return p
		}
	}
	return nil
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return v
}

func auditParams(c echo.Context, name string) (audit.Params, *Problem) {
	p := audit.Params{Date: landreg.Today(), District: c.QueryParam("district"), Year: landreg.Today().Year() - 1}
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
	known, pr := knownAtParam(c)
	if pr != nil {
		return p, pr
	}
	p.KnownAt = known
	if p.To.IsZero() {
		p.To = p.Date
	}
	if p.From.IsZero() {
		p.From = p.To.AddDate(-1, 0, 0)
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{{"years", &p.Years, 0, 100}, {"year", &p.Year, minYear, maxYear}}
	for _, n := range ints {
		if v := c.QueryParam(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < n.min || i > n.max {
				return p, badParam(n.name, fmt.Sprintf("%s 须为 %d 到 %d 之间的整数", n.name, n.min, n.max),
					fmt.Sprintf("%s must be an integer from %d to %d, got %q", n.name, n.min, n.max, v))
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
	if pr := rankParams(c, name, &p); pr != nil {
		return p, pr
	}
	if v := c.QueryParam("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return p, badParam("overdue", "overdue 须为 true 或 false", "overdue must be true or false, got "+strconv.Quote(v))
		}
		p.Overdue = b
	}
	if name == "dossier" && p.ParcelID == 0 {
		return p, badParam("parcel", "一宗一档需要 parcel 参数", "the dossier needs parcel=<id>")
	}
	return p, nil
}

// maxReportLimit bounds limit= of the 亩均 report.
const maxReportLimit = 10000

// rankParams reads order= and limit= of the 亩均 report (its ranking by 亩均税收); the
// other reports refuse them rather than ignore them.
func rankParams(c echo.Context, name string, p *audit.Params) *Problem {
	order, limit := c.QueryParam("order"), c.QueryParam("limit")
	if order == "" && limit == "" {
		return nil
	}
	if name != "mujun" {
		field := "order"
		if order == "" {
			field = "limit"
		}
		return badParam(field, field+" 仅适用于亩均报表 mujun", field+" applies to the mujun report only")
	}
	switch order {
	case "", audit.OrderTaxDesc, audit.OrderTaxAsc:
		p.Order = order
	default:
		pr := badParam("order", "order 须为 "+audit.OrderTaxDesc+" 或 "+audit.OrderTaxAsc,
			"order must be "+audit.OrderTaxDesc+" or "+audit.OrderTaxAsc+", got "+strconv.Quote(order))
		pr.Allowed = []string{audit.OrderTaxDesc, audit.OrderTaxAsc}
		return pr
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > maxReportLimit {
			return badParam("limit", fmt.Sprintf("limit 须为 1 到 %d 之间的整数", maxReportLimit),
				fmt.Sprintf("limit must be an integer from 1 to %d, got %q", maxReportLimit, limit))
		}
		p.Limit = n
	}
	return nil
}

func init() {
	routeParams["GET /v1/audit/:report"] = append(routeParams["GET /v1/audit/:report"], "order", "limit")
	routeQueryDocs["GET /v1/audit/:report order"] = obj{"description": "mujun: enterprises by their rank by 亩均税收, highest first (" +
		audit.OrderTaxDesc + ") or lowest first (" + audit.OrderTaxAsc + "); unjudged enterprises are left out",
		"schema": obj{"type": "string", "enum": []string{audit.OrderTaxDesc, audit.OrderTaxAsc}}}
	routeQueryDocs["GET /v1/audit/:report limit"] = obj{"description": "mujun: the first N rows only",
		"schema": obj{"type": "integer", "minimum": 1, "maximum": maxReportLimit}}
}
