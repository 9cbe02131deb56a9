package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// The auditors' reports (domain.md §7). Each returns rows ready for the report package:
// values in column order, plus a GeoJSON geometry where the report has one.

// IdleParcel is one row of the idle-land ledger (闲置土地台账).
type IdleParcel struct {
	ParcelID     int64
	Zddm         string
	Xzqdm        string
	District     string
	Holder       *string
	HolderUSCC   *string
	ContractNo   *string
	AgreedStart  *time.Time
	Deadline     *time.Time
	Category     string
	CategoryZh   string
	Since        time.Time
	DaysIdle     int
	RegisteredMu *float64
	ComputedMu   float64
	IdleFeeWan   float64
	NextStep     string
	Geometry     json.RawMessage
}

// Idle categories and the next legal step for each (53号令, domain.md §2.1). The idle
// clock (§8.6 ruling 7) of a parcel not started is its start deadline: it is idle from
// deadline + 1 year, 闲置满 N 年 from deadline + N years, and its days idle count from
// deadline + 1 year whatever its category (满一年 becoming 满两年 does not restart them).
// A stalled parcel (中止开发) is idle from the day its suspension reached one year (since),
// and 满 N 年 N − 1 years later.
const idleParcelsSQL = `WITH s AS (
  SELECT s.*, CASE WHEN s.category = 'IDLE_STALLED' OR s.deadline IS NULL THEN s.since
                   ELSE landreg_sys.idle_since(s.deadline, 1) END AS idle_from
  FROM landreg_sys.idle_statuses($1::date, NULL, nullif($2, '')) s
  WHERE s.category IN ('IDLE_1Y', 'IDLE_2Y', 'IDLE_GOV', 'IDLE_STALLED')
)
SELECT s.parcel_id, s.zddm, s.xzqdm, d.name, p.holder_name, p.holder_uscc, p.contract_no,
  p.agreed_start, s.deadline, s.category, s.category_zh, s.since, ($1::date - s.idle_from),
  landreg_sys.m2_to_mu(s.registered_area_m2::float8), landreg_sys.m2_to_mu(s.area_m2), coalesce(s.idle_fee_wan, 0)::float8,
  CASE s.category
    WHEN 'IDLE_1Y' THEN '征缴土地闲置费（出让价款 20%） / levy the idle-land fee (20 % of the price)'
    WHEN 'IDLE_2Y' THEN '报批无偿收回 / seek approval to recover without compensation'
    WHEN 'IDLE_GOV' THEN '协商处置：延期、调整用途或规划条件、置换、收回 / negotiate disposal: extension, changed use, swap or recovery'
    WHEN 'IDLE_STALLED' THEN '调查认定中止开发 / investigate and determine the stalled development'
  END,
  ST_AsGeoJSON(p.geom, 9, 0)::json
FROM s
JOIN parcels_all p ON p.id = s.parcel_id AND p.valid_from <= $1::date AND (p.valid_to IS NULL OR p.valid_to > $1::date)
JOIN districts d ON d.xzqdm = s.xzqdm
WHERE $3 = 0 OR CASE WHEN s.category = 'IDLE_STALLED' OR s.deadline IS NULL THEN landreg_sys.years_after(s.idle_from, $3 - 1)
                     ELSE landreg_sys.idle_since(s.deadline, $3) END <= $1::date
ORDER BY s.idle_from, s.zddm`

// IdleParcels lists parcels idle as of d for at least minYears years by the legal idle
// clock (0: all idle), longest idle first; xzqdm "" means every district.
func IdleParcels(ctx context.Context, db DB, d time.Time, xzqdm string, minYears int) ([]IdleParcel, error) {
	rows, err := db.Query(ctx, idleParcelsSQL, civil(d), xzqdm, minYears)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[IdleParcel])
}

// StatusChange is a parcel whose category differs between two dates.
type StatusChange struct {
	ParcelID     int64
	Zddm         string
	Xzqdm        string
	Holder       *string
	FromCategory *string
	FromZh       *string
	ToCategory   *string
	ToZh         *string
	Since        *time.Time
	RegisteredMu *float64
	Geometry     json.RawMessage
}

const statusChangesSQL = `WITH a AS (SELECT * FROM landreg_sys.idle_statuses($1::date, NULL, nullif($3, ''))),
b AS (SELECT * FROM landreg_sys.idle_statuses($2::date, NULL, nullif($3, '')))
SELECT coalesce(b.parcel_id, a.parcel_id), coalesce(b.zddm, a.zddm), coalesce(b.xzqdm, a.xzqdm), p.holder_name,
  a.category, a.category_zh, b.category, b.category_zh, b.since,
  landreg_sys.m2_to_mu(coalesce(b.registered_area_m2, a.registered_area_m2)::float8), ST_AsGeoJSON(p.geom, 9, 0)::json
FROM a FULL JOIN b ON a.parcel_id = b.parcel_id
LEFT JOIN parcels_all p ON p.id = coalesce(b.parcel_id, a.parcel_id)
  AND p.valid_from <= greatest($1::date, $2::date) AND (p.valid_to IS NULL OR p.valid_to > greatest($1::date, $2::date))
WHERE a.category IS DISTINCT FROM b.category
ORDER BY 3, 2`

// StatusChanges lists parcels whose category as of to differs from that as of from
// (new and retired parcels included).
func StatusChanges(ctx context.Context, db DB, from, to time.Time, xzqdm string) ([]StatusChange, error) {
	rows, err := db.Query(ctx, statusChangesSQL, civil(from), civil(to), xzqdm)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[StatusChange])
}

// Finding is a data-quality finding (domain.md §7.10).
type Finding struct {
	Kind     string
	KindZh   string
	ParcelID *int64
	Zddm     *string
	Xzqdm    string
	Detail   string
	Geometry json.RawMessage
}

// Every test is set-based; overlaps use && then an interior test, so they stay fast.
// As of legal date $2 (issue 14.14): the versions of parcels, block lines and districts
// valid then (the register as it stands now), so a finding appears from the day the
// record that causes it took effect and is gone from the day it was corrected. pp, bl
// and dd are inlined where they are used (NOT MATERIALIZED), so the spatial indexes of
// the current and history tables serve the joins.
const findingsSQL = `WITH p AS (
  SELECT * FROM parcels_all WHERE ($1 = '' OR xzqdm = $1) AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)
),
pp AS NOT MATERIALIZED (
  SELECT * FROM parcels_all WHERE valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)
),
bl AS NOT MATERIALIZED (
  SELECT * FROM block_lines_all WHERE valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)
),
dd AS NOT MATERIALIZED (
  SELECT * FROM districts_all WHERE valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)
),
plane AS (
  -- The plane area in the district's Gauss-Krüger zone, where registered areas are measured.
  SELECT p.*, ST_Area(ST_Transform(p.geom, d.gk_srid)) AS plane_m2
  FROM p JOIN dd d USING (xzqdm) WHERE p.registered_area_m2 IS NOT NULL
)
SELECT 'AREA_MISMATCH', '登记面积与图形面积不符', p.id, p.zddm, p.xzqdm,
  format('registered %s m², GK plane %s m² (%s %%)', p.registered_area_m2, round(p.plane_m2::numeric, 2),
         round((100 * (p.registered_area_m2 - p.plane_m2) / p.registered_area_m2)::numeric, 2)),
  ST_AsGeoJSON(p.geom, 9, 0)::json
FROM plane p WHERE abs(p.registered_area_m2 - p.plane_m2) > greatest(0.01 * p.registered_area_m2, 10)
UNION ALL
SELECT 'PARCEL_OVERLAP', '宗地重叠', a.id, a.zddm, a.xzqdm,
  format('overlaps %s by %s m²', b.zddm, round(ST_Area(ST_Intersection(a.geom, b.geom)::geography)::numeric, 2)),
  ST_AsGeoJSON(ST_Intersection(a.geom, b.geom), 9, 0)::json
FROM p a JOIN pp b ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')
UNION ALL
SELECT 'OUTSIDE_LINES', '工业宗地在区块线外', p.id, p.zddm, p.xzqdm, 'no block line of the district touches it',
  ST_AsGeoJSON(p.geom, 9, 0)::json
FROM p WHERE p.landuse_code = ANY ('{1001,100101,100102,100103,0601,M,M1,M2,M3}')
  AND NOT EXISTS (SELECT 1 FROM bl l WHERE l.xzqdm = p.xzqdm AND l.geom && p.geom AND ST_Relate(l.geom, p.geom, '2********'))
UNION ALL
SELECT 'CROSSES_LINE', '宗地跨区块线边界', p.id, p.zddm, p.xzqdm,
  format('%s %% inside block lines', round((100 * ST_Area(ST_Intersection(p.geom, u.g)::geography) / p.area_m2)::numeric, 1)),
  ST_AsGeoJSON(p.geom, 9, 0)::json
FROM p, LATERAL (SELECT ST_Union(l.geom) g FROM bl l WHERE l.xzqdm = p.xzqdm AND l.geom && p.geom) u
WHERE u.g IS NOT NULL AND ST_Relate(u.g, p.geom, '2********') AND NOT ST_CoveredBy(p.geom, u.g)
UNION ALL
SELECT 'NON_INDUSTRIAL_IN_LEVEL1', '一级区块线内非工业用途', p.id, p.zddm, p.xzqdm,
  format('land use %s inside %s', p.landuse_code, l.code), ST_AsGeoJSON(p.geom, 9, 0)::json
FROM p JOIN bl l ON l.xzqdm = p.xzqdm AND l.level = 1 AND l.geom && p.geom AND ST_Relate(l.geom, p.geom, '2********')
WHERE NOT p.landuse_code = ANY ('{1001,100101,100102,100103,0601,M,M1,M2,M3,1101,110101,110102,110103,0604,0508,W,W1,W2,W3}')
UNION ALL
SELECT 'OUTSIDE_DISTRICT', '宗地超出所属行政区', p.id, p.zddm, p.xzqdm, 'not covered by district ' || p.xzqdm,
  ST_AsGeoJSON(p.geom, 9, 0)::json
FROM p JOIN dd d ON d.xzqdm = p.xzqdm WHERE NOT ST_CoveredBy(p.geom, d.geom)
UNION ALL
SELECT 'MISSING_AGREED_START', '缺少约定开工日期', p.id, p.zddm, p.xzqdm, 'contract without agreed start date',
  ST_AsGeoJSON(p.geom, 9, 0)::json
FROM p WHERE p.agreed_start IS NULL AND p.contract_date IS NOT NULL
ORDER BY 1, 4`

// DataQuality runs the data-quality tests on the register as of legal date d; xzqdm ""
// means every district. Code checks that need Go (USCC check digits) are added by the
// caller.
func DataQuality(ctx context.Context, db DB, xzqdm string, d time.Time) ([]Finding, error) {
	rows, err := db.Query(ctx, findingsSQL, xzqdm, civil(d))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Finding])
}

// HolderCodes lists the distinct holder USCCs of the parcel versions valid on d, for the
// Go-side check.
func HolderCodes(ctx context.Context, db DB, xzqdm string, d time.Time) (map[string][]Finding, error) {
	rows, err := db.Query(ctx, `SELECT holder_uscc, id, zddm, xzqdm FROM parcels_all
WHERE holder_uscc IS NOT NULL AND ($1 = '' OR xzqdm = $1) AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)
ORDER BY zddm`, xzqdm, civil(d))
	if err != nil {
		return nil, err
	}
	out := map[string][]Finding{}
	for rows.Next() {
		var u, z, x string
		var id int64
		if err := rows.Scan(&u, &id, &z, &x); err != nil {
			return nil, err
		}
		out[u] = append(out[u], Finding{ParcelID: &id, Zddm: &z, Xzqdm: x})
	}
	return out, rows.Err()
}
