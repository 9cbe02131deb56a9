package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/testenv"
)

// noDBServer is a Server without a database: enough for its routes and /api.
func noDBServer(t *testing.T) *Server {
	t.Helper()
	return New(Config{Version: "test"}, nil, zerolog.Nop())
}

func apiDocument(t *testing.T, s *Server) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// documentedRoute is the registered pattern a documented path stands for: the
// per-collection Feature paths stand for the :collectionId routes.
func documentedRoute(path string) string {
	for _, c := range catalog.Collections() {
		if rest, ok := strings.CutPrefix(path, "/collections/"+c.ID+"/items"); ok {
			path = "/collections/{collectionId}/items" + rest
		}
	}
	p := regexp.MustCompile(`\{([A-Za-z]+)\}`).ReplaceAllString(path, ":$1")
	return strings.Replace(p, ":file", "*", 1)
}

// TestOpenAPICoversEveryRoute fails when a registered route is missing from the
// document, or the document has an operation that no route serves, or a route's
// documented query parameters differ from the ones it accepts (routeParams).
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := noDBServer(t)
	doc := apiDocument(t, s)
	paths := doc["paths"].(map[string]any)
	documented := map[string]bool{}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			key := strings.ToUpper(method) + " " + documentedRoute(path)
			documented[key] = true
			if _, ok := routeParams[key]; !ok {
				t.Errorf("documented %s %s (%s) is not a registered route", strings.ToUpper(method), path, key)
			}
			query := []string{}
			ps, _ := op.(map[string]any)["parameters"].([]any)
			for _, p := range ps {
				pm := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					c, ok := doc["components"].(map[string]any)["parameters"].(map[string]any)[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
					if !ok {
						t.Errorf("%s %s: parameter %s is not in components.parameters", strings.ToUpper(method), path, ref)
						continue
					}
					pm = c
				}
				if pm["in"] == "query" {
					query = append(query, pm["name"].(string))
				}
			}
			want := routeParams[key]
			if sameList(want, itemsParamsChecked) || sameList(want, anyParams) {
				continue
			}
			sort.Strings(query)
			w := slices.Sorted(slices.Values(want))
			if !slices.Equal(query, w) && !(len(query) == 0 && len(w) == 0) {
				t.Errorf("%s %s: documented query parameters %v, the route accepts %v", strings.ToUpper(method), path, query, w)
			}
		}
	}
	for _, r := range s.echo.Routes() {
		if !documented[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
}

// TestProblemTypesDocumented keeps the document's list of problem types, the kinds
// problem.go maps and docs/errors.md in step.
func TestProblemTypesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	var inDocs []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\|").FindAllStringSubmatch(string(b), -1) {
		inDocs = append(inDocs, m[1])
	}
	for _, p := range problemTypes {
		if !slices.Contains(inDocs, p) {
			t.Errorf("problem type %s is not in docs/errors.md", p)
		}
	}
	for _, p := range inDocs {
		if !slices.Contains(problemTypes, p) {
			t.Errorf("problem type %s of docs/errors.md is not in the OpenAPI document (problemTypes)", p)
		}
	}
	for k := range kinds {
		if !slices.Contains(problemTypes, k) {
			t.Errorf("problem kind %s (problem.go) is not in problemTypes", k)
		}
	}
}

// redocly is the linter installed by scripts/openapi-tools.sh.
func redocly(t *testing.T) (string, string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "tools", "openapi")
	bin := filepath.Join(dir, "node_modules", ".bin", "redocly")
	if _, err := exec.LookPath("node"); err != nil {
		testenv.MissingClient(t, "node is not on PATH: install Node.js 20.19+ and run scripts/openapi-tools.sh to lint the OpenAPI document")
	}
	if _, err := os.Stat(bin); err != nil {
		testenv.MissingClient(t, "redocly is missing: run scripts/openapi-tools.sh (make apidoc) to lint the OpenAPI document")
	}
	return bin, dir
}

// TestOpenAPILint runs `redocly lint` (tools/openapi/redocly.yaml) on the document as
// served at /api: no error may remain.
func TestOpenAPILint(t *testing.T) {
	bin, dir := redocly(t)
	srv := httptest.NewServer(noDBServer(t))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/api: %d", res.StatusCode)
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "lint", "--config", filepath.Join(dir, "redocly.yaml"), "--format", "stylish", file)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "valid") {
		t.Fatalf("redocly lint said neither valid nor an error:\n%s", out)
	}
	t.Logf("%s", out)
}

// TestAPIPageRedoc: /api.html is Redoc over /api, served from the embedded vendor
// folder, and a real browser renders the operations from it (nothing fetched elsewhere).
func TestAPIPageRedoc(t *testing.T) {
	if !hasRedoc() {
		testenv.MissingClient(t, "Redoc is not embedded: run scripts/openapi-tools.sh (make apidoc) before the build")
	}
	srv := httptest.NewServer(noDBServer(t))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api.html")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	base := srv.URL
	for _, want := range []string{`<redoc spec-url="` + base + `/api"`, `<script src="` + base + `/apidoc/vendor/redoc.standalone.js">`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("/api.html lacks %s", want)
		}
	}
	res, err = http.Get(srv.URL + "/apidoc/vendor/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(js) < 100000 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("redoc.standalone.js: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(js))
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		testenv.MissingClient(t, "chromium is absent (apt-get install -y chromium): Redoc's rendering not checked")
	}
	out, err := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=20000", "--dump-dom", srv.URL+"/api.html").Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	// Redoc renders every operation's summary and the problem types of the Problem schema.
	for _, want := range []string{"登记宗地 Register a parcel", "行政区 Districts", "调整方案 Adjustments", "200"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("Redoc's page does not show %q", want)
		}
	}
}
