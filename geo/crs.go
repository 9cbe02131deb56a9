package geo

import (
	"fmt"
	"math"
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
	// 4326 and the Gauss-Krüger zones). OGC API Part 2 responses in such a CRS swap the axes;
	// GeoJSON and PostGIS always keep easting/longitude first.
	LatFirst bool
	// Plausible holds where data of this project may lie, in easting/longitude-first
	// order; anything outside is the wrong CRS or swapped axes.
	Plausible BBox
	// Zone is the Gauss-Krüger zone number a zoned CRS prefixes to its eastings.
	Zone int
}

// CRS84URI is the default CRS of OGC API – Features and of GeoJSON.
const CRS84URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

func epsgURI(code int) string { return "http://www.opengis.net/def/crs/EPSG/0/" + strconv.Itoa(code) }

// CRSs are the supported systems. CGCS2000 and WGS 84 differ by well under a metre, so
// lon/lat inputs in either are stored as EPSG:4490 without a datum shift (PROJ treats
// the transformation as a ballpark no-op too). Then the CGCS2000 3-degree Gauss-Krüger
// zones that cover Zhejiang, each with and without the zone number on the easting.
var CRSs = append([]CRS{
	{SRID: 4490, URI: CRS84URI, Name: "CRS84 (lon/lat)", Plausible: China},
	{SRID: 4490, URI: epsgURI(4490), Name: "CGCS2000", LatFirst: true, Plausible: China},
	{SRID: 4326, URI: epsgURI(4326), Name: "WGS 84", LatFirst: true, Plausible: China},
	{SRID: 3857, URI: epsgURI(3857), Name: "WGS 84 / Pseudo-Mercator",
		Plausible: BBox{MinX: 8.1e6, MinY: 0.3e6, MaxX: 15.1e6, MaxY: 7.2e6}},
}, gaussKrugerCRSs(40, 39, 41)...)

// The CGCS2000 3-degree Gauss-Krüger zones in EPSG: zone z (central meridian 3z °E, for
// z from 25 to 45) is EPSG:4509+z without the zone number on the easting and 4488+z with
// it (zone 40, CM 120°E: 4549 and 4528).
const (
	gkFirstZone, gkLastZone = 25, 45
	gkCMBase, gkZonedBase   = 4509, 4488
)

// GaussKrugerZone is the 3-degree zone whose central meridian is nearest to lon.
func GaussKrugerZone(lon float64) int {
	z := int(math.Round(lon / 3))
	return min(max(z, gkFirstZone), gkLastZone)
}

// GaussKrugerSRID is the EPSG code of 3-degree zone z, central-meridian form (no zone
// number on the easting): the plane in which registered (legal) areas are measured.
func GaussKrugerSRID(z int) int { return gkCMBase + z }

func gaussKrugerCRSs(zones ...int) []CRS {
	var out []CRS
	for _, z := range zones {
		cm := 3 * z
		// ±1.5° of longitude is at most ~170 km of easting at China's latitudes.
		out = append(out,
			CRS{SRID: gkCMBase + z, URI: epsgURI(gkCMBase + z), LatFirst: true,
				Name:      fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger CM %dE", cm),
				Plausible: BBox{MinX: 330_000, MinY: 2_000_000, MaxX: 670_000, MaxY: 6_000_000}},
			CRS{SRID: gkZonedBase + z, URI: epsgURI(gkZonedBase + z), LatFirst: true, Zone: z,
				Name:      fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger zone %d", z),
				Plausible: BBox{MinX: float64(z)*1e6 + 330_000, MinY: 2_000_000, MaxX: float64(z)*1e6 + 670_000, MaxY: 6_000_000}})
	}
	return out
}

// GaussKruger reports whether c is a 3-degree Gauss-Krüger zone, and which.
func (c CRS) GaussKruger() (zone int, ok bool) {
	switch {
	case c.SRID >= gkCMBase+gkFirstZone && c.SRID <= gkCMBase+gkLastZone:
		return c.SRID - gkCMBase, true
	case c.SRID >= gkZonedBase+gkFirstZone && c.SRID <= gkZonedBase+gkLastZone:
		return c.SRID - gkZonedBase, true
	}
	return 0, false
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
