package exchange

import (
	"strings"
	"testing"

	"github.com/landreg/landreg/geo"
)

// The zone hints work for every zone of the registry, not only Wenzhou's.
func TestDiagnoseCRSZones(t *testing.T) {
	crs := func(s string) geo.CRS {
		c, ok := geo.LookupCRS(s)
		if !ok {
			t.Fatalf("%s not in the registry", s)
		}
		return c
	}
	zhoushan := geo.BBox{MinX: 41_480_000, MinY: 3_320_000, MaxX: 41_490_000, MaxY: 3_330_000}
	plain := geo.BBox{MinX: 480_000, MinY: 3_320_000, MaxX: 490_000, MaxY: 3_330_000}
	for _, tt := range []struct {
		crs  string
		box  geo.BBox
		want string
	}{
		{"EPSG:4550", zhoushan, "EPSG:4529"},
		{"EPSG:4529", plain, "EPSG:4550"},
		{"EPSG:4549", zhoushan, "EPSG:4529"},
		{"EPSG:4528", geo.BBox{MinX: 39_480_000, MinY: 3_320_000, MaxX: 39_490_000, MaxY: 3_330_000}, "EPSG:4527"},
	} {
		p := diagnoseCRS(crs(tt.crs), tt.box)
		if p == nil || !strings.Contains(p.Message, tt.want) {
			t.Errorf("%s with %v: %v, want a hint naming %s", tt.crs, tt.box, p, tt.want)
		}
	}
	if p := diagnoseCRS(crs("EPSG:4550"), plain); p != nil {
		t.Errorf("plain zone-41 eastings refused: %s", p.Message)
	}
	if !importable(crs("EPSG:4548")) || importable(crs("EPSG:3857")) {
		t.Error("importable: GK zones yes, Web Mercator no")
	}
}
