package api

import (
	"maps"
	"slices"

	"github.com/landreg/landreg"
)

// The payload of a parcel event (宗地事件) by its type, as the database accepts it:
// parcel_event_validate (the figures within landreg_sys.value_bounds, the type's
// required_key, the typed keys year, passed, from/to, new_start_deadline),
// parcel_event_rules (a recovery's basis and compensation), parcel_transfer_check (a
// transfer's new holder) and disposal_rules (a disposal's decision). Rules that read
// other rows (an extension at most a year, a fee paid at most what was levied, a
// recovery without compensation only for land idle two years of the holder's making)
// are described, not expressible in a schema. TestEventPayloadSchemas holds the keys,
// bounds and vocabularies equal to the database's and has the database refuse what
// each schema refuses.

// payloadKey is a key an event type reads besides the figures every payload may carry.
type payloadKey struct {
	name   string
	schema obj
}

var (
	dateKey         = obj{"type": "string", "format": "date"}
	disposalChoices = []string{"EXTEND", "CHANGE_USE", "TEMPORARY_USE", "SWAP", "OTHER"}
	recoveryBases   = []string{landreg.RecoveryUncompensated, landreg.RecoveryCompensated}
)

// eventPayloadKeys are the keys each type reads, and which of them it requires
// (the type's required_key in landreg_sys.event_types, plus a transfer's new holder,
// which parcel_transfer_check requires). Types not listed read only figures, if any.
var eventPayloadKeys = map[string]struct {
	keys     []payloadKey
	required []string
	// oneOf, when set, are alternatives the payload must match exactly one of.
	oneOf []any
	doc   string
}{
	"GOV_CAUSE": {keys: []payloadKey{
		{"from", withDesc(dateKey, "政府原因起始日 first day of the government cause")},
		{"to", withDesc(nullable(dateKey), "政府原因结束日，null 为持续中 last day, null while it lasts (not before from)")},
	}, required: []string{"from"}},
	"EXTENSION_APPROVED": {keys: []payloadKey{
		{"new_start_deadline", withDesc(dateKey, "新的开工期限，至多延长一年（53号令第十二条） the new start deadline, at most a year after the original (53号令 art. 12)")},
	}, required: []string{"new_start_deadline"}},
	"ANNUAL_INDICATORS": {required: []string{"year"}, doc: "year: the year the figures are of, not after the event's"},
	"RAMPUP_REVIEWED": {keys: []payloadKey{
		{"passed", obj{"type": "boolean", "description": "复核是否达标 whether the review passed"}},
	}, required: []string{"passed"}},
	"IDLE_FEE_LEVIED": {required: []string{"amount_wan"}},
	"IDLE_FEE_PAID":   {required: []string{"amount_wan"}, doc: "amount_wan: at most what was levied and is unpaid on the event's date"},
	"RECOVERY_DECIDED": {keys: []payloadKey{
		{"basis", obj{"type": "string", "enum": recoveryBases, "description": "收回依据 basis (landreg_sys.recovery_bases)"}},
	}, required: []string{"basis"}, oneOf: []any{
		obj{"properties": obj{"basis": obj{"enum": []string{landreg.RecoveryCompensated}}, "compensation_wan": obj{"type": "number"}},
			"required": []string{"basis", "compensation_wan"}},
		obj{"properties": obj{"basis": obj{"enum": []string{landreg.RecoveryUncompensated}}, "compensation_wan": obj{"enum": []any{0}}},
			"required": []string{"basis"}},
	}, doc: "UNCOMPENSATED only for land idle two years of the holder's making (53号令 art. 14); COMPENSATED with compensation_wan"},
	"DISPOSED": {keys: []payloadKey{
		{"decision", obj{"type": "string", "enum": disposalChoices, "description": "处置方式 decision (landreg_sys.disposal_decisions but the recoveries, which are RECOVERY_DECIDED)"}},
		{"method", obj{"type": "string", "description": "处置方式（文字） the disposal in words"}},
	}},
	"TRANSFERRED": {keys: []payloadKey{
		{"new_holder_uscc", obj{"type": "string", "description": "受让人统一社会信用代码（已登记企业） the new holder's USCC, a registered enterprise"}},
		{"new_holder_name", obj{"type": "string", "description": "受让人名称 the new holder's name"}},
		{"contract_no", obj{"type": "string", "description": "转让合同编号 transfer contract number (the API requires it)"}},
		{"contract_date", withDesc(dateKey, "转让合同日期，不晚于转让日 contract date, not after the transfer")},
		{"previous_holder_uscc", obj{"type": "string", "description": "原权利人（由登记簿填写，请求中不得发送） previous holder, filled in from the register; refused in a request"}},
		{"previous_holder_name", obj{"type": "string", "description": "原权利人名称（由登记簿填写） previous holder's name, filled in from the register"}},
	}, required: []string{"new_holder_uscc"}},
}

func withDesc(s obj, d string) obj {
	out := maps.Clone(s)
	out["description"] = d
	return out
}

func nullable(s obj) obj {
	out := maps.Clone(s)
	out["nullable"] = true
	return out
}

// eventPayloadSchemas are EventPayload (what every payload is: an object whose known
// figures are numbers within their bounds and any other number within ±1e12) and one
// EventPayload_<TYPE> per event type.
func eventPayloadSchemas() obj {
	figures := obj{}
	for _, k := range slices.Sorted(maps.Keys(payloadBounds)) {
		b := payloadBounds[k]
		s := obj{"type": "number", "minimum": b.Min, "maximum": b.Max}
		if b.Integer {
			s["type"] = "integer"
		}
		if b.MinOpen {
			s["exclusiveMinimum"] = true
		}
		if b.Unit != "" {
			s["x-unit"] = b.Unit
		}
		figures[k] = s
	}
	out := obj{"EventPayload": obj{
		"type": "object",
		"description": "事件数据 an event's payload: the figures the database knows (landreg_sys.value_bounds) are numbers within their bounds; " +
			"any other key is kept as given, a number within ±1e12. Each event type reads its own keys (EventPayload_<type>).",
		"properties": figures,
		"additionalProperties": obj{"anyOf": []any{
			obj{"not": obj{"type": "number"}},
			obj{"type": "number", "minimum": otherPayloadNumber.Min, "maximum": otherPayloadNumber.Max},
		}},
	}}
	for _, typ := range landreg.EventTypes {
		spec := eventPayloadKeys[typ]
		own := obj{"type": "object"}
		desc := "事件 " + typ + " 的数据 the payload of a " + typ + " event"
		if spec.doc != "" {
			desc += "; " + spec.doc
		}
		if len(spec.keys) > 0 {
			props := obj{}
			for _, k := range spec.keys {
				props[k.name] = k.schema
			}
			own["properties"] = props
		}
		if len(spec.required) > 0 {
			own["required"] = spec.required
		}
		if spec.oneOf != nil {
			own["oneOf"] = spec.oneOf
		}
		out["EventPayload_"+typ] = obj{"description": desc, "allOf": []any{sref("EventPayload"), own}}
	}
	return out
}

// eventSchemas replace the reflected ParcelEvent by one schema per event type, chosen by
// its type (a discriminator), each with its type's payload; ParcelEventCommon is the
// reflected one. The events of a dossier are ParcelEvents too.
func eventSchemas(schemas obj) {
	common := schemas["ParcelEvent"].(obj)
	example := common["example"]
	delete(common, "example")
	common["properties"].(obj)["type"] = obj{"type": "string", "enum": landreg.EventTypes}
	schemas["ParcelEventCommon"] = common
	var variants []any
	mapping := obj{}
	for _, typ := range landreg.EventTypes {
		name := "ParcelEvent_" + typ
		schemas[name] = obj{"allOf": []any{sref("ParcelEventCommon"), obj{"type": "object", "properties": obj{
			"type":    obj{"type": "string", "enum": []string{typ}},
			"payload": sref("EventPayload_" + typ),
		}}}}
		variants = append(variants, sref(name))
		mapping[typ] = "#/components/schemas/" + name
	}
	ev := obj{"description": "宗地事件，按 type 区分 a parcel event; its payload by its type", "oneOf": variants,
		"discriminator": obj{"propertyName": "type", "mapping": mapping}}
	if example != nil {
		ev["example"] = example
	}
	schemas["ParcelEvent"] = ev
	maps.Copy(schemas, eventPayloadSchemas())
	maps.Copy(schemas, eventRequestSchemas())
	if h, ok := schemas["ParcelHistory"].(obj); ok {
		h["properties"].(obj)["events"] = obj{"type": "array", "items": sref("ParcelEvent"), "nullable": true}
	}
	auditRowSchemas(schemas)
}

// eventRequestBody is the body of POST /v1/parcels/{id}/events: one schema per event
// type, chosen by its type, each with its type's payload (EventRequest_<TYPE>, made by
// eventRequestSchemas). A payload left out is {}.
func eventRequestBody(example any) obj {
	var variants []any
	mapping := obj{}
	for _, typ := range landreg.EventTypes {
		variants = append(variants, sref("EventRequest_"+typ))
		mapping[typ] = "#/components/schemas/EventRequest_" + typ
	}
	return obj{"oneOf": variants, "discriminator": obj{"propertyName": "type", "mapping": mapping}, "example": example}
}

// eventRequestSchemas are EventRequestCommon (the reflected request) and the
// EventRequest_<TYPE> eventRequestBody chooses among. A transfer's request names its
// contract and never the previous holder, which the register fills in.
func eventRequestSchemas() obj {
	common := requestSchema(eventRequest{})
	common["properties"].(obj)["type"].(obj)["enum"] = landreg.EventTypes
	common["required"] = []string{"type", "event_date"}
	out := obj{"EventRequestCommon": common}
	for _, typ := range landreg.EventTypes {
		payload := sref("EventPayload_" + typ)
		if typ == landreg.EventTransferred {
			has := func(k string) obj { return obj{"properties": obj{k: obj{"type": "string"}}, "required": []string{k}} }
			payload = obj{"allOf": []any{payload, obj{"properties": obj{"contract_no": obj{"type": "string"}}, "required": []string{"contract_no"},
				"not": obj{"anyOf": []any{has("previous_holder_uscc"), has("previous_holder_name")}}}}}
		}
		v := obj{"type": "object", "properties": obj{"type": obj{"type": "string", "enum": []string{typ}}, "payload": payload}}
		if len(eventPayloadKeys[typ].required) > 0 {
			v["required"] = []string{"payload"}
		}
		out["EventRequest_"+typ] = obj{"allOf": []any{sref("EventRequestCommon"), v}}
	}
	return out
}

// auditColumn is a column of an audited table as its audit rows hold it.
type auditColumn struct {
	name, sqlType string
	nullable      bool
}

// dossierAuditRows are the columns of the tables whose audit rows a parcel's dossier
// shows (store.ParcelDossier), as landreg_sys.audit writes them (generated columns
// left out; a parcel's area_m2 is set by its trigger since migration 00034, and older
// rows lack it) less what the dossier drops (geom; props_json, derived): every column that
// is not generated, in table order. TestAuditRowSchemas holds them equal to the
// tables' columns.
var dossierAuditRows = map[string][]auditColumn{
	"parcels": {{"id", "bigint", false}, {"zddm", "text", false}, {"bdcdyh", "text", true}, {"cert_no", "text", true},
		{"xzqdm", "text", false}, {"location", "text", true}, {"project_name", "text", true}, {"holder_name", "text", true},
		{"holder_uscc", "text", true}, {"landuse_code", "text", false}, {"landuse_system", "text", false},
		{"industry_code", "text", true}, {"registered_area_m2", "numeric", true}, {"supply_method", "text", true},
		{"supervision_no", "text", true}, {"contract_no", "text", true}, {"contract_date", "date", true},
		{"price_wan", "numeric", true}, {"term_years", "integer", true}, {"is_standard_land", "boolean", false},
		{"agreed_delivery", "date", true}, {"agreed_start", "date", true}, {"agreed_completion", "date", true},
		{"agreed_rampup_review", "date", true}, {"far_min", "numeric", true}, {"far_max", "numeric", true},
		{"coverage_min", "numeric", true}, {"invest_intensity_wan_per_mu", "numeric", true}, {"tax_per_mu_wan", "numeric", true},
		{"va_per_mu_wan", "numeric", true}, {"energy_va_wan_per_tce", "numeric", true}, {"emission_va_wan_per_t", "numeric", true},
		{"rd_ratio", "numeric", true}, {"valid_from", "date", false}, {"sys_from", "timestamp with time zone", false},
		{"version", "integer", false}, {"created_by", "text", true}, {"reason", "text", true}, {"area_m2", "double precision", true}},
	"parcel_events": {{"id", "bigint", false}, {"parcel_id", "bigint", false}, {"type", "text", false},
		{"event_date", "date", false}, {"doc_no", "text", true}, {"payload", "jsonb", false}, {"supersedes", "bigint", true},
		{"reason", "text", true}, {"recorded_at", "timestamp with time zone", false}, {"recorded_by", "text", false}},
	"parcel_retirements": {{"parcel_id", "bigint", false}, {"version", "integer", false}, {"kind", "text", false},
		{"effective_date", "date", false}, {"doc_no", "text", true}, {"reason", "text", true},
		{"recorded_at", "timestamp with time zone", false}, {"recorded_by", "text", false}},
}

// auditRowSchemas are AuditRow_<table> for dossierAuditRows (closed objects, null
// where the column allows it; an event row's payload is an
// EventPayload) and DossierAuditEntry, an audit entry whose old and new rows are those
// of the table it names.
func auditRowSchemas(schemas obj) {
	var variants []any
	mapping := obj{}
	for _, table := range slices.Sorted(maps.Keys(dossierAuditRows)) {
		props := obj{}
		for _, c := range dossierAuditRows[table] {
			var s obj
			switch c.sqlType {
			case "timestamp with time zone":
				s = obj{"type": "string", "format": "date-time"}
			case "jsonb":
				s = sref("EventPayload")
			default:
				s = sqlSchema(c.sqlType)
			}
			if c.nullable {
				s["nullable"] = true
			}
			props[c.name] = s
		}
		// No member is required: a row audited before a later migration added a column
		// lacks it.
		schemas["AuditRow_"+table] = obj{"type": "object", "description": "审计记录中 " + table + " 表的一行 a row of " + table + " as its audit entries hold it",
			"properties": props, "additionalProperties": false}
		name := "DossierAuditEntry_" + table
		schemas[name] = obj{"allOf": []any{sref("AuditEntry"), obj{"type": "object", "properties": obj{
			"table": obj{"type": "string", "enum": []string{table}},
			"old":   obj{"allOf": []any{sref("AuditRow_" + table)}, "description": "变更前的行（插入时无） the row before the change (none for an insert)"},
			"new":   obj{"allOf": []any{sref("AuditRow_" + table)}, "description": "变更后的行（删除时无） the row after the change (none for a delete)"},
		}}}}
		variants = append(variants, sref(name))
		mapping[table] = "#/components/schemas/" + name
	}
	schemas["DossierAuditEntry"] = obj{"description": "宗地档案的审计记录，按 table 区分 an audit entry of a parcel's dossier; its rows by its table",
		"oneOf": variants, "discriminator": obj{"propertyName": "table", "mapping": mapping}}
	if h, ok := schemas["ParcelHistory"].(obj); ok {
		audit := h["properties"].(obj)["audit"].(obj)
		schemas["AuditEntry"] = audit["items"]
		audit["items"] = sref("DossierAuditEntry")
	}
}
