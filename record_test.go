package landreg

import "testing"

func TestMergeRecord(t *testing.T) {
	s := func(v string) *string { return &v }
	got := MergeRecord(map[string]*string{"a": s("1"), "b": s("2"), "c": nil}, map[string]*string{"b": nil, "d": s("4")})
	if len(got) != 2 || got["a"] != "1" || got["d"] != "4" {
		t.Errorf("MergeRecord = %v", got)
	}
}
