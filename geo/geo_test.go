package geo

import "testing"

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
