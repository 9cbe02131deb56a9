package pgcluster

import "testing"

func TestSharedBuffers(t *testing.T) {
	for _, c := range []struct {
		total uint64
		want  string
	}{
		{0, "256MB"},             // memory unknown: the floor
		{512 << 20, "256MB"},     // a small machine keeps the floor
		{4 << 30, "1024MB"},      // a quarter
		{24 << 30, "6144MB"},     // this project's build machine
		{256 << 30, "8192MB"},    // the ceiling
		{(3 << 30) + 1, "768MB"}, // rounded down to whole MB
	} {
		if got := sharedBuffers(c.total); got != c.want {
			t.Errorf("sharedBuffers(%d) = %s, want %s", c.total, got, c.want)
		}
	}
	if memTotal() == 0 {
		t.Error("no MemTotal in /proc/meminfo")
	}
}
