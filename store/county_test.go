package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/landreg/landreg"
	lrcodes "github.com/landreg/landreg/codes"
	"github.com/landreg/landreg/dbtest"
	"github.com/landreg/landreg/geo"
	"github.com/landreg/landreg/store"
)

// Issue 13: districts versioned with their documents, enterprises, transfers of holder
// and retirements as of their legal date.

func str(s string) *string { return &s }

func boundary(g orb.MultiPolygon) *geo.Polygonal {
	b, _ := wkb.Marshal(g)
	return polygonal(b)
}

// usccOf completes 17 characters with their GB 32100 check character.
func usccOf(t *testing.T, first17 string) string {
	t.Helper()
	c, err := lrcodes.USCCCheck(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

var ouhai = rect(120.50, 27.88, 120.72, 28.05)

func addOuhai(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	err := store.CreateDistrict(context.Background(), pool, store.Change{Actor: "test", Reason: "登记", Effective: day("2020-12-31")}, "330304",
		store.DistrictWrite{Props: map[string]*string{"name": str("瓯海区"), "doc_no": str("温政发〔2020〕1号（示例）"),
			"rule_start": str("2021-01-01"), "rule_end": str("2030-12-31")}, Geom: boundary(ouhai)})
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) (n int) {
	t.Helper()
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDistrictVersions: every change of a district is a version in force from its legal
// date, with its document and audit row; the version in force on a date is read back;
// a change dated before the current version is refused; a change without a date takes
// effect today; an untouched save writes nothing.
func TestDistrictVersions(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	d, err := store.GetDistrict(ctx, pool, "330304", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || d.ValidFrom != "2020-12-31" || d.GKSRID != 4549 || d.DocNo == nil || *d.DocNo != "温政发〔2020〕1号（示例）" ||
		d.CompRatio != 1 || !d.LevelForLevel || d.MinorEditM2 != 1 || d.CreatedBy == nil || *d.CreatedBy != "test" {
		t.Fatalf("first version %+v", d)
	}
	err = store.UpdateDistrict(ctx, pool, store.Change{Actor: "test", Reason: "补划比例调整", Effective: day("2023-01-01")}, "330304",
		store.DistrictWrite{Props: map[string]*string{"comp_ratio": str("1.5"), "doc_no": str("温政发〔2023〕2号（示例）")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		date    string
		version int
		ratio   float64
	}{{"2022-12-31", 1, 1}, {"2023-01-01", 2, 1.5}, {"2025-06-30", 2, 1.5}} {
		asOf := day(c.date)
		d, err := store.GetDistrict(ctx, pool, "330304", &asOf)
		if err != nil || d.Version != c.version || d.CompRatio != c.ratio {
			t.Errorf("as of %s: %+v %v, want version %d ratio %v", c.date, d, err, c.version, c.ratio)
		}
	}
	before := day("2020-06-30")
	if _, err := store.GetDistrict(ctx, pool, "330304", &before); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("as of 2020-06-30, before the first version: %v", err)
	}
	vs, err := store.DistrictVersions(ctx, pool, "330304")
	if err != nil || len(vs) != 2 || vs[0].ValidTo == nil || *vs[0].ValidTo != "2023-01-01" || vs[1].ValidTo != nil || *vs[1].DocNo != "温政发〔2023〕2号（示例）" {
		t.Fatalf("versions %+v %v", vs, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'districts' AND row_key = '330304' AND new_row->>'doc_no' IS NOT NULL`); n != 2 {
		t.Errorf("%d audit rows with a document, want 2", n)
	}

	// Before the current version: refused, nothing written.
	err = store.UpdateDistrict(ctx, pool, store.Change{Actor: "test", Effective: day("2022-06-30")}, "330304",
		store.DistrictWrite{Props: map[string]*string{"minor_edit_m2": str("5"), "doc_no": str("x")}})
	if sqlState(err) != "LR003" {
		t.Errorf("a change before the current version: %v", err)
	}
	// No date: today.
	err = store.UpdateDistrict(ctx, pool, store.Change{Actor: "test"}, "330304",
		store.DistrictWrite{Props: map[string]*string{"include_logistics": str("true"), "doc_no": str("温政发〔2025〕3号（示例）")}})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := store.GetDistrict(ctx, pool, "330304", nil); d.Version != 3 || d.ValidFrom != landreg.Today().Format(time.DateOnly) || !d.IncludeLogistics {
		t.Errorf("undated change %+v", d)
	}
	// An untouched save and the same values again: no version, no audit row.
	audits := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'districts'`)
	if _, err := pool.Exec(ctx, `UPDATE districts SET name = name, geom = geom`); err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateDistrict(ctx, pool, store.Change{Actor: "test"}, "330304",
		store.DistrictWrite{Props: map[string]*string{"include_logistics": str("true")}}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM districts_all WHERE xzqdm = '330304'`); n != 3 {
		t.Errorf("%d versions after untouched saves, want 3", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE table_name = 'districts'`); n != audits {
		t.Errorf("untouched saves wrote %d audit rows", n-audits)
	}
	// The code is the district's identity.
	if _, err := pool.Exec(ctx, `UPDATE districts SET xzqdm = '330305'`); sqlState(err) != "LR002" {
		t.Errorf("code changed: %v", err)
	}
	// Two statements of one transaction make one version.
	err = store.InTx(ctx, pool, store.Change{Actor: "test"}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE districts SET minor_edit_m2 = 2, doc_no = '一' WHERE xzqdm = '330304'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE districts SET minor_edit_m2 = 3 WHERE xzqdm = '330304'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := store.GetDistrict(ctx, pool, "330304", nil); d.Version != 4 || d.MinorEditM2 != 3 {
		t.Errorf("one transaction's two statements: version %d minor %v, want 4 and 3", d.Version, d.MinorEditM2)
	}
}

// TestDistrictsDoNotOverlap: a boundary sharing another district's interior is refused
// with both districts named, and nothing is written; sharing an edge is fine.
func TestDistrictsDoNotOverlap(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	ch := store.Change{Actor: "test"}
	props := func(name string) map[string]*string {
		return map[string]*string{"name": str(name), "doc_no": str("测试〔2024〕1号")}
	}
	if err := store.CreateDistrict(ctx, pool, ch, "330303", store.DistrictWrite{Props: props("龙湾区"), Geom: boundary(rect(120.72, 27.84, 120.98, 28.00))}); err != nil {
		t.Fatalf("a neighbour sharing an edge: %v", err)
	}
	audits := count(t, pool, `SELECT count(*) FROM audit_log`)
	err := store.CreateDistrict(ctx, pool, ch, "330381", store.DistrictWrite{Props: props("瑞安市"), Geom: boundary(rect(120.40, 27.60, 120.72, 27.90))})
	e := store.Translate(err)
	if e == nil || e.Kind != "district-overlap" || !strings.Contains(e.Zh, "330304") || !strings.Contains(e.En, "overlaps district 330304") || e.Field != "geom" {
		t.Fatalf("overlapping district: %v", err)
	}
	err = store.UpdateDistrict(ctx, pool, ch, "330303", store.DistrictWrite{Props: map[string]*string{"doc_no": str("x")},
		Geom: boundary(rect(120.70, 27.84, 120.98, 28.00))})
	if e := store.Translate(err); e == nil || e.Kind != "district-overlap" {
		t.Fatalf("a boundary moved into a neighbour: %v", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM districts_all`); n != 2 {
		t.Errorf("%d district versions, want 2", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log`); n != audits {
		t.Errorf("refused writes left %d audit rows", n-audits)
	}
}

// TestDistrictValuesCheckedInDatabase: every writer is held to the bounds and the rule
// window's order, whatever the API checked first.
func TestDistrictValuesCheckedInDatabase(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	for _, set := range []string{"comp_ratio = 0.5", "comp_ratio = 11", "comp_ratio = 'NaN'", "minor_edit_m2 = -1", "minor_edit_m2 = 1e5",
		"rule_end = '2020-01-01'", "name = '  '", "doc_no = ''", "rule_start = '1800-01-01'"} {
		if _, err := pool.Exec(ctx, `UPDATE districts SET `+set); sqlState(err) != "23514" {
			t.Errorf("%s: %v", set, err)
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO districts (xzqdm, name, geom) VALUES ('03303', '坏', ST_Multi(ST_MakeEnvelope(121, 28, 121.1, 28.1, 4490)))`); sqlState(err) != "23514" {
		t.Errorf("bad code: %v", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM districts_all`); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
}

// TestDistrictHistoryHasEveryColumn: the history copies versions by column name, so a
// column added to districts alone would be lost from history; this holds them equal.
func TestDistrictHistoryHasEveryColumn(t *testing.T) {
	pool := dbtest.New(t)
	rows, err := pool.Query(context.Background(), `SELECT attname FROM pg_attribute WHERE attrelid = 'districts'::regclass AND attnum > 0 AND NOT attisdropped
EXCEPT SELECT attname FROM pg_attribute WHERE attrelid = 'districts_history'::regclass AND attnum > 0 AND NOT attisdropped`)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(missing) > 0 {
		t.Errorf("districts_history lacks %v (add them to both tables) %v", missing, err)
	}
}

// TestLoginsCannotChangeDistricts: planners (who edit block lines in QGIS) and readers
// may read districts and their history but not change them, nor forge history.
func TestLoginsCannotChangeDistricts(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	for _, group := range []string{"landreg_planner", "landreg_reader"} {
		conn, err := pgx.ConnectConfig(ctx, dbtest.NewLogin(t, pool, group))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM districts_all`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s reads districts_all: %d %v", group, n, err)
		}
		for _, sql := range []string{
			`UPDATE districts SET comp_ratio = 2, doc_no = '私改'`,
			`UPDATE districts SET rule_start = NULL, rule_end = NULL`,
			`INSERT INTO districts (xzqdm, name, geom) VALUES ('330399', '假', ST_Multi(ST_MakeEnvelope(121, 28, 121.1, 28.1, 4490)))`,
			`DELETE FROM districts`,
			`DELETE FROM districts_history`,
			`INSERT INTO districts_history SELECT '2030-01-01', now(), false, 'x', NULL, d.* FROM districts d`,
			`SELECT landreg_sys.district_close(d, '2030-01-01', true) FROM districts d`,
		} {
			if _, err := conn.Exec(ctx, sql); sqlState(err) != "42501" {
				t.Errorf("%s could run %.50q: %v", group, sql, err)
			}
		}
		conn.Close(ctx)
	}
	if d, _ := store.GetDistrict(ctx, pool, "330304", nil); d.Version != 1 || d.CompRatio != 1 || d.RuleStart == nil {
		t.Errorf("district after the logins tried: %+v", d)
	}
}

// parcel registers a parcel of 瓯海 held by holder.
func parcel(t *testing.T, pool *pgxpool.Pool, zddm, holder, validFrom string) int64 {
	t.Helper()
	id, err := store.CreateFeature(context.Background(), pool, store.Change{Actor: "test"}, "parcels", store.FeatureWrite{
		Props: map[string]*string{"zddm": str(zddm), "xzqdm": str("330304"), "landuse_code": str("0601"), "holder_uscc": str(holder),
			"holder_name": str("甲（示例）"), "contract_date": str(validFrom), "agreed_start": str("2019-09-01"), "valid_from": str(validFrom)},
		Geom: boundary(rect(120.60, 27.95, 120.601, 27.951))})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestUnknownHolderNamesItsField: a parcel naming an enterprise that is not registered
// is refused in the registry's terms, naming holder_uscc.
func TestUnknownHolderNamesItsField(t *testing.T) {
	pool := dbtest.New(t)
	addOuhai(t, pool)
	_, err := store.CreateFeature(context.Background(), pool, store.Change{Actor: "test"}, "parcels", store.FeatureWrite{
		Props: map[string]*string{"zddm": str("330304001001GB00001"), "xzqdm": str("330304"), "landuse_code": str("0601"),
			"holder_uscc": str(usccOf(t, "91330304MA2XXXXX0"))},
		Geom: boundary(rect(120.60, 27.95, 120.601, 27.951))})
	e := store.Translate(err)
	if e == nil || e.Kind != "unknown-reference" || e.Field != "holder_uscc" || !strings.Contains(e.Zh, "未登记为企业") || !strings.Contains(e.En, "not a registered enterprise") {
		t.Fatalf("unknown holder: %+v (%v)", e, err)
	}
	_, err = store.CreateFeature(context.Background(), pool, store.Change{Actor: "test"}, "parcels", store.FeatureWrite{
		Props: map[string]*string{"zddm": str("330305001001GB00001"), "xzqdm": str("330305"), "landuse_code": str("0601")},
		Geom:  boundary(rect(120.60, 27.95, 120.601, 27.951))})
	if e := store.Translate(err); e == nil || e.Field != "xzqdm" || !strings.Contains(e.En, "unknown district 330305") {
		t.Fatalf("unknown district: %+v (%v)", e, err)
	}
}

// TestTransferWritesTheNewHolder: a TRANSFERRED event and the parcel's new version with
// the new holder are one change; the history shows every holder with its dates; a
// transfer that cannot be recorded writes neither.
func TestTransferWritesTheNewHolder(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	a, b, c := usccOf(t, "91330304MA2AAAAA0"), usccOf(t, "91330304MA2BBBBB0"), usccOf(t, "91330304MA2CCCCC0")
	for i, u := range []string{a, b, c} {
		if err := store.CreateEnterprise(ctx, pool, store.Change{Actor: "test"}, u, map[string]*string{"name": str([]string{"甲", "乙", "丙"}[i] + "（示例）"),
			"industry_code": str("3443"), "address": str("温州市瓯海区")}); err != nil {
			t.Fatal(err)
		}
	}
	id := parcel(t, pool, "330304001001GB00001", a, "2019-01-10")
	ch := store.Change{Actor: "test", Reason: "二级市场转让"}
	if _, err := store.TransferParcel(ctx, pool, ch, id, store.Transfer{Date: day("2021-06-01"), HolderUSCC: b, ContractNo: "转〔2021〕1号"}); err != nil {
		t.Fatal(err)
	}
	ev, err := store.TransferParcel(ctx, pool, ch, id, store.Transfer{Date: day("2023-03-15"), HolderUSCC: c, ContractNo: "转〔2023〕7号",
		Extra: map[string]json.RawMessage{"price_wan": json.RawMessage(`880`)}})
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	json.Unmarshal(ev.Payload, &payload)
	if payload["new_holder_uscc"] != c || payload["previous_holder_uscc"] != b || payload["new_holder_name"] != "丙（示例）" || payload["price_wan"] != 880.0 {
		t.Errorf("transfer payload %v", payload)
	}
	// Refused: an unregistered holder, a date before the current version. Nothing written.
	if _, err := store.TransferParcel(ctx, pool, ch, id, store.Transfer{Date: day("2024-01-01"), HolderUSCC: usccOf(t, "91330304MA2DDDDD0"), ContractNo: "x"}); sqlState(err) != "LRE06" {
		t.Errorf("transfer to an unregistered holder: %v", err)
	}
	if _, err := store.TransferParcel(ctx, pool, ch, id, store.Transfer{Date: day("2022-01-01"), HolderUSCC: a, ContractNo: "x"}); sqlState(err) != "LR003" {
		t.Errorf("transfer before the current version: %v", err)
	}
	d, err := store.ParcelDossier(ctx, pool, id)
	if err != nil {
		t.Fatal(err)
	}
	var holders, from []string
	for _, v := range d.Versions {
		var p map[string]any
		json.Unmarshal(v.Properties, &p)
		holders, from = append(holders, p["holder_uscc"].(string)), append(from, v.ValidFrom)
	}
	if strings.Join(holders, ",") != strings.Join([]string{a, b, c}, ",") || strings.Join(from, ",") != "2019-01-10,2021-06-01,2023-03-15" {
		t.Errorf("holders %v from %v", holders, from)
	}
	if len(d.Events) != 2 || d.Events[0].Type != "TRANSFERRED" {
		t.Errorf("events %+v", d.Events)
	}
	// 亩均 and every as-of query see the holder of their date.
	var at2022 string
	pool.QueryRow(ctx, `SELECT holder_uscc FROM parcels_all WHERE id = $1 AND valid_from <= '2022-12-31' AND (valid_to IS NULL OR valid_to > '2022-12-31')`, id).Scan(&at2022)
	if at2022 != b {
		t.Errorf("holder at 2022-12-31 %s, want %s", at2022, b)
	}
	if e, err := store.GetEnterprise(ctx, pool, c); err != nil || len(e.Parcels) != 1 || e.Parcels[0].ID != id || *e.Address != "温州市瓯海区" {
		t.Errorf("enterprise %+v %v", e, err)
	}
	// The database requires a registered new holder from every writer.
	_, err = pool.Exec(ctx, `INSERT INTO parcel_events (parcel_id, type, event_date, payload) VALUES ($1, 'TRANSFERRED', '2024-01-01', '{}')`, id)
	if sqlState(err) != "LRE03" {
		t.Errorf("TRANSFERRED without new_holder_uscc: %v", err)
	}
}

// TestRetirementAsOfItsDate: a parcel retired as of a past legal date is retired from
// that date on and not the day before, in its status and its history, with the
// decision's document; dates after today or before the current version are refused.
func TestRetirementAsOfItsDate(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	u := usccOf(t, "91330304MA2AAAAA0")
	if err := store.CreateEnterprise(ctx, pool, store.Change{Actor: "test"}, u, map[string]*string{"name": str("甲（示例）")}); err != nil {
		t.Fatal(err)
	}
	id := parcel(t, pool, "330304001001GB00001", u, "2019-01-10")
	ch := store.Change{Actor: "test", Reason: "闲置满两年，依法收回"}
	for _, eff := range []time.Time{landreg.Today().AddDate(0, 0, 1), day("2018-12-31")} {
		ch.Effective = eff
		_, err := store.RetireParcel(ctx, pool, ch, id, landreg.RetireRecover, "温政收〔2024〕3号（示例）", nil)
		if e := store.Translate(err); e == nil || e.Field != "effective_date" {
			t.Errorf("retired as of %s: %v", eff.Format(time.DateOnly), err)
		}
	}
	ch.Effective = day("2024-05-01")
	r, err := store.RetireParcel(ctx, pool, ch, id, landreg.RetireRecover, "温政收〔2024〕3号（示例）", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.EffectiveDate != "2024-05-01" || r.Kind != "收回" || *r.DocNo != "温政收〔2024〕3号（示例）" || r.RecordedBy != "test" || r.Version != 1 {
		t.Errorf("retirement %+v", r)
	}
	for _, c := range []struct {
		date    string
		retired bool
	}{{"2024-04-30", false}, {"2024-05-01", true}, {"2025-01-01", true}} {
		st, err := store.StatusAt(ctx, pool, id, day(c.date))
		if err != nil {
			t.Fatalf("status as of %s: %v", c.date, err)
		}
		if c.retired != (st.Category == "RETIRED") || (c.retired && st.Since != "2024-05-01") {
			t.Errorf("status as of %s: %s since %s, retired %v", c.date, st.Category, st.Since, c.retired)
		}
	}
	d, err := store.ParcelDossier(ctx, pool, id)
	if err != nil {
		t.Fatal(err)
	}
	last := d.Versions[len(d.Versions)-1]
	if !last.Retired || last.ValidTo == nil || *last.ValidTo != "2024-05-01" || d.Retirement == nil || *d.Retirement.DocNo != "温政收〔2024〕3号（示例）" {
		t.Errorf("history: last version %+v, retirement %+v", last, d.Retirement)
	}
	var audited bool
	for _, a := range d.Audit {
		audited = audited || a.Table == "parcel_retirements"
	}
	if !audited {
		t.Error("the retirement has no audit row")
	}
	// A retirement record stands only beside the retirement it describes.
	_, err = pool.Exec(ctx, `INSERT INTO parcel_retirements (parcel_id, version, kind, effective_date) VALUES ($1, 1, '注销', '2024-05-01')`, id)
	if err == nil || !(sqlState(err) == "LRP03" || sqlState(err) == "23505") {
		t.Errorf("a second retirement record: %v", err)
	}
}

// TestBoundaryKeepsItsLines: a new boundary that would leave one of the district's
// block lines outside it is refused; one that still holds them is a new version.
func TestBoundaryKeepsItsLines(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	addOuhai(t, pool)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT landreg_sys.begin_change('test', '划定', '2020-12-31');
INSERT INTO block_lines (code, name, xzqdm, level, geom) VALUES
 ('330304-GYQK-01', '一级A', '330304', 1, ST_Multi(ST_MakeEnvelope(120.620, 27.930, 120.630, 27.940, 4490)))`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ch := store.Change{Actor: "test"}
	err = store.UpdateDistrict(ctx, pool, ch, "330304", store.DistrictWrite{Props: map[string]*string{"doc_no": str("缩小")},
		Geom: boundary(rect(120.50, 27.88, 120.625, 28.05))})
	if e := store.Translate(err); e == nil || e.Kind != "outside-district" || !strings.Contains(e.En, "330304-GYQK-01") {
		t.Fatalf("a boundary leaving a line outside: %v", err)
	}
	if err := store.UpdateDistrict(ctx, pool, ch, "330304", store.DistrictWrite{Props: map[string]*string{"doc_no": str("扩大")},
		Geom: boundary(rect(120.50, 27.87, 120.72, 28.05))}); err != nil {
		t.Fatalf("a boundary that still holds the lines: %v", err)
	}
	if d, _ := store.GetDistrict(ctx, pool, "330304", nil); d.Version != 2 {
		t.Errorf("version %d, want 2", d.Version)
	}
}
