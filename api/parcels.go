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

// retireRequest is how a parcel is retired (注销, 收回): the legal date of the decision,
// its document, the kind and why, in the query or a JSON body (not both for one field).
type retireRequest struct {
	EffectiveDate string `json:"effective_date"`
	DocNo         string `json:"doc_no"`
	Kind          string `json:"kind"`
	Reason        string `json:"reason"`
}

// v1DeleteParcel retires a parcel as of its legal date: DELETE /v1/parcels/{id} with
// effective_date (default today), doc_no, kind (注销 | 收回, default 注销) and reason.
// The last version ends on that date; status and history as of any date honour it.
func (s *Server) v1DeleteParcel(c echo.Context) error {
	id, err := s.featureID(c)
	if err != nil {
		return err
	}
	var req retireRequest
	if c.Request().ContentLength != 0 && c.Request().Body != nil && c.Request().Body != http.NoBody {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"effective_date", &req.EffectiveDate}, {"doc_no", &req.DocNo}, {"kind", &req.Kind}, {"reason", &req.Reason}} {
		if q := c.QueryParam(f.name); q != "" {
			if *f.dst != "" {
				return badParam(f.name, f.name+" 在查询和请求体中重复", f.name+" is given both in the query and in the body")
			}
			*f.dst = q
		}
	}
	ch, err := s.change(c, req.Reason)
	if err != nil {
		return err
	}
	if req.EffectiveDate != "" {
		d, p := parseDate("effective_date", req.EffectiveDate)
		if p != nil {
			return p
		}
		ch.Effective = d
	}
	if req.Kind != "" && !slices.Contains(landreg.RetirementKinds, req.Kind) {
		p := badParam("kind", "注销类型须为 注销 或 收回", "kind must be 注销 (deregistration) or 收回 (recovery), got "+strconv.Quote(req.Kind))
		p.Allowed = landreg.RetirementKinds
		return p
	}
	v, err := ifMatch(c)
	if err != nil {
		return err
	}
	if _, err := store.RetireParcel(c.Request().Context(), s.pool, ch, id, req.Kind, req.DocNo, v); err != nil {
		return s.writeError(err, c.Param("featureId"))
	}
	return c.NoContent(http.StatusNoContent)
}

// validateParcel checks a whole parcel record (after merging a patch) by the registry's
// rules (landreg.ValidateParcel, the importer's too) and answers with the first problem.
func validateParcel(p map[string]*string, today time.Time) *Problem {
	if errs := landreg.ValidateParcel(landreg.MergeRecord(p, nil), today); len(errs) > 0 {
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
	if req.Reason, p = reasonOf(c, req.Reason); p != nil {
		return p
	}
	if req.Supersedes != nil && strings.TrimSpace(req.Reason) == "" {
		return badParam("reason", "更正须说明理由", "a correction (supersedes) needs a reason")
	}
	if req.Type == landreg.EventTransferred {
		return s.transfer(c, id, req, d)
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

// transfer records a change of holder (二级市场转让): payload new_holder_uscc (a
// registered enterprise), contract_no, and optionally new_holder_name, contract_date,
// price_wan. The event and the parcel's new version with the new holder, valid from the
// event's date, are written in one transaction (store.TransferParcel).
func (s *Server) transfer(c echo.Context, id int64, req eventRequest, d time.Time) error {
	if req.Supersedes != nil {
		return badParam("supersedes", "转让不能以更正方式撤销，请登记新的转让", "a transfer is not corrected by supersedes: record the transfer back as a new TRANSFERRED event")
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(req.Payload, &payload); err != nil {
		return badParam("payload", "payload 须为 JSON 对象", "payload must be a JSON object")
	}
	str := func(k string) (string, *Problem) {
		raw, ok := payload[k]
		if !ok || string(raw) == "null" {
			return "", nil
		}
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return "", eventProblem("payload."+k, k+" 须为字符串", k+" must be a string")
		}
		return strings.TrimSpace(v), nil
	}
	t := store.Transfer{Date: d, DocNo: req.DocNo, Reason: req.Reason, Extra: map[string]json.RawMessage{}}
	var p *Problem
	if t.HolderUSCC, p = str("new_holder_uscc"); p != nil {
		return p
	}
	if t.HolderName, p = str("new_holder_name"); p != nil {
		return p
	}
	if t.ContractNo, p = str("contract_no"); p != nil {
		return p
	}
	if t.HolderUSCC == "" {
		return eventProblem("payload.new_holder_uscc", "转让须指明受让人 new_holder_uscc（统一社会信用代码）",
			"a TRANSFERRED event needs the new holder's USCC (payload.new_holder_uscc)")
	}
	if errs := landreg.ValidateEnterprise(map[string]string{"uscc": t.HolderUSCC, "name": "-"}); len(errs) > 0 {
		pr := refusal(errs[0])
		pr.Field = "payload.new_holder_uscc"
		return pr
	}
	if t.ContractNo == "" {
		return eventProblem("payload.contract_no", "转让须附转让合同编号 contract_no", "a TRANSFERRED event needs its contract number (payload.contract_no)")
	}
	if v, p := str("contract_date"); p != nil {
		return p
	} else if v != "" {
		cd, p := parseDate("payload.contract_date", v)
		if p != nil {
			return p
		}
		if cd.After(d) {
			return eventProblem("payload.contract_date", "转让合同日期不能晚于转让日期", "the transfer contract ("+v+") cannot be dated after the transfer ("+d.Format(time.DateOnly)+")")
		}
	}
	for k, v := range payload {
		switch k {
		case "new_holder_uscc", "new_holder_name", "contract_no":
		case "previous_holder_uscc", "previous_holder_name":
			return eventProblem("payload."+k, k+" 由登记簿填写", k+" is filled in from the register, not sent")
		default:
			t.Extra[k] = v
		}
	}
	ctx := c.Request().Context()
	if ok, err := store.EnterpriseExists(ctx, s.pool, t.HolderUSCC); err != nil {
		return err
	} else if !ok {
		pr := problem(http.StatusUnprocessableEntity, "unknown-reference", "Unknown reference",
			"受让人 "+t.HolderUSCC+" 未登记为企业，请先登记（POST /v1/enterprises）",
			"the new holder "+t.HolderUSCC+" is not a registered enterprise: register it first (POST /v1/enterprises)")
		pr.Field = "payload.new_holder_uscc"
		return pr
	}
	ev, err := store.TransferParcel(ctx, s.pool, store.Change{Actor: actor(c), Reason: req.Reason}, id, t)
	if err != nil {
		err = s.writeError(err, c.Param("featureId"))
		// The new holder is written to the parcel's holder_uscc; the request names it so.
		var p *Problem
		if errors.As(err, &p) && p.Field == "holder_uscc" {
			p.Field = "payload.new_holder_uscc"
		}
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/parcels/"+c.Param("featureId")+"/events")
	return writeJSON(c, http.StatusCreated, mtJSON, ev)
}
