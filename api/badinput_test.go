package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/dbtest/demodb"
)

// documentedTypes are the problem types docs/errors.md names (every backticked
// lower-case slug; a superset, which is enough to catch an undocumented type).
func documentedTypes(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z]+(?:-[a-z]+)*)`").FindAllSubmatch(b, -1) {
		out[string(m[1])] = true
	}
	return out
}

// TestBadInput walks every registered route (the router's own list, so a new route is
// covered without touching this test) with malformed query strings, path segments and
// bodies, as an anonymous caller and as an admin, and checks that none is a server
// error, every refusal is a documented problem, and nothing refused was written. The
// inputs are a fixed, bounded set (about 3,500 requests).
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	admin := token(t, pool, "bad-input-admin", "admin")
	routes := api.New(api.Config{Version: "test"}, pool, zerolog.Nop()).Routes()
	documented := documentedTypes(t)

	var parcelID, adjID, lineID int64
	pool.QueryRow(ctx, `SELECT min(id) FROM parcels`).Scan(&parcelID)
	pool.QueryRow(ctx, `SELECT coalesce(min(id), 1) FROM adjustments`).Scan(&adjID)
	pool.QueryRow(ctx, `SELECT min(id) FROM block_lines`).Scan(&lineID)
	var lineGeom json.RawMessage
	pool.QueryRow(ctx, `SELECT ST_AsGeoJSON(geom)::json FROM block_lines WHERE id = $1`, lineID).Scan(&lineGeom)

	tables := []string{"audit_log", "parcels", "parcel_events", "block_lines", "adjustments"}
	counts := func() map[string]int64 {
		out := map[string]int64{}
		for _, tb := range tables {
			var n int64
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+tb).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[tb] = n
		}
		return out
	}
	before := counts()

	// A stored parcel as a client would send it back: the base of the body variants.
	var feature map[string]any
	{
		res, err := http.Get(fmt.Sprintf("%s/collections/parcels/items/%d", srv.URL, parcelID))
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(res.Body).Decode(&feature)
		res.Body.Close()
	}

	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var tried, serverErrors int
	outcomes := map[string]int{} // status and problem type, for the log
	var failures []string
	fail := func(format string, args ...any) {
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	send := func(who, secret, method, target, contentType string, body []byte) {
		tried++
		req, err := http.NewRequest(method, srv.URL+target, bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		if body == nil {
			req.Body, req.ContentLength = nil, 0
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		res, err := hc.Do(req)
		if err != nil {
			fail("%s %s %s: %v", who, method, target, err)
			return
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		short := target
		if len(short) > 120 {
			short = short[:120] + "…"
		}
		ct := res.Header.Get("Content-Type")
		switch {
		case res.StatusCode >= 500:
			serverErrors++
			fail("%s %s %s (body %.60q): %d %.200s", who, method, short, body, res.StatusCode, out)
		case res.StatusCode >= 400:
			var p struct {
				Type string `json:"type"`
			}
			if ct != "application/problem+json" || json.Unmarshal(out, &p) != nil {
				fail("%s %s %s: %d is not problem+json (%s): %.200s", who, method, short, res.StatusCode, ct, out)
				break
			}
			outcomes[fmt.Sprintf("%d %s", res.StatusCode, strings.TrimPrefix(p.Type, "urn:landreg:problem:"))]++
			if !documented[strings.TrimPrefix(p.Type, "urn:landreg:problem:")] {
				fail("%s %s %s: problem type %s is not in docs/errors.md", who, method, short, p.Type)
			}
		case method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions && res.StatusCode < 300:
			fail("%s %s %s (body %.60q): bad input accepted with %d", who, method, short, body, res.StatusCode)
		case res.StatusCode == http.StatusOK && strings.Contains(ct, "json") && !json.Valid(out):
			fail("%s %s %s: 200 with a body that is not JSON: %.200s", who, method, short, out)
		}
	}

	// Path parameters: a plausible value for each, so the malformed part is the only one.
	good := map[string]string{"collectionId": "parcels", "featureId": fmt.Sprint(parcelID), "id": fmt.Sprint(adjID),
		"code": "330304", "report": "idle", "layers": "parcels", "z": "14", "x": "13703", "y": "6947.mvt",
		"collection": "parcels", "*": "index.html"}
	variants := map[string][]string{"report": audit.Names(), "collectionId": {"parcels", "block_lines", "districts", "parcel_status"}}
	paramRe := regexp.MustCompile(`:[A-Za-z]+|\*`)
	fill := func(pattern string, over map[string]string) string {
		return paramRe.ReplaceAllStringFunc(pattern, func(m string) string {
			name := strings.TrimPrefix(m, ":")
			if v, ok := over[name]; ok {
				return v
			}
			return good[name]
		})
	}

	names := []string{"limit", "offset", "after", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang", "sortby", "f",
		"date", "known_at", "format", "district", "year", "years", "from", "to", "parcel", "xzqdm", "price_wan", "foo"}
	values := []string{"%zz", "%00", "%ff", "1e400", "99999999999999999999", "NaN", "-Infinity", "-1", "", "2024-13-45", "0000-01-01", "1;2"}
	rawQueries := []string{"%zz", "=%zz", "a%zz=1", "%00=1", "date=2024-01-01&date=2024-02-01", "foo=1"}
	pathBad := []string{"%00", "%ff", "99999999999999999999", "-1", "NaN", "1e308"}

	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	huge := strings.Repeat("长", 1<<20)
	withProps := func(over map[string]any) []byte {
		f := map[string]any{"type": "Feature", "geometry": feature["geometry"]}
		props := map[string]any{}
		for k, v := range feature["properties"].(map[string]any) {
			props[k] = v
		}
		for k, v := range over {
			props[k] = v
		}
		f["properties"] = props
		b, _ := json.Marshal(f)
		return b
	}
	raw := func(s string) []byte { return []byte(s) }
	type body struct {
		ct   string
		data []byte
	}
	generic := []body{
		{"text/plain", raw(`{}`)}, {"", raw(`{"a":`)}, {"application/xml", raw(`<a/>`)},
		{"application/json; charset=gbk", raw(`{}`)},
		{"application/json", raw(`{"a":`)}, {"application/json", raw(deep)},
	}
	bodiesFor := func(pattern string) []body {
		out := append([]body(nil), generic...)
		js := func(s string) { out = append(out, body{"application/json", raw(s)}) }
		switch {
		case strings.HasSuffix(pattern, "/events"):
			ev := func(payload, extra string) {
				js(`{"type":"ANNUAL_INDICATORS","event_date":"2024-03-31","payload":` + payload + extra + `}`)
			}
			ev(`{"year":2023,"tax_wan":1e308,"va_wan":50}`, ``)
			ev(`{"year":2023,"tax_wan":"NaN","va_wan":50}`, ``)
			ev(`{"year":2023,"tax_wan":10,"land_mu_used":1e400}`, ``)
			ev(`{"year":2023,"tax_wan":10,"note":"a\u0000b"}`, ``)
			ev(`{"year":2023,"tax_wan":10}`, `,"doc_no":"a\u0000b"`)
			ev(`{"year":2023,"tax_wan":10}`, `,"doc_no":"`+huge+`"`)
			ev(`{"year":2023,"tax_wan":10,"deep":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}`, ``)
			ev(`{"year":1e308,"tax_wan":10}`, ``)
		case strings.Contains(pattern, "/items") || strings.HasPrefix(pattern, "/v1/parcels"):
			for _, over := range []map[string]any{
				{"price_wan": "NaN"}, {"price_wan": "Infinity"}, {"price_wan": "-Infinity"}, {"registered_area_m2": 1e308},
				{"registered_area_m2": "1e400"}, {"far_max": -1}, {"term_years": 1e9}, {"location": "a\x00b"},
				{"location": huge}, {"valid_from": "infinity"},
			} {
				out = append(out, body{"application/geo+json", withProps(over)})
			}
			out = append(out, body{"application/geo+json", raw(`{"type":"Feature","geometry":null,"properties":{"location":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}`)})
		case pattern == "/v1/adjustments":
			adj := func(extra string) {
				js(`{"xzqdm":"330304","kind":"调整","effective_date":"2024-01-01","reason":"坏输入测试","removals":[{"geometry":` + string(lineGeom) + `}]` + extra + `}`)
			}
			adj(`,"doc_no":"a\u0000b"`)
			adj(`,"doc_no":"` + huge + `"`)
			adj(`,"level":1e308`)
			adj(`,"publicity_from":"NaN"`)
			adj(`,"crs":"\u0000"`)
		case strings.HasPrefix(pattern, "/v1/adjustments/"):
			js(`{"date":"NaN"}`)
			js(`{"date":1e308}`)
			js(`{"reason":"a\u0000b"}`)
			js(`{"doc_no":"` + huge + `"}`)
			js(`{"date":"0000-01-01"}`)
		case strings.HasSuffix(pattern, "/review"):
			js(`{"note":"a\u0000b"}`)
			js(`{"note":"` + huge + `"}`)
			js(`{"note":1e308}`)
		}
		return out
	}

	sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
	for ri, r := range routes {
		// Base paths: every report and collection for the routes that take one.
		var bases []string
		bases = append(bases, fill(r.Path, nil))
		for name, vs := range variants {
			if strings.Contains(r.Path, ":"+name) && (r.Method == http.MethodGet || name == "report") {
				bases = bases[:0]
				for _, v := range vs {
					bases = append(bases, fill(r.Path, map[string]string{name: v}))
				}
			}
		}
		callers := []struct{ who, secret string }{{"admin", admin}}
		if r.Method == http.MethodGet {
			callers = append(callers, struct{ who, secret string }{"anonymous", ""})
		}
		for ci, cl := range callers {
			for bi, base := range bases {
				// One value per parameter name, rotated over routes, bases and callers so
				// that every pair is tried somewhere without trying every pair everywhere.
				for ni, name := range names {
					v := values[(ni+ri+bi+5*ci)%len(values)]
					send(cl.who, cl.secret, r.Method, base+"?"+name+"="+v, "", nil)
				}
				for _, q := range rawQueries {
					send(cl.who, cl.secret, r.Method, base+"?"+q, "", nil)
				}
			}
			for _, m := range paramRe.FindAllString(r.Path, -1) {
				name := strings.TrimPrefix(m, ":")
				for _, v := range pathBad {
					send(cl.who, cl.secret, r.Method, fill(r.Path, map[string]string{name: v}), "", nil)
				}
			}
			if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
				for _, b := range bodiesFor(r.Path) {
					send(cl.who, cl.secret, r.Method, bases[0], b.ct, b.data)
				}
			}
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			for _, b := range generic[:3] {
				send("anonymous", "", r.Method, bases[0], b.ct, b.data)
			}
		}
	}

	after := counts()
	for _, tb := range tables {
		if after[tb] != before[tb] {
			fail("%s: %d rows before, %d after: a refused request wrote", tb, before[tb], after[tb])
		}
	}
	t.Logf("%d requests over %d routes, %d server errors; refusals: %v", tried, len(routes), serverErrors, outcomes)
	for i, f := range failures {
		if i == 60 {
			t.Errorf("… and %d more", len(failures)-i)
			break
		}
		t.Error(f)
	}
}
