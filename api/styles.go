package api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/store"
)

// Styles (OGC API – Styles, the read part): one default style per collection, in the
// encodings the bureau's clients read: a MapLibre style over landreg's vector tiles
// for web maps, QML for QGIS and SLD 1.0 for other desktop GIS. The status colours and
// labels are the vocabulary's (landreg_sys.idle_categories, /v1/vocabulary), the same
// the map reads, so every client shows a category in one colour.

const (
	mtMapboxStyle = "application/vnd.mapbox.style+json"
	mtSLD10       = "application/vnd.ogc.sld+xml;version=1.0"
	mtQML         = "application/vnd.qgis.qml+xml"
	relStyles     = "http://www.opengis.net/def/rel/ogc/1.0/styles"
)

// stylesConformance: styles are read here (no style management), in two encodings the
// standard names.
var stylesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-styles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-styles-1/1.0/conf/mapbox-styles",
	"http://www.opengis.net/spec/ogcapi-styles-1/1.0/conf/sld-10",
}

// styleFormats are the f values of a style and their media types.
var styleFormats = []struct{ f, mt, title string }{
	{"mapbox", mtMapboxStyle, "MapLibre / Mapbox GL style"},
	{"qml", mtQML, "QGIS QML"},
	{"sld10", mtSLD10, "OGC SLD 1.0"},
}

// styleClass is one class of a style: the features whose attribute equals value (all
// features when attr is empty), drawn with a fill (empty: none) and an outline.
type styleClass struct {
	value, label       string
	fill, stroke       string
	fillOpacity, width float64 // width in pixels
	dashed             bool
}

// collectionStyle is the default style of a collection: its classes by one attribute.
type collectionStyle struct {
	title   string
	attr    string
	classes []styleClass
}

// hasStyle reports whether styleOf has a style for the collection.
func hasStyle(id string) bool {
	switch id {
	case "districts", "block_lines", "parcels", "parcel_status", "remediation_projects":
		return true
	}
	return false
}

// styleOf builds a collection's default style; false when the collection has none.
func (s *Server) styleOf(c echo.Context, id string) (collectionStyle, bool, error) {
	switch id {
	case "districts":
		return collectionStyle{title: "行政区界 district boundaries", classes: []styleClass{
			{label: "行政区 district", stroke: "#4a5568", width: 1.6, dashed: true}}}, true, nil
	case "block_lines":
		return collectionStyle{title: "工业区块线 block lines by level", attr: "level", classes: []styleClass{
			{value: "1", label: "一级区块线 level 1", fill: "#d7191c", fillOpacity: 0.13, stroke: "#d7191c", width: 2},
			{value: "2", label: "二级区块线 level 2", fill: "#f58220", fillOpacity: 0.16, stroke: "#f58220", width: 1.5}}}, true, nil
	case "parcels", "parcel_status":
		v, err := store.GetVocabulary(c.Request().Context(), s.pool)
		if err != nil {
			return collectionStyle{}, false, err
		}
		st := collectionStyle{title: "宗地闲置状态 parcels by idle status", attr: "status"}
		for _, k := range v.IdleCategories {
			st.classes = append(st.classes, styleClass{value: k.Code, label: k.Zh + " " + k.En, fill: k.Colour,
				fillOpacity: 0.85, stroke: "#ffffff", width: 0.5})
		}
		return st, true, nil
	case "remediation_projects":
		// By status, in the colours of the vocabulary (landreg_sys.remediation_statuses),
		// dashed outlines over a light fill, so the parcels' status shows through.
		v, err := store.GetVocabulary(c.Request().Context(), s.pool)
		if err != nil {
			return collectionStyle{}, false, err
		}
		st := collectionStyle{title: "低效用地整治项目 remediation projects by status", attr: "status"}
		for _, k := range v.RemediationStatuses {
			st.classes = append(st.classes, styleClass{value: k.Code, label: k.Code + " " + k.En, fill: k.Colour,
				fillOpacity: 0.25, stroke: k.Colour, width: 2.5, dashed: true})
		}
		return st, true, nil
	}
	return collectionStyle{}, false, nil
}

func (s *Server) styleCollection(c echo.Context) (*store.Collection, collectionStyle, error) {
	coll, err := s.lookup(c)
	if err != nil {
		return nil, collectionStyle{}, err
	}
	st, ok, err := s.styleOf(c, coll.ID)
	if err != nil {
		return nil, st, err
	}
	if !ok {
		return nil, st, notFound(coll.ID+" 没有样式", coll.ID+" has no style")
	}
	return coll, st, nil
}

// styleLinks are the links to each encoding of a collection's default style.
func (s *Server) styleLinks(c echo.Context, coll *store.Collection) []Link {
	b := s.base(c) + "/collections/" + coll.ID + "/styles/default"
	var out []Link
	for _, f := range styleFormats {
		out = append(out, Link{Href: b + "?f=" + f.f, Rel: "stylesheet", Type: f.mt, Title: f.title})
	}
	return out
}

func (s *Server) styles(c echo.Context) error {
	coll, st, err := s.styleCollection(c)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, mtJSON, map[string]any{
		"default": "default",
		"styles":  []map[string]any{{"id": "default", "title": st.title, "links": s.styleLinks(c, coll)}},
		"links":   []Link{{Href: s.base(c) + "/collections/" + coll.ID + "/styles", Rel: "self", Type: mtJSON}},
	})
}

func (s *Server) style(c echo.Context) error {
	coll, st, err := s.styleCollection(c)
	if err != nil {
		return err
	}
	if c.Param("styleId") != "default" {
		p := notFound("没有样式 "+c.Param("styleId"), "no style "+strconv.Quote(c.Param("styleId"))+" for "+coll.ID)
		p.Allowed = []string{"default"}
		return p
	}
	switch f := c.QueryParam("f"); f {
	case "", "mapbox":
		return writeJSON(c, http.StatusOK, mtMapboxStyle, s.mapboxStyle(c, coll, st))
	case "qml":
		return c.Blob(http.StatusOK, mtQML, qmlStyle(st))
	case "sld10":
		return c.Blob(http.StatusOK, mtSLD10, sldStyle(coll.ID, st))
	default:
		p := badParam("f", "不支持的样式格式 "+f, "unsupported style format "+strconv.Quote(f))
		for _, sf := range styleFormats {
			p.Allowed = append(p.Allowed, sf.f)
		}
		return p
	}
}

// mapboxStyle draws the collection's tile layer (parcel_status has none of its own: its
// status travels on the parcels layer).
func (s *Server) mapboxStyle(c echo.Context, coll *store.Collection, st collectionStyle) map[string]any {
	layerID := coll.ID
	if coll.ID == "parcel_status" {
		layerID = "parcels"
	}
	tl, _ := catalog.TileLayerByID(layerID)
	src := map[string]any{"type": "vector", "url": s.base(c) + "/tiles/" + layerID}
	var layers []map[string]any
	fill := []any{"match", []any{"to-string", []any{"get", st.attr}}}
	stroke := []any{"match", []any{"to-string", []any{"get", st.attr}}}
	hasFill := false
	for _, k := range st.classes {
		if k.fill != "" {
			hasFill = true
		}
		fill = append(fill, k.value, k.fill)
		stroke = append(stroke, k.value, k.stroke)
	}
	fill = append(fill, "#9e9e9e")
	stroke = append(stroke, "#666666")
	first := st.classes[0]
	var fillColor, strokeColor any = fill, stroke
	if st.attr == "" {
		fillColor, strokeColor = first.fill, first.stroke
	}
	if hasFill {
		layers = append(layers, map[string]any{"id": coll.ID + "-fill", "type": "fill", "source": "landreg", "source-layer": layerID,
			"minzoom": tl.MinZoom, "paint": map[string]any{"fill-color": fillColor, "fill-opacity": first.fillOpacity}})
	}
	line := map[string]any{"id": coll.ID + "-line", "type": "line", "source": "landreg", "source-layer": layerID,
		"minzoom": tl.MinZoom, "paint": map[string]any{"line-color": strokeColor, "line-width": first.width}}
	if first.dashed {
		line["paint"].(map[string]any)["line-dasharray"] = []int{4, 2}
	}
	layers = append(layers, line)
	return map[string]any{"version": 8, "name": "landreg " + coll.ID + ": " + st.title,
		"sources": map[string]any{"landreg": src}, "layers": layers}
}

// rgba turns #rrggbb and an opacity into QGIS's "r,g,b,a".
func rgba(hex string, opacity float64) string {
	if len(hex) != 7 {
		return "0,0,0,0"
	}
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	return fmt.Sprintf("%d,%d,%d,%d", v>>16, v>>8&0xff, v&0xff, int(opacity*255+0.5))
}

func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// qmlSymbol is a QGIS fill symbol: a simple fill (transparent when the class has none)
// and its outline, widths in pixels.
func qmlSymbol(name string, k styleClass) string {
	fill, style := rgba(k.fill, k.fillOpacity), "solid"
	if k.fill == "" {
		fill, style = "0,0,0,0", "no"
	}
	line := "solid"
	if k.dashed {
		line = "dash"
	}
	return `<symbol type="fill" name="` + name + `" alpha="1" clip_to_extent="1" force_rhr="0">
<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">
<Option type="QString" name="color" value="` + fill + `"/>
<Option type="QString" name="style" value="` + style + `"/>
<Option type="QString" name="outline_color" value="` + rgba(k.stroke, 1) + `"/>
<Option type="QString" name="outline_style" value="` + line + `"/>
<Option type="QString" name="outline_width" value="` + strconv.FormatFloat(k.width, 'f', -1, 64) + `"/>
<Option type="QString" name="outline_width_unit" value="Pixel"/>
</Option></layer></symbol>
`
}

func qmlStyle(st collectionStyle) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"3.22\" styleCategories=\"Symbology\">\n")
	if st.attr == "" {
		b.WriteString(`<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0"><symbols>` + "\n")
		b.WriteString(qmlSymbol("0", st.classes[0]))
		b.WriteString("</symbols></renderer-v2>\n</qgis>\n")
		return []byte(b.String())
	}
	b.WriteString(`<renderer-v2 type="categorizedSymbol" attr="` + xmlText(st.attr) + `" symbollevels="0" enableorderby="0" forceraster="0"><categories>` + "\n")
	for i, k := range st.classes {
		fmt.Fprintf(&b, `<category symbol="%d" value="%s" label="%s" render="true"/>`+"\n", i, xmlText(k.value), xmlText(k.label))
	}
	b.WriteString("</categories><symbols>\n")
	for i, k := range st.classes {
		b.WriteString(qmlSymbol(strconv.Itoa(i), k))
	}
	b.WriteString("</symbols></renderer-v2>\n</qgis>\n")
	return []byte(b.String())
}

func sldStyle(layer string, st collectionStyle) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"
  xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
<NamedLayer><Name>` + xmlText(layer) + `</Name><UserStyle><Name>default</Name><Title>` + xmlText(st.title) + `</Title><FeatureTypeStyle>
`)
	for _, k := range st.classes {
		b.WriteString("<Rule><Name>" + xmlText(k.label) + "</Name><Title>" + xmlText(k.label) + "</Title>")
		if st.attr != "" {
			b.WriteString("<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>" + xmlText(st.attr) +
				"</ogc:PropertyName><ogc:Literal>" + xmlText(k.value) + "</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>")
		}
		b.WriteString("<PolygonSymbolizer>")
		if k.fill != "" {
			fmt.Fprintf(&b, `<Fill><CssParameter name="fill">%s</CssParameter><CssParameter name="fill-opacity">%g</CssParameter></Fill>`, k.fill, k.fillOpacity)
		}
		fmt.Fprintf(&b, `<Stroke><CssParameter name="stroke">%s</CssParameter><CssParameter name="stroke-width">%g</CssParameter>`, k.stroke, k.width)
		if k.dashed {
			b.WriteString(`<CssParameter name="stroke-dasharray">4 2</CssParameter>`)
		}
		b.WriteString("</Stroke></PolygonSymbolizer></Rule>\n")
	}
	b.WriteString("</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n")
	return []byte(b.String())
}
