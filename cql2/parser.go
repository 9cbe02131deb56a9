package cql2

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Parse parses CQL2 text into an AST using DefaultLimits.
// All failures are reported as *Error.
func Parse(text string) (Expr, error) { return ParseWithLimits(text, DefaultLimits) }

// ParseWithLimits is Parse with explicit limits (zero fields take defaults).
func ParseWithLimits(text string, lim Limits) (e Expr, err error) {
	lim = lim.withDefaults()
	if !utf8.ValidString(text) {
		for i := 0; i < len(text); {
			r, size := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errAt(i, "invalid UTF-8 in filter expression", "")
			}
			i += size
		}
	}
	if n := utf8.RuneCountInString(text); n > lim.MaxLength {
		return nil, errAt(0, "filter expression too long", "it has "+strconv.Itoa(n)+" characters, the maximum is "+strconv.Itoa(lim.MaxLength))
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, errAt(0, "empty filter expression", "")
	}
	p := &parser{toks: toks, lim: lim}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			e, err = nil, pe
		}
	}()
	e = p.parseOr()
	if t := p.cur(); t.kind != tEOF {
		p.fail(t, "AND, OR or end of input")
	}
	return e, nil
}

type parser struct {
	toks  []token
	i     int
	lim   Limits
	depth int
	// per geometry literal state
	vertices int
	dim      int
}

func (p *parser) cur() token { return p.toks[p.i] }

func (p *parser) peek(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) abort(err *Error) { panic(err) }

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tIdent:
		if reserved[strings.ToUpper(t.text)] {
			return "keyword " + strings.ToUpper(t.text)
		}
		return "identifier " + quoteText(t.text)
	case tQIdent:
		return `property "` + strings.Trim(quoteText(t.text), "'") + `"`
	case tString:
		return "string " + quoteText(t.text)
	case tNumber:
		return "number " + t.text
	default:
		return "token '" + t.text + "'"
	}
}

// fail aborts with "unexpected <token> at <pos>, expected <what>".
func (p *parser) fail(t token, what string) {
	p.abort(errAt(t.pos, "unexpected "+describe(t), "expected "+what))
}

func (p *parser) isKw(t token, kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) expect(kind tokKind, what string) token {
	t := p.cur()
	if t.kind != kind {
		p.fail(t, what)
	}
	return p.next()
}

func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > p.lim.MaxDepth {
		p.abort(errAt(pos, "expression nested too deeply", "the maximum depth is "+strconv.Itoa(p.lim.MaxDepth)))
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseOr() Expr {
	first := p.parseAnd()
	if !p.isKw(p.cur(), "OR") {
		return first
	}
	or := &Or{Pos: p.cur().pos}
	add := func(e Expr) {
		if o, ok := e.(*Or); ok {
			or.Args = append(or.Args, o.Args...)
		} else {
			or.Args = append(or.Args, e)
		}
	}
	add(first)
	for p.isKw(p.cur(), "OR") {
		p.next()
		add(p.parseAnd())
	}
	return or
}

func (p *parser) parseAnd() Expr {
	first := p.parseNot()
	if !p.isKw(p.cur(), "AND") {
		return first
	}
	and := &And{Pos: p.cur().pos}
	add := func(e Expr) {
		if a, ok := e.(*And); ok {
			and.Args = append(and.Args, a.Args...)
		} else {
			and.Args = append(and.Args, e)
		}
	}
	add(first)
	for p.isKw(p.cur(), "AND") {
		p.next()
		add(p.parseNot())
	}
	return and
}

func (p *parser) parseNot() Expr {
	t := p.cur()
	if p.isKw(t, "NOT") {
		p.next()
		p.enter(t.pos)
		x := p.parseNot()
		p.leave()
		return &Not{X: x, Pos: t.pos}
	}
	return p.parsePrimary()
}

var spatialOps = map[string]bool{
	"S_INTERSECTS": true, "S_EQUALS": true, "S_DISJOINT": true, "S_TOUCHES": true,
	"S_WITHIN": true, "S_OVERLAPS": true, "S_CROSSES": true, "S_CONTAINS": true,
}

func (p *parser) parsePrimary() Expr {
	t := p.cur()
	switch t.kind {
	case tLParen:
		p.next()
		p.enter(t.pos)
		e := p.parseOr()
		p.leave()
		p.expect(tRParen, "')' or AND/OR")
		return e
	case tIdent:
		if p.peek(1).kind == tLParen {
			up := strings.ToUpper(t.text)
			if spatialOps[up] {
				return p.parseSpatial(up)
			}
			if up == "S_DWITHIN" {
				return p.parseDWithin()
			}
			if _, ok := temporalRelations[up]; ok {
				return p.parseTemporal(up)
			}
			if strings.HasPrefix(up, "T_") || strings.HasPrefix(up, "A_") {
				p.abort(errAt(t.pos, "unsupported function "+up, "array (A_*) predicates are not supported; the temporal ones are T_AFTER … T_STARTS"))
			}
		}
	}
	x := p.parseOperand()
	return p.parsePredicate(x)
}

func (p *parser) parseSpatial(op string) Expr {
	t := p.next() // function name
	p.enter(t.pos)
	p.expect(tLParen, "'('")
	a := p.parseOperand()
	p.expect(tComma, "',' between the two arguments of "+op)
	b := p.parseOperand()
	p.expect(tRParen, "')' after the second argument of "+op)
	p.leave()
	return &Spatial{Op: op, A: a, B: b, Pos: t.pos}
}

func (p *parser) parsePredicate(x Expr) Expr {
	t := p.cur()
	pos := exprPos(x)
	switch {
	case t.kind == tOp:
		p.next()
		r := p.parseOperand()
		return &Compare{Op: t.text, L: x, R: r, Pos: pos}
	case p.isKw(t, "NOT"):
		n := p.peek(1)
		if !p.isKw(n, "LIKE") && !p.isKw(n, "BETWEEN") && !p.isKw(n, "IN") {
			p.fail(n, "LIKE, BETWEEN or IN after NOT")
		}
		p.next()
		return p.parseAdvanced(x, true)
	case p.isKw(t, "LIKE"), p.isKw(t, "BETWEEN"), p.isKw(t, "IN"):
		return p.parseAdvanced(x, false)
	case p.isKw(t, "IS"):
		p.next()
		not := false
		if p.isKw(p.cur(), "NOT") {
			p.next()
			not = true
		}
		if !p.isKw(p.cur(), "NULL") {
			p.fail(p.cur(), "NULL")
		}
		p.next()
		return &IsNull{X: x, Not: not, Pos: pos}
	}
	return &BoolValue{X: x, Pos: pos}
}

func (p *parser) parseAdvanced(x Expr, not bool) Expr {
	t := p.next()
	pos := exprPos(x)
	switch strings.ToUpper(t.text) {
	case "LIKE":
		pat := p.parseOperand()
		return &Like{X: x, Pattern: pat, Not: not, Pos: pos}
	case "BETWEEN":
		lo := p.parseOperand()
		if !p.isKw(p.cur(), "AND") {
			p.fail(p.cur(), "AND in BETWEEN ... AND ...")
		}
		p.next()
		hi := p.parseOperand()
		return &Between{X: x, Lo: lo, Hi: hi, Not: not, Pos: pos}
	default: // IN
		open := p.expect(tLParen, "'(' after IN")
		in := &In{X: x, Not: not, Pos: pos}
		for {
			if len(in.List) >= p.lim.MaxInList {
				p.abort(errAt(open.pos, "IN list too long", "the maximum is "+strconv.Itoa(p.lim.MaxInList)+" items"))
			}
			in.List = append(in.List, p.parseOperand())
			if p.cur().kind == tComma {
				p.next()
				continue
			}
			p.expect(tRParen, "',' or ')' in IN list")
			return in
		}
	}
}

var geomKinds = map[string]bool{
	"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true,
	"BBOX": true, "ENVELOPE": true,
}

// parseOperand parses a scalar or geometry value.
func (p *parser) parseOperand() Expr {
	t := p.cur()
	switch t.kind {
	case tString:
		p.next()
		return &StringLit{Value: t.text, Pos: t.pos}
	case tNumber:
		p.next()
		return p.number(t)
	case tQIdent:
		p.next()
		return &Property{Name: t.text, Pos: t.pos}
	case tIdent:
		// handled below
	default:
		p.fail(t, "a value (property, literal or function)")
	}
	up := strings.ToUpper(t.text)
	nxt := p.peek(1)
	switch {
	case up == "TRUE" || up == "FALSE":
		p.next()
		return &BoolLit{Value: up == "TRUE", Pos: t.pos}
	case reserved[up]:
		p.fail(t, "a value (property, literal or function)")
	case geomKinds[up] && p.isKw(nxt, "EMPTY"):
		p.abort(errAt(t.pos, "EMPTY geometries are not supported", ""))
	case geomKinds[up] && (nxt.kind == tLParen || p.isKw(nxt, "Z")):
		return p.parseGeometry()
	case nxt.kind != tLParen:
		p.next()
		return &Property{Name: t.text, Pos: t.pos}
	}
	// function-like syntax: NAME(
	switch up {
	case "DATE", "TIMESTAMP":
		p.next()
		p.next()
		s := p.expect(tString, "a quoted "+strings.ToLower(up)+" such as '2024-01-31'")
		p.expect(tRParen, "')'")
		if up == "DATE" {
			d, err := time.Parse(dateLayout, s.text)
			if err != nil {
				p.abort(errAt(s.pos, "invalid date "+quoteText(s.text), "expected YYYY-MM-DD"))
			}
			return &DateLit{Value: d, Pos: t.pos}
		}
		ts, err := time.Parse(time.RFC3339Nano, s.text)
		if err != nil {
			p.abort(errAt(s.pos, "invalid timestamp "+quoteText(s.text), "expected RFC 3339 such as '2024-01-31T08:00:00Z'"))
		}
		return &TimestampLit{Value: ts.UTC(), Pos: t.pos}
	case "INTERVAL":
		return p.parseInterval(t)
	case "CASEI":
		p.next()
		p.next()
		p.enter(t.pos)
		x := p.parseOperand()
		p.expect(tRParen, "')' after CASEI argument")
		p.leave()
		return &CaseI{X: x, Pos: t.pos}
	}
	if _, temporal := temporalRelations[up]; spatialOps[up] || temporal || up == "S_DWITHIN" {
		p.abort(errAt(t.pos, "predicate "+up+" cannot be used as a value", ""))
	}
	p.abort(errAt(t.pos, "unknown function "+quoteText(t.text), "the only supported function is CASEI"))
	return nil
}

func (p *parser) number(t token) Expr {
	text := t.text
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange && f == 0 {
			f = 0 // underflow to zero is fine
		} else {
			p.abort(errAt(t.pos, "number out of range "+quoteText(text), ""))
		}
	}
	if f == 0 {
		f = 0 // normalise -0
	}
	n := &NumberLit{Value: f, Pos: t.pos}
	if !strings.ContainsAny(text, ".eE") {
		if i, err := strconv.ParseInt(strings.TrimPrefix(text, "+"), 10, 64); err == nil {
			n.Int, n.IsInt = i, true
		}
	}
	return n
}

func exprPos(e Expr) int {
	switch e := e.(type) {
	case *And:
		return e.Pos
	case *Or:
		return e.Pos
	case *Not:
		return e.Pos
	case *Compare:
		return e.Pos
	case *Like:
		return e.Pos
	case *Between:
		return e.Pos
	case *In:
		return e.Pos
	case *IsNull:
		return e.Pos
	case *Spatial:
		return e.Pos
	case *Temporal:
		return e.Pos
	case *Interval:
		return e.Pos
	case *DWithin:
		return e.Pos
	case *BoolValue:
		return e.Pos
	case *Property:
		return e.Pos
	case *StringLit:
		return e.Pos
	case *NumberLit:
		return e.Pos
	case *BoolLit:
		return e.Pos
	case *DateLit:
		return e.Pos
	case *TimestampLit:
		return e.Pos
	case *GeomLit:
		return e.Pos
	case *CaseI:
		return e.Pos
	}
	return 0
}
