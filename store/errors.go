package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg"
)

// Translate tells a database error in the registry's terms: the refusals that landreg's
// triggers and constraints raise (SQLSTATE class LR, integrity violations, data
// exceptions), a database that cannot serve now, a statement that ran out of time. It
// returns nil for anything else, which is a fault of the server. The messages the
// triggers raise are already "中文 / English".
func Translate(err error) *landreg.Error {
	if err == nil {
		return nil
	}
	var le *landreg.Error
	if errors.As(err, &le) {
		return le
	}
	if reason, ok := UnavailableReason(err); ok {
		return &landreg.Error{Kind: landreg.KindUnavailable, Err: err, Zh: "数据库暂时不可用，请稍后重试",
			En: "the database is unavailable (" + reason + "); retry in a few seconds"}
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		if errors.Is(err, context.DeadlineExceeded) {
			return timeout(err)
		}
		return nil
	}
	kind := kindOf(pg.Code)
	if pg.Code == "XX000" && strings.HasPrefix(pg.Message, "transform:") {
		// PROJ refused coordinates outside the CRS's domain: what the caller sent (a bbox,
		// a geometry in the wrong CRS), not a fault of the server.
		return &landreg.Error{Kind: "invalid-parameter", Err: err, Zh: "坐标超出坐标系的适用范围（坐标系或坐标轴顺序错误？）",
			En: "coordinates outside the domain of their CRS (wrong CRS or axis order?): " + pg.Message}
	}
	switch {
	case kind == "timeout":
		return timeout(err)
	case kind == "":
		return nil
	}
	if pg.Code == "23514" && strings.HasSuffix(pg.ConstraintName, "_fffd") {
		// <table>_<column>_fffd (migration 00021): text misread in the wrong encoding.
		field := strings.TrimSuffix(strings.TrimPrefix(pg.ConstraintName, pg.TableName+"_"), "_fffd")
		return &landreg.Error{Kind: kind, Err: err, Field: field,
			Zh: field + " 含有替换字符 U+FFFD：文本曾按错误的编码解码，请改正后再保存",
			En: field + " holds the replacement character U+FFFD: the text was decoded in the wrong encoding somewhere; correct it and save again"}
	}
	switch pg.Code {
	case "23503":
		return reference(pg, err)
	case "23505", "23514", "23502":
		// A trigger's own refusal (no constraint) already says "中文 / English".
		if pg.ConstraintName != "" || !strings.Contains(pg.Message, " / ") {
			return integrity(pg, kind, err)
		}
	}
	e := &landreg.Error{Kind: kind, Err: err, Field: pg.ColumnName}
	msg := pg.Message
	if (pg.Code == "LRR01" || pg.Code == "LRA05") && json.Valid([]byte(pg.Detail)) {
		e.Rule = json.RawMessage(pg.Detail)
	} else if pg.Detail != "" {
		msg += " (" + pg.Detail + ")"
	}
	if zh, en, ok := strings.Cut(msg, " / "); ok {
		e.Zh, e.En = zh, en
	} else {
		e.En = msg
		if strings.HasPrefix(pg.Code, "22") {
			// PostgreSQL's own text (invalid input syntax, out of range …) is English.
			e.Zh = "数值、日期或文本无法按字段类型保存"
		}
	}
	return e
}

// constraints names the request field of each constraint a writer can break and tells
// what breaking it means, in both languages (%[1]s: the value, when PostgreSQL names
// it). A CHECK named <table>_<column>_check that is not listed names its column with a
// generic message; the constraint's own name is never shown as a field. Foreign keys
// are in references.
var constraints = map[string]struct{ field, zh, en string }{
	// Unique keys (23505).
	"parcels_zddm_key": {"zddm", "宗地代码 %[1]s 已登记（宗地代码不可重复）",
		"parcel code (zddm) %[1]s is already registered; a parcel code is unique"},
	"block_lines_code_key": {"code", "区块线编号 %[1]s 已存在", "block-line code %[1]s already exists"},
	"enterprises_pkey": {"uscc", "企业 %[1]s 已登记，请用 PATCH 修改",
		"enterprise %[1]s is already registered; change it with PATCH /v1/enterprises/{uscc}"},
	"districts_pkey": {"xzqdm", "行政区 %[1]s 已登记", "district %[1]s is already registered"},
	"idle_policy_pkey": {"effective_date", "该行政区在此日期已有闲置认定参数版本（%[1]s）",
		"the district already has an idle policy version taking effect on that date (%[1]s); replace it with PUT"},
	"api_tokens_name_key":      {"name", "令牌名称 %[1]s 已存在", "token name %[1]s already exists"},
	"parcel_events_supersedes": {"supersedes", "该事件已被更正（%[1]s），请更正最新的更正事件", "that event was already corrected (%[1]s); correct the latest correction instead"},
	"parcel_retirements_pkey":  {"parcel_id", "宗地 %[1]s 已注销", "parcel %[1]s is already retired"},
	"direct_edit_reviews_pkey": {"id", "台账记录 %[1]s 已复核", "ledger entry %[1]s was already reviewed"},
	// CHECKs (23514) whose meaning their name does not say.
	"parcels_zddm_check": {"zddm", "宗地代码须为 19 位：12 位数字、G/J/Z、宗地特征码、5 位顺序号",
		"zddm must be 19 characters: 12 digits, G/J/Z, a feature letter and a 5-digit sequence"},
	"parcels_bdcdyh_check": {"bdcdyh", "不动产单元号须为 28 位（宗地代码 + 定着物特征码 + 8 位编号）",
		"bdcdyh must be 28 characters: the zddm, a building letter (F/L/Q/W) and 8 digits"},
	"parcels_check":       {"far_max", "容积率上限须不小于下限", "far_max must not be below far_min"},
	"parcels_check1":      {"agreed_completion", "约定竣工日期须不早于约定开工日期", "agreed_completion must not be before agreed_start"},
	"parcels_check2":      {"agreed_start", "约定开工日期须不早于合同签订日期", "agreed_start must not be before contract_date"},
	"parcels_dates_check": {"valid_from", "日期须在 1900–2199 年之间", "dates must lie in the years 1900–2199"},
	"enterprises_uscc_check": {"uscc", "统一社会信用代码须为 18 位（GB 32100 字符集）",
		"uscc must be 18 characters of the GB 32100 charset"},
	"enterprises_name_check":          {"name", "企业名称不能为空", "the enterprise's name must not be blank"},
	"enterprises_industry_code_check": {"industry_code", "行业代码须为 GB/T 4754 门类字母或 2–4 位数字", "industry_code must be a GB/T 4754 section letter or 2–4 digits"},
	"districts_check":                 {"rule_end", "规则期限结束日须晚于开始日", "rule_end must be after rule_start"},
	"districts_xzqdm_check":           {"xzqdm", "行政区划代码须为 6 位数字", "xzqdm must be 6 digits"},
	"districts_name_check":            {"name", "行政区名称不能为空", "the district's name must not be blank"},
	"districts_dates_check":           {"rule_start", "日期须在 1900–2199 年之间", "dates must lie in the years 1900–2199"},
	"block_lines_code_check":          {"code", "区块线编号不能为空", "the block-line code must not be empty"},
	"block_lines_name_check":          {"name", "区块线名称不能为空", "the block-line name must not be empty"},
	"block_lines_dates_check":         {"valid_from", "日期须在 1900–2199 年之间", "dates must lie in the years 1900–2199"},
	"block_lines_level_check":         {"level", "区块线级别须为 1（一级）或 2（二级）", "level must be 1 (一级) or 2 (二级)"},
	"parcel_events_check":             {"reason", "更正须说明理由", "a correction (supersedes) needs a reason"},
	"parcel_events_dates_check":       {"event_date", "事件日期须在 1900–2199 年之间", "event_date must lie in the years 1900–2199"},
	"adjustments_check":               {"publicity_to", "公示结束日须不早于开始日", "publicity_to must not be before publicity_from"},
	"adjustments_dates_check":         {"effective_date", "日期须在 1900–2199 年之间", "dates must lie in the years 1900–2199"},
	"adjustments_reason_check":        {"reason", "理由不能为空", "the reason must not be empty"},
	"adjustments_check1":              {"override_reason", "越权批准的理由只属于已批准的方案", "an override reason belongs to an approved adjustment"},
	"idle_policy_check": {"far_floor", "容积率下限 far_floor 与起用日期 far_floor_from 须同时给出或同时清除",
		"far_floor and far_floor_from are set together or cleared together"},
	"idle_policy_valid_from_check": {"effective_date", "生效日期须在 1900–2199 年之间", "effective_date must lie in the years 1900–2199"},
	"idle_policy_doc_no_check":     {"doc_no", "文号不能为空白", "doc_no must not be blank"},
	// Issue 15: targets, remediation projects, official classes.
	"targets_check":               {"period_to", "考核期止须不早于考核期起", "period_to must not be before period_from"},
	"remediation_projects_check":  {"planned_to", "计划完成日须不早于计划开始日", "planned_to must not be before planned_from"},
	"remediation_projects_check1": {"documents", "文件列表不能含空值", "documents must not hold null"},
	"remediation_events_check":    {"status", "状态记录须有状态，进展记录不能有", "a status event carries a status, a progress note none"},
	"remediation_events_check1":   {"note", "进展记录须有说明", "a progress note needs its text"},
	"mujun_results_check":         {"published_on", "评价结果须在评价年度结束后公布", "a class is published after its year ends"},
	"mujun_results_uscc_year_key": {"uscc", "该企业该年度已有评价结果（%[1]s）", "the enterprise already has a class for that year (%[1]s)"},
}

// reUnique reads the key of a unique violation's DETAIL: Key (col)=(value) already exists.
var reUnique = regexp.MustCompile(`^Key \((.+?)\)=\((.*)\) already exists`)

// integrity tells a unique, CHECK or NOT NULL violation as the field it concerns.
func integrity(pg *pgconn.PgError, kind string, err error) *landreg.Error {
	e := &landreg.Error{Kind: kind, Err: err, Field: pg.ColumnName}
	val := ""
	if m := reUnique.FindStringSubmatch(pg.Detail); m != nil {
		e.Field, val = m[1], m[2]
	}
	if c, ok := constraints[pg.ConstraintName]; ok {
		e.Field = c.field
		e.Zh, e.En = strings.TrimSpace(fmt.Sprintf(c.zh, val)), strings.TrimSpace(fmt.Sprintf(c.en, val))
		return e
	}
	switch pg.Code {
	case "23505":
		e.Zh = fmt.Sprintf("%s %s 已存在，不能重复", e.Field, val)
		e.En = fmt.Sprintf("%s %s already exists", e.Field, val)
	case "23502":
		e.Zh, e.En = "缺少必填字段 "+e.Field, e.Field+" is required"
	default:
		// <table>_<column>_check: a bound or a format of that column (value_bounds).
		col := strings.TrimSuffix(strings.TrimPrefix(pg.ConstraintName, pg.TableName+"_"), "_check")
		if e.Field == "" && col != pg.ConstraintName && col != "" && !strings.HasPrefix(col, "check") {
			e.Field = col
		}
		what := e.Field
		if what == "" {
			what = "记录"
		}
		e.Zh = what + " 的取值超出允许范围或不符合规则"
		if e.Field != "" {
			e.En = e.Field + " is outside its allowed range or breaks a rule of the register"
		} else {
			e.En = "the record breaks a rule of the register (" + pg.ConstraintName + ")"
		}
		if b, ok := boundText(pg.TableName, e.Field); ok {
			e.Zh += "（" + b + "）"
			e.En += " (" + b + ")"
		}
	}
	return e
}

// boundText is the range of a bounded field (landreg_sys.value_bounds as the domain
// package repeats it), for messages.
func boundText(table, field string) (string, bool) {
	switch table {
	case "idle_policy":
		if b, ok := landreg.PolicyBounds[field]; ok {
			lo := "["
			if b.MinOpen {
				lo = "("
			}
			s := fmt.Sprintf("%s%g, %g]", lo, b.Min, b.Max)
			if b.Unit != "" {
				s += " " + b.Unit
			}
			return s, true
		}
	case "districts":
		if b, ok := landreg.DistrictBounds[field]; ok {
			s := fmt.Sprintf("[%g, %g]", b.Min, b.Max)
			if b.Unit != "" {
				s += " " + b.Unit
			}
			return s, true
		}
	}
	return "", false
}

// kindOf is the problem type of a SQLSTATE; "" when it is not the client's doing.
func kindOf(code string) string {
	switch code {
	case "LRG01":
		return "invalid-geometry"
	case "LRG02":
		return "empty-geometry"
	case "LRG03":
		return "outside-china"
	case "LRB01", "LRB03":
		// LRB03: a line of another district (issue 14.1).
		return "overlap"
	case "LRB02":
		return "outside-district"
	case "LRA04":
		return "date-order"
	case "LRA05":
		return "preview-failed"
	case "LRA06":
		return "not-yet-effective"
	case "23505":
		return "duplicate"
	case "23514", "23502", "54000": // 54000: a value too large for an index entry
		return landreg.KindConstraint
	case "23503":
		return "unknown-reference"
	case "LRR01":
		return "block-line-rule"
	case "LRD01":
		return "district-overlap"
	case "LRD02":
		return "outside-district"
	case "LRR04", "LRA02", "LRV01", "LRE05", "LRL02", "LRL03":
		return landreg.KindInvalidState
	case "LRL01":
		// A second 划定 of a district (issue 13.2): its correction is a 划定更正.
		return "already-delineated"
	case "LRR08":
		// A change dated before the rule window once the baseline is fixed (§8.6.2).
		return "before-rule-window"
	case "40001", "40P01":
		// A concurrent change won, and InTx's retries did not get through.
		return "concurrent-change"
	case "LRP01", "LRA01":
		return landreg.KindNotFound
	case "LRP02":
		return "retired"
	case "LRE01", "LRE02", "LRE03", "LRE04", "LRE06", "LRE07":
		return "invalid-event"
	case "LRE08":
		// The order of the idle-land disposal procedure (issue 15.6).
		return "disposal-precondition"
	case "LRT01":
		// A remediation project's status out of its chain (issue 15).
		return "status-step"
	case "LRT02":
		return "project-closed"
	case "LRT03":
		return "date-order"
	case "LRT04":
		return landreg.KindNotFound
	case "LRT06":
		return "outside-district"
	case "57014":
		return "timeout"
	}
	switch {
	case strings.HasPrefix(code, "22"):
		// Data exceptions: a value PostgreSQL cannot take or compute with (bad syntax,
		// out of range, NUL, division by zero …).
		return landreg.KindConstraint
	case len(code) == 5 && code[:2] == "LR":
		return "rule-violation"
	}
	return ""
}

// references names the field and the thing of the references a write can break, so a
// parcel naming an unregistered holder is told so in its own terms (%s: the key).
var references = map[string]struct{ field, zh, en string }{
	"parcels_holder_uscc_fkey": {"holder_uscc", "权利人 %s 未登记为企业，请先登记（/v1/enterprises）或在导入时使用 --create-holders",
		"the holder %s is not a registered enterprise: register it first (/v1/enterprises), or import with --create-holders"},
	"parcels_xzqdm_fkey":     {"xzqdm", "行政区 %s 不存在", "unknown district %s"},
	"block_lines_xzqdm_fkey": {"xzqdm", "行政区 %s 不存在", "unknown district %s"},
	"adjustments_xzqdm_fkey": {"xzqdm", "行政区 %s 不存在", "unknown district %s"},
	"idle_policy_xzqdm_fkey": {"xzqdm", "行政区 %s 不存在", "unknown district %s"},
}

// reKey reads the key of a foreign-key violation's DETAIL: Key (col)=(value) is not
// present in table "t". / … is still referenced from table "t".
var reKey = regexp.MustCompile(`^Key \((.+?)\)=\((.*)\) is (not present in|still referenced from) table "?([^"]*)"?`)

// reference tells a foreign-key violation (SQLSTATE 23503) as the field it names.
func reference(pg *pgconn.PgError, err error) *landreg.Error {
	e := &landreg.Error{Kind: "unknown-reference", Err: err, Field: pg.ConstraintName}
	m := reKey.FindStringSubmatch(pg.Detail)
	if m == nil {
		e.Zh, e.En = "引用的记录不存在或仍被引用", pg.Message
		return e
	}
	col, val, how, table := m[1], m[2], m[3], m[4]
	e.Field = col
	if how == "still referenced from" {
		e.Zh = fmt.Sprintf("%s %s 仍被 %s 引用，不能删除", col, val, table)
		e.En = fmt.Sprintf("%s %s is still referenced from %s and cannot be removed", col, val, table)
		return e
	}
	if r, ok := references[pg.ConstraintName]; ok {
		e.Field, e.Zh, e.En = r.field, fmt.Sprintf(r.zh, val), fmt.Sprintf(r.en, val)
		return e
	}
	e.Zh = fmt.Sprintf("%s %s 在 %s 中不存在", col, val, table)
	e.En = fmt.Sprintf("%s %s does not exist in %s", col, val, table)
	return e
}

func timeout(err error) *landreg.Error {
	return &landreg.Error{Kind: "timeout", Err: err, Zh: "查询超时", En: "the query took too long; narrow the request (bbox, limit)"}
}

// UnavailableReason classifies the errors that mean the database cannot serve now:
// stopped, restarting, unreachable, out of disk, memory or connections. The reason is a
// category, never the driver's text (which names hosts, socket paths and roles).
func UnavailableReason(err error) (string, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "57P01":
			return "shutting down, SQLSTATE 57P01", true
		case pg.Code == "57P02":
			return "crashed, SQLSTATE 57P02", true
		case pg.Code == "57P03":
			return "starting up or recovering, SQLSTATE 57P03", true
		case pg.Code == "53100":
			return "out of disk space, SQLSTATE 53100", true
		case pg.Code == "53200":
			return "out of memory, SQLSTATE 53200", true
		case pg.Code == "53300":
			return "too many connections, SQLSTATE 53300", true
		case strings.HasPrefix(pg.Code, "53"), strings.HasPrefix(pg.Code, "08"), pg.Code == "58030":
			return "SQLSTATE " + pg.Code, true
		case pg.Code == "25006":
			// Connected to a read-only standby, e.g. during a failover.
			return "read-only, SQLSTATE 25006", true
		}
		return "", false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		return "cannot connect", true
	case errors.Is(err, context.DeadlineExceeded):
		// A net.Error too, but the request's own deadline: a timeout, not an outage.
		return "", false
	case errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne):
		return "connection lost", true
	}
	return "", false
}
