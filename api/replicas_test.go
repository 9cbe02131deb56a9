package api

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestLSNRoundTrip(t *testing.T) {
	for _, s := range []string{"0/0", "0/5000000", "16/B374D848", "FFFFFFFF/FFFFFFFF"} {
		v, err := parseLSN(s)
		if err != nil || formatLSN(v) != s {
			t.Errorf("%s: %v %s", s, err, formatLSN(v))
		}
	}
	if a, _ := parseLSN("1/0"); a <= 0xFFFFFFFF {
		t.Errorf("1/0 = %d, must order after 0/FFFFFFFF", a)
	}
	for _, s := range []string{"", "12", "x/1", "1/100000000"} {
		if _, err := parseLSN(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

// The lag of a standby is how long ago the primary first stood past its replay position.
func TestReplayLag(t *testing.T) {
	now := time.Now()
	rt := &Router{samples: []lsnSample{{now.Add(-3 * time.Second), 100}, {now.Add(-2 * time.Second), 200}, {now.Add(-time.Second), 300}}}
	for _, c := range []struct {
		replay uint64
		want   time.Duration
	}{{300, 0}, {400, 0}, {250, time.Second}, {200, time.Second}, {150, 2 * time.Second}, {50, 3 * time.Second}} {
		if got := rt.lagLocked(c.replay, now); got != c.want {
			t.Errorf("replay %d: lag %v, want %v", c.replay, got, c.want)
		}
	}
}

func TestStandbyReads(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         bool
	}{
		{"GET", "/collections/parcels/items", true},
		{"HEAD", "/collections/parcels/items/1", true},
		{"GET", "/tiles/parcels/14/1/2", true},
		{"GET", "/v1/reports/idle", true},
		{"GET", "/v1/adjustments/3/preview", false},
		{"POST", "/collections/parcels/items", false},
		{"OPTIONS", "/collections/parcels/items", false},
		{"GET", "/readyz", false},
		{"GET", "/metrics", false},
		{"GET", "/map/", false},
	} {
		if got := standbyRead(httptest.NewRequest(c.method, c.path, nil)); got != c.want {
			t.Errorf("%s %s: %v", c.method, c.path, got)
		}
	}
}
