package cql2

import (
	"strconv"
	"strings"
	"time"
)

// Expr is a node of the CQL2 abstract syntax tree. Boolean nodes (And, Or,
// Not, Compare, Like, Between, In, IsNull, Spatial, BoolValue) and value
// nodes (Property, StringLit, NumberLit, BoolLit, DateLit, TimestampLit,
// GeomLit, CaseI) all implement it. String returns normalised CQL2 text that
// parses back to an equivalent tree.
type Expr interface {
	String() string
	exprNode()
}

// And is a conjunction of two or more expressions.
type And struct {
	Args []Expr
	Pos  int
}

// Or is a disjunction of two or more expressions.
type Or struct {
	Args []Expr
	Pos  int
}

// Not negates X.
type Not struct {
	X   Expr
	Pos int
}

// Compare is a binary comparison; Op is one of = <> < <= > >=.
type Compare struct {
	Op   string
	L, R Expr
	Pos  int
}

// Like is "X [NOT] LIKE Pattern".
type Like struct {
	X, Pattern Expr
	Not        bool
	Pos        int
}

// Between is "X [NOT] BETWEEN Lo AND Hi".
type Between struct {
	X, Lo, Hi Expr
	Not       bool
	Pos       int
}

// In is "X [NOT] IN (List...)".
type In struct {
	X    Expr
	List []Expr
	Not  bool
	Pos  int
}

// IsNull is "X IS [NOT] NULL".
type IsNull struct {
	X   Expr
	Not bool
	Pos int
}

// Spatial is a spatial predicate such as S_INTERSECTS(A, B); Op is upper case.
type Spatial struct {
	Op   string
	A, B Expr
	Pos  int
}

// BoolValue is a boolean-valued operand used directly as a predicate
// (a boolean property, TRUE or FALSE).
type BoolValue struct {
	X   Expr
	Pos int
}

// Property references a queryable by name.
type Property struct {
	Name string
	Pos  int
}

// StringLit is a character string literal (already unescaped).
type StringLit struct {
	Value string
	Pos   int
}

// NumberLit is a numeric literal. IsInt reports whether it was written as an
// integer that fits in an int64, in which case Int holds the exact value.
type NumberLit struct {
	Value float64
	Int   int64
	IsInt bool
	Pos   int
}

// BoolLit is TRUE or FALSE.
type BoolLit struct {
	Value bool
	Pos   int
}

// DateLit is DATE('yyyy-mm-dd'); Value is midnight UTC of that day.
type DateLit struct {
	Value time.Time
	Pos   int
}

// TimestampLit is TIMESTAMP('...'); Value is in UTC.
type TimestampLit struct {
	Value time.Time
	Pos   int
}

// GeomLit is a geometry literal. WKT is the normalised 2D/3D WKT bound as a
// parameter (a BBOX becomes a POLYGON); Text is the normalised CQL2 form.
type GeomLit struct {
	WKT      string
	Text     string
	Vertices int
	Pos      int
}

// CaseI is CASEI(X), a case-insensitive string value.
type CaseI struct {
	X   Expr
	Pos int
}

func (*And) exprNode()          {}
func (*Or) exprNode()           {}
func (*Not) exprNode()          {}
func (*Compare) exprNode()      {}
func (*Like) exprNode()         {}
func (*Between) exprNode()      {}
func (*In) exprNode()           {}
func (*IsNull) exprNode()       {}
func (*Spatial) exprNode()      {}
func (*BoolValue) exprNode()    {}
func (*Property) exprNode()     {}
func (*StringLit) exprNode()    {}
func (*NumberLit) exprNode()    {}
func (*BoolLit) exprNode()      {}
func (*DateLit) exprNode()      {}
func (*TimestampLit) exprNode() {}
func (*GeomLit) exprNode()      {}
func (*CaseI) exprNode()        {}

func str(e Expr) string {
	if e == nil {
		return "<nil>"
	}
	return e.String()
}

func (e *And) String() string {
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		if _, ok := a.(*Or); ok {
			parts[i] = "(" + str(a) + ")"
		} else {
			parts[i] = str(a)
		}
	}
	return strings.Join(parts, " AND ")
}

func (e *Or) String() string {
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = str(a)
	}
	return strings.Join(parts, " OR ")
}

func (e *Not) String() string {
	switch e.X.(type) {
	case *And, *Or:
		return "NOT (" + str(e.X) + ")"
	}
	return "NOT " + str(e.X)
}

func (e *Compare) String() string { return str(e.L) + " " + e.Op + " " + str(e.R) }

func notKw(not bool) string {
	if not {
		return " NOT"
	}
	return ""
}

func (e *Like) String() string {
	return str(e.X) + notKw(e.Not) + " LIKE " + str(e.Pattern)
}

func (e *Between) String() string {
	return str(e.X) + notKw(e.Not) + " BETWEEN " + str(e.Lo) + " AND " + str(e.Hi)
}

func (e *In) String() string {
	parts := make([]string, len(e.List))
	for i, a := range e.List {
		parts[i] = str(a)
	}
	return str(e.X) + notKw(e.Not) + " IN (" + strings.Join(parts, ", ") + ")"
}

func (e *IsNull) String() string { return str(e.X) + " IS" + notKw(e.Not) + " NULL" }

func (e *Spatial) String() string { return e.Op + "(" + str(e.A) + ", " + str(e.B) + ")" }

func (e *BoolValue) String() string { return str(e.X) }

func (e *Property) String() string {
	if needsQuoting(e.Name) {
		return `"` + e.Name + `"`
	}
	return e.Name
}

// String quotes the value. A quote is normally doubled, but right after a
// backslash it is written as backslash-quote, because CQL2 reads a backslash
// followed by a quote as an escaped quote. (A value ending in a backslash
// cannot be expressed in CQL2 text and never results from parsing.)
func (e *StringLit) String() string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(e.Value); i++ {
		c := e.Value[i]
		switch {
		case c == '\'' && i > 0 && e.Value[i-1] == '\\':
			b.WriteString(`\'`)
		case c == '\'':
			b.WriteString("''")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func (e *NumberLit) String() string {
	if e.IsInt {
		return strconv.FormatInt(e.Int, 10)
	}
	return formatFloat(e.Value)
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (e *BoolLit) String() string {
	if e.Value {
		return "TRUE"
	}
	return "FALSE"
}

func (e *DateLit) String() string { return "DATE('" + e.Value.Format(dateLayout) + "')" }

func (e *TimestampLit) String() string {
	return "TIMESTAMP('" + e.Value.UTC().Format(time.RFC3339Nano) + "')"
}

func (e *GeomLit) String() string { return e.Text }

func (e *CaseI) String() string { return "CASEI(" + str(e.X) + ")" }

const dateLayout = "2006-01-02"

// keywords that may not be used as bare property names in normalised output.
var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "BETWEEN": true, "IN": true,
	"IS": true, "NULL": true, "TRUE": true, "FALSE": true, "DATE": true, "TIMESTAMP": true,
	"CASEI": true, "ACCENTI": true, "INTERVAL": true, "BBOX": true, "ENVELOPE": true,
	"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true,
}

// reserved words can never be bare property names in input.
var reserved = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "BETWEEN": true, "IN": true,
	"IS": true, "NULL": true,
}

func needsQuoting(name string) bool {
	if name == "" || !isIdentStart(name[0]) {
		return true
	}
	for i := 1; i < len(name); i++ {
		if !isIdentPart(name[i]) {
			return true
		}
	}
	up := strings.ToUpper(name)
	return keywords[up] || strings.HasPrefix(up, "S_") || strings.HasPrefix(up, "T_") || strings.HasPrefix(up, "A_")
}
