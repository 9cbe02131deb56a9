package api

import "encoding/json"

// buildOpenAPI renders the OpenAPI 3.0 definition once at start-up. QGIS and GDAL read
// components.parameters.limit (default and maximum) to size their pages.
func buildOpenAPI(cfg Config) []byte {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/parameters/" + name} }
	jsonResp := func(desc, mt string) map[string]any {
		return map[string]any{"200": map[string]any{"description": desc,
			"content": map[string]any{mt: map[string]any{"schema": map[string]any{"type": "object"}}}},
			"default": map[string]any{"description": "problem", "content": map[string]any{
				"application/problem+json": map[string]any{"schema": map[string]any{"type": "object"}}}}}
	}
	get := func(summary, opID string, params []any, resp map[string]any) map[string]any {
		op := map[string]any{"summary": summary, "operationId": opID, "responses": resp}
		if len(params) > 0 {
			op["parameters"] = params
		}
		return map[string]any{"get": op}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "landreg",
			"version":     cfg.Version,
			"description": "工业用地登记 / industrial land registry: OGC API – Features for districts, block lines and parcels.",
			"license":     map[string]any{"name": "Apache-2.0"},
		},
		"paths": map[string]any{
			"/":            get("Landing page", "getLandingPage", nil, jsonResp("landing page", mtJSON)),
			"/conformance": get("Conformance classes", "getConformance", nil, jsonResp("conformance", mtJSON)),
			"/api":         get("This document", "getAPI", nil, jsonResp("OpenAPI", mtOpenAPI)),
			"/collections": get("Collections", "getCollections", nil, jsonResp("collections", mtJSON)),
			"/collections/{collectionId}": get("A collection", "describeCollection",
				[]any{ref("collectionId")}, jsonResp("collection", mtJSON)),
			"/collections/{collectionId}/items": get("Features of a collection", "getFeatures",
				[]any{ref("collectionId"), ref("limit"), ref("offset"), ref("bbox"), ref("after")},
				jsonResp("features", mtGeoJSON)),
			"/collections/{collectionId}/items/{featureId}": get("One feature", "getFeature",
				[]any{ref("collectionId"), ref("featureId")}, jsonResp("feature", mtGeoJSON)),
			"/healthz": get("Process health", "getHealth", nil, jsonResp("ok", mtJSON)),
			"/readyz":  get("Readiness: database reachable, schema current", "getReady", nil, jsonResp("ready", mtJSON)),
		},
		"components": map[string]any{
			"parameters": map[string]any{
				"collectionId": map[string]any{"name": "collectionId", "in": "path", "required": true,
					"schema": map[string]any{"type": "string", "enum": []string{"districts", "block_lines", "parcels"}}},
				"featureId": map[string]any{"name": "featureId", "in": "path", "required": true,
					"schema": map[string]any{"type": "integer"}},
				"limit": map[string]any{"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Page size; values above the maximum are reduced to it (follow rel=next).",
					"schema":      map[string]any{"type": "integer", "minimum": 1, "default": cfg.Limits.Default, "maximum": cfg.Limits.Max}},
				"offset": map[string]any{"name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
					"schema": map[string]any{"type": "integer", "minimum": 0, "default": 0}},
				"after": map[string]any{"name": "after", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Keyset cursor used by rel=next links: features with id greater than this.",
					"schema":      map[string]any{"type": "integer", "minimum": 0}},
				"bbox": map[string]any{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "minLon,minLat,maxLon,maxLat in CRS84",
					"schema":      map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}}},
			},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // static document: a failure here is a programming error
	}
	return b
}
