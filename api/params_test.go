package api

import (
	"net/url"
	"testing"

	"github.com/landreg/landreg/geo"
)

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
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.query)
		q, p := parseItemsQuery(v, lim)
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
		got, p := parseItemsQuery(v, lim)
		if p != nil || got.AsOf == nil || got.AsOf.Format("2006-01-02") != want {
			t.Errorf("%s: %v %v, want %s", q, got.AsOf, p, want)
		}
	}
	for _, q := range []string{"datetime=yesterday", "datetime=2023-13-01", "datetime=2020-01-01/2021-01-01"} {
		v, _ := url.ParseQuery(q)
		if _, p := parseItemsQuery(v, lim); p == nil || p.Field != "datetime" {
			t.Errorf("%s: want a datetime problem, got %v", q, p)
		}
	}
}
