package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/store"
)

// The reason of a write (why, recorded in history and in the audit row) comes in the
// JSON body's reason member or in the X-Landreg-Reason header (issue 14.19). The body
// is the place for a Chinese reason: browsers and many HTTP clients cannot send
// non-ASCII header values. The header stays for QGIS, whose WFS-T and OGC API requests
// carry no reason member. Given in both places they must say the same: which one to
// record would otherwise be a silent choice.

const reasonHeader = "X-Landreg-Reason"

// reasonOf is the reason of the request: the body's (body) or the header's, refused
// when both are given and differ.
func reasonOf(c echo.Context, body string) (string, *Problem) {
	h := strings.TrimSpace(c.Request().Header.Get(reasonHeader))
	b := strings.TrimSpace(body)
	switch {
	case b == "":
		return h, nil
	case h == "" || h == b:
		return b, nil
	}
	p := problem(http.StatusBadRequest, "reason-conflict", "Conflicting reasons",
		"请求体的 reason 与 "+reasonHeader+" 请求头不一致，请只给出一处",
		"the body's reason and the "+reasonHeader+" header differ; give the reason once (the body's reason member, or the header)")
	p.Field = "reason"
	return "", p
}

// change is the change context of a write by the request's caller, with the reason of
// the body (bodyReason, "" when the body has none) or the header.
func (s *Server) change(c echo.Context, bodyReason string) (store.Change, error) {
	r, p := reasonOf(c, bodyReason)
	if p != nil {
		return store.Change{}, p
	}
	return store.Change{Actor: actor(c), Reason: r}, nil
}
