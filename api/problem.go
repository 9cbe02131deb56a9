package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
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
	// Rule carries the figures of a refused block-line change (shortfall per level).
	Rule json.RawMessage `json:"rule,omitempty"`
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
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	return jsonEncode(c.Response(), p)
}

// statusClientClosed marks, in the log and the metrics, requests whose client left
// before the answer.
const statusClientClosed = 499

// dbProblem maps database errors raised by landreg's triggers and constraints (SQLSTATE
// class LR and integrity violations) to client errors; anything else is a server fault.
func dbProblem(err error) *Problem {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		if errors.Is(err, context.DeadlineExceeded) {
			return problem(http.StatusServiceUnavailable, "timeout", "Query timed out",
				"查询超时", "the query took too long; narrow the request (bbox, limit)")
		}
		return nil
	}
	msg := pg.Message
	if pg.Detail != "" {
		msg += " (" + pg.Detail + ")"
	}
	var p *Problem
	switch pg.Code {
	case "LRG01":
		p = &Problem{Type: problemBase + "invalid-geometry", Title: "Invalid geometry", Status: http.StatusUnprocessableEntity}
	case "LRG02":
		p = &Problem{Type: problemBase + "empty-geometry", Title: "Empty geometry", Status: http.StatusUnprocessableEntity}
	case "LRG03":
		p = &Problem{Type: problemBase + "outside-china", Title: "Coordinates outside China", Status: http.StatusUnprocessableEntity}
	case "LRB01":
		p = &Problem{Type: problemBase + "overlap", Title: "Overlapping block lines", Status: http.StatusConflict}
	case "23505":
		p = &Problem{Type: problemBase + "duplicate", Title: "Duplicate key", Status: http.StatusConflict}
	case "23514", "23502", "22P02", "22007", "22008":
		p = &Problem{Type: problemBase + "constraint-violation", Title: "Value violates a rule", Status: http.StatusUnprocessableEntity}
	case "23503":
		p = &Problem{Type: problemBase + "unknown-reference", Title: "Unknown reference", Status: http.StatusUnprocessableEntity}
	case "LRR01":
		p = &Problem{Type: problemBase + "block-line-rule", Title: "Block-line rule violated (总量只增不减)", Status: http.StatusUnprocessableEntity}
		if json.Valid([]byte(pg.Detail)) {
			p.Rule = json.RawMessage(pg.Detail)
			p.Detail = pg.Message
			return p
		}
	case "LRR04", "LRA02", "LRV01":
		p = &Problem{Type: problemBase + "invalid-state", Title: "Invalid state", Status: http.StatusConflict}
	case "LRP01":
		p = &Problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound}
	case "LRP02":
		p = &Problem{Type: problemBase + "retired", Title: "Parcel retired", Status: http.StatusConflict}
	case "LRE01", "LRE02", "LRE03", "LRE04":
		p = &Problem{Type: problemBase + "invalid-event", Title: "Invalid event", Status: http.StatusUnprocessableEntity}
	case "LRA01":
		p = &Problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound}
	case "57014":
		return problem(http.StatusServiceUnavailable, "timeout", "Query timed out",
			"查询超时", "the query took too long; narrow the request (bbox, limit)")
	default:
		if len(pg.Code) == 5 && pg.Code[:2] == "LR" {
			p = &Problem{Type: problemBase + "rule-violation", Title: "Rule violation", Status: http.StatusUnprocessableEntity}
		} else {
			return nil
		}
	}
	p.Detail = msg
	if pg.ColumnName != "" {
		p.Field = pg.ColumnName
	} else if pg.ConstraintName != "" {
		p.Field = pg.ConstraintName
	}
	return p
}

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
		}
	}
	if err := writeProblem(c, p); err != nil {
		s.log.Debug().Err(err).Msg("write problem")
	}
}
