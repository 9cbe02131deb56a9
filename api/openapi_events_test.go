package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/landreg/landreg"
	"github.com/landreg/landreg/dbtest/demodb"
	"github.com/landreg/landreg/store"
)

// errRollback ends a transaction that only probes what the database accepts.
var errRollback = errors.New("rollback")

// TestEventPayloadSchemas: the documented payload of each event type is what the
// database accepts. Its required keys are the type's required_key (and a transfer's new
// holder), its figures' bounds landreg_sys.value_bounds, its vocabularies the
// database's; every payload on record validates against its type's schema; and for
// payloads each schema refuses (a required key missing, a figure out of bounds or not a
// number, a date that is none, a boolean that is none, a word outside the vocabulary, a
// recovery's compensation against its basis) the database refuses the event too, naming
// the payload.
func TestEventPayloadSchemas(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Demo)
	k := newContract(t, srv.URL)
	schemas := k.doc["components"].(map[string]any)["schemas"].(map[string]any)
	payloadSchema := func(typ string) map[string]any {
		own := schemas["EventPayload_"+typ].(map[string]any)["allOf"].([]any)[1].(map[string]any)
		return own
	}

	// Required keys.
	rows, err := pool.Query(ctx, `SELECT code, coalesce(required_key, '') FROM landreg_sys.event_types ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for rows.Next() {
		var code, req string
		rows.Scan(&code, &req)
		codes = append(codes, code)
		var want []string
		if req != "" {
			want = append(want, req)
		}
		if code == landreg.EventTransferred {
			want = append(want, "new_holder_uscc") // parcel_transfer_check
		}
		var got []string
		for _, r := range asList(payloadSchema(code)["required"]) {
			got = append(got, r.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: documented required %v, database %v", code, got, want)
		}
	}
	rows.Close()
	if sorted := slices.Sorted(slices.Values(landreg.EventTypes)); !slices.Equal(codes, sorted) {
		t.Errorf("event types: database %v, documented %v", codes, sorted)
	}

	// The figures' bounds.
	figures := schemas["EventPayload"].(map[string]any)["properties"].(map[string]any)
	rows, err = pool.Query(ctx, `SELECT field, min::float8, max::float8, min_exclusive FROM landreg_sys.value_bounds WHERE tbl = 'parcel_events'`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var field string
		var lo, hi float64
		var excl bool
		rows.Scan(&field, &lo, &hi, &excl)
		n++
		s, _ := figures[field].(map[string]any)
		if s == nil || s["minimum"] != lo || s["maximum"] != hi || (s["exclusiveMinimum"] == true) != excl {
			t.Errorf("payload figure %s: documented %v, database [%v, %v] exclusive %v", field, s, lo, hi, excl)
		}
	}
	rows.Close()
	if n == 0 || n != len(figures) {
		t.Errorf("%d figures documented, %d bounded in the database", len(figures), n)
	}

	// Vocabularies.
	vocab := func(sql string) []any {
		var out []any
		rows, err := pool.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			rows.Scan(&c)
			out = append(out, c)
		}
		rows.Close()
		return out
	}
	enum := func(typ, key string) []any {
		e := payloadSchema(typ)["properties"].(map[string]any)[key].(map[string]any)["enum"].([]any)
		sort.Slice(e, func(i, j int) bool { return e[i].(string) < e[j].(string) })
		return e
	}
	if got, want := enum("RECOVERY_DECIDED", "basis"), vocab(`SELECT code FROM landreg_sys.recovery_bases ORDER BY code`); !slices.Equal(got, want) {
		t.Errorf("recovery bases: documented %v, database %v", got, want)
	}
	if got, want := enum("DISPOSED", "decision"), vocab(`SELECT code FROM landreg_sys.disposal_decisions WHERE event_type <> 'RECOVERY_DECIDED' ORDER BY code`); !slices.Equal(got, want) {
		t.Errorf("disposal decisions: documented %v, database %v", got, want)
	}

	// Every payload on record fits its type's schema.
	rows, err = pool.Query(ctx, `SELECT type, payload::text FROM parcel_events`)
	if err != nil {
		t.Fatal(err)
	}
	var stored [][2]string
	for rows.Next() {
		var typ, raw string
		rows.Scan(&typ, &raw)
		stored = append(stored, [2]string{typ, raw})
	}
	rows.Close()
	seen := map[string]int{}
	for _, e := range stored {
		var v any
		json.Unmarshal([]byte(e[1]), &v)
		if err := k.schema("/components/schemas/EventPayload_" + e[0]).Validate(v); err != nil {
			t.Errorf("%s payload on record %s does not fit its schema: %v", e[0], e[1], err)
		}
		seen[e[0]]++
	}
	if len(seen) < 10 {
		t.Errorf("the demo's events have only the types %v", seen)
	}

	// What a schema refuses, the database refuses.
	var pid int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM parcels`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	type refusal struct{ typ, payload string }
	cases := []refusal{
		{"GOV_CAUSE", `{}`}, {"GOV_CAUSE", `{"from": "2024-13-01"}`}, {"GOV_CAUSE", `{"from": 20240101}`},
		{"GOV_CAUSE", `{"from": "2024-01-01", "to": "someday"}`},
		{"EXTENSION_APPROVED", `{}`}, {"EXTENSION_APPROVED", `{"new_start_deadline": "2024-02-30"}`},
		{"ANNUAL_INDICATORS", `{}`}, {"ANNUAL_INDICATORS", `{"year": 2023.5}`}, {"ANNUAL_INDICATORS", `{"year": "2023"}`},
		{"RAMPUP_REVIEWED", `{}`}, {"RAMPUP_REVIEWED", `{"passed": "yes"}`},
		{"IDLE_FEE_LEVIED", `{}`}, {"IDLE_FEE_PAID", `{}`}, {"IDLE_FEE_LEVIED", `{"amount_wan": -1}`},
		{"RECOVERY_DECIDED", `{}`}, {"RECOVERY_DECIDED", `{"basis": "SEIZED"}`}, {"RECOVERY_DECIDED", `{"basis": "COMPENSATED"}`},
		{"RECOVERY_DECIDED", `{"basis": "UNCOMPENSATED", "compensation_wan": 5}`},
		{"DISPOSED", `{"decision": "COMPENSATED"}`}, {"DISPOSED", `{"decision": 3}`},
		{"TRANSFERRED", `{}`}, {"TRANSFERRED", `{"new_holder_uscc": 913303}`},
		{"PROGRESS", `{"other": 2e12}`}, {"STARTED", `{"employees": 10.5}`},
	}
	for field, s := range figures {
		s := s.(map[string]any)
		cases = append(cases, refusal{"PROGRESS", fmt.Sprintf(`{%q: %v}`, field, s["maximum"].(float64)*2+1)},
			refusal{"PROGRESS", fmt.Sprintf(`{%q: "1"}`, field)}, refusal{"PROGRESS", fmt.Sprintf(`{%q: null}`, field)})
		if s["exclusiveMinimum"] == true {
			cases = append(cases, refusal{"PROGRESS", fmt.Sprintf(`{%q: %v}`, field, s["minimum"])})
		}
	}
	for _, c := range cases {
		var v any
		if err := json.Unmarshal([]byte(c.payload), &v); err != nil {
			t.Fatal(err)
		}
		if err := k.schema("/components/schemas/EventPayload_" + c.typ).Validate(v); err == nil {
			t.Errorf("%s %s: the schema accepts it", c.typ, c.payload)
		}
		var dbErr error
		err := store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "payload probe"}, func(tx pgx.Tx) error {
			_, dbErr = tx.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, doc_no, payload)
VALUES ($1, $2, landreg_sys.today(), '测试', $3::jsonb)`, pid, c.typ, c.payload)
			return errRollback
		})
		var pg *pgconn.PgError
		switch {
		case !errors.Is(err, errRollback):
			t.Fatal(err)
		case dbErr == nil:
			t.Errorf("%s %s: the database accepts it", c.typ, c.payload)
		case !errors.As(dbErr, &pg) || !strings.HasPrefix(pg.ColumnName, "payload"):
			t.Errorf("%s %s: refused for another reason than the payload: %v (column %q)", c.typ, c.payload, dbErr, pg.ColumnName)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestAuditRowSchemas: the documented rows of a parcel dossier's audit entries have the
// columns of their tables, as the audit writes them (generated columns left out) less
// what the dossier drops (geom, props_json), with their types and nullability; and
// every audit row of those tables in the demo, after a record edit, an event and a
// retirement, fits its table's schema.
func TestAuditRowSchemas(t *testing.T) {
	ctx := context.Background()
	pool, srv, _ := demoServer(t, demodb.Demo)
	k := newContract(t, srv.URL)
	schemas := k.doc["components"].(map[string]any)["schemas"].(map[string]any)
	jsonType := map[string]string{"text": "string", "date": "string", "timestamp with time zone": "string", "boolean": "boolean",
		"integer": "integer", "bigint": "integer", "smallint": "integer", "numeric": "number", "double precision": "number"}
	for _, table := range []string{"parcels", "parcel_events", "parcel_retirements"} {
		props := schemas["AuditRow_"+table].(map[string]any)["properties"].(map[string]any)
		rows, err := pool.Query(ctx, `SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' AND column_name NOT IN ('geom', 'props_json')`, table)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var col, typ string
			var null bool
			rows.Scan(&col, &typ, &null)
			n++
			s, _ := props[col].(map[string]any)
			switch {
			case s == nil:
				t.Errorf("%s.%s (%s) is not documented", table, col, typ)
			case typ == "jsonb":
				if s["$ref"] != "#/components/schemas/EventPayload" {
					t.Errorf("%s.%s: %v", table, col, s)
				}
			case s["type"] != jsonType[typ] || (s["nullable"] == true) != null:
				t.Errorf("%s.%s (%s, nullable %v) documented as %v", table, col, typ, null, s)
			}
		}
		rows.Close()
		if n == 0 || n != len(props) {
			t.Errorf("%s: %d columns, %d documented", table, n, len(props))
		}
	}

	// Rows of every kind: a record edit (old and new), an event, a retirement.
	var pid, other int64
	pool.QueryRow(ctx, `SELECT min(id), max(id) FROM parcels`).Scan(&pid, &other)
	err := store.InTx(ctx, pool, store.Change{Actor: "test", Reason: "audit rows"}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE parcels SET project_name = project_name || '（二期）' WHERE id = $1`, pid); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, doc_no, payload)
VALUES ($1, 'PROGRESS', landreg_sys.today(), '测试', '{"developed_land_ratio": 0.4, "note": "测试"}')`, pid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := client{t, srv.URL, token(t, pool, "reg", "registrar")}
	if res, body := admin.do("DELETE", "/v1/parcels/"+itoa(other), map[string]any{"effective_date": landreg.Today().Format("2006-01-02"),
		"doc_no": "温政土收〔2026〕9号", "kind": "收回", "reason": "测试"}); res.StatusCode != 204 {
		t.Fatalf("retire parcel %d: %d %s", other, res.StatusCode, body)
	}
	rows, err := pool.Query(ctx, `SELECT table_name, (old_row - 'geom' - 'props_json')::text, (new_row - 'geom' - 'props_json')::text
FROM audit_log WHERE table_name IN ('parcels', 'parcel_events', 'parcel_retirements')`)
	if err != nil {
		t.Fatal(err)
	}
	var audited [][2]string
	for rows.Next() {
		var table string
		var old, new *string
		rows.Scan(&table, &old, &new)
		for _, r := range []*string{old, new} {
			if r != nil {
				audited = append(audited, [2]string{table, *r})
			}
		}
	}
	rows.Close()
	seen := map[string]int{}
	for _, a := range audited {
		var v any
		json.Unmarshal([]byte(a[1]), &v)
		if err := k.schema("/components/schemas/AuditRow_" + a[0]).Validate(v); err != nil {
			t.Errorf("%s audit row %.300s: %v", a[0], a[1], err)
		}
		seen[a[0]]++
	}
	if len(seen) != 3 {
		t.Errorf("audit rows checked: %v", seen)
	}
	// The dossiers that show them match their documented schema.
	for _, id := range []int64{pid, other} {
		k.check("GET", srv.URL, "/v1/parcels/{featureId}/history", "/v1/parcels/"+itoa(id)+"/history", nil, nil, 200)
	}
	// A bulk insert (one audit row for its statement, issue 18.4): each of its parcels'
	// history shows an entry with the statement's actor, reason, row count and the row
	// as written, in the same schema.
	err = store.InTx(ctx, pool, store.Change{Actor: "bulk", Reason: "批量导入"}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO parcels (zddm, xzqdm, landuse_code, geom, location)
SELECT format('330304999001GB%s', lpad(i::text, 5, '0')), '330304', '0601',
  ST_Multi(ST_MakeEnvelope(120.5 + (i % 50) * 0.0002, 27.9 + (i / 50) * 0.0002, 120.50015 + (i % 50) * 0.0002, 27.90015 + (i / 50) * 0.0002, 4490)),
  '批量 ' || i FROM generate_series(1, 1001) i`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var bulkID int64
	pool.QueryRow(ctx, `SELECT id FROM parcels WHERE zddm = '330304999001GB00500'`).Scan(&bulkID)
	var h struct {
		Audit []map[string]any `json:"audit"`
	}
	json.Unmarshal(k.check("GET", srv.URL, "/v1/parcels/{featureId}/history", "/v1/parcels/"+itoa(bulkID)+"/history", nil, nil, 200), &h)
	if len(h.Audit) != 1 || h.Audit[0]["actor"] != "bulk" || h.Audit[0]["reason"] != "批量导入" || h.Audit[0]["statement_rows"] != float64(1001) ||
		h.Audit[0]["row_key"] != itoa(bulkID) || h.Audit[0]["new"].(map[string]any)["location"] != "批量 500" {
		t.Errorf("history of a bulk-inserted parcel: %v", h.Audit)
	}
}
