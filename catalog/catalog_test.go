package catalog

import (
	"testing"

	"github.com/landreg/landreg/cql2"
)

func TestCatalogue(t *testing.T) {
	for _, id := range []string{"districts", "block_lines", "parcels", "parcel_status"} {
		c, ok := ByID(id)
		if !ok || c.ID != id {
			t.Fatalf("no collection %s", id)
		}
		if g, ok := c.Queryable("geometry"); !ok || g.Column != "geom" || g.Type != cql2.Geometry {
			t.Errorf("%s: geometry queryable %+v", id, g)
		}
	}
	for _, l := range TileLayers() {
		if got, ok := TileLayerByID(l.ID); !ok || got != l || l.MinZoom > l.MaxZoom || len(l.Fields) == 0 {
			t.Errorf("tile layer %+v", l)
		}
	}
}

// TestIndexRefuses: names that would reach SQL unquoted, and sources that do not fit
// a collection, stop the program at start-up.
func TestIndexRefuses(t *testing.T) {
	good := func() *Collection {
		return &Collection{ID: "x", Versioned: true, Source: Source{Current: "collection_x", AllVersions: "collection_x_all"},
			Properties: []Property{p("name", "名称 name", Text), p("reasons", "理由 reasons", List)},
			Filterable: []string{"name", "geometry"}}
	}
	if _, err := index([]*Collection{good()}, []*TileLayer{{ID: "x", Collection: "x", Versioned: true}}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(c *Collection) []*TileLayer{
		"quoted source":        func(c *Collection) []*TileLayer { c.Source.Current = `x"; DROP TABLE parcels; --`; return nil },
		"versions unversioned": func(c *Collection) []*TileLayer { c.Versioned = false; return nil },
		"no versions":          func(c *Collection) []*TileLayer { c.Source.AllVersions = ""; return nil },
		"bad column":           func(c *Collection) []*TileLayer { c.Properties[0].Name = "Name"; return nil },
		"property twice": func(c *Collection) []*TileLayer {
			c.Properties = append(c.Properties, c.Properties[0])
			return nil
		},
		"queryable twice": func(c *Collection) []*TileLayer {
			c.Filterable = append(c.Filterable, c.Filterable[0])
			return nil
		},
		"unknown queryable":    func(c *Collection) []*TileLayer { c.Filterable = append(c.Filterable, "x"); return nil },
		"list queryable":       func(c *Collection) []*TileLayer { c.Filterable = append(c.Filterable, "reasons"); return nil },
		"unknown layer source": func(c *Collection) []*TileLayer { return []*TileLayer{{ID: "y", Collection: "y"}} },
		"versioned layer without versions": func(c *Collection) []*TileLayer {
			c.Source = Source{Current: "collection_x", AsOf: "collection_x_at"}
			return []*TileLayer{{ID: "x", Collection: "x", Versioned: true}}
		},
	}
	for name, breakIt := range cases {
		c := good()
		ls := breakIt(c)
		if _, err := index([]*Collection{c}, ls); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := index([]*Collection{good(), good()}, nil); err == nil {
		t.Error("a collection twice: accepted")
	}
}
