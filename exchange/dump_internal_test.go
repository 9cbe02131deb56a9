package exchange

import (
	"testing"
)

// TestParseCopyRow: a row of GDAL's COPY text, as ogr2ogr's PGDUMP writer escapes it
// (a backslash before a tab, newline or backslash of the text), NULL as \N, PostgreSQL's
// own escapes, and the column list with a quoted name.
func TestParseCopyRow(t *testing.T) {
	cols, err := copyColumns(`COPY "public"."landreg" ("landreg_geom_", "landreg_fid_", "名称", "a""b", "n") FROM STDIN;`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 5 || cols[2] != "名称" || cols[3] != `a"b` {
		t.Fatalf("columns %q", cols)
	}
	f := &rawFeature{Props: map[string]string{}}
	line := "0103000000\t7\tx\\\ty\"q\\\\b\\\nline2 \\t\\n\\101\\x42\t\\N\t1.1"
	if err := f.parse([]byte(line), cols); err != nil {
		t.Fatal(err)
	}
	if f.ID != "7" || len(f.EWKB) != 5 || f.EWKB[0] != 1 || f.EWKB[1] != 3 {
		t.Errorf("id %q, ewkb % x", f.ID, f.EWKB)
	}
	if got := f.Props["名称"]; got != "x\ty\"q\\b\nline2 \t\nAB" {
		t.Errorf("text %q", got)
	}
	if _, ok := f.Props[`a"b`]; ok || f.Props["n"] != "1.1" {
		t.Errorf("props %q: NULL must be absent", f.Props)
	}
	for _, bad := range []string{"01\t1\tx\t\\N", "01\t1\tx\t\\N\t1\t2", "zz\t1\tx\t\\N\t1"} {
		if err := f.parse([]byte(bad), cols); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for _, c := range []struct {
		line string
		want bool
	}{{"a\\\n", true}, {"a\\\\\n", false}, {"a\n", false}, {"\\\\\\\n", true}} {
		if escapedNewline([]byte(c.line)) != c.want {
			t.Errorf("escapedNewline(%q) = %v", c.line, !c.want)
		}
	}
}
