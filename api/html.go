package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are parsed once; each page template defines "content" for the shared layout.
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"props": func(f json.RawMessage) map[string]any {
			var v struct {
				Properties map[string]any `json:"properties"`
			}
			json.Unmarshal(f, &v)
			return v.Properties
		},
		"fid": func(f json.RawMessage) any {
			var v struct {
				ID any `json:"id"`
			}
			json.Unmarshal(f, &v)
			return v.ID
		},
		"keys": func(m map[string]any) []string {
			out := make([]string, 0, len(m))
			for k := range m {
				out = append(out, k)
			}
			sort.Strings(out)
			return out
		},
		"show": func(v any) string {
			if v == nil {
				return "—"
			}
			if f, ok := v.(float64); ok {
				return fmt.Sprintf("%.10g", f)
			}
			return fmt.Sprint(v)
		},
		"json": func(v any) string {
			b, _ := json.MarshalIndent(v, "", "  ")
			return string(b)
		},
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"landing", "conformance", "collections", "collection", "items", "item", "apidoc"} {
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// renderHTML writes a page for people; programs get the JSON of the same resource.
// The page is rendered before the status line goes out, so a template failure is a
// problem response rather than half a page under 200.
// Links in pages start from the base URL, so they work behind a proxy that serves
// landreg under a path prefix (--base-url).
func (s *Server) renderHTML(c echo.Context, page string, data map[string]any) error {
	data["base"] = s.base(c)
	var buf bytes.Buffer
	if err := pages[page].Execute(&buf, data); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, mtHTML, buf.Bytes())
}

// hasRedoc reports whether Redoc was embedded for /api.html: scripts/openapi-tools.sh
// ran before the build (web/apidoc/vendor is gitignored like web/map/vendor).
func hasRedoc() bool {
	_, err := fs.Stat(web.Assets, "apidoc/vendor/redoc.standalone.js")
	return err == nil
}

func (s *Server) apiHTML(c echo.Context) error {
	var doc map[string]any
	json.Unmarshal(s.openapi, &doc)
	doc["redoc"] = hasRedoc()
	return s.renderHTML(c, "apidoc", doc)
}
