package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/testenv"
)

// jsonSchemaOf turns the OpenAPI 3.0 document into JSON Schema a validator reads: an
// OpenAPI schema with nullable: true also admits null, and exclusiveMinimum: true makes
// its minimum exclusive.
func jsonSchemaOf(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k != "nullable" && k != "example" {
				out[k] = jsonSchemaOf(x)
			}
		}
		// OpenAPI 3.0's exclusiveMinimum is a flag on minimum; JSON Schema's the bound.
		if v["exclusiveMinimum"] == true {
			out["exclusiveMinimum"] = out["minimum"]
			delete(out, "minimum")
		}
		if v["nullable"] == true {
			return map[string]any{"anyOf": []any{out, map[string]any{"type": "null"}}}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonSchemaOf(x)
		}
		return out
	}
	return v
}

// contract validates responses of a real server against the schemas its /api documents.
type contract struct {
	t     *testing.T
	doc   map[string]any
	c     *jsonschema.Compiler
	cache map[string]*jsonschema.Schema
}

const docURL = "urn:landreg:api"

func newContract(t *testing.T, base string) *contract {
	t.Helper()
	res, err := http.Get(base + "/api")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, jsonSchemaOf(doc)); err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, doc: doc, c: c, cache: map[string]*jsonschema.Schema{}}
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// schema compiles the schema at pointer (JSON pointer into the document).
func (k *contract) schema(pointer string) *jsonschema.Schema {
	k.t.Helper()
	if s, ok := k.cache[pointer]; ok {
		return s
	}
	s, err := k.c.Compile(docURL + "#" + pointer)
	if err != nil {
		k.t.Fatalf("compile %s: %v", pointer, err)
	}
	k.cache[pointer] = s
	return s
}

// responsePointer is the pointer of the documented schema of a response to method on
// path (the document's path template) with status and media type; "" when the
// document has no such response.
func (k *contract) responsePointer(method, path string, status int, mediaType string) string {
	item, _ := k.doc["paths"].(map[string]any)[path].(map[string]any)
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		return ""
	}
	responses := op["responses"].(map[string]any)
	code := itoa(int64(status))
	r, ok := responses[code].(map[string]any)
	if !ok {
		code = "default"
		r = responses[code].(map[string]any)
	}
	ptr := "/paths/" + pointerEscape(path) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := r["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		r = k.doc["components"].(map[string]any)["responses"].(map[string]any)[strings.TrimPrefix(ref, "#/components/responses/")].(map[string]any)
	}
	content, _ := r["content"].(map[string]any)
	if _, ok := content[mediaType]; !ok {
		return ""
	}
	return ptr + "/content/" + pointerEscape(mediaType) + "/schema"
}

// check sends the request and validates the answer against the document: the status
// must be documented (or default for problems), the media type too, and the JSON body
// must match its schema.
func (k *contract) check(method, base, path, concrete string, body any, header http.Header, want int) []byte {
	k.t.Helper()
	var rd io.Reader
	if raw, ok := body.([]byte); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+concrete, rd)
	for h, v := range header {
		req.Header[h] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		k.t.Errorf("%s %s: status %d, want %d: %.400s", method, concrete, res.StatusCode, want, b)
		return b
	}
	if len(b) == 0 {
		return b
	}
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	ptr := k.responsePointer(method, path, res.StatusCode, mt)
	if ptr == "" {
		k.t.Errorf("%s %s: %d %s is not documented for %s", method, concrete, res.StatusCode, mt, path)
		return b
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		k.t.Errorf("%s %s: not JSON: %v", method, concrete, err)
		return b
	}
	if err := k.schema(ptr).Validate(v); err != nil {
		k.t.Errorf("%s %s does not match its documented schema %s:\n%v", method, concrete, ptr, err)
	}
	return b
}

// requestExample is the documented example of the request body of method on path.
func (k *contract) requestExample(method, path, mediaType string) any {
	k.t.Helper()
	op := k.doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	s := op["requestBody"].(map[string]any)["content"].(map[string]any)[mediaType].(map[string]any)["schema"].(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		s = k.doc["components"].(map[string]any)["schemas"].(map[string]any)[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	ex, ok := s["example"]
	if !ok {
		k.t.Fatalf("%s %s: no example of the %s body", method, path, mediaType)
	}
	return ex
}

// TestOpenAPIResponsesMatchSchemas requests a sample of every group of endpoints on a
// real server over the demo and validates each JSON answer, problems included, against
// the schema /api documents for it; the documented request examples (Chinese data) are
// sent as they are and must be accepted, and the writes' answers match their schemas: an
// adjustment through proposal, publicity, approval and apply; a district registered and
// changed; an idle policy version; an import.
func TestOpenAPIResponsesMatchSchemas(t *testing.T) {
	pool, srv, _ := demoServer(t, demodb.Demo)
	ctx := context.Background()
	k := newContract(t, srv.URL)
	var pid, aid, uscc, code string
	for q, dst := range map[string]*string{
		`SELECT min(id)::text FROM parcels`: &pid, `SELECT min(id)::text FROM adjustments`: &aid,
		`SELECT min(uscc) FROM enterprises`: &uscc, `SELECT min(xzqdm) FROM districts`: &code,
	} {
		if err := pool.QueryRow(ctx, q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	get := func(path, concrete string, want int) []byte {
		t.Helper()
		return k.check("GET", srv.URL, path, concrete, nil, nil, want)
	}
	for _, p := range []string{"/", "/conformance", "/collections", "/tileMatrixSets", "/tiles",
		"/tiles/WebMercatorQuad", "/healthz", "/readyz", "/v1/vocabulary", "/v1/adjustments", "/v1/quota", "/v1/districts"} {
		get(p, p, 200)
	}
	get("/tileMatrixSets/{tileMatrixSetId}", "/tileMatrixSets/WebMercatorQuad", 200)
	for _, c := range catalog.Collections() {
		// A collection without vector tiles has no tiles link and answers 404 there.
		tiles := 404
		if bytes.Contains(get("/collections/{collectionId}", "/collections/"+c.ID, 200), []byte("tilesets-vector")) {
			tiles = 200
		}
		get("/collections/{collectionId}/queryables", "/collections/"+c.ID+"/queryables", 200)
		get("/collections/{collectionId}/schema", "/collections/"+c.ID+"/schema", 200)
		get("/collections/{collectionId}/styles", "/collections/"+c.ID+"/styles", 200)
		get("/collections/{collectionId}/styles/{styleId}", "/collections/"+c.ID+"/styles/default", 200)
		get("/collections/{collectionId}/tiles", "/collections/"+c.ID+"/tiles", tiles)
		get("/collections/{collectionId}/tiles/{tileMatrixSetId}", "/collections/"+c.ID+"/tiles/WebMercatorQuad", tiles)
		get("/tiles/{layers}", "/tiles/"+c.ID, tiles)
		b := get("/collections/"+c.ID+"/items", "/collections/"+c.ID+"/items?limit=5", 200)
		var fc struct {
			Features []struct {
				ID json.Number `json:"id"`
			} `json:"features"`
		}
		json.Unmarshal(b, &fc)
		if len(fc.Features) == 0 {
			t.Errorf("%s: no features in the demo", c.ID)
			continue
		}
		get("/collections/"+c.ID+"/items/{featureId}", "/collections/"+c.ID+"/items/"+fc.Features[0].ID.String(), 200)
		get("/collections/"+c.ID+"/items", "/collections/"+c.ID+"/items?limit=2&skipGeometry=true", 200)
	}
	for _, p := range []string{"/v1/districts/{code}", "/v1/districts/{code}/history", "/v1/districts/{code}/quota",
		"/v1/districts/{code}/quota/history", "/v1/districts/{code}/idle-policy", "/v1/districts/{code}/idle-policy/history"} {
		get(p, strings.Replace(p, "{code}", code, 1), 200)
	}
	for _, p := range []string{"/v1/parcels/{featureId}", "/v1/parcels/{featureId}/events", "/v1/parcels/{featureId}/status", "/v1/parcels/{featureId}/history"} {
		get(p, strings.Replace(p, "{featureId}", pid, 1), 200)
	}
	// One parcel per event type on record: every kind of payload, in its list and its
	// dossier (with the audit rows of its record and events).
	typed, err := pool.Query(ctx, `SELECT DISTINCT parcel_id::text FROM (SELECT DISTINCT ON (type) parcel_id FROM parcel_events ORDER BY type, id) e`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(typed, pgx.RowTo[string])
	if err != nil || len(ids) < 5 {
		t.Fatalf("parcels with events: %v %v", ids, err)
	}
	for _, id := range ids {
		get("/v1/parcels/{featureId}/events", "/v1/parcels/"+id+"/events", 200)
		get("/v1/parcels/{featureId}/history", "/v1/parcels/"+id+"/history", 200)
	}
	get("/v1/adjustments/{id}", "/v1/adjustments/"+aid, 200)
	get("/v1/adjustments/{id}/preview", "/v1/adjustments/"+aid+"/preview", 409) // applied: invalid-state
	get("/v1/enterprises", "/v1/enterprises?limit=3", 200)
	get("/v1/enterprises/{uscc}", "/v1/enterprises/"+uscc, 200)
	for _, r := range []string{"idle", "idle-parcels", "changes", "quality"} {
		get("/v1/audit/{report}", "/v1/audit/"+r, 200)
	}
	get("/v1/audit/{report}", "/v1/audit/dossier?parcel="+pid, 200)
	get("/v1/audit/{report}", "/v1/audit/idle-parcels?format=geojson", 200)
	// Problems.
	get("/collections/parcels/items", "/collections/parcels/items?bbox=1", 400)
	get("/v1/parcels/{featureId}", "/v1/parcels/999999999", 404)
	get("/v1/districts/{code}", "/v1/districts/999999", 404)
	get("/v1/audit/{report}", "/v1/audit/nothing", 404)

	// Writes with the documented examples.
	auth := func(role string) http.Header {
		return http.Header{"Authorization": {"Bearer " + token(t, pool, "contract-"+role, role)}, "Content-Type": {"application/json"}}
	}
	registrar := auth("registrar")
	ex := k.requestExample("POST", "/v1/enterprises", "application/json")
	k.check("POST", srv.URL, "/v1/enterprises", "/v1/enterprises", ex, registrar, 201)
	newUSCC := ex.(map[string]any)["uscc"].(string)
	patch := k.requestExample("PATCH", "/v1/enterprises/{uscc}", "application/json")
	k.check("PATCH", srv.URL, "/v1/enterprises/{uscc}", "/v1/enterprises/"+newUSCC, patch, registrar, 200)
	k.check("POST", srv.URL, "/v1/enterprises", "/v1/enterprises", ex, registrar, 409) // duplicate
	k.check("POST", srv.URL, "/v1/enterprises", "/v1/enterprises", ex, nil, 401)
	// A Feature write with its reason member, then a merge patch.
	feature := k.requestExample("POST", "/collections/parcels/items", "application/geo+json")
	geo := registrar.Clone()
	geo.Set("Content-Type", "application/geo+json")
	b := k.check("POST", srv.URL, "/collections/parcels/items", "/collections/parcels/items", feature, geo, 201)
	var created struct {
		ID json.Number `json:"id"`
	}
	json.Unmarshal(b, &created)
	if created.ID != "" {
		var reason string
		pool.QueryRow(ctx, `SELECT reason FROM audit_log WHERE table_name = 'parcels' AND row_key = $1 ORDER BY id DESC LIMIT 1`, created.ID.String()).Scan(&reason)
		if want := feature.(map[string]any)["reason"]; reason != want {
			t.Errorf("the Feature's reason member was recorded as %q, want %q", reason, want)
		}
		mp := registrar.Clone()
		mp.Set("Content-Type", "application/merge-patch+json")
		k.check("PATCH", srv.URL, "/collections/parcels/items/{featureId}", "/collections/parcels/items/"+created.ID.String(),
			k.requestExample("PATCH", "/collections/parcels/items/{featureId}", "application/merge-patch+json"), mp, 200)
	}

	// The documented proposal, withdrawn; then the same dated today through publicity,
	// approval and apply (an adjustment is applied once in force).
	planner, admin := auth("planner"), auth("admin")
	propose := func(body any) string {
		t.Helper()
		b := k.check("POST", srv.URL, "/v1/adjustments", "/v1/adjustments", body, planner, 201)
		var adj struct {
			ID json.Number `json:"id"`
		}
		json.Unmarshal(b, &adj)
		if adj.ID == "" {
			t.Fatalf("no adjustment proposed: %s", b)
		}
		return adj.ID.String()
	}
	step := func(id, name string, body any, h http.Header, want int) {
		t.Helper()
		p := "/v1/adjustments/{id}/" + name
		k.check("POST", srv.URL, p, strings.Replace(p, "{id}", id, 1), body, h, want)
	}
	proposal := k.requestExample("POST", "/v1/adjustments", "application/json")
	step(propose(proposal), "withdraw", k.requestExample("POST", "/v1/adjustments/{id}/withdraw", "application/json"), planner, 200)
	var today string
	pool.QueryRow(ctx, `SELECT current_date::text`).Scan(&today)
	now := copyDoc(t, proposal).(map[string]any)
	now["effective_date"], now["proposed_on"] = today, today
	id := propose(now)
	dated := map[string]any{"date": today, "doc_no": "温自然资规〔2026〕18号", "reason": "公示期满无异议"}
	step(id, "publicise", dated, planner, 200)
	step(id, "approve", dated, admin, 200)
	get("/v1/adjustments/{id}", "/v1/adjustments/"+id, 200)
	step(id, "apply", map[string]any{"reason": "按批复实施"}, planner, 200)
	step(id, "apply", map[string]any{"reason": "再次实施"}, planner, 409)
	get("/v1/adjustments", "/v1/adjustments", 200)
	get("/v1/districts/{code}/quota/history", "/v1/districts/330304/quota/history", 200)

	// A district registered with its documented body, then changed.
	district := k.requestExample("POST", "/v1/districts", "application/json")
	newCode := district.(map[string]any)["xzqdm"].(string)
	k.check("POST", srv.URL, "/v1/districts", "/v1/districts", district, admin, 201)
	mp := admin.Clone()
	mp.Set("Content-Type", "application/merge-patch+json")
	k.check("PATCH", srv.URL, "/v1/districts/{code}", "/v1/districts/"+newCode,
		map[string]any{"minor_edit_m2": 300, "doc_no": "温政办〔2026〕3号", "reason": "调整细微变更阈值"}, mp, 200)
	get("/v1/districts/{code}/history", "/v1/districts/"+newCode+"/history", 200)
	get("/v1/districts", "/v1/districts", 200)

	// A version of the idle policy, and its history with the audit rows.
	k.check("PUT", srv.URL, "/v1/districts/{code}/idle-policy", "/v1/districts/"+code+"/idle-policy",
		k.requestExample("PUT", "/v1/districts/{code}/idle-policy", "application/json"), admin, 200)
	get("/v1/districts/{code}/idle-policy/history", "/v1/districts/"+code+"/idle-policy/history", 200)
	get("/v1/districts/{code}/idle-policy", "/v1/districts/"+code+"/idle-policy", 200)

	// An import (GDAL reads the spreadsheet): a dry run, then the write.
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		testenv.MissingClient(t, "ogr2ogr not installed (apt-get install gdal-bin): the import's answer is not checked")
	}
	first := "91330302MA0000099"
	c, _ := codes.USCCCheck(first)
	csv := []byte("统一社会信用代码,企业名称,是否规上\n" + first + string(c) + ",温州东方轴承有限公司,是\n")
	for _, run := range []struct {
		dry  bool
		want int
	}{{true, 200}, {false, 201}} {
		var form bytes.Buffer
		w := multipart.NewWriter(&form)
		w.WriteField("kind", "enterprises")
		w.WriteField("dry_run", strconv.FormatBool(run.dry))
		w.WriteField("reason", "2026 年企业名录")
		fw, _ := w.CreateFormFile("file", "企业名录.csv")
		fw.Write(csv)
		w.Close()
		h := registrar.Clone()
		h.Set("Content-Type", w.FormDataContentType())
		k.check("POST", srv.URL, "/v1/imports", "/v1/imports", form.Bytes(), h, run.want)
	}
}
