package api

import (
	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/report"
)

// GET /v1/disposals?date=&known_at=&district=&overdue=&format= — the idle-land disposal
// ledger (闲置土地处置台账, issue 15.6): the audit report "disposals" under a route of its
// own, in every report format.
func (s *Server) disposals(c echo.Context) error { return s.serveReport(c, "disposals") }

func init() {
	routeParams["GET /v1/disposals"] = []string{"format", "date", "known_at", "district", "overdue"}
	routeParams["GET /v1/audit/:report"] = append(routeParams["GET /v1/audit/:report"], "overdue")
	routeQueryDocs["GET /v1/audit/:report overdue"] = obj{"description": "disposals: only procedures whose next step is overdue", "schema": obj{"type": "boolean", "default": false}}
	routeQueryDocs["GET /v1/disposals overdue"] = obj{"description": "only procedures whose next step is overdue", "schema": obj{"type": "boolean", "default": false}}
	routeQueryDocs["GET /v1/disposals format"] = obj{"schema": obj{"type": "string", "enum": report.Formats, "default": "json"}}
	routeQueryDocs["GET /v1/disposals district"] = obj{"description": "行政区划代码", "schema": obj{"type": "string", "pattern": "^[0-9]{6}$"}}
}
