package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/store"
)

// Bounds of GET /v1/search: the text (in characters) and the number of results.
const (
	maxSearchText    = 100
	defaultSearchHit = 20
	maxSearchHits    = 100
)

// search finds current parcels by 宗地代码, 权利人 (name or USCC) or 项目名称 (检索):
// q is matched as a prefix and anywhere inside, case-insensitively; the map flies to a
// result's bbox and opens its card.
func (s *Server) search(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if q == "" {
		return badParam("q", "请输入检索内容（宗地代码、权利人、统一社会信用代码或项目名称）",
			"q is required: a parcel code, holder name, USCC or project name (or part of one)")
	}
	if !utf8.ValidString(q) || strings.ContainsRune(q, 0) {
		return badParam("q", "检索内容须为 UTF-8 文本", "q must be UTF-8 text")
	}
	if n := utf8.RuneCountInString(q); n > maxSearchText {
		return badParam("q", "检索内容不得超过 "+strconv.Itoa(maxSearchText)+" 个字符",
			"q must be at most "+strconv.Itoa(maxSearchText)+" characters, got "+strconv.Itoa(n))
	}
	limit := defaultSearchHit
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSearchHits {
			return badParam("limit", "limit 须为 1 到 "+strconv.Itoa(maxSearchHits)+" 之间的整数",
				"limit must be an integer from 1 to "+strconv.Itoa(maxSearchHits)+", got "+strconv.Quote(v))
		}
		limit = n
	}
	// One more than asked says whether there are more.
	hits, err := store.SearchParcels(c.Request().Context(), s.pool, q, limit+1)
	if err != nil {
		return err
	}
	more := len(hits) > limit
	if more {
		hits = hits[:limit]
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"q": q, "limit": limit, "results": hits,
		"numberReturned": len(hits), "more": more})
}
