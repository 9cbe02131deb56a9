// Package cql2 parses OGC CQL2 text filter expressions (OGC 21-065) and
// compiles them to parameterised PostgreSQL/PostGIS SQL.
//
// # Supported subset
//
// The parser implements the "Basic CQL2", "Advanced Comparison Operators" and
// "Basic Spatial Functions" (plus the other simple S_ functions) conformance
// classes of the text encoding, with case-insensitive keywords:
//
//	filter     = orExpr
//	orExpr     = andExpr { "OR" andExpr }
//	andExpr    = notExpr { "AND" notExpr }
//	notExpr    = "NOT" notExpr | primary
//	primary    = "(" orExpr ")" | spatial | predicate
//	predicate  = operand ( compOp operand
//	                     | ["NOT"] "LIKE" operand
//	                     | ["NOT"] "BETWEEN" operand "AND" operand
//	                     | ["NOT"] "IN" "(" operand { "," operand } ")"
//	                     | "IS" ["NOT"] "NULL"
//	                     | (nothing: a boolean property or literal) )
//	compOp     = "=" | "<>" | "<" | "<=" | ">" | ">="
//	spatial    = ("S_INTERSECTS" | "S_EQUALS" | "S_DISJOINT" | "S_TOUCHES" | "S_WITHIN"
//	             | "S_OVERLAPS" | "S_CROSSES" | "S_CONTAINS") "(" operand "," operand ")"
//	           | "S_DWITHIN" "(" operand "," operand "," number "," ("meters" | "kilometers") ")"
//	           | temporal "(" toperand "," toperand ")"
//	temporal   = "T_AFTER" | "T_BEFORE" | "T_CONTAINS" | "T_DISJOINT" | "T_DURING" | "T_EQUALS"
//	           | "T_FINISHEDBY" | "T_FINISHES" | "T_INTERSECTS" | "T_MEETS" | "T_METBY"
//	           | "T_OVERLAPPEDBY" | "T_OVERLAPS" | "T_STARTEDBY" | "T_STARTS"
//	toperand   = operand | "INTERVAL" "(" bound "," bound ")"
//	bound      = '..' | 'yyyy-mm-dd' | 'RFC 3339 instant' | operand
//	operand    = property | 'string' | number | TRUE | FALSE
//	           | DATE('yyyy-mm-dd') | TIMESTAMP('RFC 3339 instant')
//	           | CASEI(operand) | geometry
//	property   = [A-Za-z_][A-Za-z0-9_]* | "any text without double quotes"
//	geometry   = POINT | LINESTRING | POLYGON | MULTIPOINT | MULTILINESTRING
//	           | MULTIPOLYGON | GEOMETRYCOLLECTION (WKT, optional Z)
//	           | BBOX(west, south, [minz,] east, north [, maxz])
//
// Strings use single quotes; a quote inside a string is doubled or
// escaped with a backslash:
//
//	name = 'O''Brien' OR name = 'O\'Brien'
//
// Numbers may be signed, decimal or in scientific notation (-1.5e3).
// ENVELOPE(...) is accepted as an alias of BBOX with the same argument order.
// Bare identifiers that are keywords (AND, OR, NOT, LIKE, BETWEEN, IN, IS,
// NULL, TRUE, FALSE) must be double-quoted to be used as property names.
// LIKE uses % and _ as wildcards and \ as escape character, exactly as
// PostgreSQL LIKE does, and is case-sensitive; CASEI(x) maps to lower(x).
//
// Temporal predicates follow Allen's interval relations, an instant being an interval
// whose ends are equal; an interval bound that is a NULL property (a current version's
// valid_to) is open. S_DWITHIN measures on the ellipsoid (PostGIS geography); it is
// not in the CQL2 standard (it follows the DWITHIN of earlier CQL) and is offered for
// "parcels within 500 m of this point".
//
// Not supported: arithmetic and array (A_*) functions, ACCENTI, custom functions,
// EMPTY geometries and BBOXes crossing the antimeridian.
//
// # Safety
//
// [Compile] never writes a literal value into the SQL text: every literal is
// returned as a bind argument and referenced as $n. Property SQL comes only
// from the [Queryable] map supplied by the server, and unknown properties are
// rejected. The output is always a self-contained boolean expression that can
// be combined with other conditions using AND. Inputs are bounded by
// [DefaultLimits] (expression length, nesting depth, IN-list size, geometry
// vertices); every problem, including limit violations, is reported as an
// [*Error] carrying the byte offset of the offending input.
//
// Geometry literals are interpreted in the SRID passed to [Compile] (OGC
// CRS84 longitude/latitude order; landreg passes 4490 since CGCS2000 is
// practically identical to CRS84) and bound as WKT text.
package cql2
