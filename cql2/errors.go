package cql2

import "strconv"

// Error is returned for every syntax, limit, type or unknown-property problem.
// Pos is the byte offset into the filter text the problem relates to.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return "cql2: " + e.Msg }

// errAt builds an *Error whose message reads "<what> at <pos>[, <hint>]".
func errAt(pos int, what, hint string) *Error {
	msg := what + " at " + strconv.Itoa(pos)
	if hint != "" {
		msg += ", " + hint
	}
	return &Error{Pos: pos, Msg: msg}
}

// Limits bounds the size and complexity of accepted filter expressions.
// A zero field means "use the default".
type Limits struct {
	MaxLength   int // maximum expression length in characters
	MaxDepth    int // maximum nesting of parentheses, NOT and functions
	MaxInList   int // maximum number of items in an IN list
	MaxVertices int // maximum number of coordinates in one geometry literal
}

// DefaultLimits are the limits applied by Parse.
var DefaultLimits = Limits{MaxLength: 10000, MaxDepth: 50, MaxInList: 1000, MaxVertices: 10000}

func (l Limits) withDefaults() Limits {
	if l.MaxLength <= 0 {
		l.MaxLength = DefaultLimits.MaxLength
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxInList <= 0 {
		l.MaxInList = DefaultLimits.MaxInList
	}
	if l.MaxVertices <= 0 {
		l.MaxVertices = DefaultLimits.MaxVertices
	}
	return l
}
