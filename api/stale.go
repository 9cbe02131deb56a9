package api

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stalePrefixes name what uploads and exports leave in the temp folder when the
// server dies mid-request: import and export folders (landreg-import-*,
// landreg-export-*) and the spool files of Go's multipart forms (multipart-*, from
// earlier versions that parsed uploads with ParseMultipartForm).
var stalePrefixes = []string{"landreg-import-", "landreg-export-", "multipart-"}

// RemoveStaleUploads removes the entries of dir (os.TempDir() for serve) named with
// stalePrefixes that were last modified before before and belong to this process's
// user; links and other users' files are left alone, whatever their name. It returns
// the names it removed. serve calls it once at start, with an hour's margin, so the
// folders of a running import (of this or another landreg) are never touched.
func RemoveStaleUploads(dir string, before time.Time) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !hasAnyPrefix(name, stalePrefixes) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) || !fi.ModTime().Before(before) || !ownedByMe(fi) {
			continue
		}
		if err := os.RemoveAll(p); err == nil {
			removed = append(removed, name)
		}
	}
	return removed, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
