package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg/store"
)

// TestUnavailableMapping: the errors of a database that cannot serve now are 503
// database-unavailable with Retry-After, whatever the request; the rest keep their
// mapping. Disk full cannot be produced on demand, so it is checked here.
func TestUnavailableMapping(t *testing.T) {
	unavailableCases := []error{
		&pgconn.PgError{Code: "53100", Message: "could not extend file \"base/16384/16385\": No space left on device"},
		&pgconn.PgError{Code: "53200", Message: "out of memory"},
		&pgconn.PgError{Code: "53300", Message: "sorry, too many clients already"},
		&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"},
		&pgconn.PgError{Code: "57P02", Message: "terminating connection because of crash of another server process"},
		&pgconn.PgError{Code: "57P03", Message: "the database system is starting up"},
		&pgconn.PgError{Code: "08006", Message: "connection failure"},
		&pgconn.PgError{Code: "58030", Message: "could not write to file"},
		&pgconn.PgError{Code: "25006", Message: "cannot execute INSERT in a read-only transaction"},
		fmt.Errorf("acquire: %w", pgconn.ErrConnClosed),
		fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF),
		fmt.Errorf("store: %w", &pgconn.PgError{Code: "53100"}),
	}
	for _, err := range unavailableCases {
		p := dbProblem(err)
		if p == nil || p.Status != http.StatusServiceUnavailable || p.Type != problemBase+"database-unavailable" || p.RetryAfter <= 0 {
			t.Errorf("%v: %+v, want 503 database-unavailable with Retry-After", err, p)
		}
	}
	for code, want := range map[string]string{"23514": "constraint-violation", "22003": "constraint-violation",
		"22021": "constraint-violation", "22P05": "constraint-violation", "LRE02": "invalid-event", "57014": "timeout"} {
		if p := dbProblem(&pgconn.PgError{Code: code}); p == nil || p.Type != problemBase+want {
			t.Errorf("SQLSTATE %s: %+v, want %s", code, p, want)
		}
	}
	if p := dbProblem(errors.New("something else")); p != nil {
		t.Errorf("an unknown error mapped to %+v", p)
	}
	if p := dbProblem(context.DeadlineExceeded); p == nil || p.Type != problemBase+"timeout" {
		t.Errorf("deadline: %+v", p)
	}
}

// TestEveryNumericColumnIsBounded: a numeric column added to a writable collection
// without a bound would let NaN through (checkProperty refuses every value then, which
// the test makes visible here first).
func TestEveryNumericColumnIsBounded(t *testing.T) {
	for _, coll := range []string{"parcels", "block_lines"} {
		w, _ := store.WritableFor(coll)
		for col, typ := range w.Columns {
			switch typ {
			case "text", "date", "boolean":
				continue
			}
			if _, ok := propertyBounds[col]; !ok {
				t.Errorf("%s.%s (%s) has no entry in propertyBounds (bounds.go)", coll, col, typ)
			}
		}
	}
}

func TestBounds(t *testing.T) {
	for _, c := range []struct {
		field, text string
		ok          bool
	}{
		{"price_wan", "0", true}, {"price_wan", "1200.5", true}, {"price_wan", "1e7", true}, {"price_wan", "1.0000001e7", false},
		{"price_wan", "NaN", false}, {"price_wan", "nan", false}, {"price_wan", "Infinity", false}, {"price_wan", "-0.01", false},
		{"price_wan", " 12", false}, {"price_wan", "1_000", false}, {"price_wan", "0x1p3", false}, {"price_wan", "1e400", false},
		{"registered_area_m2", "0", false}, {"registered_area_m2", "0.01", true}, {"term_years", "50", true},
		{"term_years", "50.5", false}, {"term_years", "5e1", true}, {"level", "3", false},
	} {
		_, zh, _ := propertyBounds[c.field].check(c.text)
		if (zh == "") != c.ok {
			t.Errorf("%s = %q: accepted %v, want %v (%s)", c.field, c.text, zh == "", c.ok, zh)
		}
	}
	if p := checkPayload(json.RawMessage(`{"year": 2023, "tax_wan": 12.5, "cause_code": 3, "passed": true}`)); p != nil {
		t.Errorf("a sound payload: %+v", p)
	}
	if p := checkPayload(json.RawMessage(`{"employees": 12.5}`)); p == nil || p.Field != "payload.employees" {
		t.Errorf("fractional employees: %+v", p)
	}
}

func TestParseETags(t *testing.T) {
	for _, c := range []struct {
		h     string
		tags  []entityTag
		star  bool
		valid bool
	}{
		{`"a"`, []entityTag{{false, "a"}}, false, true},
		{`"1-2", W/"1-3" ,"x,y"`, []entityTag{{false, "1-2"}, {true, "1-3"}, {false, "x,y"}}, false, true},
		{`, "a",,`, []entityTag{{false, "a"}}, false, true},
		{` * `, nil, true, true},
		{`abc`, nil, false, false},
		{`"a" "b"`, nil, false, false},
		{`"a`, nil, false, false},
		{`W/ "a"`, nil, false, false},
		{`"a", *`, nil, false, false},
		{`"a b"`, nil, false, false},
		{`,`, nil, false, false},
	} {
		tags, star, ok := parseETags(c.h)
		if ok != c.valid || star != c.star || fmt.Sprint(tags) != fmt.Sprint(c.tags) {
			t.Errorf("%q: %v %v %v, want %v %v %v", c.h, tags, star, ok, c.tags, c.star, c.valid)
		}
	}
}

func TestNonFinitePath(t *testing.T) {
	type inner struct {
		Fee float64 `json:"idle_fee_wan"`
	}
	v := map[string]any{"a": 1.0, "status": &inner{Fee: math.NaN()}, "list": []float64{1, 2}}
	if p, _ := findNonFinite(reflect.ValueOf(v), ""); p != "status.idle_fee_wan" {
		t.Errorf("path %q", p)
	}
	if _, bad := findNonFinite(reflect.ValueOf([]any{1.0, "x", json.RawMessage(`1`)}), ""); bad {
		t.Error("finite values reported")
	}
}

func TestScanJSON(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"properties":{"location":"a\u0000"}}`, "properties.location"},
		{`{"properties":{"a\u0000":1}}`, "properties.a\x00"},
		{`{"removals":[{"geometry":1},{"line_name":"\u0000"}]}`, "removals[1].line_name"},
		{`{"a":[1,2,["x","\u0000"]]}`, "a[2][1]"},
		{`["\u0000"]`, "[0]"},
	} {
		p := scanJSON([]byte(c.body))
		if p == nil || p.Field != c.field {
			t.Errorf("%s: %+v, want field %q", c.body, p, c.field)
		}
	}
	if p := scanJSON([]byte(`{"a":{"b":[1,"x",{"c":null}]},"d":"\\u0000 is text"}`)); p != nil {
		t.Errorf("a clean body: %+v", p)
	}
}
