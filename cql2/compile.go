package cql2

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Type is the data type of a queryable property.
type Type int

// Queryable property types.
const (
	String Type = iota
	Number
	Integer
	Boolean
	Date
	Timestamp
	Geometry
)

func (t Type) String() string {
	switch t {
	case String:
		return "String"
	case Number:
		return "Number"
	case Integer:
		return "Integer"
	case Boolean:
		return "Boolean"
	case Date:
		return "Date"
	case Timestamp:
		return "Timestamp"
	case Geometry:
		return "Geometry"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// family groups mutually comparable types.
func (t Type) family() int {
	switch t {
	case Number, Integer:
		return 1
	case Date, Timestamp:
		return 2
	}
	return 10 + int(t)
}

// Queryable describes a filterable property: its SQL expression (trusted,
// from the server's config) and type.
type Queryable struct {
	SQL  string
	Type Type
}

// Compile turns the AST into a SQL boolean expression using $n placeholders
// starting at firstArg, returning the SQL text and the bind args.
//
// Unknown property names are an *Error naming the property and listing the
// allowed ones; type mismatches (e.g. comparing a Number queryable with a
// string literal, LIKE on a number, S_INTERSECTS on a non-geometry) are
// *Error too. Literal values never appear in the SQL text: strings are bound
// as string, numbers as float64 (int64 when compared with an Integer
// queryable), booleans as bool, dates and timestamps as time.Time (dates with
// a ::date cast). Geometry literals are bound as WKT text and referenced as
// ST_GeomFromText($n, filterSRID); spatial predicates are written
// index-friendly, e.g.
//
//	(geom && ST_GeomFromText($1, 4490) AND ST_Intersects(geom, ST_GeomFromText($1, 4490)))
//
// The result is always safe to combine with other conditions using AND.
func Compile(e Expr, q map[string]Queryable, firstArg int, filterSRID int) (sql string, args []any, err error) {
	if e == nil {
		return "", nil, &Error{Msg: "empty filter expression"}
	}
	if firstArg < 1 {
		return "", nil, &Error{Msg: "firstArg must be at least 1, got " + strconv.Itoa(firstArg)}
	}
	if filterSRID < 0 {
		return "", nil, &Error{Msg: "invalid filter SRID " + strconv.Itoa(filterSRID)}
	}
	c := &compiler{q: q, first: firstArg, srid: strconv.Itoa(filterSRID)}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			sql, args, err = "", nil, ce
		}
	}()
	sql = c.boolean(e)
	return sql, c.args, nil
}

type compiler struct {
	q     map[string]Queryable
	first int
	srid  string
	args  []any
}

func (c *compiler) abort(err *Error) { panic(err) }

func (c *compiler) bind(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(c.first+len(c.args)-1)
}

// boolean compiles a boolean-valued node.
func (c *compiler) boolean(e Expr) string {
	switch e := e.(type) {
	case *And:
		return c.junction(e.Args, " AND ", e.Pos)
	case *Or:
		return c.junction(e.Args, " OR ", e.Pos)
	case *Not:
		inner := c.boolean(e.X)
		if strings.HasPrefix(inner, "(") && strings.HasSuffix(inner, ")") && isJunction(e.X) {
			return "NOT " + inner // already parenthesised
		}
		return "NOT (" + inner + ")"
	case *Compare:
		return c.compare(e)
	case *Like:
		return c.like(e)
	case *Between:
		return c.between(e)
	case *In:
		return c.in(e)
	case *IsNull:
		c.typeOf(e.X) // validates the operand
		return c.render(e.X, ctx{}) + " IS" + notKw(e.Not) + " NULL"
	case *Spatial:
		return c.spatial(e)
	case *Temporal:
		return c.temporal(e)
	case *DWithin:
		return c.dwithin(e)
	case *BoolValue:
		return c.boolValue(e.X, e.Pos)
	case nil:
		c.abort(&Error{Msg: "missing expression"})
	}
	return c.boolValue(e, exprPos(e))
}

func isJunction(e Expr) bool {
	switch e := e.(type) {
	case *And:
		return len(e.Args) > 1
	case *Or:
		return len(e.Args) > 1
	}
	return false
}

func (c *compiler) junction(args []Expr, sep string, pos int) string {
	if len(args) == 0 {
		c.abort(errAt(pos, "empty"+strings.ToUpper(sep)+"expression", ""))
	}
	if len(args) == 1 {
		return c.boolean(args[0])
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = c.boolean(a)
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func (c *compiler) boolValue(x Expr, pos int) string {
	t, _ := c.typeOf(x)
	if t != Boolean {
		c.abort(errAt(pos, describeOperand(c, x)+" is not a boolean condition",
			"expected a comparison such as "+str(x)+" = ... or a boolean property"))
	}
	return c.render(x, ctx{})
}

var compareOps = map[string]bool{"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true}

func (c *compiler) compare(e *Compare) string {
	if !compareOps[e.Op] {
		c.abort(errAt(e.Pos, "unknown comparison operator "+quoteText(e.Op), ""))
	}
	cx := c.check(e.Pos, "compare", e.L, e.R)
	switch cx.t {
	case Geometry:
		c.abort(errAt(e.Pos, "cannot use "+e.Op+" with geometries", "use a spatial predicate such as S_EQUALS or S_INTERSECTS"))
	case Boolean:
		if e.Op != "=" && e.Op != "<>" {
			c.abort(errAt(e.Pos, "cannot use "+e.Op+" with booleans", "only = and <> are allowed"))
		}
	}
	return c.render(e.L, cx) + " " + e.Op + " " + c.render(e.R, cx)
}

func (c *compiler) like(e *Like) string {
	for _, x := range []Expr{e.X, e.Pattern} {
		if t, _ := c.typeOf(x); t != String {
			c.abort(errAt(exprPos(x), "LIKE requires text", describeOperand(c, x)+" is not a string"))
		}
	}
	cx := c.check(e.Pos, "compare", e.X, e.Pattern)
	return c.render(e.X, cx) + notKw(e.Not) + " LIKE " + c.render(e.Pattern, cx)
}

func (c *compiler) between(e *Between) string {
	cx := c.check(e.Pos, "use BETWEEN with", e.X, e.Lo, e.Hi)
	if f := cx.t.family(); f != Number.family() && f != Date.family() {
		c.abort(errAt(e.Pos, "BETWEEN requires numbers, dates or timestamps", describeOperand(c, e.X)+" is not one"))
	}
	return c.render(e.X, cx) + notKw(e.Not) + " BETWEEN " + c.render(e.Lo, cx) + " AND " + c.render(e.Hi, cx)
}

func (c *compiler) in(e *In) string {
	if len(e.List) == 0 {
		c.abort(errAt(e.Pos, "empty IN list", ""))
	}
	cx := c.check(e.Pos, "use IN with", append([]Expr{e.X}, e.List...)...)
	if cx.t == Geometry {
		c.abort(errAt(e.Pos, "IN cannot be used with geometries", ""))
	}
	parts := make([]string, len(e.List))
	for i, x := range e.List {
		parts[i] = c.render(x, cx)
	}
	return c.render(e.X, cx) + notKw(e.Not) + " IN (" + strings.Join(parts, ", ") + ")"
}

var spatialFuncs = map[string]string{
	"S_INTERSECTS": "ST_Intersects", "S_EQUALS": "ST_Equals", "S_DISJOINT": "ST_Disjoint",
	"S_TOUCHES": "ST_Touches", "S_WITHIN": "ST_Within", "S_OVERLAPS": "ST_Overlaps",
	"S_CROSSES": "ST_Crosses", "S_CONTAINS": "ST_Contains",
}

func (c *compiler) spatial(e *Spatial) string {
	fn, ok := spatialFuncs[strings.ToUpper(e.Op)]
	if !ok {
		c.abort(errAt(e.Pos, "unsupported spatial predicate "+quoteText(e.Op), ""))
	}
	for _, x := range []Expr{e.A, e.B} {
		if t, _ := c.typeOf(x); t != Geometry {
			c.abort(errAt(exprPos(x), strings.ToUpper(e.Op)+" requires geometry arguments", describeOperand(c, x)+" is not a geometry"))
		}
	}
	a := c.render(e.A, ctx{t: Geometry, ok: true})
	b := c.render(e.B, ctx{t: Geometry, ok: true})
	call := fn + "(" + a + ", " + b + ")"
	if fn == "ST_Disjoint" {
		return call // disjointness cannot use the bounding-box index
	}
	// Every other predicate implies that the bounding boxes intersect, so
	// the && pre-filter is exact and lets the planner use a GiST index.
	return "(" + a + " && " + b + " AND " + call + ")"
}

// ctx is the type a literal is compared against (the type of the first
// non-literal operand of the predicate), used to pick arg types and casts.
type ctx struct {
	t  Type
	ok bool
}

// check verifies that all operands are of mutually comparable types and
// returns the context for rendering literals.
func (c *compiler) check(pos int, verb string, ops ...Expr) ctx {
	var cx ctx
	first, _ := c.typeOf(ops[0])
	for _, o := range ops {
		t, lit := c.typeOf(o)
		if t.family() != first.family() {
			c.abort(errAt(exprPos(o), "type mismatch", "cannot "+verb+" "+describeOperand(c, ops[0])+" and "+describeOperand(c, o)))
		}
		if !lit && !cx.ok {
			cx = ctx{t: t, ok: true}
		}
	}
	if !cx.ok {
		cx.t = first
	}
	return cx
}

// typeOf returns the type of a value node and whether it is a constant.
func (c *compiler) typeOf(e Expr) (Type, bool) {
	switch e := e.(type) {
	case *Property:
		return c.lookup(e).Type, false
	case *StringLit:
		return String, true
	case *NumberLit:
		return Number, true
	case *BoolLit:
		return Boolean, true
	case *DateLit:
		return Date, true
	case *TimestampLit:
		return Timestamp, true
	case *GeomLit:
		return Geometry, true
	case *CaseI:
		t, lit := c.typeOf(e.X)
		if t != String {
			c.abort(errAt(e.Pos, "CASEI requires text", describeOperand(c, e.X)+" is not a string"))
		}
		return String, lit
	case nil:
		c.abort(&Error{Msg: "missing value"})
	}
	c.abort(errAt(exprPos(e), "expected a value, got the condition "+quoteText(e.String()), ""))
	return 0, false
}

func (c *compiler) lookup(p *Property) Queryable {
	q, ok := c.q[p.Name]
	if !ok {
		names := make([]string, 0, len(c.q))
		for n := range c.q {
			names = append(names, n)
		}
		slices.Sort(names)
		hint := "no properties are queryable"
		if len(names) > 0 {
			const max = 50
			if len(names) > max {
				names = append(names[:max], "…")
			}
			hint = "queryable properties are: " + strings.Join(names, ", ")
		}
		c.abort(errAt(p.Pos, "unknown property "+strconv.Quote(p.Name), hint))
	}
	if q.Type < String || q.Type > Geometry {
		c.abort(errAt(p.Pos, "property "+strconv.Quote(p.Name)+" has an invalid type", ""))
	}
	if strings.TrimSpace(q.SQL) == "" {
		c.abort(errAt(p.Pos, "property "+strconv.Quote(p.Name)+" has no SQL expression configured", ""))
	}
	return q
}

func describeOperand(c *compiler, e Expr) string {
	switch e := e.(type) {
	case *Property:
		if q, ok := c.q[e.Name]; ok {
			return strings.ToLower(q.Type.String()) + " property " + strconv.Quote(e.Name)
		}
		return "property " + strconv.Quote(e.Name)
	case *StringLit:
		return "string " + quoteText(e.Value)
	case *NumberLit:
		return "number " + e.String()
	case *BoolLit:
		return "boolean " + e.String()
	case *DateLit:
		return "date " + e.String()
	case *TimestampLit:
		return "timestamp " + e.String()
	case *GeomLit:
		return "geometry literal"
	case *CaseI:
		return e.String()
	case nil:
		return "nothing"
	}
	return quoteText(e.String())
}

// render writes a value node as SQL, binding literals as args.
func (c *compiler) render(e Expr, cx ctx) string {
	switch e := e.(type) {
	case *Property:
		return propertySQL(c.lookup(e).SQL)
	case *StringLit:
		ph := c.bind(e.Value)
		if cx.ok && cx.t == String {
			return ph
		}
		return ph + "::text"
	case *NumberLit:
		if cx.ok && cx.t == Integer {
			i, ok := e.Int, e.IsInt
			if !ok && e.Value == math.Trunc(e.Value) && math.Abs(e.Value) < 1<<62 {
				i, ok = int64(e.Value), true
			}
			if ok {
				ph := c.bind(i)
				if i < math.MinInt32 || i > math.MaxInt32 {
					ph += "::bigint"
				}
				return ph
			}
		}
		ph := c.bind(e.Value)
		if cx.ok && cx.t == Number {
			return ph
		}
		return ph + "::double precision"
	case *BoolLit:
		ph := c.bind(e.Value)
		if cx.ok && cx.t == Boolean {
			return ph
		}
		return ph + "::boolean"
	case *DateLit:
		return c.bind(e.Value) + "::date"
	case *TimestampLit:
		ph := c.bind(e.Value)
		if cx.ok && cx.t == Timestamp {
			return ph
		}
		return ph + "::timestamptz"
	case *GeomLit:
		return "ST_GeomFromText(" + c.bind(e.WKT) + ", " + c.srid + ")"
	case *CaseI:
		c.typeOf(e) // checks that the argument is text
		return "lower(" + c.render(e.X, ctx{}) + ")"
	}
	c.typeOf(e) // aborts with a descriptive error
	return ""
}

// propertySQL parenthesises configured SQL unless it is a plain (possibly
// qualified or quoted) column reference.
func propertySQL(s string) string {
	s = strings.TrimSpace(s)
	simple := true
	inQuote := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case isIdentPart(ch) || ch == '.':
		default:
			simple = false
		}
	}
	if simple && !inQuote {
		return s
	}
	return "(" + s + ")"
}
