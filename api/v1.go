package api

import (
	"github.com/landreg/landreg"

	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

func (s *Server) routesV1(e *echo.Echo) {
	v1 := e.Group("/v1")
	planner := requireRole(landreg.RolePlanner)
	admin := requireRole()
	v1.GET("/adjustments", s.listAdjustments)
	v1.POST("/adjustments", s.createAdjustment, planner)
	v1.GET("/adjustments/:id", s.getAdjustment)
	v1.GET("/adjustments/:id/preview", s.previewAdjustment)
	v1.POST("/adjustments/:id/publicise", s.transition("publicised"), planner)
	v1.POST("/adjustments/:id/withdraw", s.transition("withdrawn"), planner)
	v1.POST("/adjustments/:id/approve", s.transition("approved"), admin)
	v1.POST("/adjustments/:id/reject", s.transition("rejected"), admin)
	v1.POST("/adjustments/:id/apply", s.applyAdjustment, planner)
	s.routesDistricts(v1)
	s.routesEnterprises(v1)
	s.routesIndicators(v1)
	s.routesTargets(v1)
	s.routesRemediation(v1)
	v1.GET("/quota", s.cityQuota)
	v1.GET("/districts/:code/quota", s.districtQuota)
	v1.GET("/districts/:code/quota/history", s.quotaHistory)
	v1.POST("/districts/:code/ledger/:id/review", s.reviewDirectEdit, admin)
	s.routesParcels(v1)
	s.routesExchange(v1)
	v1.GET("/audit/:report", s.auditReport)
	v1.GET("/disposals", s.disposals)
	v1.GET("/vocabulary", s.vocabulary)
	v1.GET("/search", s.search)
	v1.GET("/key-figures", s.keyFigures)
}

// vocabulary serves the labels (Chinese, English), precedence and map colours of the
// status categories and the event types, from the database's tables: the map and every
// client label things as the reports do.
func (s *Server) vocabulary(c echo.Context) error {
	v, err := store.GetVocabulary(c.Request().Context(), s.pool)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "max-age=300")
	return writeJSON(c, http.StatusOK, "application/json", struct {
		*store.Vocabulary
		Roles []string `json:"roles"`
	}{v, landreg.Roles})
}

// Area is an area in the three units bureaus publish: m², 亩 and 公顷.
type Area struct {
	M2 float64 `json:"m2"`
	Mu float64 `json:"mu"`
	Ha float64 `json:"ha"`
}

func area(m2 float64) Area {
	return Area{M2: round(m2, 2), Mu: round(landreg.Mu(m2), 4), Ha: round(landreg.Ha(m2), 4)}
}

// optArea is area for an optional figure (nil stays null).
func optArea(m2 *float64) *Area {
	if m2 == nil {
		return nil
	}
	a := area(*m2)
	return &a
}

func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}

var adjustmentKinds = map[string]bool{"划定": true, "划定更正": true, "调整": true, "补划": true, "纠错": true, "评估优化": true}

type partRequest struct {
	Level    int             `json:"level"`
	LineCode string          `json:"line_code"`
	LineName string          `json:"line_name"`
	Geometry json.RawMessage `json:"geometry"`
}

type adjustmentRequest struct {
	Xzqdm         string        `json:"xzqdm"`
	Kind          string        `json:"kind"`
	Level         int           `json:"level"`
	DocNo         string        `json:"doc_no"`
	EffectiveDate string        `json:"effective_date"`
	ProposedOn    string        `json:"proposed_on"`
	PublicityFrom string        `json:"publicity_from"`
	PublicityTo   string        `json:"publicity_to"`
	Reason        string        `json:"reason"`
	CRS           string        `json:"crs"`
	Removals      []partRequest `json:"removals"`
	Additions     []partRequest `json:"additions"`
}

// maxParts bounds the polygons of one adjustment.
const maxParts = 1000

func (r *adjustmentRequest) validate() (store.NewAdjustment, *Problem) {
	var a store.NewAdjustment
	if len(r.Xzqdm) != 6 || strings.Trim(r.Xzqdm, "0123456789") != "" {
		return a, badParam("xzqdm", "xzqdm 须为 6 位行政区划代码", "xzqdm must be a 6-digit district code")
	}
	if !adjustmentKinds[r.Kind] {
		p := badParam("kind", "未知的调整类型 "+r.Kind, "unknown adjustment kind "+strconv.Quote(r.Kind))
		p.Allowed = []string{"划定", "划定更正", "调整", "补划", "纠错", "评估优化"}
		return a, p
	}
	if strings.TrimSpace(r.Reason) == "" {
		return a, badParam("reason", "须说明理由", "reason is required")
	}
	eff, p := parseDate("effective_date", r.EffectiveDate)
	if p != nil {
		return a, p
	}
	a = store.NewAdjustment{Xzqdm: r.Xzqdm, Kind: r.Kind, DocNo: r.DocNo, Reason: r.Reason, EffectiveDate: eff}
	for _, f := range []struct {
		name string
		val  string
		dst  **time.Time
	}{{"proposed_on", r.ProposedOn, &a.ProposedOn}, {"publicity_from", r.PublicityFrom, &a.PublicityFrom}, {"publicity_to", r.PublicityTo, &a.PublicityTo}} {
		if f.val != "" {
			d, p := parseDate(f.name, f.val)
			if p != nil {
				return a, p
			}
			*f.dst = &d
		}
	}
	crs := geo.CRSs[0]
	if r.CRS != "" {
		c, ok := geo.LookupCRS(r.CRS)
		if !ok {
			p := badParam("crs", "不支持的坐标系 "+r.CRS, "unsupported CRS "+strconv.Quote(r.CRS))
			p.Allowed = geo.SupportedCRSURIs()
			return a, p
		}
		crs = c
	}
	if len(r.Removals)+len(r.Additions) == 0 {
		return a, badParam("removals", "至少需要一个调出或调入图斑", "an adjustment needs at least one removal or addition")
	}
	if len(r.Removals)+len(r.Additions) > maxParts {
		return a, badParam("additions", "图斑过多", "too many parts; at most "+strconv.Itoa(maxParts))
	}
	if r.Kind == "补划" && len(r.Removals) > 0 {
		return a, badParam("removals", "补划只能调入", "a 补划 (compensation delineation) only adds area")
	}
	for i, part := range r.Removals {
		g, err := geo.ParsePolygonal(part.Geometry, crs, false)
		if err != nil {
			return a, geometryProblem("removals["+strconv.Itoa(i)+"].geometry", err)
		}
		a.Parts = append(a.Parts, store.NewPart{Role: "removal", Geom: g})
	}
	for i, part := range r.Additions {
		level := part.Level
		if level == 0 {
			level = r.Level
		}
		if level != 1 && level != 2 {
			return a, badParam("additions["+strconv.Itoa(i)+"].level", "调入图斑须指明级别 1 或 2", "each addition needs level 1 or 2")
		}
		g, err := geo.ParsePolygonal(part.Geometry, crs, false)
		if err != nil {
			return a, geometryProblem("additions["+strconv.Itoa(i)+"].geometry", err)
		}
		a.Parts = append(a.Parts, store.NewPart{Role: "addition", Level: level, LineCode: part.LineCode, LineName: part.LineName, Geom: g})
	}
	return a, nil
}

func geometryProblem(field string, err error) *Problem {
	var ie *geo.InputError
	if errors.As(err, &ie) {
		p := problem(http.StatusBadRequest, "invalid-geometry", "Invalid geometry", ie.ZH, ie.EN)
		p.Field = field
		return p
	}
	p := problem(http.StatusBadRequest, "invalid-geometry", "Invalid geometry", "几何无法读取", err.Error())
	p.Field = field
	return p
}

func (s *Server) createAdjustment(c echo.Context) error {
	var req adjustmentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	na, p := req.validate()
	if p != nil {
		return p
	}
	ctx := c.Request().Context()
	ch, err := s.change(c, req.Reason)
	if err != nil {
		return err
	}
	id, err := store.CreateAdjustment(ctx, s.pool, ch, na)
	if err != nil {
		var pe *store.PartError
		if errors.As(err, &pe) {
			if dp := dbProblem(pe.Err); dp != nil {
				dp.Field = "parts[" + strconv.Itoa(pe.Seq-1) + "].geometry"
				dp.FeatureID = strconv.Itoa(pe.Seq)
				return dp
			}
		}
		if dp := dbProblem(err); dp != nil && dp.Type == problemBase+"unknown-reference" {
			dp.Field = "xzqdm"
			dp.Detail = "行政区 " + req.Xzqdm + " 不存在 / unknown district " + req.Xzqdm
			return dp
		}
		return err
	}
	a, err := store.GetAdjustment(ctx, s.pool, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, s.base(c)+"/v1/adjustments/"+strconv.FormatInt(id, 10))
	return writeJSON(c, http.StatusCreated, mtJSON, a)
}

func (s *Server) adjustmentID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("调整方案编号须为正整数", "adjustment id must be a positive integer")
	}
	return id, nil
}

func adjustmentNotFound(id int64) *Problem {
	p := notFound("调整方案 "+strconv.FormatInt(id, 10)+" 不存在", "adjustment "+strconv.FormatInt(id, 10)+" not found")
	p.FeatureID = strconv.FormatInt(id, 10)
	return p
}

func (s *Server) getAdjustment(c echo.Context) error {
	id, err := s.adjustmentID(c)
	if err != nil {
		return err
	}
	a, err := store.GetAdjustment(c.Request().Context(), s.pool, id)
	if errors.Is(err, store.ErrNotFound) {
		return adjustmentNotFound(id)
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, a)
}

func (s *Server) listAdjustments(c echo.Context) error {
	list, err := store.ListAdjustments(c.Request().Context(), s.pool, c.QueryParam("xzqdm"))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"adjustments": list})
}

func (s *Server) transition(to string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := s.adjustmentID(c)
		if err != nil {
			return err
		}
		var body struct {
			Date   string `json:"date"`
			DocNo  string `json:"doc_no"`
			Reason string `json:"reason"`
			// OverrideReason (approve only): why the adjustment is approved although its
			// preview fails; recorded on the adjustment and in its audit row.
			OverrideReason string `json:"override_reason"`
		}
		if c.Request().ContentLength != 0 {
			if err := decodeJSON(c, &body); err != nil {
				return err
			}
		}
		if body.OverrideReason != "" && to != "approved" {
			return badParam("override_reason", "override_reason 仅用于批准", "override_reason belongs to an approval only")
		}
		on := landreg.Today()
		if body.Date != "" {
			d, p := parseDate("date", body.Date)
			if p != nil {
				return p
			}
			on = d
		}
		ch, err := s.change(c, body.Reason)
		if err != nil {
			return err
		}
		if to == "approved" {
			if ch.Reason == "" {
				ch.Reason = body.OverrideReason
			}
			_, err = store.Approve(c.Request().Context(), s.pool, ch, id, body.DocNo, on, body.OverrideReason)
		} else {
			err = store.Transition(c.Request().Context(), s.pool, ch, id, to, body.DocNo, on)
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			return adjustmentNotFound(id)
		case errors.Is(err, store.ErrState):
			return problem(http.StatusConflict, "invalid-state", "Invalid state", "调整方案当前状态不允许此操作", err.Error())
		case err != nil:
			if p := dbProblem(err); p != nil {
				// The database names its columns; the request calls them so.
				switch p.Field {
				case "approved_on", "publicity_from":
					p.Field = "date"
				case "approved_override_reason":
					p.Field = "override_reason"
				}
				p.FeatureID = strconv.FormatInt(id, 10)
				return p
			}
			return err
		}
		return s.getAdjustment(c)
	}
}

// outcomeView presents an outcome per level with areas in m², 亩 and 公顷.
func outcomeView(o *store.Outcome) map[string]any {
	level := func(rem, add, short float64) map[string]any {
		return map[string]any{"removed": area(rem), "added": area(add), "net": area(add - rem), "shortfall": area(short)}
	}
	return map[string]any{
		"accepted":       o.Accepted,
		"message":        o.Message,
		"kind":           o.Kind,
		"effective_date": o.EffectiveDate,
		"level1":         level(o.RemovedM2L1, o.AddedM2L1, o.ShortfallM2L1),
		"level2":         level(o.RemovedM2L2, o.AddedM2L2, o.ShortfallM2L2),
		"reserve_used":   area(o.ReserveUsedM2),
		"reserve_added":  area(o.ReserveAddedM2),
		"free_added":     area(o.FreeAddedM2),
		"balance":        area(o.AddedM2L1 + o.AddedM2L2 + o.ReserveUsedM2 - o.RemovedM2L1 - o.RemovedM2L2),
		"total_before":   area(o.TotalBeforeM2),
		"total_after":    area(o.TotalAfterM2),
		"reserve_after":  area(o.ReserveAfterM2),
		"baseline":       optArea(o.BaselineM2),
		"baseline_short": area(o.BaselineShortM2),
		"raw":            o,
	}
}

func (s *Server) previewAdjustment(c echo.Context) error {
	id, err := s.adjustmentID(c)
	if err != nil {
		return err
	}
	o, err := store.Preview(c.Request().Context(), s.pool, store.Change{Actor: actor(c)}, id)
	if errors.Is(err, store.ErrNotFound) {
		return adjustmentNotFound(id)
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, outcomeView(o))
}

func (s *Server) applyAdjustment(c echo.Context) error {
	id, err := s.adjustmentID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	kind, err := store.AdjustmentKind(ctx, s.pool, id)
	if errors.Is(err, store.ErrNotFound) {
		return adjustmentNotFound(id)
	}
	if err != nil {
		return err
	}
	ch, err := s.change(c, "")
	if err != nil {
		return err
	}
	if store.IsDelineation(kind) {
		// A 划定 or 划定更正 fixes the baseline: an admin's step, carried out at once.
		if err := checkRole(c); err != nil {
			return err
		}
		d, err := store.Delineate(ctx, s.pool, ch, id)
		if err != nil {
			return err
		}
		return writeJSON(c, http.StatusOK, mtJSON, d)
	}
	o, err := store.Apply(ctx, s.pool, ch, id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, outcomeView(o))
}

func quotaView(q *store.Quota) map[string]any {
	v := map[string]any{
		"xzqdm": q.Xzqdm, "name": q.Name, "date": q.Date, "known_at": q.KnownAt,
		"total": area(q.TotalM2), "level1": area(q.TotalM2L1), "level2": area(q.TotalM2L2),
		"reserve": area(q.ReserveM2), "committed": area(q.CommittedM2),
		"industrial_inside": area(q.IndustrialInsideM2),
		"in_window":         q.InWindow, "rule_start": q.RuleStart, "rule_end": q.RuleEnd,
		"baseline_doc": q.BaselineDoc, "pass": q.Pass, "rule_applies": q.RuleApplies,
		"area_method": "ellipsoidal (CGCS2000), ST_Area(geography)",
	}
	if q.BaselineM2 != nil {
		v["baseline"] = area(*q.BaselineM2)
		v["margin"] = area(*q.MarginM2)
	}
	return v
}

// quotaAsOf reads the quota routes' date and known_at. known_at is the system time the
// answer is as known at (issue 14.6); without date, the date is the day known_at falls
// on (the figure a bureau published that day), else today.
func (s *Server) quotaAsOf(c echo.Context) (time.Time, *time.Time, error) {
	known, p := knownAtParam(c)
	if p != nil {
		return time.Time{}, nil, p
	}
	d := landreg.Today()
	if known != nil && landreg.CivilDate(*known).Before(d) {
		d = landreg.CivilDate(*known)
	}
	if q := c.QueryParam("date"); q != "" {
		t, p := parseDate("date", q)
		if p != nil {
			return t, nil, p
		}
		d = t
	}
	return d, known, nil
}

func (s *Server) districtQuota(c echo.Context) error {
	d, known, err := s.quotaAsOf(c)
	if err != nil {
		return err
	}
	q, err := store.QuotaKnownAt(c.Request().Context(), s.pool, c.Param("code"), d, known)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("行政区 "+c.Param("code")+" 不存在", "unknown district "+strconv.Quote(c.Param("code")))
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, quotaView(q))
}

func (s *Server) cityQuota(c echo.Context) error {
	d, known, err := s.quotaAsOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	codes, err := store.Districts(ctx, s.pool)
	if err != nil {
		return err
	}
	var list []map[string]any
	var total, l1, l2, reserve, committed, baseline, m2 float64
	pass := true
	for _, code := range codes {
		q, err := store.QuotaKnownAt(ctx, s.pool, code, d, known)
		if err != nil {
			return err
		}
		list = append(list, quotaView(q))
		total += q.TotalM2
		l1 += q.TotalM2L1
		l2 += q.TotalM2L2
		reserve += q.ReserveM2
		committed += q.CommittedM2
		m2 += q.IndustrialInsideM2
		if q.BaselineM2 != nil {
			baseline += *q.BaselineM2
		}
		if q.Pass != nil && !*q.Pass {
			pass = false
		}
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{
		"date": d.Format(time.DateOnly), "known_at": known, "districts": list,
		"total": area(total), "level1": area(l1), "level2": area(l2), "reserve": area(reserve),
		"committed": area(committed), "baseline": area(baseline), "margin": area(total - baseline),
		"industrial_inside": area(m2), "pass": pass,
	})
}

// The two kinds of figures in a quota history (issue 14.5), named in its answer.
const (
	recordedBasis = "as written by the rule check when the change was recorded (recorded_at); a change recorded later with an earlier effective date does not alter them / 变更登记时规则校验写入的数值"
	restatedBasis = "recomputed from the block-line versions valid at the end of effective_date, as known at known_at (now when absent): the same figures as GET /v1/districts/{code}/quota?date=effective_date / 按生效日有效版本重算，与 quota?date= 一致"
	yearEndBasis  = "computed as GET /v1/districts/{code}/quota?date=YYYY-12-31 (with the same known_at) / 按年末有效版本计算"
)

func (s *Server) quotaHistory(c echo.Context) error {
	ctx := c.Request().Context()
	code := c.Param("code")
	known, p := knownAtParam(c)
	if p != nil {
		return p
	}
	until := landreg.Today()
	if known != nil && landreg.CivilDate(*known).Before(until) {
		until = landreg.CivilDate(*known)
	}
	dates, err := store.YearEnds(ctx, s.pool, code, until)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("行政区 "+code+" 不存在", "unknown district "+strconv.Quote(code))
	}
	if err != nil {
		return err
	}
	var series []map[string]any
	for _, d := range dates {
		q, err := store.QuotaKnownAt(ctx, s.pool, code, d, known)
		if err != nil {
			return err
		}
		series = append(series, quotaView(q))
	}
	ledger, err := store.LedgerKnownAt(ctx, s.pool, code, known)
	if err != nil {
		return err
	}
	changes := make([]map[string]any, 0, len(ledger))
	for _, e := range ledger {
		restatedCommitted := e.RestatedTotalM2() - e.RestatedReserveM2()
		differs := math.Abs(e.RestatedTotalM2()-e.TotalAfterM2) > 0.005 || math.Abs(e.RestatedReserveM2()-e.ReserveAfterM2) > 0.005
		changes = append(changes, map[string]any{
			"id": e.ID, "effective_date": e.EffectiveDate, "kind": e.Kind, "adjustment_id": e.AdjustmentID,
			"adjustment_kind": e.AdjustmentKind, "doc_no": e.DocNo,
			"removed_level1": area(e.RemovedM2L1), "removed_level2": area(e.RemovedM2L2),
			"added_level1": area(e.AddedM2L1), "added_level2": area(e.AddedM2L2),
			"reserve_used": area(e.ReserveUsedM2), "reserve_added": area(e.ReserveAddedM2),
			"free_added": area(e.FreeAddedM2), "corrected": area(e.CorrectedM2),
			"recorded": map[string]any{
				"total_after": area(e.TotalAfterM2), "level1_after": area(e.TotalAfterM2L1), "level2_after": area(e.TotalAfterM2L2),
				"reserve_after": area(e.ReserveAfterM2), "committed_after": area(e.CommittedAfterM2),
			},
			"restated": map[string]any{
				"total": area(e.RestatedTotalM2()), "level1": area(e.RestatedTotalM2L1), "level2": area(e.RestatedTotalM2L2),
				"reserve": area(e.RestatedReserveM2()), "committed": area(restatedCommitted),
			},
			"restated_differs": differs,
			// A delineation (划定) or its correction (划定更正) fixed this baseline.
			"baseline":     optArea(e.BaselineM2),
			"needs_review": e.NeedsReview, "review": e.Review, "actor": e.Actor, "reason": e.Reason, "recorded_at": e.RecordedAt,
		})
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"xzqdm": code, "known_at": known,
		"figures":   map[string]string{"recorded": recordedBasis, "restated": restatedBasis, "year_ends": yearEndBasis},
		"year_ends": series, "changes": changes})
}

// reviewDirectEdit records the bureau's 复核 of a direct edit that added area (ledger
// kind "direct", needs_review): from then on a 纠错 cannot take that land back without
// compensation. Body: {"note": "..."}, the reviewer's finding (required).
func (s *Server) reviewDirectEdit(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return badParam("id", "台账记录编号应为正整数", "the ledger entry id must be a positive integer")
	}
	var body struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if strings.TrimSpace(body.Note) == "" {
		p := problem(http.StatusUnprocessableEntity, "constraint-violation", "Value violates a rule", "note 为必填项：复核意见", "note is required: the review's finding")
		p.Field = "note"
		return p
	}
	code := c.Param("code")
	r, err := store.ReviewDirectEdit(c.Request().Context(), s.pool, store.Change{Actor: actor(c), Reason: body.Note}, code, id, body.Note)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("行政区 "+code+" 没有台账记录 "+c.Param("id"), "district "+strconv.Quote(code)+" has no ledger entry "+c.Param("id"))
	}
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusCreated, mtJSON, r)
}
