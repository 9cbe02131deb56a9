package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/store"
)

// The parcel registry (宗地登记) under /v1: the same writes as OGC Part 4 on
// /collections/parcels, plus events, status as of a date and the full history.

func (s *Server) routesParcels(g *echo.Group) {
	registrar := requireRole(store.RoleRegistrar)
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

// validateParcel checks a whole parcel record (after merging a patch): codes with their
// check digits, land-use codes of the stated system, and dates in a sensible order.
func validateParcel(p map[string]*string, today time.Time) *Problem {
	get := func(k string) string {
		if v := p[k]; v != nil {
			return strings.TrimSpace(*v)
		}
		return ""
	}
	field := func(k string, err error) *Problem {
		var ce *codes.Error
		if errors.As(err, &ce) {
			pr := problem(http.StatusUnprocessableEntity, "invalid-code", "Invalid code", ce.ZH, ce.EN)
			pr.Field = "properties." + k
			return pr
		}
		pr := problem(http.StatusUnprocessableEntity, "invalid-code", "Invalid code", k+" 无效", err.Error())
		pr.Field = "properties." + k
		return pr
	}
	zddm := get("zddm")
	if zddm == "" {
		return requiredProblem("zddm")
	}
	if err := codes.ZDDM(zddm); err != nil {
		return field("zddm", err)
	}
	if x := get("xzqdm"); x == "" {
		return requiredProblem("xzqdm")
	} else if x != zddm[:6] {
		pr := problem(http.StatusUnprocessableEntity, "invalid-code", "Invalid code",
			"宗地代码前 6 位须为行政区划代码 "+x, "the first six digits of zddm must be the district code "+x)
		pr.Field = "properties.xzqdm"
		return pr
	}
	if b := get("bdcdyh"); b != "" {
		if err := codes.BDCDYH(b); err != nil {
			return field("bdcdyh", err)
		}
		if !strings.HasPrefix(b, zddm) {
			pr := problem(http.StatusUnprocessableEntity, "invalid-code", "Invalid code",
				"不动产单元号须以宗地代码开头", "bdcdyh must start with the parcel's zddm")
			pr.Field = "properties.bdcdyh"
			return pr
		}
	}
	if u := get("holder_uscc"); u != "" {
		if err := codes.USCC(u); err != nil {
			return field("holder_uscc", err)
		}
	}
	lu := get("landuse_code")
	if lu == "" {
		return requiredProblem("landuse_code")
	}
	system := get("landuse_system")
	if system == "" {
		system = codes.SystemGBT21010
	}
	norm, ok := codes.NormalizeSystem(system)
	if !ok {
		pr := problem(http.StatusUnprocessableEntity, "invalid-code", "Invalid code", "未知的用地分类体系 "+system, "unknown land-use system "+strconv.Quote(system))
		pr.Field = "properties.landuse_system"
		pr.Allowed = codes.Systems()
		return pr
	}
	if err := codes.LandUse(norm, lu); err != nil {
		return field("landuse_code", err)
	}
	// Dates of the supply contract, in the order they must happen.
	order := []string{"contract_date", "agreed_delivery", "agreed_start", "agreed_completion", "agreed_rampup_review"}
	var prev string
	var prevDate time.Time
	for _, k := range order {
		v := get(k)
		if v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			pr := problem(http.StatusUnprocessableEntity, "constraint-violation", "Value violates a rule", k+" 须为日期 YYYY-MM-DD", k+" must be a date YYYY-MM-DD")
			pr.Field = "properties." + k
			return pr
		}
		if prev != "" && d.Before(prevDate) {
			pr := problem(http.StatusUnprocessableEntity, "constraint-violation", "Value violates a rule",
				k+" 不能早于 "+prev, k+" ("+v+") cannot be before "+prev+" ("+prevDate.Format(time.DateOnly)+")")
			pr.Field = "properties." + k
			return pr
		}
		prev, prevDate = k, d
	}
	if v := get("contract_date"); v != "" {
		if d, _ := time.Parse(time.DateOnly, v); d.After(today) {
			pr := problem(http.StatusUnprocessableEntity, "constraint-violation", "Value violates a rule", "合同日期不能晚于今天", "contract_date cannot be in the future")
			pr.Field = "properties.contract_date"
			return pr
		}
	}
	return nil
}

func requiredProblem(k string) *Problem {
	pr := problem(http.StatusUnprocessableEntity, "constraint-violation", "Value violates a rule", k+" 为必填项", k+" is required")
	pr.Field = "properties." + k
	return pr
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
	if !slices.Contains(store.EventTypes, req.Type) {
		p := badParam("type", "未知的事件类型 "+req.Type, "unknown event type "+strconv.Quote(req.Type))
		p.Allowed = store.EventTypes
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
	d := today()
	if q := c.QueryParam("date"); q != "" {
		var p *Problem
		if d, p = parseDate("date", q); p != nil {
			return p
		}
	}
	var known *time.Time
	if q := c.QueryParam("known_at"); q != "" {
		k, err := time.Parse(time.RFC3339, q)
		if err != nil || !dateInRange(k) {
			return badParam("known_at", fmt.Sprintf("known_at 须为 %d–%d 年间的 RFC 3339 时间", minYear, maxYear),
				fmt.Sprintf("known_at must be an RFC 3339 timestamp in the years %d–%d", minYear, maxYear))
		}
		known = &k
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
