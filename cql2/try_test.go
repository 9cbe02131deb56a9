package cql2

import ("testing";"fmt")

func TestTry(t *testing.T) {
	q := map[string]Queryable{"a": {"a", Integer}, "b": {"b", Integer}, "c": {"c", Integer}, "d": {"d", Integer}, "e": {"e", Integer},
		"name": {"name", String}, "geom": {"geom", Geometry}, "area": {"t.area", Number}, "d1": {"reg_date", Date}, "ok": {"ok", Boolean}}
	for _, s := range []string{
		"a=1 OR b=2 AND c=3",
		"a=1 AND b=2 AND c=3 AND d=4 OR e=5",
		"NOT (a=1 OR b = 2) and not c=3",
		"name LIKE '瓯海%' AND area BETWEEN -1.5e3 AND 2E+2",
		"S_INTERSECTS(geom, POLYGON((120 28, 121 28, 121 29, 120 28)))",
		"s_intersects(geom, bbox(120, 28, 121, 29)) AND ok",
		"d1 >= DATE('2024-01-01') AND a IN (1,2,3) AND name IS NOT NULL",
		"name = 'x''; DROP TABLE parcels; --'",
		"name = 'x'; DROP TABLE parcels; --'",
		"1=1) OR (1=1",
		"pg_sleep(10) = 1",
		`"name\" = 1`,
		"a = 'x'",
		"CASEI(name) = CASEI('ABC')",
		"S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(1 2 3), LINESTRING Z (1 2 3, 4 5 6)))",
		"S_INTERSECTS(geom, MULTIPOINT(1 2, 3 4))",
		"a = 99999999999",
	} {
		e, err := Parse(s)
		if err != nil { fmt.Printf("%-50s PARSE ERR %v\n", s, err); continue }
		sql, args, err := Compile(e, q, 1, 4490)
		fmt.Printf("%s\n  => %s\n  => %s %v %v\n", s, e, sql, args, err)
	}
}
