package landreg

import (
	"math"
	"testing"
)

func TestUnits(t *testing.T) {
	cases := []struct {
		m2, mu, ha float64
	}{
		{10000.0 / 15, 1, 1.0 / 15},
		{10000, 15, 1},
		{1e6, 1500, 100}, // 1 km² = 1500 亩
		{0, 0, 0},
	}
	for _, c := range cases {
		if got := Mu(c.m2); math.Abs(got-c.mu) > 1e-12*math.Max(1, c.mu) {
			t.Errorf("Mu(%v) = %v, want %v", c.m2, got, c.mu)
		}
		if got := Ha(c.m2); math.Abs(got-c.ha) > 1e-12 {
			t.Errorf("Ha(%v) = %v, want %v", c.m2, got, c.ha)
		}
	}
}
