package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// maxBody bounds JSON request bodies (the whole-server limit is larger, for imports).
const maxBody = 8 << 20

// decodeJSON reads a JSON body strictly: one object, no unknown fields, bounded size.
func decodeJSON(c echo.Context, v any) error {
	r := http.MaxBytesReader(c.Response(), c.Request().Body, maxBody)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var big *http.MaxBytesError
		switch {
		case errors.As(err, &big):
			return problem(http.StatusRequestEntityTooLarge, "payload-too-large", "Payload too large",
				"请求体过大", fmt.Sprintf("the body exceeds %d bytes", maxBody))
		case errors.As(err, &syn):
			return problem(http.StatusBadRequest, "malformed-json", "Malformed JSON",
				"JSON 格式错误", fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, err))
		case errors.As(err, &typ):
			p := problem(http.StatusBadRequest, "malformed-json", "Malformed JSON",
				"字段类型错误 "+typ.Field, fmt.Sprintf("field %s must be %s", typ.Field, typ.Type))
			p.Field = typ.Field
			return p
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			p := problem(http.StatusBadRequest, "malformed-json", "Unknown field", "未知字段 "+f, "unknown field "+f)
			p.Field = f
			return p
		case errors.Is(err, io.EOF):
			return problem(http.StatusBadRequest, "malformed-json", "Malformed JSON", "请求体为空", "the request body is empty")
		default:
			return problem(http.StatusBadRequest, "malformed-json", "Malformed JSON", "JSON 格式错误", err.Error())
		}
	}
	if dec.More() {
		return problem(http.StatusBadRequest, "malformed-json", "Malformed JSON", "请求体只能有一个 JSON 对象", "the body must hold exactly one JSON object")
	}
	return nil
}

// parseDate reads a civil date (YYYY-MM-DD), or an RFC 3339 instant taken as its date in
// Asia/Shanghai, where legal dates live.
func parseDate(field, s string) (time.Time, *Problem) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, nil
	}
	if ts, err := time.Parse(time.RFC3339, s); err == nil {
		y, m, d := ts.In(shanghai).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, badParam(field, field+" 须为日期 YYYY-MM-DD", field+" must be a date YYYY-MM-DD, got "+fmt.Sprintf("%q", s))
}

// shanghai is China Standard Time (UTC+8, no daylight saving); fixed so that the binary
// does not depend on the machine's tzdata.
var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// today is the civil date in Asia/Shanghai.
func today() time.Time {
	y, m, d := time.Now().In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
