package cql2

import (
	"strconv"
	"strings"
)

// parseGeometry parses a WKT geometry literal or BBOX starting at the
// current (keyword) token and returns a *GeomLit.
func (p *parser) parseGeometry() Expr {
	t := p.cur()
	kind := strings.ToUpper(t.text)
	p.vertices, p.dim = 0, 0
	if kind == "BBOX" || kind == "ENVELOPE" {
		return p.parseBBox()
	}
	// All coordinates of a literal must have the same dimension; take it
	// from the first coordinate so the Z tags can be written as we go.
	p.dim = 2
	for j := p.i; j < len(p.toks); j++ {
		if p.toks[j].kind == tNumber {
			if j+2 < len(p.toks) && p.toks[j+1].kind == tNumber && p.toks[j+2].kind == tNumber {
				p.dim = 3
			}
			break
		}
	}
	var b strings.Builder
	p.geometryTagged(&b, true)
	g := b.String()
	return &GeomLit{WKT: g, Text: g, Vertices: p.vertices, Pos: t.pos}
}

func (p *parser) geometryTagged(b *strings.Builder, top bool) {
	t := p.next()
	kind := strings.ToUpper(t.text)
	if t.kind != tIdent || !geomKinds[kind] || kind == "BBOX" || kind == "ENVELOPE" ||
		(!top && kind == "GEOMETRYCOLLECTION") {
		p.fail(t, "a geometry type (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING or MULTIPOLYGON)")
	}
	if z := p.cur(); p.isKw(z, "Z") {
		p.next()
		if p.dim != 3 {
			p.abort(errAt(z.pos, "geometry tagged Z must have 3 ordinates per coordinate", ""))
		}
	}
	b.WriteString(kind)
	if p.dim == 3 {
		b.WriteString(" Z ")
	}
	switch kind {
	case "POINT":
		p.expect(tLParen, "'(' after POINT")
		b.WriteByte('(')
		p.coord(b)
		b.WriteByte(')')
		p.expect(tRParen, "')' after point coordinates")
	case "LINESTRING":
		p.coordList(b, 2, false)
	case "POLYGON":
		p.polygon(b)
	case "MULTIPOINT":
		p.expect(tLParen, "'(' after MULTIPOINT")
		b.WriteByte('(')
		for n := 0; ; n++ {
			if n > 0 {
				b.WriteString(", ")
			}
			if p.cur().kind == tLParen { // MULTIPOINT((1 2), (3 4))
				p.next()
				b.WriteByte('(')
				p.coord(b)
				b.WriteByte(')')
				p.expect(tRParen, "')' after point coordinates")
			} else { // MULTIPOINT(1 2, 3 4)
				b.WriteByte('(')
				p.coord(b)
				b.WriteByte(')')
			}
			if p.cur().kind != tComma {
				break
			}
			p.next()
		}
		p.expect(tRParen, "',' or ')' in MULTIPOINT")
		b.WriteByte(')')
	case "MULTILINESTRING":
		p.list(b, "MULTILINESTRING", func() { p.coordList(b, 2, false) })
	case "MULTIPOLYGON":
		p.list(b, "MULTIPOLYGON", func() { p.polygon(b) })
	case "GEOMETRYCOLLECTION":
		p.list(b, "GEOMETRYCOLLECTION", func() { p.geometryTagged(b, false) })
	}
}

// list parses "(" item {"," item} ")".
func (p *parser) list(b *strings.Builder, what string, item func()) {
	p.expect(tLParen, "'(' after "+what)
	b.WriteByte('(')
	for n := 0; ; n++ {
		if n > 0 {
			b.WriteString(", ")
		}
		item()
		if p.cur().kind != tComma {
			break
		}
		p.next()
	}
	p.expect(tRParen, "',' or ')' in "+what)
	b.WriteByte(')')
}

func (p *parser) polygon(b *strings.Builder) {
	p.list(b, "POLYGON", func() { p.coordList(b, 4, true) })
}

// coordList parses "(" coord {"," coord} ")" with at least min coordinates;
// ring requires the first and last coordinate to be equal.
func (p *parser) coordList(b *strings.Builder, min int, ring bool) {
	open := p.expect(tLParen, "'(' before coordinates")
	b.WriteByte('(')
	var first, last []float64
	n := 0
	for {
		if n > 0 {
			b.WriteString(", ")
		}
		c := p.coord(b)
		if n == 0 {
			first = c
		}
		last = c
		n++
		if p.cur().kind != tComma {
			break
		}
		p.next()
	}
	p.expect(tRParen, "',' or ')' after coordinates")
	b.WriteByte(')')
	if n < min {
		what := "a linestring needs at least 2 points"
		if ring {
			what = "a polygon ring needs at least 4 points"
		}
		p.abort(errAt(open.pos, "too few points", what))
	}
	if ring {
		for i := range first {
			if first[i] != last[i] {
				p.abort(errAt(open.pos, "polygon ring is not closed", "the last point must equal the first"))
			}
		}
	}
}

// coord parses two or three numbers and writes "x y[ z]".
func (p *parser) coord(b *strings.Builder) []float64 {
	start := p.cur()
	var c []float64
	for p.cur().kind == tNumber && len(c) < 3 {
		c = append(c, p.num())
	}
	if len(c) < 2 {
		p.fail(p.cur(), "a coordinate number")
	}
	if p.dim != len(c) {
		p.abort(errAt(start.pos, "mixed 2D and 3D coordinates in geometry", ""))
	}
	p.vertices++
	if p.vertices > p.lim.MaxVertices {
		p.abort(errAt(start.pos, "geometry literal has too many vertices", "the maximum is "+strconv.Itoa(p.lim.MaxVertices)))
	}
	for i, v := range c {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(formatFloat(v))
	}
	return c
}

func (p *parser) num() float64 {
	t := p.expect(tNumber, "a number")
	return p.number(t).(*NumberLit).Value
}

// parseBBox parses BBOX(west, south, [minz,] east, north [, maxz]); ENVELOPE
// is accepted as an alias. The WKT is the equivalent 2D polygon.
func (p *parser) parseBBox() Expr {
	t := p.next()
	p.expect(tLParen, "'(' after BBOX")
	var v []float64
	for {
		v = append(v, p.num())
		if p.cur().kind != tComma || len(v) == 6 {
			break
		}
		p.next()
	}
	p.expect(tRParen, "',' or ')' in BBOX")
	var w, s, e, n float64
	switch len(v) {
	case 4:
		w, s, e, n = v[0], v[1], v[2], v[3]
	case 6:
		w, s, e, n = v[0], v[1], v[3], v[4]
	default:
		p.abort(errAt(t.pos, "BBOX needs 4 or 6 numbers", "got "+strconv.Itoa(len(v))))
	}
	if w > e {
		p.abort(errAt(t.pos, "BBOX west bound is greater than east bound", "BBOXes crossing the antimeridian are not supported; order is BBOX(west, south, east, north)"))
	}
	if s > n {
		p.abort(errAt(t.pos, "BBOX south bound is greater than north bound", "order is BBOX(west, south, east, north)"))
	}
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = formatFloat(x)
	}
	W, S, E, N := formatFloat(w), formatFloat(s), formatFloat(e), formatFloat(n)
	wkt := "POLYGON((" + W + " " + S + ", " + E + " " + S + ", " + E + " " + N + ", " + W + " " + N + ", " + W + " " + S + "))"
	return &GeomLit{WKT: wkt, Text: "BBOX(" + strings.Join(parts, ", ") + ")", Vertices: 5, Pos: t.pos}
}
