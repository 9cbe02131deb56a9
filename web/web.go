// Package web holds the bureau's map page (挂图作战), embedded in the binary so that
// nothing is fetched from the internet at run time.
//
// map/ is committed (index.html, map.js, map.css); map/vendor/ holds MapLibre GL JS,
// copied from npm by scripts/web.sh (`make web`) and gitignored. The directory pattern
// below embeds whatever map/ holds at build time, so the package compiles without the
// vendor folder too; the page then says "run make web".
package web

import (
	"embed"
	"io/fs"
)

// Assets is the static content served under /map (its sub-folder "map").
//
//go:embed map apidoc
var Assets embed.FS

// HasRedoc reports whether Redoc was embedded for /api.html (scripts/openapi-tools.sh
// ran before the build; apidoc/vendor is gitignored like map/vendor).
func HasRedoc() bool {
	_, err := fs.Stat(Assets, "apidoc/vendor/redoc.standalone.js")
	return err == nil
}

// HasVendor reports whether MapLibre GL JS was embedded (scripts/web.sh ran before the build).
func HasVendor() bool {
	_, err := fs.Stat(Assets, "map/vendor/maplibre-gl.js")
	return err == nil
}
