package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/store"
)

// Problem is an RFC 9457 problem detail, landreg's only error body. Type is stable and
// documented in docs/errors.md; Detail carries Chinese and English.
type Problem struct {
	Type      string   `json:"type"`
	Title     string   `json:"title"`
	Status    int      `json:"status"`
	Detail    string   `json:"detail"`
	Field     string   `json:"field,omitempty"`
	FeatureID string   `json:"feature_id,omitempty"`
	Instance  string   `json:"instance,omitempty"`
	Allowed   []string `json:"allowed,omitempty"`
	// Rule carries the figures of a refused block-line change (shortfall per level), or
	// the failing preview of a refused approval.
	Rule json.RawMessage `json:"rule,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header when set.
	RetryAfter int `json:"-"`
	// dataException: PostgreSQL refused a value (SQLSTATE class 22). In a write the
	// client sent it; in a read it is a stored value (errorHandler tells them apart).
	dataException bool
}

func (p *Problem) Error() string { return p.Type + ": " + p.Detail }

const problemBase = "urn:landreg:problem:"

// problem builds a Problem; zh and en are the two halves of the human message.
func problem(status int, slug, title, zh, en string) *Problem {
	return &Problem{Type: problemBase + slug, Title: title, Status: status, Detail: zh + " / " + en}
}

func badParam(field, zh, en string) *Problem {
	p := problem(http.StatusBadRequest, "invalid-parameter", "Invalid parameter", zh, en)
	p.Field = field
	return p
}

func notFound(zh, en string) *Problem {
	return problem(http.StatusNotFound, "not-found", "Not found", zh, en)
}

// writeProblem sends p as application/problem+json.
func writeProblem(c echo.Context, p *Problem) error {
	if p.Instance == "" {
		p.Instance = c.Request().URL.RequestURI()
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/problem+json")
	if p.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.RetryAfter))
	}
	// A header set for the answer that failed (a length, a download name) must not
	// describe the problem.
	h.Del(echo.HeaderContentLength)
	h.Del(echo.HeaderContentDisposition)
	c.Response().WriteHeader(p.Status)
	return jsonEncode(c.Response(), p)
}

// retryAfter is what a client should wait before trying again when the database is
// unavailable: long enough for a restart or a failover to finish.
const retryAfter = 5

// storedValueProblem: the register holds a value the answer cannot carry (NaN or an
// infinite number, or one PostgreSQL cannot compute with), written before the API and
// the schema refused such values. The answer is an error naming the field rather than
// an empty or silently altered body; the record must be corrected.
func storedValueProblem(field, what string) *Problem {
	zh, en := "", what
	if field != "" {
		zh, en = "（"+field+"）", what+" in "+field
	}
	p := problem(http.StatusInternalServerError, "invalid-stored-value", "Invalid stored value",
		"登记库中存有无法输出的数值"+zh+"，请更正该记录",
		"the register holds a value that cannot be served ("+en+"); correct the record")
	p.Field = field
	return p
}

// statusClientClosed marks, in the log and the metrics, requests whose client left
// before the answer.
const statusClientClosed = 499

// kinds gives each kind of refusal (landreg.Error.Kind, the problem type's slug) its
// HTTP status and title; docs/errors.md lists them.
var kinds = map[string]struct {
	status int
	title  string
}{
	"invalid-parameter":      {http.StatusBadRequest, "Invalid parameter"},
	"invalid-geometry":       {http.StatusUnprocessableEntity, "Invalid geometry"},
	"empty-geometry":         {http.StatusUnprocessableEntity, "Empty geometry"},
	"outside-china":          {http.StatusUnprocessableEntity, "Coordinates outside China"},
	"overlap":                {http.StatusConflict, "Overlapping block lines"},
	"district-overlap":       {http.StatusConflict, "Overlapping districts"},
	"outside-district":       {http.StatusUnprocessableEntity, "Block line outside its district"},
	"date-order":             {http.StatusUnprocessableEntity, "Dates out of order"},
	"preview-failed":         {http.StatusUnprocessableEntity, "Preview failed"},
	"not-yet-effective":      {http.StatusConflict, "Not yet effective"},
	"already-delineated":     {http.StatusConflict, "Already delineated"},
	"before-rule-window":     {http.StatusUnprocessableEntity, "Before the rule window"},
	"duplicate":              {http.StatusConflict, "Duplicate key"},
	landreg.KindConstraint:   {http.StatusUnprocessableEntity, "Value violates a rule"},
	landreg.KindInvalidCode:  {http.StatusUnprocessableEntity, "Invalid code"},
	"unknown-reference":      {http.StatusUnprocessableEntity, "Unknown reference"},
	"block-line-rule":        {http.StatusUnprocessableEntity, "Block-line rule violated (总量只增不减)"},
	landreg.KindInvalidState: {http.StatusConflict, "Invalid state"},
	"concurrent-change":      {http.StatusConflict, "Concurrent change"},
	landreg.KindNotFound:     {http.StatusNotFound, "Not found"},
	"retired":                {http.StatusConflict, "Parcel retired"},
	"invalid-event":          {http.StatusUnprocessableEntity, "Invalid event"},
	"disposal-precondition":  {http.StatusUnprocessableEntity, "Disposal step out of the legal order"},
	"rule-violation":         {http.StatusUnprocessableEntity, "Rule violation"},
	"status-step":            {http.StatusConflict, "Status step out of the chain"},
	"project-closed":         {http.StatusConflict, "Project closed"},
	"timeout":                {http.StatusServiceUnavailable, "Query timed out"},
	landreg.KindUnavailable:  {http.StatusServiceUnavailable, "Database unavailable"},
}

// refusal renders a refusal as a problem.
func refusal(e *landreg.Error) *Problem {
	k, ok := kinds[e.Kind]
	if !ok {
		k.status, k.title = http.StatusUnprocessableEntity, "Rule violation"
	}
	p := &Problem{Type: problemBase + e.Kind, Title: k.title, Status: k.status, Detail: e.Error(), Field: e.Field, Rule: e.Rule}
	if e.Rule != nil {
		p.Detail = strings.TrimSuffix(e.Zh+" / "+e.En, " / ")
	}
	if e.Kind == landreg.KindUnavailable {
		p.RetryAfter = retryAfter
	}
	return p
}

// dbProblem is the problem of an error from the database (store.Translate); nil when
// it is a fault of the server.
func dbProblem(err error) *Problem {
	e := store.Translate(err)
	if e == nil {
		return nil
	}
	p := refusal(e)
	// In a write the client sent a value PostgreSQL refused; in a read it is stored
	// (errorHandler tells them apart).
	p.dataException = strings.HasPrefix(sqlState(err), "22")
	return p
}

func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// isRead: GET (and HEAD, served as GET).
func isRead(c echo.Context) bool { return c.Request().Method == http.MethodGet }

// errorHandler turns every error that reaches echo into problem+json.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	// The client went away and its statement was cancelled: nobody is left to answer,
	// and it is not a server fault. Logged and counted as 499, nginx's "client closed
	// request".
	if errors.Is(c.Request().Context().Err(), context.Canceled) {
		c.Response().Status = statusClientClosed
		return
	}
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			p = notFound("没有这个路径", "no such path")
		case http.StatusMethodNotAllowed:
			p = problem(he.Code, "method-not-allowed", "Method not allowed", "不支持该请求方法", "this method is not allowed here")
		case http.StatusRequestEntityTooLarge:
			p = problem(he.Code, "payload-too-large", "Payload too large", "请求体过大", "the request body is too large")
		default:
			p = problem(he.Code, "http-error", http.StatusText(he.Code), http.StatusText(he.Code), fmt.Sprint(he.Message))
		}
	default:
		if p = dbProblem(err); p == nil {
			s.log.Error().Err(err).Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Msg("internal error")
			p = problem(http.StatusInternalServerError, "internal", "Internal error",
				"服务器内部错误", "internal error; see the server log for request id "+c.Response().Header().Get(echo.HeaderXRequestID))
		} else if p.Type == problemBase+"database-unavailable" {
			// The driver's text names hosts and roles: the log has it, the client not.
			s.log.Warn().Err(err).Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Msg("database unavailable")
		} else if p.dataException && isRead(c) {
			// A read sends no values of its own: what PostgreSQL refused is stored.
			s.log.Error().Err(err).Str("request_id", c.Response().Header().Get(echo.HeaderXRequestID)).Msg("invalid stored value")
			p = storedValueProblem(p.Field, "SQLSTATE "+sqlState(err))
		}
	}
	if err := writeProblem(c, p); err != nil {
		s.log.Debug().Err(err).Msg("write problem")
	}
}
