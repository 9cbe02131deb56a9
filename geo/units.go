// Package geo holds the geodetic facts landreg relies on: area units, the CRSs it
// accepts, and plausibility bounds for coordinates.
package geo

// Area units. 1 亩 (mu) is exactly 10000/15 m² (市制), so m² → 亩 is × 3/2000; rounded
// constants such as 666.67 are already 5 ppm off, hence the exact ratio.
const (
	M2PerMu = 10000.0 / 15.0
	M2PerHa = 10000.0
)

// Mu converts square metres to 亩.
func Mu(m2 float64) float64 { return m2 * 3 / 2000 }

// Ha converts square metres to 公顷.
func Ha(m2 float64) float64 { return m2 / M2PerHa }

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
