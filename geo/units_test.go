package geo

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

func TestBBox(t *testing.T) {
	if !China.Contains(120.65, 27.95) {
		t.Error("瓯海 should be in China")
	}
	if China.Contains(27.95, 120.65) {
		t.Error("swapped axes should fall outside China")
	}
	if !Wenzhou.Intersects(BBox{MinX: 120, MinY: 27.5, MaxX: 120.1, MaxY: 27.6}) || Wenzhou.Intersects(BBox{MaxX: 1, MaxY: 1}) {
		t.Error("Intersects wrong")
	}
}
