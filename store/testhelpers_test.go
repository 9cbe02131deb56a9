package store_test

import (
	"github.com/landreg/landreg/geo"
)

func polygonal(wkb []byte) *geo.Polygonal { return &geo.Polygonal{WKB: wkb, SRID: 4490} }
