package cql2

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQIdent
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tOp
)

type token struct {
	kind tokKind
	pos  int
	// text is the identifier, operator or raw number text, or the decoded
	// value of a string literal / quoted identifier.
	text string
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// describeRune renders a character for error messages.
func describeRune(r rune) string {
	if unicode.IsPrint(r) {
		return "'" + string(r) + "'"
	}
	return fmt.Sprintf("%U", r)
}

// lex splits src into tokens. src must be valid UTF-8 (checked by the caller).
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
				i++
				continue
			}
		} else {
			r, size := utf8.DecodeRuneInString(src[i:])
			if unicode.IsSpace(r) {
				i += size
				continue
			}
			return nil, errAt(i, "unexpected character "+describeRune(r),
				`property names must match [A-Za-z_][A-Za-z0-9_]* or be double-quoted, text must be in single quotes`)
		}
		start := i
		switch {
		case c == '(':
			toks = append(toks, token{tLParen, i, "("})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, i, ")"})
			i++
		case c == ',':
			toks = append(toks, token{tComma, i, ","})
			i++
		case c == '=':
			toks = append(toks, token{tOp, i, "="})
			i++
		case c == '<':
			op := "<"
			if i+1 < len(src) && (src[i+1] == '>' || src[i+1] == '=') {
				op += string(src[i+1])
			}
			toks = append(toks, token{tOp, i, op})
			i += len(op)
		case c == '>':
			op := ">"
			if i+1 < len(src) && src[i+1] == '=' {
				op = ">="
			}
			toks = append(toks, token{tOp, i, op})
			i += len(op)
		case c == '!':
			return nil, errAt(i, "unexpected character '!'", "use <> for not-equal")
		case c == '\'':
			s, n, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, start, s})
			i = n
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] < 0x20 || src[j] == 0x7f {
					return nil, errAt(j, "control character in quoted property name", "")
				}
				j++
			}
			if j >= len(src) {
				return nil, errAt(i, "unterminated quoted property name", `expected closing '"'`)
			}
			if j == i+1 {
				return nil, errAt(i, "empty quoted property name", "")
			}
			toks = append(toks, token{tQIdent, start, src[i+1 : j]})
			i = j + 1
		case isDigit(c) || c == '.' || c == '+' || c == '-':
			n, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tNumber, start, src[i:n]})
			i = n
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{tIdent, start, src[i:j]})
			i = j
		default:
			hint := ""
			switch c {
			case ';':
				hint = "only a single filter expression is allowed"
			case '/', '#':
				hint = "comments are not allowed"
			}
			return nil, errAt(i, "unexpected character "+describeRune(rune(c)), hint)
		}
	}
	toks = append(toks, token{tEOF, len(src), ""})
	return toks, nil
}

// lexString scans a single-quoted string literal starting at src[i]. Quotes
// inside are doubled or escaped with a backslash. It returns the decoded value and the
// offset just after the closing quote.
func lexString(src string, i int) (string, int, error) {
	start := i
	i++
	var b strings.Builder
	for {
		if i >= len(src) {
			return "", 0, errAt(start, "unterminated string literal", "expected closing \"'\"")
		}
		c := src[i]
		switch {
		case c == '\'':
			if i+1 < len(src) && src[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(src) && src[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		case c == 0:
			return "", 0, errAt(i, "NUL character in string literal", "")
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// lexNumber scans [+-] (digits [. [digits]] | . digits) [(e|E) [+-] digits].
func lexNumber(src string, i int) (int, error) {
	start := i
	j := i
	if src[j] == '+' || src[j] == '-' {
		j++
	}
	mant := 0
	for j < len(src) && isDigit(src[j]) {
		j++
		mant++
	}
	if j < len(src) && src[j] == '.' {
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
			mant++
		}
	}
	if mant == 0 {
		if src[start] == '-' && start+1 < len(src) && src[start+1] == '-' {
			return 0, errAt(start, "unexpected characters '--'", "comments are not allowed")
		}
		return 0, errAt(start, "unexpected character "+describeRune(rune(src[start])), "expected a number")
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k >= len(src) || !isDigit(src[k]) {
			return 0, errAt(start, "malformed number "+quoteText(src[start:min(k, len(src))]), "expected exponent digits")
		}
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		j = k
	}
	if j < len(src) && (isIdentPart(src[j]) || src[j] == '.') {
		end := j
		for end < len(src) && (isIdentPart(src[end]) || src[end] == '.') && end-start < 30 {
			end++
		}
		return 0, errAt(start, "malformed number "+quoteText(src[start:end]), "")
	}
	return j, nil
}

// quoteText quotes (and truncates) input text for error messages.
func quoteText(s string) string {
	const max = 30
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	return "'" + s + "'"
}
