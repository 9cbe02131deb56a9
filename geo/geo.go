// Package geo holds the geodetic facts landreg relies on: the CRSs it accepts (with
// the Gauss-Krüger zones) and plausibility bounds for coordinates. Area units are the
// domain's (package landreg).
package geo

// SRID of storage: CGCS2000 geographic.
const StorageSRID = 4490

// China is a loose lon/lat box around the country; geometries outside it are almost
// always in the wrong CRS or have swapped axes. The database applies the same bounds.
var China = BBox{MinX: 73, MinY: 3, MaxX: 135.5, MaxY: 54}

// Wenzhou is the sanity box for the demo city (domain.md §9.1).
var Wenzhou = BBox{MinX: 119.6, MinY: 27.0, MaxX: 121.3, MaxY: 28.6}

// BBox is an axis-aligned box in lon/lat (or any x/y) order.
type BBox struct{ MinX, MinY, MaxX, MaxY float64 }

// Contains reports whether the point lies inside or on the box.
func (b BBox) Contains(x, y float64) bool {
	return x >= b.MinX && x <= b.MaxX && y >= b.MinY && y <= b.MaxY
}

// Intersects reports whether two boxes share any point.
func (b BBox) Intersects(o BBox) bool {
	return b.MinX <= o.MaxX && o.MinX <= b.MaxX && b.MinY <= o.MaxY && o.MinY <= b.MaxY
}
