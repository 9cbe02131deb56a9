package api

import (
	"encoding/json"

	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

type obj = map[string]any

// buildOpenAPI renders the OpenAPI 3.0 definition once at start-up. QGIS and GDAL read
// components.parameters.limit (default and maximum) to size their pages, per-collection
// query parameters as simple queryables, and GDAL the filter-lang enum.
func buildOpenAPI(cfg Config) []byte {
	ref := func(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }
	content := func(mt string) obj { return obj{mt: obj{"schema": obj{"type": "object"}}} }
	problemResp := obj{"description": "problem (RFC 9457)", "content": content("application/problem+json")}
	resp := func(code, desc, mt string) obj {
		r := obj{"description": desc}
		if mt != "" {
			r["content"] = content(mt)
		}
		return obj{code: r, "default": problemResp}
	}
	op := func(summary, id string, params []any, responses obj) obj {
		o := obj{"summary": summary, "operationId": id, "responses": responses}
		if len(params) > 0 {
			o["parameters"] = params
		}
		return o
	}
	secured := func(o obj) obj { o["security"] = []any{obj{"bearer": []any{}}}; return o }
	body := func(mt string) obj { return obj{"required": true, "content": content(mt)} }
	pathParam := func(name string) obj {
		return obj{"name": name, "in": "path", "required": true, "schema": obj{"type": "string"}}
	}

	paths := obj{
		"/":                                      obj{"get": op("Landing page", "getLandingPage", nil, resp("200", "landing page", mtJSON))},
		"/conformance":                           obj{"get": op("Conformance classes", "getConformance", nil, resp("200", "conformance", mtJSON))},
		"/api":                                   obj{"get": op("This document", "getAPI", nil, resp("200", "OpenAPI", mtOpenAPI))},
		"/collections":                           obj{"get": op("Collections", "getCollections", nil, resp("200", "collections", mtJSON))},
		"/collections/{collectionId}":            obj{"get": op("A collection", "describeCollection", []any{ref("collectionId")}, resp("200", "collection", mtJSON))},
		"/collections/{collectionId}/queryables": obj{"get": op("Queryables", "getQueryables", []any{ref("collectionId")}, resp("200", "JSON Schema", mtSchemaJSON))},
		"/collections/{collectionId}/schema":     obj{"get": op("Every property of the features, with type, unit and title", "getSchema", []any{ref("collectionId")}, resp("200", "JSON Schema", mtSchemaJSON))},
		"/collections/{collectionId}/styles":     obj{"get": op("The collection's styles (MapLibre, QML, SLD)", "getStyles", []any{ref("collectionId")}, resp("200", "styles", mtJSON))},
		"/collections/{collectionId}/styles/{styleId}": obj{"get": op("A style in the encoding f asks for", "getStyle", []any{ref("collectionId"), pathParam("styleId"),
			obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"mapbox", "qml", "sld10"}}}},
			resp("200", "style", mtMapboxStyle))},
		"/tileMatrixSets":                   obj{"get": op("Tile matrix sets", "getTileMatrixSets", nil, resp("200", "tile matrix sets", mtJSON))},
		"/tileMatrixSets/{tileMatrixSetId}": obj{"get": op("A tile matrix set", "getTileMatrixSet", []any{pathParam("tileMatrixSetId")}, resp("200", "tile matrix set", mtJSON))},
		"/tiles":                            obj{"get": op("Vector tile sets of every layer", "getDatasetTilesets", nil, resp("200", "tile sets", mtJSON))},
		"/tiles/WebMercatorQuad":            obj{"get": op("The vector tile set of every layer", "getDatasetTileset", nil, resp("200", "tile set", mtJSON))},
		"/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}": obj{"get": op("A vector tile of every layer", "getDatasetTile",
			[]any{pathParam("tileMatrix"), pathParam("tileRow"), pathParam("tileCol"), ref("datetime")}, resp("200", "MVT", mtMVT))},
		"/collections/{collectionId}/tiles": obj{"get": op("The collection's vector tile sets", "getCollectionTilesets", []any{ref("collectionId")}, resp("200", "tile sets", mtJSON))},
		"/collections/{collectionId}/tiles/{tileMatrixSetId}": obj{"get": op("The collection's vector tile set", "getCollectionTileset",
			[]any{ref("collectionId"), pathParam("tileMatrixSetId")}, resp("200", "tile set", mtJSON))},
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": obj{"get": op("A vector tile of the collection", "getCollectionTile",
			[]any{ref("collectionId"), pathParam("tileMatrixSetId"), pathParam("tileMatrix"), pathParam("tileRow"), pathParam("tileCol"), ref("datetime")}, resp("200", "MVT", mtMVT))},
		"/healthz":        obj{"get": op("Process health", "getHealth", nil, resp("200", "ok", mtJSON))},
		"/readyz":         obj{"get": op("Readiness: database reachable, schema current", "getReady", nil, resp("200", "ready", mtJSON))},
		"/tiles/{layers}": obj{"get": op("TileJSON of comma-separated layers", "getTileJSON", []any{obj{"name": "layers", "in": "path", "required": true, "schema": obj{"type": "string"}}}, resp("200", "TileJSON", mtJSON))},
		"/tiles/{layers}/{z}/{x}/{y}.mvt": obj{"get": op("Vector tile (all layers in one)", "getTile", []any{
			obj{"name": "layers", "in": "path", "required": true, "schema": obj{"type": "string"}},
			obj{"name": "z", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0, "maximum": 22}},
			obj{"name": "x", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
			obj{"name": "y", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 0}},
			ref("datetime")}, resp("200", "MVT", mtMVT))},
		"/v1/adjustments":                    obj{"get": op("Adjustments", "listAdjustments", nil, resp("200", "list", mtJSON)), "post": secured(withBody(op("Propose an adjustment (planner)", "createAdjustment", nil, resp("201", "created", mtJSON)), body(mtJSON)))},
		"/v1/adjustments/{id}":               obj{"get": op("An adjustment", "getAdjustment", []any{ref("id")}, resp("200", "adjustment", mtJSON))},
		"/v1/adjustments/{id}/preview":       obj{"get": op("Preview the balance per level without writing", "previewAdjustment", []any{ref("id")}, resp("200", "outcome", mtJSON))},
		"/v1/adjustments/{id}/publicise":     obj{"post": secured(op("Mark publicised (planner)", "publiciseAdjustment", []any{ref("id")}, resp("200", "adjustment", mtJSON)))},
		"/v1/adjustments/{id}/approve":       obj{"post": secured(op("Approve (admin)", "approveAdjustment", []any{ref("id")}, resp("200", "adjustment", mtJSON)))},
		"/v1/adjustments/{id}/reject":        obj{"post": secured(op("Reject (admin)", "rejectAdjustment", []any{ref("id")}, resp("200", "adjustment", mtJSON)))},
		"/v1/adjustments/{id}/withdraw":      obj{"post": secured(op("Withdraw (planner)", "withdrawAdjustment", []any{ref("id")}, resp("200", "adjustment", mtJSON)))},
		"/v1/adjustments/{id}/apply":         obj{"post": secured(op("Apply: new block-line versions, reserve and ledger in one transaction (planner)", "applyAdjustment", []any{ref("id")}, resp("200", "outcome", mtJSON)))},
		"/v1/quota":                          obj{"get": op("City-wide block-line quota as of a date", "getCityQuota", []any{ref("date"), ref("known_at")}, resp("200", "quota", mtJSON))},
		"/v1/districts/{code}/quota":         obj{"get": op("District block-line quota as of a date", "getQuota", []any{ref("code"), ref("date"), ref("known_at")}, resp("200", "quota", mtJSON))},
		"/v1/districts/{code}/quota/history": obj{"get": op("Year-end series and every change, recorded and restated figures", "getQuotaHistory", []any{ref("code"), ref("known_at")}, resp("200", "history", mtJSON))},
		"/v1/vocabulary":                     obj{"get": op("Status categories, event types, disposal stages and recovery bases with their labels and map colours", "getVocabulary", []any{}, resp("200", "vocabulary", mtJSON))},
		"/v1/search": obj{"get": op("Find current parcels by 宗地代码, holder name, USCC or project name (prefix or contained, case-insensitive); results with their bbox", "searchParcels", []any{
			obj{"name": "q", "in": "query", "required": true, "schema": obj{"type": "string", "minLength": 1, "maxLength": maxSearchText}},
			obj{"name": "limit", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 1, "maximum": maxSearchHits, "default": defaultSearchHit}}},
			resp("200", "results", mtJSON))},
		"/v1/districts/{code}/ledger/{id}/review": obj{"post": secured(withBody(op("Record the 复核 of a direct edit that added area (admin); body {\"note\": finding}", "reviewDirectEdit", []any{ref("code"), ref("id")}, resp("201", "review", mtJSON)), body(mtJSON)))},
		"/v1/districts": obj{
			"get": op("Districts (current versions)", "listDistricts", nil, resp("200", "districts", mtJSON)),
			"post": secured(withBody(op("Register a district (admin): xzqdm, name, rule_start, rule_end, comp_ratio, level_for_level, minor_edit_m2, include_logistics, doc_no, effective_date, reason and the boundary as geometry (GeoJSON, in crs) or, in a multipart form, as file (Shapefile, GeoPackage, GeoJSON; crs, layer, encoding)",
				"createDistrict", nil, resp("201", "district", mtJSON)), obj{"required": true, "content": obj{mtJSON: obj{"schema": obj{"type": "object"}}, "multipart/form-data": obj{"schema": obj{"type": "object"}}}}))},
		"/v1/districts/{code}": obj{
			"get": op("A district: the current version, or the one in force on date", "getDistrict", []any{ref("code"), ref("date")}, resp("200", "district", mtJSON)),
			"patch": secured(withBody(op("Change a district (admin): the settings given (doc_no required), or the boundary; a new version in force from effective_date (default today)",
				"patchDistrict", []any{ref("code"), ref("If-Match")}, resp("200", "district", mtJSON)), obj{"required": true, "content": obj{mtJSON: obj{"schema": obj{"type": "object"}}, mtMergePatch: obj{"schema": obj{"type": "object"}}, "multipart/form-data": obj{"schema": obj{"type": "object"}}}}))},
		"/v1/districts/{code}/history": obj{"get": op("Every version of a district and its audit trail", "getDistrictHistory", []any{ref("code")}, resp("200", "history", mtJSON))},
		"/v1/districts/{code}/idle-policy": obj{
			"get": op("The district's idle policy (闲置认定参数) in force today or on date, and its versions by effective date", "getIdlePolicy", []any{ref("code"), ref("date")}, resp("200", "policy", mtJSON)),
			"put": secured(withBody(op("Write a version of the idle policy (admin): settings (merged onto the version in force on effective_date), doc_no, effective_date (required), reason",
				"putIdlePolicy", []any{ref("code")}, resp("200", "policy", mtJSON)), body(mtJSON)))},
		"/v1/districts/{code}/idle-policy/history": obj{"get": op("Every version ever written of the district's idle policy and its audit trail", "getIdlePolicyHistory", []any{ref("code")}, resp("200", "history", mtJSON))},
		"/v1/enterprises": obj{
			"get": op("Enterprises (权利人): q (USCC prefix or name), industry_code (prefix), is_above_size, limit, offset", "listEnterprises", []any{
				obj{"name": "q", "in": "query", "required": false, "schema": obj{"type": "string"}},
				obj{"name": "industry_code", "in": "query", "required": false, "schema": obj{"type": "string"}},
				obj{"name": "is_above_size", "in": "query", "required": false, "schema": obj{"type": "boolean"}},
				obj{"name": "limit", "in": "query", "required": false, "schema": obj{"type": "integer", "minimum": 1, "maximum": maxEnterprisePage, "default": 100}},
				ref("offset")}, resp("200", "enterprises", mtJSON)),
			"post": secured(withBody(op("Register an enterprise (registrar): uscc, name, industry_code (GB/T 4754), is_above_size (规上), address", "createEnterprise", nil, resp("201", "enterprise", mtJSON)), body(mtJSON)))},
		"/v1/enterprises/{uscc}": obj{
			"get":   op("An enterprise with the current parcels it holds", "getEnterprise", []any{ref("uscc")}, resp("200", "enterprise", mtJSON)),
			"patch": secured(withBody(op("Change an enterprise (registrar): name, industry_code, is_above_size, address", "patchEnterprise", []any{ref("uscc")}, resp("200", "enterprise", mtJSON)), body(mtJSON)))},
		"/v1/enterprises/{uscc}/indicators": obj{
			"get": op("An enterprise's annual indicators (企业年度亩均指标), current figures by year", "listIndicators", []any{ref("uscc")}, resp("200", "indicators", mtJSON))},
		"/v1/enterprises/{uscc}/indicators/{year}": obj{
			"get": op("One year's indicators: the current figures and the versions corrections replaced", "getIndicators",
				[]any{ref("uscc"), obj{"name": "year", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 1900, "maximum": 2199}}}, resp("200", "indicators", mtJSON)),
			"put": secured(withBody(op("Write one year's indicators whole (registrar): tax_wan (required), va_wan, energy_tce, emission_t, employees, rd_wan, revenue_wan, land_mu_used, invest_wan, reported_on, source, reason; a correction keeps the old figures in history",
				"putIndicators", []any{ref("uscc"), obj{"name": "year", "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 1900, "maximum": 2199}}}, resp("200", "indicators", mtJSON)), body(mtJSON)))},
	}
	for _, coll := range catalog.Collections() {
		params := []any{ref("limit"), ref("offset"), ref("after"), ref("bbox"), ref("bbox-crs"), ref("crs"),
			ref("filter"), ref("filter-lang"), ref("filter-crs"), ref("sortby"), ref("properties"), ref("skipGeometry"), ref("f")}
		if coll.Versioned {
			params = append(params, ref("datetime"))
		}
		if coll.Source.KnownAt != "" {
			params = append(params, ref("known_at"))
		}
		for _, qq := range coll.Queryables {
			if qq.Type == cql2.Geometry {
				continue
			}
			params = append(params, obj{"name": qq.Name, "in": "query", "required": false, "style": "form", "explode": false,
				"description": qq.Title, "schema": cqlTypeSchema[qq.Type]})
		}
		items := obj{"get": op("Features of "+coll.Title, "getFeatures_"+coll.ID, params, resp("200", "features", mtGeoJSON))}
		item := obj{"get": op("A feature of "+coll.Title, "getFeature_"+coll.ID, []any{ref("featureId"), ref("crs")}, resp("200", "feature", mtGeoJSON))}
		if _, ok := store.WritableFor(coll.ID); ok {
			items["post"] = secured(withBody(op("Create a feature", "createFeature_"+coll.ID, []any{ref("Content-Crs")}, resp("201", "created", mtGeoJSON)), body(mtGeoJSON)))
			item["put"] = secured(withBody(op("Replace a feature", "replaceFeature_"+coll.ID, []any{ref("featureId"), ref("Content-Crs"), ref("If-Match")}, resp("200", "replaced", mtGeoJSON)), body(mtGeoJSON)))
			item["patch"] = secured(withBody(op("Update a feature (JSON merge patch)", "updateFeature_"+coll.ID, []any{ref("featureId"), ref("Content-Crs"), ref("If-Match")}, resp("200", "updated", mtGeoJSON)), body("application/merge-patch+json")))
			item["delete"] = secured(op("Retire a feature (kept in history)", "deleteFeature_"+coll.ID, []any{ref("featureId"), ref("If-Match")}, resp("204", "retired", "")))
		}
		paths["/collections/"+coll.ID+"/items"] = items
		paths["/collections/"+coll.ID+"/items/{featureId}"] = item
	}
	// Targets, remediation and supply (issue 15).
	qp := func(name, typ string) obj {
		return obj{"name": name, "in": "query", "required": false, "schema": obj{"type": typ}}
	}
	for path, item := range map[string]obj{
		"/v1/targets": {"get": op("Assessment targets (考核目标) in force today", "listTargets", []any{qp("district", "string")}, resp("200", "targets", mtJSON)),
			"post": secured(withBody(op("Register a target (admin): kind, value, period_from, period_to, xzqdm (omit: city), doc_no, supply_method, above_size_only, effective_date, reason",
				"createTarget", nil, resp("201", "target", mtJSON)), body(mtJSON)))},
		"/v1/targets/progress": {"get": op("Every target in force on date, as known at known_at, with its actual computed from the registry, pace and status (format json, csv or xlsx)",
			"getTargetProgress", []any{ref("date"), ref("known_at"), qp("district", "string"), qp("format", "string")}, resp("200", "progress", mtJSON))},
		"/v1/targets/{id}": {"get": op("A target with every version", "getTarget", []any{ref("id")}, resp("200", "target", mtJSON)),
			"patch":  secured(withBody(op("Change a target (admin): a new version", "patchTarget", []any{ref("id")}, resp("200", "target", mtJSON)), body(mtJSON))),
			"delete": secured(op("Retire a target (admin)", "deleteTarget", []any{ref("id")}, resp("204", "retired", "")))},
		"/v1/transfers": {"get": op("Land transferred (出让) per district and year, the bureau's figure", "listTransfers", []any{qp("district", "string")}, resp("200", "transfers", mtJSON))},
		"/v1/transfers/{code}/{year}": {"put": secured(withBody(op("Write a district's land transferred in a year (admin): transferred_mu (亩), doc_no, note, reason",
			"putTransfer", []any{ref("code"), pathParam("year")}, resp("200", "transfer", mtJSON)), body(mtJSON)))},
		"/v1/mujun/classes": {"get": op("Official 亩均 classes (A–D)", "listMujunClasses", []any{qp("year", "integer")}, resp("200", "classes", mtJSON)),
			"post": secured(withBody(op("Write published classes (admin): {results: [{uscc, year, class, score, published_on, doc_no}], reason}",
				"postMujunClasses", nil, resp("200", "written", mtJSON)), body(mtJSON)))},
		"/v1/remediation": {"get": op("Remediation projects (低效用地整治)", "listRemediation", []any{qp("district", "string"), qp("status", "string")}, resp("200", "projects", mtJSON)),
			"post": secured(withBody(op("List a project (planner): xzqdm, town, name, method, planned_mu, planned_from, planned_to, plan_text, documents, parcels, enterprises, block_renewal, effective_date",
				"createRemediation", nil, resp("201", "project", mtJSON)), body(mtJSON)))},
		"/v1/remediation/candidates": {"get": op("整治企业清单: firms 低效 or class D for year, with their project or 未列项目", "getRemediationCandidates",
			[]any{qp("year", "integer"), qp("district", "string")}, resp("200", "candidates", mtJSON))},
		"/v1/remediation/{id}": {"get": op("A project with its parcels, firms, dated events and versions", "getRemediation", []any{ref("id")}, resp("200", "project", mtJSON)),
			"patch":  secured(withBody(op("Change a project's fields (planner)", "patchRemediation", []any{ref("id")}, resp("200", "project", mtJSON)), body(mtJSON))),
			"delete": secured(op("Delete a project still at 列入清单 (planner)", "deleteRemediation", []any{ref("id")}, resp("204", "deleted", "")))},
		"/v1/remediation/{id}/status": {"post": secured(withBody(op("One step of 列入清单 → 制定方案 → 整治中 → 达标销号 | 关停退出 (planner): status, date, and to close freed_mu, new_holder_uscc, new_project, new_tax_per_mu_wan",
			"stepRemediation", []any{ref("id")}, resp("200", "project", mtJSON)), body(mtJSON)))},
		"/v1/remediation/{id}/events":  {"post": secured(withBody(op("A dated progress note (planner): date, note, doc_no", "addRemediationEvent", []any{ref("id")}, resp("201", "project", mtJSON)), body(mtJSON)))},
		"/v1/remediation/{id}/links":   {"post": secured(withBody(op("Add parcels and firms (planner)", "linkRemediation", []any{ref("id")}, resp("200", "project", mtJSON)), body(mtJSON)))},
		"/v1/remediation/{id}/unlinks": {"post": secured(withBody(op("Remove parcels and firms (planner)", "unlinkRemediation", []any{ref("id")}, resp("200", "project", mtJSON)), body(mtJSON)))},
	} {
		paths[path] = item
	}
	crsEnum := geo.SupportedCRSURIs()
	doc := obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "landreg",
			"version":     cfg.Version,
			"description": "工业用地登记 / industrial land registry: OGC API – Features (Parts 1–4), vector tiles and the /v1 domain API for block lines, adjustments and quota.",
			"license":     obj{"name": "Apache-2.0"},
		},
		"paths": paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "landreg token create --role …"}},
			"parameters": obj{
				"collectionId": obj{"name": "collectionId", "in": "path", "required": true, "schema": obj{"type": "string", "enum": collectionIDs()}},
				"featureId":    obj{"name": "featureId", "in": "path", "required": true, "schema": obj{"type": "integer"}},
				"id":           obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "integer"}},
				"code":         obj{"name": "code", "in": "path", "required": true, "schema": obj{"type": "string", "pattern": "^[0-9]{6}$"}},
				"uscc":         obj{"name": "uscc", "in": "path", "required": true, "schema": obj{"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"}},
				"date":         obj{"name": "date", "in": "query", "required": false, "schema": obj{"type": "string", "format": "date"}},
				"limit": obj{"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Page size; values above the maximum are reduced to it (follow rel=next).",
					"schema":      obj{"type": "integer", "minimum": 1, "default": cfg.Limits.Default, "maximum": cfg.Limits.Max}},
				"offset": obj{"name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
					"schema": obj{"type": "integer", "minimum": 0, "default": 0}},
				"after": obj{"name": "after", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Keyset cursor used by rel=next links: features with id greater than this.",
					"schema":      obj{"type": "integer", "minimum": 0}},
				"bbox": obj{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "In bbox-crs (default CRS84: minLon,minLat,maxLon,maxLat), in that CRS's axis order.",
					"schema":      obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}},
				"bbox-crs": obj{"name": "bbox-crs", "in": "query", "required": false, "schema": obj{"type": "string", "format": "uri", "enum": crsEnum}},
				"crs":      obj{"name": "crs", "in": "query", "required": false, "schema": obj{"type": "string", "format": "uri", "enum": crsEnum}},
				"datetime": obj{"name": "datetime", "in": "query", "required": false, "description": "A date (the versions valid that day) or an interval a/b with .. for open ends (every version valid in it).", "schema": obj{"type": "string"}},
				"known_at": obj{"name": "known_at", "in": "query", "required": false,
					"description": "As the register stood at this system time: an RFC 3339 instant, or a date meaning the end of that day in Asia/Shanghai.",
					"schema":      obj{"type": "string"}},
				"filter":      obj{"name": "filter", "in": "query", "required": false, "description": "CQL2 text", "schema": obj{"type": "string"}},
				"filter-lang": obj{"name": "filter-lang", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"cql2-text", "cql-text"}, "default": "cql2-text"}},
				"filter-crs":  obj{"name": "filter-crs", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{geo.CRS84URI}}},
				"sortby":      obj{"name": "sortby", "in": "query", "required": false, "style": "form", "explode": false, "description": "+name,-name", "schema": obj{"type": "array", "items": obj{"type": "string"}}},
				"f":           obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": itemsFormats}},
				"properties": obj{"name": "properties", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "The properties to serve (the id is always served); see /collections/{collectionId}/schema",
					"schema":      obj{"type": "array", "items": obj{"type": "string"}}},
				"skipGeometry": obj{"name": "skipGeometry", "in": "query", "required": false, "description": "Serve features without geometry",
					"schema": obj{"type": "boolean", "default": false}},
				"Content-Crs": obj{"name": "Content-Crs", "in": "header", "required": false, "description": "CRS of the body's coordinates, in its axis order (default CRS84)", "schema": obj{"type": "string"}},
				"If-Match":    obj{"name": "If-Match", "in": "header", "required": false, "description": "ETag from a GET; optional (QGIS does not send it)", "schema": obj{"type": "string"}},
			},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // static document: a failure here is a programming error
	}
	return b
}

func withBody(o obj, b obj) obj { o["requestBody"] = b; return o }

func collectionIDs() []string {
	var out []string
	for _, c := range catalog.Collections() {
		out = append(out, c.ID)
	}
	return out
}
