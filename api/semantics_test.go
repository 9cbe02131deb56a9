package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/landreg/landreg/api"
	"github.com/landreg/landreg/dbtest/demodb"
)

// request sends one request and returns the response with its body read.
func request(t *testing.T, method, url string, headers map[string]string, body string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

// wantProblem asserts a problem+json answer of a status and type, naming field if
// field is not empty.
func wantProblem(t *testing.T, res *http.Response, body []byte, status int, typ, field string) map[string]any {
	t.Helper()
	var p map[string]any
	if res.StatusCode != status || res.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil ||
		p["type"] != "urn:landreg:problem:"+typ || (field != "" && p["field"] != field) {
		t.Errorf("%s %s: want %d %s (field %q), got %d %s %s", res.Request.Method, res.Request.URL, status, typ, field,
			res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	return p
}

// TestPoisonedValues: values stored before the API and the schema refused them (here
// written past the schema's bounds, as legacy data would be) must give every report and status
// either a correct 200 with a non-empty body or a problem, never a 200 with nothing.
// The NaN price made the JSON idle reports and the status answer 200 with an empty
// body; the tax of 1e308 made the 亩均 report a 500 internal error.
func TestPoisonedValues(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	var idle int64
	var asOf string
	if err := pool.QueryRow(ctx, `SELECT parcel_id, current_date::text FROM landreg_sys.idle_statuses(current_date, NULL, NULL)
		WHERE category IN ('IDLE_1Y', 'IDLE_2Y') ORDER BY parcel_id LIMIT 1`).Scan(&idle, &asOf); err != nil {
		t.Fatalf("an idle parcel: %v", err)
	}
	var holderParcel int64
	pool.QueryRow(ctx, `SELECT id FROM parcels WHERE holder_uscc IS NOT NULL ORDER BY id LIMIT 1`).Scan(&holderParcel)
	for _, sql := range []string{
		// Legacy data predates the schema's bounds (migration 00013): take them away to
		// write it, as the owner may.
		`ALTER TABLE parcels DROP CONSTRAINT parcels_price_wan_check`,
		`ALTER TABLE parcel_events DISABLE TRIGGER parcel_events_validate`,
		fmt.Sprintf(`UPDATE parcels SET price_wan = 'NaN' WHERE id = %d`, idle),
		fmt.Sprintf(`INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES (%d, 'ANNUAL_INDICATORS', '2024-03-31', '{"year": 2023, "tax_wan": 1e308, "va_wan": 1e308}')`, holderParcel),
		fmt.Sprintf(`INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES (%d, 'ANNUAL_INDICATORS', '2024-04-01', '{"year": 2023, "tax_wan": 1e308}')`, holderParcel),
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	paths := []string{
		fmt.Sprintf("/v1/parcels/%d/status", idle),
		fmt.Sprintf("/v1/parcels/%d", idle),
		fmt.Sprintf("/v1/parcels/%d/history", idle),
		fmt.Sprintf("/collections/parcels/items/%d", idle),
		"/collections/parcels/items?limit=1000",
		"/collections/parcel_status/items?limit=1000",
		fmt.Sprintf("/collections/parcel_status/items/%d", idle),
		"/v1/audit/mujun?year=2023",
		fmt.Sprintf("/v1/audit/dossier?parcel=%d", idle),
	}
	for _, r := range []string{"idle", "idle-parcels", "changes", "quality", "mujun"} {
		for _, f := range []string{"json", "csv", "xlsx"} {
			paths = append(paths, "/v1/audit/"+r+"?format="+f+"&year=2023")
		}
	}
	paths = append(paths, "/v1/audit/idle-parcels?format=geojson", "/v1/audit/quality?format=geojson")
	for _, p := range paths {
		res, body := request(t, "GET", srv.URL+p, nil, "")
		ct := res.Header.Get("Content-Type")
		switch {
		case res.StatusCode == http.StatusOK:
			ok := len(body) > 0
			switch {
			case strings.Contains(ct, "json"):
				ok = ok && json.Valid(body) && !bytes.Contains(body, []byte("NaN,")) && !bytes.Contains(body, []byte(":NaN"))
			case strings.Contains(ct, "spreadsheetml"):
				f, err := excelize.OpenReader(bytes.NewReader(body))
				ok = ok && err == nil
				if err == nil {
					f.Close()
				}
			case strings.HasPrefix(ct, "text/csv"):
				ok = ok && !bytes.Contains(body, []byte(",NaN")) && !bytes.Contains(body, []byte("Inf"))
			}
			if !ok {
				t.Errorf("GET %s: 200 %s with an empty or invalid body: %.300s", p, ct, body)
			}
		case res.StatusCode >= 400:
			var pr map[string]any
			if ct != "application/problem+json" || json.Unmarshal(body, &pr) != nil {
				t.Errorf("GET %s: %d that is not problem+json: %s %.300s", p, res.StatusCode, ct, body)
				continue
			}
			if pr["type"] == "urn:landreg:problem:internal" {
				t.Errorf("GET %s: an internal error instead of a problem that says what is wrong: %s", p, body)
			}
			t.Logf("GET %s: %d %s field=%v", p, res.StatusCode, pr["type"], pr["field"])
		default:
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	// The status names the poisoned figure.
	res, body := request(t, "GET", fmt.Sprintf("%s/v1/parcels/%d/status", srv.URL, idle), nil, "")
	wantProblem(t, res, body, 500, "invalid-stored-value", "idle_fee_wan")
	res, body = request(t, "GET", srv.URL+"/v1/audit/idle-parcels?format=csv", nil, "")
	if p := wantProblem(t, res, body, 500, "invalid-stored-value", "idle_fee_wan"); p["feature_id"] == nil || res.Header.Get("Content-Disposition") != "" {
		t.Errorf("idle-parcels problem names no parcel, or keeps the attachment header: %v %v", p, res.Header)
	}
}

// TestRefusedValues: NaN, infinities, numbers out of bounds, NUL in strings and query
// values are 400/422 problems naming the field, before anything reaches the database.
func TestRefusedValues(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	reg := token(t, pool, "registrar-bounds", "registrar")
	auth := map[string]string{"Authorization": "Bearer " + reg, "Content-Type": "application/json"}
	var id int64
	pool.QueryRow(ctx, `SELECT min(id) FROM parcels`).Scan(&id)
	auditRows := func() (n int64) {
		pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&n)
		return n
	}
	before := auditRows()
	patch := func(props string) (*http.Response, []byte) {
		return request(t, "PATCH", fmt.Sprintf("%s/v1/parcels/%d", srv.URL, id), auth, `{"properties":`+props+`}`)
	}
	for _, c := range []struct{ props, field string }{
		{`{"price_wan": "NaN"}`, "properties.price_wan"},
		{`{"price_wan": "Infinity"}`, "properties.price_wan"},
		{`{"price_wan": "-inf"}`, "properties.price_wan"},
		{`{"price_wan": "0x10"}`, "properties.price_wan"},
		{`{"price_wan": 1e8}`, "properties.price_wan"},
		{`{"registered_area_m2": 1e308}`, "properties.registered_area_m2"},
		{`{"registered_area_m2": 0}`, "properties.registered_area_m2"},
		{`{"registered_area_m2": 1e400}`, "properties.registered_area_m2"},
		{`{"term_years": 30.5}`, "properties.term_years"},
		{`{"rd_ratio": 1.5}`, "properties.rd_ratio"},
		{`{"valid_from": "infinity"}`, "properties.valid_from"},
		{`{"agreed_start": "20240-01-01"}`, "properties.agreed_start"},
		{`{"location": "南\u0000门"}`, "properties.location"},
		{`{"location": "` + strings.Repeat("长", 10001) + `"}`, "properties.location"},
	} {
		res, body := patch(c.props)
		wantProblem(t, res, body, 422, "constraint-violation", c.field)
	}
	if n := auditRows(); n != before {
		t.Errorf("refused patches wrote %d audit rows", n-before)
	}
	// Plain decimals in strings stay accepted (the tests and clients send areas so).
	res, body := patch(`{"price_wan": "1200.50"}`)
	if res.StatusCode != 200 {
		t.Errorf("price as a decimal string: %d %s", res.StatusCode, body)
	}
	before = auditRows()
	events := fmt.Sprintf("%s/v1/parcels/%d/events", srv.URL, id)
	for _, c := range []struct{ body, field string }{
		{`{"type":"ANNUAL_INDICATORS","event_date":"2024-03-31","payload":{"year":2023,"tax_wan":1e308}}`, "payload.tax_wan"},
		{`{"type":"ANNUAL_INDICATORS","event_date":"2024-03-31","payload":{"year":2023,"tax_wan":"NaN"}}`, "payload.tax_wan"},
		{`{"type":"ANNUAL_INDICATORS","event_date":"2024-03-31","payload":{"year":2023,"tax_wan":1,"land_mu_used":0}}`, "payload.land_mu_used"},
		{`{"type":"ANNUAL_INDICATORS","event_date":"2024-03-31","payload":{"year":20230,"tax_wan":1}}`, "payload.year"},
		{`{"type":"PROGRESS","event_date":"2024-03-31","payload":{"developed_land_ratio":2}}`, "payload.developed_land_ratio"},
		{`{"type":"PROGRESS","event_date":"2024-03-31","payload":{"extra":{"n":[1,1e300]}}}`, "payload.extra.n[1]"},
	} {
		res, body := request(t, "POST", events, auth, c.body)
		wantProblem(t, res, body, 422, "invalid-event", c.field)
	}
	res, body = request(t, "POST", events, auth, `{"type":"STARTED","event_date":"2024-03-31","doc_no":"a\u0000b"}`)
	wantProblem(t, res, body, 422, "constraint-violation", "doc_no")
	res, body = request(t, "POST", events, auth, `{"type":"PROGRESS","event_date":"2024-03-31","payload":{"note":"a\u0000b"}}`)
	wantProblem(t, res, body, 422, "constraint-violation", "payload.note")
	res, body = request(t, "POST", events, auth, `{"type":"STARTED","event_date":"2024-03-31","payload":{"a":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}}`)
	wantProblem(t, res, body, 400, "malformed-json", "")
	// NUL and invalid UTF-8 in the query and the path.
	res, body = request(t, "GET", srv.URL+"/v1/adjustments?xzqdm=33%00", nil, "")
	wantProblem(t, res, body, 400, "invalid-parameter", "xzqdm")
	res, body = request(t, "GET", srv.URL+"/collections/parcels/items?zddm=%ff", nil, "")
	wantProblem(t, res, body, 400, "invalid-parameter", "zddm")
	res, body = request(t, "GET", srv.URL+"/v1/districts/3303%0004/quota", nil, "")
	wantProblem(t, res, body, 400, "invalid-parameter", "path")
	res, body = request(t, "GET", srv.URL+"/collections/parcels/items?price_wan=NaN", nil, "")
	wantProblem(t, res, body, 400, "invalid-parameter", "price_wan")
	// The reason travels as a header into the audit log: invalid UTF-8 is refused too.
	res, body = request(t, "PATCH", fmt.Sprintf("%s/v1/parcels/%d", srv.URL, id),
		map[string]string{"Authorization": "Bearer " + reg, "Content-Type": "application/json", "X-Landreg-Reason": "\xff\xfe"},
		`{"properties":{"location":"理由无效"}}`)
	wantProblem(t, res, body, 400, "invalid-parameter", "X-Landreg-Reason")
	if n := auditRows(); n != before {
		t.Errorf("refused requests wrote %d audit rows", n-before)
	}
}

// TestQueryStrings: a query string that does not parse, a parameter a route does not
// know, a repeated or empty one are 400s; they used to be ignored (bbox=%zz returned
// the whole layer).
func TestQueryStrings(t *testing.T) {
	_, srv, _ := demoServer(t, demodb.Fixtures)
	for _, c := range []struct{ path, field string }{
		{"/collections/parcels/items?bbox=%zz", "bbox"},
		{"/collections/parcels/items?filter=%zz", "filter"},
		{"/collections/parcels/items?limit=%zz", "limit"},
		{"/collections/parcels/items?limit=5;offset=2", "limit"},
		{"/collections/parcels/items?%zz=1", "query"},
		{"/collections/parcels/items?limit=5&limit=6", "limit"},
		{"/v1/districts/330304/quota?foo=1", "foo"},
		{"/v1/districts/330304/quota?known_at=", "known_at"},
		{"/v1/districts/330304/quota?date=", "date"},
		{"/v1/quota?date=2024-01-01&date=2024-06-30", "date"},
		{"/v1/parcels/1/status?known_at=", "known_at"},
		{"/v1/audit/idle?district=330304&foo=1", "foo"},
		{"/v1/audit/mujun?year=20230", "year"},
		{"/v1/adjustments/1?f=html", "f"},
		{"/tiles/parcels?datetime=2024-01-01", "datetime"},
		{"/healthz?x", "x"},
	} {
		res, body := request(t, "GET", srv.URL+c.path, nil, "")
		wantProblem(t, res, body, 400, "invalid-parameter", c.field)
	}
	res, body := request(t, "GET", srv.URL+"/v1/districts/330304/quota?foo=1", nil, "")
	if p := wantProblem(t, res, body, 400, "invalid-parameter", "foo"); fmt.Sprint(p["allowed"]) != "[date known_at]" {
		t.Errorf("allowed = %v, want [date known_at]", p["allowed"])
	}
	if res, body := request(t, "GET", srv.URL+"/v1/districts/330304/quota?date=2024-06-30", nil, ""); res.StatusCode != 200 {
		t.Errorf("a known parameter: %d %s", res.StatusCode, body)
	}
}

// TestDatabaseUnavailable: with PostgreSQL gone (here a server pointed at a port where
// nothing listens) reads and writes are 503 database-unavailable with Retry-After, and
// /readyz says not ready without naming hosts, sockets or roles.
func TestDatabaseUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	pool, err := pgxpool.New(context.Background(), "postgres://landreg_secret_role@"+addr+"/landreg?connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := httptest.NewServer(api.New(api.Config{Version: "test"}, pool, zerolog.Nop()))
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		headers      map[string]string
		body         string
	}{
		{"GET", "/collections/parcels/items?limit=5", nil, ""},
		{"GET", "/v1/audit/idle", nil, ""},
		{"POST", "/v1/parcels/1/events", map[string]string{"Authorization": "Bearer lr_whatever", "Content-Type": "application/json"},
			`{"type":"STARTED","event_date":"2024-03-31"}`},
	} {
		res, body := request(t, c.method, srv.URL+c.path, c.headers, c.body)
		wantProblem(t, res, body, 503, "database-unavailable", "")
		if res.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s: no Retry-After", c.method, c.path)
		}
		if strings.Contains(string(body), "landreg_secret_role") || strings.Contains(string(body), addr) {
			t.Errorf("%s %s: the problem shows connection details: %s", c.method, c.path, body)
		}
	}
	res, body := request(t, "GET", srv.URL+"/readyz", nil, "")
	wantProblem(t, res, body, 503, "not-ready", "")
	if res.Header.Get("Retry-After") == "" || strings.Contains(string(body), "landreg_secret_role") || strings.Contains(string(body), addr) {
		t.Errorf("/readyz: Retry-After %q, body %s", res.Header.Get("Retry-After"), body)
	}
}

// TestReadyWrites: /readyz is 200 on a healthy database, which includes a write to disk.
func TestReadyWrites(t *testing.T) {
	_, srv, _ := demoServer(t, demodb.Fixtures)
	res, body := request(t, "GET", srv.URL+"/readyz", nil, "")
	if res.StatusCode != 200 {
		t.Fatalf("/readyz: %d %s", res.StatusCode, body)
	}
}

// TestHTTPMethods: HEAD on every GET route answers as GET does, without a body; Allow
// lists HEAD; If-Match compares strongly over lists; JSON bodies need a JSON media type.
func TestHTTPMethods(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Fixtures)
	reg := token(t, pool, "registrar-methods", "registrar")
	var id int64
	pool.QueryRow(ctx, `SELECT min(id) FROM parcels`).Scan(&id)
	good := map[string]string{"collectionId": "parcels", "featureId": fmt.Sprint(id), "id": "1", "code": "330304",
		"report": "idle", "layers": "parcels", "z": "14", "x": "13703", "y": "6947.mvt", "collection": "parcels", "*": "index.html"}
	routes := api.New(api.Config{Version: "test"}, pool, zerolog.Nop()).Routes()
	n := 0
	for _, r := range routes {
		if r.Method != "GET" {
			continue
		}
		path := r.Path
		for k, v := range good {
			path = strings.ReplaceAll(path, ":"+k, v)
		}
		path = strings.ReplaceAll(path, "*", good["*"])
		get, _ := request(t, "GET", srv.URL+path, nil, "")
		head, body := request(t, "HEAD", srv.URL+path, nil, "")
		n++
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(body) != 0 {
			t.Errorf("HEAD %s: %d %q with %d body bytes; GET: %d %q", path, head.StatusCode, head.Header.Get("Content-Type"), len(body),
				get.StatusCode, get.Header.Get("Content-Type"))
		}
	}
	if n < 20 {
		t.Errorf("only %d GET routes", n)
	}
	res, body := request(t, "DELETE", srv.URL+"/v1/quota", nil, "")
	wantProblem(t, res, body, 405, "method-not-allowed", "")
	if a := res.Header.Get("Allow"); !strings.Contains(a, "GET, HEAD") {
		t.Errorf("405 Allow %q lacks HEAD", a)
	}
	if res, _ := request(t, "OPTIONS", srv.URL+"/v1/quota", nil, ""); !strings.Contains(res.Header.Get("Allow"), "HEAD") {
		t.Errorf("OPTIONS Allow %q lacks HEAD", res.Header.Get("Allow"))
	}

	// If-Match: strong comparison over a list; weak tags and other features never match.
	item := fmt.Sprintf("%s/collections/parcels/items/%d", srv.URL, id)
	etag := func() string {
		res, _ := request(t, "GET", item, nil, "")
		return res.Header.Get("ETag")
	}
	cur := etag()
	hdr := func(ifMatch string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + reg, "Content-Type": "application/merge-patch+json", "If-Match": ifMatch}
	}
	patch := `{"properties":{"location":"If-Match 测试"}}`
	for _, c := range []struct {
		ifMatch string
		status  int
	}{
		{"W/" + cur, 412},
		{`"999999-1"`, 412},
		{fmt.Sprintf(`"%d-999"`, id), 412},
		{`abc`, 400},
		{`"a", *`, 400},
		{fmt.Sprintf(`"%d-999", %s`, id, cur), 200},
		{"*", 200},
	} {
		h := hdr(c.ifMatch)
		if c.status == 200 {
			h["If-Match"] = strings.ReplaceAll(c.ifMatch, cur, etag())
		}
		res, body := request(t, "PATCH", item, h, patch)
		if res.StatusCode != c.status {
			t.Errorf("If-Match %s: %d %s, want %d", c.ifMatch, res.StatusCode, body, c.status)
		}
	}
	res, body = request(t, "DELETE", item, hdr("W/"+etag()), "")
	wantProblem(t, res, body, 412, "precondition-failed", "")

	// Media types of JSON bodies.
	events := fmt.Sprintf("%s/v1/parcels/%d/events", srv.URL, id)
	ev := `{"type":"STARTED","event_date":"2024-03-31"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=gbk", "application/geo+json"} {
		res, body := request(t, "POST", events, map[string]string{"Authorization": "Bearer " + reg, "Content-Type": ct}, ev)
		wantProblem(t, res, body, 415, "unsupported-media-type", "Content-Type")
	}
	res, body = request(t, "POST", events, map[string]string{"Authorization": "Bearer " + reg, "Content-Type": "application/json; charset=UTF-8"}, ev)
	if res.StatusCode != 201 {
		t.Errorf("application/json; charset=UTF-8: %d %s", res.StatusCode, body)
	}
}
