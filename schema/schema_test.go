package schema

import (
	"path"
	"regexp"
	"strings"
	"testing"
)

var createFunction = regexp.MustCompile(`(?i)CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:landreg_sys\.)?(\w+)\s*\(`)

// TestOneFilePerFunction: each file of functions/ defines exactly one function, named
// as the file, with one signature. Two definitions of a name would leave the live body
// to whichever file ran last (or, as overloads, to PostgreSQL's choice by argument type).
func TestOneFilePerFunction(t *testing.T) {
	names, err := sources()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, n := range names {
		b, _ := files.ReadFile(n)
		for _, m := range createFunction.FindAllStringSubmatch(string(b), -1) {
			fn := strings.ToLower(m[1])
			if prev, dup := seen[fn]; dup {
				t.Errorf("function %s defined in %s and again in %s", fn, prev, n)
			}
			seen[fn] = n
			if path.Dir(n) == "functions" && fn != strings.TrimSuffix(path.Base(n), ".sql") {
				t.Errorf("%s defines %s", n, fn)
			}
		}
		if path.Dir(n) == "functions" && len(createFunction.FindAllString(string(b), -1)) != 1 {
			t.Errorf("%s defines %d functions, want 1", n, len(createFunction.FindAllString(string(b), -1)))
		}
	}
}
