package cql2

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		"a = 1", "a=1 OR b=2 AND c=3", "a=1 AND b=2 AND c=3 AND d=4 OR e=5",
		"NOT (a = 1 OR b = 2) AND NOT c = 3", "((((a=1))))",
		"name LIKE '瓯海%'", "name NOT LIKE 'x\\_%'", "CASEI(name) = CASEI('Ab')",
		"area BETWEEN -1.5e3 AND 2E+2", "a NOT BETWEEN 1 AND 2",
		"a IN (1, 2, 3)", "name NOT IN ('a', 'b''c')", "name IS NULL", "geom IS NOT NULL",
		"reg_date >= DATE('2024-01-01')", "updated < TIMESTAMP('2024-01-01T08:00:00.5+08:00')",
		"active", "NOT active AND TRUE", "1 = 1", "'a' <> 'b'",
		"S_INTERSECTS(geom, POLYGON((120 28, 121 28, 121 29, 120 29, 120 28)))",
		"S_INTERSECTS(geom, BBOX(120, 28, 121, 29))", "S_WITHIN(geom, ENVELOPE(0, 0, 0, 1, 1, 1))",
		"S_INTERSECTS(geom, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5))))",
		"S_CONTAINS(geom, MULTIPOINT(1 2, 3 4))", "S_DISJOINT(geom, MULTILINESTRING((1 2, 3 4)))",
		"S_INTERSECTS(geom, GEOMETRYCOLLECTION Z (POINT(1 2 3), LINESTRING(1 2 3, 4 5 6)))",
		`"land use" = 'x'`, `"name\" = 1`, "name = 'x'; DROP TABLE parcels; --'",
		"name = x' OR '1'='1", "1=1) OR (1=1", "pg_sleep(10) = 1", "a = 1 -- c", "a = 1 /* c */",
		"a = 99999999999", "a = -0.0", "area = 1e-400", "a = 1e400",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e, err := Parse(text)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) returned %T, want *Error", text, err)
			}
			if ce.Pos < 0 || ce.Pos > len(text) {
				t.Fatalf("Parse(%q): Pos %d outside input", text, ce.Pos)
			}
			return
		}
		// The normalised form must parse back to the same normalised form
		// (it may be longer than the input, so relax the length limit).
		norm := e.String()
		e2, err := ParseWithLimits(norm, Limits{MaxLength: 1 << 30})
		if err != nil {
			t.Fatalf("Parse(%q) ok, but normalised %q fails: %v", text, norm, err)
		}
		if n2 := e2.String(); n2 != norm {
			t.Fatalf("round trip of %q: %q != %q", text, n2, norm)
		}
		for _, first := range []int{1, 4} {
			sql, args, err := Compile(e, testQ, first, 4490)
			if err != nil {
				var ce *Error
				if !errors.As(err, &ce) {
					t.Fatalf("Compile(%q) returned %T, want *Error", text, err)
				}
				continue
			}
			checkPlaceholders(t, sql, args, first)
			for _, bad := range []string{"'", ";", "--", "/*"} {
				if strings.Contains(sql, bad) {
					t.Fatalf("Compile(%q) produced SQL containing %q: %s", text, bad, sql)
				}
			}
		}
	})
}
