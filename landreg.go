// Package landreg holds the registry's domain: its vocabulary (roles, parcel event
// types, idle categories), units (亩, 公顷), the civil calendar its legal dates live in,
// the rules of a parcel record that the API, the importer and the CLI all apply, and
// the one error type in which every refusal is told. Other packages import it; it
// imports none of them.
//
// The database enforces the same rules for every writer (QGIS and psql included); the
// checks here exist to name the offending field in the caller's terms before a record
// reaches it.
package landreg

import "encoding/json"

// Error is a refusal in the registry's terms. Kind is stable: it is the problem type's
// slug of docs/errors.md (urn:landreg:problem:<kind>). Zh and En say the same thing.
type Error struct {
	Kind  string
	Zh    string
	En    string
	Field string
	// Rule carries the figures of a refused block-line change (shortfall per level).
	Rule json.RawMessage
	// Err is what the refusal was made of (a database error), for the log.
	Err error
}

func (e *Error) Error() string {
	if e.Zh == "" {
		return e.En
	}
	return e.Zh + " / " + e.En
}

func (e *Error) Unwrap() error { return e.Err }

// Kinds of refusal (problem types).
const (
	KindConstraint   = "constraint-violation"
	KindInvalidCode  = "invalid-code"
	KindNotFound     = "not-found"
	KindInvalidState = "invalid-state"
	KindUnavailable  = "database-unavailable"
)

// Refuse builds an Error about field.
func Refuse(kind, field, zh, en string) *Error {
	return &Error{Kind: kind, Field: field, Zh: zh, En: en}
}
