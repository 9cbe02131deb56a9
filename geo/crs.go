package geo

import (
	"strconv"
	"strings"
)

// CRS is a coordinate reference system landreg accepts and serves.
type CRS struct {
	SRID int
	// URI is the OGC identifier used in crs=, bbox-crs= and Content-Crs.
	URI  string
	Name string
	// LatFirst: the authority's axis order puts latitude/northing first (EPSG:4490,
	// 4326, 4549, 4528). OGC API Part 2 responses in such a CRS swap the axes;
	// GeoJSON and PostGIS always keep easting/longitude first.
	LatFirst bool
	// Plausible holds where data of this project may lie, in easting/longitude-first
	// order; anything outside is the wrong CRS or swapped axes.
	Plausible BBox
}

// CRS84URI is the default CRS of OGC API – Features and of GeoJSON.
const CRS84URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

func epsgURI(code int) string { return "http://www.opengis.net/def/crs/EPSG/0/" + strconv.Itoa(code) }

// CRSs are the supported systems. CGCS2000 and WGS 84 differ by well under a metre, so
// lon/lat inputs in either are stored as EPSG:4490 without a datum shift (PROJ treats
// the transformation as a ballpark no-op too).
var CRSs = []CRS{
	{SRID: 4490, URI: CRS84URI, Name: "CRS84 (lon/lat)", Plausible: China},
	{SRID: 4490, URI: epsgURI(4490), Name: "CGCS2000", LatFirst: true, Plausible: China},
	{SRID: 4326, URI: epsgURI(4326), Name: "WGS 84", LatFirst: true, Plausible: China},
	{SRID: 3857, URI: epsgURI(3857), Name: "WGS 84 / Pseudo-Mercator",
		Plausible: BBox{MinX: 8.1e6, MinY: 0.3e6, MaxX: 15.1e6, MaxY: 7.2e6}},
	// 3-degree Gauss-Krüger, CM 120°E: valid about 118.5–121.5°E.
	{SRID: 4549, URI: epsgURI(4549), Name: "CGCS2000 / 3-degree Gauss-Kruger CM 120E", LatFirst: true,
		Plausible: BBox{MinX: 330_000, MinY: 2_000_000, MaxX: 670_000, MaxY: 6_000_000}},
	// Zone 40: the same with the zone number prefixed to the easting.
	{SRID: 4528, URI: epsgURI(4528), Name: "CGCS2000 / 3-degree Gauss-Kruger zone 40", LatFirst: true,
		Plausible: BBox{MinX: 40_330_000, MinY: 2_000_000, MaxX: 40_670_000, MaxY: 6_000_000}},
}

// LookupCRS accepts an OGC URI, a URN, "EPSG:n", a bare EPSG code or "CRS84".
func LookupCRS(s string) (CRS, bool) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "<>"))
	u := strings.ToUpper(s)
	switch u {
	case "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", strings.ToUpper(CRS84URI), "HTTPS://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84":
		return CRSs[0], true
	}
	code := ""
	for _, prefix := range []string{"HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/", "HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/", "URN:OGC:DEF:CRS:EPSG::", "URN:OGC:DEF:CRS:EPSG:0:", "EPSG:", ""} {
		if strings.HasPrefix(u, prefix) {
			code = u[len(prefix):]
			break
		}
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return CRS{}, false
	}
	for _, c := range CRSs[1:] {
		if c.SRID == n {
			return c, true
		}
	}
	return CRS{}, false
}

// SupportedCRSURIs lists the URIs for error messages and collection metadata.
func SupportedCRSURIs() []string {
	out := make([]string, len(CRSs))
	for i, c := range CRSs {
		out[i] = c.URI
	}
	return out
}

// Placement says whether easting/longitude-first coordinates fit the CRS.
type Placement int

const (
	Plausible Placement = iota
	Swapped             // the coordinates fit with x and y exchanged
	Outside             // neither way round: wrong CRS
)

// Check classifies a box of input coordinates (x first) against the CRS.
func (c CRS) Check(b BBox) Placement {
	p := c.Plausible
	if p.Contains(b.MinX, b.MinY) && p.Contains(b.MaxX, b.MaxY) {
		return Plausible
	}
	if p.Contains(b.MinY, b.MinX) && p.Contains(b.MaxY, b.MaxX) {
		return Swapped
	}
	return Outside
}
