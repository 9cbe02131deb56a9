-- +goose Up
-- Event rules of issue 14 (items 10–13; domain.md §8.6 rulings 8, 9, 10, 12):
--  * RAMPUP_REVIEWED (达产复核) bears on the status: a failed review is a shortfall of
--    its own, and the review and ANNUAL_INDICATORS carry the cumulative fixed-asset
--    investment (invest_wan, 万元, land price included) for 投资强度;
--  * IDLE_FEE_PAID (缴纳闲置费) records a payment of a levied fee (IDLE_FEE_LEVIED);
--  * RECOVERY_DECIDED names its basis (landreg_sys.recovery_bases), the disposal stages
--    of an idle parcel are vocabulary (landreg_sys.disposal_stages).
-- The rules themselves are in schema/functions (parcel_event_validate, idle_core,
-- idle_disposal).

INSERT INTO landreg_sys.event_types (code, kind, zh, en, bears_on_status, adverse, reports_ratios, required_key, fact_type) VALUES
  ('IDLE_FEE_PAID', 22, '缴纳闲置费', 'idle-land fee paid', false, false, false, 'amount_wan', NULL);
UPDATE landreg_sys.event_types SET bears_on_status = true, required_key = 'passed', fact_type = 'landreg_sys.rampup_fact'
WHERE code = 'RAMPUP_REVIEWED';
UPDATE landreg_sys.event_types SET required_key = 'amount_wan' WHERE code = 'IDLE_FEE_LEVIED';
UPDATE landreg_sys.event_types SET required_key = 'basis' WHERE code = 'RECOVERY_DECIDED';

-- The number of the new type in the generated column kind (00006). Its expression cannot
-- be altered in PostgreSQL 15: the column is re-added, as fact is below (no existing
-- event has the new type, so no stored kind changes). landreg_sys.event_kind
-- (schema/functions/event_kind.sql) gives the same numbers; a test holds the column, the
-- function and event_types equal.
ALTER TABLE parcel_events DROP COLUMN kind;
ALTER TABLE parcel_events ADD COLUMN kind smallint GENERATED ALWAYS AS (CASE type
    WHEN 'PROGRESS' THEN 1 WHEN 'SUSPENDED' THEN 2 WHEN 'IDLE_NOTICE' THEN 3 WHEN 'IDLE_DETERMINED' THEN 4
    WHEN 'PRODUCTION_STOPPED' THEN 5 WHEN 'GOV_CAUSE' THEN 6 WHEN 'LAND_DELIVERED' THEN 7 WHEN 'STARTED' THEN 8
    WHEN 'COMPLETED' THEN 9 WHEN 'PRODUCTION_STARTED' THEN 10 WHEN 'RESUMED' THEN 11
    WHEN 'EXTENSION_APPROVED' THEN 12 WHEN 'PLANNING_VERIFIED' THEN 13 WHEN 'ANNUAL_INDICATORS' THEN 14
    WHEN 'RECOVERY_DECIDED' THEN 15 WHEN 'DISPOSED' THEN 16 WHEN 'CONTRACT_SIGNED' THEN 17
    WHEN 'PERMIT_ISSUED' THEN 18 WHEN 'RAMPUP_REVIEWED' THEN 19 WHEN 'IDLE_FEE_LEVIED' THEN 20
    WHEN 'TRANSFERRED' THEN 21 WHEN 'IDLE_FEE_PAID' THEN 22 END) STORED;
COMMENT ON COLUMN parcel_events.kind IS '事件类型编号（派生） / event type as a number (derived, for the status function)';

INSERT INTO landreg_sys.value_bounds (tbl, field, min, max, min_exclusive, unit) VALUES
  ('parcel_events', 'invest_wan', 0, 1e8, false, '万元'),
  ('parcel_events', 'compensation_wan', 0, 1e8, false, '万元');

-- Bases of a recovery (收回国有建设用地使用权, 53号令 art. 12, 14). UNCOMPENSATED only for
-- land idle two years of the holder's making (checked by parcel_event_validate);
-- COMPENSATED carries compensation_wan.
CREATE TABLE landreg_sys.recovery_bases (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
  zh   text NOT NULL UNIQUE CHECK (zh <> ''),
  en   text NOT NULL CHECK (en <> '')
);
COMMENT ON TABLE landreg_sys.recovery_bases IS '收回依据 / bases of a recovery of the land-use right';
INSERT INTO landreg_sys.recovery_bases (code, zh, en) VALUES
  ('UNCOMPENSATED', '无偿收回', 'recovered without compensation (idle two years, holder''s cause)'),
  ('COMPENSATED',   '协议有偿收回', 'recovered by agreement with compensation');

-- Disposal stages of idle land (闲置土地处置, domain.md §2.1 procedure, §7.1): ord is
-- the order of the procedure; the last four are outcomes.
CREATE TABLE landreg_sys.disposal_stages (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
  zh   text NOT NULL UNIQUE CHECK (zh <> ''),
  en   text NOT NULL CHECK (en <> ''),
  ord  smallint NOT NULL UNIQUE CHECK (ord >= 0)
);
COMMENT ON TABLE landreg_sys.disposal_stages IS '闲置土地处置阶段 / disposal stages of idle land';
INSERT INTO landreg_sys.disposal_stages (code, zh, en, ord) VALUES
  ('PENDING',    '未启动处置', 'no disposal procedure yet', 0),
  ('SURVEY',     '调查',   'survey notice served', 1),
  ('DETERMINED', '认定',   'determined idle', 2),
  ('FEE',        '征缴',   'idle-land fee levied', 3),
  ('RECOVERED',  '收回',   'recovery decided', 4),
  ('EXTENDED',   '延期',   'start deadline extended', 5),
  ('SWAPPED',    '置换',   'land swapped', 6),
  ('DISPOSED',   '已处置', 'disposed of', 7);

-- A review's figures by name; passed is NULL when the payload does not say.
CREATE TYPE landreg_sys.rampup_fact AS (day date, id bigint, passed boolean, invest_wan double precision);
ALTER TYPE landreg_sys.annual_fact ADD ATTRIBUTE invest_wan double precision;

-- fact (00006) gains invest_wan for ANNUAL_INDICATORS (slot 11) and a layout for
-- RAMPUP_REVIEWED: [day, id, passed 1/0, invest_wan]. A generated column's expression
-- cannot be altered in PostgreSQL 15: the column is re-added (every event is rewritten
-- once; nothing refers to the column but the functions of schema/, which are plain text).
ALTER TABLE parcel_events DROP COLUMN fact;
ALTER TABLE parcel_events
  ADD COLUMN fact double precision[] GENERATED ALWAYS AS (CASE type
    WHEN 'EXTENSION_APPROVED' THEN ARRAY[event_date - DATE '2000-01-01', id,
      landreg_sys.iso_day(payload ->> 'new_start_deadline')]
    WHEN 'GOV_CAUSE' THEN ARRAY[landreg_sys.iso_day(payload ->> 'from'),
      coalesce(landreg_sys.iso_day(payload ->> 'to'), 'Infinity')]
    WHEN 'SUSPENDED' THEN ARRAY[event_date - DATE '2000-01-01', id,
      (payload ->> 'developed_land_ratio')::float8, (payload ->> 'invested_ratio')::float8]
    WHEN 'PROGRESS' THEN ARRAY[event_date - DATE '2000-01-01', id,
      (payload ->> 'developed_land_ratio')::float8, (payload ->> 'invested_ratio')::float8]
    WHEN 'PLANNING_VERIFIED' THEN ARRAY[event_date - DATE '2000-01-01', id,
      (payload ->> 'far')::float8, (payload ->> 'coverage')::float8, (payload ->> 'unused_area_m2')::float8]
    WHEN 'ANNUAL_INDICATORS' THEN ARRAY[(payload ->> 'year')::float8, event_date - DATE '2000-01-01', id,
      (payload ->> 'tax_wan')::float8, (payload ->> 'va_wan')::float8, (payload ->> 'energy_tce')::float8,
      (payload ->> 'emission_t')::float8, (payload ->> 'rd_wan')::float8, (payload ->> 'revenue_wan')::float8,
      (payload ->> 'land_mu_used')::float8, (payload ->> 'invest_wan')::float8]
    WHEN 'RAMPUP_REVIEWED' THEN ARRAY[event_date - DATE '2000-01-01', id,
      CASE payload -> 'passed' WHEN 'true'::jsonb THEN 1 WHEN 'false'::jsonb THEN 0 END,
      (payload ->> 'invest_wan')::float8]
  END) STORED;
COMMENT ON COLUMN parcel_events.fact IS '状态计算用数值（派生） / figures for the status function (derived from payload)';

-- The digest (00009) gains the reviews: their dates (k_rr) and each review's figures
-- (p_rr; reviews count from their date, so the latest counting at the k-th key is the
-- k-th review in legal order). Existing indicator figures gain invest_wan from their
-- events (only events that reported one differ from NULL).
ALTER TABLE landreg_sys.parcel_event_digest ADD COLUMN k_rr date[], ADD COLUMN p_rr landreg_sys.rampup_fact[];
INSERT INTO landreg_sys.parcel_event_digest AS g (parcel_id, k_rr, p_rr)
SELECT x.parcel_id, array_agg(x.event_date ORDER BY x.event_date, x.id),
  array_agg(ROW(x.event_date, x.id, x.fact[3] = 1, x.fact[4])::landreg_sys.rampup_fact ORDER BY x.event_date, x.id)
FROM parcel_events x
WHERE x.type = 'RAMPUP_REVIEWED' AND NOT EXISTS (SELECT 1 FROM parcel_events s WHERE s.supersedes = x.id)
GROUP BY x.parcel_id
ON CONFLICT (parcel_id) DO UPDATE SET k_rr = excluded.k_rr, p_rr = excluded.p_rr;
UPDATE landreg_sys.parcel_event_digest g
SET p_ai = ARRAY(SELECT ROW(a.year, a.day, a.id, a.tax_wan, a.va_wan, a.energy_tce, a.emission_t, a.rd_wan,
                            a.revenue_wan, a.land_mu_used, x.fact[11])::landreg_sys.annual_fact
                 FROM unnest(g.p_ai) WITH ORDINALITY a LEFT JOIN parcel_events x ON x.id = a.id
                 ORDER BY a.ordinality)
WHERE g.parcel_id IN (SELECT parcel_id FROM parcel_events WHERE type = 'ANNUAL_INDICATORS' AND payload ? 'invest_wan');

-- +goose Down
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00019 cannot be undone; restore from a backup / 00019 不可回退'; END $$;
-- +goose StatementEnd
