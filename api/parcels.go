package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// The parcel registry (宗地登记) under /v1: the same writes as OGC Part 4 on
// /collections/parcels, plus events, status as of a date and the full history.

func (s *Server) routesParcels(g *echo.Group) {
	registrar := requireRole(landreg.RoleRegistrar)
	g.POST("/parcels", s.v1CreateParcel, registrar)
	g.GET("/parcels/:featureId", s.v1GetParcel)
	g.PUT("/parcels/:featureId", s.v1ReplaceParcel, registrar)
	g.PATCH("/parcels/:featureId", s.v1PatchParcel, registrar)
	g.DELETE("/parcels/:featureId", s.v1DeleteParcel, registrar)
	g.GET("/parcels/:featureId/events", s.listEvents)
	g.POST("/parcels/:featureId/events", s.addEvent, registrar)
	g.GET("/parcels/:featureId/status", s.parcelStatus)
	g.GET("/parcels/:featureId/history", s.parcelHistory)
}

// asParcels points a /v1 request at the parcels collection, so the OGC handlers serve it.
func asParcels(c echo.Context) {
	names, values := c.ParamNames(), c.ParamValues()
	c.SetParamNames(append([]string{"collectionId"}, names...)...)
	c.SetParamValues(append([]string{"parcels"}, values...)...)
}

func (s *Server) v1CreateParcel(c echo.Context) error  { asParcels(c); return s.createItem(c) }
func (s *Server) v1GetParcel(c echo.Context) error     { asParcels(c); return s.item(c) }
func (s *Server) v1ReplaceParcel(c echo.Context) error { asParcels(c); return s.replaceItem(c) }
func (s *Server) v1PatchParcel(c echo.Context) error   { asParcels(c); return s.patchItem(c) }
func (s *Server) v1DeleteParcel(c echo.Context) error  { asParcels(c); return s.deleteItem(c) }

// validateParcel checks a whole parcel record (after merging a patch) by the registry's
// rules (landreg.ValidateParcel, the importer's too) and answers with the first problem.
func validateParcel(p map[string]*string, today time.Time) *Problem {
	rec := make(map[string]string, len(p))
	for k, v := range p {
		if v != nil {
			rec[k] = *v
		}
	}
	if errs := landreg.ValidateParcel(rec, today); len(errs) > 0 {
		pr := refusal(errs[0])
		pr.Field = "properties." + errs[0].Field
		return pr
	}
	return nil
}

type eventRequest struct {
	Type       string          `json:"type"`
	EventDate  string          `json:"event_date"`
	DocNo      string          `json:"doc_no"`
	Payload    json.RawMessage `json:"payload"`
	Supersedes *int64          `json:"supersedes"`
	Reason     string          `json:"reason"`
}

func (s *Server) addEvent(c echo.Context) error {
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	var req eventRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if !slices.Contains(landreg.EventTypes, req.Type) {
		p := badParam("type", "未知的事件类型 "+req.Type, "unknown event type "+strconv.Quote(req.Type))
		p.Allowed = landreg.EventTypes
		return p
	}
	d, p := parseDate("event_date", req.EventDate)
	if p != nil {
		return p
	}
	if len(req.Payload) == 0 || string(req.Payload) == "null" {
		req.Payload = json.RawMessage("{}")
	} else if req.Payload[0] != '{' {
		return badParam("payload", "payload 须为 JSON 对象", "payload must be a JSON object")
	} else if p := checkPayload(req.Payload); p != nil {
		return p
	}
	if req.Supersedes != nil && strings.TrimSpace(req.Reason) == "" {
		return badParam("reason", "更正须说明理由", "a correction (supersedes) needs a reason")
	}
	ev, err := store.AddEvent(c.Request().Context(), s.pool, store.Change{Actor: actor(c), Reason: req.Reason}, id,
		store.NewEvent{Type: req.Type, EventDate: d, DocNo: req.DocNo, Payload: req.Payload, Supersedes: req.Supersedes, Reason: req.Reason})
	if err != nil {
		return s.writeError(err, c.Param("featureId"))
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/parcels/"+c.Param("featureId")+"/events")
	return writeJSON(c, http.StatusCreated, mtJSON, ev)
}

func (s *Server) listEvents(c echo.Context) error {
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	evs, err := store.Events(c.Request().Context(), s.pool, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"parcel_id": id, "events": evs})
}

func (s *Server) parcelStatus(c echo.Context) error {
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	d := landreg.Today()
	if q := c.QueryParam("date"); q != "" {
		var p *Problem
		if d, p = parseDate("date", q); p != nil {
			return p
		}
	}
	known, p := knownAtParam(c)
	if p != nil {
		return p
	}
	st, err := store.StatusKnownAt(c.Request().Context(), s.pool, id, d, known)
	if errors.Is(err, store.ErrNotFound) {
		p := notFound("宗地 "+c.Param("featureId")+" 在该日期不存在", "parcel "+c.Param("featureId")+" has no version on "+d.Format(time.DateOnly))
		p.FeatureID = c.Param("featureId")
		return p
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"date": d.Format(time.DateOnly), "status": st,
		"parcel_id": st.ParcelID, "category": st.Category, "category_zh": st.CategoryZh, "since": st.Since,
		"reasons": st.Reasons, "idle_fee_wan": st.IdleFeeWan, "low_efficiency": st.LowEfficiency})
}

func (s *Server) parcelHistory(c echo.Context) error {
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	d, err := store.ParcelDossier(c.Request().Context(), s.pool, id)
	if errors.Is(err, store.ErrNotFound) {
		p := notFound("宗地 "+c.Param("featureId")+" 不存在", "parcel "+c.Param("featureId")+" never existed")
		p.FeatureID = c.Param("featureId")
		return p
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, d)
}
