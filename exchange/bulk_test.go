package exchange_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// bulkParcels is the size of the bulk tests: enough rows for the set-based statements to
// run as they do at 200,000, few enough for the suite.
const bulkParcels = 3000

// bulkColumns are the generated file's attributes, in the parcels table's names.
var bulkColumns = []string{"zddm", "xzqdm", "location", "holder_name", "holder_uscc", "landuse_code",
	"registered_area_m2", "supply_method", "contract_date", "price_wan", "term_years", "far_min", "is_standard_land"}

// bulkGPKG generates bulkParcels parcels around a point of each of src's districts (40 × 40 m
// plots on a 50 m grid, holders from the demo enterprises, some locations with tabs, quotes, backslashes
// and line breaks, some facts NULL) into a table bulk_parcels of src in EPSG:4549, and
// writes it as a GeoPackage. edit, when given, changes the table first (a bad feature).
func bulkGPKG(t *testing.T, src *pgxpool.Pool, dir, name string, edit ...string) string {
	t.Helper()
	ctx := context.Background()
	_, err := src.Exec(ctx, `DROP TABLE IF EXISTS bulk_parcels; CREATE TABLE bulk_parcels AS
WITH cells AS (
  SELECT d.xzqdm, row_number() OVER (PARTITION BY d.xzqdm ORDER BY y, x) - 1 AS n,
         ST_MakeEnvelope(x, y, x + 0.0004, y + 0.00036, 4490) AS g
  FROM districts d,
       LATERAL (SELECT round(ST_X(ST_PointOnSurface(d.geom))::numeric, 4) AS cx, round(ST_Y(ST_PointOnSurface(d.geom))::numeric, 4) AS cy) c0,
       generate_series(cx - 0.02, cx + 0.02, 0.0005) x,
       generate_series(cy - 0.02, cy + 0.02, 0.00045) y
  WHERE ST_CoveredBy(ST_MakeEnvelope(x, y, x + 0.0004, y + 0.00036, 4490), d.geom)),
picked AS (SELECT row_number() OVER (ORDER BY n, xzqdm) - 1 AS k, * FROM cells ORDER BY n, xzqdm LIMIT 3000),
holders AS (SELECT row_number() OVER (ORDER BY uscc) - 1 AS h, uscc, name FROM enterprises)
SELECT c.k AS ord, format('%s901%sGB%s', c.xzqdm, lpad((1 + c.n / 99999)::text, 3, '0'), lpad((1 + c.n % 99999)::text, 5, '0')) AS zddm,
       c.xzqdm, CASE WHEN c.k % 7 = 0 THEN E'坐落\t"引号"\\反斜杠\n第二行 ' || c.k WHEN c.k % 7 = 1 THEN NULL ELSE '园区路 ' || c.k || ' 号' END AS location,
       h.name AS holder_name, h.uscc AS holder_uscc, '0601' AS landuse_code,
       round(ST_Area(c.g::geography)::numeric, 2) AS registered_area_m2, '招拍挂' AS supply_method,
       DATE '2019-01-01' + (c.k % 1500)::int AS contract_date, CASE WHEN c.k % 5 = 0 THEN NULL ELSE 1000 + c.k % 900 END AS price_wan,
       50 AS term_years, CASE WHEN c.k % 3 = 0 THEN 1.25 END AS far_min, c.k % 2 = 0 AS is_standard_land,
       ST_Transform(c.g, 4549) AS geom
FROM picked c JOIN holders h ON h.h = c.k % (SELECT count(*) FROM holders)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edit {
		if _, err := src.Exec(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	src.QueryRow(ctx, `SELECT count(*) FROM bulk_parcels`).Scan(&n)
	if n != bulkParcels {
		t.Fatalf("generated %d parcels, want %d", n, bulkParcels)
	}
	path := filepath.Join(dir, name)
	c := src.Config().ConnConfig
	ogr(t, "ogr2ogr", "-f", "GPKG", path,
		fmt.Sprintf("PG:host='%s' port=%d dbname='%s' user='%s' password='%s'", c.Host, c.Port, c.Database, c.User, c.Password),
		"-sql", "SELECT "+strings.Join(bulkColumns, ", ")+", geom FROM bulk_parcels ORDER BY ord", "-nln", "宗地", "-nlt", "MULTIPOLYGON")
	return path
}

// TestBulkImportEqualsRowByRow: 3,000 generated parcels imported from a GeoPackage (COPY,
// set-based checks, one INSERT … SELECT) give the same parcels, properties and versions
// as the same parcels written one INSERT at a time (as the API or a QGIS user writes
// them) with the same change context, and the same audit trail as its readers show it
// (actor, reason, time and the row as written), though the import is audited by one row
// for its statement and the INSERTs by one row each.
func TestBulkImportEqualsRowByRow(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	path := bulkGPKG(t, src, t.TempDir(), "bulk.gpkg")
	change := store.Change{Actor: "bulk-test", Reason: "批量导入 / bulk import"}

	bulk := withDistricts(t, src)
	rep := mustImport(t, bulk, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path, Change: change})
	if !rep.OK() || rep.Imported != bulkParcels {
		t.Fatalf("imported %d:\n%s", rep.Imported, reportText(rep))
	}

	// The reference: the same rows, one statement each, from the generating table.
	rows, err := src.Query(ctx, `SELECT `+strings.Join(bulkColumns, ", ")+`, ST_AsBinary(geom) FROM bulk_parcels ORDER BY ord`)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatal(err)
	}
	ref := withDistricts(t, src)
	ph := make([]string, len(bulkColumns))
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	insert := `INSERT INTO parcels (` + strings.Join(bulkColumns, ", ") + `, geom) VALUES (` + strings.Join(ph, ", ") +
		fmt.Sprintf(`, ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB($%d), 4549), 4490)))`, len(bulkColumns)+1)
	err = store.InTx(ctx, ref, change, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name) SELECT DISTINCT ON (h) h, n FROM unnest($1::text[], $2::text[]) u (h, n) ORDER BY h`,
			column(vals, 4), column(vals, 3)); err != nil {
			return err
		}
		for _, v := range vals {
			if _, err := tx.Exec(ctx, insert, v...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Every stored column but the id and the system time (each transaction's own).
	same := func(what, q string) {
		t.Helper()
		read := func(p *pgxpool.Pool) map[string]string {
			rows, err := p.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				m[k] = v
			}
			return m
		}
		a, b := read(bulk), read(ref)
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%s: %d rows imported, %d written row by row", what, len(a), len(b))
		}
		bad := 0
		for k, v := range b {
			if a[k] != v {
				if bad++; bad <= 3 {
					t.Errorf("%s %s:\nimported     %s\nrow by row   %s", what, k, a[k], v)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d differ", what, bad, len(b))
		}
	}
	same("parcels", `SELECT zddm, (to_jsonb(p) - 'id' - 'sys_from' - 'geom')::text || ST_AsEWKB(geom)::text FROM parcels p`)
	same("audit of enterprises", `SELECT row_key, concat_ws('|', op, actor, reason, new_row::text) FROM audit_log WHERE table_name = 'enterprises'`)
	same("versions", `SELECT zddm, concat_ws('|', version, valid_from, created_by, reason, (SELECT count(*) FROM parcels_history h WHERE h.zddm = p.zddm)) FROM parcels p`)

	// The audit: one row for the import's statement (actor, reason, how many rows, which
	// ids), one row per parcel for the INSERTs one at a time (landreg_sys.audit).
	if n := count(t, bulk, `SELECT count(*) FROM audit_log WHERE table_name = 'parcels'`); n != 1 {
		t.Errorf("%d audit rows of parcels after the import, want 1 for its statement", n)
	}
	if n := count(t, bulk, `SELECT count(*) FROM audit_log a WHERE a.table_name = 'parcels' AND a.op = 'INSERT' AND a.actor = 'bulk-test'
  AND a.reason = $1 AND a.row_count = $2 AND a.row_key IS NULL AND a.new_row IS NULL
  AND a.row_ids = (SELECT range_agg(int8range(id, id, '[]')) FROM parcels) AND a.at = ALL (SELECT sys_from FROM parcels)`, change.Reason, bulkParcels); n != 1 {
		t.Errorf("the import's audit row does not name its actor, reason, %d rows and their ids", bulkParcels)
	}
	if n := count(t, ref, `SELECT count(*) FROM audit_log WHERE table_name = 'parcels' AND row_key IS NOT NULL AND row_count IS NULL`); n != bulkParcels {
		t.Errorf("%d audit rows of parcels written one at a time, want %d", n, bulkParcels)
	}
	// What the readers show (the dossier, the API's history, the audit report's dossier:
	// store.ParcelAudit) is the same for every parcel: who, why, when (the version's
	// system time), what (the row as written), all but the ids of the audit row, the
	// parcel and the transaction; the bulk entry says how many rows its statement wrote.
	shown := func(p *pgxpool.Pool, statementRows int) map[string]string {
		t.Helper()
		var ids []int64
		sys := map[int64]time.Time{}
		rows, err := p.Query(ctx, `SELECT id, sys_from FROM parcels ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			sys[id] = at
		}
		entries, err := store.ParcelAudit(ctx, p, ids)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, id := range ids {
			es := entries[id]
			if len(es) != 1 {
				t.Fatalf("parcel %d: %d audit entries, want 1", id, len(es))
			}
			e := es[0]
			if !e.At.Equal(sys[id]) || e.Key == nil || *e.Key != fmt.Sprint(id) || e.Old != nil || e.New == nil ||
				(statementRows == 0) != (e.StatementRows == nil) || (e.StatementRows != nil && *e.StatementRows != statementRows) {
				t.Fatalf("parcel %d: entry %+v (at %s, key %v, statement rows %v), want at %s", id, e, e.At, e.Key, e.StatementRows, sys[id])
			}
			var row map[string]any
			if err := json.Unmarshal(e.New, &row); err != nil {
				t.Fatal(err)
			}
			if row["id"] != float64(id) {
				t.Fatalf("parcel %d: audit row of %v", id, row["id"])
			}
			delete(row, "id")
			delete(row, "sys_from")
			b, _ := json.Marshal(row)
			out[row["zddm"].(string)] = strings.Join([]string{e.Table, e.Op, e.Actor, *e.Reason, string(b)}, "|")
		}
		return out
	}
	a, b := shown(bulk, bulkParcels), shown(ref, 0)
	if len(a) != bulkParcels || len(b) != bulkParcels {
		t.Fatalf("audit entries of %d parcels imported, %d written row by row", len(a), len(b))
	}
	bad := 0
	for k, v := range b {
		if a[k] != v {
			if bad++; bad <= 3 {
				t.Errorf("audit entry of %s:\nimported     %s\nrow by row   %s", k, a[k], v)
			}
		}
	}
	if bad > 0 {
		t.Errorf("audit entries: %d of %d differ", bad, len(b))
	}
	for k, v := range a {
		if !strings.Contains(v, "|bulk-test|"+change.Reason+"|") {
			t.Fatalf("audit entry of %s does not name the import's actor and reason: %s", k, v)
		}
	}
	// The dossier of one imported parcel, as the API and the audit report read it.
	var first int64
	bulk.QueryRow(ctx, `SELECT min(id) FROM parcels`).Scan(&first)
	d, err := store.ParcelDossier(ctx, bulk, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Audit) != 1 || d.Audit[0].Actor != "bulk-test" || d.Audit[0].StatementRows == nil || !strings.Contains(string(d.Audit[0].New), `"zddm"`) {
		t.Errorf("dossier audit of parcel %d: %+v", first, d.Audit)
	}
	// The awkward texts survived the COPY in both directions.
	if n := count(t, bulk, `SELECT count(*) FROM parcels WHERE location LIKE E'坐落\t"引号"\\\\反斜杠\n第二行 %'`); n != (bulkParcels+6)/7 {
		t.Errorf("%d locations with tab, quotes, backslash and line break, want %d", n, (bulkParcels+6)/7)
	}
}

// column is the i-th value of every row, as text.
func column(vals [][]any, i int) []string {
	out := make([]string, len(vals))
	for k, v := range vals {
		out[k] = fmt.Sprint(v[i])
	}
	return out
}

// TestBulkImportBadFeaturesInTheMiddle: among 3,000 parcels, a bad 用途 code at feature
// 1,500 and a self-intersecting plot at 2,222 refuse the whole file: nothing is written
// (no parcel, no enterprise, no audit row) and each bad feature is reported with its
// index, its code and the field at fault.
func TestBulkImportBadFeaturesInTheMiddle(t *testing.T) {
	needGDAL(t)
	ctx := context.Background()
	src := demo(t)
	path := bulkGPKG(t, src, t.TempDir(), "bad.gpkg",
		`UPDATE bulk_parcels SET landuse_code = '0699X' WHERE ord = 1500`,
		`UPDATE bulk_parcels SET geom = ST_Multi(ST_MakePolygon(ST_MakeLine(ARRAY[ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1),
  ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 3), ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 2),
  ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 4), ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)]))) WHERE ord = 2222`)
	dst := withDistricts(t, src)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: path})
	if rep.OK() || rep.Imported != 0 || rep.Errors != 2 || rep.Features != bulkParcels || rep.Valid != bulkParcels-2 {
		t.Fatalf("want two errors among %d features:\n%s", bulkParcels, reportText(rep))
	}
	var zddm1500, zddm2222 string
	src.QueryRow(ctx, `SELECT (SELECT zddm FROM bulk_parcels WHERE ord = 1500), (SELECT zddm FROM bulk_parcels WHERE ord = 2222)`).Scan(&zddm1500, &zddm2222)
	var got []string
	for _, p := range rep.Problems {
		if p.Severity == "error" {
			got = append(got, fmt.Sprintf("%d %s %s %s", p.Index, p.SourceID, p.Code, p.Field))
			if !strings.Contains(p.Message, " / ") {
				t.Errorf("feature %d: message %q is not bilingual", p.Index, p.Message)
			}
		}
	}
	want := []string{"1500 " + zddm1500 + " bad-code landuse_code", "2222 " + zddm2222 + " invalid-geometry geometry"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, q := range []string{`SELECT count(*) FROM parcels`, `SELECT count(*) FROM enterprises`, `SELECT count(*) FROM audit_log WHERE table_name IN ('parcels', 'enterprises')`} {
		if n := count(t, dst, q); n != 0 {
			t.Errorf("%s: %d, want 0", q, n)
		}
	}
	// The text report says where and why, and that nothing was written.
	txt := reportText(rep)
	for _, s := range []string{zddm1500, zddm2222, "landuse_code", "Self-intersection", "nothing was written"} {
		if !strings.Contains(txt, s) {
			t.Errorf("text report lacks %q:\n%s", s, txt)
		}
	}
}

// TestPropsJSONFromColumns: the properties the parcels trigger stores (props_json) are
// row_to_json of the columns in the order the collection serves them, as the function
// they replaced built them, for the demo parcels (every attribute filled somewhere) and
// a generated import.
func TestPropsJSONFromColumns(t *testing.T) {
	needGDAL(t)
	src := demo(t)
	dst := withDistricts(t, src)
	rep := mustImport(t, dst, exchange.ImportOptions{Kind: exchange.Parcels, CreateHolders: true, Path: bulkGPKG(t, src, t.TempDir(), "props.gpkg")})
	if !rep.OK() {
		t.Fatal(reportText(rep))
	}
	const q = `SELECT count(*) FILTER (WHERE props_json IS DISTINCT FROM (SELECT row_to_json(x)::text FROM (SELECT p.zddm, p.bdcdyh,
    p.cert_no, p.xzqdm, p.location, p.project_name, p.holder_name, p.holder_uscc, p.landuse_code, p.landuse_system,
    p.industry_code, p.registered_area_m2, p.supply_method, p.supervision_no, p.contract_no, p.contract_date, p.price_wan,
    p.term_years, p.is_standard_land, p.agreed_delivery, p.agreed_start, p.agreed_completion, p.agreed_rampup_review,
    p.far_min, p.far_max, p.coverage_min, p.invest_intensity_wan_per_mu, p.tax_per_mu_wan, p.va_per_mu_wan,
    p.energy_va_wan_per_tce, p.emission_va_wan_per_t, p.rd_ratio, p.valid_from, NULL::date AS valid_to, p.version,
    round(p.area_m2::numeric, 2) AS area_m2, round(landreg_sys.m2_to_mu(p.area_m2)::numeric, 4) AS area_mu,
    round(landreg_sys.m2_to_ha(p.area_m2)::numeric, 4) AS area_ha) x)), count(*) FROM parcels p`
	for name, pool := range map[string]*pgxpool.Pool{"demo": src, "import": dst} {
		var bad, n int
		if err := pool.QueryRow(context.Background(), q).Scan(&bad, &n); err != nil {
			t.Fatal(err)
		}
		if bad > 0 || n == 0 {
			t.Errorf("%s: %d of %d parcels' props_json differ from their columns", name, bad, n)
		}
	}
}
