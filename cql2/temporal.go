package cql2

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Temporal functions (CQL2 "Temporal Functions": T_AFTER … T_STARTS) over instants and
// INTERVAL(start, end), and the distance predicate S_DWITHIN(a, b, distance, units).

// Temporal is a temporal predicate such as T_INTERSECTS(A, B); Op is upper case. Its
// arguments are instants (date or timestamp properties and literals) or Intervals.
type Temporal struct {
	Op   string
	A, B Expr
	Pos  int
}

// Interval is INTERVAL(Start, End). A bound is a date or timestamp property or
// literal, or nil for an open end ('..').
type Interval struct {
	Start, End Expr
	Pos        int
}

// DWithin is S_DWITHIN(A, B, Distance, Units): the geometries lie within Distance of
// each other on the ellipsoid; Units is "meters" or "kilometers".
type DWithin struct {
	A, B     Expr
	Distance float64
	Units    string
	Pos      int
}

func (*Temporal) exprNode() {}
func (*Interval) exprNode() {}
func (*DWithin) exprNode()  {}

func (e *Temporal) String() string { return e.Op + "(" + str(e.A) + ", " + str(e.B) + ")" }

func (e *Interval) String() string {
	bound := func(x Expr) string {
		if x == nil {
			return "'..'"
		}
		return str(x)
	}
	return "INTERVAL(" + bound(e.Start) + ", " + bound(e.End) + ")"
}

func (e *DWithin) String() string {
	return "S_DWITHIN(" + str(e.A) + ", " + str(e.B) + ", " + formatFloat(e.Distance) + ", " + e.Units + ")"
}

// temporalRelations give each predicate as a condition on the bounds of A = [as, ae]
// and B = [bs, be] (Allen's interval relations; an instant is an interval whose ends
// are equal). %[1]s as, %[2]s ae, %[3]s bs, %[4]s be.
var temporalRelations = map[string]string{
	"T_AFTER":        "%[1]s > %[4]s",
	"T_BEFORE":       "%[2]s < %[3]s",
	"T_CONTAINS":     "%[1]s < %[3]s AND %[2]s > %[4]s",
	"T_DISJOINT":     "(%[2]s < %[3]s OR %[1]s > %[4]s)",
	"T_DURING":       "%[1]s > %[3]s AND %[2]s < %[4]s",
	"T_EQUALS":       "%[1]s = %[3]s AND %[2]s = %[4]s",
	"T_FINISHEDBY":   "%[1]s < %[3]s AND %[2]s = %[4]s",
	"T_FINISHES":     "%[1]s > %[3]s AND %[2]s = %[4]s",
	"T_INTERSECTS":   "%[1]s <= %[4]s AND %[2]s >= %[3]s",
	"T_MEETS":        "%[2]s = %[3]s",
	"T_METBY":        "%[1]s = %[4]s",
	"T_OVERLAPPEDBY": "%[1]s > %[3]s AND %[1]s < %[4]s AND %[2]s > %[4]s",
	"T_OVERLAPS":     "%[1]s < %[3]s AND %[2]s > %[3]s AND %[2]s < %[4]s",
	"T_STARTEDBY":    "%[1]s = %[3]s AND %[2]s > %[4]s",
	"T_STARTS":       "%[1]s = %[3]s AND %[2]s < %[4]s",
}

// dwithinUnits are the distance units S_DWITHIN accepts and their metres.
var dwithinUnits = map[string]float64{"METERS": 1, "M": 1, "KILOMETERS": 1000, "KM": 1000}

func (p *parser) parseTemporal(op string) Expr {
	t := p.next() // function name
	p.enter(t.pos)
	p.expect(tLParen, "'('")
	a := p.parseOperand()
	p.expect(tComma, "',' between the two arguments of "+op)
	b := p.parseOperand()
	p.expect(tRParen, "')' after the second argument of "+op)
	p.leave()
	return &Temporal{Op: op, A: a, B: b, Pos: t.pos}
}

// parseInterval reads INTERVAL(start, end) after its name; a bound is '..' (open), a
// quoted date or instant, DATE(…), TIMESTAMP(…) or a property.
func (p *parser) parseInterval(t token) Expr {
	p.next()
	p.next()
	p.enter(t.pos)
	bound := func() Expr {
		if s := p.cur(); s.kind == tString {
			p.next()
			if s.text == ".." {
				return nil
			}
			if d, err := time.Parse(dateLayout, s.text); err == nil {
				return &DateLit{Value: d, Pos: s.pos}
			}
			if ts, err := time.Parse(time.RFC3339Nano, s.text); err == nil {
				return &TimestampLit{Value: ts.UTC(), Pos: s.pos}
			}
			p.abort(errAt(s.pos, "invalid interval bound "+quoteText(s.text), "expected '..', YYYY-MM-DD or an RFC 3339 instant"))
		}
		return p.parseOperand()
	}
	start := bound()
	p.expect(tComma, "',' between the bounds of INTERVAL")
	end := bound()
	p.expect(tRParen, "')' after the bounds of INTERVAL")
	p.leave()
	return &Interval{Start: start, End: end, Pos: t.pos}
}

func (p *parser) parseDWithin() Expr {
	t := p.next() // function name
	p.enter(t.pos)
	p.expect(tLParen, "'('")
	a := p.parseOperand()
	p.expect(tComma, "',' after the first argument of S_DWITHIN")
	b := p.parseOperand()
	p.expect(tComma, "',' before the distance of S_DWITHIN")
	d := p.cur()
	dist, ok := p.parseOperand().(*NumberLit)
	if !ok || dist.Value < 0 || math.IsInf(dist.Value, 0) {
		p.abort(errAt(d.pos, "the distance of S_DWITHIN must be a number ≥ 0", ""))
	}
	p.expect(tComma, "',' before the units of S_DWITHIN")
	u := p.cur()
	if u.kind != tIdent || dwithinUnits[strings.ToUpper(u.text)] == 0 {
		p.abort(errAt(u.pos, "unknown distance units "+quoteText(u.text), "use meters or kilometers"))
	}
	p.next()
	p.expect(tRParen, "')' after the units of S_DWITHIN")
	p.leave()
	units := "meters"
	if dwithinUnits[strings.ToUpper(u.text)] == 1000 {
		units = "kilometers"
	}
	return &DWithin{A: a, B: b, Distance: dist.Value, Units: units, Pos: t.pos}
}

// bounds renders the start and end of a temporal argument that the relation uses
// (an unused bound is not rendered, so it binds no parameter PostgreSQL cannot type):
// an instant is both, an interval's open end is ±infinity, and so is a NULL bound
// property (a current version's valid_to: open).
func (c *compiler) bounds(e Expr, op string, useStart, useEnd bool) (string, string) {
	var start, end string
	if iv, ok := e.(*Interval); ok {
		for _, x := range []Expr{iv.Start, iv.End} {
			if x != nil {
				c.instant(x, op) // checked even when unused
			}
		}
		bound := func(x Expr, inf string) string {
			if x == nil {
				return "'" + inf + "'::timestamptz"
			}
			s := c.timestamptz(x, op)
			if _, isProp := x.(*Property); isProp {
				return "coalesce(" + s + ", '" + inf + "'::timestamptz)"
			}
			return s
		}
		if useStart {
			start = bound(iv.Start, "-infinity")
		}
		if useEnd {
			end = bound(iv.End, "infinity")
		}
		return start, end
	}
	s := c.timestamptz(e, op)
	return s, s
}

// timestamptz renders a date or timestamp argument as timestamptz, so dates and
// instants compare with each other.
func (c *compiler) timestamptz(e Expr, op string) string {
	c.instant(e, op)
	ctxt := ctx{}
	if t, _ := c.typeOf(e); t == Timestamp {
		ctxt = ctx{t: Timestamp, ok: true}
	}
	return c.render(e, ctxt) + "::timestamptz"
}

// instant checks that a temporal argument is a date or timestamp.
func (c *compiler) instant(e Expr, op string) {
	if t, _ := c.typeOf(e); t != Date && t != Timestamp {
		c.abort(errAt(exprPos(e), op+" requires dates, timestamps or intervals", describeOperand(c, e)+" is not a date or timestamp"))
	}
}

func (c *compiler) temporal(e *Temporal) string {
	rel, ok := temporalRelations[e.Op]
	if !ok {
		c.abort(errAt(e.Pos, "unsupported temporal predicate "+quoteText(e.Op), ""))
	}
	uses := func(n int) bool { return strings.Contains(rel, fmt.Sprintf("%%[%d]s", n)) }
	as, ae := c.bounds(e.A, e.Op, uses(1), uses(2))
	bs, be := c.bounds(e.B, e.Op, uses(3), uses(4))
	return "(" + fmt.Sprintf(rel, as, ae, bs, be) + ")"
}

// dwithin compiles S_DWITHIN: exact on the ellipsoid (geography), after a box test on
// the geometries that the GiST index serves. The box is grown by the distance in
// degrees of longitude at the latitude farthest from the equator that B reaches (plus
// the distance), which is never smaller than the distance.
func (c *compiler) dwithin(e *DWithin) string {
	for _, x := range []Expr{e.A, e.B} {
		if t, _ := c.typeOf(x); t != Geometry {
			c.abort(errAt(exprPos(x), "S_DWITHIN requires geometry arguments", describeOperand(c, x)+" is not a geometry"))
		}
	}
	a := c.render(e.A, ctx{t: Geometry, ok: true})
	b := c.render(e.B, ctx{t: Geometry, ok: true})
	m := c.bind(e.Distance * dwithinUnits[strings.ToUpper(e.Units)])
	deg := "(" + m + "::float8 / 111000.0 / cos(radians(least(89.0, greatest(abs(ST_YMin(" + b + ")), abs(ST_YMax(" + b + "))) + " + m + "::float8 / 111000.0))))"
	return "(" + a + " && ST_Expand(" + b + ", " + deg + ") AND ST_DWithin(" + a + "::geography, " + b + "::geography, " + m + "::float8))"
}
