package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// OGC API – Tiles: the same MVT bytes as /tiles, found by the standard's routes
// (/tileMatrixSets, /collections/{id}/tiles, /tiles/{tileMatrixSetId}) so clients that
// discover tiles by standard (GDAL's OGCAPI driver, QGIS) find them. One tile matrix
// set, WebMercatorQuad: the tiles are rendered in Web Mercator by ST_AsMVT, and a
// CGCS2000 geographic set would need a second rendering path no client here asks for.

const (
	webMercatorQuad    = "WebMercatorQuad"
	webMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	epsg3857URI        = "http://www.opengis.net/def/crs/EPSG/0/3857"
	relTilingScheme    = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relTilesetsVector  = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relGeodata         = "http://www.opengis.net/def/rel/ogc/1.0/geodata"
	// Half the side of the Web Mercator square, metres.
	mercatorHalf = 20037508.3427892
	maxTileZoom  = 22
)

var tilesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
}

// webMercatorQuadDoc is the tile matrix set (OGC 17-083r4, JSON encoding): 256-pixel
// tiles, 2^z by 2^z at zoom z, origin at the top left; scale denominators for
// 0.28 mm pixels.
func webMercatorQuadDoc(base string) map[string]any {
	matrices := make([]map[string]any, 0, maxTileZoom+1)
	for z := 0; z <= maxTileZoom; z++ {
		n := 1 << z
		cell := 2 * mercatorHalf / 256 / float64(n)
		matrices = append(matrices, map[string]any{
			"id": strconv.Itoa(z), "scaleDenominator": cell / 0.00028, "cellSize": cell,
			"cornerOfOrigin": "topLeft", "pointOfOrigin": []float64{-mercatorHalf, mercatorHalf},
			"tileWidth": 256, "tileHeight": 256, "matrixWidth": n, "matrixHeight": n,
			// TMS 1.0 names of the same values, for GDAL 3.6 (Debian 12).
			"identifier": strconv.Itoa(z), "topLeftCorner": []float64{-mercatorHalf, mercatorHalf},
		})
	}
	return map[string]any{
		"id": webMercatorQuad, "title": "Google Maps Compatible for the World", "uri": webMercatorQuadURI,
		"crs": epsg3857URI, "orderedAxes": []string{"X", "Y"}, "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		// The document is TMS 2.0; GDAL 3.6's OGCAPI driver reads the TMS 1.0 names of
		// the same values (identifier, supportedCRS, boundingBox corners), which it also
		// needs to recognise the document at all. They are extra members for TMS 2.0
		// readers.
		"identifier": webMercatorQuad, "supportedCRS": epsg3857URI,
		"boundingBox": map[string]any{"crs": epsg3857URI,
			"lowerLeft": []float64{-mercatorHalf, -mercatorHalf}, "upperRight": []float64{mercatorHalf, mercatorHalf},
			"lowerCorner": []float64{-mercatorHalf, -mercatorHalf}, "upperCorner": []float64{mercatorHalf, mercatorHalf}},
		"tileMatrices": matrices,
		"links":        []Link{{Href: base + "/tileMatrixSets/" + webMercatorQuad, Rel: "self", Type: mtJSON}},
	}
}

func (s *Server) tileMatrixSets(c echo.Context) error {
	b := s.base(c)
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"tileMatrixSets": []map[string]any{{
		"id": webMercatorQuad, "title": "Google Maps Compatible for the World", "uri": webMercatorQuadURI, "crs": epsg3857URI,
		// Tiles Part 1 asks for a self link to the definition; GDAL and QGIS look for the
		// tiling-scheme relation.
		"links": []Link{
			{Href: b + "/tileMatrixSets/" + webMercatorQuad, Rel: "self", Type: mtJSON},
			{Href: b + "/tileMatrixSets/" + webMercatorQuad, Rel: relTilingScheme, Type: mtJSON},
		},
	}}})
}

func (s *Server) tileMatrixSet(c echo.Context) error {
	if c.Param("tileMatrixSetId") != webMercatorQuad {
		return unknownTileMatrixSet(c.Param("tileMatrixSetId"))
	}
	return writeJSON(c, http.StatusOK, mtJSON, webMercatorQuadDoc(s.base(c)))
}

func unknownTileMatrixSet(id string) *Problem {
	p := notFound("没有瓦片矩阵集 "+id, "unknown tile matrix set "+strconv.Quote(id))
	p.Allowed = []string{webMercatorQuad}
	return p
}

// tileset is what a tile set serves: the layers, and the collection they read (empty
// for the dataset's tiles, which hold every layer).
type tileset struct {
	collection *store.Collection
	layers     []*store.TileLayer
}

// path is the tile set's URL path below the base.
func (ts tileset) path() string {
	if ts.collection == nil {
		return "/tiles/" + webMercatorQuad
	}
	return "/collections/" + ts.collection.ID + "/tiles/" + webMercatorQuad
}

func (ts tileset) title() string {
	if ts.collection == nil {
		return "landreg 全部图层 all layers"
	}
	return ts.collection.Title
}

func (ts tileset) zooms() (int, int) {
	lo, hi := maxTileZoom, 0
	for _, l := range ts.layers {
		lo, hi = min(lo, l.MinZoom), max(hi, l.MaxZoom)
	}
	return lo, hi
}

// collectionTileset finds the tile set of /collections/{collectionId}/tiles/…; a
// collection without tile layers has none.
func (s *Server) collectionTileset(c echo.Context) (tileset, error) {
	coll, err := s.lookup(c)
	if err != nil {
		return tileset{}, err
	}
	ts := tileset{collection: coll}
	for _, l := range catalog.TileLayersOf(coll.ID) {
		sl, _ := store.TileLayerByID(l.ID)
		ts.layers = append(ts.layers, sl)
	}
	if len(ts.layers) == 0 {
		p := notFound(coll.ID+" 没有矢量瓦片", coll.ID+" has no vector tiles")
		for _, cc := range store.Collections() {
			if len(catalog.TileLayersOf(cc.ID)) > 0 {
				p.Allowed = append(p.Allowed, cc.ID)
			}
		}
		return ts, p
	}
	return ts, nil
}

func datasetTileset() tileset { return tileset{layers: store.TileLayers()} }

// tilesetsList answers /collections/{id}/tiles and /tiles: the one tile set.
func (s *Server) tilesetsList(c echo.Context, ts tileset) error {
	b := s.base(c) + ts.path()
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{"tilesets": []map[string]any{{
		"title": ts.title(), "dataType": "vector", "crs": epsg3857URI, "tileMatrixSetURI": webMercatorQuadURI,
		"links": []Link{
			{Href: b, Rel: "self", Type: mtJSON, Title: ts.title()},
			{Href: s.base(c) + "/tileMatrixSets/" + webMercatorQuad, Rel: relTilingScheme, Type: mtJSON},
		},
	}}})
}

func (s *Server) collectionTilesets(c echo.Context) error {
	ts, err := s.collectionTileset(c)
	if err != nil {
		return err
	}
	return s.tilesetsList(c, ts)
}

func (s *Server) datasetTilesets(c echo.Context) error { return s.tilesetsList(c, datasetTileset()) }

// tilesetDoc is a tile set's metadata: the tile URL template, its layers with their
// fields and zooms, its extent, and per zoom the range of tiles that can hold data.
func (s *Server) tilesetDoc(c echo.Context, ts tileset) error {
	if ts.collection != nil && c.Param("tileMatrixSetId") != webMercatorQuad {
		return unknownTileMatrixSet(c.Param("tileMatrixSetId"))
	}
	b := s.base(c)
	var bbox *geo.BBox
	var layers []map[string]any
	for _, l := range ts.layers {
		props := map[string]any{}
		for name, typ := range l.Fields {
			props[name] = map[string]any{"type": map[string]string{"String": "string", "Number": "number", "Boolean": "boolean"}[typ]}
		}
		geomDim := 2
		if l.Labels {
			geomDim = 0
		}
		layers = append(layers, map[string]any{
			"id": l.ID, "dataType": "vector", "geometryDimension": geomDim,
			"minTileMatrix": strconv.Itoa(l.MinZoom), "maxTileMatrix": strconv.Itoa(l.MaxZoom),
			"propertiesSchema": map[string]any{"type": "object", "properties": props},
			"links":            []Link{{Href: b + "/collections/" + l.Collection, Rel: "collection", Type: mtJSON}},
		})
		coll, _ := store.CollectionByID(l.Collection)
		ext, err := coll.Extent(c.Request().Context(), s.pool)
		if err != nil {
			return err
		}
		if e := ext.BBox; e != nil {
			if bbox == nil {
				bbox = &geo.BBox{MinX: e.MinX, MinY: e.MinY, MaxX: e.MaxX, MaxY: e.MaxY}
			}
			bbox.MinX, bbox.MinY = math.Min(bbox.MinX, e.MinX), math.Min(bbox.MinY, e.MinY)
			bbox.MaxX, bbox.MaxY = math.Max(bbox.MaxX, e.MaxX), math.Max(bbox.MaxY, e.MaxY)
		}
	}
	doc := map[string]any{
		"title": ts.title(), "dataType": "vector", "crs": epsg3857URI, "tileMatrixSetURI": webMercatorQuadURI,
		"layers": layers,
		"links": []Link{
			{Href: b + ts.path(), Rel: "self", Type: mtJSON},
			{Href: b + "/tileMatrixSets/" + webMercatorQuad, Rel: relTilingScheme, Type: mtJSON},
			{Href: b + ts.path() + "/{tileMatrix}/{tileRow}/{tileCol}", Rel: "item", Type: mtMVT, Title: "MVT", Templated: true},
		},
	}
	if ts.collection != nil {
		coll := b + "/collections/" + ts.collection.ID
		doc["links"] = append(doc["links"].([]Link), Link{Href: coll, Rel: "collection", Type: mtJSON},
			// Tiles Part 1's relation for the one collection a tile set represents.
			Link{Href: coll, Rel: relGeodata, Type: mtJSON})
	}
	if bbox != nil {
		doc["boundingBox"] = map[string]any{"lowerLeft": []float64{bbox.MinX, bbox.MinY}, "upperRight": []float64{bbox.MaxX, bbox.MaxY}, "crs": crs84}
		lo, hi := ts.zooms()
		var limits []map[string]any
		for z := lo; z <= hi; z++ {
			x0, y0 := lonLatTile(bbox.MinX, bbox.MaxY, z)
			x1, y1 := lonLatTile(bbox.MaxX, bbox.MinY, z)
			limits = append(limits, map[string]any{"tileMatrix": strconv.Itoa(z),
				"minTileRow": y0, "maxTileRow": y1, "minTileCol": x0, "maxTileCol": x1})
		}
		doc["tileMatrixSetLimits"] = limits
	}
	return writeJSON(c, http.StatusOK, mtJSON, doc)
}

// lonLatTile is the WebMercatorQuad tile at zoom z holding a lon/lat point.
func lonLatTile(lon, lat float64, z int) (col, row int) {
	n := float64(int(1) << z)
	col = int(math.Floor((lon + 180) / 360 * n))
	r := lat * math.Pi / 180
	row = int(math.Floor((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n))
	clamp := func(v int) int { return min(max(v, 0), int(n)-1) }
	return clamp(col), clamp(row)
}

func (s *Server) collectionTilesetDoc(c echo.Context) error {
	ts, err := s.collectionTileset(c)
	if err != nil {
		return err
	}
	return s.tilesetDoc(c, ts)
}

func (s *Server) datasetTilesetDoc(c echo.Context) error { return s.tilesetDoc(c, datasetTileset()) }

// ogcTile serves /…/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol} as /tiles
// does (row is y, column is x).
func (s *Server) ogcTile(c echo.Context, ts tileset) error {
	if ts.collection != nil && c.Param("tileMatrixSetId") != webMercatorQuad {
		return unknownTileMatrixSet(c.Param("tileMatrixSetId"))
	}
	z, errZ := strconv.Atoi(c.Param("tileMatrix"))
	row, errR := strconv.Atoi(c.Param("tileRow"))
	col, errC := strconv.Atoi(c.Param("tileCol"))
	if errZ != nil || errR != nil || errC != nil || z < 0 || z > maxTileZoom || row < 0 || col < 0 || row >= 1<<z || col >= 1<<z {
		// Outside the tile matrix set: no such tile (Tiles /req/core/tc-op).
		return notFound("瓦片不存在", "no tile "+c.Param("tileMatrix")+"/"+c.Param("tileRow")+"/"+c.Param("tileCol")+
			" in WebMercatorQuad: tileMatrix 0–22, 0 ≤ tileRow, tileCol < 2^tileMatrix")
	}
	return s.serveTile(c, ts.layers, z, col, row)
}

func (s *Server) collectionTile(c echo.Context) error {
	ts, err := s.collectionTileset(c)
	if err != nil {
		return err
	}
	return s.ogcTile(c, ts)
}

func (s *Server) datasetTile(c echo.Context) error { return s.ogcTile(c, datasetTileset()) }
