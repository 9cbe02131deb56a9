package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/landreg/landreg"
)

// Event is one fact in a parcel's life (宗地事件): append-only; a correction is a new
// event that supersedes an older one.
type Event struct {
	ID         int64           `json:"id"`
	ParcelID   int64           `json:"parcel_id"`
	Type       string          `json:"type"`
	EventDate  string          `json:"event_date"`
	DocNo      *string         `json:"doc_no"`
	Payload    json.RawMessage `json:"payload" schema:"object"`
	Supersedes *int64          `json:"supersedes"`
	Reason     *string         `json:"reason"`
	RecordedAt time.Time       `json:"recorded_at"`
	RecordedBy string          `json:"recorded_by"`
	// SupersededBy is the later event that corrects this one, if any.
	SupersededBy *int64 `json:"superseded_by"`
}

// NewEvent is a validated event to record.
type NewEvent struct {
	Type       string
	EventDate  time.Time
	DocNo      string
	Payload    json.RawMessage
	Supersedes *int64
	Reason     string
}

const eventColumns = `e.id, e.parcel_id, e.type, e.event_date::text, e.doc_no, e.payload, e.supersedes, e.reason,
  e.recorded_at, e.recorded_by, (SELECT min(s.id) FROM parcel_events s WHERE s.supersedes = e.id)`

func scanEvent(r pgx.CollectableRow) (Event, error) {
	var e Event
	err := r.Scan(&e.ID, &e.ParcelID, &e.Type, &e.EventDate, &e.DocNo, &e.Payload, &e.Supersedes, &e.Reason,
		&e.RecordedAt, &e.RecordedBy, &e.SupersededBy)
	return e, err
}

// AddEvent records an event; the database checks the parcel (exists, not retired), the
// date (not in the future), the payload and what it supersedes.
func AddEvent(ctx context.Context, db DB, ch Change, parcelID int64, ev NewEvent) (*Event, error) {
	var out Event
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, doc_no, payload, supersedes, reason)
VALUES ($1, $2, $3, nullif($4, ''), $5, $6, nullif($7, '')) RETURNING id`,
			parcelID, ev.Type, ev.EventDate.Format(time.DateOnly), ev.DocNo, ev.Payload, ev.Supersedes, ev.Reason).Scan(&id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM parcel_events e WHERE e.id = $1`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, scanEvent)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Events lists a parcel's events in legal order.
func Events(ctx context.Context, db DB, parcelID int64) ([]Event, error) {
	rows, err := db.Query(ctx, `SELECT `+eventColumns+` FROM parcel_events e WHERE e.parcel_id = $1 ORDER BY e.event_date, e.id`, parcelID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEvent)
}

// ParcelVersion is one version of a parcel record.
type ParcelVersion struct {
	Version    int             `json:"version"`
	ValidFrom  string          `json:"valid_from"`
	ValidTo    *string         `json:"valid_to"`
	SysFrom    time.Time       `json:"sys_from"`
	SysTo      *time.Time      `json:"sys_to"`
	Retired    bool            `json:"retired"`
	CreatedBy  *string         `json:"created_by"`
	Reason     *string         `json:"reason"`
	ClosedBy   *string         `json:"closed_by"`
	Properties json.RawMessage `json:"properties" schema:"Feature_parcels/properties/properties"`
}

// AuditEntry is one audit-log row.
type AuditEntry struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Reason *string         `json:"reason"`
	Table  string          `json:"table"`
	Op     string          `json:"op"`
	Key    *string         `json:"row_key"`
	TxID   int64           `json:"txid"`
	Old    json.RawMessage `json:"old,omitempty" schema:"object,nullable"`
	New    json.RawMessage `json:"new,omitempty" schema:"object,nullable"`
	// StatementRows: the entry is the one audit row of a bulk statement (an import)
	// that wrote this many rows; New is then this row as the statement wrote it, read
	// from its version (issue 18.4).
	StatementRows *int `json:"statement_rows,omitempty"`
}

// Dossier is everything about one parcel (一宗一档): versions, events, audit trail.
type Dossier struct {
	ParcelID int64           `json:"parcel_id"`
	Versions []ParcelVersion `json:"versions"`
	Events   []Event         `json:"events"`
	// Retirement is the record of the parcel's retirement, if it was retired with one.
	Retirement *Retirement `json:"retirement,omitempty"`
	// Disposal is where the disposal of its idle land stands today (stage, idle fee
	// due, levied, paid, outstanding, recovery basis).
	Disposal *Disposal    `json:"disposal,omitempty"`
	Audit    []AuditEntry `json:"audit"`
}

// parcelAuditSQL: the audit entries of parcels $1 (first column: the parcel). The audit
// rows carry whole rows; the geometry inside them is left out (it is in the versions) to
// keep them readable. A bulk insert is audited by one row for the statement
// (landreg_sys.audit: row_count, row_ids); each parcel it wrote gets an entry from it
// whose new row is the version it wrote (version 1, recorded at the statement's
// transaction time, as at), shaped as landreg_sys.audit shapes a row: the parcels
// columns less props_json. Both joins are by index (the GiST of row_ids, the keys of
// parcels and parcels_history).
const parcelAuditSQL = `WITH k AS (SELECT array_agg(id::text) AS keys FROM unnest($1::bigint[]) q(id))
SELECT a.row_key::bigint, a.id, a.at, a.actor, a.reason, a.table_name, a.op, a.row_key, a.txid,
  a.old_row - 'geom' - 'props_json', a.new_row - 'geom' - 'props_json', NULL::integer
FROM audit_log a, k WHERE a.table_name IN ('parcels', 'parcel_retirements') AND a.row_key = ANY (k.keys)
UNION ALL
SELECT (coalesce(a.new_row, a.old_row)->>'parcel_id')::bigint, a.id, a.at, a.actor, a.reason, a.table_name, a.op, a.row_key, a.txid,
  a.old_row - 'geom' - 'props_json', a.new_row - 'geom' - 'props_json', NULL::integer
FROM audit_log a, k WHERE a.table_name = 'parcel_events' AND coalesce(a.new_row, a.old_row)->>'parcel_id' = ANY (k.keys)
UNION ALL
SELECT v.id, a.id, a.at, a.actor, a.reason, a.table_name, a.op, v.id::text, a.txid, NULL::jsonb,
  to_jsonb(v) - 'valid_to' - 'sys_to' - 'retired' - 'closed_by' - 'close_reason' - 'geom' - 'props_json', a.row_count
FROM unnest($1::bigint[]) q(id)
JOIN parcels_all v ON v.id = q.id AND v.version = 1
JOIN audit_log a ON a.row_ids @> q.id AND a.at = v.sys_from AND a.table_name = 'parcels' AND a.op = 'INSERT'
ORDER BY 1, 2`

// ParcelAudit reads the audit trails of parcels (their rows, events and retirements),
// oldest first, as the dossier shows them; a parcel without any has no key.
func ParcelAudit(ctx context.Context, db DB, ids []int64) (map[int64][]AuditEntry, error) {
	rows, err := db.Query(ctx, parcelAuditSQL, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]AuditEntry{}
	for rows.Next() {
		var id int64
		var a AuditEntry
		if err := rows.Scan(&id, &a.ID, &a.At, &a.Actor, &a.Reason, &a.Table, &a.Op, &a.Key, &a.TxID, &a.Old, &a.New, &a.StatementRows); err != nil {
			return nil, err
		}
		out[id] = append(out[id], a)
	}
	return out, rows.Err()
}

// ParcelDossier gathers a parcel's full history; ErrNotFound if it never existed.
func ParcelDossier(ctx context.Context, db DB, id int64) (*Dossier, error) {
	d := &Dossier{ParcelID: id}
	rows, err := db.Query(ctx, `SELECT version, valid_from::text, valid_to::text, sys_from, sys_to, retired, created_by,
  reason, closed_by, CASE WHEN valid_to IS NULL THEN props_json::json
    ELSE jsonb_set(props_json::jsonb, '{valid_to}', to_jsonb(valid_to))::json END
FROM parcels_all WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	d.Versions, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ParcelVersion])
	if err != nil {
		return nil, err
	}
	if len(d.Versions) == 0 {
		return nil, ErrNotFound
	}
	if d.Events, err = Events(ctx, db, id); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT `+retirementColumns+` FROM parcel_retirements WHERE parcel_id = $1`, id)
	if err != nil {
		return nil, err
	}
	ret, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Retirement])
	if err != nil {
		return nil, err
	}
	if len(ret) > 0 {
		d.Retirement = &ret[0]
	}
	if d.Disposal, err = DisposalAt(ctx, db, id, nil); err != nil {
		return nil, err
	}
	audit, err := ParcelAudit(ctx, db, []int64{id})
	if err != nil {
		return nil, err
	}
	d.Audit = audit[id]
	if d.Audit == nil {
		d.Audit = []AuditEntry{}
	}
	return d, nil
}

// ParcelProps reads a current parcel's writable properties as text (for validating a
// merge patch against the whole record).
func ParcelProps(ctx context.Context, db DB, id int64) (map[string]*string, error) {
	w := writables["parcels"]
	var raw map[string]any
	err := db.QueryRow(ctx, `SELECT to_jsonb(p) - 'geom' - 'props_json' FROM parcels p WHERE id = $1`, id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := map[string]*string{}
	for k := range w.Columns {
		if v, ok := raw[k]; ok && v != nil {
			s := jsonText(v)
			out[k] = &s
		}
	}
	return out, nil
}

func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// AreaCheck compares a parcel's registered (legal, GK-plane) area with its plane area in
// its district's Gauss-Krüger zone (districts.gk_srid); domain.md §5.3: flag beyond
// max(1 %, 10 m²).
type AreaCheck struct {
	RegisteredM2 float64 `json:"registered_m2"`
	PlaneM2      float64 `json:"plane_m2"`
	Flagged      bool    `json:"flagged"`
}

// CheckArea runs the registered-vs-computed area test for one parcel.
func CheckArea(ctx context.Context, db DB, id int64) (*AreaCheck, error) {
	var reg *float64
	var plane float64
	err := db.QueryRow(ctx, `SELECT p.registered_area_m2::float8, ST_Area(ST_Transform(p.geom, d.gk_srid))
FROM parcels p JOIN districts d USING (xzqdm) WHERE p.id = $1`, id).Scan(&reg, &plane)
	if err != nil || reg == nil {
		return nil, err
	}
	diff := *reg - plane
	if diff < 0 {
		diff = -diff
	}
	return &AreaCheck{RegisteredM2: *reg, PlaneM2: plane, Flagged: diff > max(0.01**reg, 10)}, nil
}

// Retirement is the record of a parcel's retirement (注销, 收回): the legal date it took
// effect (the end of its last version), the document of the decision and why.
type Retirement struct {
	ParcelID      int64     `json:"parcel_id"`
	Version       int       `json:"version"`
	Kind          string    `json:"kind"`
	EffectiveDate string    `json:"effective_date"`
	DocNo         *string   `json:"doc_no"`
	Reason        *string   `json:"reason"`
	RecordedAt    time.Time `json:"recorded_at"`
	RecordedBy    string    `json:"recorded_by"`
}

// RetireParcel retires a parcel as of ch.Effective (today when zero): its last version
// goes to history valid until that date, and the retirement is recorded with its kind
// (landreg.RetirementKinds; "" is 注销) and document, in one transaction. The date may
// not be after today nor before the current version took effect (a *landreg.Error on
// effective_date).
func RetireParcel(ctx context.Context, db DB, ch Change, id int64, kind, docNo string, ifVersions []int) (*Retirement, error) {
	if kind == "" {
		kind = landreg.RetireDeregister
	}
	var out *Retirement
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var v int
		var from, eff, today time.Time
		err := tx.QueryRow(ctx, `SELECT version, valid_from, landreg_sys.effective_date(), landreg_sys.today()
FROM parcels WHERE id = $1 FOR UPDATE`, id).Scan(&v, &from, &eff, &today)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if ifVersions != nil && !containsInt(ifVersions, v) {
			return ErrPrecondition
		}
		if eff.After(today) {
			return landreg.Refuse(landreg.KindConstraint, "effective_date",
				"注销日期 "+civil(eff)+" 不能晚于今天 "+civil(today),
				"a parcel cannot be retired as of a date after today: effective_date "+civil(eff)+" is after "+civil(today))
		}
		if eff.Before(from) {
			return landreg.Refuse(landreg.KindConstraint, "effective_date",
				"注销日期 "+civil(eff)+" 早于宗地现行版本的生效日期 "+civil(from),
				"effective_date "+civil(eff)+" is before the parcel's current version took effect ("+civil(from)+")")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM parcels WHERE id = $1`, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO parcel_retirements (parcel_id, version, kind, effective_date, doc_no, reason)
VALUES ($1, $2, $3, landreg_sys.effective_date(), nullif(btrim($4), ''), landreg_sys.reason())
RETURNING `+retirementColumns, id, v, kind, docNo)
		if err != nil {
			return err
		}
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Retirement])
		out = &r
		return err
	})
	return out, err
}

const retirementColumns = `parcel_id, version, kind, effective_date::text, doc_no, reason, recorded_at, recorded_by`

// Transfer is a change of holder (二级市场转让) on a legal date, with its contract.
type Transfer struct {
	Date       time.Time
	HolderUSCC string
	// HolderName defaults to the enterprise's registered name.
	HolderName string
	ContractNo string
	DocNo      string
	Reason     string
	// Extra payload keys (contract_date, price_wan …), already validated.
	Extra map[string]json.RawMessage
}

// TransferParcel records a TRANSFERRED event and writes the new holder as the parcel's
// new version valid from the transfer's date, in one transaction: the event (payload
// new_holder_uscc, new_holder_name, contract_no and the previous holder, besides Extra)
// and the version, or neither. A transfer dated before
// the current version took effect is refused (LR003).
func TransferParcel(ctx context.Context, db DB, ch Change, id int64, t Transfer) (*Event, error) {
	ch.Effective = t.Date
	var ev *Event
	err := InTx(ctx, db, ch, func(tx pgx.Tx) error {
		var fromUSCC, fromName *string
		err := tx.QueryRow(ctx, `SELECT holder_uscc, holder_name FROM parcels WHERE id = $1 FOR UPDATE`, id).Scan(&fromUSCC, &fromName)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		name := t.HolderName
		if name == "" {
			// Unknown enterprises leave the name empty; the event's check refuses them.
			if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT name FROM enterprises WHERE uscc = $1), '')`, t.HolderUSCC).Scan(&name); err != nil {
				return err
			}
		}
		payload := map[string]any{"new_holder_uscc": t.HolderUSCC, "new_holder_name": name, "contract_no": t.ContractNo,
			"previous_holder_uscc": fromUSCC, "previous_holder_name": fromName}
		for k, v := range t.Extra {
			if _, set := payload[k]; !set {
				payload[k] = v
			}
		}
		raw, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		// The event first: it refuses an unknown or retired parcel, a future date and an
		// unregistered holder with its own message.
		ev, err = AddEvent(ctx, tx, ch, id, NewEvent{Type: landreg.EventTransferred, EventDate: t.Date, DocNo: t.DocNo,
			Payload: raw, Reason: t.Reason})
		if err != nil {
			return err
		}
		d := civil(t.Date)
		return UpdateFeature(ctx, tx, ch, "parcels", id, FeatureWrite{Props: map[string]*string{
			"holder_uscc": &t.HolderUSCC, "holder_name": &name, "valid_from": &d}}, false)
	})
	return ev, err
}
