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

// Assets is the static content served under /map (sub-folder "map") and /apidoc (Redoc).
//
//go:embed map apidoc
var Assets embed.FS

// HasVendor reports whether MapLibre GL JS was embedded (scripts/web.sh ran before the build).
func HasVendor() bool {
	_, err := fs.Stat(Assets, "map/vendor/maplibre-gl.js")
	return err == nil
}
