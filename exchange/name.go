package exchange

import (
	"path/filepath"
	"strings"
)

// GDALName is the name GDAL opens a file by (a .zip through /vsizip/), for callers'
// own GDAL runs on files they trust, such as an export they just wrote. Imports never
// use it: they unpack zips themselves (openSource).
func GDALName(path string) string {
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return "/vsizip/" + path
	}
	return path
}
