package geo

import (
	"strconv"
	"testing"
)

func TestLookupCRS(t *testing.T) {
	cases := []struct {
		in       string
		srid     int
		latFirst bool
		ok       bool
	}{
		{"CRS84", 4490, false, true},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4490, false, true},
		{"<http://www.opengis.net/def/crs/EPSG/0/4490>", 4490, true, true},
		{"EPSG:4549", 4549, true, true},
		{"epsg:4528", 4528, true, true},
		{"urn:ogc:def:crs:EPSG::4326", 4326, true, true},
		{"3857", 3857, false, true},
		{"EPSG:2385", 0, false, false},
		{"EPSG:abc", 0, false, false},
		{"", 0, false, false},
	}
	for _, c := range cases {
		got, ok := LookupCRS(c.in)
		if ok != c.ok || (ok && (got.SRID != c.srid || got.LatFirst != c.latFirst)) {
			t.Errorf("LookupCRS(%q) = %+v, %v", c.in, got, ok)
		}
	}
}

func TestCRSCheck(t *testing.T) {
	gk, _ := LookupCRS("EPSG:4549")
	gk40, _ := LookupCRS("EPSG:4528")
	ll, _ := LookupCRS("CRS84")
	cases := []struct {
		name string
		crs  CRS
		box  BBox
		want Placement
	}{
		// 120.70°E 28.00°N is E 568 854.27, N 3 098 639.22 in EPSG:4549 (domain.md §5.2).
		{"gk easting first", gk, BBox{568000, 3098000, 569000, 3099000}, Plausible},
		{"gk swapped", gk, BBox{3098000, 568000, 3099000, 569000}, Swapped},
		{"gk zone prefix in 4549", gk, BBox{40568000, 3098000, 40569000, 3099000}, Outside},
		{"zone 40", gk40, BBox{40568000, 3098000, 40569000, 3099000}, Plausible},
		{"lon/lat", ll, BBox{120.6, 27.9, 120.7, 28.0}, Plausible},
		{"lat/lon", ll, BBox{27.9, 120.6, 28.0, 120.7}, Swapped},
		{"metres as degrees", ll, BBox{568000, 3098000, 569000, 3099000}, Outside},
	}
	for _, c := range cases {
		if got := c.crs.Check(c.box); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestGaussKrugerZones(t *testing.T) {
	for _, tt := range []struct {
		lon        float64
		zone, srid int
	}{
		{120.65, 40, 4549}, // Wenzhou
		{122.2, 41, 4550},  // Zhoushan
		{121.4, 40, 4549},  // Taizhou, west of 121.5°E
		{121.6, 41, 4550},  // Ningbo's east
		{118.4, 39, 4548},  // Quzhou's west
	} {
		z := GaussKrugerZone(tt.lon)
		if z != tt.zone || GaussKrugerSRID(z) != tt.srid {
			t.Errorf("lon %v: zone %d EPSG:%d, want %d EPSG:%d", tt.lon, z, GaussKrugerSRID(z), tt.zone, tt.srid)
		}
	}
	for srid, zone := range map[int]int{4548: 39, 4549: 40, 4550: 41, 4527: 39, 4528: 40, 4529: 41} {
		c, ok := LookupCRS("EPSG:" + strconv.Itoa(srid))
		if z, gk := c.GaussKruger(); !ok || !gk || z != zone {
			t.Errorf("EPSG:%d: found %v, zone %d (%v), want %d", srid, ok, z, gk, zone)
		}
	}
	if c, _ := LookupCRS("EPSG:4529"); c.Check(BBox{MinX: 41_500_000, MinY: 3_300_000, MaxX: 41_510_000, MaxY: 3_310_000}) != Plausible {
		t.Error("zone 41 eastings with their prefix are not plausible in EPSG:4529")
	}
}
