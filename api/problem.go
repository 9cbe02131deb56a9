package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

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

// unavailable is the answer while PostgreSQL cannot serve: stopped, restarting,
// unreachable, out of disk, memory or connections. It is not a fault of the request
// and retrying later may succeed, hence 503 with Retry-After. reason is a category,
// never the driver's text (which names hosts, socket paths and roles).
func unavailable(reason string) *Problem {
	p := problem(http.StatusServiceUnavailable, "database-unavailable", "Database unavailable",
		"数据库暂时不可用，请稍后重试", "the database is unavailable ("+reason+"); retry in a few seconds")
	p.RetryAfter = retryAfter
	return p
}

// unavailableReason classifies the errors that mean the database cannot serve now.
func unavailableReason(err error) (string, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "57P01":
			return "shutting down, SQLSTATE 57P01", true
		case pg.Code == "57P02":
			return "crashed, SQLSTATE 57P02", true
		case pg.Code == "57P03":
			return "starting up or recovering, SQLSTATE 57P03", true
		case pg.Code == "53100":
			return "out of disk space, SQLSTATE 53100", true
		case pg.Code == "53200":
			return "out of memory, SQLSTATE 53200", true
		case pg.Code == "53300":
			return "too many connections, SQLSTATE 53300", true
		case strings.HasPrefix(pg.Code, "53"), strings.HasPrefix(pg.Code, "08"), pg.Code == "58030":
			return "SQLSTATE " + pg.Code, true
		case pg.Code == "25006":
			// Connected to a read-only standby, e.g. during a failover.
			return "read-only, SQLSTATE 25006", true
		}
		return "", false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		return "cannot connect", true
	case errors.Is(err, context.DeadlineExceeded):
		// A net.Error too, but the request's own deadline: a timeout, not an outage.
		return "", false
	case errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne):
		return "connection lost", true
	}
	return "", false
}

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

// dbProblem maps database errors raised by landreg's triggers and constraints (SQLSTATE
// class LR, integrity violations, data exceptions) to client errors, and those of a
// database that cannot serve now to 503; anything else is a server fault (nil).
func dbProblem(err error) *Problem {
	if reason, ok := unavailableReason(err); ok {
		return unavailable(reason)
	}
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
	case "23514", "23502":
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
	case "LRR04", "LRA02", "LRV01", "LRE05":
		p = &Problem{Type: problemBase + "invalid-state", Title: "Invalid state", Status: http.StatusConflict}
	case "40001", "40P01":
		// A concurrent change won, and the retries of store.InTx did not get through.
		p = &Problem{Type: problemBase + "concurrent-change", Title: "Concurrent change", Status: http.StatusConflict}
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
	case "54000":
		// program_limit_exceeded: e.g. a text too large for an index entry.
		p = &Problem{Type: problemBase + "constraint-violation", Title: "Value violates a rule", Status: http.StatusUnprocessableEntity}
	default:
		if strings.HasPrefix(pg.Code, "22") {
			// Data exceptions: a value PostgreSQL cannot take or compute with (bad
			// syntax, out of range, NUL, division by zero …).
			p = &Problem{Type: problemBase + "constraint-violation", Title: "Value violates a rule", Status: http.StatusUnprocessableEntity, dataException: true}
		} else if len(pg.Code) == 5 && pg.Code[:2] == "LR" {
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
