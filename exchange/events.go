package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/store"
)

// Parcel events from a spreadsheet (issue 13.5): one row per event, naming its parcel
// by 宗地代码, its type (code or Chinese label, as landreg_sys.event_types has them), its
// date, document number and the payload of its type as columns (payload.KEY). The
// database is the judge of every row: after Go's checks (parcel, type, values) the rows
// without problems are inserted with one INSERT … SELECT in file order, in a savepoint,
// so that its triggers (parcel_event_check, parcel_event_validate and whatever rules
// join them) judge each; when they take every row that is the load (rolled back in a dry
// run or when Go found problems). When they refuse one, the statement stops at it, so
// the refused rows are then found by bisection in savepoints (judgeEvents), in file
// order, to list every refusal with its row, and that pass is rolled back.

// eventVocabulary is what the database says events are: their types (code → code, and
// Chinese label → code) and the payload keys that are numbers (value_bounds).
type eventVocabulary struct {
	types   map[string]string
	codes   []string
	numbers map[string]bool
}

func readEventVocabulary(ctx context.Context, tx pgx.Tx) (*eventVocabulary, error) {
	v := &eventVocabulary{types: map[string]string{}, numbers: map[string]bool{}}
	rows, err := tx.Query(ctx, `SELECT code, zh FROM landreg_sys.event_types ORDER BY kind`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code, zh string
		if err := rows.Scan(&code, &zh); err != nil {
			return nil, err
		}
		v.types[code], v.types[zh] = code, code
		v.codes = append(v.codes, code)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT field FROM landreg_sys.value_bounds WHERE tbl = 'parcel_events'`)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		v.numbers[k] = true
	}
	return v, nil
}

// notImported are event types an import cannot record: a transfer writes the parcel's
// new holder as a new version besides its event (store.TransferParcel), one parcel at
// a time through the API.
var notImported = map[string]string{"TRANSFERRED": "转让须逐宗通过 /v1/parcels/{id}/events 登记（同时写入新的权利人版本）/ " +
	"a transfer also writes the parcel's new holder as a new version: record it per parcel with POST /v1/parcels/{id}/events"}

// payloadValue types one payload cell: the keys the database bounds are numbers, dates
// (from, to, *_date, *_deadline) ISO dates, true/false/是/否 booleans, the rest text; a
// mapping may state the type (payload.KEY:number|text|boolean|date).
func payloadValue(key, typ, s string, voc *eventVocabulary) (any, error) {
	if typ == "" {
		switch {
		case voc.numbers[key]:
			typ = "number"
		case key == "from" || key == "to" || strings.HasSuffix(key, "_date") || strings.HasSuffix(key, "_deadline") || strings.HasSuffix(key, "_on"):
			typ = "date"
		default:
			switch strings.ToLower(s) {
			case "true", "false", "是", "否":
				typ = "boolean"
			}
		}
	}
	switch typ {
	case "number":
		n, err := normalize("numeric", s)
		if err != nil {
			return nil, err
		}
		return json.Number(n), nil
	case "date":
		return normalize("date", s)
	case "boolean":
		b, err := normalize("boolean", s)
		if err != nil {
			return nil, err
		}
		return b == "true", nil
	}
	return s, nil
}

func loadEvents(ctx context.Context, pool *pgxpool.Pool, opt ImportOptions, change store.Change, rep *Report, rows []tableRow, bad map[int]bool) error {
	ids := map[int]string{}
	problem := func(idx int, code, field, msg string) {
		bad[idx] = true
		rep.add(Problem{Index: idx, SourceID: ids[idx], Code: code, Field: field, Message: msg})
	}
	errRollback := errors.New("rollback")
	err := store.InTx(ctx, pool, change, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL jit = off`); err != nil {
			return err
		}
		voc, err := readEventVocabulary(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE landreg_import_events (ord int PRIMARY KEY, zddm text, type text, event_date date,
  doc_no text, reason text, payload jsonb NOT NULL, parcel_id bigint, judge boolean NOT NULL DEFAULT false) ON COMMIT DROP`); err != nil {
			return err
		}
		var staged [][]any
		for _, r := range rows {
			v := r.vals
			ids[r.idx] = rowID(strings.TrimSpace(v["zddm"]+" "+v["type"]+" "+v["event_date"]), r.idx)
			for _, k := range []string{"zddm", "type", "event_date"} {
				if v[k] == "" {
					problem(r.idx, "missing-value", k, fmt.Sprintf("缺少 %s / %s is missing", k, k))
				}
			}
			typ := ""
			if t := v["type"]; t != "" {
				code, ok := voc.types[strings.ToUpper(t)]
				if !ok {
					code, ok = voc.types[t]
				}
				switch {
				case !ok:
					problem(r.idx, "unknown-type", "type", fmt.Sprintf("未知的事件类型 %q / unknown event type %q: use one of %s (or its Chinese name)", t, t, strings.Join(voc.codes, ", ")))
				case notImported[code] != "":
					problem(r.idx, "not-importable", "type", notImported[code])
				default:
					typ = code
				}
			}
			var date any
			if d := v["event_date"]; d != "" {
				n, err := normalize("date", d)
				if err != nil {
					problem(r.idx, "bad-value", "event_date", err.Error())
				} else {
					date = n
				}
			}
			payload := map[string]any{}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				key, ok := strings.CutPrefix(k, "payload.")
				if !ok {
					continue
				}
				key, typHint, _ := strings.Cut(key, ":")
				val, err := payloadValue(key, typHint, v[k], voc)
				if err != nil {
					problem(r.idx, "bad-value", "payload."+key, err.Error())
					continue
				}
				payload[key] = val
			}
			raw, err := json.Marshal(payload)
			if err != nil {
				return err
			}
			staged = append(staged, []any{int32(r.idx), nonEmpty(v["zddm"]), nonEmpty(typ), date, nonEmpty(v["doc_no"]), nonEmpty(v["reason"]), string(raw)})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"landreg_import_events"},
			[]string{"ord", "zddm", "type", "event_date", "doc_no", "reason", "payload"}, pgx.CopyFromRows(staged)); err != nil {
			return err
		}
		// The parcels, set-based: unknown and retired ones, and events recorded already
		// (the same file imported twice) or repeated in the file.
		if _, err := tx.Exec(ctx, `UPDATE landreg_import_events i SET parcel_id = p.id FROM parcels p WHERE p.zddm = i.zddm`); err != nil {
			return err
		}
		q, err := tx.Query(ctx, sqlEventChecks)
		if err != nil {
			return err
		}
		for q.Next() {
			var ord int
			var code, field, msg string
			if err := q.Scan(&ord, &code, &field, &msg); err != nil {
				return err
			}
			problem(ord, code, field, msg)
		}
		if err := q.Err(); err != nil {
			return err
		}
		// The database's judgement of each row Go found nothing wrong with.
		var ok []int32
		for _, s := range staged {
			if !bad[int(s[0].(int32))] {
				ok = append(ok, s[0].(int32))
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE landreg_import_events SET judge = true WHERE ord = ANY($1)`, ok); err != nil {
			return err
		}
		// Those rows in one statement first: when the database takes them all, that is
		// the load (or, in a dry run or with other problems, rolled back).
		sp, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		tag, ierr := sp.Exec(ctx, sqlEventInsert+` ORDER BY ord`)
		if ierr == nil {
			if rep.OK() && !opt.DryRun {
				if err := sp.Commit(ctx); err != nil {
					return err
				}
				rep.Invalid, rep.Valid, rep.Imported = 0, rep.Features, int(tag.RowsAffected())
				return nil
			}
			if err := sp.Rollback(ctx); err != nil {
				return err
			}
		} else {
			if dbRefusal(ierr) == nil {
				return ierr // a fault, not a refusal
			}
			if err := sp.Rollback(ctx); err != nil {
				return err
			}
			refused, err := judgeEvents(ctx, tx, ok)
			if err != nil {
				return err
			}
			for _, r := range refused {
				code, field, msg := refusalProblem(&r.pg)
				problem(r.ord, code, field, msg)
			}
			if len(refused) == 0 {
				// Each row alone passes, the set does not: say what the database said.
				rep.add(*dbRefusal(ierr))
			}
		}
		rep.Invalid = len(bad)
		rep.Valid = rep.Features - rep.Invalid
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sqlEventInsert writes the staged rows marked judge (those Go found nothing wrong with).
const sqlEventInsert = `INSERT INTO parcel_events (parcel_id, type, event_date, doc_no, payload, reason)
SELECT parcel_id, type, event_date, doc_no, payload, reason FROM landreg_import_events WHERE judge`

const sqlEventChecks = `
SELECT i.ord, CASE WHEN r.retired THEN 'retired' ELSE 'unknown-parcel' END, 'zddm',
  CASE WHEN r.retired THEN format('宗地 %s 已注销或收回，不能再登记事件 / parcel %s is retired: it takes no new events', i.zddm, i.zddm)
       ELSE format('宗地代码 %s 未登记 / no parcel with code %s is registered', i.zddm, i.zddm) END
FROM landreg_import_events i
CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM parcels_history h WHERE h.zddm = i.zddm AND h.retired) AS retired) r
WHERE i.zddm IS NOT NULL AND i.parcel_id IS NULL
UNION ALL
SELECT i.ord, 'duplicate', 'type',
  format('宗地 %s 已有同日同内容的 %s 事件（事件 %s）/ parcel %s already has this %s event of %s (event %s)', i.zddm, i.type, e.id, i.zddm, i.type, i.event_date, e.id)
FROM landreg_import_events i
JOIN LATERAL (SELECT min(e.id) AS id FROM parcel_events e WHERE e.parcel_id = i.parcel_id AND e.type = i.type
              AND e.event_date = i.event_date AND e.payload = i.payload) e ON e.id IS NOT NULL
UNION ALL
SELECT ord, 'duplicate', 'type', format('与文件第 %s 行是同一事件 / the same event as row %s of the file', first + 2, first + 2)
FROM (SELECT ord, min(ord) OVER (PARTITION BY zddm, type, event_date, payload) AS first FROM landreg_import_events
      WHERE zddm IS NOT NULL AND type IS NOT NULL AND event_date IS NOT NULL) s
WHERE ord <> first
ORDER BY 1`

type eventRefusal struct {
	ord int
	pg  pgconn.PgError
}

// judgeEvents finds the rows the database refuses among ords (in file order) by
// bisection, in a savepoint it rolls back: a set of rows is inserted in one statement;
// taken, it stays for the rows after it (an extension counts the ones before it);
// refused, it is split in halves, down to the row refused. k refusals among n rows take
// about 2·k·log₂ n statements, each with its triggers, instead of n.
func judgeEvents(ctx context.Context, tx pgx.Tx, ords []int32) ([]eventRefusal, error) {
	outer, err := tx.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer outer.Rollback(ctx) // nothing of the judging pass stays
	var out []eventRefusal
	var judge func(ords []int32) error
	judge = func(ords []int32) error {
		if len(ords) == 0 {
			return nil
		}
		sp, err := outer.Begin(ctx)
		if err != nil {
			return err
		}
		_, ierr := sp.Exec(ctx, sqlEventInsert+` AND ord = ANY($1) ORDER BY ord`, ords)
		if ierr == nil {
			return sp.Commit(ctx)
		}
		if err := sp.Rollback(ctx); err != nil {
			return err
		}
		var pg *pgconn.PgError
		if dbRefusal(ierr) == nil || !errors.As(ierr, &pg) {
			return ierr
		}
		if len(ords) == 1 {
			out = append(out, eventRefusal{ord: int(ords[0]), pg: *pg})
			return nil
		}
		if err := judge(ords[:len(ords)/2]); err != nil {
			return err
		}
		return judge(ords[len(ords)/2:])
	}
	if err := judge(ords); err != nil {
		return nil, err
	}
	return out, outer.Rollback(ctx)
}

// refusalProblem is a row's refusal in the registry's terms (store.Translate): its kind,
// field and bilingual message; parcel_event_validate names a payload key in its DETAIL
// ({"field": "payload.tax_wan", …}).
func refusalProblem(pg *pgconn.PgError) (code, field, msg string) {
	var detail struct {
		Field string `json:"field"`
	}
	if json.Unmarshal([]byte(pg.Detail), &detail) == nil && detail.Field != "" {
		pg.Detail = ""
	}
	code, field, msg = "refused-by-database", pg.ColumnName, pg.Message
	if e := store.Translate(pg); e != nil {
		code, field = e.Kind, e.Field
		if e.Zh != "" {
			msg = e.Zh + " / " + e.En
		} else {
			msg = e.En
		}
	}
	if detail.Field != "" {
		field = detail.Field
	}
	if field == "" {
		field = pg.ConstraintName
	}
	return code, field, msg
}
