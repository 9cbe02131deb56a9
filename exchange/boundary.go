package exchange

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// A district's boundary (行政区界线) comes from the bureau's own file: a Shapefile (often
// a GBK .dbf, in a Gauss-Krüger zone), a GeoPackage or GeoJSON, read by GDAL exactly as
// an import is (one driver, Go-checked content and zips, no network: source.go), with
// the CRS from the file or the caller and the same plausibility checks.

// BoundaryOptions describe a boundary file.
type BoundaryOptions struct {
	// Path is the file: .geojson/.json, .gpkg, .shp, or a .zip holding one of them.
	Path string
	// Name is the file's name as the caller knows it (an upload's), for messages.
	Name  string
	Layer string
	// CRS overrides the file's CRS ("EPSG:4549").
	CRS string
	// Encoding of a shapefile's .dbf when it has no .cpg (e.g. GBK).
	Encoding string
	// Xzqdm picks the features whose district-code field (XZQDM, 行政区划代码 …) holds
	// it, when the file has such a field (a file of a city's districts).
	Xzqdm string
}

// Boundary is the boundary read from a file.
type Boundary struct {
	// Geom is the feature's polygon in the file's CRS, or, when several features make
	// the district (islands, towns), their union computed by PostGIS in EPSG:4490.
	Geom *geo.Polygonal
	// Name and Xzqdm are the feature's name and code fields, when the file has them.
	Name      string
	Xzqdm     string
	Layer     string
	SourceCRS string
	CRSFrom   string // file | override
	Features  int    // the features that make the boundary
}

// Field names recognised for a district's code and name (upper-cased).
var (
	boundaryCodeFields = []string{"XZQDM", "XZQHDM", "行政区划代码", "行政区代码", "行政代码", "CODE", "ADCODE", "PAC"}
	boundaryNameFields = []string{"XZQMC", "XZQHMC", "行政区名称", "行政区划名称", "名称", "NAME", "MC"}
)

// maxBoundaryFeatures bounds the features read from one boundary file.
const maxBoundaryFeatures = 10000

// ReadBoundary reads a district's boundary from a file. Problems with the file are a
// *FileError (unsafe, unreadable or not what its name says) or an *InputError (no
// usable layer or CRS, no feature of the district, features that are not polygons or
// not valid), each bilingual; db dissolves several features into one.
func ReadBoundary(ctx context.Context, db store.DB, opt BoundaryOptions) (*Boundary, error) {
	if !HaveGDAL() {
		return nil, ErrNoGDAL
	}
	if ext := strings.ToLower(filepath.Ext(opt.Path)); tableDrivers[ext] != "" {
		return nil, &InputError{"边界须从含几何的文件读取", "a boundary needs geometry: a .geojson, .gpkg, .shp or a .zip of one, not " + ext}
	}
	src, layer, openOpts, err := openLayer(ctx, opt.Path, opt.Name, opt.Encoding, opt.Layer)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src.work)
	crs, from, p, err := layerCRS(opt.CRS, layer)
	if err != nil {
		return nil, err
	}
	if p != nil {
		zh, en, _ := strings.Cut(p.Message, " / ")
		return nil, &InputError{"边界文件的坐标系无法使用：" + zh, "the boundary file's CRS cannot be used: " + en}
	}
	b := &Boundary{Layer: layer.Name, SourceCRS: fmt.Sprintf("EPSG:%d", crs.SRID), CRSFrom: from}
	if src.alias != "" {
		b.Layer = src.alias
	}
	codeField, nameField := pickField(layer.Fields, boundaryCodeFields), pickField(layer.Fields, boundaryNameFields)

	type part struct {
		geom       *geo.Polygonal
		code, name string
	}
	var parts []part
	codes := map[string]bool{}
	err = eachFeature(ctx, src, seqArgs(src, openOpts, layer.Name), func(n int, f *seqFeature) error {
		if n >= maxBoundaryFeatures {
			return &InputError{"边界文件要素过多", fmt.Sprintf("the boundary file has more than %d features", maxBoundaryFeatures)}
		}
		pt := part{code: text(f.Properties[codeField]), name: text(f.Properties[nameField])}
		if pt.code != "" {
			codes[pt.code] = true
		}
		if opt.Xzqdm != "" && codeField != "" && pt.code != opt.Xzqdm {
			return nil
		}
		g, err := geo.ParsePolygonal(f.Geometry, crs, false)
		if err != nil {
			var ie *geo.InputError
			if errors.As(err, &ie) {
				return &InputError{fmt.Sprintf("第 %d 个要素：%s", n, ie.ZH), fmt.Sprintf("feature %d: %s", n, ie.EN)}
			}
			return err
		}
		pt.geom = g
		parts = append(parts, pt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case len(parts) == 0 && opt.Xzqdm != "" && codeField != "":
		list := make([]string, 0, len(codes))
		for c := range codes {
			list = append(list, c)
		}
		sort.Strings(list)
		return nil, &InputError{"边界文件中没有行政区 " + opt.Xzqdm + " 的要素（" + codeField + " 字段）",
			fmt.Sprintf("the boundary file has no feature of district %s in its field %s (it has %s)", opt.Xzqdm, codeField, strings.Join(list, ", "))}
	case len(parts) == 0:
		return nil, &InputError{"边界文件没有要素", "the boundary file has no feature"}
	case opt.Xzqdm == "" && len(codes) > 1:
		list := make([]string, 0, len(codes))
		for c := range codes {
			list = append(list, c)
		}
		sort.Strings(list)
		return nil, &InputError{"边界文件含多个行政区（" + strings.Join(list, "、") + "），请指明行政区划代码 xzqdm",
			"the boundary file holds several districts (" + strings.Join(list, ", ") + "): name the district (xzqdm) to take"}
	}
	b.Features, b.Xzqdm, b.Name = len(parts), parts[0].code, parts[0].name
	if len(parts) == 1 {
		b.Geom = parts[0].geom
		return b, nil
	}
	// Several features make the district: PostGIS checks each and dissolves them.
	wkbs := make([][]byte, len(parts))
	for i, pt := range parts {
		wkbs[i] = pt.geom.WKB
	}
	var bad *int
	var reason *string
	err = db.QueryRow(ctx, `SELECT i - 1, ST_IsValidReason(g) FROM (
  SELECT i, ST_SetSRID(ST_GeomFromWKB(w), $2::int) AS g FROM unnest($1::bytea[]) WITH ORDINALITY AS u(w, i)) s
WHERE NOT ST_IsValid(g) ORDER BY i LIMIT 1`, wkbs, crs.SRID).Scan(&bad, &reason)
	if err == nil && bad != nil {
		return nil, &InputError{fmt.Sprintf("第 %d 个边界要素几何无效：%s", *bad, *reason), fmt.Sprintf("boundary feature %d is not valid: %s", *bad, *reason)}
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	var union []byte
	var typ string
	if err := db.QueryRow(ctx, `SELECT ST_AsBinary(u), GeometryType(u) FROM (
  SELECT ST_Multi(ST_Union(ST_Transform(ST_SetSRID(ST_GeomFromWKB(w), $2::int), 4490))) AS u FROM unnest($1::bytea[]) AS w) s`,
		wkbs, crs.SRID).Scan(&union, &typ); err != nil {
		return nil, err
	}
	if typ != "MULTIPOLYGON" {
		return nil, &InputError{"边界要素合并后不是面", "the boundary's features do not dissolve into polygons (got " + typ + ")"}
	}
	b.Geom = &geo.Polygonal{WKB: union, SRID: 4490}
	return b, nil
}

// pickField finds the first of names among a layer's fields (case-insensitive).
func pickField(fields, names []string) string {
	for _, n := range names {
		for _, f := range fields {
			if strings.EqualFold(strings.TrimSpace(f), n) {
				return f
			}
		}
	}
	return ""
}
