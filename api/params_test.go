package api

import (
	"net/url"
	"testing"
	"time"

	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

var parcels, _ = store.CollectionByID("parcels")

func TestParseItemsQuery(t *testing.T) {
	lim := Limits{Default: 100, Max: 10000}
	cases := []struct {
		query     string
		wantField string // "" = valid
		limit     int
		offset    int
		after     int64
		bbox      *geo.BBox
	}{
		{"", "", 100, 0, 0, nil},
		{"limit=5", "", 5, 0, 0, nil},
		{"limit=20000", "", 10000, 0, 0, nil},
		{"limit=0", "limit", 0, 0, 0, nil},
		{"limit=-1", "limit", 0, 0, 0, nil},
		{"limit=abc", "limit", 0, 0, 0, nil},
		{"offset=10&limit=3", "", 3, 10, 0, nil},
		{"offset=-2", "offset", 0, 0, 0, nil},
		{"after=42", "", 100, 0, 42, nil},
		{"after=x", "after", 0, 0, 0, nil},
		{"bbox=120.5,27.8,120.7,28.0", "", 100, 0, 0, &geo.BBox{MinX: 120.5, MinY: 27.8, MaxX: 120.7, MaxY: 28.0}},
		{"bbox=120.5,27.8,0,120.7,28.0,10", "", 100, 0, 0, &geo.BBox{MinX: 120.5, MinY: 27.8, MaxX: 120.7, MaxY: 28.0}},
		{"bbox=1,2,3", "bbox", 0, 0, 0, nil},
		{"bbox=1,2,3,x", "bbox", 0, 0, 0, nil},
		{"bbox=1,2,3,NaN", "bbox", 0, 0, 0, nil},
		{"bbox=27.8,120.5,28.0,120.7", "bbox", 0, 0, 0, nil}, // lat,lon order: latitude > 90
		{"bbox=121,28,120,27", "bbox", 0, 0, 0, nil},
		{"f=json", "", 100, 0, 0, nil},
		{"f=xml", "f", 0, 0, 0, nil},
		{"colour=red", "colour", 0, 0, 0, nil},
		{"xzqdm=330304", "", 100, 0, 0, nil},
		{"version=x", "version", 0, 0, 0, nil},
		{"geometry=x", "geometry", 0, 0, 0, nil},
		{"bbox=3098000,568000,3099000,569000&bbox-crs=EPSG:4549", "", 100, 0, 0, &geo.BBox{MinX: 568000, MinY: 3098000, MaxX: 569000, MaxY: 3099000}},
		{"bbox=568000,3098000,569000,3099000&bbox-crs=EPSG:4549", "bbox", 0, 0, 0, nil},
		{"bbox=27.8,120.5,28.0,120.7&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4490", "", 100, 0, 0, &geo.BBox{MinX: 120.5, MinY: 27.8, MaxX: 120.7, MaxY: 28.0}},
		{"bbox=120.5,27.8,120.7,28.0&bbox-crs=EPSG:4490", "bbox", 0, 0, 0, nil},
		{"bbox-crs=EPSG:4490", "bbox-crs", 0, 0, 0, nil},
		{"crs=EPSG:2385", "crs", 0, 0, 0, nil},
		{"filter=zddm%3D'x'", "", 100, 0, 0, nil},
		{"filter=zddm%3D", "filter", 0, 0, 0, nil},
		{"filter=zddm%3D'x'&filter-lang=cql2-json", "filter-lang", 0, 0, 0, nil},
		{"sortby=-area_m2,%2Bzddm", "", 100, 0, 0, nil},
		{"sortby=geometry", "sortby", 0, 0, 0, nil},
		{"sortby=nope", "sortby", 0, 0, 0, nil},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.query)
		q, p := parseItemsQuery(v, lim, parcels)
		if c.wantField != "" {
			if p == nil || p.Field != c.wantField || p.Status != 400 {
				t.Errorf("%q: want 400 problem on %s, got %+v", c.query, c.wantField, p)
			}
			continue
		}
		if p != nil {
			t.Errorf("%q: unexpected problem %+v", c.query, p)
			continue
		}
		if q.Limit != c.limit || q.Offset != c.offset || q.After != c.after {
			t.Errorf("%q: got limit=%d offset=%d after=%d", c.query, q.Limit, q.Offset, q.After)
		}
		if (q.BBox == nil) != (c.bbox == nil) || (q.BBox != nil && *q.BBox != *c.bbox) {
			t.Errorf("%q: bbox %+v, want %+v", c.query, q.BBox, c.bbox)
		}
	}
}

func TestParseDatetime(t *testing.T) {
	lim := Limits{Default: 10, Max: 100}
	for q, want := range map[string]string{
		"datetime=2023-06-30":                  "2023-06-30",
		"datetime=2023-06-30T20:00:00Z":        "2023-07-01", // 04:00 next day in Asia/Shanghai
		"datetime=2023-06-30T10:00:00%2B08:00": "2023-06-30",
	} {
		v, _ := url.ParseQuery(q)
		got, p := parseItemsQuery(v, lim, parcels)
		if p != nil || got.AsOf == nil || got.AsOf.Format("2006-01-02") != want {
			t.Errorf("%s: %v %v, want %s", q, got.AsOf, p, want)
		}
	}
	for q, want := range map[string][2]string{
		"datetime=2020-01-01/2021-01-01": {"2020-01-01", "2021-01-01"},
		"datetime=../2021-01-01":         {"", "2021-01-01"},
		"datetime=2020-01-01/":           {"2020-01-01", ""},
	} {
		v, _ := url.ParseQuery(q)
		got, p := parseItemsQuery(v, lim, parcels)
		show := func(d *time.Time) string {
			if d == nil {
				return ""
			}
			return d.Format("2006-01-02")
		}
		if p != nil || !got.Interval || show(got.From) != want[0] || show(got.To) != want[1] {
			t.Errorf("%s: %+v %v", q, got, p)
		}
	}
	for _, q := range []string{"datetime=yesterday", "datetime=2023-13-01", "datetime=../..", "datetime=2021-01-01/2020-01-01"} {
		v, _ := url.ParseQuery(q)
		if _, p := parseItemsQuery(v, lim, parcels); p == nil || p.Field != "datetime" {
			t.Errorf("%s: want a datetime problem, got %v", q, p)
		}
	}
}
