//go:build pgcheck

package cql2

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestPG(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "host=/tmp/cqlpg port=55488 user=landreg dbname=postgres")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := map[string]Queryable{
		"a": {"a", Integer}, "big": {"p.big", Integer}, "name": {"name", String}, "vname": {"vname", String},
		"area": {"area", Number}, "farea": {"farea", Number}, "reg_date": {"reg_date", Date}, "ts": {"ts", Timestamp},
		"ok": {"ok", Boolean}, "geom": {"geom", Geometry}, "upname": {"upper(name)", String},
	}
	cases := []struct{ f string; want int64 }{
		{"a = 5", 1}, {"a < 10", 9}, {"a = 5.5", 0}, {"a < 5.5", 5}, {"a = 99999999999", 0}, {"a > -5e10", 1000},
		{"big = 50000000000", 1}, {"big > 5", 1000},
		{"area = 7.5", 1}, {"area BETWEEN 3 AND 6", 3}, {"farea >= 2497.5", 2}, {"area > 1.5e3 ", 0},
		{"name = 'Name1'", 1}, {"name LIKE '瓯海区%'", 500}, {"name NOT LIKE 'Name%'", 500}, {"name LIKE 'Name_'", 5},
		{"CASEI(name) = CASEI('NAME1')", 1}, {"CASEI(name) LIKE 'name1%'", 56}, {"vname = 'v3'", 1}, {"upname = 'NAME1'", 1},
		{"vname IN ('v1','v2','zz')", 2}, {"a NOT IN (1,2,3)", 997}, {"name IS NULL", 1}, {"a IS NOT NULL", 1000},
		{"reg_date = DATE('2024-01-11')", 1}, {"reg_date < DATE('2024-01-05')", 3}, {"reg_date >= TIMESTAMP('2024-01-10T12:00:00Z')", 991},
		{"ts = TIMESTAMP('2024-01-01T05:00:00Z')", 1}, {"ts < DATE('2024-01-02')", 23}, {"ts BETWEEN TIMESTAMP('2024-01-01T01:00:00Z') AND TIMESTAMP('2024-01-01T03:00:00+00:00')", 3},
		{"ok", 333}, {"ok = TRUE", 333}, {"NOT ok", 667}, {"ok <> false AND a < 10", 3}, {"TRUE", 1001}, {"1 = 1", 1001}, {"'a' = 'b'", 0},
		{"DATE('2024-01-01') < DATE('2024-01-02')", 1001}, {"TIMESTAMP('2024-01-01T00:00:00Z') = TIMESTAMP('2024-01-01T00:00:00Z')", 1001},
		{"'x' IS NULL", 0}, {"5 BETWEEN a AND big", 5}, {"'Name1' = name", 1}, {"CASEI('abc') = 'abc'", 1001},
		{"a=1 OR a=2 AND a=3", 1}, {"a=1 AND a=2 AND a=3 AND a=4 OR a=5", 1}, {"(a=1 OR a=2) AND (a=2 OR a=3)", 1},
		{"S_INTERSECTS(geom, BBOX(120.005, 27, 120.035, 29))", 3},
		{"S_INTERSECTS(geom, POLYGON((120.005 27, 120.035 27, 120.035 29, 120.005 29, 120.005 27)))", 3},
		{"S_INTERSECTS(geom, POINT(120.012 28.001))", 1}, {"S_INTERSECTS(geom, LINESTRING(120 28.001, 121 28.001))", 100},
		{"S_INTERSECTS(geom, MULTIPOLYGON(((120.005 27, 120.035 27, 120.035 29, 120.005 29, 120.005 27)),((130 0, 131 0, 131 1, 130 0))))", 3},
		{"S_INTERSECTS(geom, MULTIPOINT((120.012 28.001), (120.022 28.001)))", 2}, {"S_INTERSECTS(geom, MULTILINESTRING((120 28.001, 120.015 28.001)))", 1},
		{"S_WITHIN(geom, BBOX(120, 27, 120.035, 29))", 3}, {"S_CONTAINS(geom, POINT(120.012 28.001))", 1},
		{"S_DISJOINT(geom, BBOX(120, 27, 120.035, 29))", 997}, {"S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(120.012 28.001), POINT(120.022 28.001)))", 2},
		{"S_INTERSECTS(geom, POINT Z (120.012 28.001 5))", 1}, {"S_INTERSECTS(geom, BBOX(120.005, 27, 0, 120.035, 29, 100))", 3},
		{"S_INTERSECTS(POINT(1 1), BBOX(0,0,2,2))", 1001}, {"S_EQUALS(geom, geom)", 1000}, {"S_TOUCHES(geom, POINT(120.01 28))", 1},
		{"S_OVERLAPS(geom, BBOX(120.012, 27, 120.013, 28.001))", 1}, {"S_CROSSES(geom, LINESTRING(120.012 27, 120.012 29))", 1},
	}
	for _, c := range cases {
		e, err := Parse(c.f)
		if err != nil {
			t.Errorf("%s: %v", c.f, err)
			continue
		}
		sql, args, err := Compile(e, q, 3, 4490)
		if err != nil {
			t.Errorf("%s: %v", c.f, err)
			continue
		}
		var n int64
		// $1,$2 are dummy leading params to exercise firstArg.
		full := "SELECT count(*) FROM parcels p WHERE $1::int = $2::int AND " + sql
		if err := conn.QueryRow(ctx, full, append([]any{1, 1}, args...)...).Scan(&n); err != nil {
			t.Errorf("%s\n  SQL: %s\n  args: %v\n  err: %v", c.f, sql, args, err)
			continue
		}
		if n != c.want {
			t.Errorf("%s: got %d rows, want %d (SQL %s, args %v)", c.f, n, c.want, sql, args)
		}
	}
	// index usage
	for _, f := range []string{"S_INTERSECTS(geom, BBOX(120.005, 27, 120.035, 29))", "S_WITHIN(geom, POLYGON((120 27, 121 27, 121 29, 120 27)))"} {
		e, _ := Parse(f)
		sql, args, _ := Compile(e, q, 1, 4490)
		rows, err := conn.Query(ctx, "EXPLAIN SELECT * FROM parcels p WHERE "+sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			t.Log(s)
		}
		rows.Close()
	}
}
