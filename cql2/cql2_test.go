package cql2

import (
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var testQ = map[string]Queryable{
	"a":        {SQL: "a", Type: Integer},
	"b":        {SQL: "b", Type: Integer},
	"c":        {SQL: "c", Type: Integer},
	"d":        {SQL: "d", Type: Integer},
	"e":        {SQL: "e", Type: Integer},
	"name":     {SQL: "p.name", Type: String},
	"area":     {SQL: "area", Type: Number},
	"reg_date": {SQL: "reg_date", Type: Date},
	"updated":  {SQL: "updated_at", Type: Timestamp},
	"active":   {SQL: "active", Type: Boolean},
	"geom":     {SQL: "geom", Type: Geometry},
	"land use": {SQL: `"land use"`, Type: String},
	"AND":      {SQL: "and_col", Type: String},
	"upname":   {SQL: "upper(name)", Type: String},
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustParse(t *testing.T, s string) Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}

func TestCompile(t *testing.T) {
	const poly = "POLYGON((120 28, 121 28, 121 29, 120 29, 120 28))"
	const geomSQL = "(geom && ST_GeomFromText($1, 4490) AND ST_Intersects(geom, ST_GeomFromText($1, 4490)))"
	tests := []struct {
		in   string
		norm string // normalised CQL2 (String()); "" means same as in
		sql  string
		args []any
	}{
		// comparisons and typing
		{"a = 1", "", "a = $1", []any{int64(1)}},
		{"a <> 1", "", "a <> $1", []any{int64(1)}},
		{"a<1", "a < 1", "a < $1", []any{int64(1)}},
		{"a <= 1", "", "a <= $1", []any{int64(1)}},
		{"a > 1", "", "a > $1", []any{int64(1)}},
		{"a >= 1", "", "a >= $1", []any{int64(1)}},
		{"a = -7", "", "a = $1", []any{int64(-7)}},
		{"a = 1.5", "", "a = $1::double precision", []any{1.5}},
		{"a = 2.0", "a = 2", "a = $1", []any{int64(2)}},
		{"a = 99999999999", "", "a = $1::bigint", []any{int64(99999999999)}},
		{"area = 1", "", "area = $1", []any{1.0}},
		{"area > -1.5e3", "area > -1500", "area > $1", []any{-1500.0}},
		{"area < 2.5E-3", "area < 0.0025", "area < $1", []any{0.0025}},
		{"area >= +.5", "area >= 0.5", "area >= $1", []any{0.5}},
		{"area <= 5.", "area <= 5", "area <= $1", []any{5.0}},
		{"area = 1e300", "area = 1e+300", "area = $1", []any{1e300}},
		{"name = 'abc'", "", "p.name = $1", []any{"abc"}},
		{"name = '瓯海区'", "", "p.name = $1", []any{"瓯海区"}},
		{"name = 'it''s'", "", "p.name = $1", []any{"it's"}},
		{`name = 'it\'s'`, "name = 'it''s'", "p.name = $1", []any{"it's"}},
		{"name = ''", "", "p.name = $1", []any{""}},
		{`name = '\\''`, "", "p.name = $1", []any{`\'`}},
		{`name = 'a\b\''''`, `name = 'a\b'''''`, "p.name = $1", []any{`a\b''`}},
		{`name LIKE '50\%'`, "", "p.name LIKE $1", []any{`50\%`}},
		{"'abc' = name", "", "$1 = p.name", []any{"abc"}},
		{"upname = 'X'", "", "(upper(name)) = $1", []any{"X"}},
		{`"land use" = 'farm'`, "", `"land use" = $1`, []any{"farm"}},
		{`"AND" = 'x'`, "", "and_col = $1", []any{"x"}},
		{`"name" = 'x'`, "name = 'x'", "p.name = $1", []any{"x"}},
		{"active = TRUE", "", "active = $1", []any{true}},
		{"active <> false", "active <> FALSE", "active <> $1", []any{false}},
		{"active", "", "active", nil},
		{"NOT active", "", "NOT (active)", nil},
		{"TRUE", "", "$1::boolean", []any{true}},
		{"reg_date = DATE('2024-01-31')", "", "reg_date = $1::date", []any{day("2024-01-31")}},
		{"reg_date < TIMESTAMP('2024-01-31T08:00:00Z')", "", "reg_date < $1::timestamptz",
			[]any{time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)}},
		{"updated >= TIMESTAMP('2024-01-31T08:00:00+08:00')", "updated >= TIMESTAMP('2024-01-31T00:00:00Z')",
			"updated_at >= $1", []any{time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)}},
		{"updated < DATE('2024-02-01')", "", "updated_at < $1::date", []any{day("2024-02-01")}},
		{"a = b", "", "a = b", nil},
		{"a < area", "", "a < area", nil},
		{"1 = 1", "", "$1::double precision = $2::double precision", []any{1.0, 1.0}},
		{"'a' <> 'b'", "", "$1::text <> $2::text", []any{"a", "b"}},
		// boolean structure and precedence
		{"a=1 OR b=2 AND c=3", "a = 1 OR b = 2 AND c = 3", "(a = $1 OR (b = $2 AND c = $3))",
			[]any{int64(1), int64(2), int64(3)}},
		{"a=1 AND b=2 OR c=3", "a = 1 AND b = 2 OR c = 3", "((a = $1 AND b = $2) OR c = $3)",
			[]any{int64(1), int64(2), int64(3)}},
		{"a=1 AND b=2 AND c=3 AND d=4 OR e=5", "a = 1 AND b = 2 AND c = 3 AND d = 4 OR e = 5",
			"((a = $1 AND b = $2 AND c = $3 AND d = $4) OR e = $5)",
			[]any{int64(1), int64(2), int64(3), int64(4), int64(5)}},
		{"a=1 OR b=2 OR c=3 OR d=4 OR e=5", "a = 1 OR b = 2 OR c = 3 OR d = 4 OR e = 5",
			"(a = $1 OR b = $2 OR c = $3 OR d = $4 OR e = $5)",
			[]any{int64(1), int64(2), int64(3), int64(4), int64(5)}},
		{"(a=1 OR b=2) AND c=3", "(a = 1 OR b = 2) AND c = 3", "((a = $1 OR b = $2) AND c = $3)",
			[]any{int64(1), int64(2), int64(3)}},
		{"a=1 AND (b=2 AND (c=3 AND d=4))", "a = 1 AND b = 2 AND c = 3 AND d = 4",
			"(a = $1 AND b = $2 AND c = $3 AND d = $4)", []any{int64(1), int64(2), int64(3), int64(4)}},
		{"((((a=1))))", "a = 1", "a = $1", []any{int64(1)}},
		{"NOT a=1", "NOT a = 1", "NOT (a = $1)", []any{int64(1)}},
		{"NOT (a=1 OR b=2)", "NOT (a = 1 OR b = 2)", "NOT (a = $1 OR b = $2)", []any{int64(1), int64(2)}},
		{"NOT a=1 AND b=2", "NOT a = 1 AND b = 2", "(NOT (a = $1) AND b = $2)", []any{int64(1), int64(2)}},
		{"not not a=1", "NOT NOT a = 1", "NOT (NOT (a = $1))", []any{int64(1)}},
		{"a=1 and (b=2 or not (c=3 and d=4))", "a = 1 AND (b = 2 OR NOT (c = 3 AND d = 4))",
			"(a = $1 AND (b = $2 OR NOT (c = $3 AND d = $4)))", []any{int64(1), int64(2), int64(3), int64(4)}},
		// LIKE
		{"name LIKE 'ab%'", "", "p.name LIKE $1", []any{"ab%"}},
		{"name like '瓯_区'", "name LIKE '瓯_区'", "p.name LIKE $1", []any{"瓯_区"}},
		{"name NOT LIKE '%x\\%'", "", "p.name NOT LIKE $1", []any{`%x\%`}},
		{"CASEI(name) LIKE CASEI('AB%')", "", "lower(p.name) LIKE lower($1::text)", []any{"AB%"}},
		{"casei(name) = casei('Ab')", "CASEI(name) = CASEI('Ab')", "lower(p.name) = lower($1::text)", []any{"Ab"}},
		// BETWEEN
		{"a BETWEEN 1 AND 10", "", "a BETWEEN $1 AND $2", []any{int64(1), int64(10)}},
		{"area NOT BETWEEN -1 AND 2.5 AND a = 1", "", "(area NOT BETWEEN $1 AND $2 AND a = $3)",
			[]any{-1.0, 2.5, int64(1)}},
		{"reg_date BETWEEN DATE('2024-01-01') AND DATE('2024-12-31')", "", "reg_date BETWEEN $1::date AND $2::date",
			[]any{day("2024-01-01"), day("2024-12-31")}},
		// IN
		{"a IN (1, 2, 3)", "", "a IN ($1, $2, $3)", []any{int64(1), int64(2), int64(3)}},
		{"name NOT IN ('a', '瓯海区')", "", "p.name NOT IN ($1, $2)", []any{"a", "瓯海区"}},
		{"area IN (1, 2.5)", "", "area IN ($1, $2)", []any{1.0, 2.5}},
		// IS NULL
		{"name IS NULL", "", "p.name IS NULL", nil},
		{"geom is not null", "geom IS NOT NULL", "geom IS NOT NULL", nil},
		// spatial
		{"S_INTERSECTS(geom, " + poly + ")", "", geomSQL, []any{poly}},
		{"S_INTERSECTS(geom,POLYGON((120 28,121 28,121 29,120 29,120 28)))", "S_INTERSECTS(geom, " + poly + ")", geomSQL, []any{poly}},
		{"s_intersects(geom, bbox(120, 28, 121, 29))", "S_INTERSECTS(geom, BBOX(120, 28, 121, 29))", geomSQL, []any{poly}},
		{"S_INTERSECTS(geom, ENVELOPE(120, 28, 121, 29))", "S_INTERSECTS(geom, BBOX(120, 28, 121, 29))", geomSQL, []any{poly}},
		{"S_INTERSECTS(geom, BBOX(120, 28, 0, 121, 29, 50))", "S_INTERSECTS(geom, BBOX(120, 28, 0, 121, 29, 50))", geomSQL, []any{poly}},
		{"S_INTERSECTS(" + poly + ", geom)", "", "(ST_GeomFromText($1, 4490) && geom AND ST_Intersects(ST_GeomFromText($1, 4490), geom))", []any{poly}},
		{"S_INTERSECTS(geom, POINT(120.5 28.5))", "", strings.ReplaceAll(geomSQL, "", ""), []any{"POINT(120.5 28.5)"}},
		{"S_INTERSECTS(geom, POINT Z (120.5 28.5 10))", "", geomSQL, []any{"POINT Z (120.5 28.5 10)"}},
		{"S_INTERSECTS(geom, LINESTRING(120 28, 121 29))", "", geomSQL, []any{"LINESTRING(120 28, 121 29)"}},
		{"S_INTERSECTS(geom, MULTIPOINT(1 2, 3 4))", "S_INTERSECTS(geom, MULTIPOINT((1 2), (3 4)))", geomSQL, []any{"MULTIPOINT((1 2), (3 4))"}},
		{"S_INTERSECTS(geom, MULTILINESTRING((1 2, 3 4), (5 6, 7 8)))", "", geomSQL, []any{"MULTILINESTRING((1 2, 3 4), (5 6, 7 8))"}},
		{"S_INTERSECTS(geom, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.1 5.1, 5.2 5.1, 5.2 5.2, 5.1 5.1))))", "", geomSQL,
			[]any{"MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.1 5.1, 5.2 5.1, 5.2 5.2, 5.1 5.1)))"}},
		{"S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(1 2, 3 4)))", "", geomSQL,
			[]any{"GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(1 2, 3 4))"}},
		{"S_INTERSECTS(geom, POINT(-1.5e2 -3.25E1))", "S_INTERSECTS(geom, POINT(-150 -32.5))", geomSQL, []any{"POINT(-150 -32.5)"}},
		{"S_WITHIN(geom, BBOX(120, 28, 121, 29))", "", "(geom && ST_GeomFromText($1, 4490) AND ST_Within(geom, ST_GeomFromText($1, 4490)))", []any{poly}},
		{"S_CONTAINS(geom, POINT(1 2))", "", "(geom && ST_GeomFromText($1, 4490) AND ST_Contains(geom, ST_GeomFromText($1, 4490)))", []any{"POINT(1 2)"}},
		{"S_DISJOINT(geom, POINT(1 2))", "", "ST_Disjoint(geom, ST_GeomFromText($1, 4490))", []any{"POINT(1 2)"}},
		{"S_EQUALS(geom, geom)", "", "(geom && geom AND ST_Equals(geom, geom))", nil},
		{"S_TOUCHES(geom, POINT(1 2))", "", "(geom && ST_GeomFromText($1, 4490) AND ST_Touches(geom, ST_GeomFromText($1, 4490)))", []any{"POINT(1 2)"}},
		{"S_OVERLAPS(geom, POINT(1 2))", "", "(geom && ST_GeomFromText($1, 4490) AND ST_Overlaps(geom, ST_GeomFromText($1, 4490)))", []any{"POINT(1 2)"}},
		{"S_CROSSES(geom, POINT(1 2))", "", "(geom && ST_GeomFromText($1, 4490) AND ST_Crosses(geom, ST_GeomFromText($1, 4490)))", []any{"POINT(1 2)"}},
		{"S_INTERSECTS(geom, BBOX(120,28,121,29)) AND name LIKE '瓯海%' AND area > 100",
			"S_INTERSECTS(geom, BBOX(120, 28, 121, 29)) AND name LIKE '瓯海%' AND area > 100",
			"(" + geomSQL + " AND p.name LIKE $2 AND area > $3)", []any{poly, "瓯海%", 100.0}},
		// temporal: instants are intervals whose ends are equal; open ends are infinite
		{"T_AFTER(reg_date, DATE('2024-01-01'))", "", "(reg_date::timestamptz > $1::date::timestamptz)", []any{day("2024-01-01")}},
		{"t_during(updated, interval('2024-01-01', '..'))", "T_DURING(updated, INTERVAL(DATE('2024-01-01'), '..'))",
			"(updated_at::timestamptz > $1::date::timestamptz AND updated_at::timestamptz < 'infinity'::timestamptz)", []any{day("2024-01-01")}},
		{"T_INTERSECTS(INTERVAL(reg_date, updated), INTERVAL('2024-01-01T08:00:00Z', DATE('2024-12-31')))",
			"T_INTERSECTS(INTERVAL(reg_date, updated), INTERVAL(TIMESTAMP('2024-01-01T08:00:00Z'), DATE('2024-12-31')))",
			"(coalesce(reg_date::timestamptz, '-infinity'::timestamptz) <= $2::date::timestamptz AND coalesce(updated_at::timestamptz, 'infinity'::timestamptz) >= $1::timestamptz)",
			[]any{time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC), day("2024-12-31")}},
		// distance on the ellipsoid, after an index-served box test
		{"S_DWITHIN(geom, POINT(120.6 28), 0.5, kilometers)", "",
			"(geom && ST_Expand(ST_GeomFromText($1, 4490), ($2::float8 / 111000.0 / cos(radians(least(89.0, greatest(abs(ST_YMin(ST_GeomFromText($1, 4490))), abs(ST_YMax(ST_GeomFromText($1, 4490)))) + $2::float8 / 111000.0))))) AND ST_DWithin(geom::geography, ST_GeomFromText($1, 4490)::geography, $2::float8))",
			[]any{"POINT(120.6 28)", 500.0}},
		// whitespace and case
		{"  a\t=\n1  ", "a = 1", "a = $1", []any{int64(1)}},
		{"a = 1\u3000AND b = 2", "a = 1 AND b = 2", "(a = $1 AND b = $2)", []any{int64(1), int64(2)}},
		// injection-looking but valid CQL2: the text only ever becomes a bind arg
		{"name = 'x''; DROP TABLE parcels; --'", "", "p.name = $1", []any{"x'; DROP TABLE parcels; --"}},
		{"name = ''' OR ''1''=''1'", "", "p.name = $1", []any{"' OR '1'='1"}},
		{"name LIKE '%/* */%'", "", "p.name LIKE $1", []any{"%/* */%"}},
		{"name IN ('$1', '\\'')", "name IN ('$1', '''')", "p.name IN ($1, $2)", []any{"$1", "'"}},
		{"name = 'a'' AND pg_sleep(10) IS NOT NULL AND ''1''=''1'", "", "p.name = $1", []any{"a' AND pg_sleep(10) IS NOT NULL AND '1'='1"}},
	}
	for _, tc := range tests {
		t.Run(short(tc.in), func(t *testing.T) {
			e := mustParse(t, tc.in)
			norm := tc.norm
			if norm == "" {
				norm = tc.in
			}
			if got := e.String(); got != norm {
				t.Errorf("String() = %q, want %q", got, norm)
			}
			// normalised text must parse back to itself
			if e2, err := Parse(e.String()); err != nil || e2.String() != e.String() {
				t.Errorf("round trip of %q: %v / %v", e.String(), e2, err)
			}
			sql, args, err := Compile(e, testQ, 1, 4490)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if sql != tc.sql {
				t.Errorf("sql = %q\n      want %q", sql, tc.sql)
			}
			if !reflect.DeepEqual(args, tc.args) {
				t.Errorf("args = %#v, want %#v", args, tc.args)
			}
			checkPlaceholders(t, sql, args, 1)
		})
	}
}

var placeholderRE = regexp.MustCompile(`\$(\d+)`)

// checkPlaceholders asserts that the $n in sql are exactly firstArg..firstArg+len(args)-1.
func checkPlaceholders(t testing.TB, sql string, args []any, firstArg int) {
	t.Helper()
	seen := map[int]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(sql, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < firstArg || n >= firstArg+len(args) {
			t.Fatalf("placeholder $%s out of range [%d,%d) in %q", m[1], firstArg, firstArg+len(args), sql)
		}
		seen[n] = true
	}
	if len(seen) != len(args) {
		t.Fatalf("%d distinct placeholders for %d args in %q", len(seen), len(args), sql)
	}
}

func TestFirstArg(t *testing.T) {
	e := mustParse(t, "a = 1 AND name IN ('x', 'y') AND S_INTERSECTS(geom, POINT(1 2))")
	sql, args, err := Compile(e, testQ, 7, 4326)
	if err != nil {
		t.Fatal(err)
	}
	want := "(a = $7 AND p.name IN ($8, $9) AND (geom && ST_GeomFromText($10, 4326) AND ST_Intersects(geom, ST_GeomFromText($10, 4326))))"
	if sql != want {
		t.Errorf("sql = %q, want %q", sql, want)
	}
	checkPlaceholders(t, sql, args, 7)
	if _, _, err := Compile(e, testQ, 0, 4490); err == nil {
		t.Error("firstArg 0 accepted")
	}
	if _, _, err := Compile(nil, testQ, 1, 4490); err == nil {
		t.Error("nil expression accepted")
	}
}

// errCase expects Parse+Compile to fail with an *Error whose message
// contains msg and (if pos >= 0) whose Pos is pos.
type errCase struct {
	in  string
	msg string
	pos int
}

func parseCompile(in string) error {
	e, err := Parse(in)
	if err != nil {
		return err
	}
	_, _, err = Compile(e, testQ, 1, 4490)
	return err
}

// short keeps subtest names readable for huge inputs.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

func runErrCases(t *testing.T, cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(short(tc.in), func(t *testing.T) {
			err := parseCompile(tc.in)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *Error, got %v (%T)", err, err)
			}
			if !strings.Contains(ce.Msg, tc.msg) {
				t.Errorf("message %q does not contain %q", ce.Msg, tc.msg)
			}
			if tc.pos >= 0 && ce.Pos != tc.pos {
				t.Errorf("Pos = %d, want %d (%s)", ce.Pos, tc.pos, ce.Msg)
			}
			if !strings.HasPrefix(ce.Error(), "cql2: ") {
				t.Errorf("Error() = %q", ce.Error())
			}
		})
	}
}

func TestErrors(t *testing.T) {
	runErrCases(t, []errCase{
		{"", "empty filter expression", 0},
		{"   ", "empty filter expression", 0},
		{"(a = 1 AND b = 2))", "unexpected token ')' at 17, expected AND, OR or end of input", 17},
		{"a = 1 AND (b = )", "unexpected token ')' at 15, expected a value", 15},
		{"a = ", "unexpected end of input at 4, expected a value", 4},
		{"a =", "unexpected end of input", 3},
		{"(a = 1", "expected ')'", 6},
		{"a = 1 b = 2", "unexpected identifier 'b' at 6, expected AND, OR or end of input", 6},
		{"a = 1 AND", "unexpected end of input at 9", 9},
		{"a = 1 OR OR b = 2", "unexpected keyword OR", 9},
		{"a == 1", "unexpected token '='", 3},
		{"a != 1", "use <> for not-equal", 2},
		{"a = 1 = 2", "expected AND, OR or end of input", 6},
		{"name = 'abc", "unterminated string literal", 7},
		{`"name = 1`, "unterminated quoted property name", 0},
		{`"" = 1`, "empty quoted property name", 0},
		{"a = 1e", "malformed number", 4},
		{"a = 12abc", "malformed number '12abc'", 4},
		{"a = 1.2.3", "malformed number", 4},
		{"a = 1e999", "number out of range", 4},
		{"a = - 1", "expected a number", 4},
		{"a NOT = 1", "expected LIKE, BETWEEN or IN after NOT", 6},
		{"a IS 1", "expected NULL", 5},
		{"a BETWEEN 1 OR 2", "expected AND in BETWEEN", 12},
		{"a IN 1, 2", "expected '(' after IN", 5},
		{"a IN ()", "expected a value", 6},
		{"a IN (1, 2", "expected ',' or ')' in IN list", 10},
		{"reg_date = DATE('2024-13-01')", "invalid date '2024-13-01'", 16},
		{"reg_date = DATE(2024)", "expected a quoted date", 16},
		{"updated = TIMESTAMP('2024-01-01 00:00')", "invalid timestamp", 20},
		{"name = 瓯海区", "unexpected character '瓯' at 7", 7},
		{"名称 = 'x'", "unexpected character '名'", 0},
		{"name = 'a\x00b'", "NUL character", 9},
		{"name = '\xff'", "invalid UTF-8", 8},
		{"A_CONTAINS(tags, ('a'))", "array (A_*) predicates are not supported", 0},
		{"T_AFTER(updated)", "expected ',' between the two arguments of T_AFTER", 15},
		{"T_AFTER(name, DATE('2024-01-01'))", "T_AFTER requires dates, timestamps or intervals", 8},
		{"T_DURING(reg_date, INTERVAL('2024-01-01', 'soon'))", "invalid interval bound 'soon'", 42},
		{"T_MEETS(reg_date, INTERVAL('..', area))", "T_MEETS requires dates, timestamps or intervals", 33},
		{"a = T_AFTER(reg_date, reg_date)", "cannot be used as a value", 4},
		{"S_DWITHIN(geom, POINT(1 2), -5, meters)", "the distance of S_DWITHIN must be a number ≥ 0", 28},
		{"S_DWITHIN(geom, POINT(1 2), 5, feet)", "unknown distance units 'feet'", 31},
		{"S_DWITHIN(name, POINT(1 2), 5, meters)", "S_DWITHIN requires geometry arguments", 10},
		{"ACCENTI(name) = 'a'", "unknown function 'ACCENTI'", 0},
		{"lower(name) = 'a'", "unknown function 'lower'", 0},
		{"a = S_INTERSECTS(geom, geom)", "cannot be used as a value", 4},
		// geometry syntax
		{"S_INTERSECTS(geom)", "expected ',' between the two arguments of S_INTERSECTS", 17},
		{"S_INTERSECTS(geom, POINT(1))", "expected a coordinate number", 26},
		{"S_INTERSECTS(geom, POINT(1 2 3 4))", "expected ')' after point coordinates", 31},
		{"S_INTERSECTS(geom, LINESTRING(1 2))", "a linestring needs at least 2 points", 29},
		{"S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 1)))", "polygon ring is not closed", 27},
		{"S_INTERSECTS(geom, POLYGON((0 0, 1 0, 0 0)))", "a polygon ring needs at least 4 points", 27},
		{"S_INTERSECTS(geom, POLYGON Z ((0 0, 1 0, 1 1, 0 0)))", "geometry tagged Z must have 3 ordinates", 27},
		{"S_INTERSECTS(geom, LINESTRING(0 0 0, 1 1))", "mixed 2D and 3D coordinates", 37},
		{"S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(0 0 0), POINT(1 1)))", "mixed 2D and 3D coordinates", 58},
		{"S_INTERSECTS(geom, LINESTRING(0 0, 1 1 1))", "mixed 2D and 3D coordinates", 35},
		{"S_INTERSECTS(geom, GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 2))))", "expected a geometry type", 38},
		{"S_INTERSECTS(geom, BBOX(1, 2, 3))", "BBOX needs 4 or 6 numbers", 19},
		{"S_INTERSECTS(geom, BBOX(1, 2, 3, 4, 5, 6, 7))", "',' or ')' in BBOX", 40},
		{"S_INTERSECTS(geom, BBOX(170, 0, -170, 10))", "crossing the antimeridian", 19},
		{"S_INTERSECTS(geom, BBOX(0, 10, 1, 0))", "south bound is greater than north bound", 19},
		{"S_INTERSECTS(geom, POINT EMPTY)", "EMPTY geometries are not supported", 19},
		// compile-time: unknown properties and types
		{"nosuch = 1", `unknown property "nosuch" at 0, queryable properties are: AND, a, active, area`, 0},
		{"a = 1 OR Name = 'x'", `unknown property "Name" at 9`, 9},
		{"a = 'x'", `type mismatch at 4, cannot compare integer property "a" and string 'x'`, 4},
		{"name = 1", "type mismatch", 7},
		{"area = TRUE", "type mismatch", 7},
		{"reg_date = '2024-01-01'", "type mismatch", 11},
		{"name = DATE('2024-01-01')", "type mismatch", 7},
		{"a = name", "type mismatch", 4},
		{"a LIKE '1%'", `LIKE requires text at 0, integer property "a" is not a string`, 0},
		{"name LIKE 5", "LIKE requires text", 10},
		{"name BETWEEN 'a' AND 'z'", "BETWEEN requires numbers, dates or timestamps", 0},
		{"a BETWEEN 1 AND 'z'", "type mismatch", 16},
		{"a IN (1, 'x')", "type mismatch", 9},
		{"active < TRUE", "cannot use < with booleans", 0},
		{"geom = geom", "cannot use = with geometries", 0},
		{"geom IN (POINT(1 2))", "IN cannot be used with geometries", 0},
		{"S_INTERSECTS(name, POINT(1 2))", `S_INTERSECTS requires geometry arguments at 13, string property "name" is not a geometry`, 13},
		{"S_WITHIN(geom, 'POINT(1 2)')", "requires geometry arguments", 15},
		{"CASEI(a) = 'x'", "CASEI requires text", 0},
		{"name", `string property "name" is not a boolean condition`, 0},
		{"a = 1 AND 5", "number 5 is not a boolean condition", 10},
		{"POINT(1 2)", "geometry literal is not a boolean condition", 0},
	})
}

// Injection attempts: all must be rejected with *Error and never reach SQL.
func TestInjectionRejected(t *testing.T) {
	attempts := []string{
		"name = 'x'; DROP TABLE parcels; --'",
		"name = 'x'; DROP TABLE parcels; --",
		"name = x' OR '1'='1",
		"name = 'x' OR '1'='1",
		"name = 'x' OR '1'='1'", // valid CQL2: see below
		"1=1) OR (1=1",
		"a = 1) OR (1=1",
		"pg_sleep(10) = 1",
		"a = pg_sleep(10)",
		"name = version()",
		`"name\" = 1`,
		`"name"" = 1`,
		`"name"; DROP TABLE parcels` + "--",
		"name = 'a' -- comment",
		"name = 'a' --",
		"a = 1 /* comment */",
		"a = 1 # comment",
		"name = $1",
		"name = 'a'::text",
		"name = E'\\x41'",
		"name = U&'\\0041'",
		"name = $$abc$$",
		"name = 'a' || 'b'",
		"a = 1 + 1",
		"a = 1; SELECT 1",
		"name = 'a' UNION SELECT password FROM users",
		"(SELECT 1) = 1",
		"a = (SELECT 1)",
		"name = `x`",
		"name = \"x\" OR 1=1",
		"pg_catalog.pg_sleep(1) = 1",
		`"pg_sleep(10)" = 1`,
		"geom && ST_MakeEnvelope(0,0,1,1)",
		"S_INTERSECTS(geom, ST_GeomFromText('POINT(1 2)'))",
		"S_INTERSECTS(geom, POINT(1 2)); DROP TABLE parcels",
		"a = 1 OR a = 1e99999",
		"name = 'abc\\'",
		"name = \uff07x\uff07", // full-width quotes
		"a\u037e= 1",           // Greek question mark (looks like ;)
		"a = 1\x00",
		"name = '\x00'",
		"NOT",
		"AND a = 1",
		"a = 1 AND",
		"()",
		"a IS NULL NULL",
	}
	for _, in := range attempts {
		t.Run(in, func(t *testing.T) {
			err := parseCompile(in)
			if in == "name = 'x' OR '1'='1'" {
				// Valid CQL2: both sides stay bind args; nothing is injected.
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				sql, args, _ := Compile(mustParse(t, in), testQ, 1, 4490)
				if sql != "(p.name = $1 OR $2::text = $3::text)" || len(args) != 3 {
					t.Fatalf("sql %q args %v", sql, args)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *Error, got %v", err)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("(", n) + "a = 1" + strings.Repeat(")", n) }
	if _, err := Parse(nest(50)); err != nil {
		t.Errorf("depth 50: %v", err)
	}
	nots := func(n int) string { return strings.Repeat("NOT ", n) + "a = 1" }
	if _, err := Parse(nots(50)); err != nil {
		t.Errorf("50 NOTs: %v", err)
	}
	casei := func(n int) string { return strings.Repeat("CASEI(", n) + "name" + strings.Repeat(")", n) + " = 'x'" }
	if _, err := Parse(casei(50)); err != nil {
		t.Errorf("50 CASEI: %v", err)
	}
	in := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = strconv.Itoa(i)
		}
		return "a IN (" + strings.Join(items, ",") + ")"
	}
	e, err := Parse(in(1000))
	if err != nil {
		t.Fatalf("IN 1000: %v", err)
	}
	sql, args, err := Compile(e, testQ, 1, 4490)
	if err != nil || len(args) != 1000 {
		t.Fatalf("IN 1000 compile: %v", err)
	}
	checkPlaceholders(t, sql, args, 1)
	long := "name = '" + strings.Repeat("瓯", 9991) + "'" // 10000 characters, 29982 bytes
	if _, err := Parse(long); err != nil {
		t.Errorf("10000 characters: %v", err)
	}
	chain := make([]string, 900)
	for i := range chain {
		chain[i] = "a=" + strconv.Itoa(i)
	}
	e, err = Parse(strings.Join(chain, " AND ")) // long chains are flat, not deep
	if err != nil {
		t.Fatalf("long chain: %v", err)
	}
	if sql, args, err := Compile(e, testQ, 1, 4490); err != nil || len(args) != 900 {
		t.Fatalf("long chain compile: %v", err)
	} else {
		checkPlaceholders(t, sql, args, 1)
	}

	ring := func(n int) string {
		pts := make([]string, 0, n+1)
		for i := 0; i < n; i++ {
			pts = append(pts, strconv.Itoa(i)+" "+strconv.Itoa(i%7))
		}
		pts = append(pts, "0 0")
		return "S_INTERSECTS(geom, POLYGON((" + strings.Join(pts, ",") + ")))"
	}
	big := Limits{MaxLength: 1 << 20}
	if e, err := ParseWithLimits(ring(9999), big); err != nil {
		t.Errorf("10000 vertices: %v", err)
	} else if g := e.(*Spatial).B.(*GeomLit); g.Vertices != 10000 {
		t.Errorf("vertices = %d", g.Vertices)
	}

	runErrCases(t, []errCase{
		{nest(51), "expression nested too deeply at 50, the maximum depth is 50", 50},
		{nots(51), "nested too deeply", 200},
		{casei(51), "nested too deeply", 300},
		{nest(100000), "filter expression too long at 0, it has 200005 characters, the maximum is 10000", 0},
		{in(1001), "IN list too long at 5, the maximum is 1000 items", 5},
		{long + " ", "filter expression too long", 0},
	})
	_, err = ParseWithLimits(ring(10000), big)
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "geometry literal has too many vertices") {
		t.Errorf("10001 vertices: %v", err)
	}
	_, err = ParseWithLimits("S_INTERSECTS(geom, LINESTRING(0 0, 1 1, 2 2))", Limits{MaxVertices: 2})
	if !errors.As(err, &ce) || ce.Pos != 40 {
		t.Errorf("MaxVertices 2: %v", err)
	}
}

func TestUnknownPropertyNoQueryables(t *testing.T) {
	_, _, err := Compile(mustParse(t, "x = 1"), nil, 1, 4490)
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, `unknown property "x" at 0, no properties are queryable`) {
		t.Fatalf("got %v", err)
	}
}

// The SQL text must never contain anything derived from literal values.
func TestNoLiteralsInSQL(t *testing.T) {
	e := mustParse(t, "name = 'zzz-secret' AND a = 424242 AND area > 3.14159 AND reg_date = DATE('1999-12-31') "+
		"AND S_INTERSECTS(geom, POINT(123.456 7.89)) AND name LIKE 'qq%' AND active = TRUE")
	sql, args, err := Compile(e, testQ, 1, 4490)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"zzz", "424242", "3.14", "1999", "123.456", "qq", "true", "TRUE", "'"} {
		if strings.Contains(sql, s) {
			t.Errorf("SQL %q contains literal %q", sql, s)
		}
	}
	if len(args) != 7 {
		t.Errorf("args = %v", args)
	}
}
