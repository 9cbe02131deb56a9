package api

import (
	"github.com/landreg/landreg/store"
)

// The routes of targets, remediation, official 亩均 classes, enterprise indicators and
// search, documented as every other route is (operations), in their own file.

const (
	tagTargets     = "考核目标 Targets and supply"
	tagRemediation = "低效用地整治 Remediation"
	tagSearch      = "查询 Search"
)

// listOf is a JSON object holding a list of a component schema under key, beside
// extra members.
func listOf(key, schema string, extra obj) obj {
	props := obj{key: obj{"type": "array", "items": sref(schema)}}
	for k, v := range extra {
		props[k] = v
	}
	return obj{"type": "object", "required": []string{key}, "properties": props}
}

func readAs(tag, summary string, schema obj) opDoc {
	return opDoc{tag: tag, summary: summary, status: 200, desc: summary, content: jsonOf(schema)}
}

func anyObject(desc string) obj {
	return obj{"type": "object", "description": desc, "additionalProperties": true}
}

var dateSchema = obj{"type": "string", "format": "date"}

func moreOperations() map[string]opDoc {
	ops := map[string]opDoc{
		"GET /v1/targets":       readAs(tagTargets, "考核目标 The targets in force", listOf("targets", "Target", nil)),
		"POST /v1/targets":      write(tagTargets, "登记考核目标 Register a target (admin)", rolesAdmin, anyObject("kind, value, period_from, period_to, xzqdm (omit: city), doc_no, supply_method, above_size_only, effective_date, reason"), 201, "Target"),
		"GET /v1/targets/:id":   read(tagTargets, "考核目标及其各版本 A target with every version", "Target"),
		"PATCH /v1/targets/:id": write(tagTargets, "变更考核目标 Change a target (admin): a new version", rolesAdmin, anyObject("the fields to change"), 200, "Target"),
		"DELETE /v1/targets/:id": func() opDoc {
			d := write(tagTargets, "撤销考核目标 Retire a target (admin)", rolesAdmin, nil, 204, "")
			d.desc = "retired (kept in history)"
			return d
		}(),
		"GET /v1/targets/progress": readAs(tagTargets, "目标完成情况 Every target on date, as known at known_at, with its actual computed from the registry, pace and status",
			listOf("targets", "TargetProgress", obj{"date": dateSchema, "known_at": obj{"type": "string", "format": "date-time", "nullable": true}})),
		"GET /v1/transfers":             readAs(tagTargets, "土地出让总量 Land transferred (出让) per district and year, the bureau's figure", listOf("transfers", "LandTransfers", nil)),
		"PUT /v1/transfers/:code/:year": write(tagTargets, "填报出让总量 Enter a district's land transferred in a year (admin)", rolesAdmin, anyObject("transferred_mu, doc_no, reason"), 200, "LandTransfers"),
		"GET /v1/mujun/classes":         readAs(tagTargets, "官方亩均评价类别 The official 亩均 classes of a year", anyObject("classes: the published A/B/C/D per enterprise")),
		"POST /v1/mujun/classes":        write(tagTargets, "登记官方亩均评价 Record the published classes (admin)", rolesAdmin, anyObject("year, results: [{uscc, class, published_on}]"), 200, ""),

		"GET /v1/remediation":            readAs(tagRemediation, "整治项目 Remediation projects", listOf("projects", "Project", nil)),
		"POST /v1/remediation":           write(tagRemediation, "列入整治清单 List a remediation project (planner)", rolesPlanner, anyObject("xzqdm, town, name, method, planned_mu, planned_from, planned_to, plan, parcels, enterprises"), 201, "Project"),
		"GET /v1/remediation/candidates": readAs(tagRemediation, "整治企业清单 Firms judged 低效 (or class D) with their project or 未列项目", listOf("candidates", "Candidate", obj{"year": obj{"type": "integer"}})),
		"GET /v1/remediation/:id":        read(tagRemediation, "整治项目及其进展 A project with its steps and links", "Project"),
		"PATCH /v1/remediation/:id":      write(tagRemediation, "变更整治项目 Change a project (planner; not once closed)", rolesPlanner, anyObject("the fields to change"), 200, "Project"),
		"DELETE /v1/remediation/:id": func() opDoc {
			d := write(tagRemediation, "撤销整治项目 Withdraw a project not yet closed (planner)", rolesPlanner, nil, 204, "")
			d.desc = "withdrawn (kept in history)"
			return d
		}(),
		"POST /v1/remediation/:id/status":  write(tagRemediation, "推进整治状态 The next step of the chain 列入清单 → 制定方案 → 整治中 → 达标销号 | 关停退出 (planner)", rolesPlanner, anyObject("status, date, doc_no, result (freed_mu … when closing), reason"), 200, "Project"),
		"POST /v1/remediation/:id/events":  write(tagRemediation, "记录整治进展 A dated progress note (planner)", rolesPlanner, anyObject("date, note, doc_no"), 201, "Project"),
		"POST /v1/remediation/:id/links":   write(tagRemediation, "关联宗地与企业 Link parcels and firms (planner)", rolesPlanner, anyObject("parcels: [id], enterprises: [uscc]"), 200, "Project"),
		"POST /v1/remediation/:id/unlinks": write(tagRemediation, "解除关联 Unlink parcels and firms (planner)", rolesPlanner, anyObject("parcels: [id], enterprises: [uscc]"), 200, "Project"),

		"GET /v1/enterprises/:uscc/indicators": readAs(tagEnter, "企业各年度指标 An enterprise's annual indicators, every year on file",
			listOf("indicators", "Indicators", obj{"uscc": obj{"type": "string"}})),
		"GET /v1/enterprises/:uscc/indicators/:year": readAs(tagEnter, "企业某年度指标及历史 An enterprise's indicators of a year and their history", obj{"type": "object", "properties": obj{
			"uscc": obj{"type": "string"}, "year": obj{"type": "integer"}, "current": sref("Indicators"),
			"history": obj{"type": "array", "items": sref("Indicators")}}}),
		"PUT /v1/enterprises/:uscc/indicators/:year": write(tagEnter, "填报或更正企业年度指标 Enter or correct a year's indicators (registrar; omitted figures are cleared)", rolesRegistrar,
			anyObject("tax_wan (required), va_wan, energy_tce, emission_t, employees, rd_wan, revenue_wan, land_mu_used, invest_wan, reported_on, source, reason"), 200, "Indicators"),

		"GET /v1/key-figures": readAs(tagSearch, "关键指标 The map panel's key figures of a district (or the city) as of date=: idle land, 低效, block-line margin, 亩均 of the year before", keyFiguresSchema),
		"GET /v1/disposals": func() opDoc {
			d := readAs(tagRemediation, "闲置土地处置台账 Each idle parcel's disposal procedure as of date (as known at known_at): step, dates, next step due by, days overdue; JSON, CSV, XLSX or GeoJSON", sref("AuditReport"))
			d.content = reportContents()
			return d
		}(),

		"GET /v1/search": readAs(tagSearch, "查找宗地 Find current parcels by 宗地代码, holder, USCC or project (prefix or contained); results with their bbox",
			listOf("results", "SearchHit", obj{"q": obj{"type": "string"}, "limit": obj{"type": "integer"}, "more": obj{"type": "boolean"}})),
	}
	return ops
}

func init() {
	reflectedResponses["Target"] = store.Target{}
	reflectedResponses["TargetProgress"] = store.Progress{}
	reflectedResponses["LandTransfers"] = store.LandTransfers{}
	reflectedResponses["Project"] = store.Project{}
	reflectedResponses["Candidate"] = store.Candidate{}
	reflectedResponses["SearchHit"] = store.SearchHit{}
	reflectedResponses["Indicators"] = store.Indicators{}
	problemTypes = append(problemTypes, "status-step", "project-closed", "read-only")
	problemTypes = append(problemTypes, "disposal-precondition")
}
