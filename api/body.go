package api

import (
	"github.com/landreg/landreg"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// maxBody bounds JSON request bodies (the whole-server limit is larger, for imports).
const maxBody = 8 << 20

// Media types of JSON bodies. Every JSON body may be application/json; Feature writes
// also take GeoJSON and JSON merge patch (on any method: clients are not consistent).
const mtMergePatch = "application/merge-patch+json"

var featureBodyTypes = []string{mtGeoJSON, mtMergePatch}

// decodeJSON reads a JSON body strictly: a JSON media type or none (others are a 415), one
// object, no unknown fields, bounded size, no NUL in any string, bounded string length
// and nesting. also lists media types accepted besides application/json.
func decodeJSON(c echo.Context, v any, also ...string) error {
	if p := checkJSONMediaType(c, also); p != nil {
		return p
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return problem(http.StatusRequestEntityTooLarge, "payload-too-large", "Payload too large",
			"请求体过大", fmt.Sprintf("the body exceeds %d bytes", maxBody))
	}
	if err != nil {
		return problem(http.StatusBadRequest, "malformed-json", "Malformed JSON", "请求体读取失败", "the body could not be read: "+err.Error())
	}
	// Before decoding: the decoder's own errors (syntax, types) come next and are
	// reported as they are, and a NUL or an over-long string is found with its path.
	if p := scanJSON(b); p != nil {
		return p
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
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

// checkJSONMediaType refuses a body declared as something else than JSON (415): a form
// or a text/plain body parsed as JSON would be a guess. A charset, if given, must be
// UTF-8 (RFC 8259); other parameters are ignored. Without a Content-Type the body is
// examined as JSON (RFC 9110 §8.3 allows either), as it always was: scripts and tests
// send JSON without one, and the decoder refuses anything else.
func checkJSONMediaType(c echo.Context, also []string) *Problem {
	accepted := append([]string{mtJSON}, also...)
	h := c.Request().Header.Get(echo.HeaderContentType)
	if strings.TrimSpace(h) == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(h)
	if err == nil && slices.Contains(accepted, mt) {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8") {
			return nil
		}
	}
	p := problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
		"请求体须为 JSON（UTF-8），Content-Type 为 "+strings.Join(accepted, "、"),
		"the body must be UTF-8 JSON sent as "+strings.Join(accepted, " or ")+"; Content-Type was "+h)
	p.Field = "Content-Type"
	p.Allowed = accepted
	return p
}

// scanJSON walks the tokens of a body and refuses strings (keys or values) that hold
// NUL or exceed maxStringChars, and nesting beyond maxDepth, naming the field by its
// path (properties.name, removals[0].geometry). Syntax errors end the walk quietly:
// decoding reports them.
func scanJSON(b []byte) *Problem {
	type frame struct {
		obj       bool
		expectKey bool
		key       string
		idx       int
	}
	var st []*frame
	path := func() string {
		var sb strings.Builder
		for _, f := range st {
			if f.obj {
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(f.key)
			} else {
				sb.WriteString("[" + strconv.Itoa(f.idx) + "]")
			}
		}
		return sb.String()
	}
	done := func() { // a value ended at the current level
		if n := len(st); n > 0 {
			if st[n-1].obj {
				st[n-1].expectKey = true
			} else {
				st[n-1].idx++
			}
		}
	}
	checkString := func(field, s string) *Problem {
		if strings.IndexByte(s, 0) >= 0 {
			return valueProblem(field, field+" 含有 NUL 字符（\\u0000）", field+" holds a NUL character (\\u0000), which the database cannot store")
		}
		if n := utf8.RuneCountInString(s); n > maxStringChars {
			return valueProblem(field, fmt.Sprintf("%s 过长（%d 字符，最多 %d）", field, n, maxStringChars),
				fmt.Sprintf("%s is too long (%d characters, at most %d)", field, n, maxStringChars))
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if n := len(st); n > 0 {
			top = st[n-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(st) >= maxDepth {
					return badJSONValue(path(), fmt.Sprintf("JSON 嵌套过深（最多 %d 层）", maxDepth), fmt.Sprintf("the JSON is nested too deeply (at most %d levels)", maxDepth))
				}
				st = append(st, &frame{obj: v == '{', expectKey: v == '{'})
			default:
				st = st[:len(st)-1]
				done()
			}
		case string:
			if top != nil && top.obj && top.expectKey {
				top.key, top.expectKey = v, false
				if p := checkString(path(), v); p != nil {
					return p
				}
				continue
			}
			if p := checkString(path(), v); p != nil {
				return p
			}
			done()
		default:
			done()
		}
	}
}

func badJSONValue(field, zh, en string) *Problem {
	p := problem(http.StatusBadRequest, "malformed-json", "Malformed JSON", zh, en)
	p.Field = field
	return p
}

// parseDate reads a civil date (YYYY-MM-DD), or an RFC 3339 instant taken as its date in
// Asia/Shanghai, where legal dates live, in the years minYear–maxYear.
func parseDate(field, s string) (time.Time, *Problem) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if ts, err2 := time.Parse(time.RFC3339, s); err2 == nil {
			y, m, dd := ts.In(landreg.Shanghai).Date()
			d, err = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC), nil
		}
	}
	if err != nil || !dateInRange(d) {
		return time.Time{}, badParam(field, fmt.Sprintf("%s 须为 %d–%d 年间的日期 YYYY-MM-DD", field, minYear, maxYear),
			fmt.Sprintf("%s must be a date YYYY-MM-DD in the years %d–%d, got %q", field, minYear, maxYear, s))
	}
	return d, nil
}

// parseKnownAt reads a system time for "as known at" questions (known_at): an RFC 3339
// instant, or a date meaning the end of that day in Asia/Shanghai (its last
// microsecond, PostgreSQL's resolution), so known_at=2024-06-30 answers as the register
// stood when that day's work was done. Years minYear–maxYear.
func parseKnownAt(field, s string) (time.Time, *Problem) {
	k, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if d, err2 := time.Parse(time.DateOnly, s); err2 == nil {
			y, m, dd := d.Date()
			k, err = time.Date(y, m, dd+1, 0, 0, 0, 0, landreg.Shanghai).Add(-time.Microsecond), nil
		}
	}
	if err != nil || !dateInRange(k) {
		return time.Time{}, badParam(field, fmt.Sprintf("%s 须为 RFC 3339 时间或日期 YYYY-MM-DD（当日结束，北京时间），%d–%d 年间", field, minYear, maxYear),
			fmt.Sprintf("%s must be an RFC 3339 timestamp or a date YYYY-MM-DD (the end of that day, Asia/Shanghai) in the years %d–%d, got %q", field, minYear, maxYear, s))
	}
	return k, nil
}

// knownAtParam is the optional known_at query parameter; nil when absent.
func knownAtParam(c echo.Context) (*time.Time, *Problem) {
	s := c.QueryParam("known_at")
	if s == "" {
		return nil, nil
	}
	k, p := parseKnownAt("known_at", s)
	if p != nil {
		return nil, p
	}
	return &k, nil
}
