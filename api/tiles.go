package api

import (
	"github.com/landreg/landreg"

	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/store"
)

const mtMVT = "application/vnd.mapbox-vector-tile"

// cutLayersHeader names the layers of a tile cut at the bound on features per layer
// and tile (store.Tile).
const cutLayersHeader = "Landreg-Cut-Layers"

// tileLayersParam parses "parcels" or "block_lines,parcels".
func tileLayersParam(s string) ([]*store.TileLayer, *Problem) {
	var out []*store.TileLayer
	seen := map[string]bool{}
	for _, id := range strings.Split(s, ",") {
		l, ok := store.TileLayerByID(id)
		if !ok {
			p := notFound("没有瓦片图层 "+id, "unknown tile layer "+strconv.Quote(id))
			for _, tl := range catalog.TileLayers() {
				p.Allowed = append(p.Allowed, tl.ID)
			}
			return nil, p
		}
		if !seen[id] {
			out = append(out, l)
			seen[id] = true
		}
	}
	return out, nil
}

func (s *Server) tile(c echo.Context) error {
	layers, p := tileLayersParam(c.Param("layers"))
	if p != nil {
		return p
	}
	z, errZ := strconv.Atoi(c.Param("z"))
	x, errX := strconv.Atoi(c.Param("x"))
	y, errY := strconv.Atoi(strings.TrimSuffix(c.Param("y"), ".mvt"))
	if errZ != nil || errX != nil || errY != nil || z < 0 || z > 22 || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
		return badParam("z/x/y", "瓦片坐标无效", "tile coordinates out of range: z 0–22, 0 ≤ x, y < 2^z")
	}
	return s.serveTile(c, layers, z, x, y)
}

// serveTile renders the layers of tile z/x/y (as of datetime=, when given) with an
// ETag; 204 when nothing is there.
func (s *Server) serveTile(c echo.Context, layers []*store.TileLayer, z, x, y int) error {
	for k := range c.QueryParams() {
		if k != "datetime" {
			p := badParam(k, "未知参数 "+k, "unknown query parameter "+k)
			p.Allowed = []string{"datetime"}
			return p
		}
	}
	var asOf *time.Time
	statusDate := landreg.Today()
	if dt := c.QueryParam("datetime"); dt != "" {
		d, p := parseDate("datetime", dt)
		if p != nil {
			return p
		}
		asOf, statusDate = &d, d
	}
	// The request context cancels the query when the client pans away.
	tile, cut, err := store.Tile(c.Request().Context(), s.pool, layers, z, x, y, asOf, statusDate)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(tile)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Response().Header()
	if len(cut) > 0 {
		// The layers that held more features than a tile carries: the tile has the
		// first ones in the layer's order (the most serious status first), and says so.
		h.Set(cutLayersHeader, strings.Join(cut, ","))
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=60")
	if match := c.Request().Header.Get("If-None-Match"); match == etag {
		return c.NoContent(http.StatusNotModified)
	}
	if len(tile) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	// With a length the response goes out without chunk framing.
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(tile)))
	return c.Blob(http.StatusOK, mtMVT, tile)
}

// tileJSON describes a tile layer set for MapLibre and QGIS (TileJSON 3.0).
func (s *Server) tileJSON(c echo.Context) error {
	ids := strings.TrimSuffix(c.Param("layers"), ".json")
	layers, p := tileLayersParam(ids)
	if p != nil {
		return p
	}
	minZ, maxZ := 22, 0
	var vl []map[string]any
	var bounds []float64
	for _, l := range layers {
		minZ, maxZ = min(minZ, l.MinZoom), max(maxZ, l.MaxZoom)
		vl = append(vl, map[string]any{"id": l.ID, "fields": l.Fields, "minzoom": l.MinZoom, "maxzoom": l.MaxZoom})
		if coll, ok := store.CollectionByID(l.Collection); ok {
			ext, err := coll.Extent(c.Request().Context(), s.pool)
			if err != nil {
				return err
			}
			if b := ext.BBox; b != nil {
				if bounds == nil {
					bounds = []float64{b.MinX, b.MinY, b.MaxX, b.MaxY}
				}
				bounds = []float64{min(bounds[0], b.MinX), min(bounds[1], b.MinY), max(bounds[2], b.MaxX), max(bounds[3], b.MaxY)}
			}
		}
	}
	if bounds == nil {
		bounds = []float64{-180, -85.0511, 180, 85.0511}
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{
		"tilejson":      "3.0.0",
		"name":          ids,
		"tiles":         []string{s.base(c) + "/tiles/" + ids + "/{z}/{x}/{y}.mvt"},
		"minzoom":       minZ,
		"maxzoom":       maxZ,
		"bounds":        bounds,
		"vector_layers": vl,
	})
}

// cutLayersHeaders documents cutLayersHeader on the tile operations.
var cutLayersHeaders = obj{cutLayersHeader: obj{"schema": obj{"type": "string"},
	"description": "瓦片中要素超过每层上限而被截断的图层（逗号分隔）；截断时保留该层顺序中的前若干要素（宗地点：最严重状态优先）/ " +
		"the layers of this tile that held more features than a tile carries per layer (comma-separated); such a layer holds the first ones " +
		"in its order (parcel points: the most serious status first). Absent when the tile is whole."}}
