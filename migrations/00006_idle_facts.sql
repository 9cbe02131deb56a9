-- +goose Up
-- Idle status of 200,000 parcels as of a date in under 2 s (issue 4). The 00004
-- function spent its time parsing event payloads (jsonb to text to float8 for every
-- event, on every call), comparing event types as text, converting numeric columns to
-- float8 once per mention, re-evaluating flattened expressions at every mention, and
-- building each reason with json_build_object. Here:
--  * every event carries two generated columns, computed once when it is recorded:
--    kind (a small integer for its type) and fact (the figures the status needs, as a
--    float8 array that starts with the event's place in legal order); the events stay
--    the one source, nothing can drift;
--  * idle_core (rewritten in 00009, which adds a per-parcel digest of these columns)
--    aggregates kind and fact only, keeps each step a subquery of its own (OFFSET 0) so
--    every value is computed once, and writes reasons as JSON text with the helpers
--    below; the whole-city wrapper may run with parallel workers.
-- Decisions are unchanged: on 200,310 parcels at six dates from 2018 to 2025 the
-- rewritten function returned the same rows as 00004's (reasons compared as jsonb); the
-- tests written for 00004's function run against it.
-- 'YYYY-MM-DD' (checked by parcel_event_validate) as days since 2000-01-01. make_date
-- rather than a cast: a cast depends on DateStyle, a generated column may not.
CREATE FUNCTION landreg_sys.iso_day(s text) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN make_date(substr(s, 1, 4)::int, substr(s, 6, 2)::int, substr(s, 9, 2)::int) - DATE '2000-01-01';

-- Event type as a small integer (the column kind below; landreg_sys.event_kind,
-- schema/functions/event_kind.sql, gives the same for the status function). 1–16 bear on
-- the idle status, ordered so that idle_core can test ranges: 1–2 report ratios, 2–6 undo
-- a disposal (adverse facts).

-- fact layouts (days since 2000-01-01; id breaks ties between events of one day):
--   EXTENSION_APPROVED  [day, id, new start deadline day]
--   GOV_CAUSE           [from day, to day or Infinity while ongoing]
--   PROGRESS, SUSPENDED [day, id, developed_land_ratio, invested_ratio]
--   PLANNING_VERIFIED   [day, id, far, coverage, unused_area_m2]
--   ANNUAL_INDICATORS   [year, day, id, tax_wan, va_wan, energy_tce, emission_t, rd_wan,
--                        revenue_wan, land_mu_used]
-- Payload numbers are read as float8, as the fixture generator compares them.
ALTER TABLE parcel_events
  ADD COLUMN kind smallint GENERATED ALWAYS AS (CASE type
    WHEN 'PROGRESS' THEN 1 WHEN 'SUSPENDED' THEN 2 WHEN 'IDLE_NOTICE' THEN 3 WHEN 'IDLE_DETERMINED' THEN 4
    WHEN 'PRODUCTION_STOPPED' THEN 5 WHEN 'GOV_CAUSE' THEN 6 WHEN 'LAND_DELIVERED' THEN 7 WHEN 'STARTED' THEN 8
    WHEN 'COMPLETED' THEN 9 WHEN 'PRODUCTION_STARTED' THEN 10 WHEN 'RESUMED' THEN 11
    WHEN 'EXTENSION_APPROVED' THEN 12 WHEN 'PLANNING_VERIFIED' THEN 13 WHEN 'ANNUAL_INDICATORS' THEN 14
    WHEN 'RECOVERY_DECIDED' THEN 15 WHEN 'DISPOSED' THEN 16 WHEN 'CONTRACT_SIGNED' THEN 17
    WHEN 'PERMIT_ISSUED' THEN 18 WHEN 'RAMPUP_REVIEWED' THEN 19 WHEN 'IDLE_FEE_LEVIED' THEN 20
    WHEN 'TRANSFERRED' THEN 21 END) STORED,
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
      (payload ->> 'land_mu_used')::float8]
  END) STORED;

COMMENT ON COLUMN parcel_events.kind IS '事件类型编号（派生） / event type as a number (derived, for the status function)';

COMMENT ON COLUMN parcel_events.fact IS '状态计算用数值（派生） / figures for the status function (derived from payload)';

-- +goose Down
-- One-way: the 00004 functions would have to be re-created from that file. Nothing is
-- lost by staying: kind and fact are derived from each event's own columns.
-- +goose StatementBegin
DO $$ BEGIN RAISE EXCEPTION '00006 cannot be undone; restore from a backup / 00006 不可回退'; END $$;
-- +goose StatementEnd
