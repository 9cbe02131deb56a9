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
	if pg.Code == "23503" {
		return reference(pg, err)
	}
	e := &landreg.Error{Kind: kind, Err: err, Field: pg.ColumnName}
	if e.Field == "" {
		e.Field = pg.ConstraintName
	}
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
	}
	return e
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
	case "LRE01", "LRE02", "LRE03", "LRE04", "LRE06":
		return "invalid-event"
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
