package api

import (
	_ "embed"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/audit"
	"github.com/landreg/landreg/catalog"
	"github.com/landreg/landreg/cql2"
	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/report"
	"github.com/landreg/landreg/store"
)

// The OpenAPI document is the contract of the HTTP API (issue 17.1, docs/decisions.md
// "The OpenAPI contract"). Every registered route has an entry in operations (keyed
// like routeParams, by method and pattern as registered); its query parameters come
// from routeParams, so the parameters a route accepts and the ones it documents cannot
// drift; openapi_test.go fails on a route missing from the document, a documented
// operation no route serves, and a response of a real server that does not match its
// schema. Request bodies are reflected from the handlers' own request types and
// settings tables (reflectSchema); the schemas of the v1 responses and OGC documents
// are written once in openapi/responses.json, with examples from the demo (Chinese data).

type obj = map[string]any

const mtProblemJSON = "application/problem+json"

//go:embed openapi/responses.json
var responseSchemasJSON []byte

// opDoc documents one registered route.
type opDoc struct {
	tag, summary string
	// role: "" for reads (a token is optional, required for reads with serve
	// --auth-reads); otherwise the roles that may call it, "admin" always may.
	roles   []string
	body    obj // the requestBody object, nil for none
	status  int // success status
	desc    string
	content obj // media type → media type object of the success response; nil: no body
	headers obj
	// errs are the problem statuses besides 400, 404 (routes with path parameters) and
	// 503; writes add 401, 403 and 415.
	errs []int
}

func sref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonOf(schema obj) obj { return obj{mtJSON: obj{"schema": schema}} }

func media(mt string, schema obj) obj { return obj{mt: obj{"schema": schema}} }

var binary = obj{"type": "string", "format": "binary"}

// read is a GET answering 200 with the JSON schema name.
func read(tag, summary, schema string) opDoc {
	return opDoc{tag: tag, summary: summary, status: 200, desc: summary, content: jsonOf(sref(schema))}
}

// write is a write by roles with a JSON body (nil: none) answering status with schema.
func write(tag, summary string, roles []string, body obj, status int, schema string, errs ...int) opDoc {
	d := opDoc{tag: tag, summary: summary, roles: roles, status: status, desc: summary, errs: append([]int{409, 422}, errs...)}
	if schema != "" {
		d.content = jsonOf(sref(schema))
	}
	if body != nil {
		d.body = obj{"required": true, "content": jsonOf(body)}
	}
	return d
}

const (
	tagOGC       = "OGC API – Features"
	tagTiles     = "Tiles"
	tagStyles    = "Styles"
	tagService   = "Service"
	tagBlock     = "区块线 Block lines and quota"
	tagDistricts = "行政区 Districts"
	tagPolicy    = "闲置认定参数 Idle policy"
	tagEnter     = "企业 Enterprises"
	tagParcels   = "宗地 Parcels"
	tagExchange  = "导入导出 Imports and exports"
	tagAudit     = "审计报表 Audit reports"
)

var (
	rolesPlanner   = []string{landreg.RolePlanner}
	rolesRegistrar = []string{landreg.RoleRegistrar}
	rolesAdmin     = []string{landreg.RoleAdmin}
)

// operations documents every route but the per-collection Feature routes (itemOps).
func operations(cfg Config) map[string]opDoc {
	transition := func(summary string, roles []string, approve bool) opDoc {
		body := requestSchema(transitionBody{})
		if !approve {
			delete(body["properties"].(obj), "override_reason")
		}
		body["example"] = obj{"date": "2026-11-30", "doc_no": "温自然资规〔2026〕18号", "reason": "公示期满无异议"}
		d := write(tagBlock, summary, roles, body, 200, "Adjustment")
		d.body["required"] = false
		return d
	}
	districtBody := districtWriteSchema(true)
	styleContent := obj{mtMapboxStyle: obj{"schema": sref("MapboxStyle")}, mtQML: obj{"schema": obj{"type": "string"}}, mtSLD10: obj{"schema": obj{"type": "string"}}}
	reportContent := reportContents()
	exportContent := obj{}
	for _, f := range []string{exchange.GPKG, exchange.SHP, exchange.GeoJSON} {
		exportContent[exchange.MediaType(string(f))] = obj{"schema": binary}
	}
	ops := map[string]opDoc{
		"GET /healthz":     read(tagService, "进程健康 Process health", "Health"),
		"GET /readyz":      read(tagService, "就绪：数据库可达、模式为最新 Readiness: database reachable, schema current", "Ready"),
		"GET /metrics":     {tag: tagService, summary: "Prometheus 指标 Prometheus metrics", status: 200, desc: "metrics in the Prometheus text format", content: media("text/plain", obj{"type": "string"})},
		"GET /":            read(tagOGC, "首页 Landing page", "LandingPage"),
		"GET /conformance": read(tagOGC, "一致性类 Conformance classes", "Conformance"),
		"GET /api":         {tag: tagService, summary: "本文档 This document (OpenAPI 3.0)", status: 200, desc: "OpenAPI", content: media(mtOpenAPI, obj{"type": "object"})},
		"GET /api.html":    {tag: tagService, summary: "本文档的网页 This document for people (Redoc)", status: 200, desc: "HTML", content: media(mtHTML, obj{"type": "string"})},
		"GET /apidoc/*":    {tag: tagService, summary: "Redoc 的静态文件 Static files of the API page", status: 200, desc: "a file", content: media("application/javascript", obj{"type": "string"})},
		"GET /map":         {tag: tagService, summary: "地图 The map page (redirects to map/)", status: 301, desc: "to map/", headers: obj{"Location": obj{"schema": obj{"type": "string"}}}},
		"GET /map/*":       {tag: tagService, summary: "地图页面的静态文件 Static files of the map page (挂图作战)", status: 200, desc: "a file", content: media(mtHTML, obj{"type": "string"})},

		"GET /collections":                               read(tagOGC, "图层 Collections", "Collections"),
		"GET /collections/:collectionId":                 read(tagOGC, "一个图层 A collection", "Collection"),
		"GET /collections/:collectionId/queryables":      {tag: tagOGC, summary: "可查询属性 Queryables (Part 3)", status: 200, desc: "JSON Schema of the filterable properties", content: media(mtSchemaJSON, sref("JSONSchema"))},
		"GET /collections/:collectionId/schema":          {tag: tagOGC, summary: "要素的每个属性，含类型、单位和标题 Every property of the features, with type, unit and title (Part 5)", status: 200, desc: "JSON Schema", content: media(mtSchemaJSON, sref("JSONSchema"))},
		"GET /collections/:collectionId/styles":          read(tagStyles, "图层样式 The collection's styles (MapLibre, QML, SLD)", "Styles"),
		"GET /collections/:collectionId/styles/:styleId": {tag: tagStyles, summary: "f 所要格式的样式 A style in the encoding f asks for", status: 200, desc: "style", content: styleContent},

		"GET /tileMatrixSets":                  read(tagTiles, "瓦片矩阵集 Tile matrix sets", "TileMatrixSets"),
		"GET /tileMatrixSets/:tileMatrixSetId": read(tagTiles, "一个瓦片矩阵集 A tile matrix set", "TileMatrixSet"),
		"GET /tiles":                           read(tagTiles, "所有图层的矢量瓦片集 Vector tile sets of every layer", "TileSets"),
		"GET /tiles/WebMercatorQuad":           read(tagTiles, "所有图层的矢量瓦片集 The vector tile set of every layer", "TileSet"),
		"GET /tiles/WebMercatorQuad/:tileMatrix/:tileRow/:tileCol":                            {tag: tagTiles, summary: "所有图层的一块矢量瓦片 A vector tile of every layer", status: 200, desc: "MVT", content: media(mtMVT, binary), errs: []int{}, headers: cutLayersHeaders},
		"GET /collections/:collectionId/tiles":                                                read(tagTiles, "图层的矢量瓦片集 The collection's vector tile sets", "TileSets"),
		"GET /collections/:collectionId/tiles/:tileMatrixSetId":                               read(tagTiles, "图层的矢量瓦片集 The collection's vector tile set", "TileSet"),
		"GET /collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol": {tag: tagTiles, summary: "图层的一块矢量瓦片 A vector tile of the collection", status: 200, desc: "MVT", content: media(mtMVT, binary), headers: cutLayersHeaders},
		"GET /tiles/:layers":          read(tagTiles, "逗号分隔图层的 TileJSON TileJSON of comma-separated layers", "TileJSON"),
		"GET /tiles/:layers/:z/:x/:y": {tag: tagTiles, summary: "矢量瓦片（各图层合一） Vector tile (all layers in one); y may end in .mvt", status: 200, desc: "MVT; 204 for an empty tile", content: media(mtMVT, binary), headers: cutLayersHeaders},

		"GET /v1/vocabulary":                 read(tagService, "状态类别与事件类型的标签与地图颜色 Status categories and event types with their labels and map colours", "Vocabulary"),
		"GET /v1/adjustments":                read(tagBlock, "调整方案 Adjustments", "AdjustmentList"),
		"POST /v1/adjustments":               write(tagBlock, "提出调整方案 Propose an adjustment (planner)", rolesPlanner, adjustmentBodySchema(), 201, "Adjustment"),
		"GET /v1/adjustments/:id":            read(tagBlock, "一个调整方案 An adjustment", "Adjustment"),
		"GET /v1/adjustments/:id/preview":    read(tagBlock, "不写入地预览各级面积平衡 Preview the balance per level without writing", "Outcome"),
		"POST /v1/adjustments/:id/publicise": transition("标记已公示 Mark publicised (planner)", rolesPlanner, false),
		"POST /v1/adjustments/:id/withdraw":  transition("撤回 Withdraw (planner)", rolesPlanner, false),
		"POST /v1/adjustments/:id/approve":   transition("批准 Approve (admin); override_reason approves one whose preview fails", rolesAdmin, true),
		"POST /v1/adjustments/:id/reject":    transition("驳回 Reject (admin)", rolesAdmin, false),
		"POST /v1/adjustments/:id/apply": func() opDoc {
			d := write(tagBlock, "实施：新的区块线版本、储备与台账在一个事务中 Apply: new block-line versions, reserve and ledger in one transaction (planner; a 划定 by an admin)", rolesPlanner, nil, 200, "")
			d.content = jsonOf(obj{"oneOf": []any{sref("Outcome"), sref("Delineation")}})
			return d
		}(),
		"GET /v1/quota":                         read(tagBlock, "全市区块线总量（某日） City-wide block-line quota as of a date", "CityQuota"),
		"GET /v1/districts/:code/quota":         read(tagBlock, "行政区区块线总量（某日） District block-line quota as of a date", "Quota"),
		"GET /v1/districts/:code/quota/history": read(tagBlock, "年末序列与每次变化，含记录与重述数字 Year-end series and every change, recorded and restated figures", "QuotaHistory"),
		"POST /v1/districts/:code/ledger/:id/review": write(tagBlock, "直接编辑增加面积的复核 Record the 复核 of a direct edit that added area (admin)", rolesAdmin,
			withExample(requestSchema(reviewBody{}), obj{"note": "经现场核实，面积增加系测绘更正"}), 201, "Review"),

		"GET /v1/districts": read(tagDistricts, "行政区（现行版本） Districts (current versions)", "DistrictList"),
		"POST /v1/districts": func() opDoc {
			d := write(tagDistricts, "登记行政区 Register a district (admin): settings, document, reason and the boundary as GeoJSON (in crs) or, in a multipart form, as a file (Shapefile, GeoPackage, GeoJSON)", rolesAdmin, nil, 201, "District", 413)
			d.body = obj{"required": true, "content": obj{mtJSON: obj{"schema": districtBody}, "multipart/form-data": obj{"schema": districtWriteSchema(false)}}}
			return d
		}(),
		"GET /v1/districts/:code": read(tagDistricts, "行政区：现行版本或 date 当日有效的版本 A district: the current version, or the one in force on date", "District"),
		"PATCH /v1/districts/:code": func() opDoc {
			d := write(tagDistricts, "变更行政区 Change a district (admin): the settings given (doc_no required) or the boundary; a new version in force from effective_date (default today)", rolesAdmin, nil, 200, "District", 413)
			patch := districtWriteSchema(true)
			delete(patch, "required")
			d.body = obj{"required": true, "content": obj{mtJSON: obj{"schema": patch}, mtMergePatch: obj{"schema": patch}, "multipart/form-data": obj{"schema": districtWriteSchema(false)}}}
			return d
		}(),
		"GET /v1/districts/:code/history":             read(tagDistricts, "行政区的每个版本及审计记录 Every version of a district and its audit trail", "DistrictHistory"),
		"GET /v1/districts/:code/idle-policy":         read(tagPolicy, "现行或 date 当日的闲置认定参数及其版本 The district's idle policy in force today or on date, and its versions", "IdlePolicy"),
		"PUT /v1/districts/:code/idle-policy":         write(tagPolicy, "写入闲置认定参数的一个版本 Write a version of the idle policy (admin): settings merged onto the version in force on effective_date", rolesAdmin, policyBodySchema(), 200, "IdlePolicy"),
		"GET /v1/districts/:code/idle-policy/history": read(tagPolicy, "闲置认定参数的每个版本及审计记录 Every version ever written and the audit trail", "IdlePolicyHistory"),

		"GET /v1/enterprises":       read(tagEnter, "企业（权利人） Enterprises: q (USCC prefix or name), industry_code (prefix), is_above_size", "EnterpriseList"),
		"POST /v1/enterprises":      write(tagEnter, "登记企业 Register an enterprise (registrar)", rolesRegistrar, enterpriseBodySchema(true), 201, "Enterprise"),
		"GET /v1/enterprises/:uscc": read(tagEnter, "企业及其现有宗地 An enterprise with the current parcels it holds", "Enterprise"),
		"PATCH /v1/enterprises/:uscc": func() opDoc {
			d := write(tagEnter, "变更企业 Change an enterprise (registrar; JSON merge patch, null clears)", rolesRegistrar, nil, 200, "Enterprise")
			d.body = obj{"required": true, "content": obj{mtJSON: obj{"schema": enterpriseBodySchema(false)}, mtMergePatch: obj{"schema": enterpriseBodySchema(false)}}}
			return d
		}(),

		"POST /v1/parcels":             featureWrite(tagParcels, "登记宗地 Register a parcel (registrar): a GeoJSON Feature", "parcels", false, 201),
		"GET /v1/parcels/:featureId":   {tag: tagParcels, summary: "一宗宗地 A parcel (the Feature of /collections/parcels/items)", status: 200, desc: "Feature", content: media(mtGeoJSON, sref("Feature_parcels")), headers: obj{"ETag": obj{"schema": obj{"type": "string"}}}},
		"PUT /v1/parcels/:featureId":   featureWrite(tagParcels, "替换宗地 Replace a parcel (registrar)", "parcels", false, 200),
		"PATCH /v1/parcels/:featureId": featureWrite(tagParcels, "变更宗地 Update a parcel (registrar; JSON merge patch)", "parcels", true, 200),
		"DELETE /v1/parcels/:featureId": func() opDoc {
			d := write(tagParcels, "注销或收回宗地 Retire a parcel as of its legal date (registrar): effective_date, doc_no, kind (注销 | 收回), reason in the query or a JSON body", rolesRegistrar, nil, 204, "")
			b := requestSchema(retireRequest{})
			b["properties"].(obj)["kind"].(obj)["enum"] = landreg.RetirementKinds
			d.body = obj{"required": false, "content": jsonOf(withExample(b, obj{"effective_date": "2026-11-20", "doc_no": "温政土收〔2026〕9号", "kind": "收回", "reason": "闲置满两年，依法收回"}))}
			return d
		}(),
		"GET /v1/parcels/:featureId/events": read(tagParcels, "宗地的事件 Events of a parcel", "ParcelEvents"),
		"POST /v1/parcels/:featureId/events": func() opDoc {
			return write(tagParcels, "记录宗地事件 Record an event of a parcel (registrar)", rolesRegistrar,
				eventRequestBody(obj{"type": "STARTED", "event_date": "2026-03-18", "doc_no": "温建施〔2026〕031号", "payload": obj{}, "reason": "施工许可后开工"}), 201, "Event")
		}(),
		"GET /v1/parcels/:featureId/status":  read(tagParcels, "宗地某日的状态（闲置、低效）及理由 A parcel's status (idle, inefficient) as of a date, with its reasons", "ParcelStatus"),
		"GET /v1/parcels/:featureId/history": read(tagParcels, "宗地的每个版本、事件与审计记录 Every version, event and audit row of a parcel", "ParcelHistory"),

		"GET /v1/exports/:collection": {tag: tagExchange, summary: "某日的图层导出 A collection as of a date, as GeoPackage, zipped Shapefile or GeoJSON", status: 200, desc: "the file (Content-Disposition names it)", content: exportContent, errs: []int{}},
		"GET /v1/audit/:report":       {tag: tagAudit, summary: "审计报表 An audit report (" + strings.Join(audit.Names(), ", ") + ") as JSON, CSV, XLSX or GeoJSON", status: 200, desc: "the report", content: reportContent},
		"POST /v1/imports": func() opDoc {
			d := write(tagExchange, "导入文件 Import a file (multipart: file and the form fields; registrar, planner for block-lines): 201 when written, 200 for a dry run, 422 import-refused with the report", []string{landreg.RoleRegistrar, landreg.RolePlanner}, nil, 201, "ImportReport", 413)
			d.body = obj{"required": true, "content": obj{"multipart/form-data": obj{"schema": importFormSchema()}}}
			return d
		}(),
	}
	for k, v := range moreOperations() {
		ops[k] = v
	}
	return ops
}

type transitionBody struct {
	Date           string `json:"date" doc:"date of the step (default today; not after today)" format:"date"`
	DocNo          string `json:"doc_no" doc:"文号 the document of the step"`
	Reason         string `json:"reason" doc:"why (recorded in history and the audit row)"`
	OverrideReason string `json:"override_reason" doc:"approve only: why an adjustment whose preview fails is approved"`
}

type reviewBody struct {
	Note string `json:"note" doc:"复核意见 the review's finding (required)"`
}

func withExample(s obj, ex any) obj { s["example"] = ex; return s }

// sqlSchema is the schema of a value of a settings table's SQL type.
func sqlSchema(t string) obj {
	switch t {
	case "text":
		return obj{"type": "string"}
	case "date":
		return obj{"type": "string", "format": "date"}
	case "boolean":
		return obj{"type": "boolean"}
	case "integer", "smallint", "bigint":
		return obj{"type": "integer"}
	}
	return obj{"type": "number"}
}

// settingsSchema is the object of a settings table (column → SQL type), each nullable
// (null clears or keeps, as the route says).
func settingsSchema(cols map[string]string) obj {
	props := obj{}
	for k, t := range cols {
		s := sqlSchema(t)
		s["nullable"] = true
		props[k] = s
	}
	return obj{"type": "object", "additionalProperties": false, "properties": props}
}

var reasonSchema = obj{"type": "string", "maxLength": 10000, "description": "why: recorded in history and in the audit row. The place for a Chinese reason; X-Landreg-Reason may carry it instead, and the two must agree (reason-conflict)."}

func districtWriteSchema(jsonBody bool) obj {
	s := settingsSchema(landreg.DistrictSettings)
	props := s["properties"].(obj)
	props["xzqdm"] = obj{"type": "string", "pattern": "^[0-9]{6}$", "description": "行政区划代码 (POST only)"}
	props["crs"] = obj{"type": "string", "description": "CRS of the boundary (default CRS84)"}
	props["effective_date"] = obj{"type": "string", "format": "date"}
	props["reason"] = reasonSchema
	if jsonBody {
		props["geometry"] = sref("Geometry")
		s["example"] = obj{"xzqdm": "330305", "name": "洞头区", "rule_start": "2021-01-01", "rule_end": "2035-12-31", "comp_ratio": 1,
			"level_for_level": true, "minor_edit_m2": 200, "include_logistics": false, "doc_no": "温政办〔2020〕72号",
			"reason": "纳入工业用地登记", "geometry": obj{"type": "MultiPolygon", "coordinates": [][][][]float64{{{{121.05, 27.95}, {121.2, 27.95}, {121.2, 28.05}, {121.05, 28.05}, {121.05, 27.95}}}}}}
	} else {
		for k, p := range props {
			props[k] = obj{"type": "string", "description": strings.TrimSpace("form field " + descOf(p.(obj)))}
		}
		props["file"] = obj{"type": "string", "format": "binary", "description": "the boundary: Shapefile (zip or parts), GeoPackage, GeoJSON"}
		props["layer"] = obj{"type": "string"}
		props["encoding"] = obj{"type": "string", "description": "text encoding of a .dbf without .cpg (e.g. GBK)"}
	}
	return s
}

func descOf(s obj) string {
	d, _ := s["description"].(string)
	return d
}

func policyBodySchema() obj {
	s := settingsSchema(landreg.PolicySettings)
	props := s["properties"].(obj)
	props["doc_no"] = obj{"type": "string", "description": "文号 (required)"}
	props["effective_date"] = obj{"type": "string", "format": "date", "description": "in force from (required)"}
	props["reason"] = reasonSchema
	s["required"] = []string{"doc_no", "effective_date"}
	s["example"] = obj{"stopped_months": 12, "unused_share": 0.3333, "doc_no": "温政发〔2026〕5号", "effective_date": "2026-07-01", "reason": "按新办法调整闲置认定期限"}
	return s
}

func enterpriseBodySchema(create bool) obj {
	s := settingsSchema(landreg.EnterpriseFields)
	props := s["properties"].(obj)
	props["reason"] = reasonSchema
	if create {
		props["uscc"] = obj{"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$", "description": "统一社会信用代码, with its check character"}
		s["required"] = []string{"uscc", "name"}
		s["example"] = obj{"uscc": "91330300MA2L5RX12X", "name": "温州市瓯海精密模具有限公司", "industry_code": "3525", "is_above_size": true, "address": "浙江省温州市瓯海区娄桥街道古岸头路18号", "reason": "新登记权利人"}
	} else {
		s["example"] = obj{"is_above_size": false, "reason": "2025年度营业收入低于规上标准"}
	}
	return s
}

func adjustmentBodySchema() obj {
	s := requestSchema(adjustmentRequest{})
	props := s["properties"].(obj)
	props["kind"].(obj)["enum"] = slices.Sorted(maps.Keys(adjustmentKinds))
	props["reason"] = reasonSchema
	for _, k := range []string{"effective_date", "proposed_on", "publicity_from", "publicity_to"} {
		props[k].(obj)["format"] = "date"
	}
	for _, k := range []string{"removals", "additions"} {
		props[k].(obj)["maxItems"] = maxParts
		props[k].(obj)["items"].(obj)["properties"].(obj)["geometry"] = sref("Geometry")
	}
	s["required"] = []string{"xzqdm", "kind", "doc_no", "effective_date"}
	s["example"] = obj{"xzqdm": "330304", "kind": "调整", "doc_no": "温自然资〔2026〕12号", "effective_date": "2026-12-20", "proposed_on": "2026-11-02",
		"reason": "娄桥片区道路改线，调出部分地块并等量补划", "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
		// Valid against the demo (the contract test proposes it): a corner of 330304-GYQK-01
		// out, a slightly larger square in, both level 1.
		"removals": []any{obj{"geometry": obj{"type": "Polygon", "coordinates": [][][]float64{{{120.632, 27.953}, {120.634, 27.953}, {120.634, 27.955}, {120.632, 27.955}, {120.632, 27.953}}}}}},
		"additions": []any{obj{"level": 1, "line_code": "330304-GYQK-07", "line_name": "娄桥工业区南扩",
			"geometry": obj{"type": "Polygon", "coordinates": [][][]float64{{{120.58, 27.955}, {120.5821, 27.955}, {120.5821, 27.957}, {120.58, 27.957}, {120.58, 27.955}}}}}}}
	return s
}

func importFormSchema() obj {
	props := obj{
		"file":            obj{"type": "string", "format": "binary", "description": "the file: Shapefile (zip or its parts), GeoPackage, GeoJSON, CSV, XLSX"},
		"kind":            obj{"type": "string", "enum": []string{string(exchange.Parcels), string(exchange.BlockLines), string(exchange.Enterprises), string(exchange.Events), string(exchange.Indicators), string(exchange.Classes)}},
		"dry_run":         obj{"type": "boolean", "description": "validate and report, write nothing"},
		"create_holders":  obj{"type": "boolean"},
		"crs":             obj{"type": "string"},
		"layer":           obj{"type": "string"},
		"mapping":         obj{"type": "string", "description": "JSON object: source field → property"},
		"encoding":        obj{"type": "string", "description": "text encoding (GBK, UTF-8 …) of a .dbf without .cpg or of a CSV"},
		"xzqdm":           obj{"type": "string"},
		"adjustment_kind": obj{"type": "string", "enum": slices.Sorted(maps.Keys(adjustmentKinds))},
		"effective_date":  obj{"type": "string", "format": "date"},
		"doc_no":          obj{"type": "string"},
		"reason":          reasonSchema,
		"proposed_on":     obj{"type": "string", "format": "date"},
		"year":            obj{"type": "integer", "minimum": 1900, "maximum": 2199, "description": "indicators: the year; mujun-classes: for rows without 年度"},
		"published_on":    obj{"type": "string", "format": "date", "description": "mujun-classes: publication date of rows without one"},
	}
	return obj{"type": "object", "required": []string{"file", "kind"}, "properties": props}
}

// featureWrite documents a Feature write of a writable collection.
func featureWrite(tag, summary, coll string, patch bool, status int) opDoc {
	w, _ := store.WritableFor(coll)
	roles := []string{w.Role}
	name := "FeatureWrite_" + coll
	mt := mtGeoJSON
	if patch {
		name, mt = "FeaturePatch_"+coll, mtMergePatch
	}
	d := opDoc{tag: tag, summary: summary, roles: roles, status: status, desc: summary,
		content: media(mtGeoJSON, sref("Feature_"+coll)), errs: []int{409, 412, 422}, headers: obj{"ETag": obj{"schema": obj{"type": "string"}}}}
	content := obj{mt: obj{"schema": sref(name)}}
	if !patch {
		content[mtJSON] = obj{"schema": sref(name)}
	}
	d.body = obj{"required": true, "content": content}
	return d
}

// itemOps documents the Feature routes of one collection.
func itemOps(coll *catalog.Collection) map[string]opDoc {
	params := itemsQueryDoc(coll)
	ops := map[string]opDoc{
		"GET /collections/:collectionId/items": {tag: tagOGC, summary: "要素 Features of " + coll.Title, status: 200, desc: "features",
			content: obj{mtGeoJSON: obj{"schema": sref("FeatureCollection_" + coll.ID)}, "text/csv": obj{"schema": obj{"type": "string"}}, mtHTML: obj{"schema": obj{"type": "string"}}},
			headers: obj{"OGC-NumberMatched": obj{"schema": obj{"type": "integer"}}}},
		"GET /collections/:collectionId/items/:featureId": {tag: tagOGC, summary: "一个要素 A feature of " + coll.Title, status: 200, desc: "feature",
			content: obj{mtGeoJSON: obj{"schema": sref("Feature_" + coll.ID)}, mtHTML: obj{"schema": obj{"type": "string"}}},
			headers: obj{"ETag": obj{"schema": obj{"type": "string"}}}},
		"OPTIONS /collections/:collectionId/items":            {tag: tagOGC, summary: "允许的方法 Allowed methods of " + coll.Title + " (QGIS reads Allow)", status: 204, desc: "Allow lists the methods", headers: obj{"Allow": obj{"schema": obj{"type": "string"}}}},
		"OPTIONS /collections/:collectionId/items/:featureId": {tag: tagOGC, summary: "允许的方法 Allowed methods of a feature of " + coll.Title, status: 204, desc: "Allow lists the methods", headers: obj{"Allow": obj{"schema": obj{"type": "string"}}}},
	}
	_ = params
	if _, ok := store.WritableFor(coll.ID); ok {
		ops["POST /collections/:collectionId/items"] = featureWrite(tagOGC, "新建要素 Create a feature of "+coll.Title, coll.ID, false, 201)
		ops["PUT /collections/:collectionId/items/:featureId"] = featureWrite(tagOGC, "替换要素 Replace a feature of "+coll.Title, coll.ID, false, 200)
		ops["PATCH /collections/:collectionId/items/:featureId"] = featureWrite(tagOGC, "变更要素 Update a feature of "+coll.Title+" (JSON merge patch)", coll.ID, true, 200)
		w, _ := store.WritableFor(coll.ID)
		ops["DELETE /collections/:collectionId/items/:featureId"] = opDoc{tag: tagOGC, summary: "注销要素 Retire a feature of " + coll.Title + " (kept in history)", roles: []string{w.Role}, status: 204, desc: "retired", errs: []int{409, 412, 422}}
	}
	return ops
}

// itemsQueryDoc are the query parameters of /items for coll: the common ones and its
// queryables (QGIS and GDAL read them as simple filters).
func itemsQueryDoc(coll *catalog.Collection) []any {
	params := []any{pref("limit"), pref("offset"), pref("after"), pref("bbox"), pref("bbox-crs"), pref("crs"),
		pref("filter"), pref("filter-lang"), pref("filter-crs"), pref("sortby"), pref("properties"), pref("skipGeometry"), pref("f_items")}
	if coll.Versioned {
		params = append(params, pref("datetime"))
	}
	if coll.Source.KnownAt != "" {
		params = append(params, pref("known_at"))
	}
	for _, qq := range coll.Queryables {
		if qq.Type == cql2.Geometry {
			continue
		}
		params = append(params, obj{"name": qq.Name, "in": "query", "required": false, "style": "form", "explode": false,
			"description": qq.Title, "schema": cqlTypeSchema[qq.Type]})
	}
	return params
}

func pref(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }

// reportContents are the media types of a report, one per format.
func reportContents() obj {
	out := obj{}
	for _, f := range report.Formats {
		s := sref("AuditReport")
		if f == "geojson" {
			s = sref("FeatureCollection")
		} else if f != "json" {
			s = binary
		}
		out[strings.Split(report.ContentType(f), ";")[0]] = obj{"schema": s}
	}
	return out
}

// queryParamDoc is the documented query parameter name of route key, from the
// route-specific table first, then the shared components.
func queryParamDoc(key, name string) obj {
	if p, ok := routeQueryDocs[key+" "+name]; ok {
		p["name"], p["in"] = name, "query"
		return p
	}
	if name == "f" {
		if htmlPages[key] {
			return pref("f")
		}
		return pref("f_json")
	}
	return pref(name)
}

// htmlPages are the routes that also answer with a page for people (f=html, or a
// browser's Accept).
var htmlPages = map[string]bool{"GET /": true, "GET /conformance": true, "GET /collections": true,
	"GET /collections/:collectionId": true, "GET /collections/:collectionId/items": true, "GET /collections/:collectionId/items/:featureId": true}

// routeQueryDocs are the query parameters whose meaning depends on the route.
var routeQueryDocs = map[string]obj{
	"GET /collections/:collectionId/styles/:styleId f": {"schema": obj{"type": "string", "enum": []string{"mapbox", "qml", "sld10"}, "default": "mapbox"}},
	"GET /v1/adjustments xzqdm":                        {"description": "only the adjustments of this district", "schema": obj{"type": "string", "pattern": "^[0-9]{6}$"}},
	"GET /v1/enterprises q":                            {"description": "USCC prefix or part of the name", "schema": obj{"type": "string"}},
	"GET /v1/enterprises industry_code":                {"description": "GB/T 4754 code prefix", "schema": obj{"type": "string"}},
	"GET /v1/enterprises is_above_size":                {"description": "规上 only (true) or not (false)", "schema": obj{"type": "boolean"}},
	"GET /v1/enterprises limit":                        {"schema": obj{"type": "integer", "minimum": 1, "maximum": maxEnterprisePage, "default": 100}},
	"DELETE /v1/parcels/:featureId effective_date":     {"description": "legal date of the retirement (default today)", "schema": obj{"type": "string", "format": "date"}},
	"DELETE /v1/parcels/:featureId doc_no":             {"description": "文号 of the decision", "schema": obj{"type": "string"}},
	"DELETE /v1/parcels/:featureId kind":               {"schema": obj{"type": "string", "enum": landreg.RetirementKinds, "default": landreg.RetireDeregister}},
	"DELETE /v1/parcels/:featureId reason":             {"description": "why (or the body's reason, or X-Landreg-Reason)", "schema": obj{"type": "string"}},
	"GET /v1/exports/:collection format":               {"schema": obj{"type": "string", "enum": []string{string(exchange.GPKG), string(exchange.SHP), string(exchange.GeoJSON)}}},
	"GET /v1/exports/:collection crs":                  {"description": "CRS of the file (default CGCS2000)", "schema": obj{"type": "string"}},
	"GET /v1/audit/:report format":                     {"schema": obj{"type": "string", "enum": report.Formats, "default": "json"}},
	"GET /v1/audit/:report district":                   {"description": "行政区划代码", "schema": obj{"type": "string", "pattern": "^[0-9]{6}$"}},
	"GET /v1/audit/:report years":                      {"description": "idle-parcels: the years idle at least", "schema": obj{"type": "integer", "minimum": 0}},
	"GET /v1/audit/:report from":                       {"description": "changes: from this date", "schema": obj{"type": "string", "format": "date"}},
	"GET /v1/audit/:report to":                         {"description": "changes: to this date", "schema": obj{"type": "string", "format": "date"}},
	"GET /v1/audit/:report year":                       {"description": "the year of a yearly report", "schema": obj{"type": "integer", "minimum": 1900, "maximum": 2199}},
	"GET /v1/audit/:report parcel":                     {"description": "dossier: the parcel's id or 宗地代码", "schema": obj{"type": "string"}},
}

func init() {
	// The form fields of /v1/imports may come in the query too.
	for k, s := range importFormSchema()["properties"].(obj) {
		if k != "file" {
			routeQueryDocs["POST /v1/imports "+k] = obj{"description": "form field (may come in the query): " + descOf(s.(obj)), "schema": s}
		}
	}
}

var pathParamRE = regexp.MustCompile(`:([A-Za-z]+)`)

// openAPIPath is the OpenAPI path of an echo pattern ("*" is the file path).
func openAPIPath(pattern string) string {
	p := pathParamRE.ReplaceAllString(pattern, "{$1}")
	return strings.Replace(p, "*", "{file}", 1)
}

// pathParams are the path parameters of an echo pattern, as components references.
func pathParams(pattern string) []any {
	var out []any
	for _, m := range pathParamRE.FindAllStringSubmatch(pattern, -1) {
		out = append(out, pref("path_"+m[1]))
	}
	if strings.Contains(pattern, "*") {
		out = append(out, pref("path_file"))
	}
	return out
}

var statusProblem = map[int]string{400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
	412: "PreconditionFailed", 413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "Unprocessable", 503: "Unavailable"}

// operationObject renders d as the OpenAPI operation of route key on path.
func operationObject(key, id string, d opDoc, params []any) obj {
	o := obj{"summary": d.summary, "operationId": id, "tags": []string{d.tag}}
	if len(params) > 0 {
		o["parameters"] = params
	}
	ok := obj{"description": d.desc}
	if d.content != nil {
		ok["content"] = d.content
	}
	if d.headers != nil {
		ok["headers"] = d.headers
	}
	responses := obj{strconv.Itoa(d.status): ok, "default": obj{"$ref": "#/components/responses/Problem"}}
	o["responses"] = responses
	errs := append([]int{400, 503}, d.errs...)
	if strings.Contains(key, ":") || strings.Contains(key, "*") {
		errs = append(errs, 404)
	}
	if d.roles != nil {
		errs = append(errs, 401, 403, 415)
		o["security"] = []any{obj{"bearer": []any{}}}
		desc := "Role: " + strings.Join(d.roles, " or ")
		if !slices.Contains(d.roles, landreg.RoleAdmin) {
			desc += " (or admin)"
		}
		o["description"] = desc + "."
		if d.body != nil || strings.HasPrefix(key, "DELETE") || strings.HasPrefix(key, "POST /v1/adjustments/") {
			o["description"] = desc + ". The reason of the write comes in the body's `reason` member (a Feature's foreign member on Feature writes) or in the `X-Landreg-Reason` header; given in both they must agree."
			o["parameters"] = append(params, pref("X-Landreg-Reason"))
		}
	}
	for _, st := range errs {
		if n, ok := statusProblem[st]; ok && st != d.status {
			responses[strconv.Itoa(st)] = obj{"$ref": "#/components/responses/" + n}
		}
	}
	if d.status == 201 && key == "POST /v1/imports" {
		responses["200"] = obj{"description": "dry run, or nothing to write: the report", "content": jsonOf(sref("ImportReport"))}
	}
	if d.body != nil {
		o["requestBody"] = d.body
	}
	return o
}

// operationID is the operationId of route key ("GET /v1/districts/:code" →
// "get_v1_districts_code"), with coll for the per-collection Feature routes.
func operationID(key, coll string) string {
	method, pattern, _ := strings.Cut(key, " ")
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(pattern, "/") {
		seg = strings.Trim(seg, ":*")
		if seg == "" {
			continue
		}
		if seg == "collectionId" && coll != "" {
			seg = coll
		}
		b.WriteString("_" + strings.NewReplacer("-", "_", ".", "_").Replace(seg))
	}
	if pattern == "/" {
		b.WriteString("_landing")
	}
	if strings.HasSuffix(pattern, "*") {
		b.WriteString("_file")
	}
	return b.String()
}

// paramsOf lists the documented parameters of route key: path, then query.
func paramsOf(key, pattern string) []any {
	params := pathParams(pattern)
	names := routeParams[key]
	if sameList(names, anyParams) || sameList(names, itemsParamsChecked) {
		return params
	}
	for _, n := range names {
		params = append(params, queryParamDoc(key, n))
	}
	return params
}

// buildOpenAPI renders the OpenAPI 3.0 definition once at start-up. QGIS and GDAL read
// components.parameters.limit (default and maximum) to size their pages, per-collection
// query parameters as simple queryables, and GDAL the filter-lang enum.
func buildOpenAPI(cfg Config) []byte {
	paths := obj{}
	add := func(key, path, id string, o obj) {
		method, _, _ := strings.Cut(key, " ")
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = o
	}
	for key, d := range operations(cfg) {
		_, pattern, _ := strings.Cut(key, " ")
		if htmlPages[key] && d.content != nil {
			d.content[mtHTML] = obj{"schema": obj{"type": "string"}}
		}
		add(key, openAPIPath(pattern), operationID(key, ""), operationObject(key, operationID(key, ""), d, paramsOf(key, pattern)))
	}
	schemas := obj{}
	if err := json.Unmarshal(responseSchemasJSON, &schemas); err != nil {
		panic(err) // embedded document: a failure here is a programming error
	}
	for _, coll := range catalog.Collections() {
		for key, d := range itemOps(coll) {
			_, pattern, _ := strings.Cut(key, " ")
			path := strings.Replace(openAPIPath(pattern), "{collectionId}", coll.ID, 1)
			params := pathParams(strings.Replace(pattern, ":collectionId", coll.ID, 1))
			switch {
			case key == "GET /collections/:collectionId/items":
				params = append(params, itemsQueryDoc(coll)...)
			case d.roles == nil && !strings.HasPrefix(key, "OPTIONS"):
				for _, n := range routeParams[key] {
					params = append(params, queryParamDoc(key, n))
				}
			case d.body != nil:
				params = append(params, pref("Content-Crs"))
			}
			if strings.HasPrefix(key, "PUT") || strings.HasPrefix(key, "PATCH") || strings.HasPrefix(key, "DELETE") {
				params = append(params, pref("If-Match"))
			}
			add(key, path, operationID(key, coll.ID), operationObject(key, operationID(key, coll.ID), d, params))
		}
		maps.Copy(schemas, featureSchemas(coll))
	}
	for _, coll := range []string{"parcels"} {
		for _, k := range []string{"POST /v1/parcels", "PUT /v1/parcels/:featureId", "PATCH /v1/parcels/:featureId"} {
			_, pattern, _ := strings.Cut(k, " ")
			op := paths[openAPIPath(pattern)].(obj)[strings.ToLower(strings.Split(k, " ")[0])].(obj)
			ps, _ := op["parameters"].([]any)
			op["parameters"] = append(ps, pref("Content-Crs"))
			if !strings.HasPrefix(k, "POST") {
				op["parameters"] = append(op["parameters"].([]any), pref("If-Match"))
			}
		}
		_ = coll
	}
	for name, v := range reflectedResponses {
		s := reflectSchema(v)
		if old, ok := schemas[name].(obj); ok && old["example"] != nil {
			s["example"] = old["example"]
		}
		schemas[name] = s
	}
	eventSchemas(schemas)
	maps.Copy(schemas, commonSchemas())
	doc := obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "landreg",
			"version":     cfg.Version,
			"description": apiDescription,
			"license":     obj{"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
			"contact":     obj{"name": "landreg"},
		},
		"servers":  []any{obj{"url": serverURL(cfg), "description": "this server"}},
		"security": []any{obj{}, obj{"bearer": []any{}}},
		"tags":     tagsDoc(),
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "a token from `landreg token create --role …`; reads need one only with `serve --auth-reads`"}},
			"parameters":      parametersDoc(cfg),
			"responses":       problemResponses(),
			"schemas":         schemas,
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // static document: a failure here is a programming error
	}
	return b
}

// serverURL is the server of the document: the base URL when configured, else the
// root of whatever host serves it.
func serverURL(cfg Config) string {
	if cfg.BaseURL != "" {
		return strings.TrimSuffix(cfg.BaseURL, "/")
	}
	return "/"
}

const apiDescription = "工业用地登记 / industrial land registry: OGC API – Features (Parts 1–5), OGC API – Tiles and Styles, " +
	"vector tiles and the /v1 domain API for block lines (工业区块线), adjustments, quota, districts, idle policy, enterprises, parcels, imports, exports and audit reports.\n\n" +
	"Errors are `application/problem+json` (RFC 9457) with a stable `type`; see the schema Problem for the list. " +
	"Writes record their actor, reason and legal date in history and in the audit log: give the reason in the body's `reason` member (or `X-Landreg-Reason`)."

func tagsDoc() []any {
	out := []any{}
	for _, t := range [][2]string{
		{tagOGC, "OGC API – Features Parts 1–5: collections, features, queryables, schemas, transactions"},
		{tagTiles, "OGC API – Tiles and the /tiles vector tiles (MVT)"},
		{tagStyles, "OGC API – Styles: MapLibre, QGIS QML and SLD in the bureau's colours"},
		{tagBlock, "工业区块线 block lines: adjustments (调整方案), quota (总量) and the ledger"},
		{tagDistricts, "行政区 districts and their settings"},
		{tagPolicy, "闲置认定参数 the idle policy of a district, versioned by effective date"},
		{tagEnter, "企业 enterprises (权利人)"},
		{tagParcels, "宗地 parcels: writes, events, status, history"},
		{tagExchange, "导入导出 imports and exports of GIS files and spreadsheets"},
		{tagAudit, "审计报表 audit reports"},
		{tagTargets, "考核目标 targets, their actuals from the registry, land transferred, official 亩均 classes"},
		{tagRemediation, "低效用地整治 remediation projects and the firms to remediate"},
		{tagSearch, "查询 finding parcels by code, holder or project"},
		{tagService, "health, metrics, this document, the map"},
	} {
		out = append(out, obj{"name": t[0], "description": t[1]})
	}
	return out
}

func parametersDoc(cfg Config) obj {
	crsEnum := geo.SupportedCRSURIs()
	str := obj{"type": "string"}
	path := func(name, desc string, schema obj) obj {
		return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
	}
	return obj{
		"path_collectionId": path("collectionId", "图层 the collection", obj{"type": "string", "enum": collectionIDs()}),
		"path_collection":   path("collection", "图层 the collection", obj{"type": "string", "enum": collectionIDs()}),
		"path_featureId":    path("featureId", "要素编号 feature id", obj{"type": "integer", "minimum": 1}),
		"path_year":         path("year", "年度 the year", obj{"type": "integer", "minimum": 1900, "maximum": 2199}),
		"format": obj{"name": "format", "in": "query", "required": false, "description": "json (default), csv or xlsx",
			"schema": obj{"type": "string", "enum": []string{"json", "csv", "xlsx"}, "default": "json"}},
		"q": obj{"name": "q", "in": "query", "required": true, "description": "宗地代码, holder name, USCC or project name, prefix or contained",
			"schema": obj{"type": "string", "minLength": 1, "maxLength": maxSearchText}},
		"status": obj{"name": "status", "in": "query", "required": false, "description": "a project status (列入清单, 制定方案, 整治中, 达标销号, 关停退出)",
			"schema": obj{"type": "string"}},
		"path_id":              path("id", "编号 id", obj{"type": "integer", "minimum": 1}),
		"path_code":            path("code", "行政区划代码 district code", obj{"type": "string", "pattern": "^[0-9]{6}$"}),
		"path_uscc":            path("uscc", "统一社会信用代码", obj{"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"}),
		"path_styleId":         path("styleId", "style", obj{"type": "string", "enum": []string{"default"}}),
		"path_tileMatrixSetId": path("tileMatrixSetId", "tile matrix set", obj{"type": "string", "enum": []string{webMercatorQuad}}),
		"path_tileMatrix":      path("tileMatrix", "zoom level", obj{"type": "integer", "minimum": 0, "maximum": 22}),
		"path_tileRow":         path("tileRow", "row", obj{"type": "integer", "minimum": 0}),
		"path_tileCol":         path("tileCol", "column", obj{"type": "integer", "minimum": 0}),
		"path_layers":          path("layers", "comma-separated layers (collections)", str),
		"path_z":               path("z", "zoom", obj{"type": "integer", "minimum": 0, "maximum": 22}),
		"path_x":               path("x", "column", obj{"type": "integer", "minimum": 0}),
		"path_y":               path("y", "row, optionally with .mvt", obj{"type": "string", "pattern": `^[0-9]+(\.mvt)?$`}),
		"path_report":          path("report", "报表 the report", obj{"type": "string", "enum": audit.Names()}),
		"path_file":            path("file", "a file path", str),
		"date":                 obj{"name": "date", "in": "query", "required": false, "description": "as of this date (default today, Asia/Shanghai)", "schema": obj{"type": "string", "format": "date"}},
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
		"datetime": obj{"name": "datetime", "in": "query", "required": false, "description": "A date (the versions valid that day) or an interval a/b with .. for open ends (every version valid in it, each Feature's id then its version's, id.version, e.g. \"12.3\", which /items/12.3 serves again).", "schema": str},
		"district": obj{"name": "district", "in": "query", "required": false, "description": "行政区划代码 a district (GB/T 2260); absent: every district",
			"schema": obj{"type": "string", "pattern": "^[1-9][0-9]{5}$"}},
		"year": obj{"name": "year", "in": "query", "required": false, "description": "年度 a year", "schema": obj{"type": "integer", "minimum": 1900, "maximum": 2199}},
		"known_at": obj{"name": "known_at", "in": "query", "required": false,
			"description": "As the register stood at this system time: an RFC 3339 instant, or a date meaning the end of that day in Asia/Shanghai.",
			"schema":      str},
		"filter":      obj{"name": "filter", "in": "query", "required": false, "description": "CQL2 text", "schema": str},
		"filter-lang": obj{"name": "filter-lang", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{"cql2-text", "cql-text"}, "default": "cql2-text"}},
		"filter-crs":  obj{"name": "filter-crs", "in": "query", "required": false, "schema": obj{"type": "string", "enum": []string{geo.CRS84URI}}},
		"sortby":      obj{"name": "sortby", "in": "query", "required": false, "style": "form", "explode": false, "description": "+name,-name", "schema": obj{"type": "array", "items": str}},
		"f":           obj{"name": "f", "in": "query", "required": false, "description": "json, or html for people", "schema": obj{"type": "string", "enum": []string{"json", "html"}}},
		"f_json":      obj{"name": "f", "in": "query", "required": false, "description": "the only encoding is JSON", "schema": obj{"type": "string", "enum": []string{"json"}}},
		"f_items":     obj{"name": "f", "in": "query", "required": false, "schema": obj{"type": "string", "enum": itemsFormats}},
		"properties": obj{"name": "properties", "in": "query", "required": false, "style": "form", "explode": false,
			"description": "The properties to serve (the id is always served); see /collections/{collectionId}/schema",
			"schema":      obj{"type": "array", "items": str}},
		"skipGeometry": obj{"name": "skipGeometry", "in": "query", "required": false, "description": "Serve features without geometry",
			"schema": obj{"type": "boolean", "default": false}},
		"Content-Crs":      obj{"name": "Content-Crs", "in": "header", "required": false, "description": "CRS of the body's coordinates, in its axis order (default CRS84)", "schema": str},
		"If-Match":         obj{"name": "If-Match", "in": "header", "required": false, "description": "ETag from a GET; optional (QGIS does not send it)", "schema": str},
		"X-Landreg-Reason": obj{"name": reasonHeader, "in": "header", "required": false, "description": "why, when the body has no reason member (QGIS); percent-encode non-ASCII text or prefer the body", "schema": str},
	}
}

// problemTypes are the problem types landreg answers with (docs/errors.md; a test
// keeps the two lists equal).
var problemTypes = []string{"invalid-parameter", "not-found", "method-not-allowed", "unsupported-media-type", "payload-too-large",
	"invalid-geometry", "empty-geometry", "outside-china", "overlap", "outside-district", "date-order", "preview-failed",
	"not-yet-effective", "already-delineated", "before-rule-window", "district-overlap", "duplicate", "reason-conflict",
	"constraint-violation", "unknown-reference", "rule-violation", "timeout", "database-unavailable", "not-ready",
	"invalid-stored-value", "block-line-rule", "invalid-state", "concurrent-change", "unauthorized", "forbidden",
	"malformed-json", "invalid-file-name", "file-type-mismatch", "unsafe-archive", "invalid-file", "import-refused",
	"gdal-missing", "internal", "precondition-failed", "invalid-code", "retired", "invalid-event", "http-error"}

func problemResponses() obj {
	out := obj{"Problem": obj{"description": "problem (RFC 9457)", "content": media(mtProblemJSON, sref("Problem"))}}
	examples := map[int]obj{
		400: {"type": problemBase + "invalid-parameter", "title": "Invalid parameter", "status": 400, "detail": "bbox 须为 4 或 6 个数 / bbox needs 4 or 6 comma-separated numbers, got 3", "field": "bbox", "instance": "/collections/parcels/items?bbox=1,2,3"},
		401: {"type": problemBase + "unauthorized", "title": "Unauthorized", "status": 401, "detail": "需要令牌 / a token is required"},
		403: {"type": problemBase + "forbidden", "title": "Forbidden", "status": 403, "detail": "此角色无权操作 / this role may not do this", "allowed": []string{"registrar", "admin"}},
		404: {"type": problemBase + "not-found", "title": "Not found", "status": 404, "detail": "宗地不存在 / no such parcel"},
		409: {"type": problemBase + "duplicate", "title": "Duplicate", "status": 409, "detail": "宗地代码 330304001001GB00012 已存在 / zddm 330304001001GB00012 already exists", "field": "properties.zddm"},
		412: {"type": problemBase + "precondition-failed", "title": "Precondition failed", "status": 412, "detail": "要素已被修改 / the feature changed since the ETag"},
		413: {"type": problemBase + "payload-too-large", "title": "Payload too large", "status": 413, "detail": "请求体过大 / the request body exceeds 16 MiB"},
		415: {"type": problemBase + "unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "请求体须为 JSON / the body must be JSON", "allowed": []string{mtJSON}},
		422: {"type": problemBase + "constraint-violation", "title": "Value violates a rule", "status": 422, "detail": "doc_no 为必填项 / doc_no is required", "field": "doc_no"},
		503: {"type": problemBase + "database-unavailable", "title": "Database unavailable", "status": 503, "detail": "数据库暂不可用 / the database cannot serve now"},
	}
	for st, n := range statusProblem {
		out[n] = obj{"description": http.StatusText(st) + " (problem+json)",
			"content": obj{mtProblemJSON: obj{"schema": sref("Problem"), "example": examples[st]}}}
	}
	return out
}

func problemSchema() obj {
	var rows strings.Builder
	rows.WriteString("RFC 9457 problem detail, landreg's only error body. `detail` is Chinese, then ` / `, then English. The types (`urn:landreg:problem:` + one of):\n\n")
	for _, t := range problemTypes {
		rows.WriteString("- `" + t + "`\n")
	}
	rows.WriteString("\nSee docs/errors.md for when each is sent.")
	return obj{"type": "object", "required": []string{"type", "title", "status", "detail"}, "description": rows.String(),
		"properties": obj{
			"type":       obj{"type": "string", "pattern": "^urn:landreg:problem:[a-z-]+$", "description": "stable problem type"},
			"title":      obj{"type": "string"},
			"status":     obj{"type": "integer", "minimum": 400, "maximum": 599},
			"detail":     obj{"type": "string", "description": "中文 / English"},
			"field":      obj{"type": "string", "description": "the offending parameter, member or column"},
			"feature_id": obj{"type": "string"},
			"instance":   obj{"type": "string"},
			"allowed":    obj{"type": "array", "items": obj{"type": "string"}, "description": "the accepted values or roles"},
			"rule":       obj{"type": "object", "description": "figures of a refused block-line change (shortfall per level), or the failing preview"},
			"report":     obj{"description": "import-refused: the validation report", "allOf": []any{sref("ImportReport")}},
		},
		"example": obj{"type": problemBase + "invalid-parameter", "title": "Invalid parameter", "status": 400,
			"detail": "bbox 须为 4 或 6 个数 / bbox needs 4 or 6 comma-separated numbers, got 3", "field": "bbox", "instance": "/collections/parcels/items?bbox=1,2,3"}}
}

// commonSchemas are the schemas written in Go: the problem, areas, GeoJSON, the
// reflected ones.
func commonSchemas() obj {
	outcome := obj{"type": "object", "required": []string{"accepted", "kind", "level1", "level2", "balance"},
		"properties": obj{"accepted": obj{"type": "boolean"}, "message": obj{"type": "string"}, "kind": obj{"type": "string"},
			"effective_date": obj{"type": "string", "format": "date", "nullable": true}, "raw": reflectSchema(store.Outcome{})}}
	props := outcome["properties"].(obj)
	level := obj{"type": "object", "properties": obj{"removed": sref("Area"), "added": sref("Area"), "net": sref("Area"), "shortfall": sref("Area")}}
	props["level1"], props["level2"] = level, level
	for _, k := range []string{"reserve_used", "reserve_added", "free_added", "balance", "total_before", "total_after", "reserve_after", "baseline_short"} {
		props[k] = sref("Area")
	}
	props["baseline"] = sref("AreaOrNull")
	area := func() obj {
		return obj{"type": "object", "required": []string{"m2", "mu", "ha"}, "description": "an area in m², 亩 and 公顷",
			"properties": obj{"m2": obj{"type": "number"}, "mu": obj{"type": "number"}, "ha": obj{"type": "number"}},
			"example":    obj{"m2": 2620376.54, "mu": 3930.5648, "ha": 262.0377}}
	}
	geometry := func() obj {
		return obj{"type": "object", "required": []string{"type"}, "description": "GeoJSON geometry (Polygon or MultiPolygon for writes)",
			"properties": obj{"type": obj{"type": "string", "enum": []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}},
				// Positions nest by geometry type: numbers in a Point, arrays of them above.
				"coordinates": obj{"type": "array", "items": obj{"anyOf": []any{obj{"type": "number"}, obj{"type": "array", "items": obj{}}}}},
				"geometries":  obj{"type": "array", "items": obj{"type": "object", "required": []string{"type"}, "properties": obj{"type": obj{"type": "string"}}}}}}
	}
	review := func() obj { return reflectSchema(store.DirectEditReview{}) }
	// OpenAPI 3.0's nullable does not reach through allOf: a schema that may be null is
	// its own component (XOrNull).
	orNull := func(s obj) obj { s["nullable"] = true; delete(s, "example"); return s }
	return obj{
		"Problem":        problemSchema(),
		"Area":           area(),
		"AreaOrNull":     orNull(area()),
		"Geometry":       geometry(),
		"GeometryOrNull": orNull(geometry()),
		"ReviewOrNull":   orNull(review()),
		"Link": obj{"type": "object", "required": []string{"href", "rel"}, "properties": obj{"href": obj{"type": "string"}, "rel": obj{"type": "string"},
			"type": obj{"type": "string"}, "title": obj{"type": "string"}, "templated": obj{"type": "boolean"}}},
		"FeatureCollection": obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{
			"type": obj{"type": "string", "enum": []string{"FeatureCollection"}}, "features": obj{"type": "array", "items": obj{"type": "object"}}}},
		"JSONSchema": obj{"type": "object", "required": []string{"type", "properties"}, "description": "a JSON Schema (draft 2020-12) of the features' properties",
			"properties": obj{"$schema": obj{"type": "string"}, "$id": obj{"type": "string"}, "title": obj{"type": "string"}, "type": obj{"type": "string", "enum": []string{"object"}},
				"properties": obj{"type": "object", "additionalProperties": obj{"type": "object"}}}},
		"Outcome":      outcome,
		"ImportReport": reflectSchema(exchange.Report{}),
		"Review":       review(),
		"Delineation":  reflectSchema(store.Delineation{}),
		"Event":        sref("ParcelEvent"),
	}
}

// reflectedResponses are the responses that handlers write as a store type: their
// schemas are reflected from it, the example kept from openapi/responses.json.
var reflectedResponses = map[string]any{
	"Adjustment":    store.Adjustment{},
	"Enterprise":    store.Enterprise{},
	"ParcelEvent":   store.Event{},
	"ParcelHistory": store.Dossier{},
}

// featureSchemas are the GeoJSON schemas of coll's features and writes, from the
// catalogue's properties (the same table /collections/{id}/schema serves).
func featureSchemas(coll *catalog.Collection) obj {
	props := obj{"id": obj{"type": "integer", "description": "要素编号 feature id (also the GeoJSON id)"}}
	for _, p := range coll.Properties {
		s := obj{"title": p.Title, "nullable": true}
		for k, v := range propTypeSchema[p.Type] {
			if k == "type" {
				v = v.([]string)[0]
			}
			s[k] = v
		}
		if p.Type == catalog.List {
			s["items"] = obj{}
		}
		props[p.Name] = s
	}
	feature := obj{"type": "object", "required": []string{"type", "geometry", "properties"}, "properties": obj{
		"type":       obj{"type": "string", "enum": []string{"Feature"}},
		"id":         obj{"oneOf": []any{obj{"type": "integer"}, obj{"type": "string"}}},
		"geometry":   sref("GeometryOrNull"),
		"properties": obj{"type": "object", "properties": props},
		"links":      obj{"type": "array", "items": sref("Link")},
	}}
	out := obj{
		"Feature_" + coll.ID: feature,
		"FeatureCollection_" + coll.ID: obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{
			"type":           obj{"type": "string", "enum": []string{"FeatureCollection"}},
			"features":       obj{"type": "array", "items": sref("Feature_" + coll.ID)},
			"links":          obj{"type": "array", "items": sref("Link")},
			"numberMatched":  obj{"type": "integer", "minimum": 0},
			"numberReturned": obj{"type": "integer", "minimum": 0},
			"timeStamp":      obj{"type": "string", "format": "date-time"},
		}},
	}
	if w, ok := store.WritableFor(coll.ID); ok {
		wp := obj{}
		for k, t := range w.Columns {
			s := sqlSchema(t)
			s["nullable"] = true
			wp[k] = s
		}
		for k := range w.ReadOnly {
			wp[k] = obj{"description": "read-only: accepted (clients echo it back) and ignored"}
		}
		body := func(patch bool) obj {
			s := obj{"type": "object", "description": "a GeoJSON Feature of the writable properties; `reason` (a foreign member) says why",
				"properties": obj{
					"type":       obj{"type": "string", "enum": []string{"Feature"}},
					"id":         obj{},
					"geometry":   sref("Geometry"),
					"properties": obj{"type": "object", "properties": wp},
					"reason":     reasonSchema,
				}}
			if !patch {
				s["required"] = []string{"type", "geometry", "properties"}
			} else {
				s["description"] = "a JSON merge patch of the Feature: the members given change, null clears; `reason` says why"
			}
			if ex, ok := featureWriteExamples[coll.ID]; ok {
				e := maps.Clone(ex)
				if patch {
					e = featurePatchExamples[coll.ID]
				}
				s["example"] = e
			}
			return s
		}
		out["FeatureWrite_"+coll.ID] = body(false)
		out["FeaturePatch_"+coll.ID] = body(true)
	}
	return out
}

var featureWriteExamples = map[string]obj{
	"parcels": {"type": "Feature", "reason": "出让合同签订后登记",
		"geometry": obj{"type": "Polygon", "coordinates": [][][]float64{{{120.5, 27.89}, {120.502, 27.89}, {120.502, 27.8915}, {120.5, 27.8915}, {120.5, 27.89}}}},
		"properties": obj{"zddm": "330304001001GB00099", "xzqdm": "330304", "location": "瓯海区娄桥街道瓯海经济开发区B-09地块",
			"project_name": "年产20万套精密模具生产项目", "holder_name": "温州市瓯海精密模具有限公司", "holder_uscc": "91330300MA2L5RX12X",
			"landuse_code": "0601", "landuse_system": "GB/T 21010", "industry_code": "3525", "registered_area_m2": 32950.5,
			"supply_method": "招拍挂", "contract_no": "瓯海出让〔2026〕017号", "contract_date": "2026-05-12", "price_wan": 2860.0,
			"term_years": 50, "is_standard_land": true, "agreed_delivery": "2026-07-01", "agreed_start": "2027-01-01",
			"agreed_completion": "2029-06-30", "far_min": 1.5, "far_max": 3.0, "invest_intensity_wan_per_mu": 400, "valid_from": "2026-05-12"}},
	"block_lines": {"type": "Feature", "reason": "补划一级区块线",
		"geometry":   obj{"type": "Polygon", "coordinates": [][][]float64{{{120.58, 27.955}, {120.585, 27.955}, {120.585, 27.96}, {120.58, 27.96}, {120.58, 27.955}}}},
		"properties": obj{"code": "330304-L1-031", "name": "娄桥工业区南扩", "xzqdm": "330304", "level": 1, "approval_doc": "温政函〔2026〕33号"}},
}

var featurePatchExamples = map[string]obj{
	"parcels":     {"properties": obj{"holder_name": "温州市瓯海精密模具有限公司", "holder_uscc": "91330300MA2L5RX12X"}, "reason": "转让后变更权利人"},
	"block_lines": {"properties": obj{"name": "娄桥工业区（南片）"}, "reason": "更正区块名称"},
}

func collectionIDs() []string {
	var out []string
	for _, c := range catalog.Collections() {
		out = append(out, c.ID)
	}
	return out
}
