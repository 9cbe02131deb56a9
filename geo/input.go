package geo

import (
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
)

// MaxVertices bounds one input geometry; block lines and parcels have hundreds.
const MaxVertices = 100_000

// InputError explains why an input geometry was refused, in Chinese and English.
type InputError struct{ ZH, EN string }

func (e *InputError) Error() string { return e.ZH + " / " + e.EN }

// Polygonal is a validated polygon input, ready for PostGIS as WKB in its CRS.
type Polygonal struct {
	WKB  []byte
	SRID int
	BBox BBox
}

// ParsePolygonal reads a GeoJSON Polygon or MultiPolygon given in crs and checks what
// Go can check cheaply: type, ring closure, vertex count, plausible location and axis
// order. Coordinates are easting/longitude first, as GeoJSON and GIS files write them,
// unless authorityAxes is set (OGC API – Features Part 2/4 with a Content-Crs), when
// they follow the CRS's own order (lat/lon for EPSG:4490); they are returned
// easting/longitude first either way. Validity (self-intersection etc.) is PostGIS's call.
func ParsePolygonal(raw json.RawMessage, crs CRS, authorityAxes bool) (*Polygonal, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, &InputError{"缺少几何", "geometry is missing"}
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, &InputError{"几何不是有效的 GeoJSON", "geometry is not valid GeoJSON: " + err.Error()}
	}
	return polygonal(g.Geometry(), g.Type, crs, authorityAxes)
}

// ParsePolygonalEWKB is ParsePolygonal for a geometry as (E)WKB, as GDAL writes it for
// PostgreSQL: the same checks and messages. A SRID in the EWKB is ignored (the file's
// CRS is crs); nil is a missing geometry.
func ParsePolygonalEWKB(b []byte, crs CRS) (*Polygonal, error) {
	if b == nil {
		return nil, &InputError{"缺少几何", "geometry is missing"}
	}
	g, _, err := ewkb.Unmarshal(b)
	if err == nil && g == nil {
		return nil, &InputError{"缺少几何", "geometry is missing"}
	}
	if err != nil {
		return nil, &InputError{"几何不是有效的 WKB", "geometry is not valid WKB: " + err.Error()}
	}
	return polygonal(g, g.GeoJSONType(), crs, false)
}

func polygonal(g orb.Geometry, typ string, crs CRS, authorityAxes bool) (*Polygonal, error) {
	var mp orb.MultiPolygon
	switch t := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{t}
	case orb.MultiPolygon:
		mp = t
	default:
		return nil, &InputError{"几何须为面（Polygon 或 MultiPolygon）", fmt.Sprintf("geometry must be a Polygon or MultiPolygon, got %s", typ)}
	}
	if len(mp) == 0 {
		return nil, &InputError{"几何为空", "geometry is empty"}
	}
	if authorityAxes && crs.LatFirst {
		for _, poly := range mp {
			for _, ring := range poly {
				for i, p := range ring {
					ring[i] = orb.Point{p[1], p[0]}
				}
			}
		}
	}
	n := 0
	for i, poly := range mp {
		if len(poly) == 0 {
			return nil, &InputError{"面没有边界环", fmt.Sprintf("polygon %d has no rings", i)}
		}
		for j, ring := range poly {
			n += len(ring)
			if len(ring) < 4 {
				return nil, &InputError{"环至少需要 4 个点", fmt.Sprintf("polygon %d ring %d has %d positions; a ring needs at least 4", i, j, len(ring))}
			}
			if ring[0] != ring[len(ring)-1] {
				return nil, &InputError{"环未闭合", fmt.Sprintf("polygon %d ring %d is not closed (first and last positions differ)", i, j)}
			}
		}
	}
	if n > MaxVertices {
		return nil, &InputError{"顶点过多", fmt.Sprintf("geometry has %d vertices; at most %d are accepted", n, MaxVertices)}
	}
	b := mp.Bound()
	box := BBox{MinX: b.Min[0], MinY: b.Min[1], MaxX: b.Max[0], MaxY: b.Max[1]}
	switch crs.Check(box) {
	case Swapped:
		return nil, &InputError{"坐标轴顺序颠倒（应为 经度,纬度 或 东坐标,北坐标）",
			fmt.Sprintf("axis order looks swapped for %s: give easting/longitude first, as GeoJSON requires", crs.Name)}
	case Outside:
		return nil, &InputError{"坐标不在所给坐标系的范围内，坐标系可能有误",
			fmt.Sprintf("coordinates %v..%v are not plausible in %s: wrong CRS?", b.Min, b.Max, crs.Name)}
	}
	w, err := wkb.Marshal(mp)
	if err != nil {
		return nil, err
	}
	return &Polygonal{WKB: w, SRID: crs.SRID, BBox: box}, nil
}
